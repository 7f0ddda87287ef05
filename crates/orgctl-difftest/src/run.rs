//! One differential run: generate, decide with orgctl in-process, ask the oracle once,
//! compare, classify, report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use orgctl_eval::Outcome;
use serde_json::json;

use crate::deviations;
use crate::generator;
use crate::model::{self, Quirks};
use crate::oracle::{self, Answer};

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of the generator.
    pub seed: u64,
    /// Number of cases.
    pub cases: usize,
    /// The oracle script.
    pub oracle: PathBuf,
    /// Where to write disagreeing lines, if anywhere.
    pub keep: Option<PathBuf>,
}

/// orgctl's side of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mine {
    /// orgctl decided.
    Decision(Outcome),
    /// orgctl refused the line.
    Error(String),
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// Line index (= `id`).
    pub id: u64,
    /// orgctl's outcome.
    pub orgctl: Outcome,
    /// The oracle's outcome.
    pub oracle: Outcome,
    /// The known deviations that explain it; empty when unclassified.
    pub deviations: Vec<&'static str>,
    /// For an unclassified one, a suspected orgctl issue that would explain it.
    pub hint: Option<&'static str>,
}

/// The results of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Number of cases.
    pub cases: usize,
    /// Lines where both decided the same.
    pub agreements: usize,
    /// Lines orgctl refused, with its message.
    pub orgctl_errors: Vec<(u64, String)>,
    /// Lines the oracle refused, with its message.
    pub oracle_errors: Vec<(u64, String)>,
    /// Lines where the decision model (all switches off) differs from orgctl's decide.
    pub model_mismatches: Vec<u64>,
    /// Every disagreement, classified or not.
    pub disagreements: Vec<Disagreement>,
    /// orgctl's outcomes over the lines it decided: Allow, ExplicitDeny, ImplicitDeny.
    pub orgctl_outcomes: [usize; 3],
    /// The oracle's outcomes over the lines it decided.
    pub oracle_outcomes: [usize; 3],
    /// Time spent generating, deciding in orgctl, and waiting for the oracle.
    pub timings: Timings,
}

/// Wall-clock times of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Generating the lines.
    pub generate: Duration,
    /// orgctl parsing and deciding every line.
    pub orgctl: Duration,
    /// The oracle subprocess, start to exit (overlaps orgctl's time).
    pub oracle: Duration,
    /// Classifying the disagreements.
    pub classify: Duration,
    /// The whole run.
    pub total: Duration,
}

const fn slot(o: Outcome) -> usize {
    match o {
        Outcome::Allow => 0,
        Outcome::ExplicitDeny => 1,
        Outcome::ImplicitDeny => 2,
    }
}

impl Report {
    /// Disagreements that no known deviation explains.
    pub fn unclassified(&self) -> impl Iterator<Item = &Disagreement> {
        self.disagreements
            .iter()
            .filter(|d| d.deviations.is_empty())
    }

    /// Whether the run should fail: an unexplained disagreement, a line orgctl refused, or a
    /// decision model that drifted from orgctl.
    pub fn failed(&self) -> bool {
        self.unclassified().next().is_some()
            || !self.orgctl_errors.is_empty()
            || !self.model_mismatches.is_empty()
    }

    /// The summary as text.
    pub fn summary(&self, seed: u64) -> String {
        let mut s = String::new();
        let compared = self.cases - self.orgctl_errors.len() - self.oracle_errors.len();
        let pct = |n: usize, of: usize| {
            if of == 0 {
                0.0
            } else {
                #[expect(clippy::cast_precision_loss, reason = "percentages for display")]
                let p = 100.0 * n as f64 / of as f64;
                p
            }
        };
        let _ = writeln!(s, "orgctl-difftest: {} cases, seed {seed}", self.cases);
        let _ = writeln!(
            s,
            "time: {:.1}s total (generate {:.1}s, orgctl {:.1}s, oracle {:.1}s, classify {:.1}s)",
            self.timings.total.as_secs_f64(),
            self.timings.generate.as_secs_f64(),
            self.timings.orgctl.as_secs_f64(),
            self.timings.oracle.as_secs_f64(),
            self.timings.classify.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "compared: {compared}   agreements: {} ({:.3}%)   disagreements: {} (known {}, unclassified {})",
            self.agreements,
            pct(self.agreements, compared),
            self.disagreements.len(),
            self.disagreements.len() - self.unclassified().count(),
            self.unclassified().count()
        );
        let names = ["Allow", "ExplicitDeny", "ImplicitDeny"];
        let decided: usize = self.orgctl_outcomes.iter().sum();
        let dist = |counts: &[usize; 3], total: usize| {
            names
                .iter()
                .zip(counts)
                .map(|(n, c)| format!("{n} {c} ({:.1}%)", pct(*c, total)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "orgctl outcomes: {}",
            dist(&self.orgctl_outcomes, decided)
        );
        let _ = writeln!(
            s,
            "oracle outcomes: {}",
            dist(&self.oracle_outcomes, self.oracle_outcomes.iter().sum())
        );
        let mut known: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut open: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for d in &self.disagreements {
            let mut pair = format!("orgctl {} vs oracle {}", d.orgctl, d.oracle);
            if let Some(h) = d.hint {
                pair = format!("{pair}  <{h}>");
            }
            if d.deviations.is_empty() {
                open.entry(pair).or_default().push(d.id);
            } else {
                *known.entry((d.deviations.join(" + "), pair)).or_default() += 1;
            }
        }
        let _ = writeln!(s, "known deviations:");
        if known.is_empty() {
            let _ = writeln!(s, "  none");
        }
        for ((dev, pair), n) in &known {
            let _ = writeln!(s, "  {n:>7}  {pair}  [{dev}]");
        }
        let _ = writeln!(s, "unclassified disagreements:");
        if open.is_empty() {
            let _ = writeln!(s, "  none");
        }
        for (pair, ids) in &open {
            let shown: Vec<String> = ids.iter().take(10).map(u64::to_string).collect();
            let more = if ids.len() > 10 { ", ..." } else { "" };
            let _ = writeln!(
                s,
                "  {:>7}  {pair}  (ids {}{more})",
                ids.len(),
                shown.join(", ")
            );
        }
        let mut errs: BTreeMap<String, usize> = BTreeMap::new();
        for (_, e) in &self.oracle_errors {
            let head: String = e.chars().take(110).collect();
            *errs.entry(head).or_default() += 1;
        }
        let _ = writeln!(
            s,
            "oracle errors (lines iam-simulate refused): {}",
            self.oracle_errors.len()
        );
        for (e, n) in errs.iter().take(12) {
            let _ = writeln!(s, "  {n:>7}  {e}");
        }
        if !self.orgctl_errors.is_empty() {
            let _ = writeln!(s, "orgctl errors: {}", self.orgctl_errors.len());
            for (id, e) in self.orgctl_errors.iter().take(5) {
                let _ = writeln!(s, "  id {id}: {e}");
            }
        }
        if !self.model_mismatches.is_empty() {
            let _ = writeln!(
                s,
                "decision model differs from PolicySet::decide on {} lines (ids {:?})",
                self.model_mismatches.len(),
                self.model_mismatches.iter().take(10).collect::<Vec<_>>()
            );
        }
        let _ = writeln!(s, "result: {}", if self.failed() { "FAIL" } else { "ok" });
        s
    }
}

/// Decides every line with orgctl, in-process, and checks the decision model against it.
pub fn decide_all(lines: &[String]) -> (Vec<Mine>, Vec<u64>) {
    let mut mismatches = Vec::new();
    let mine = lines
        .iter()
        .zip(0u64..)
        .map(|(line, id)| match deviations::parse_line(line) {
            Ok(b) => {
                let d = b.policies.decide(&b.request);
                if model::decide(&b.policies, &b.request, Quirks::default()) != d.outcome {
                    mismatches.push(id);
                }
                Mine::Decision(d.outcome)
            }
            Err(e) => Mine::Error(e),
        })
        .collect();
    (mine, mismatches)
}

/// Compares orgctl's answers with the oracle's and classifies the disagreements.
pub fn compare(lines: &[String], mine: &[Mine], theirs: &[Answer]) -> Report {
    let mut r = Report {
        cases: lines.len(),
        ..Report::default()
    };
    for ((line, (m, t)), id) in lines.iter().zip(mine.iter().zip(theirs)).zip(0u64..) {
        if let Mine::Decision(o) = m {
            r.orgctl_outcomes[slot(*o)] += 1;
        }
        if let Answer::Decision(o) = t {
            r.oracle_outcomes[slot(*o)] += 1;
        }
        match (m, t) {
            (Mine::Error(e), _) => r.orgctl_errors.push((id, e.clone())),
            (_, Answer::Error(e)) => r.oracle_errors.push((id, e.clone())),
            (Mine::Decision(a), Answer::Decision(b)) if a == b => r.agreements += 1,
            (Mine::Decision(a), Answer::Decision(b)) => {
                let deviations = deviations::classify(line, *b)
                    .map(|e| e.deviations)
                    .unwrap_or_default();
                let hint = if deviations.is_empty() {
                    deviations::hint(line, *b)
                } else {
                    None
                };
                r.disagreements.push(Disagreement {
                    id,
                    orgctl: *a,
                    oracle: *b,
                    deviations,
                    hint,
                });
            }
        }
    }
    r
}

/// Runs the whole comparison.
///
/// # Errors
/// When the oracle cannot be run or the keep directory cannot be written.
pub fn run(cfg: &Config) -> Result<Report, String> {
    let start = Instant::now();
    let lines = generator::cases(cfg.seed, cfg.cases);
    let generated = start.elapsed();

    let oracle_lines = lines.clone();
    let script = cfg.oracle.clone();
    let oracle = thread::spawn(move || {
        let t = Instant::now();
        let answers = oracle::run(&script, &oracle_lines);
        (answers, t.elapsed())
    });
    let t = Instant::now();
    let (mine, mismatches) = decide_all(&lines);
    let orgctl_time = t.elapsed();
    let (answers, oracle_time) = oracle
        .join()
        .map_err(|_| "the oracle thread failed".to_owned())?;
    let answers = answers?;

    let t = Instant::now();
    let mut report = compare(&lines, &mine, &answers);
    report.model_mismatches = mismatches;
    report.timings = Timings {
        generate: generated,
        orgctl: orgctl_time,
        oracle: oracle_time,
        classify: t.elapsed(),
        total: Duration::ZERO,
    };
    if let Some(dir) = &cfg.keep {
        keep(dir, &lines, &report)?;
    }
    report.timings.total = start.elapsed();
    Ok(report)
}

/// Writes the disagreeing lines (as valid batch lines) and what each side said.
fn keep(dir: &Path, lines: &[String], report: &Report) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut unclassified = String::new();
    let mut known = String::new();
    let mut answers = String::new();
    for d in &report.disagreements {
        let Some(line) = usize::try_from(d.id).ok().and_then(|i| lines.get(i)) else {
            continue;
        };
        let target = if d.deviations.is_empty() {
            &mut unclassified
        } else {
            &mut known
        };
        target.push_str(line);
        target.push('\n');
        answers.push_str(
            &json!({"id": d.id, "orgctl": d.orgctl.as_str(), "oracle": d.oracle.as_str(),
                "deviations": d.deviations, "hint": d.hint})
            .to_string(),
        );
        answers.push('\n');
    }
    for (name, text) in [
        ("unclassified.jsonl", unclassified),
        ("known.jsonl", known),
        ("disagreements.jsonl", answers),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_outcomes_are_well_represented() {
        let lines = generator::cases(20_261_127, 2_000);
        let (mine, mismatches) = decide_all(&lines);
        assert!(mismatches.is_empty(), "model differs on {mismatches:?}");
        let mut counts = [0usize; 3];
        for m in &mine {
            match m {
                Mine::Decision(o) => counts[slot(*o)] += 1,
                Mine::Error(e) => panic!("orgctl refused a generated line: {e}"),
            }
        }
        for (name, n) in ["Allow", "ExplicitDeny", "ImplicitDeny"].iter().zip(counts) {
            assert!(n >= 300, "{name}: {n} of 2000 ({counts:?})");
        }
    }
}
