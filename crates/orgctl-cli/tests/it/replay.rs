//! `orgctl replay`: the real CloudTrail sample against DocuStack, human output snapshot, the
//! JSON report's shape, exit codes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test code fails the test by panicking"
)]

use std::path::PathBuf;

use serde_json::Value;

use crate::assert_run;
use crate::common::{orgctl, temp_dir};

/// The workspace root: the tests run there, so paths in the output are relative.
fn root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

const SAMPLE: &str = "tests/fixtures/cloudtrail";

fn deny(sid: &str, action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{sid}","Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#
    )
}

#[test]
fn replay_human_with_a_proposed_scp() {
    let dir = temp_dir(&[("DenyLambda.json", &deny("NoLambda", "lambda:*"))]);
    let proposed = dir.path().join("DenyLambda.json");
    let out = orgctl(
        &root(),
        &[
            "replay",
            "examples/docustack",
            "--logs",
            SAMPLE,
            "--account",
            "dev",
            "--proposed",
            proposed.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_run!("replay_human_proposed", out, dir.path());
}

#[test]
fn replay_json_report_shape() {
    let out = orgctl(
        &root(),
        &[
            "replay",
            "examples/docustack",
            "--logs",
            SAMPLE,
            "--account",
            "dev",
            "--format",
            "json",
            "--threads",
            "2",
        ],
        None,
    );
    // Without --proposed: what the current policies deny (ProtectCloudTrail), exit 3.
    assert_eq!(out.code, 3, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["mode"], "current");
    assert_eq!(doc["account"]["key"], "dev");
    assert_eq!(doc["account"]["id"], "216482851263");
    assert!(doc["proposed"].is_null());
    let t = &doc["totals"];
    for key in [
        "files",
        "bytes",
        "events",
        "evaluated",
        "denied",
        "already_denied",
        "unmapped",
        "skipped",
        "malformed",
        "unreadable_files",
    ] {
        assert!(t[key].is_u64(), "totals.{key}");
    }
    assert!(t["newly_allowed"].is_null());
    assert_eq!(t["files"], 55);
    assert_eq!(t["events"], 2900);
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(
        n("events"),
        n("evaluated") + n("unmapped") + n("skipped") + n("malformed")
    );
    let groups = doc["denied"].as_array().unwrap();
    assert!(!groups.is_empty());
    let mut sum = 0;
    for g in groups {
        assert!(g["account"]["name"].is_string());
        assert!(g["action"].as_str().unwrap().starts_with("cloudtrail:"));
        assert_eq!(g["decision"], "ExplicitDeny");
        assert!(
            g["policies"][0]
                .as_str()
                .unwrap()
                .starts_with("ProtectCloudTrail")
        );
        let e = &g["example"];
        assert!(e["event_time"].as_str().unwrap().starts_with("2023-07-10T"));
        assert!(e["event_id"].is_string());
        assert!(e["file"].as_str().unwrap().starts_with(SAMPLE));
        assert!(e["record"].is_u64());
        sum += g["count"].as_u64().unwrap();
    }
    assert_eq!(sum, n("denied"));
    assert!(doc["already_denied"]["events"].is_u64());
    assert!(doc["already_denied"]["proposed_denies"].is_null());
    for u in doc["unmapped"].as_array().unwrap() {
        assert!(u["event_source"].is_string() && u["event_name"].is_string());
        assert!(u["reason"].is_string() && u["count"].is_u64());
    }
    for s in doc["skipped"].as_array().unwrap() {
        assert!(s["reason"].is_string() && s["description"].is_string());
    }
    assert_eq!(doc["malformed"], Value::Array(Vec::new()));
    assert_eq!(doc["unreadable"], Value::Array(Vec::new()));
}

#[test]
fn replay_exit_codes() {
    let dir = temp_dir(&[
        ("policies/DenyGameLift.json", &deny("NoGames", "gamelift:*")),
        (
            "logs/bad.jsonl",
            "{\"eventSource\":\"iam.amazonaws.com\"\nnot json\n",
        ),
    ]);
    let docustack = root().join("examples/docustack");
    let docustack = docustack.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["replay", docustack];
        all.extend_from_slice(args);
        orgctl(dir.path(), &all, None)
    };
    let sample = root().join(SAMPLE);
    let sample = sample.to_str().unwrap();
    // A proposed policy the sample never meets: nothing newly denied.
    let out = run(&[
        "--logs",
        sample,
        "--account",
        "dev",
        "--proposed",
        "policies",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["mode"], "proposed");
    assert_eq!(doc["proposed"]["kind"], "policies");
    assert_eq!(doc["proposed"]["changes"][0]["change"], "added");
    assert_eq!(doc["totals"]["denied"], 0);
    // Malformed lines are counted and do not stop the run.
    let out = run(&["--logs", "logs", "--account", "dev", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["malformed"], 2);
    assert_eq!(doc["malformed"][0]["record"], 0);
    // Errors: an unknown account, missing logs, an invalid proposed policy.
    let out = run(&["--logs", sample, "--account", "nope"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no account `nope` in the spec"),
        "{}",
        out.stderr
    );
    let out = run(&["--logs", "missing"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("missing"), "{}", out.stderr);
    std::fs::write(dir.path().join("bad.json"), "{\"Statement\": 3}").unwrap();
    let out = run(&["--logs", sample, "--proposed", "bad.json"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not a valid policy"), "{}", out.stderr);
}
