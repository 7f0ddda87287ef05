//! The result of a replay, in the shape `orgctl replay --format json` prints (schema version
//! [`VERSION`], documented in `docs/replay.md`).

use std::path::PathBuf;

use orgctl_eval::Decision;
use orgctl_org::guard::deciding;
use serde::Serialize;

use crate::Proposal;
use crate::context::Skip;
use crate::evaluate::{Organization, Tally};

/// The version of the report's JSON schema.
pub const VERSION: u32 = 1;
/// How many unmapped (source, name) pairs the report lists.
pub const TOP_UNMAPPED: usize = 20;

/// What a replay found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`VERSION`].
    pub version: u32,
    /// `proposed` when proposed policies were compared with the current ones, else `current`.
    pub mode: Mode,
    /// The account every event was replayed in (`--account`), if any.
    pub account: Option<AccountRef>,
    /// The proposed policies.
    pub proposed: Option<Proposal>,
    /// Counts.
    pub totals: Totals,
    /// Newly denied calls (mode `proposed`) or calls the current policies deny (mode
    /// `current`), grouped by account, action and deciding policies, most frequent first.
    pub denied: Vec<DeniedGroup>,
    /// Calls that were denied when they were made.
    pub already_denied: AlreadyDenied,
    /// The most frequent events without an IAM action.
    pub unmapped: Vec<UnmappedPair>,
    /// Events not replayed, by reason (reasons with no event left out).
    pub skipped: Vec<SkippedCount>,
    /// The first malformed records.
    pub malformed: Vec<MalformedRecord>,
    /// Files that could not be opened.
    pub unreadable: Vec<UnreadableFile>,
}

/// What the denied groups mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Allowed by the current policies, denied by the proposed ones.
    Proposed,
    /// Denied by the current policies.
    Current,
}

/// An account of the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    /// The spec key.
    pub key: String,
    /// The display name.
    pub name: String,
    /// The id (or the spec's placeholder for accounts without one).
    pub id: String,
}

/// Counts of the whole replay. `events` = `evaluated` + `unmapped` + `skipped` +
/// `malformed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Files read.
    pub files: u64,
    /// Bytes read, after decompression.
    pub bytes: u64,
    /// Records met, malformed ones included.
    pub events: u64,
    /// Events decided.
    pub evaluated: u64,
    /// Events in the `denied` groups.
    pub denied: u64,
    /// Mode `proposed`: events the current policies deny and the proposed ones allow.
    pub newly_allowed: Option<u64>,
    /// Evaluated events that had been denied when made.
    pub already_denied: u64,
    /// Events without an IAM action.
    pub unmapped: u64,
    /// Events not replayed.
    pub skipped: u64,
    /// Records that could not be read.
    pub malformed: u64,
    /// Files that could not be opened.
    pub unreadable_files: u64,
}

/// Denied calls of one account and action, decided by the same policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeniedGroup {
    /// The account.
    pub account: AccountRef,
    /// The IAM action.
    pub action: String,
    /// `ExplicitDeny` or `ImplicitDeny`.
    pub decision: String,
    /// What decided, as `orgctl simulate` names it: `RegionDeny statement X at Root`, or
    /// `no SCP allows it at Workloads`.
    pub policies: Vec<String>,
    /// How many calls.
    pub count: u64,
    /// The first of them, in file order.
    pub example: ExampleEvent,
}

/// One event, to look up in the logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleEvent {
    /// `eventTime`.
    pub event_time: String,
    /// `eventID`, if the record has one.
    pub event_id: Option<String>,
    /// The principal's ARN as recorded.
    pub principal: String,
    /// The file.
    pub file: PathBuf,
    /// The record's index in it (0-based).
    pub record: u64,
}

/// Calls that were denied when made (`AccessDenied`, `UnauthorizedOperation`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlreadyDenied {
    /// How many.
    pub events: u64,
    /// How many of them the current policies deny.
    pub current_denies: u64,
    /// Mode `proposed`: how many of them the proposed policies deny.
    pub proposed_denies: Option<u64>,
}

/// Events of one source and name without an IAM action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedPair {
    /// `eventSource`.
    pub event_source: String,
    /// `eventName`.
    pub event_name: String,
    /// Why: `unknown event source`, `needs no permission`, `no such IAM action`.
    pub reason: String,
    /// How many.
    pub count: u64,
}

/// Events not replayed for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedCount {
    /// A stable code: `aws_service`, `no_principal`, `service_linked_role`,
    /// `account_not_in_spec`, `account_not_in_proposed_spec`.
    pub reason: String,
    /// The reason in words.
    pub description: String,
    /// How many.
    pub count: u64,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedRecord {
    /// The file.
    pub file: PathBuf,
    /// The record's index in it (0-based).
    pub record: u64,
    /// Why.
    pub error: String,
}

/// A file that could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadableFile {
    /// The file.
    pub file: PathBuf,
    /// Why.
    pub error: String,
}

impl Report {
    /// Whether any call is in the denied groups.
    pub fn any_denied(&self) -> bool {
        !self.denied.is_empty()
    }
}

/// The report of a finished replay.
pub fn build(
    org: &Organization,
    proposal: Option<Proposal>,
    files: &[(PathBuf, u64)],
    tally: Tally<String>,
) -> Report {
    let path = |i: usize| files.get(i).map(|f| f.0.clone()).unwrap_or_default();
    let account = |i: usize| {
        org.accounts.get(i).map_or_else(
            || AccountRef {
                key: String::new(),
                name: String::new(),
                id: String::new(),
            },
            |a| AccountRef {
                key: a.key.clone(),
                name: a.name.clone(),
                id: a.id.clone(),
            },
        )
    };
    let mode = if org.has_proposed {
        Mode::Proposed
    } else {
        Mode::Current
    };
    let mut denied: Vec<DeniedGroup> = tally
        .groups
        .into_iter()
        .map(|((acc, action, reasons), group)| {
            let decision = Decision {
                outcome: group.outcome,
                reasons,
            };
            let policies =
                org.accounts
                    .get(acc)
                    .map_or_else(Vec::new, |a| match (&a.proposed, mode) {
                        (Some((set, levels)), Mode::Proposed) => deciding(set, &decision, levels),
                        _ => deciding(&a.current, &decision, &a.current_levels),
                    });
            DeniedGroup {
                account: account(acc),
                action,
                decision: group.outcome.as_str().to_owned(),
                policies,
                count: group.count,
                example: ExampleEvent {
                    event_time: group.example.time,
                    event_id: group.example.event_id,
                    principal: group.example.principal,
                    file: path(group.example.at.file),
                    record: group.example.at.index,
                },
            }
        })
        .collect();
    denied.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.account.key.cmp(&b.account.key))
            .then_with(|| a.action.cmp(&b.action))
            .then_with(|| a.policies.cmp(&b.policies))
    });
    let mut unmapped: Vec<UnmappedPair> = tally
        .unmapped_pairs
        .into_iter()
        .map(|(pair, (count, why))| {
            let (source, name) = pair.split_once('\0').unwrap_or((pair.as_str(), ""));
            UnmappedPair {
                event_source: source.to_owned(),
                event_name: name.to_owned(),
                reason: why.as_str().to_owned(),
                count,
            }
        })
        .collect();
    unmapped.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.event_source.cmp(&b.event_source))
            .then_with(|| a.event_name.cmp(&b.event_name))
    });
    unmapped.truncate(TOP_UNMAPPED);
    let skipped: Vec<SkippedCount> = Skip::ALL
        .iter()
        .zip(tally.skipped)
        .filter(|(_, n)| *n > 0)
        .map(|(s, count)| SkippedCount {
            reason: s.code().to_owned(),
            description: s.as_str().to_owned(),
            count,
        })
        .collect();
    let mut unreadable: Vec<UnreadableFile> = tally
        .unreadable
        .into_iter()
        .map(|(f, error)| UnreadableFile {
            file: path(f),
            error,
        })
        .collect();
    unreadable.sort_by(|a, b| a.file.cmp(&b.file));
    let totals = Totals {
        files: tally.files,
        bytes: tally.bytes,
        events: tally.events,
        evaluated: tally.evaluated,
        denied: denied.iter().map(|g| g.count).sum(),
        newly_allowed: (mode == Mode::Proposed).then_some(tally.newly_allowed),
        already_denied: tally.already_denied,
        unmapped: tally.unmapped,
        skipped: tally.skipped.iter().sum(),
        malformed: tally.malformed,
        unreadable_files: unreadable.len() as u64,
    };
    Report {
        version: VERSION,
        mode,
        account: org.forced.map(account),
        proposed: proposal,
        totals,
        denied,
        already_denied: AlreadyDenied {
            events: tally.already_denied,
            current_denies: tally.already_denied_current,
            proposed_denies: (mode == Mode::Proposed).then_some(tally.already_denied_proposed),
        },
        unmapped,
        skipped,
        malformed: tally
            .malformed_examples
            .into_iter()
            .map(|m| MalformedRecord {
                file: path(m.at.file),
                record: m.at.index,
                error: m.message,
            })
            .collect(),
        unreadable,
    }
}
