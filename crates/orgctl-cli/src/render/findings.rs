//! Lint findings for people (each with its source line underlined) and as JSON.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceCode,
};
use orgctl_lint::{Finding, FindingType, LintOptions};
use serde::{Serialize, Serializer};

use crate::commands::lint::LintedFile;
use crate::printer::Printer;

/// A finding with the file it is in, as a miette diagnostic.
#[derive(Debug)]
struct InFile<'a> {
    finding: &'a Finding,
    code: String,
    source: &'a NamedSource<String>,
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for InFile<'_> {}

impl Diagnostic for InFile<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.finding.finding_type {
            FindingType::Error => Severity::Error,
            FindingType::SecurityWarning | FindingType::Warning => Severity::Warning,
            FindingType::Suggestion => Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .hint
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None,
            self.finding.span,
        ))))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
}

/// Every finding rendered with its source, then a summary line.
pub fn human(printer: &Printer, files: &[LintedFile]) -> String {
    let theme = match (printer.unicode, printer.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(printer.width);
    let mut out = String::new();
    for file in files {
        let source = NamedSource::new(&file.path, file.source.clone());
        for finding in &file.findings {
            let code = format!(
                "{} {} ({})",
                finding.finding_type, finding.issue_code, finding.rule
            );
            let diagnostic = InFile {
                finding,
                code,
                source: &source,
            };
            let mut one = String::new();
            if handler.render_report(&mut one, &diagnostic).is_ok() {
                out.push_str(&one);
            } else {
                let (line, column) = file.position(finding.span.start);
                let _ = writeln!(
                    out,
                    "{}:{line}:{column}: {} {}: {}",
                    file.path, finding.finding_type, finding.issue_code, finding.message
                );
                if let Some(hint) = &finding.hint {
                    let _ = writeln!(out, "  help: {hint}");
                }
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "{}", summary_line(files));
    out
}

fn summary_line(files: &[LintedFile]) -> String {
    let count = |t: FindingType| {
        files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.finding_type == t)
            .count()
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    // Which types the files were linted as, when they were not all of one.
    let mut types: Vec<(&str, usize)> = Vec::new();
    for file in files {
        let name = file.policy_type.as_str();
        match types.iter_mut().find(|(t, _)| *t == name) {
            Some((_, n)) => *n += 1,
            None => types.push((name, 1)),
        }
    }
    let types = if types.len() > 1 {
        let parts: Vec<String> = types.iter().map(|(t, n)| format!("{n} {t}")).collect();
        format!(" ({})", parts.join(", "))
    } else {
        String::new()
    };
    format!(
        "{}{types} linted: {}, {}, {}, {}",
        plural(files.len(), "file", "files"),
        plural(count(FindingType::Error), "error", "errors"),
        plural(
            count(FindingType::SecurityWarning),
            "security warning",
            "security warnings"
        ),
        plural(count(FindingType::Warning), "warning", "warnings"),
        plural(count(FindingType::Suggestion), "suggestion", "suggestions"),
    )
}

/// The findings as one JSON document (schema in docs/lint.md), ready to serialize: written
/// straight from the findings, without building a `serde_json::Value` first.
#[cfg(test)]
fn json<'a>(files: &'a [LintedFile], options: &LintOptions) -> impl Serialize + 'a {
    json_parts(files, options)
}

fn json_parts<'a>(files: &'a [LintedFile], options: &LintOptions) -> JsonDocument<'a> {
    let count = |t: FindingType| {
        files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.finding_type == t)
            .count()
    };
    JsonDocument {
        schema_version: 1,
        policy_type: options.policy_type.as_str(),
        files: JsonFiles(files),
        summary: JsonSummary {
            files: files.len(),
            findings: files.iter().map(|f| f.findings.len()).sum(),
            by_type: ByType {
                error: count(FindingType::Error),
                security_warning: count(FindingType::SecurityWarning),
                warning: count(FindingType::Warning),
                suggestion: count(FindingType::Suggestion),
            },
        },
    }
}

/// Writes the document [`json`] describes, byte for byte as `serde_json::to_writer_pretty`
/// writes it, with each file's part rendered on every core: over thousands of files, writing
/// them one after the other would be the slowest step left.
pub fn write_json(
    out: &mut dyn std::io::Write,
    files: &[LintedFile],
    options: &LintOptions,
) -> std::io::Result<()> {
    use rayon::prelude::*;

    /// `value` pretty-printed, every line after the first indented by `indent` more spaces.
    fn pretty(value: &impl Serialize, indent: &[u8]) -> std::io::Result<Vec<u8>> {
        let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::from)?;
        let mut out = Vec::with_capacity(text.len() + text.len() / 8);
        // JSON strings escape their newlines: every newline here is between two lines.
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                out.push(b'\n');
                out.extend_from_slice(indent);
            }
            out.extend_from_slice(line);
        }
        Ok(out)
    }

    let JsonDocument {
        schema_version,
        policy_type,
        files: _,
        summary,
    } = json_parts(files, options);
    let parts: Vec<Vec<u8>> = files
        .par_iter()
        .map(|file| {
            let mut part = Vec::with_capacity(256 + 640 * file.findings.len());
            file_part(file, &mut part)?;
            Ok(part)
        })
        .collect::<std::io::Result<_>>()?;
    let policy_type = serde_json::to_string(policy_type).map_err(std::io::Error::from)?;
    write!(
        out,
        "{{\n  \"schema_version\": {schema_version},\n  \"policy_type\": {policy_type},\n  \"files\": ["
    )?;
    for (i, part) in parts.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        out.write_all(part)?;
    }
    if !parts.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"summary\": ")?;
    out.write_all(&pretty(&summary, b"  ")?)?;
    out.write_all(b"\n}")
}

/// One file of the document, as `serde_json` pretty-prints it at its depth (the `files` array
/// of the document): written field by field, which is several times faster than going through
/// `Serialize` and re-indenting. The tests hold it to the `Serialize` form.
fn file_part(file: &LintedFile, out: &mut Vec<u8>) -> std::io::Result<()> {
    fn string(out: &mut Vec<u8>, s: &str) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, s).map_err(std::io::Error::from)
    }
    fn number(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
    fn position(out: &mut Vec<u8>, name: &str, (line, column): (usize, usize), offset: usize) {
        out.extend_from_slice(b"            \"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\": {\n              \"line\": ");
        number(out, line);
        out.extend_from_slice(b",\n              \"column\": ");
        number(out, column);
        out.extend_from_slice(b",\n              \"offset\": ");
        number(out, offset);
        out.extend_from_slice(b"\n            }");
    }
    out.extend_from_slice(b"{\n      \"path\": ");
    string(out, &file.path)?;
    out.extend_from_slice(b",\n      \"policy_type\": \"");
    out.extend_from_slice(file.policy_type.as_str().as_bytes());
    out.extend_from_slice(b"\",\n      \"findings\": [");
    for (i, f) in file.findings.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(b"        {\n          \"finding_type\": \"");
        out.extend_from_slice(f.finding_type.as_str().as_bytes());
        out.extend_from_slice(b"\",\n          \"issue_code\": ");
        string(out, f.issue_code)?;
        out.extend_from_slice(b",\n          \"rule\": ");
        string(out, f.rule)?;
        out.extend_from_slice(b",\n          \"message\": ");
        string(out, &f.message)?;
        out.extend_from_slice(b",\n          \"hint\": ");
        match &f.hint {
            Some(hint) => string(out, hint)?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\n          \"location\": {\n");
        position(out, "start", file.position(f.span.start), f.span.start);
        out.extend_from_slice(b",\n");
        position(out, "end", file.position(f.span.end), f.span.end);
        out.extend_from_slice(b"\n          }\n        }");
    }
    if !file.findings.is_empty() {
        out.extend_from_slice(b"\n      ");
    }
    out.extend_from_slice(b"]\n    }");
    Ok(())
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    schema_version: u32,
    policy_type: &'a str,
    files: JsonFiles<'a>,
    summary: JsonSummary,
}

struct JsonFiles<'a>(&'a [LintedFile]);

impl Serialize for JsonFiles<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|file| JsonFile {
            path: &file.path,
            policy_type: file.policy_type.as_str(),
            findings: JsonFindings(file),
        }))
    }
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    policy_type: &'a str,
    findings: JsonFindings<'a>,
}

struct JsonFindings<'a>(&'a LintedFile);

impl Serialize for JsonFindings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let file = self.0;
        serializer.collect_seq(file.findings.iter().map(|f| {
            let (line, column) = file.position(f.span.start);
            let (end_line, end_column) = file.position(f.span.end);
            JsonFinding {
                finding_type: f.finding_type,
                issue_code: f.issue_code,
                rule: f.rule,
                message: &f.message,
                hint: f.hint.as_deref(),
                location: JsonLocation {
                    start: JsonPosition {
                        line,
                        column,
                        offset: f.span.start,
                    },
                    end: JsonPosition {
                        line: end_line,
                        column: end_column,
                        offset: f.span.end,
                    },
                },
            }
        }))
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    finding_type: FindingType,
    issue_code: &'a str,
    rule: &'a str,
    message: &'a str,
    hint: Option<&'a str>,
    location: JsonLocation,
}

#[derive(Serialize)]
struct JsonLocation {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    findings: usize,
    by_type: ByType,
}

#[derive(Serialize)]
struct ByType {
    #[serde(rename = "ERROR")]
    error: usize,
    #[serde(rename = "SECURITY_WARNING")]
    security_warning: usize,
    #[serde(rename = "WARNING")]
    warning: usize,
    #[serde(rename = "SUGGESTION")]
    suggestion: usize,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "test code")]

    use orgctl_catalog::Catalog;
    use orgctl_lint::{LintOptions, PolicyType};

    use super::{json, write_json};
    use crate::commands::lint::LintedFile;

    fn linted(path: &str, source: &str, options: &LintOptions) -> LintedFile {
        let catalog = Catalog::embedded().expect("catalog");
        let report = orgctl_lint::lint_with(source, options, catalog);
        LintedFile::new(
            path.to_owned(),
            options.policy_type,
            source.to_owned(),
            report.findings,
            true,
        )
    }

    /// The document written part by part is the one serde writes whole.
    #[test]
    fn write_json_writes_what_serde_writes() {
        let options = LintOptions::new(PolicyType::Scp);
        let broken = r#"{"Statement": [{"Sid": "x\"y", "Effect": "Deny", "Principal": "*",
            "NotAction": ["s3:GetObjekt", "iam:*"], "Resource": "arn:aws:s3:::${Bucket}/é"}]}"#;
        let clean = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}}"#;
        // A finding without a hint, on a second line after a character of two bytes.
        let unhinted = orgctl_lint::Finding {
            finding_type: orgctl_lint::FindingType::Warning,
            issue_code: "CODE",
            rule: "rule",
            message: "a `message` with \"quotes\"\tand a tab".to_owned(),
            hint: None,
            span: orgctl_policy::Span::new(4, 9),
        };
        let files = [
            linted("a/broken.json", broken, &options),
            linted("b\\odd \"name\".json", clean, &options),
            linted("c/not-json.json", "{ // comment\n", &options),
            LintedFile::new(
                "d.json".to_owned(),
                PolicyType::Rcp,
                "{\"é\n\": 1}".to_owned(),
                vec![unhinted],
                false,
            ),
        ];
        assert!(!files[0].findings.is_empty());
        for n in 0..=files.len() {
            let files = &files[..n];
            let mut expected = Vec::new();
            serde_json::to_writer_pretty(&mut expected, &json(files, &options)).expect("serde");
            let mut written = Vec::new();
            write_json(&mut written, files, &options).expect("written");
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}
