//! The ways a command fails, each with its exit status.

use std::process::ExitCode;

use crate::policy_file::LoadError;

/// A command that could not do its job.
#[derive(Debug)]
pub enum CliError {
    /// Policy files that could not be used; each is reported with all its problems.
    Policies(Vec<LoadError>),
    /// Anything else: unreadable input, bad arguments clap could not check.
    Other(anyhow::Error),
    /// A failure that explains itself (a spec, plan or apply error), exit 1.
    Diagnostic(Box<dyn miette::Diagnostic + Send + Sync>),
    /// A failure already reported on stderr (an invalid spec), exit 1.
    Reported,
}

impl CliError {
    /// The exit status: 1 for a spec, plan or apply that failed (the plan contract: 0 no
    /// changes, 2 changes, 1 error); 2, like a usage error, for every other failure to start.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Diagnostic(_) | Self::Reported => ExitCode::from(1),
            Self::Policies(_) | Self::Other(_) => ExitCode::from(2),
        }
    }

    /// Wraps a diagnostic error.
    pub fn diagnostic(e: impl miette::Diagnostic + Send + Sync + 'static) -> Self {
        Self::Diagnostic(Box::new(e))
    }

    /// Whether the failure is only a closed stdout (`orgctl ... | head`): not worth a word.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Self::Policies(_) | Self::Diagnostic(_) | Self::Reported => false,
            Self::Other(e) => e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }),
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::Other(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::Other(e.into())
    }
}
