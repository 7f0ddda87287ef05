//! ## What it does
//! Checks every condition key against the AWS catalog: global keys (`aws:...`) and the keys of
//! each service, including keys with a variable part such as `aws:RequestTag/Env`.
//!
//! ## Why is this bad?
//! A key that no request carries is always missing. `StringEquals` on it never matches, and
//! `StringNotEquals` always does: an `Allow` never applies, or a `Deny` applies to everything
//! (or nothing), which is rarely what the author meant.
//!
//! ## Example
//! ```json
//! "Condition": {"StringNotEquals": {"aws:RequestRegion": "us-east-1"}}
//! ```
//!
//! Use instead:
//! ```json
//! "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}
//! ```
//!
//! ## References
//! - IAM Access Analyzer policy checks: `INVALID_GLOBAL_CONDITION_KEY`, `INVALID_SERVICE_CONDITION_KEY`
//! - AWS global condition context keys

use std::sync::OnceLock;

use orgctl_catalog::Catalog;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::util::{FxHashMap, closest, is_templated};

/// The rule.
pub const RULE: Rule = Rule {
    name: "unknown-condition-key",
    summary: "condition keys that are neither global nor defined by a service",
    docs: include_str!("unknown_condition_key.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    for statement in &cx.policy.statements {
        for block in &statement.condition {
            for entry in &block.entries {
                let key = entry.key.node.as_str();
                if catalog.condition_key(key).is_some() || is_templated(catalog, key) {
                    continue;
                }
                let Some((prefix, _)) = key.split_once(':') else {
                    cx.report(
                        FindingType::Error,
                        "INVALID_CONDITION_KEY_FORMAT",
                        entry.key.span,
                        format!("`{key}` is not a condition key"),
                        "condition keys are written `prefix:Name`, such as `aws:RequestedRegion`",
                    );
                    continue;
                };
                let (code, scope) = if prefix.eq_ignore_ascii_case("aws") {
                    (
                        "INVALID_GLOBAL_CONDITION_KEY",
                        "a global condition key".to_owned(),
                    )
                } else {
                    (
                        "INVALID_SERVICE_CONDITION_KEY",
                        format!("a condition key of `{prefix}`"),
                    )
                };
                let suggestion = match key_groups(catalog) {
                    Some(groups) => closest(
                        key,
                        groups
                            .get(&prefix.to_ascii_lowercase())
                            .into_iter()
                            .flatten()
                            .copied(),
                    ),
                    None => closest(key, known_keys(catalog, prefix)),
                };
                cx.report(
                    FindingType::Error,
                    code,
                    entry.key.span,
                    format!("`{key}` is not {scope}: no request carries it"),
                    suggestion.map_or_else(
                        || "see the service's condition keys in the Service Authorization Reference".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    ),
                );
            }
        }
    }
}

/// For the embedded catalog, its condition key names by lower-case prefix (what comes before
/// the first `:`), in catalog order: computed once per process, for suggestions.
fn key_groups(catalog: &Catalog) -> Option<&'static FxHashMap<String, Vec<&'static str>>> {
    static GROUPS: OnceLock<FxHashMap<String, Vec<&'static str>>> = OnceLock::new();
    let embedded = Catalog::embedded().ok()?;
    std::ptr::eq(embedded, catalog).then(|| {
        GROUPS.get_or_init(|| {
            let mut groups: FxHashMap<String, Vec<&str>> = FxHashMap::default();
            for name in embedded.condition_key_names() {
                let prefix = name.split(':').next().unwrap_or_default();
                groups
                    .entry(prefix.to_ascii_lowercase())
                    .or_default()
                    .push(name);
            }
            groups
        })
    })
}

/// Keys with the same prefix, for suggestions.
fn known_keys<'c>(catalog: &'c Catalog, prefix: &str) -> impl Iterator<Item = &'c str> {
    // `prefix` holds no `:` (it is what precedes the key's first one): a key has the same
    // prefix when it starts with it and a `:` or its end follows.
    catalog.condition_key_names().filter(move |k| {
        k.as_bytes()
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
            && matches!(k.as_bytes().get(prefix.len()), None | Some(b':'))
    })
}
