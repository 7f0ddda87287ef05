//! The page: header, summary tiles and the sections, in one HTML document.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orgctl_lint::FindingType;
use orgctl_org::prove::{self, PropertyStatus};
use orgctl_org::{PolicyKind, show};

use crate::html::{count, esc, plural};
use crate::status::Standing;
use crate::{ReportError, ReportInput, Summary, chart, findings, guardrails, heat, status, style};

/// A summary tile's tone.
#[derive(Debug, Clone, Copy)]
enum Tone {
    Plain,
    Ok,
    Warn,
    Bad,
}

impl Tone {
    const fn class(self) -> &'static str {
        match self {
            Self::Plain => "tile",
            Self::Ok => "tile ok",
            Self::Warn => "tile warn",
            Self::Bad => "tile bad",
        }
    }
}

fn tile(out: &mut String, href: &str, tone: Tone, value: &str, label: &str) {
    let _ = writeln!(
        out,
        "<a class=\"{}\" href=\"#{href}\"><span class=\"value\">{}</span><span class=\"label\">{}</span></a>",
        tone.class(),
        esc(value),
        esc(label)
    );
}

/// The ids the tree knows (from the spec or the state), by account key.
fn account_ids(tree: &show::OrgTree) -> BTreeMap<String, String> {
    fn walk(node: &show::OrgNode, ids: &mut BTreeMap<String, String>) {
        if node.kind == show::NodeKind::Account {
            if let Some(id) = &node.id {
                ids.insert(node.key.clone(), id.clone());
            }
        }
        for child in &node.children {
            walk(child, ids);
        }
    }
    let mut ids = BTreeMap::new();
    walk(&tree.root, &mut ids);
    for node in &tree.unplaced {
        walk(node, &mut ids);
    }
    ids
}

pub(crate) fn render(input: &ReportInput<'_>) -> Result<crate::Report, ReportError> {
    let spec = input.spec;
    let state = status::applied(input.state);
    let proof = prove::prove(spec, input.catalog, input.prove)?;
    let tree = show::build(spec, state);
    let chart = chart::render(&tree, spec);
    let home = if spec.organization.home_region.is_empty() {
        prove::default_regions(spec)
            .into_iter()
            .next()
            .unwrap_or_default()
    } else {
        spec.organization.home_region.clone()
    };
    let ids = account_ids(&tree);
    let mut maps = heat::maps(&proof, &home);
    for map in &mut maps {
        for account in &mut map.accounts {
            if let Some(id) = ids.get(&account.key) {
                account.id.clone_from(id);
            }
        }
    }
    let lint = findings::lint(spec, input.catalog);
    let tests = input.tests;
    let (passed, failed) = tests.map_or((0, 0), |t| {
        let failed = t.iter().filter(|r| !r.passed).count();
        (t.len() - failed, failed)
    });
    let estimate = orgctl_org::cost::estimate(spec);

    let mut out = String::with_capacity(1 << 20);
    let title = format!("{} — orgctl report", spec.organization.name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"orgctl {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(input.version),
        esc(&title),
        style::CSS
    );

    // Header.
    let mut facts = Vec::new();
    if let Some(id) = &tree.organization_id {
        facts.push(format!("organization {id}"));
    }
    if !spec.organization.management_account_id.is_empty() {
        facts.push(format!(
            "management account {}",
            spec.organization.management_account_id
        ));
    }
    if !spec.organization.home_region.is_empty() {
        facts.push(format!("home region {}", spec.organization.home_region));
    }
    facts.push(match state {
        Some(_) => format!("state from the {} backend", input.backend),
        None => "not applied".to_owned(),
    });
    let _ = write!(
        out,
        "<header class=\"top\">\n<h1>Organization {}</h1>\n<p class=\"muted\">{}</p>\n<nav aria-label=\"Sections\"><a href=\"#chart\">Organization chart</a><a href=\"#guardrails\">Effective guardrails</a><a href=\"#heatmap\">Heat map</a><a href=\"#findings\">Lint findings</a><a href=\"#tests\">Guardrail tests</a><a href=\"#bootstrap\">Bootstrap</a><a href=\"#cost\">Cost</a></nav>\n</header>\n<main>\n",
        esc(&spec.organization.name),
        esc(&facts.join(" · "))
    );

    // Tiles.
    out.push_str("<section class=\"tiles\" aria-label=\"Summary\">\n");
    tile(
        &mut out,
        "chart",
        Tone::Plain,
        &count(chart.accounts),
        &format!("accounts in {}", plural(chart.units, "OU", "OUs")),
    );
    let scps = spec
        .policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Scp && !p.implicit)
        .count();
    let rcps = spec
        .policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Rcp && !p.implicit)
        .count();
    tile(
        &mut out,
        "guardrails",
        Tone::Plain,
        &format!("{scps} / {rcps}"),
        "SCPs / RCPs",
    );
    let violated = proof
        .properties
        .iter()
        .filter(|p| p.status == PropertyStatus::Violated)
        .count();
    if !proof.properties.is_empty() {
        let holding = proof
            .properties
            .iter()
            .filter(|p| p.status == PropertyStatus::Holds)
            .count();
        tile(
            &mut out,
            "properties",
            if violated > 0 {
                Tone::Bad
            } else if holding == proof.properties.len() {
                Tone::Ok
            } else {
                Tone::Warn
            },
            &format!("{holding} / {}", proof.properties.len()),
            "properties hold",
        );
    }
    match tests {
        Some(t) => tile(
            &mut out,
            "tests",
            if failed > 0 { Tone::Bad } else { Tone::Ok },
            &format!("{} / {}", count(passed), count(t.len())),
            "guardrail tests pass",
        ),
        None => tile(&mut out, "tests", Tone::Warn, "none", "guardrail tests"),
    }
    let worst = lint.items.iter().map(|f| f.finding_type).max();
    tile(
        &mut out,
        "findings",
        match worst {
            None => Tone::Ok,
            Some(FindingType::Error) => Tone::Bad,
            Some(FindingType::Suggestion) => Tone::Plain,
            Some(_) => Tone::Warn,
        },
        &count(lint.items.len()),
        "lint findings",
    );
    match state {
        Some(s) => {
            let rows = status::bootstrap_rows(spec, s);
            let ready = rows
                .iter()
                .filter(|r| r.standing == Standing::Ready)
                .count();
            let wanted = spec.accounts.iter().filter(|a| a.bootstrap).count();
            tile(
                &mut out,
                "bootstrap",
                if ready == wanted {
                    Tone::Ok
                } else {
                    Tone::Warn
                },
                &format!("{} / {}", count(ready), count(wanted)),
                "accounts bootstrapped",
            );
        }
        None => tile(
            &mut out,
            "bootstrap",
            Tone::Warn,
            "not applied",
            "bootstrap",
        ),
    }
    tile(
        &mut out,
        "cost",
        Tone::Plain,
        &format!("~${:.2}", estimate.total_usd),
        "a month for state, estimated",
    );
    out.push_str("</section>\n");

    // Chart.
    out.push_str("<section id=\"chart\">\n<h2>Organization chart</h2>\n<p class=\"note\">The organization as the spec declares it: the root and the accounts at it, each OU with its accounts, and on every box the SCPs and RCPs attached there (the AWS-managed full-access policies included). Hover a box for its whole SCP chain.</p>\n<div class=\"chart-box\">\n");
    out.push_str(&chart.svg);
    out.push_str("\n</div>\n");
    if !tree.unplaced.is_empty() {
        let names: Vec<&str> = tree.unplaced.iter().map(|n| n.name.as_str()).collect();
        let _ = writeln!(
            out,
            "<p class=\"note\">Not under the root (their parent is unknown or part of a cycle), so not drawn: {}.</p>",
            esc(&names.join(", "))
        );
    }
    out.push_str("</section>\n");

    // Guardrails.
    let regions: Vec<&str> = maps.iter().map(|m| m.region.as_str()).collect();
    let actions = proof.subjects.first().map_or(0, |s| s.verdicts.len());
    let _ = writeln!(
        out,
        "<section id=\"guardrails\">\n<h2>Effective guardrails</h2>\n<p class=\"note\">For each account, the SCPs at every level from the root down to it (each level must allow an action), and what <code>orgctl prove</code> found for {} in {}: allowed means a request the guardrails allow was found and confirmed by the evaluator; denied means every request is denied, by the statement named (or by a level where nothing allows it). The principal's own policies are taken to allow everything, so only the guardrails decide.</p>",
        plural(actions, "catalog action", "catalog actions"),
        esc(&regions.join(" and "))
    );
    out.push_str(&guardrails::render(spec, &proof, &ids));
    out.push_str("<h3 id=\"properties\">Properties</h3>\n");
    out.push_str(&guardrails::properties(&proof.properties, &ids));
    out.push_str("</section>\n");

    // Heat map.
    out.push_str("<section id=\"heatmap\">\n<h2>Allowed actions by account and service</h2>\n<p class=\"note\">Each cell is the share of the service's catalog actions for which the prover found a request the guardrails allow in that account and region: the number is the percentage, the colour its step, and the tooltip the counts. Services allowed alike in every account are counted in the note and listed in the full table below each map.</p>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">{}</p>",
        esc(&heat::selection_note(&maps))
    );
    out.push_str(&heat::legend());
    for map in &maps {
        out.push_str(&heat::render(map));
    }
    out.push_str("</section>\n");

    // Findings.
    out.push_str("<section id=\"findings\">\n<h2>Lint findings</h2>\n<p class=\"note\">Every policy document of the spec, checked by <code>orgctl lint</code> as its type (SCP or RCP) with the spec's quotas, and with the organization's access role as the role no guardrail may lock out.</p>\n");
    out.push_str(&findings::render(&lint));
    out.push_str("</section>\n");

    // Tests.
    out.push_str("<section id=\"tests\">\n<h2>Guardrail tests</h2>\n<p class=\"note\">The tests of the spec directory's <code>tests/</code>, as <code>orgctl test</code> runs them: each request decided against its account's SCPs and RCPs.</p>\n");
    let labels: BTreeMap<String, String> = spec
        .accounts
        .iter()
        .filter_map(|a| {
            let id = ids.get(&a.key)?;
            let placeholder = spec.account_id_or_placeholder(a);
            (*id != placeholder).then(|| {
                (
                    format!("{} ({placeholder})", a.name),
                    format!("{} ({id})", a.name),
                )
            })
        })
        .collect();
    out.push_str(&status::tests(tests, &labels));
    out.push_str("</section>\n");

    // Bootstrap.
    out.push_str("<section id=\"bootstrap\">\n<h2>Bootstrap status</h2>\n<p class=\"note\">Each account's Terraform state bucket and lock table, in the account itself, with the settings orgctl manages.</p>\n");
    out.push_str(&status::bootstrap(spec, state, input.backend));
    out.push_str("</section>\n");

    // Cost.
    out.push_str("<section id=\"cost\">\n<h2>Cost estimate</h2>\n");
    out.push_str(&status::cost(&estimate));
    out.push_str("</section>\n</main>\n");

    let _ = writeln!(
        out,
        "<footer>orgctl {} · AWS catalog {} (updated {}) · {} checked per account and region</footer>\n</body>\n</html>",
        esc(input.version),
        esc(input.catalog.version()),
        esc(input.catalog.updated()),
        plural(actions, "action", "actions")
    );

    let summary = Summary {
        accounts: chart.accounts,
        units: chart.units,
        regions: maps.len(),
        heat_cells: maps.iter().map(heat::RegionMap::cells).sum(),
        findings: lint.items.len(),
        tests_passed: passed,
        tests_failed: failed,
    };
    Ok(crate::Report { html: out, summary })
}
