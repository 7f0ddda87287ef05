//! orgctl against iam-simulate on 2,000 generated requests with a fixed seed.
//!
//! Needs the oracle (`scripts/setup-oracles`). Without it the test fails, unless
//! `ORGCTL_SKIP_ORACLES=1` is set, in which case it passes with a note.

use orgctl_difftest::oracle;
use orgctl_difftest::run::{self, Config};

const SEED: u64 = 20_261_127;
const CASES: usize = 2_000;

#[test]
fn orgctl_agrees_with_iam_simulate_up_to_known_deviations() {
    let script = oracle::default_script();
    if !oracle::installed(&script) {
        if std::env::var("ORGCTL_SKIP_ORACLES").is_ok_and(|v| v == "1") {
            eprintln!(
                "note: ORGCTL_SKIP_ORACLES=1 and the iam-simulate oracle is not installed: \
                 differential test skipped"
            );
            return;
        }
        panic!(
            "the iam-simulate oracle is not installed ({} has no node_modules): run \
             scripts/setup-oracles, or set ORGCTL_SKIP_ORACLES=1 to skip this test",
            script.display()
        );
    }
    let report = run::run(&Config {
        seed: SEED,
        cases: CASES,
        oracle: script,
        keep: None,
    })
    .unwrap_or_else(|e| panic!("running the oracle: {e}"));
    let summary = report.summary(SEED);
    eprintln!("{summary}");
    assert_eq!(report.cases, CASES);
    assert!(
        report.oracle_errors.len() < CASES / 100,
        "iam-simulate refused too many lines:\n{summary}"
    );
    assert!(
        !report.failed(),
        "unexplained disagreements (reproduce with `cargo run --release -p orgctl-difftest -- \
         --cases {CASES} --seed {SEED} --keep DIR`):\n{summary}"
    );
}
