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

/// One linted file: its path as shown, its type, its findings, and its text when the output
/// quotes it.
#[derive(Debug)]
pub struct LintedFile {
    /// The path as given or found.
    pub path: String,
    /// The kind of policy it was linted as.
    pub policy_type: PolicyType,
    /// The file's text (lossily decoded when it is not UTF-8); empty unless kept for the
    /// human format, so that a run over many files does not hold them all.
    pub source: String,
    /// The findings, in source order.
    pub findings: Vec<Finding>,
    /// The 1-based line and column of each offset where a finding starts or ends, by offset.
    positions: Vec<(usize, (usize, usize))>,
}

impl LintedFile {
    /// The file at `path` with its findings; `source` is kept when `keep_source`.
    pub fn new(
        path: String,
        policy_type: PolicyType,
        source: String,
        findings: Vec<Finding>,
        keep_source: bool,
    ) -> Self {
        let mut positions = Vec::new();
        if !findings.is_empty() {
            let lines = LineIndex::new(&source);
            for f in &findings {
                for offset in [f.span.start, f.span.end] {
                    let at = lines.line_col(&source, offset);
                    positions.push((offset, (at.line, at.column)));
                }
            }
            positions.sort_unstable();
            positions.dedup();
        }
        Self {
            path,
            policy_type,
            source: if keep_source { source } else { String::new() },
            findings,
            positions,
        }
    }

    /// 1-based line and column of the offset where one of the file's findings starts or ends
    /// (another offset gets the position of the nearest such offset before it).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let after = self.positions.partition_point(|(o, _)| *o <= offset);
        after
            .checked_sub(1)
            .and_then(|i| self.positions.get(i))
            .map_or((1, 1), |(_, at)| *at)
    }
}

/// Runs the command.
pub fn run(args: &LintArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    if let Some(rule) = &args.explain {
        return explain(rule, printer);
    }
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    let options = options(args);
    let files = files(args)?;
    // One set of options per type, the same but for the type.
    let for_type = |policy_type: PolicyType| {
        let mut options = options.clone();
        options.policy_type = policy_type;
        options
    };
    let by_type = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Scp,
        PolicyType::Rcp,
    ]
    .map(for_type);
    // Only the human format quotes the files.
    let keep_source = args.format == LintFormat::Human;
    // Files are independent: lint them on every core, keeping their order.
    let linted = files
        .par_iter()
        .map(|(path, policy_type)| {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            let source = match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            let options = by_type
                .iter()
                .find(|o| o.policy_type == *policy_type)
                .unwrap_or(&options);
            let report = orgctl_lint::lint_with(&source, options, catalog);
            Ok(LintedFile::new(
                path.display().to_string(),
                *policy_type,
                source,
                report.findings,
                keep_source,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut out = std::io::BufWriter::new(printer.stdout());
    match args.format {
        LintFormat::Human => {
            // The findings are what the command produces: they go to stdout, like a report.
            out.write_all(render::findings::human(printer, &linted).as_bytes())?;
        }
        LintFormat::Json => {
            // A closed stdout stays an I/O error (`orgctl ... | head` is not a failure).
            render::findings::write_json(&mut out, &linted, &options)?;
            writeln!(out)?;
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

fn policy_type(arg: PolicyTypeArg) -> PolicyType {
    match arg {
        PolicyTypeArg::Identity => PolicyType::Identity,
        PolicyTypeArg::Resource => PolicyType::Resource,
        PolicyTypeArg::Scp => PolicyType::Scp,
        PolicyTypeArg::Rcp => PolicyType::Rcp,
    }
}

fn options(args: &LintArgs) -> LintOptions {
    let mut options = LintOptions::new(policy_type(args.policy_type));
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

/// Every file to lint with its type: the PATH arguments as `--type` says, then the paths of
/// `--identity`, `--resource`, `--scp` and `--rcp`.
fn files(args: &LintArgs) -> Result<Vec<(PathBuf, PolicyType)>, CliError> {
    let groups = [
        (&args.paths, policy_type(args.policy_type)),
        (&args.identity_paths, PolicyType::Identity),
        (&args.resource_paths, PolicyType::Resource),
        (&args.scp_paths, PolicyType::Scp),
        (&args.rcp_paths, PolicyType::Rcp),
    ];
    let mut out = Vec::new();
    for (paths, policy_type) in groups {
        out.extend(collect(paths)?.into_iter().map(|p| (p, policy_type)));
    }
    Ok(out)
}

/// The files to lint: files as given, directories searched for `*.json`, sorted. Each path
/// is looked at on every core: given thousands of files, one look after the other would hold
/// up the start.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let found = paths
        .par_iter()
        .map(|path| -> Result<Vec<PathBuf>, CliError> {
            let meta = std::fs::metadata(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            if !meta.is_dir() {
                return Ok(vec![path.clone()]);
            }
            let mut found = Vec::new();
            walk(path, &mut found)?;
            sort_paths(&mut found);
            if found.is_empty() {
                return Err(anyhow!("`{}` holds no *.json file", path.display()).into());
            }
            Ok(found)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(found.into_iter().flatten().collect())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let path = entry.path();
        // The entry's type comes with the listing; only a symbolic link needs a look at
        // what it points to.
        let is_dir = match entry.file_type() {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
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

/// Sorts paths as `Path` orders them, component by component, but comparing bytes: each
/// path's components joined with NULs (which no component holds, and which sort before every
/// other byte, as the end of a component does). The paths of one walk share their first
/// components, so the others are names, which compare as bytes.
fn sort_paths(paths: &mut Vec<PathBuf>) {
    let mut keyed: Vec<(Vec<u8>, PathBuf)> = paths
        .drain(..)
        .map(|p| {
            let mut key = Vec::with_capacity(p.as_os_str().len() + 8);
            for c in p.components() {
                key.extend_from_slice(c.as_os_str().as_encoded_bytes());
                key.push(0);
            }
            (key, p)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    paths.extend(keyed.into_iter().map(|(_, p)| p));
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn paths_sort_as_path_orders_them() {
        let names = [
            "root/foo/a.json",
            "root/foo-bar.json",
            "root/foo.json",
            "root/foo/b/c.json",
            "root/foo bar.json",
            "root/Foo.json",
            "root/foo!/x.json",
            "root/fo.json",
            "root/é.json",
            "root/foo0.json",
        ];
        let mut expected: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        expected.sort();
        let mut got: Vec<PathBuf> = names.iter().rev().map(PathBuf::from).collect();
        super::sort_paths(&mut got);
        assert_eq!(got, expected);
    }
}
