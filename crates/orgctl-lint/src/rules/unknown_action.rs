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

use orgctl_policy::glob;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::util::{closest, is_templated};

/// The rule.
pub const RULE: Rule = Rule {
    name: "unknown-action",
    summary: "actions, services and action patterns the AWS catalog does not know",
    docs: include_str!("unknown_action.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    for statement in &cx.policy.statements {
        let element = if statement.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        for item in &statement.action.values.items {
            let text = item.node.as_str();
            if text == "*" || is_templated(catalog, text) {
                continue;
            }
            let Some((service, name)) = text.split_once(':') else {
                cx.report(
                    FindingType::Error,
                    "INVALID_ACTION",
                    item.span,
                    format!("`{text}` in `{element}` is not an action"),
                    "write actions as `service:ActionName`, such as `s3:GetObject`",
                );
                continue;
            };
            if glob::has_wildcard(service) {
                if !catalog.matches_any(text) {
                    cx.report(
                        FindingType::Error,
                        "INVALID_ACTION",
                        item.span,
                        format!("`{text}` in `{element}` matches no action"),
                        "check the pattern against the catalog with `orgctl expand`",
                    );
                }
                continue;
            }
            let Some(svc) = catalog.service(service) else {
                let suggestion = closest(service, catalog.services().map(|s| s.prefix()));
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
            };
            if glob::has_wildcard(name) {
                if !catalog.matches_any(text) {
                    cx.report(
                        FindingType::Error,
                        "INVALID_ACTION",
                        item.span,
                        format!(
                            "`{text}` in `{element}` matches no `{}` action",
                            svc.prefix()
                        ),
                        "check the pattern against the catalog with `orgctl expand`",
                    );
                }
                continue;
            }
            if svc.action(name).is_none() {
                let suggestion = closest(name, svc.actions().map(|a| a.name()));
                let what = if statement.action.negated {
                    "the exemption never applies, so the action it means to spare is not spared"
                } else {
                    "it matches nothing"
                };
                cx.report(
                    FindingType::Error,
                    "INVALID_ACTION",
                    item.span,
                    format!(
                        "`{text}` in `{element}` is not a `{}` action: {what}",
                        svc.prefix()
                    ),
                    suggestion.map_or_else(
                        || {
                            format!(
                                "list the service's actions with `orgctl expand '{}:*'`",
                                svc.prefix()
                            )
                        },
                        |s| format!("did you mean `{}:{s}`?", svc.prefix()),
                    ),
                );
            }
        }
    }
}
