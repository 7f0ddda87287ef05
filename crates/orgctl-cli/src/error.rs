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
}

impl CliError {
    /// The exit status: 2, like a usage error, for every failure to start the work.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }

    /// Whether the failure is only a closed stdout (`orgctl ... | head`): not worth a word.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Self::Policies(_) => false,
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
