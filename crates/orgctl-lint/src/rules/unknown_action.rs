//! ## What it does
//! Checks every entry of `Action` and `NotAction` against the AWS catalog: the service prefix
//! must exist, a literal action must exist in that service, and a wildcard pattern must match
//! at least one action.
//!
//! ## Why is this bad?
//! AWS accepts most unknown actions silently, and they match nothing. In an `Allow`, the
//! intended permission is missing. In a `NotAction` list of a `Deny` (a region lock's
//! exemptions, for example) the exemption never applies, so the action it meant to spare is
//! denied; in a `Deny`'s `Action` the guardrail has a hole. Real SCP collections have shipped
//! `rds:RestoreDBClusterFromDBSnapshot` and `s3:DeletePublicAccessBlock`, neither of which exists.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Action": "s3:DeletePublicAccessBlock", "Resource": "*"}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Deny", "Action": "s3:PutBucketPublicAccessBlock", "Resource": "*"}
//! ```
//!
//! ## References
//! - IAM Access Analyzer policy checks: `INVALID_ACTION`, `INVALID_SERVICE`
//! - Service Authorization Reference

use std::cell::RefCell;

use orgctl_catalog::Catalog;
use orgctl_policy::glob;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::memo::{Memo, recall};
use crate::util::{closest, is_templated};

/// The rule.
pub const RULE: Rule = Rule {
    name: "unknown-action",
    summary: "actions, services and action patterns the AWS catalog does not know",
    docs: include_str!("unknown_action.rs"),
    check,
};

/// What the rule concludes about one `Action` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Known, `*`, or a template placeholder (which `template-placeholder` reports).
    Fine,
    /// No `service:` prefix.
    NotAnAction,
    /// A pattern whose service has a wildcard, matching no action.
    NoMatch,
    /// An unknown service, with the closest known prefix.
    UnknownService { suggestion: Option<String> },
    /// A pattern matching no action of its (known) service.
    NoMatchInService { prefix: String },
    /// An unknown action of a known service, with the closest action name.
    UnknownAction {
        prefix: String,
        suggestion: Option<String>,
    },
}

thread_local! {
    static VERDICTS: RefCell<Memo<Verdict>> = RefCell::new(Memo::default());
}

fn verdict(catalog: &Catalog, text: &str) -> Verdict {
    if text == "*" || is_templated(catalog, text) {
        return Verdict::Fine;
    }
    let Some((service, name)) = text.split_once(':') else {
        return Verdict::NotAnAction;
    };
    if glob::has_wildcard(service) {
        return if catalog.matches_any(text) {
            Verdict::Fine
        } else {
            Verdict::NoMatch
        };
    }
    let Some(svc) = catalog.service(service) else {
        return Verdict::UnknownService {
            suggestion: closest(service, catalog.services().map(|s| s.prefix())).map(str::to_owned),
        };
    };
    if glob::has_wildcard(name) {
        return if catalog.matches_any(text) {
            Verdict::Fine
        } else {
            Verdict::NoMatchInService {
                prefix: svc.prefix().to_owned(),
            }
        };
    }
    if svc.action(name).is_some() {
        return Verdict::Fine;
    }
    Verdict::UnknownAction {
        prefix: svc.prefix().to_owned(),
        suggestion: closest(name, svc.actions().map(|a| a.name())).map(str::to_owned),
    }
}

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    for statement in &cx.policy.statements {
        let negated = statement.action.negated;
        let element = if negated { "NotAction" } else { "Action" };
        for item in &statement.action.values.items {
            let text = item.node.as_str();
            let verdict = recall(&VERDICTS, catalog, text, || verdict(catalog, text));
            let (message, hint) = match verdict {
                Verdict::Fine => continue,
                Verdict::NotAnAction => (
                    format!("`{text}` in `{element}` is not an action"),
                    "write actions as `service:ActionName`, such as `s3:GetObject`".to_owned(),
                ),
                Verdict::NoMatch => (
                    format!("`{text}` in `{element}` matches no action"),
                    "check the pattern against the catalog with `orgctl expand`".to_owned(),
                ),
                Verdict::UnknownService { suggestion } => {
                    let (service, name) = text.split_once(':').unwrap_or((text, ""));
                    cx.report(
                        FindingType::Error,
                        "INVALID_SERVICE",
                        item.span,
                        format!("`{service}` in `{element}` is not an AWS service prefix"),
                        suggestion.map_or_else(
                            || {
                                "see the Service Authorization Reference for service prefixes"
                                    .to_owned()
                            },
                            |s| format!("did you mean `{s}:{name}`?"),
                        ),
                    );
                    continue;
                }
                Verdict::NoMatchInService { prefix } => (
                    format!("`{text}` in `{element}` matches no `{prefix}` action"),
                    "check the pattern against the catalog with `orgctl expand`".to_owned(),
                ),
                Verdict::UnknownAction { prefix, suggestion } => {
                    let what = if negated {
                        "the exemption never applies, so the action it means to spare is not spared"
                    } else {
                        "it matches nothing"
                    };
                    (
                        format!("`{text}` in `{element}` is not a `{prefix}` action: {what}"),
                        suggestion.map_or_else(
                            || {
                                format!(
                                    "list the service's actions with `orgctl expand '{prefix}:*'`"
                                )
                            },
                            |s| format!("did you mean `{prefix}:{s}`?"),
                        ),
                    )
                }
            };
            cx.report(
                FindingType::Error,
                "INVALID_ACTION",
                item.span,
                message,
                hint,
            );
        }
    }
}
