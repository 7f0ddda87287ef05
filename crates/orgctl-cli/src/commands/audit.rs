//! `orgctl audit`: drift, the security of every state bucket and lock table, and the blast
//! radius of one account's credentials, per-account against centralized state.
//!
//! Exit 0 clean, 4 drift or a finding of warning or critical severity, 1 error. The backend
//! is only read: a sandbox that does not exist is audited as an empty organization and not
//! created.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use orgctl_audit::blast::{Row, Variant};
use orgctl_audit::storage::{ResourceKind, ResourceStatus};
use orgctl_audit::{AuditInput, AuditReport, Ownership};

use crate::cli::{AuditArgs, AuditFormat};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// The exit status when the audit found drift or a finding of warning severity or worse.
pub const EXIT_FINDINGS: u8 = 4;

/// Runs the command.
pub fn run(args: &AuditArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::ReadOnly)?;
    let state = org::read_state(backend.as_ref(), &spec)?;
    let plan = org::make_plan(&spec, &state, backend.as_ref(), &args.dir)?;
    let owners: BTreeMap<String, Ownership> = orgctl_audit::owner_probes(&spec, &state)
        .into_iter()
        .map(|p| {
            let owner = match backend.bucket_owner(&p.account_id, &p.bucket) {
                Ok(o) => Ownership::from(&o),
                Err(e) => Ownership::Unknown {
                    reason: e.to_string(),
                },
            };
            (p.bucket, owner)
        })
        .collect();
    let report = orgctl_audit::audit(&AuditInput {
        spec: &spec,
        state: &state,
        plan: &plan,
        owners: &owners,
        central_account: args.central_account.as_deref(),
    })
    .map_err(anyhow::Error::from)?;
    let mut out = printer.stdout();
    match args.format {
        AuditFormat::Human => out.write_all(human(&report).as_bytes())?,
        AuditFormat::Json => {
            let text = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
            writeln!(out, "{text}")?;
        }
    }
    Ok(if report.needs_attention() {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The report as text, readable without colour.
pub fn human(report: &AuditReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Audit of {} against the {} backend\n",
        report.organization, report.backend
    );
    drift(&mut out, report);
    storage(&mut out, report);
    findings(&mut out, report);
    blast(&mut out, report);
    let s = &report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "Summary: {}, {} critical, {}, {} info. {}",
        plural(s.drift, "difference", "differences"),
        s.critical,
        plural(s.warning, "warning", "warnings"),
        s.info,
        if s.clean {
            "Clean.".to_owned()
        } else {
            format!("Needs attention (exit {EXIT_FINDINGS}).")
        }
    );
    out
}

fn drift(out: &mut String, report: &AuditReport) {
    let _ = writeln!(out, "Drift");
    let d = &report.drift;
    if d.in_sync {
        let _ = writeln!(
            out,
            "  In sync: the {} organization matches the spec.\n",
            report.backend
        );
        return;
    }
    let _ = writeln!(
        out,
        "  {} between the spec and the {} organization:",
        if d.items.len() == 1 {
            "1 difference".to_owned()
        } else {
            format!("{} differences", d.items.len())
        },
        report.backend
    );
    for item in &d.items {
        let _ = writeln!(out, "  {:<8} {}", item.kind.as_str(), item.resource);
        for detail in &item.details {
            let _ = writeln!(out, "             {detail}");
        }
        let _ = writeln!(out, "           {}", item.repair);
    }
    out.push('\n');
}

fn storage(out: &mut String, report: &AuditReport) {
    let resources = &report.storage.resources;
    let _ = writeln!(out, "State storage");
    if resources.is_empty() {
        let _ = writeln!(out, "  No account keeps Terraform state (no bootstrap).\n");
        return;
    }
    let _ = writeln!(
        out,
        "  Buckets: owner, default encryption, versioning, public access block, TLS only, own\n  \
         account only. Lock tables: owner, KMS encryption, point-in-time recovery.\n"
    );
    let names: Vec<String> = resources
        .iter()
        .map(|r| match r.kind {
            ResourceKind::Bucket => format!("s3://{}", r.name),
            ResourceKind::Table => format!("table {}", r.name),
        })
        .collect();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut account = None;
    for (r, name) in resources.iter().zip(&names) {
        if account != Some(&r.account_label) {
            let _ = writeln!(out, "  {}", r.account_label);
            account = Some(&r.account_label);
        }
        let status = match &r.status {
            ResourceStatus::Present if r.passed.len() == r.checked => {
                format!("present, {} of {} checks passed", r.passed.len(), r.checked)
            }
            ResourceStatus::Present => format!(
                "present, {} of {} checks passed (see Findings)",
                r.passed.len(),
                r.checked
            ),
            ResourceStatus::Missing => "missing".to_owned(),
            ResourceStatus::AccountNotCreated => {
                "not created: the account does not exist yet".to_owned()
            }
            ResourceStatus::Foreign { owner: Some(o) } => format!("owned by account {o}"),
            ResourceStatus::Foreign { owner: None } => "owned by another account".to_owned(),
            ResourceStatus::Unexpected => format!(
                "not in the spec, {} of {} checks passed",
                r.passed.len(),
                r.checked
            ),
        };
        let _ = writeln!(out, "    {name:<width$}  {status}");
    }
    out.push('\n');
}

/// `text` wrapped at [`WIDTH`] columns, the first line after `first`, the others after
/// `rest`.
fn wrap(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            let _ = writeln!(out, "{line}");
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(out, "{line}");
}

/// The width text is wrapped at.
const WIDTH: usize = 100;

fn findings(out: &mut String, report: &AuditReport) {
    let _ = writeln!(out, "Findings");
    if report.findings.is_empty() {
        let _ = writeln!(out, "  None.\n");
        return;
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  {:<8} {}  {}  ({})",
            f.severity.as_str().to_ascii_uppercase(),
            f.check,
            f.resource,
            f.account_label
        );
        let pad = " ".repeat(11);
        wrap(out, &pad, &pad, &f.what);
        wrap(out, &format!("{pad}why: "), &format!("{pad}     "), &f.why);
        wrap(out, &format!("{pad}fix: "), &format!("{pad}     "), &f.fix);
    }
    out.push('\n');
}

/// `0 of 6`, with the kinds of access when there is any.
fn reach(row: Option<&Row>) -> String {
    let Some(r) = row else {
        return "-".to_owned();
    };
    let mut text = format!("{} of {}", r.reachable, r.of);
    let kinds: Vec<String> = [
        (r.read, "read"),
        (r.write, "write"),
        (r.delete, "delete"),
        (r.lock, "lock"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, kind)| {
        if n == r.of {
            kind.to_owned()
        } else {
            format!("{kind} {n}")
        }
    })
    .collect();
    if !kinds.is_empty() {
        let _ = write!(text, " ({})", kinds.join(", "));
    }
    text
}

fn tallies(out: &mut String, v: &Variant) {
    for t in v.tallies.iter().take(5) {
        let first = format!("    {:>4} requests {:<12} ", t.requests, t.outcome);
        let rest = " ".repeat(first.len());
        wrap(out, &first, &rest, &t.cause);
    }
    if v.tallies.len() > 5 {
        let _ = writeln!(out, "    ... {} more in --format json", v.tallies.len() - 5);
    }
}

fn blast(out: &mut String, report: &AuditReport) {
    let b = &report.blast_radius;
    let _ = writeln!(out, "Blast radius");
    wrap(
        out,
        "  ",
        "  ",
        "Whose Terraform state one account's credentials can read or write. The credentials: \
         an administrator's session in each account, the worst case of a compromised laptop:",
    );
    let _ = writeln!(out, "    {} ({})", b.principal, b.identity_policy);
    let _ = writeln!(out, "  The requests, as Terraform's S3 backend sends them:");
    wrap(out, "    ", "    ", &b.context.join(", "));
    out.push('\n');
    let rows = &b.per_account.rows;
    if rows.is_empty() {
        let _ = writeln!(out, "  No account keeps Terraform state.\n");
        return;
    }
    let header = ("Credentials of", "Per-account state", "Centralized state");
    let lines: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let central = b.centralized.rows.iter().find(|c| c.account == r.account);
            (r.account_label.clone(), reach(Some(r)), reach(central))
        })
        .collect();
    let total = (
        "All accounts".to_owned(),
        format!(
            "{} of {} pairs",
            b.per_account.reachable, b.per_account.pairs
        ),
        format!(
            "{} of {} pairs",
            b.centralized.reachable, b.centralized.pairs
        ),
    );
    let w0 = lines
        .iter()
        .chain(std::iter::once(&total))
        .map(|l| l.0.len())
        .chain(std::iter::once(header.0.len()))
        .max()
        .unwrap_or(0);
    let w1 = lines
        .iter()
        .chain(std::iter::once(&total))
        .map(|l| l.1.len())
        .chain(std::iter::once(header.1.len()))
        .max()
        .unwrap_or(0);
    let _ = writeln!(out, "  {:<w0$}  {:<w1$}  {}", header.0, header.1, header.2);
    for (a, p, c) in lines.iter().chain(std::iter::once(&total)) {
        let _ = writeln!(out, "  {a:<w0$}  {p:<w1$}  {c}");
    }
    out.push('\n');
    wrap(
        out,
        "  Per-account: ",
        "    ",
        &format!("{}.", b.per_account.description),
    );
    tallies(out, &b.per_account);
    wrap(
        out,
        "  Centralized: ",
        "    ",
        &format!("{}.", b.centralized.description),
    );
    tallies(out, &b.centralized);
    let role = &b.access_role;
    let reaching: Vec<String> = role
        .rows
        .iter()
        .filter(|r| r.reachable > 0)
        .map(|r| format!("{} reaches {} of {}", r.account_label, r.reachable, r.of))
        .collect();
    let text = format!(
        "Through {} (in every member account, trusted by {}): {}.",
        role.role,
        role.trusted_account,
        if reaching.is_empty() {
            "no account reaches another account's state".to_owned()
        } else {
            format!("{}; no other account reaches any", reaching.join("; "))
        }
    );
    wrap(out, "  ", "    ", &text);
    out.push('\n');
}
