//! Two applies of one spec at once: the second fails at once naming the first (process id,
//! host, start time), or, when the first was already done, finds nothing to do; the journal
//! stays JSON Lines, the sandbox passes `PRAGMA integrity_check`, and the organization is a
//! single clean apply's.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{
    KILL_HOOK, Run, Target, apply, check_journal, command, normalized, organization, plan, problems,
};

/// The organization one clean apply builds.
fn reference() -> Vec<String> {
    let dir = crate::common::docustack_copy();
    let out = apply(dir.path(), &Target::Sandbox, &[]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    normalized(&organization(dir.path(), &Target::Sandbox))
}

fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Waits until the lock file of `dir` names `pid`; false if `child` ended first.
fn wait_for_lock(dir: &Path, pid: u32, child: &mut std::process::Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    let needle = format!("\"pid\":{pid}");
    while Instant::now() < deadline {
        if std::fs::read_to_string(dir.join(".orgctl/apply.lock"))
            .is_ok_and(|text| text.contains(&needle))
        {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("apply {pid} never took the lock");
}

fn finish(child: std::process::Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// After both applies: consistent files and the reference organization.
fn check_after(dir: &Path, reference: &[String]) {
    check_journal(dir);
    let spec = super::spec(dir);
    let state = organization(dir, &Target::Sandbox);
    assert_eq!(problems(&state, &spec), Vec::<String>::new());
    assert_eq!(normalized(&state), reference);
    assert_eq!(plan(dir, &Target::Sandbox).code(), Some(0));
    assert!(!dir.join(".orgctl/journal.jsonl").exists());
}

#[test]
fn a_second_apply_while_one_runs_fails_naming_the_holder() {
    use rustix::process::{Pid, Signal, kill_process};
    let reference = reference();
    let dir = crate::common::docustack_copy();
    let d = dir.path().to_str().unwrap();
    // The first apply is stopped (SIGSTOP) while it holds the lock, mid-apply.
    let mut first = command(&Target::Sandbox, &["apply", d], &[])
        .spawn()
        .unwrap();
    let pid = first.id();
    assert!(
        wait_for_lock(dir.path(), pid, &mut first),
        "the first apply finished before it could be stopped"
    );
    let raw = Pid::from_raw(i32::try_from(pid).unwrap()).unwrap();
    kill_process(raw, Signal::STOP).unwrap();

    let started = Instant::now();
    let second = apply(dir.path(), &Target::Sandbox, &[]);
    let waited = started.elapsed();
    kill_process(raw, Signal::CONT).unwrap();
    assert_eq!(second.code(), Some(1), "{}", second.stderr);
    let message = second.stderr.replace('\n', " ");
    for part in [
        "another apply is running".to_owned(),
        format!("process {pid} on {}", host_name()),
        ", started 20".to_owned(),
        "apply.lock".to_owned(),
    ] {
        assert!(message.contains(&part), "{part} missing: {}", second.stderr);
    }
    assert!(
        !second.stdout.contains("Apply complete"),
        "the second apply changed nothing: {}",
        second.stdout
    );
    eprintln!("the second apply failed after {waited:.1?}");

    let first = finish(first);
    assert_eq!(first.code(), Some(0), "{}", first.stderr);
    check_after(dir.path(), &reference);
}

#[test]
fn two_applies_started_together_leave_one_organization() {
    let reference = reference();
    let mut outcomes = Vec::new();
    for round in 0..6 {
        let dir = crate::common::docustack_copy();
        let d = dir.path().to_str().unwrap();
        if round % 2 == 1 {
            // What a killed apply leaves: a journal, a lock file no one holds.
            let killed = apply(
                dir.path(),
                &Target::Sandbox,
                &[(KILL_HOOK, "20".to_owned())],
            );
            assert!(killed.killed());
            assert!(dir.path().join(".orgctl/apply.lock").exists());
        }
        let a = command(&Target::Sandbox, &["apply", d], &[])
            .spawn()
            .unwrap();
        let b = command(&Target::Sandbox, &["apply", d], &[])
            .spawn()
            .unwrap();
        let (a_pid, b_pid) = (a.id(), b.id());
        let runs = [(finish(a), b_pid), (finish(b), a_pid)];
        let mut applied = 0;
        let mut refused = 0;
        for (run, other) in &runs {
            match run.code() {
                Some(0) => applied += 1,
                Some(1) => {
                    assert!(
                        run.stderr
                            .replace('\n', " ")
                            .contains(&format!("another apply is running (process {other} on")),
                        "{}",
                        run.stderr
                    );
                    refused += 1;
                }
                _ => panic!("{:?}: {}", run.status, run.stderr),
            }
        }
        // One ran and the other was refused, or they ran one after the other (the second
        // then found nothing to do).
        assert!(applied >= 1, "round {round}");
        if applied == 2 {
            assert!(
                runs.iter()
                    .any(|(r, _)| r.stdout.starts_with("No changes.")),
                "round {round}: both applied"
            );
        }
        outcomes.push((applied, refused));
        check_after(dir.path(), &reference);
    }
    eprintln!("(applied, refused) per round: {outcomes:?}");
}
