//! `orgctl-difftest`: compare orgctl's decisions with iam-simulate's on random requests.
//!
//! ```text
//! orgctl-difftest --cases N --seed S [--oracle PATH_TO_MJS] [--keep DIR]
//! ```
//!
//! Exits 1 when a disagreement is not explained by a known deviation (or orgctl refuses a
//! generated line), 2 on usage or setup errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use orgctl_difftest::run::{self, Config};
use orgctl_difftest::{deviations, minimize, oracle};

const USAGE: &str =
    "usage: orgctl-difftest [--cases N] [--seed S] [--oracle PATH_TO_MJS] [--keep DIR]
       orgctl-difftest --minimize FILE.jsonl [--oracle PATH_TO_MJS]
       orgctl-difftest --emit [--cases N] [--seed S]
  --cases N      number of generated requests (default 10000)
  --seed S       generator seed (default 1)
  --oracle PATH  iam-simulate oracle script (default oracles/iam-simulate-batch.mjs)
  --keep DIR     write the disagreeing lines to DIR (unclassified.jsonl, known.jsonl,
                 disagreements.jsonl)
  --emit         print the generated lines and stop (no oracle)
  --minimize F   shrink each unexplained disagreement of F (e.g. DIR/unclassified.jsonl)
                 and print the small lines with both decisions
Run scripts/setup-oracles first.";

enum Mode {
    Run,
    Emit,
    Minimize(PathBuf),
}

fn parse_args() -> Result<(Config, Mode), String> {
    let mut mode = Mode::Run;
    let mut cfg = Config {
        seed: 1,
        cases: 10_000,
        oracle: oracle::default_script(),
        keep: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--cases" => {
                cfg.cases = value()?
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("--cases: {e}"))?;
            }
            "--seed" => cfg.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--oracle" => cfg.oracle = PathBuf::from(value()?),
            "--keep" => cfg.keep = Some(PathBuf::from(value()?)),
            "--minimize" => mode = Mode::Minimize(PathBuf::from(value()?)),
            "--emit" => mode = Mode::Emit,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok((cfg, mode))
}

fn minimize_file(cfg: &Config, file: &Path, out: &mut impl Write) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .zip(0u64..)
        .map(|(l, i)| {
            let mut v: serde_json::Value =
                serde_json::from_str(l).map_err(|e| format!("{}: {e}", file.display()))?;
            if let serde_json::Value::Object(o) = &mut v {
                o.insert("id".into(), serde_json::json!(i));
            }
            Ok(v.to_string())
        })
        .collect::<Result<_, String>>()?;
    let answers = oracle::run(&cfg.oracle, &lines)?;
    let (mine, _) = run::decide_all(&lines);
    for ((line, m), a) in lines.iter().zip(&mine).zip(&answers) {
        let (run::Mine::Decision(m), oracle::Answer::Decision(a)) = (m, a) else {
            continue;
        };
        if m == a || deviations::classify(line, *a).is_some() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let small = minimize::minimize(&cfg.oracle, &v, *m, *a)?;
        let _ = writeln!(out, "# orgctl {m}, oracle {a}\n{small}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let (cfg, mode) = match parse_args() {
        Ok(parsed) => parsed,
        Err(e) if e.is_empty() => {
            let _ = writeln!(out, "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = writeln!(err, "orgctl-difftest: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Mode::Emit = mode {
        for line in orgctl_difftest::generator::cases(cfg.seed, cfg.cases) {
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        return ExitCode::SUCCESS;
    }
    if !oracle::installed(&cfg.oracle) {
        let _ = writeln!(
            err,
            "orgctl-difftest: the iam-simulate oracle is not installed next to {}; run scripts/setup-oracles",
            cfg.oracle.display()
        );
        return ExitCode::from(2);
    }
    if let Mode::Minimize(file) = mode {
        return match minimize_file(&cfg, &file, &mut out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "orgctl-difftest: {e}");
                ExitCode::from(2)
            }
        };
    }
    match run::run(&cfg) {
        Ok(report) => {
            let _ = write!(out, "{}", report.summary(cfg.seed));
            if let Some(dir) = &cfg.keep {
                let _ = writeln!(out, "disagreeing lines written to {}", dir.display());
            }
            if report.failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            let _ = writeln!(err, "orgctl-difftest: {e}");
            ExitCode::from(2)
        }
    }
}
