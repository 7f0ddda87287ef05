//! `orgctl prove DIR`: every catalog action, for each account and region, allowed with a
//! witness, denied with the reason, or unknown; and the spec's properties.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::process::ExitCode;

use anyhow::anyhow;
use orgctl_eval::{ContextValue, Request};
use orgctl_org::prove::{
    self, PropertyReport, PropertyStatus, ProveOptions, ProveReport, Status, Subject, SubjectReport,
};

use crate::cli::{Format, ProveArgs};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// Action names listed per group before "and N more".
const EXAMPLES: usize = 6;

/// Runs the command: exit 0 unless a property is violated (1).
pub fn run(args: &ProveArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let catalog = orgctl_catalog::Catalog::embedded().map_err(|e| anyhow!("{e}"))?;
    let options = ProveOptions {
        accounts: args.account.clone(),
        regions: args.region.clone(),
        actions: args.action.clone(),
        budget: args.budget,
    };
    let bar = crate::progress::Progress::new(printer, 0, "prove", false);
    let report = prove::prove_with_progress(&spec, catalog, &options, &mut |done, total, what| {
        bar.set_len(total as u64);
        bar.set(done as u64, what);
    })
    .map_err(CliError::diagnostic)?;
    bar.finish();
    let mut out = BufWriter::new(printer.stdout());
    match args.format {
        Format::Human => out.write_all(human(&report, args.all).as_bytes())?,
        Format::Json => json(&mut out, &report, catalog.version())?,
    }
    out.flush()?;
    let violated = report
        .properties
        .iter()
        .any(|p| p.status == PropertyStatus::Violated);
    Ok(if violated {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn subject_line(s: &Subject) -> String {
    format!("{} ({}) in {}", s.name, s.id, s.region)
}

/// The human report: per account and region the counts, the denials grouped by reason, the
/// allowed actions by service when they are the fewer, every unknown; then the properties.
pub fn human(report: &ProveReport, all: bool) -> String {
    let mut out = String::new();
    for r in &report.subjects {
        subject(&mut out, r, all);
    }
    if !report.properties.is_empty() {
        out.push_str("Properties\n");
        for p in &report.properties {
            property(&mut out, p);
        }
    }
    out
}

fn subject(out: &mut String, r: &SubjectReport, all: bool) {
    let (allowed, denied, unknown) = r.counts();
    let _ = writeln!(
        out,
        "{}: {allowed} allowed, {denied} denied, {unknown} unknown",
        subject_line(&r.subject)
    );
    // Denials by reason.
    let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for v in &r.verdicts {
        if let Status::Denied(d) = &v.status {
            by_reason
                .entry(d.reason.as_str())
                .or_default()
                .push(v.action.full_name());
        }
    }
    let mut reasons: Vec<(&str, Vec<String>)> = by_reason.into_iter().collect();
    reasons.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (reason, actions) in &reasons {
        let _ = writeln!(out, "  denied  {:>6}  {reason}", actions.len());
        let _ = writeln!(out, "                  {}", examples(actions, all));
    }
    if allowed > 0 && (allowed < denied || all) {
        let mut by_service: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &r.verdicts {
            if matches!(v.status, Status::Allowed(_)) {
                *by_service.entry(v.action.service().prefix()).or_default() += 1;
            }
        }
        let services: Vec<String> = by_service.iter().map(|(s, n)| format!("{s} {n}")).collect();
        let _ = writeln!(
            out,
            "  allowed {allowed:>6}  in {} services: {}",
            services.len(),
            services.join(", ")
        );
    }
    for v in &r.verdicts {
        if let Status::Unknown { tried } = v.status {
            let _ = writeln!(
                out,
                "  unknown         {} (no proof; no witness in {tried} requests)",
                v.action.full_name()
            );
        }
    }
    out.push('\n');
}

fn examples(actions: &[String], all: bool) -> String {
    if all || actions.len() <= EXAMPLES {
        return actions.join(", ");
    }
    let shown = actions.get(..EXAMPLES).unwrap_or(actions);
    format!(
        "{}, and {} more",
        shown.join(", "),
        actions.len() - EXAMPLES
    )
}

fn property(out: &mut String, p: &PropertyReport) {
    let title = if p.description.is_empty() {
        p.key.clone()
    } else {
        format!("{}: {}", p.key, p.description)
    };
    let _ = writeln!(
        out,
        "  {:<8} {title}\n           expect {} for {} cases; {} violate, {} unknown",
        p.status.as_str(),
        p.expect.as_str(),
        p.cases,
        p.violations,
        p.unknown
    );
    for c in &p.counterexamples {
        let what = match &c.status {
            Status::Allowed(req) => format!("allowed: {}", witness_line(req)),
            Status::Denied(d) => format!("denied: {}", d.reason),
            Status::Unknown { .. } => "unknown".to_owned(),
        };
        let _ = writeln!(
            out,
            "           counterexample: {} {}: {what}",
            subject_line(&c.subject),
            c.action
        );
    }
}

/// Condition keys as AWS spells them, looked up once each.
#[derive(Default)]
struct KeyNames(std::cell::RefCell<std::collections::HashMap<String, String>>);

impl KeyNames {
    fn get(&self, lower: &str) -> String {
        if let Some(n) = self.0.borrow().get(lower) {
            return n.clone();
        }
        let name = orgctl_catalog::Catalog::embedded()
            .map_or_else(|_| lower.to_owned(), |c| prove::key_name(c, lower));
        self.0.borrow_mut().insert(lower.to_owned(), name.clone());
        name
    }
}

thread_local! {
    static KEY_NAMES: KeyNames = KeyNames::default();
}

fn key_name(lower: &str) -> String {
    KEY_NAMES.with(|k| k.get(lower))
}

fn witness_line(req: &Request) -> String {
    let mut line = format!("{} on {}", req.principal.arn, req.resource);
    let extra: Vec<String> = req
        .context
        .iter()
        .filter(|(k, _)| *k != "aws:requestedregion")
        .map(|(k, v)| format!("{}={}", key_name(k), value_text(v)))
        .collect();
    if !extra.is_empty() {
        let _ = write!(line, " with {}", extra.join(", "));
    }
    line
}

fn value_text(v: &ContextValue) -> String {
    match v {
        ContextValue::Single(s) => s.clone(),
        ContextValue::Multi(m) => format!("[{}]", m.join(", ")),
    }
}

fn witness_json(req: &Request) -> serde_json::Value {
    let context: serde_json::Map<String, serde_json::Value> = req
        .context
        .iter()
        .map(|(k, v)| {
            let value = match v {
                ContextValue::Single(s) => serde_json::Value::from(s.as_str()),
                ContextValue::Multi(m) => serde_json::Value::from(m.clone()),
            };
            (key_name(k), value)
        })
        .collect();
    serde_json::json!({
        "principal": req.principal.arn,
        "action": req.action,
        "resource": req.resource,
        "context": context,
    })
}

fn account_json(s: &Subject) -> serde_json::Value {
    serde_json::json!({"key": s.key, "name": s.name, "id": s.id})
}

fn verdict_json(s: &Subject, action: &str, status: &Status) -> serde_json::Value {
    let mut v = serde_json::json!({
        "account": account_json(s),
        "region": s.region,
        "action": action,
        "status": status.as_str(),
    });
    if let Some(map) = v.as_object_mut() {
        match status {
            Status::Allowed(req) => {
                map.insert("witness".to_owned(), witness_json(req));
            }
            Status::Denied(d) => {
                map.insert("reason".to_owned(), d.reason.clone().into());
                map.insert("layer".to_owned(), d.proof.layer.as_str().to_owned().into());
                map.insert("level".to_owned(), d.proof.level.into());
            }
            Status::Unknown { tried } => {
                map.insert(
                    "reason".to_owned(),
                    format!("no proof, and no witness among {tried} candidate requests").into(),
                );
            }
        }
    }
    v
}

/// The JSON report, written as it goes: a summary, the properties, then every verdict.
fn json(
    out: &mut impl std::io::Write,
    report: &ProveReport,
    catalog: &str,
) -> Result<(), CliError> {
    let summary: Vec<serde_json::Value> = report
        .subjects
        .iter()
        .map(|r| {
            let (a, d, u) = r.counts();
            serde_json::json!({
                "account": account_json(&r.subject),
                "region": r.subject.region,
                "allowed": a, "denied": d, "unknown": u,
            })
        })
        .collect();
    let properties: Vec<serde_json::Value> = report
        .properties
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.key,
                "description": p.description,
                "expect": p.expect.as_str(),
                "status": p.status.as_str(),
                "cases": p.cases,
                "violations": p.violations,
                "unknown": p.unknown,
                "counterexamples": p.counterexamples.iter()
                    .map(|c| verdict_json(&c.subject, &c.action, &c.status))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let head =
        serde_json::json!({"catalog": catalog, "summary": summary, "properties": properties});
    let head = serde_json::to_string(&head).map_err(anyhow::Error::from)?;
    // The head without its closing brace, then the verdicts array.
    out.write_all(
        head.get(..head.len().saturating_sub(1))
            .unwrap_or("{")
            .as_bytes(),
    )?;
    out.write_all(b",\"verdicts\":[\n")?;
    let mut first = true;
    for r in &report.subjects {
        for v in &r.verdicts {
            if !first {
                out.write_all(b",\n")?;
            }
            first = false;
            let doc = verdict_json(&r.subject, &v.action.full_name(), &v.status);
            serde_json::to_writer(&mut *out, &doc).map_err(anyhow::Error::from)?;
        }
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}
