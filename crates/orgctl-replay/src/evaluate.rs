//! Deciding each event against the current and proposed policies, and counting the results.
//!
//! Each account's policy sets are built once ([`Organization`]); each thread keeps its own
//! [`Tally`], keyed by account, action and the reasons of the decision only, so its size does
//! not grow with the number of events. Tallies are merged when the threads are done.

use std::collections::HashMap;

use orgctl_eval::{CompiledPolicy, Decision, Outcome, PolicySet, Reason};
use orgctl_org::guard::{Level, OrgPolicies};
use orgctl_org::{PolicyKind, Spec};
use orgctl_policy::Policy;
use smallvec::SmallVec;

use crate::ReplayError;
use crate::context::{self, Caller, Keys, Settings, Skip};
use crate::hash::QuickMap;
use crate::map::{MapCache, Maps, Unmapped};
use crate::read::Item;
use crate::record::{Record, Str};

/// A resource policy that allows every call: with an identity policy allowing everything,
/// only the SCPs and RCPs decide. The calls were made, so whatever key policy, trust policy
/// or bucket policy they needed allowed them (or the call failed, which the record says).
const OPEN_RESOURCE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// An account of the spec, with its policies.
#[derive(Debug)]
pub struct Account {
    /// The spec key.
    pub key: String,
    /// The display name.
    pub name: String,
    /// The id (its own, or the spec's placeholder).
    pub id: String,
    /// The current SCP and RCP chains (with identity and resource policies allowing
    /// everything).
    pub current: PolicySet,
    /// The names of the current chain's levels, root first.
    pub current_levels: Vec<Level>,
    /// The proposed chains and level names; `None` when the proposed spec lacks the account.
    pub proposed: Option<(PolicySet, Vec<Level>)>,
}

/// The spec's accounts, how events find theirs, and the settings of every request.
#[derive(Debug)]
pub struct Organization {
    /// The accounts, in spec order.
    pub accounts: Vec<Account>,
    by_id: HashMap<String, usize>,
    /// `--account`: every event is replayed in this account.
    pub forced: Option<usize>,
    /// Whether proposed policies are compared with the current ones.
    pub has_proposed: bool,
    /// Request settings.
    pub settings: Settings,
}

impl Organization {
    /// The accounts of `spec` with their policy sets, and those of `proposed` matched by key
    /// (else by id).
    ///
    /// # Errors
    /// When `forced` names no account of the spec.
    pub fn new(
        spec: &Spec,
        proposed: Option<&Spec>,
        forced: Option<&str>,
        settings: Settings,
    ) -> Result<Self, ReplayError> {
        let admin =
            vec![OrgPolicies::administrator().map_err(|e| ReplayError::Internal(e.to_string()))?];
        let open = Policy::parse(OPEN_RESOURCE)
            .map(|p| CompiledPolicy::new("AnyResourcePolicy", &p))
            .map_err(|e| ReplayError::Internal(e.to_string()))?;
        let guardrails = |mut set: PolicySet| {
            set.resource = Some(open.clone());
            set
        };
        let current = OrgPolicies::new(spec);
        let next = proposed.map(OrgPolicies::new);
        let mut accounts = Vec::with_capacity(spec.accounts.len());
        let mut by_id = HashMap::new();
        for (i, a) in spec.accounts.iter().enumerate() {
            let id = spec.account_id_or_placeholder(a);
            if let Some(real) = &a.id {
                by_id.entry(real.clone()).or_insert(i);
            }
            let proposed = match (proposed, &next) {
                (Some(p), Some(policies)) => p
                    .account(&a.key)
                    .or_else(|| a.id.as_deref().and_then(|id| p.find_account(id)))
                    .map(|pa| {
                        (
                            guardrails(policies.policy_set(pa, admin.clone())),
                            policies.levels(pa, PolicyKind::Scp),
                        )
                    }),
                _ => None,
            };
            accounts.push(Account {
                key: a.key.clone(),
                name: a.name.clone(),
                id,
                current: guardrails(current.policy_set(a, admin.clone())),
                current_levels: current.levels(a, PolicyKind::Scp),
                proposed,
            });
        }
        let forced = match forced {
            Some(name) => Some(
                spec.find_account(name)
                    .and_then(|a| spec.accounts.iter().position(|b| b.key == a.key))
                    .ok_or_else(|| ReplayError::UnknownAccount {
                        name: name.to_owned(),
                        known: spec
                            .accounts
                            .iter()
                            .map(|a| a.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?,
            ),
            None => None,
        };
        let documents = spec
            .policies
            .iter()
            .chain(proposed.iter().flat_map(|p| &p.policies))
            .filter_map(|p| p.document.as_ref().map(|(_, text)| text.as_str()));
        let settings = Settings {
            keys: settings.keys.and(Keys::used_by(documents)),
            ..settings
        };
        Ok(Self {
            accounts,
            by_id,
            forced,
            has_proposed: proposed.is_some(),
            settings,
        })
    }

    /// The account an event of `caller` is replayed in, and the account id to rewrite.
    fn locate<'s>(&'s self, account: &str) -> Option<(usize, Option<&'s str>)> {
        match self.forced {
            Some(i) => {
                let to = self.accounts.get(i).map(|a| a.id.as_str());
                Some((i, to.filter(|to| *to != account)))
            }
            None => self.by_id.get(account).map(|&i| (i, None)),
        }
    }
}

/// Where an event was read: file (index into the replay's file list) and record index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The file.
    pub file: usize,
    /// The record in it (0-based).
    pub index: u64,
}

/// One event of a group, to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// `eventTime`.
    pub time: String,
    /// `eventID`, if any.
    pub event_id: Option<String>,
    /// The principal's ARN as recorded.
    pub principal: String,
    /// Where it was read.
    pub at: Position,
}

/// Denied calls of one account and action, decided by the same reasons.
#[derive(Debug, Clone)]
pub struct Group {
    /// How many.
    pub count: u64,
    /// The outcome (explicit or implicit deny).
    pub outcome: Outcome,
    /// The first one met.
    pub example: Example,
}

/// The key of a group: account, action, reasons.
pub type GroupKey<A> = (usize, A, SmallVec<[Reason; 6]>);

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Where.
    pub at: Position,
    /// Why.
    pub message: String,
}

/// How many malformed records are kept to show.
pub const MALFORMED_EXAMPLES: usize = 20;
/// How many distinct unmapped (source, name) pairs are counted one by one.
const UNMAPPED_PAIRS: usize = 10_000;

/// The counts of one thread, or of all once merged. Actions are kept by number while a
/// thread runs and by name once it is done.
#[derive(Debug)]
pub struct Tally<A> {
    /// Files read.
    pub files: u64,
    /// Bytes read, after decompression.
    pub bytes: u64,
    /// Records met, malformed ones included.
    pub events: u64,
    /// Events decided.
    pub evaluated: u64,
    /// Events decided that were denied when made (`AccessDenied` and the like).
    pub already_denied: u64,
    /// Of those, how many the current policies deny.
    pub already_denied_current: u64,
    /// Of those, how many the proposed policies deny.
    pub already_denied_proposed: u64,
    /// Events the current policies deny and the proposed ones allow.
    pub newly_allowed: u64,
    /// Events the current policies deny (not counting those denied when made).
    pub denied_current: u64,
    /// Events with no IAM action.
    pub unmapped: u64,
    /// Unmapped events by `eventSource` and `eventName` (`source\0name`), with the reason.
    pub unmapped_pairs: QuickMap<String, (u64, Unmapped)>,
    /// Unmapped events past the number of pairs counted one by one.
    pub unmapped_other: u64,
    /// Events not replayed, by [`Skip::index`].
    pub skipped: [u64; Skip::ALL.len()],
    /// Malformed records.
    pub malformed: u64,
    /// The first malformed records, in the order met.
    pub malformed_examples: Vec<Malformed>,
    /// Files that could not be opened, with why.
    pub unreadable: Vec<(usize, String)>,
    /// Denied calls: newly denied with proposed policies, else denied by the current ones.
    pub groups: QuickMap<GroupKey<A>, Group>,
}

impl<A> Default for Tally<A> {
    fn default() -> Self {
        Self {
            files: 0,
            bytes: 0,
            events: 0,
            evaluated: 0,
            already_denied: 0,
            already_denied_current: 0,
            already_denied_proposed: 0,
            newly_allowed: 0,
            denied_current: 0,
            unmapped: 0,
            unmapped_pairs: QuickMap::default(),
            unmapped_other: 0,
            skipped: [0; Skip::ALL.len()],
            malformed: 0,
            malformed_examples: Vec::new(),
            unreadable: Vec::new(),
            groups: QuickMap::default(),
        }
    }
}

impl Tally<String> {
    /// Adds another tally's counts to this one.
    pub fn merge(&mut self, other: Self) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.events += other.events;
        self.evaluated += other.evaluated;
        self.already_denied += other.already_denied;
        self.already_denied_current += other.already_denied_current;
        self.already_denied_proposed += other.already_denied_proposed;
        self.newly_allowed += other.newly_allowed;
        self.denied_current += other.denied_current;
        self.unmapped += other.unmapped;
        self.unmapped_other += other.unmapped_other;
        for (pair, (n, why)) in other.unmapped_pairs {
            if self.unmapped_pairs.len() < UNMAPPED_PAIRS || self.unmapped_pairs.contains_key(&pair)
            {
                self.unmapped_pairs.entry(pair).or_insert((0, why)).0 += n;
            } else {
                self.unmapped_other += n;
            }
        }
        for (s, n) in self.skipped.iter_mut().zip(other.skipped) {
            *s += n;
        }
        self.malformed += other.malformed;
        self.malformed_examples.extend(other.malformed_examples);
        self.malformed_examples
            .sort_by_key(|m| (m.at.file, m.at.index));
        self.malformed_examples.truncate(MALFORMED_EXAMPLES);
        self.unreadable.extend(other.unreadable);
        for (key, group) in other.groups {
            match self.groups.get_mut(&key) {
                Some(mine) => {
                    mine.count += group.count;
                    if (group.example.at.file, group.example.at.index)
                        < (mine.example.at.file, mine.example.at.index)
                    {
                        mine.example = group.example;
                    }
                }
                None => {
                    self.groups.insert(key, group);
                }
            }
        }
    }
}

/// One thread's work: its map cache and tally.
#[derive(Debug)]
pub struct Worker<'o> {
    org: &'o Organization,
    maps: MapCache<'o>,
    /// The counts so far.
    pub tally: Tally<u32>,
    key: String,
}

fn denied(d: &Decision) -> bool {
    d.outcome != Outcome::Allow
}

impl<'o> Worker<'o> {
    /// A worker for `org` with the action maps.
    pub fn new(org: &'o Organization, maps: &'o Maps) -> Self {
        Self {
            org,
            maps: MapCache::new(maps),
            tally: Tally::default(),
            key: String::new(),
        }
    }

    /// Counts one item the reader handed over from file `file`.
    pub fn item(&mut self, file: usize, item: Item<'_>) {
        self.tally.events += 1;
        match item {
            Item::Record(index, record) => self.event(Position { file, index }, &record),
            Item::Malformed(index, message) => {
                self.tally.malformed += 1;
                if self.tally.malformed_examples.len() < MALFORMED_EXAMPLES {
                    self.tally.malformed_examples.push(Malformed {
                        at: Position { file, index },
                        message,
                    });
                }
            }
        }
    }

    fn skip(&mut self, why: Skip) {
        if let Some(n) = self.tally.skipped.get_mut(why.index()) {
            *n += 1;
        }
    }

    fn unmapped(&mut self, source: &str, name: &str, why: Unmapped) {
        self.tally.unmapped += 1;
        self.key.clear();
        self.key.push_str(source);
        self.key.push('\0');
        self.key.push_str(name);
        if let Some(entry) = self.tally.unmapped_pairs.get_mut(self.key.as_str()) {
            entry.0 += 1;
        } else if self.tally.unmapped_pairs.len() < UNMAPPED_PAIRS {
            self.tally.unmapped_pairs.insert(self.key.clone(), (1, why));
        } else {
            self.tally.unmapped_other += 1;
        }
    }

    /// Replays one event.
    pub fn event(&mut self, at: Position, record: &Record<'_>) {
        if context::by_service(record) {
            return self.skip(Skip::AwsService);
        }
        let source = record.event_source.as_ref().map_or("", Str::as_str);
        let name = record.event_name.as_ref().map_or("", Str::as_str);
        let action = match self.maps.action(source, name) {
            Ok(action) => action,
            Err(why) => return self.unmapped(source, name, why),
        };
        let caller = match context::caller(record) {
            Ok(c) => c,
            Err(why) => return self.skip(why),
        };
        let Some((index, rewrite)) = self.org.locate(caller.account) else {
            return self.skip(Skip::AccountNotInSpec);
        };
        let Some(account) = self.org.accounts.get(index) else {
            return self.skip(Skip::AccountNotInSpec);
        };
        let proposed = match (&account.proposed, self.org.has_proposed) {
            (Some((set, _)), true) => Some(set),
            (None, true) => return self.skip(Skip::AccountNotInProposed),
            _ => None,
        };
        let request = context::request(
            record,
            &caller,
            self.maps.name(action),
            rewrite.map(|to| (caller.account, to)),
            &self.org.settings,
        );
        let current = account.current.decide(&request);
        let next = proposed.map(|set| set.decide(&request));
        self.tally.evaluated += 1;
        if record.was_denied() {
            self.tally.already_denied += 1;
            self.tally.already_denied_current += u64::from(denied(&current));
            self.tally.already_denied_proposed += u64::from(next.as_ref().is_some_and(denied));
            return;
        }
        self.tally.denied_current += u64::from(denied(&current));
        let decisive = match next {
            Some(next) => {
                if denied(&current) && !denied(&next) {
                    self.tally.newly_allowed += 1;
                }
                (!denied(&current) && denied(&next)).then_some(next)
            }
            None => denied(&current).then_some(current),
        };
        if let Some(decision) = decisive {
            self.group(index, action, decision, at, record, &caller);
        }
    }

    fn group(
        &mut self,
        account: usize,
        action: u32,
        decision: Decision,
        at: Position,
        record: &Record<'_>,
        caller: &Caller<'_>,
    ) {
        let key = (account, action, decision.reasons);
        let text = |s: &Option<Str<'_>>| s.as_ref().map(|s| s.as_str().to_owned());
        let example = || Example {
            time: text(&record.event_time).unwrap_or_default(),
            event_id: text(&record.event_id),
            principal: caller.arn.to_owned(),
            at,
        };
        if let Some(group) = self.tally.groups.get_mut(&key) {
            group.count += 1;
            // The first in file order, whichever order the files were read in.
            if (at.file, at.index) < (group.example.at.file, group.example.at.index) {
                group.example = example();
            }
            return;
        }
        self.tally.groups.insert(
            key,
            Group {
                count: 1,
                outcome: decision.outcome,
                example: example(),
            },
        );
    }

    /// The tally with actions by name, ready to merge.
    pub fn finish(self) -> Tally<String> {
        let maps = self.maps;
        let t = self.tally;
        Tally {
            files: t.files,
            bytes: t.bytes,
            events: t.events,
            evaluated: t.evaluated,
            already_denied: t.already_denied,
            already_denied_current: t.already_denied_current,
            already_denied_proposed: t.already_denied_proposed,
            newly_allowed: t.newly_allowed,
            denied_current: t.denied_current,
            unmapped: t.unmapped,
            unmapped_pairs: t.unmapped_pairs,
            unmapped_other: t.unmapped_other,
            skipped: t.skipped,
            malformed: t.malformed,
            malformed_examples: t.malformed_examples,
            unreadable: t.unreadable,
            groups: t
                .groups
                .into_iter()
                .map(|((acc, action, reasons), g)| {
                    ((acc, maps.name(action).to_owned(), reasons), g)
                })
                .collect(),
        }
    }
}
