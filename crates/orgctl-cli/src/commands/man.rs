//! `orgctl man`: man pages generated from the CLI definition: `orgctl.1` on stdout, or one
//! page per command (`orgctl-plan.1`, `orgctl-account-create.1`, ...) in a directory.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::{Cli, ManArgs};
use crate::error::CliError;
use crate::printer::Printer;

/// Writes the page(s).
pub fn run(args: &ManArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let command = Cli::command().version(crate::cli::long_version());
    let Some(dir) = &args.out else {
        let mut out = Vec::new();
        clap_mangen::Man::new(command).render(&mut out)?;
        printer.stdout().write_all(&out)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut written = 0usize;
    write_pages(&command, "orgctl", dir, &mut written)?;
    writeln!(
        printer.stderr(),
        "Wrote {written} man pages to {}.",
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The page of `command` under `name`, then its subcommands' pages.
fn write_pages(
    command: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut usize,
) -> Result<(), CliError> {
    let page = command.clone().name(name.to_owned());
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, out).with_context(|| format!("cannot write `{}`", path.display()))?;
    *written += 1;
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
