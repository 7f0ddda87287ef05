//! Replaying CloudTrail logs against an organization's policies: which past calls the
//! current SCPs and RCPs deny, and which ones proposed policies would newly deny.
//!
//! [`read`] streams the records of log files (CloudTrail's `Records` documents, JSON Lines,
//! gzip-compressed or not), [`record`] picks the fields that matter, [`map`] turns
//! `eventSource` and `eventName` into the IAM action, [`context`] builds the request with the
//! condition keys the record supports, [`evaluate`] decides it against each account's policy
//! sets and counts, and [`report`] is the result. [`replay`] runs it all over files in
//! parallel, each thread with its own fixed-size buffer and tally, so memory stays bounded
//! whatever the size of the input. `docs/replay.md` describes the rules and the report.
//!
//! No printing: the CLI renders the [`Report`].

pub mod context;
pub mod evaluate;
mod hash;
pub mod map;
pub mod proposed;
pub mod read;
pub mod record;
pub mod report;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use orgctl_org::Spec;

pub use context::{Settings, Skip};
pub use evaluate::Organization;
pub use map::{Maps, Unmapped};
pub use proposed::{ChangeKind, PolicyChange, ProposeError};
pub use report::Report;

use crate::evaluate::{Tally, Worker};
use crate::read::Buffer;

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// `--account` names no account of the spec.
    #[error("no account `{name}` in the spec (accounts: {known})")]
    UnknownAccount {
        /// The name given.
        name: String,
        /// The spec's account keys.
        known: String,
    },
    /// A log path cannot be read.
    #[error("{0}")]
    Logs(#[source] std::io::Error),
    /// No log file under the given paths.
    #[error("no log files (*.json, *.jsonl, *.gz) under the given paths")]
    NoLogs,
    /// The embedded action maps are damaged.
    #[error(transparent)]
    Maps(&'static map::MapError),
    /// Something that cannot happen with a sound build.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The proposed policies, as the report describes them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    /// The `--proposed` path.
    pub source: PathBuf,
    /// `spec` for a spec directory, `policies` for policy files.
    pub kind: ProposalKind,
    /// For policy files: what each does.
    pub changes: Vec<PolicyChange>,
}

/// What `--proposed` named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// A whole spec directory.
    Spec,
    /// Policy files replacing or joining the spec's.
    Policies,
}

/// What to replay and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replay every event as if its principal were in this account (key, name or id).
    pub account: Option<String>,
    /// `aws:PrincipalOrgID` for every request.
    pub org_id: Option<String>,
    /// Worker threads (default: one per core).
    pub threads: Option<NonZeroUsize>,
    /// Told the bytes read so far and in all after each file, from the worker threads.
    pub progress: Option<ProgressHook>,
}

/// A callback for progress: `(bytes read, bytes in all)`.
#[derive(Clone)]
pub struct ProgressHook(pub std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

/// Replays the log files under `logs` against `spec`, and against `proposed` when given.
///
/// # Errors
/// When the account option names no account, a log path cannot be listed, or there is no
/// log file. Unreadable files and malformed records are reported, not errors.
pub fn replay(
    spec: &Spec,
    proposed: Option<(&Spec, Proposal)>,
    logs: &[PathBuf],
    options: &Options,
) -> Result<Report, ReplayError> {
    let maps = Maps::embedded().map_err(ReplayError::Maps)?;
    let settings = Settings {
        org_id: options.org_id.clone(),
        ..Settings::default()
    };
    let (proposed_spec, proposal) = match proposed {
        Some((s, p)) => (Some(s), Some(p)),
        None => (None, None),
    };
    let org = Organization::new(spec, proposed_spec, options.account.as_deref(), settings)?;
    let files = read::find_files(logs).map_err(ReplayError::Logs)?;
    if files.is_empty() {
        return Err(ReplayError::NoLogs);
    }
    let threads = options
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
        .min(files.len());
    let tally = run(&org, maps, &files, threads, options.progress.as_ref());
    Ok(report::build(&org, proposal, &files, tally))
}

/// Reads every file on `threads` threads, the largest files first, and merges the tallies.
fn run(
    org: &Organization,
    maps: &Maps,
    files: &[(PathBuf, u64)],
    threads: usize,
    progress: Option<&ProgressHook>,
) -> Tally<String> {
    let all: u64 = files.iter().map(|f| f.1).sum();
    let read = AtomicU64::new(0);
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files.get(i).map_or(0, |f| f.1)));
    let next = AtomicUsize::new(0);
    let total = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                let mut worker = Worker::new(org, maps);
                let mut buffer = Buffer::default();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&file) = order.get(n) else {
                        break;
                    };
                    let Some((path, size)) = files.get(file) else {
                        break;
                    };
                    read_file(&mut worker, &mut buffer, file, path);
                    if let Some(hook) = progress {
                        let done = read.fetch_add(*size, Ordering::Relaxed) + size;
                        (hook.0)(done, all);
                    }
                }
                let done = worker.finish();
                if let Ok(mut total) = total.lock() {
                    total.merge(done);
                }
            });
        }
    });
    total
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read_file(worker: &mut Worker<'_>, buffer: &mut Buffer, file: usize, path: &std::path::Path) {
    let outcome =
        read::open(path).and_then(|src| read::read(src, buffer, |item| worker.item(file, item)));
    match outcome {
        Ok(o) => {
            worker.tally.files += 1;
            worker.tally.bytes += o.bytes;
        }
        Err(e) => worker.tally.unreadable.push((file, e.to_string())),
    }
}
