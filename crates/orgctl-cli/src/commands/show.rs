//! `orgctl show`: the organization as a tree, JSON, Mermaid or Graphviz, with ids from the
//! sandbox when it has been applied.

use std::io::Write as _;
use std::process::ExitCode;

use orgctl_org::show;

use crate::cli::{BackendArg, ShowArgs, ShowFormat};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs the command.
pub fn run(args: &ShowArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    // Ids come from the sandbox when one exists; the spec alone draws the same tree.
    let state = if org::sandbox_path(&args.dir).exists() {
        let backend = org::open_backend(
            &crate::cli::BackendArgs {
                backend: BackendArg::Sandbox,
                profile: None,
                region: None,
                endpoint_url: None,
            },
            &args.dir,
            &spec,
            org::Open::ReadOnly,
        )?;
        Some(backend.read_state(&[]).map_err(CliError::diagnostic)?)
    } else {
        None
    };
    let tree = show::build(&spec, state.as_ref());
    let text = match args.format {
        ShowFormat::Tree => show::render_tree(&tree, printer.unicode_stdout()),
        ShowFormat::Json => show::render_json(&tree),
        ShowFormat::Mermaid => show::render_mermaid(&tree),
        ShowFormat::Dot => show::render_dot(&tree),
    };
    let mut out = printer.stdout();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(ExitCode::SUCCESS)
}
