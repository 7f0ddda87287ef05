//! Each account's effective guardrails: the SCP and RCP chains from the root down to the
//! account (every level of which must allow), and in each region what the prover found:
//! how many catalog actions are allowed, denied and unknown, and the denials grouped by the
//! statement (or the level without an allow) that denies every request. Then the spec's
//! properties, as `orgctl prove` checked them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orgctl_org::guard::{Level, OrgPolicies};
use orgctl_org::prove::{PropertyReport, ProveReport, Status, SubjectReport};
use orgctl_org::{AccountSpec, PolicyKind, Spec};

use crate::html::{count, esc, id_part, plural};

/// Denial reasons listed per account and region.
const REASONS: usize = 5;
/// Example actions listed per reason.
const EXAMPLES: usize = 5;

/// The cards, one per account in spec order. `ids` maps account keys to the ids the spec
/// or the backend's state give them; accounts without one show the prover's placeholder.
pub fn render(spec: &Spec, report: &ProveReport, ids: &BTreeMap<String, String>) -> String {
    let policies = OrgPolicies::new(spec);
    let mut out = String::from("<div class=\"cards\">\n");
    for account in &spec.accounts {
        let id = ids.get(&account.key).cloned();
        card(&mut out, spec, &policies, account, id, report);
    }
    out.push_str("</div>\n");
    out
}

fn card(
    out: &mut String,
    spec: &Spec,
    policies: &OrgPolicies<'_>,
    account: &AccountSpec,
    known: Option<String>,
    report: &ProveReport,
) {
    let placeholder = known.is_none();
    let id = known.unwrap_or_else(|| spec.account_id_or_placeholder(account));
    let scps = policies.levels(account, PolicyKind::Scp);
    let path: Vec<&str> = scps
        .iter()
        .take(scps.len().saturating_sub(1))
        .map(|l| l.name.as_str())
        .collect();
    let _ = writeln!(
        out,
        "<article class=\"guardrails\" id=\"guardrails-{}\" data-account=\"{}\">",
        id_part(&account.key),
        esc(&account.key)
    );
    let _ = writeln!(
        out,
        "<h3>{} <span class=\"muted\">{}{} · {}</span></h3>",
        esc(&account.name),
        esc(&id),
        if placeholder {
            " <abbr title=\"The account has no id yet: the analyses use this placeholder.\">(placeholder)</abbr>"
        } else {
            ""
        },
        esc(&path.join(" › "))
    );
    if spec.is_management(account) {
        out.push_str(
            "<p class=\"chain-note\">The management account: neither SCPs nor RCPs apply to it.</p>\n",
        );
    } else {
        if spec.uses(PolicyKind::Scp) {
            chain(out, "SCP chain", &scps);
        } else {
            out.push_str("<p class=\"chain-note\">The spec has no SCPs.</p>\n");
        }
        if spec.uses(PolicyKind::Rcp) {
            chain(out, "RCP chain", &policies.levels(account, PolicyKind::Rcp));
        }
    }
    let subjects: Vec<&SubjectReport> = report
        .subjects
        .iter()
        .filter(|s| s.subject.key == account.key)
        .collect();
    if !subjects.is_empty() {
        counts(out, &subjects);
        for s in &subjects {
            denials(out, s);
        }
    }
    out.push_str("</article>\n");
}

/// A chain, root first: each level's name and the policies attached there.
fn chain(out: &mut String, label: &str, levels: &[Level]) {
    let _ = write!(
        out,
        "<div class=\"chain\"><span class=\"chain-label\">{}</span><ol>",
        esc(label)
    );
    for level in levels {
        let names = if level.policies.is_empty() {
            "none (implicit full access)".to_owned()
        } else {
            level.policies.join(", ")
        };
        let _ = write!(out, "<li><b>{}</b> {}</li>", esc(&level.name), esc(&names));
    }
    out.push_str("</ol></div>\n");
}

/// Allowed, denied and unknown per region, with a bar.
fn counts(out: &mut String, subjects: &[&SubjectReport]) {
    out.push_str("<table class=\"verdict-counts\"><thead><tr><th scope=\"col\">Region</th><th scope=\"col\">Allowed</th><th scope=\"col\">Denied</th><th scope=\"col\">Unknown</th><th scope=\"col\"><span class=\"visually-hidden\">Share</span></th></tr></thead><tbody>\n");
    for s in subjects {
        let (allowed, denied, unknown) = s.counts();
        let total = (allowed + denied + unknown).max(1);
        #[expect(
            clippy::cast_precision_loss,
            reason = "action counts are far below 2^52"
        )]
        let share = |n: usize| (n as f64) * 100.0 / (total as f64);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"bar-cell\"><span class=\"bar\" title=\"{:.1}% allowed\"><span class=\"bar-allowed\" style=\"width:{:.2}%\"></span><span class=\"bar-unknown\" style=\"width:{:.2}%\"></span></span></td></tr>",
            esc(&s.subject.region),
            count(allowed),
            count(denied),
            count(unknown),
            share(allowed),
            share(allowed),
            share(unknown)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The denials of one region grouped by reason, most actions first; then the unknowns.
fn denials(out: &mut String, s: &SubjectReport) {
    let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for v in &s.verdicts {
        match &v.status {
            Status::Denied(d) => by_reason
                .entry(d.reason.as_str())
                .or_default()
                .push(v.action.full_name()),
            Status::Unknown { .. } => unknown.push(v.action.full_name()),
            Status::Allowed(_) => {}
        }
    }
    let region = esc(&s.subject.region);
    if by_reason.is_empty() && unknown.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"denials-none\">In {region} nothing is denied: every action has a request the guardrails allow.</p>"
        );
        return;
    }
    let mut reasons: Vec<(&str, Vec<String>)> = by_reason.into_iter().collect();
    reasons.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let _ = writeln!(
        out,
        "<h4>Denied in {region}</h4><ul class=\"denials\" data-region=\"{region}\">"
    );
    for (reason, actions) in reasons.iter().take(REASONS) {
        let _ = writeln!(
            out,
            "<li><span class=\"n\">{}</span> {}<br><span class=\"examples\">{}</span></li>",
            count(actions.len()),
            esc(reason),
            esc(&examples(actions))
        );
    }
    if reasons.len() > REASONS {
        let more: usize = reasons.iter().skip(REASONS).map(|r| r.1.len()).sum();
        let _ = writeln!(
            out,
            "<li class=\"more\">{} more, for {} (orgctl prove lists them all)</li>",
            plural(reasons.len() - REASONS, "reason", "reasons"),
            plural(more, "action", "actions")
        );
    }
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "<li class=\"unknown\"><span class=\"n\">{}</span> unknown: neither a proof of denial nor an allowed request was found<br><span class=\"examples\">{}</span></li>",
            count(unknown.len()),
            esc(&examples(&unknown))
        );
    }
    out.push_str("</ul>\n");
}

/// The first few actions, and how many more.
fn examples(actions: &[String]) -> String {
    let mut text = actions
        .iter()
        .take(EXAMPLES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if actions.len() > EXAMPLES {
        let _ = write!(text, " and {} more", count(actions.len() - EXAMPLES));
    }
    text
}

/// The spec's properties as the prover checked them; counterexamples name accounts with the
/// ids `ids` knows, else the prover's.
pub fn properties(properties: &[PropertyReport], ids: &BTreeMap<String, String>) -> String {
    if properties.is_empty() {
        return "<p class=\"note\">The spec declares no properties (docs/prove.md shows how).</p>\n"
            .to_owned();
    }
    let mut out = String::from(
        "<table class=\"properties\"><thead><tr><th scope=\"col\">Property</th><th scope=\"col\">Claim</th><th scope=\"col\">Status</th><th scope=\"col\">Cases</th><th scope=\"col\">Violations</th><th scope=\"col\">Unknown</th></tr></thead><tbody>\n",
    );
    for p in properties {
        let _ = writeln!(
            out,
            "<tr class=\"property {status}\" data-property=\"{key}\"><td><b>{key}</b><br><span class=\"muted\">{description}</span></td><td>{claim}</td><td><span class=\"badge {status}\">{status}</span></td><td class=\"num\">{cases}</td><td class=\"num\">{violations}</td><td class=\"num\">{unknown}</td></tr>",
            status = p.status.as_str(),
            key = esc(&p.key),
            description = esc(&p.description),
            claim = match p.expect {
                orgctl_org::property::Claim::Deny => "every request denied",
                orgctl_org::property::Claim::Allow => "some request allowed",
            },
            cases = count(p.cases),
            violations = count(p.violations),
            unknown = count(p.unknown),
        );
        for c in &p.counterexamples {
            let what = match &c.status {
                Status::Allowed(r) => format!("allowed: {} on {}", r.action, r.resource),
                Status::Denied(d) => format!("denied: {}", d.reason),
                Status::Unknown { tried } => format!("unknown after {tried} requests"),
            };
            let _ = writeln!(
                out,
                "<tr class=\"counterexample\"><td colspan=\"6\">{} ({}) in {}: {} {}</td></tr>",
                esc(&c.subject.name),
                esc(ids.get(&c.subject.key).unwrap_or(&c.subject.id)),
                esc(&c.subject.region),
                esc(&c.action),
                esc(&what)
            );
        }
    }
    out.push_str("</tbody></table>\n");
    out
}
