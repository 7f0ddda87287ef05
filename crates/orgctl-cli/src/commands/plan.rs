//! `orgctl plan`: what apply would change. Exit 0 no changes, 2 changes, 1 error.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_org::plan;

use crate::cli::{Format, PlanArgs};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs the command.
pub fn run(args: &PlanArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::ReadOnly)?;
    let state = org::read_state(backend.as_ref(), &spec)?;
    let plan = org::make_plan(&spec, &state, backend.as_ref(), &args.dir)?;
    crate::commands::lockout::guard(&spec, &plan, &args.lockout, printer)?;
    if let Some(path) = &args.out {
        let text = serde_json::to_string_pretty(&plan).map_err(anyhow::Error::from)?;
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the plan to `{}`", path.display()))?;
    }
    let mut out = printer.stdout();
    match args.format {
        Format::Human => out.write_all(plan::render(&plan).as_bytes())?,
        Format::Json => {
            let text = serde_json::to_string_pretty(&plan).map_err(anyhow::Error::from)?;
            writeln!(out, "{text}")?;
        }
    }
    Ok(if plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
