//! Lint findings as SARIF 2.1.0, for code-scanning tools.

use std::collections::BTreeMap;

use orgctl_catalog::Catalog;
use orgctl_lint::FindingType;
use orgctl_lint::rules::RULES;
use serde_json::{Value, json};

use crate::commands::lint::LintedFile;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log of one run: one `reportingDescriptor` per issue code found, one `result` per
/// finding with its region (1-based lines and columns; columns count characters).
pub fn document(files: &[LintedFile], catalog: &Catalog) -> Value {
    // Issue codes are the rule ids SARIF consumers group by; each remembers its orgctl rule.
    let mut codes: BTreeMap<&str, &str> = BTreeMap::new();
    for f in files.iter().flat_map(|f| &f.findings) {
        codes.entry(f.issue_code).or_insert(f.rule);
    }
    let index: BTreeMap<&str, usize> = codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = codes
        .iter()
        .map(|(code, rule)| {
            let summary = RULES
                .iter()
                .find(|r| r.name == *rule)
                .map_or("", |r| r.summary);
            json!({
                "id": code,
                "name": rule,
                "shortDescription": {"text": if summary.is_empty() { *code } else { summary }},
                "help": {"text": format!("orgctl lint --explain {rule}")},
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        for f in &file.findings {
            let (start_line, start_column) = file.position(f.span.start);
            let (end_line, end_column) = file.position(f.span.end.max(f.span.start));
            let level = match f.finding_type {
                FindingType::Error => "error",
                FindingType::SecurityWarning | FindingType::Warning => "warning",
                FindingType::Suggestion => "note",
            };
            let text = match &f.hint {
                Some(hint) => format!("{} ({hint})", f.message),
                None => f.message.clone(),
            };
            results.push(json!({
                "ruleId": f.issue_code,
                "ruleIndex": index.get(f.issue_code).copied().unwrap_or(0),
                "level": level,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&file.path)},
                        "region": {
                            "startLine": start_line,
                            "startColumn": start_column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        },
                    },
                }],
                "properties": {
                    "findingType": f.finding_type.as_str(),
                    "rule": f.rule,
                    "policyType": file.policy_type.as_str(),
                },
            }));
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "orgctl",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
                "properties": {"catalog": catalog.version()},
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A relative URI reference for a path: forward slashes, characters outside the unreserved
/// set percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
