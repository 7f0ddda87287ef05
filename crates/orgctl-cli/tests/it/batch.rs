//! `orgctl simulate --batch`: JSON Lines in, JSON Lines out, in order.

use std::fmt::Write as _;

use crate::assert_run;
use crate::common::{docustack, orgctl, temp_dir};

const FULL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

#[test]
fn three_lines_with_a_broken_one() {
    let input = format!(
        "{}\n{}\n{}\n",
        format_args!(
            r#"{{"id":"ok","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":[{FULL}]}}"#
        ),
        r#"{"id":"broken","principal":"arn:aws:iam::111122223333:role/Dev","action":"#,
        format_args!(
            r#"{{"id":"no-scp-allow","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":[{FULL}],"scps":[[{FULL}],[]]}}"#
        ),
    );
    let dir = temp_dir(&[("requests.jsonl", &input)]);
    let out = orgctl(dir.path(), &["simulate", "--batch", "requests.jsonl"], None);
    assert_run!("batch_broken_line", out, dir.path());
}

#[test]
fn named_policies_from_a_directory() {
    let line = |id: &str, action: &str, region: &str| {
        format!(
            r#"{{"id":"{id}","principal":"arn:aws:iam::216482851263:role/Deployer","action":"{action}","context":{{"aws:RequestedRegion":"{region}"}},"identity_policies":["FullAWSAccess"],"scps":[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess","RequireS3Encryption","DenyPublicS3"],["FullAWSAccess"]]}}"#
        )
    };
    let input = [
        line("run-eu", "ec2:RunInstances", "eu-west-1"),
        line("run-us", "ec2:RunInstances", "us-east-1"),
        line("iam-eu", "iam:CreateRole", "eu-west-1"),
        line("put-unencrypted", "s3:PutObject", "us-east-1"),
        line("stop-trail", "cloudtrail:StopLogging", "us-east-1"),
        r#"{"id":"unknown","principal":"arn:aws:iam::216482851263:role/Deployer","action":"s3:GetObject","identity_policies":["AdministratorAccess"]}"#.to_owned(),
    ]
    .join("\n");
    let out = orgctl(
        &docustack(),
        &["simulate", "--batch", "-", "--policies", "policies"],
        Some(&input),
    );
    assert_run!("batch_named_policies", out);
}

#[test]
fn blank_lines_give_no_output_and_crlf_is_accepted() {
    let input = format!(
        "\n{}\r\n   \n{}\n\n",
        format_args!(
            r#"{{"id":1,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","identity_policies":[{FULL}]}}"#
        ),
        r#"{"id":2,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"}"#,
    );
    let out = orgctl(&docustack(), &["simulate", "--batch", "-"], Some(&input));
    assert_run!("batch_blank_lines", out);
}

#[test]
fn invalid_policy_in_the_directory_fails_only_the_lines_that_name_it() {
    let dir = temp_dir(&[
        ("policies/Full.json", FULL),
        (
            "policies/Broken.json",
            "{\n  \"Statement\": [\n    {\"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}\n",
        ),
        ("policies/notes.txt", "not a policy"),
    ]);
    let input = [
        r#"{"id":"full","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["Full"]}"#,
        r#"{"id":"broken","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["Full","Broken"]}"#,
    ]
    .join("\n");
    let out = orgctl(
        dir.path(),
        &["simulate", "--batch", "-", "--policies", "policies"],
        Some(&input),
    );
    assert_run!("batch_invalid_named_policy", out, dir.path());
}

#[test]
fn named_policy_without_a_directory() {
    let input = r#"{"id":7,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["Full"]}"#;
    let out = orgctl(&docustack(), &["simulate", "--batch", "-"], Some(input));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "{\"id\":7,\"error\":\"policy `Full` is given by name, but no --policies DIR was given\"}\n"
    );
}

#[test]
fn missing_input_file_exits_2() {
    let dir = temp_dir(&[]);
    let out = orgctl(dir.path(), &["simulate", "--batch", "nope.jsonl"], None);
    assert_run!("batch_missing_file", out, dir.path());
}

/// Many more lines than one block holds, on several threads: the order must hold across block
/// boundaries, and errors must stay in place.
#[test]
fn order_is_kept_across_blocks_and_threads() {
    let actions = [
        "ec2:RunInstances",
        "iam:CreateRole",
        "s3:PutObject",
        "cloudtrail:StopLogging",
    ];
    let regions = ["us-east-1", "eu-west-1"];
    let lines = 40_000;
    // The first failure is far past the first block (128 KiB, about 500 of these lines).
    let fails = |i: usize| i >= 25_000 && i % 997 == 0;
    let mut input = String::new();
    for i in 0..lines {
        if fails(i) {
            let _ = writeln!(input, r#"{{"id":{i},"principal":3}}"#);
            continue;
        }
        let action = actions[i % actions.len()];
        let region = regions[(i / 7) % regions.len()];
        let _ = writeln!(
            input,
            r#"{{"id":{i},"principal":"arn:aws:iam::216482851263:role/Dev","action":"{action}","context":{{"aws:RequestedRegion":"{region}"}},"identity_policies":["FullAWSAccess"],"scps":[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess"]]}}"#
        );
    }
    let dir = temp_dir(&[("many.jsonl", &input)]);
    let batch = dir.path().join("many.jsonl");
    let batch = batch.to_str().expect("UTF-8 temp path");
    let out = orgctl(
        &docustack(),
        &[
            "simulate",
            "--batch",
            batch,
            "--policies",
            "policies",
            "--jobs",
            "3",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let output: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(output.len(), lines);
    for (i, line) in output.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("output is JSON");
        assert_eq!(v["id"], i, "line {i}: {line}");
        if fails(i) {
            assert_eq!(v["error"], "`principal` must be a string", "line {i}");
            continue;
        }
        let expected = match (actions[i % actions.len()], regions[(i / 7) % regions.len()]) {
            ("cloudtrail:StopLogging", _) | ("ec2:RunInstances" | "s3:PutObject", "eu-west-1") => {
                "ExplicitDeny"
            }
            _ => "Allow",
        };
        assert_eq!(v["decision"], expected, "line {i}: {line}");
    }
    let failed = (0..lines).filter(|&i| fails(i)).count();
    let first = (0..lines).find(|&i| fails(i)).expect("some line fails") + 1;
    assert_eq!(
        out.stderr,
        format!(
            "error: {failed} of {lines} requests could not be read (the first at line {first}); \
             their output lines say why\n"
        )
    );
}

/// A line longer than a block is read whole, between its neighbours.
#[test]
fn a_line_longer_than_a_block() {
    let long_id = "x".repeat(5 * 1024 * 1024);
    let line = |id: &str| {
        format!(
            r#"{{"id":"{id}","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":[{FULL}]}}"#
        )
    };
    let input = format!("{}\n{}\n{}", line("a"), line(&long_id), line("c"));
    let out = orgctl(&docustack(), &["simulate", "--batch", "-"], Some(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("output is JSON");
            assert_eq!(v["decision"], "Allow");
            v["id"].as_str().expect("string id").to_owned()
        })
        .collect();
    assert_eq!(ids, ["a", long_id.as_str(), "c"]);
}

/// The DocuStack guardrail table: every row of the strategy's SCP table (and the exemptions
/// AWS documents) decided as `examples/docustack/expected.jsonl` says, by the policy it names.
#[test]
fn docustack_guardrails_decide_as_expected() {
    let dir = docustack();
    let out = orgctl(
        &dir,
        &[
            "simulate",
            "--batch",
            "requests.jsonl",
            "--policies",
            "policies",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("expected.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let decided: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(decided.len(), expected.len());
    for (got, want) in decided.iter().zip(&expected) {
        assert_eq!(got["id"], want["id"]);
        assert_eq!(got["decision"], want["decision"], "{}", want["id"]);
        if let Some(policy) = want.get("policy") {
            let decisive: Vec<&serde_json::Value> = got["decisive"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| &r["policy"])
                .collect();
            assert!(decisive.contains(&policy), "{}: {decisive:?}", want["id"]);
        }
    }
}
