//! `orgctl init`, `completions`, `man`, and the examples of every command's `--help`.

#![allow(clippy::expect_used, reason = "tests fail by panicking")]

use crate::common::orgctl;

#[test]
fn init_writes_a_spec_that_validates_tests_proves_and_applies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = orgctl(
        dir.path(),
        &[
            "init",
            "acme",
            "--management-account-id",
            "111122223333",
            "--email-domain",
            "acme.example",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let spec = dir.path().join("acme");
    for path in [
        "org.hcl",
        "properties.hcl",
        "tests/guardrails.hcl",
        "policies/RegionLock.json",
        ".gitignore",
    ] {
        assert!(spec.join(path).is_file(), "{path}");
    }
    let run = |args: &[&str]| orgctl(&spec, args, None);
    let out = run(&["validate", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("valid (3 OUs, 6 accounts, 4 policies)"),
        "{}",
        out.stdout
    );
    let out = run(&["test", "."]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("6 passed, 0 failed"), "{}", out.stdout);
    let out = run(&[
        "prove",
        ".",
        "--action",
        "ec2:RunInstances",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let props = doc["properties"].as_array().expect("properties");
    assert_eq!(props.len(), 3);
    assert!(props.iter().all(|p| p["status"] == "holds"), "{props:?}");
    let out = run(&["apply", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(&["plan", "."]);
    assert_eq!(out.code, 0, "{}", out.stdout);

    // A second init into the same directory writes nothing.
    let out = orgctl(dir.path(), &["init", "acme"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("holds a spec already"),
        "{}",
        out.stderr
    );
}

#[test]
fn init_refuses_options_that_cannot_make_a_spec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = orgctl(dir.path(), &["init", "acme", "--name", "Acme Corp"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("cannot name the organization"),
        "{}",
        out.stderr
    );
    let out = orgctl(
        dir.path(),
        &["init", "acme", "--management-account-id", "12"],
        None,
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("is not an AWS account id"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("acme").exists());
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    let dir = tempfile::tempdir().expect("temp dir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = orgctl(dir.path(), &["completions", shell], None);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in ["prove", "apply", "force-lockout"] {
            assert!(out.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let out = orgctl(dir.path(), &["man"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH orgctl"),
        "{}",
        &out.stdout[..200.min(out.stdout.len())]
    );
    let pages = dir.path().join("man1");
    let out = orgctl(
        dir.path(),
        &["man", "--out", pages.to_str().expect("utf-8")],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "orgctl.1",
        "orgctl-plan.1",
        "orgctl-prove.1",
        "orgctl-account-create.1",
    ] {
        let text = std::fs::read_to_string(pages.join(page)).expect(page);
        assert!(text.contains(".TH"), "{page}");
    }
    let plan = std::fs::read_to_string(pages.join("orgctl-plan.1")).expect("plan page");
    assert!(
        plan.contains("force\\-lockout"),
        "the plan page documents its options"
    );
}

#[test]
fn every_command_shows_examples_in_its_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    let commands: &[&[&str]] = &[
        &["simulate"],
        &["replay"],
        &["lint"],
        &["expand"],
        &["validate"],
        &["show"],
        &["plan"],
        &["audit"],
        &["apply"],
        &["bootstrap"],
        &["account", "create"],
        &["import"],
        &["test"],
        &["prove"],
        &["init"],
        &["completions"],
        &["man"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = orgctl(dir.path(), &args, None);
        assert_eq!(out.code, 0, "{command:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("Examples:"),
            "`orgctl {} --help` has no examples",
            command.join(" ")
        );
    }
}
