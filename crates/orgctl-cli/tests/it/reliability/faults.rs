//! Fault injection: `orgctl apply` and `orgctl account create` through a proxy in front of
//! moto that answers a share of the requests with throttling, 500/503 errors or a dropped
//! connection (before or after moto ran the request). The SDK's adaptive retries absorb
//! what they can; when a call still fails, the run stops and is run again, as a person
//! would. Both must end with the organization a run without faults builds.

use std::path::Path;
use std::time::{Duration, Instant};

use orgctl_testkit::{FaultCounts, FaultProxy, FaultRates, Moto};

use super::{Run, Target, apply, normalized, organization, problems, run};

/// Runs of one command until it succeeds.
#[derive(Debug)]
struct Converged {
    /// Runs it took (1: the first run survived every fault).
    runs: u32,
    /// How long they took.
    elapsed: Duration,
    /// Why each run before the last stopped: its error line.
    stopped: Vec<String>,
}

/// The error line of a failed run's output.
fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .iter()
        .position(|l| l.trim_start().starts_with("x ") || l.starts_with("error"))
        .map_or_else(
            || lines.last().copied().unwrap_or_default().to_owned(),
            |at| {
                lines[at..]
                    .iter()
                    .take(3)
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        )
}

/// Runs `once` until it exits 0, at most `max_runs` times.
fn until_done(max_runs: u32, once: &dyn Fn() -> Run) -> Result<Converged, String> {
    let started = Instant::now();
    let mut stopped = Vec::new();
    let mut last = String::new();
    for runs in 1..=max_runs {
        let out = once();
        if out.code() == Some(0) {
            return Ok(Converged {
                runs,
                elapsed: started.elapsed(),
                stopped,
            });
        }
        stopped.push(error_line(&out.stderr));
        last = format!("{:?}: {}", out.status, out.stderr);
    }
    Err(format!(
        "not done after {max_runs} runs ({:.0?}); the last: {last}",
        started.elapsed()
    ))
}

fn vend(dir: &Path, target: &Target) -> Run {
    run(
        target,
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            dir.to_str().unwrap(),
        ],
        &[],
    )
}

/// The organization after a clean apply, and after a clean vending on top, on `moto`.
fn references(moto: &Moto) -> (Vec<String>, Vec<String>) {
    moto.reset().unwrap();
    let target = Target::Aws(moto.endpoint());
    let dir = crate::common::docustack_for_moto();
    let out = apply(dir.path(), &target, &[]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let applied = normalized(&organization(dir.path(), &target));
    let out = vend(dir.path(), &target);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let vended = normalized(&organization(dir.path(), &target));
    (applied, vended)
}

/// What one trial at one rate measured.
#[derive(Debug)]
struct Trial {
    apply: Converged,
    vend: Converged,
    counts: FaultCounts,
}

/// Apply then vend through a proxy at `rates` (seeded with `seed`), each rerun until done
/// (at most `max_runs` times); then both organizations are compared, read from moto
/// directly, with the references.
fn trial(
    moto: &Moto,
    references: &(Vec<String>, Vec<String>),
    rates: FaultRates,
    seed: u64,
    max_runs: u32,
) -> Result<Trial, String> {
    moto.reset().unwrap();
    let proxy = FaultProxy::start(moto.port(), rates, seed).unwrap();
    let through = Target::Aws(proxy.endpoint());
    let direct = Target::Aws(moto.endpoint());
    let dir = crate::common::docustack_for_moto();
    let spec = super::spec(dir.path());

    let applied = until_done(max_runs, &|| apply(dir.path(), &through, &[]))
        .map_err(|e| format!("apply: {e}"))?;
    let state = organization(dir.path(), &direct);
    let found = problems(&state, &spec);
    if !found.is_empty() {
        return Err(format!("after apply: {found:?}"));
    }
    if normalized(&state) != references.0 {
        return Err(format!(
            "after apply: not the clean organization: {:#?}",
            diff(&normalized(&state), &references.0)
        ));
    }

    let vended = until_done(max_runs, &|| vend(dir.path(), &through))
        .map_err(|e| format!("account create: {e}"))?;
    let spec = super::spec(dir.path());
    let state = organization(dir.path(), &direct);
    let found = problems(&state, &spec);
    if !found.is_empty() {
        return Err(format!("after account create: {found:?}"));
    }
    if normalized(&state) != references.1 {
        return Err(format!(
            "after account create: not the clean organization: {:#?}",
            diff(&normalized(&state), &references.1)
        ));
    }
    let text = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    if text.matches("account \"qa\"").count() != 1 {
        return Err("the spec does not name QA once".to_owned());
    }
    Ok(Trial {
        apply: applied,
        vend: vended,
        counts: proxy.counts(),
    })
}

/// Lines in one list and not the other.
fn diff(got: &[String], want: &[String]) -> (Vec<String>, Vec<String>) {
    (
        got.iter().filter(|l| !want.contains(l)).cloned().collect(),
        want.iter().filter(|l| !got.contains(l)).cloned().collect(),
    )
}

/// The rate the default run uses: one request in ten meets a fault, evenly throttling,
/// server errors, and connections dropped before and after the request ran.
const DEFAULT_RATE: f64 = 0.10;

#[test]
fn apply_and_vending_converge_through_faults() {
    let Some(moto) = crate::common::moto() else {
        return;
    };
    let references = references(&moto);
    let trial = trial(&moto, &references, FaultRates::even(DEFAULT_RATE), 1, 5)
        .unwrap_or_else(|e| panic!("at {DEFAULT_RATE}: {e}"));
    assert!(trial.counts.faults() > 20, "{:?}", trial.counts);
    for kind in [
        trial.counts.throttled,
        trial.counts.server_errors,
        trial.counts.dropped_before,
        trial.counts.dropped_after,
    ] {
        assert!(kind > 0, "every fault met: {:?}", trial.counts);
    }
    eprintln!("at {DEFAULT_RATE}: {trial:?}");
}

/// `total` split evenly between the named faults (`throttle`, `server_error`,
/// `drop_before`, `drop_after`).
fn rates_of(kinds: &[String], total: f64) -> FaultRates {
    #[expect(clippy::cast_precision_loss, reason = "at most four kinds")]
    let each = total / kinds.len() as f64;
    let mut rates = FaultRates::default();
    for kind in kinds {
        match kind.as_str() {
            "throttle" => rates.throttle = each,
            "server_error" => rates.server_error = each,
            "drop_before" => rates.drop_before = each,
            "drop_after" => rates.drop_after = each,
            other => panic!("no fault `{other}`"),
        }
    }
    rates
}

/// The measurements of RELIABILITY.md: for each rate and seed, how many runs apply and
/// vending took. `ORGCTL_FAULT_RATES=0.1,0.2`, `ORGCTL_FAULT_SEEDS=1,2,3` and
/// `ORGCTL_FAULT_KINDS=throttle,server_error,drop_before,drop_after` (the rate is split
/// evenly between them) choose them.
#[test]
#[ignore = "minutes: a sweep of fault rates for RELIABILITY.md"]
fn sweep_fault_rates() {
    let Some(moto) = crate::common::moto() else {
        return;
    };
    let list = |name: &str, default: &str| -> Vec<String> {
        std::env::var(name)
            .unwrap_or_else(|_| default.to_owned())
            .split(',')
            .map(str::to_owned)
            .collect()
    };
    let references = references(&moto);
    let kinds = list(
        "ORGCTL_FAULT_KINDS",
        "throttle,server_error,drop_before,drop_after",
    );
    eprintln!("faults: {}", kinds.join(", "));
    for rate in list("ORGCTL_FAULT_RATES", "0.05,0.1,0.2,0.3,0.4,0.5") {
        let rate: f64 = rate.parse().unwrap();
        for seed in list("ORGCTL_FAULT_SEEDS", "1,2,3") {
            let seed: u64 = seed.parse().unwrap();
            match trial(&moto, &references, rates_of(&kinds, rate), seed, 10) {
                Ok(t) => {
                    eprintln!(
                        "rate {rate} seed {seed}: apply {} run(s) {:.1?}, vend {} run(s) {:.1?}; {} requests, {} throttled, {} 5xx, {} dropped before, {} dropped after",
                        t.apply.runs,
                        t.apply.elapsed,
                        t.vend.runs,
                        t.vend.elapsed,
                        t.counts.requests,
                        t.counts.throttled,
                        t.counts.server_errors,
                        t.counts.dropped_before,
                        t.counts.dropped_after
                    );
                    for why in t.apply.stopped.iter().chain(&t.vend.stopped) {
                        eprintln!("    a run stopped: {why}");
                    }
                }
                Err(e) => eprintln!("rate {rate} seed {seed}: FAILED {e}"),
            }
        }
    }
}
