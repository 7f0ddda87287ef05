//! `orgctl replay DIR --logs PATH...`: past CloudTrail calls decided against the spec's
//! policies, and against proposed ones: which calls they would newly deny.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_replay::report::{Mode, Report};
use orgctl_replay::{Options, Proposal, ProposalKind, proposed};

use crate::cli::{ReplayArgs, ReplayFormat};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// The exit status when some calls would be denied.
pub const DENIED: u8 = 3;
/// How many groups the human report lists.
const HUMAN_GROUPS: usize = 50;

/// Runs the command: exit 0 when nothing is (newly) denied, 3 when something is, 1 on an
/// error (an unreadable log file included, after the report).
pub fn run(args: &ReplayArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let proposed = match &args.proposed {
        None => None,
        Some(path) if proposed::is_spec_dir(path) => {
            let next = org::load_spec(path, printer)?;
            let proposal = Proposal {
                source: path.clone(),
                kind: ProposalKind::Spec,
                changes: Vec::new(),
            };
            Some((next, proposal))
        }
        Some(path) => {
            let files = proposed::policy_files(path).map_err(anyhow::Error::from)?;
            let (next, changes) =
                proposed::with_policies(&spec, &files).map_err(anyhow::Error::from)?;
            let proposal = Proposal {
                source: path.clone(),
                kind: ProposalKind::Policies,
                changes,
            };
            Some((next, proposal))
        }
    };
    let bar = std::sync::Arc::new(crate::progress::Progress::new(printer, 0, "replay", true));
    let hook = {
        let bar = std::sync::Arc::clone(&bar);
        orgctl_replay::ProgressHook(std::sync::Arc::new(move |done, all| {
            bar.set_len(all);
            bar.set(done, "");
        }))
    };
    let options = Options {
        account: args.account.clone(),
        org_id: args.org_id.clone(),
        threads: args.threads,
        progress: Some(hook),
    };
    let report = orgctl_replay::replay(
        &spec,
        proposed.as_ref().map(|(s, p)| (s, p.clone())),
        &args.logs,
        &options,
    )
    .map_err(anyhow::Error::from)?;
    bar.finish();
    let text = match args.format {
        ReplayFormat::Human => human(&report, &args.dir),
        ReplayFormat::Json => serde_json::to_string_pretty(&report).context("writing JSON")? + "\n",
    };
    let mut out = printer.stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")?;
    if !report.unreadable.is_empty() {
        let mut err = String::new();
        for u in &report.unreadable {
            let _ = writeln!(err, "error: cannot read {}: {}", u.file.display(), u.error);
        }
        printer.stderr().write_all(err.as_bytes())?;
        return Ok(ExitCode::from(1));
    }
    Ok(if report.any_denied() {
        ExitCode::from(DENIED)
    } else {
        ExitCode::SUCCESS
    })
}

/// `1234567` as `1,234,567`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// The report for a reader: what was compared, the denied groups, then the counts.
pub fn human(report: &Report, dir: &Path) -> String {
    let mut out = String::new();
    let t = &report.totals;
    let _ = writeln!(
        out,
        "Replayed {} from {} against the policies of {}",
        plural(t.events, "event", "events"),
        plural(t.files, "file", "files"),
        dir.display()
    );
    if let Some(p) = &report.proposed {
        match p.kind {
            ProposalKind::Spec => {
                let _ = writeln!(out, "Proposed: the spec in {}", p.source.display());
            }
            ProposalKind::Policies => {
                for c in &p.changes {
                    let what = match c.change {
                        orgctl_replay::ChangeKind::Replaced => {
                            format!("replaces the spec's {}", c.policy)
                        }
                        orgctl_replay::ChangeKind::Added => format!(
                            "names no spec policy: added as SCP {} attached at the root",
                            c.policy
                        ),
                    };
                    let _ = writeln!(out, "Proposed: {} {what}", c.file.display());
                }
            }
        }
    }
    if let Some(a) = &report.account {
        let _ = writeln!(
            out,
            "Every event replayed as if made in account {} ({}, {})",
            a.key, a.name, a.id
        );
    }
    out.push('\n');
    let title = match report.mode {
        Mode::Proposed => "Newly denied (allowed now, denied by the proposed policies)",
        Mode::Current => "Denied by the current policies",
    };
    if report.denied.is_empty() {
        let _ = writeln!(out, "{title}: none");
    } else {
        let _ = writeln!(
            out,
            "{title}: {} in {}",
            plural(t.denied, "call", "calls"),
            plural(report.denied.len() as u64, "group", "groups")
        );
        // Account by account (the most denied first), each account's groups by count.
        let shown = report.denied.iter().take(HUMAN_GROUPS);
        let mut accounts: Vec<&str> = Vec::new();
        for g in shown.clone() {
            if !accounts.contains(&g.account.key.as_str()) {
                accounts.push(&g.account.key);
            }
        }
        for key in accounts {
            let mut groups = shown.clone().filter(|g| g.account.key == key).peekable();
            if let Some(first) = groups.peek() {
                let a = &first.account;
                let _ = writeln!(out, "\n  {} ({}, {})", a.name, a.key, a.id);
            }
            for g in groups {
                let _ = writeln!(
                    out,
                    "    {:>8}  {}  {}: {}",
                    count(g.count),
                    g.action,
                    g.decision,
                    g.policies.join("; ")
                );
                let e = &g.example;
                let id = e
                    .event_id
                    .as_deref()
                    .map_or_else(String::new, |id| format!(" {id}"));
                let _ = writeln!(
                    out,
                    "              e.g. {}{id} by {}\n                   in {} record {}",
                    e.event_time,
                    e.principal,
                    e.file.display(),
                    e.record
                );
            }
        }
        if report.denied.len() > HUMAN_GROUPS {
            let _ = writeln!(
                out,
                "\n  ... and {} more (--format json lists every group)",
                plural(
                    (report.denied.len() - HUMAN_GROUPS) as u64,
                    "group",
                    "groups"
                )
            );
        }
    }
    out.push('\n');
    let row = |out: &mut String, label: &str, n: u64, note: &str| {
        let _ = writeln!(out, "  {label:<16}{:>10}{note}", count(n));
    };
    out.push_str("Events\n");
    row(&mut out, "read", t.events, "");
    row(&mut out, "evaluated", t.evaluated, "");
    match report.mode {
        Mode::Proposed => row(&mut out, "newly denied", t.denied, ""),
        Mode::Current => row(&mut out, "denied", t.denied, ""),
    }
    if let Some(n) = t.newly_allowed {
        row(&mut out, "newly allowed", n, "");
    }
    let a = &report.already_denied;
    let note = match a.proposed_denies {
        Some(p) => format!(
            "  denied when made; the current policies deny {}, the proposed {}",
            count(a.current_denies),
            count(p)
        ),
        None => format!(
            "  denied when made; the current policies deny {}",
            count(a.current_denies)
        ),
    };
    row(&mut out, "already denied", a.events, &note);
    row(&mut out, "unmapped", t.unmapped, "  no IAM action");
    row(&mut out, "skipped", t.skipped, "");
    for s in &report.skipped {
        let _ = writeln!(out, "{:>28}  {}", count(s.count), s.description);
    }
    row(&mut out, "malformed", t.malformed, "");
    for m in &report.malformed {
        let _ = writeln!(
            out,
            "    {} record {}: {}",
            m.file.display(),
            m.record,
            m.error
        );
    }
    if !report.unmapped.is_empty() {
        out.push_str("\nMost frequent unmapped events\n");
        for u in &report.unmapped {
            let _ = writeln!(
                out,
                "  {:>8}  {} {} ({})",
                count(u.count),
                u.event_source,
                u.event_name,
                u.reason
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
