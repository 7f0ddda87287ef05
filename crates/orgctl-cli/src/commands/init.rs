//! `orgctl init DIR`: a new organization spec, ready to validate, test, prove and apply.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use orgctl_org::scaffold::{self, ScaffoldOptions};

use crate::cli::InitArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Writes the files; refuses a directory that holds a spec already, or any file it would
/// overwrite.
pub fn run(args: &InitArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let dir = &args.dir;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => {
            let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
            absolute
                .file_name()
                .map(|n| {
                    n.to_string_lossy()
                        .to_ascii_lowercase()
                        .replace(['_', ' ', '.'], "-")
                })
                .unwrap_or_default()
        }
    };
    let files = scaffold::files(&ScaffoldOptions {
        name,
        management_account_id: args.management_account_id.clone(),
        email_domain: args.email_domain.clone(),
        region: args.region.clone(),
    })
    .map_err(CliError::diagnostic)?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        let has_spec = entries
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "hcl"));
        if has_spec {
            return Err(anyhow!(
                "`{}` holds a spec already (*.hcl); give a new or empty directory",
                dir.display()
            )
            .into());
        }
    }
    for (path, _) in &files {
        if dir.join(path).exists() {
            return Err(
                anyhow!("`{}` exists; nothing was written", dir.join(path).display()).into(),
            );
        }
    }
    for (path, text) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&target, text)
            .with_context(|| format!("cannot write `{}`", target.display()))?;
    }
    let mut out = printer.stdout();
    writeln!(out, "Wrote a new organization spec to {}:", dir.display())?;
    for (path, _) in &files {
        writeln!(out, "  {path}")?;
    }
    let d = dir.display();
    writeln!(
        out,
        "\nNext:\n  orgctl validate {d}\n  orgctl test {d}\n  orgctl prove {d} --action 'ec2:*'\n  orgctl apply {d}"
    )?;
    Ok(ExitCode::SUCCESS)
}
