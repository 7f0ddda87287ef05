//! Progress and notes on stderr: plain lines when stderr is not a terminal, nothing with
//! `--quiet`; results on stdout either way.

#![allow(clippy::expect_used, reason = "tests fail by panicking")]

use crate::common::{docustack_copy, orgctl};

#[test]
fn apply_prints_plain_step_lines_off_a_terminal_and_nothing_with_quiet() {
    let dir = docustack_copy();
    let out = orgctl(dir.path(), &["apply", "."], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let steps = out.stderr.lines().filter(|l| l.starts_with('[')).count();
    assert!(steps > 50, "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{1b}'),
        "no escape codes off a terminal"
    );

    let quiet = docustack_copy();
    let out = orgctl(quiet.path(), &["apply", ".", "--quiet"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let noise: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("STALE_ENCRYPTION_HEADER_CHECK"))
        .filter(|l| {
            l.starts_with('[') || l.contains("guardrail tests pass") || l.contains("API calls")
        })
        .collect();
    assert!(noise.is_empty(), "{noise:?}");
    assert!(out.stdout.contains("Apply complete"), "{}", out.stdout);
}

#[test]
fn quiet_changes_no_result() {
    let dir = docustack_copy();
    let loud = orgctl(
        dir.path(),
        &["prove", ".", "--action", "s3:PutObject"],
        None,
    );
    let quiet = orgctl(
        dir.path(),
        &["-q", "prove", ".", "--action", "s3:PutObject"],
        None,
    );
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert_eq!(loud.stdout, quiet.stdout);
}
