//! One module per subcommand. Each takes its parsed arguments and a [`Printer`] and returns
//! the exit status, or a [`CliError`] for `main` to report.
//!
//! [`Printer`]: crate::printer::Printer
//! [`CliError`]: crate::error::CliError

pub mod account;
pub mod apply;
pub mod audit;
pub mod bootstrap;
pub mod completions;
pub mod expand;
pub mod import;
pub mod init;
pub mod kill_hook;
pub mod lint;
pub mod lockout;
pub mod man;
pub mod org;
pub mod plan;
pub mod prove;
pub mod replay;
pub mod report;
pub mod show;
pub mod simulate;
pub mod test;
pub mod validate;
