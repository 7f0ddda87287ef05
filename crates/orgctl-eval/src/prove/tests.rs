#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use orgctl_policy::Policy;

use super::*;
use crate::CompiledPolicy;

fn compiled(name: &str, json: &str) -> CompiledPolicy {
    CompiledPolicy::new(name, &Policy::parse(json).unwrap())
}

const FULL: &str = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

fn set(levels: Vec<Vec<CompiledPolicy>>) -> PolicySet {
    PolicySet {
        identity: vec![compiled("Admin", FULL)],
        scps: Some(levels),
        ..PolicySet::default()
    }
}

fn region_lock() -> CompiledPolicy {
    compiled(
        "RegionLock",
        r#"{"Version":"2012-10-17","Statement":{"Sid":"OnlyUsEast1","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*",
            "Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}}"#,
    )
}

fn prove(
    set: &PolicySet,
    scope: &Scope,
    action: &str,
    resources: &[String],
    keys: &[&str],
) -> Verdict {
    let prover = Prover::new(set);
    let carries = |k: &str| k.starts_with("aws:") || keys.contains(&k);
    let facts = ActionFacts {
        action,
        resources,
        formats: &[],
        carries: &carries,
    };
    let probe = Request::new(
        "arn:aws:iam::111122223333:root",
        action,
        "*",
        None,
        Context::new(),
    );
    let sig = prover.signature(&probe);
    prover.prove(scope, &facts, &sig)
}

#[test]
fn region_lock_is_proven_outside_and_witnessed_inside() {
    let set = set(vec![vec![compiled("Full", FULL), region_lock()]]);
    let out = Scope::new("111122223333", "eu-west-1");
    match prove(&set, &out, "ec2:RunInstances", &[], &[]) {
        Verdict::Denied(Proof {
            kind:
                ProofKind::Deny {
                    policy,
                    sid,
                    conditions,
                    ..
                },
            ..
        }) => {
            assert_eq!(policy, "RegionLock");
            assert_eq!(sid.as_deref(), Some("OnlyUsEast1"));
            assert_eq!(
                conditions,
                vec![(
                    "aws:requestedregion".to_owned(),
                    Some("eu-west-1".to_owned())
                )]
            );
        }
        other => panic!("expected a proof, got {other:?}"),
    }
    // Global services stay allowed outside the region; the witness is a real allow.
    let Verdict::Allowed(w) = prove(&set, &out, "iam:CreateRole", &[], &[]) else {
        panic!("expected a witness");
    };
    assert_eq!(set.decide(&w.request).outcome, Outcome::Allow);
    let inside = Scope::new("111122223333", "us-east-1");
    assert!(matches!(
        prove(&set, &inside, "ec2:RunInstances", &[], &[]),
        Verdict::Allowed(_)
    ));
}

#[test]
fn a_level_without_an_allow_is_a_proof() {
    let only_s3 = compiled(
        "OnlyS3",
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    );
    let set = set(vec![vec![compiled("Full", FULL)], vec![only_s3]]);
    let scope = Scope::new("111122223333", "us-east-1");
    match prove(&set, &scope, "ec2:RunInstances", &[], &[]) {
        Verdict::Denied(Proof {
            level: 1,
            kind: ProofKind::NoAllow { policies },
            ..
        }) => assert_eq!(policies, vec!["OnlyS3".to_owned()]),
        other => panic!("expected a level proof, got {other:?}"),
    }
    assert!(matches!(
        prove(
            &set,
            &scope,
            "s3:GetObject",
            &["arn:aws:s3:::b/k".to_owned()],
            &[]
        ),
        Verdict::Allowed(_)
    ));
}

#[test]
fn a_key_the_action_cannot_carry_decides_its_condition() {
    let require = compiled(
        "RequireEncryption",
        r#"{"Statement":{"Effect":"Deny","Action":"s3:PutObject","Resource":"*",
            "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}}"#,
    );
    let set = set(vec![vec![compiled("Full", FULL), require]]);
    let scope = Scope::new("111122223333", "us-east-1");
    // The action carries the header: setting it is the witness.
    let Verdict::Allowed(w) = prove(
        &set,
        &scope,
        "s3:PutObject",
        &["arn:aws:s3:::b/k".to_owned()],
        &["s3:x-amz-server-side-encryption"],
    ) else {
        panic!("expected a witness");
    };
    assert!(w.request.value("s3:x-amz-server-side-encryption").is_some());
    // Without the header every upload is denied, and the proof says the key is absent.
    let mut no_header = scope.clone();
    no_header
        .absent
        .push("s3:x-amz-server-side-encryption".to_owned());
    match prove(
        &set,
        &no_header,
        "s3:PutObject",
        &[],
        &["s3:x-amz-server-side-encryption"],
    ) {
        Verdict::Denied(Proof {
            kind: ProofKind::Deny { conditions, .. },
            ..
        }) => assert_eq!(conditions[0].1, None),
        other => panic!("expected a proof, got {other:?}"),
    }
    // An action that cannot carry the header at all is denied too.
    assert!(matches!(
        prove(&set, &scope, "s3:PutObject", &[], &[]),
        Verdict::Denied(_)
    ));
}

#[test]
fn an_exempt_principal_is_the_witness() {
    let deny = compiled(
        "DenyPab",
        r#"{"Statement":{"Effect":"Deny","Action":"s3:PutBucketPublicAccessBlock","Resource":"*",
            "Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}}"#,
    );
    let set = set(vec![vec![compiled("Full", FULL), deny]]);
    let scope = Scope::new("111122223333", "us-east-1");
    let Verdict::Allowed(w) = prove(&set, &scope, "s3:PutBucketPublicAccessBlock", &[], &[]) else {
        panic!("expected a witness");
    };
    assert_eq!(
        w.request.principal.principal_arn(),
        "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
    );
}

#[test]
fn numeric_and_date_bounds_are_searched() {
    let deny = compiled(
        "Window",
        r#"{"Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*",
            "Condition":{"NumericGreaterThan":{"ec2:VolumeSize":"100"}}},
            {"Effect":"Deny","Action":"ec2:*","Resource":"*",
            "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#,
    );
    let set = set(vec![vec![compiled("Full", FULL), deny]]);
    let scope = Scope::new("111122223333", "us-east-1");
    let Verdict::Allowed(w) = prove(&set, &scope, "ec2:CreateVolume", &[], &["ec2:volumesize"])
    else {
        panic!("expected a witness");
    };
    assert_eq!(set.decide(&w.request).outcome, Outcome::Allow);
    assert!(w.request.value("aws:CurrentTime").is_some());
}

#[test]
fn an_exhausted_budget_is_unknown_not_a_guess() {
    let deny = compiled(
        "Tagged",
        r#"{"Statement":{"Effect":"Deny","Action":"ec2:*","Resource":"*",
            "Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"${aws:ResourceTag/team}"}}}}"#,
    );
    let set = set(vec![vec![compiled("Full", FULL), deny]]);
    let mut scope = Scope::new("111122223333", "us-east-1");
    scope.budget = 1;
    assert!(matches!(
        prove(
            &set,
            &scope,
            "ec2:RunInstances",
            &[],
            &["aws:principaltag/team"]
        ),
        Verdict::Unknown { tried: 1 }
    ));
}

#[test]
fn formats_filter_policy_resources() {
    assert!(candidates::fits_format(
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
        "arn:aws:s3:::logs/a:b"
    ));
    assert!(!candidates::fits_format(
        "arn:${Partition}:s3:::${BucketName}",
        "arn:aws:ec2:us-east-1:1:instance/i"
    ));
}
