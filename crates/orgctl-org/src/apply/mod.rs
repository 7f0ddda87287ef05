//! Apply: carry out a plan against a backend, step by step, journaled and locked.
//!
//! Each step is recorded as started and done; account creation also records its request id
//! the moment it is sent. A crashed apply leaves its journal. The next run first settles what
//! the journal shows in flight (an account whose creation was requested is polled until it
//! exists, never requested again), then plans afresh from the state: the steps that finished
//! are in the state and are not planned again, and a spec fixed in between is what counts.

mod execute;
mod journal;
mod workspace;

use std::path::PathBuf;
use std::time::Duration;

pub use execute::{CREATE_ACCOUNT_FAILURE_REASONS, create_account_help};
pub use journal::{Event, Journal};
pub use workspace::{LockGuard, LockHolder, Workspace};

use crate::backend::Backend;
use crate::error::BackendError;
use crate::plan::{Change, Plan};

/// Why an apply stopped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    /// A backend call failed.
    #[error("step {step} ({what}) failed")]
    #[diagnostic(
        code(orgctl::apply_step),
        help(
            "fix the cause and run apply again: it resumes from this step and repeats nothing already done"
        )
    )]
    Step {
        /// 1-based step number.
        step: usize,
        /// The step, as the plan prints it.
        what: String,
        /// The backend's error.
        #[source]
        source: Box<BackendError>,
    },
    /// An account could not be created.
    #[error("creating account {name} failed: {reason}")]
    #[diagnostic(code(orgctl::create_account_failed), help("{help}"))]
    AccountFailed {
        /// The account.
        name: String,
        /// Organizations' reason code.
        reason: String,
        /// What to do next.
        help: String,
    },
    /// The account a bootstrap was for is not the one the credentials reach.
    #[error("refusing to bootstrap {account}: the credentials reach account {actual}")]
    #[diagnostic(
        code(orgctl::wrong_account),
        help(
            "check the access role name and the account id: state must be written only in the account it belongs to"
        )
    )]
    WrongAccount {
        /// The account meant.
        account: String,
        /// The account reached.
        actual: String,
    },
    /// The state changed between plan and apply.
    #[error("the {backend} organization changed since the plan was made")]
    #[diagnostic(
        code(orgctl::stale_plan),
        help("run `orgctl plan` again and review the new plan")
    )]
    StalePlan {
        /// Backend kind.
        backend: String,
    },
    /// The plan destroys and that was not allowed.
    #[error("the plan destroys {count} thing(s): {names}")]
    #[diagnostic(
        code(orgctl::destroy_not_allowed),
        help("review the plan, then rerun with --allow-destroy")
    )]
    DestroyNotAllowed {
        /// How many.
        count: usize,
        /// What.
        names: String,
    },
    /// Another apply holds the lock.
    #[error("another apply is running ({holder} holds `{}`)", path.display())]
    #[diagnostic(
        code(orgctl::locked),
        help(
            "wait for it to finish, then run again; the lock is released when that process exits, however it exits"
        )
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it.
        holder: String,
    },
    /// A file could not be read or written.
    #[error("`{}`: {message}", path.display())]
    #[diagnostic(code(orgctl::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The journal is not one orgctl wrote.
    #[error("journal `{}` is unreadable: {message}", path.display())]
    #[diagnostic(
        code(orgctl::journal),
        help("if no apply was interrupted, move the journal aside and plan again")
    )]
    Journal {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// A step names something no earlier step created (a damaged saved plan).
    #[error("step {step} refers to `{key}`, which no earlier step created")]
    #[diagnostic(code(orgctl::unresolved), help("run `orgctl plan` again"))]
    Unresolved {
        /// 1-based step.
        step: usize,
        /// The plan key.
        key: String,
    },
    /// An account creation did not finish in time.
    #[error("account {name} is still being created ({request_id})")]
    #[diagnostic(
        code(orgctl::create_account_timeout),
        help(
            "run apply again later: it waits for this request instead of creating another account"
        )
    )]
    StillCreating {
        /// The account.
        name: String,
        /// The request.
        request_id: String,
    },
}

/// How apply runs.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// Whether deleting policies and OUs is allowed.
    pub allow_destroy: bool,
    /// Time between polls of an account creation.
    pub poll_interval: Duration,
    /// Polls before giving up (the journal keeps the request for the next run).
    pub max_polls: u32,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            allow_destroy: false,
            poll_interval: Duration::from_secs(5),
            max_polls: 360,
        }
    }
}

/// Told of progress, for a progress display.
pub trait Observer {
    /// A step begins (0-based index, total steps).
    fn step(&mut self, index: usize, total: usize, change: &Change);
    /// Waiting on an asynchronous operation.
    fn waiting(&mut self, what: &str);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Observer for Quiet {
    fn step(&mut self, _: usize, _: usize, _: &Change) {}
    fn waiting(&mut self, _: &str) {}
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Steps carried out in this run.
    pub applied: usize,
    /// Steps skipped because an earlier, interrupted run had finished them.
    pub skipped: usize,
    /// Accounts created, with their new ids.
    pub created_accounts: Vec<(String, String)>,
}

/// Refuses a plan that destroys unless allowed.
///
/// # Errors
/// [`ApplyError::DestroyNotAllowed`].
pub fn check_destroy(plan: &Plan, options: &ApplyOptions) -> Result<(), ApplyError> {
    let destroys: Vec<String> = plan
        .destroys()
        .map(|c| crate::plan::render::line(c).1)
        .collect();
    if destroys.is_empty() || options.allow_destroy {
        return Ok(());
    }
    Err(ApplyError::DestroyNotAllowed {
        count: destroys.len(),
        names: destroys.join("; "),
    })
}

/// Applies `plan`, journaled in the workspace. The caller holds the workspace lock and has
/// checked the plan's base against a fresh read of the state.
///
/// # Errors
/// The first step that fails; the journal then holds what was done.
pub fn apply(
    backend: &mut dyn Backend,
    workspace: &Workspace,
    plan: Plan,
    options: &ApplyOptions,
    observer: &mut dyn Observer,
) -> Result<ApplyReport, ApplyError> {
    check_destroy(&plan, options)?;
    let journal = Journal::create(&workspace.journal_path(), plan)?;
    execute::run(backend, workspace, journal, options, observer)
}

/// Settles what an interrupted apply left in flight: waits for every account creation it
/// requested, then retires its journal. Plan afresh afterwards; the state then shows all the
/// interrupted apply did.
///
/// # Errors
/// When a requested account fails or the journal cannot be read.
pub fn resume(
    backend: &mut dyn Backend,
    workspace: &Workspace,
    options: &ApplyOptions,
    observer: &mut dyn Observer,
) -> Result<Option<ApplyReport>, ApplyError> {
    match Journal::open(&workspace.journal_path())? {
        None => Ok(None),
        Some(journal) => execute::settle(backend, workspace, journal, options, observer).map(Some),
    }
}

/// Whether an interrupted apply left a journal, and how far it got (done, total).
///
/// # Errors
/// When the journal cannot be read.
pub fn pending(workspace: &Workspace) -> Result<Option<(usize, usize)>, ApplyError> {
    Ok(Journal::open(&workspace.journal_path())?.map(|j| (j.finished(), j.plan.changes.len())))
}
