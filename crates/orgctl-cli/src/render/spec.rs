//! Spec problems as reports: the HCL or policy file, the line with the span underlined, the
//! code and the help line; related places (a first definition) as notes.

use std::fmt::{self, Write as _};

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use orgctl_org::{Diagnostics, Severity, Sources};
use serde_json::json;

use crate::printer::Printer;

struct InSpec<'a> {
    diagnostic: &'a orgctl_org::Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for InSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for InSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for InSpec<'_> {}

impl Diagnostic for InSpec<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.diagnostic.loc.span;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".to_owned()),
            span.start,
            span.end.saturating_sub(span.start),
        ))))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

/// Every diagnostic, rendered, then a count line.
pub fn human(printer: &Printer, sources: &Sources, diags: &Diagnostics) -> String {
    let mut out = String::new();
    for d in &diags.items {
        let Some(file) = sources.get(d.loc.file) else {
            continue;
        };
        let wrapped = InSpec {
            diagnostic: d,
            source: NamedSource::new(file.path.display().to_string(), file.text.clone()),
        };
        out.push_str(&super::diagnostic::report(printer, &wrapped));
        for (loc, label) in &d.related {
            let _ = writeln!(out, "  note: {label}: {}", sources.describe(loc));
        }
        out.push('\n');
    }
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if errors > 0 {
        let _ = writeln!(
            out,
            "error: the spec has {} and {}; nothing was planned",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    } else if warnings > 0 {
        let _ = writeln!(out, "warning: {}", plural(warnings, "warning"));
    }
    out
}

/// The diagnostics as one JSON document.
pub fn json(sources: &Sources, diags: &Diagnostics) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diags
        .items
        .iter()
        .map(|d| {
            let (path, line, column) = sources.get(d.loc.file).map_or_else(
                || (String::new(), 0, 0),
                |f| {
                    let (l, c) = f.line_col(d.loc.span.start);
                    (f.path.display().to_string(), l, c)
                },
            );
            json!({
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "help": d.help,
                "file": path,
                "line": line,
                "column": column,
                "related": d.related.iter().map(|(loc, label)| json!({"label": label, "at": sources.describe(loc)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "errors": diags.error_count(),
        "warnings": diags.warning_count(),
        "diagnostics": items,
    })
}
