//! `orgctl lint`: findings for policy files, in human, JSON or SARIF form.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use orgctl_catalog::Catalog;
use orgctl_lint::rules::RULES;
use orgctl_lint::{Finding, FindingType, Limits, LintOptions, PolicyType, ScpDialect};
use orgctl_policy::LineIndex;
use rayon::prelude::*;

use crate::cli::{DialectArg, FailOn, LimitsArg, LintArgs, LintFormat, PolicyTypeArg};
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

/// One linted file: its path as shown, its text, and its findings.
#[derive(Debug)]
pub struct LintedFile {
    /// The path as given or found.
    pub path: String,
    /// The file's text (lossily decoded when it is not UTF-8).
    pub source: String,
    /// Line starts, for positions.
    pub lines: LineIndex,
    /// The findings, in source order.
    pub findings: Vec<Finding>,
}

impl LintedFile {
    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let at = self.lines.line_col(&self.source, offset);
        (at.line, at.column)
    }
}

/// Runs the command.
pub fn run(args: &LintArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    if let Some(rule) = &args.explain {
        return explain(rule, printer);
    }
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    let options = options(args);
    let files = collect(&args.paths)?;
    // Files are independent: lint them on every core, keeping their order.
    let linted = files
        .par_iter()
        .map(|path| {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            let source = match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            let report = orgctl_lint::lint_with(&source, &options, catalog);
            Ok(LintedFile {
                path: path.display().to_string(),
                lines: LineIndex::new(&source),
                source,
                findings: report.findings,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut out = std::io::BufWriter::new(printer.stdout());
    match args.format {
        LintFormat::Human => {
            // The findings are what the command produces: they go to stdout, like a report.
            out.write_all(render::findings::human(printer, &linted).as_bytes())?;
        }
        LintFormat::Json => {
            let doc = render::findings::json(&linted, &options);
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?
            )?;
        }
        LintFormat::Sarif => {
            let doc = render::sarif::document(&linted, catalog);
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?
            )?;
        }
    }
    out.flush()?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(FindingType::Error),
        FailOn::SecurityWarning => Some(FindingType::SecurityWarning),
        FailOn::Warning => Some(FindingType::Warning),
        FailOn::Suggestion => Some(FindingType::Suggestion),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| {
        linted
            .iter()
            .flat_map(|f| &f.findings)
            .any(|f| f.finding_type >= t)
    });
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn options(args: &LintArgs) -> LintOptions {
    let policy_type = match args.policy_type {
        PolicyTypeArg::Identity => PolicyType::Identity,
        PolicyTypeArg::Resource => PolicyType::Resource,
        PolicyTypeArg::Scp => PolicyType::Scp,
        PolicyTypeArg::Rcp => PolicyType::Rcp,
    };
    let mut options = LintOptions::new(policy_type);
    options.scp_dialect = match args.scp_dialect {
        DialectArg::Current => ScpDialect::Current,
        DialectArg::Legacy => ScpDialect::Legacy,
    };
    options.limits = match args.limits {
        LimitsArg::Current => Limits::CURRENT,
        LimitsArg::Legacy => Limits::LEGACY,
    };
    for role in &args.protect_roles {
        if !options.protected_roles.contains(role) {
            options.protected_roles.push(role.clone());
        }
    }
    options
}

/// The files to lint: files as given, directories searched for `*.json`, sorted.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(anyhow!("`{}` holds no *.json file", path.display()).into());
            }
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list `{}`", dir.display()))?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn explain(rule: &str, printer: &Printer) -> Result<ExitCode, CliError> {
    let mut out = printer.stdout();
    if rule == "all" {
        let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
        for r in RULES {
            writeln!(out, "{:width$}  {}", r.name, r.summary)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(found) = RULES.iter().find(|r| r.name == rule) else {
        let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        return Err(anyhow!(
            "no rule named `{rule}`; the rules are: {}",
            names.join(", ")
        )
        .into());
    };
    writeln!(out, "# {}\n\n{}\n", found.name, found.summary)?;
    // The documentation is the rule file's leading `//!` block.
    for line in found.docs.lines().take_while(|l| l.starts_with("//!")) {
        writeln!(
            out,
            "{}",
            line.trim_start_matches("//!")
                .strip_prefix(' ')
                .unwrap_or("")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
