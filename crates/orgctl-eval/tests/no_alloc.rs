//! Deciding a request allocates nothing: counted with a global allocator over the DocuStack
//! SCP chain and a spread of requests and condition operators.

#![allow(clippy::unwrap_used, reason = "test setup")]
#![allow(
    unsafe_code,
    reason = "a counting global allocator is the one way to observe allocations"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use orgctl_eval::{CompiledPolicy, Context, ContextValue, Outcome, PolicySet, Request};
use orgctl_policy::Policy;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn load(name: &str) -> CompiledPolicy {
    let path = format!(
        "{}/../../examples/docustack/policies/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    CompiledPolicy::new(
        name,
        &Policy::parse(&std::fs::read_to_string(path).unwrap()).unwrap(),
    )
}

fn inline(name: &str, text: &str) -> CompiledPolicy {
    CompiledPolicy::new(name, &Policy::parse(text).unwrap())
}

#[test]
fn deciding_allocates_nothing() {
    let identity = inline(
        "conditions",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "iam:*", "kms:*"],
           "Resource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:ec2:us-*-1:*:instance/*", "*"],
           "Condition": {
             "StringLikeIfExists": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team, 'platform'}*"},
             "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:*"},
             "NumericLessThanIfExists": {"s3:max-keys": "100"},
             "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00.250Z"},
             "IpAddressIfExists": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
             "BoolIfExists": {"aws:MultiFactorAuthPresent": "true"},
             "ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": ["Team", "Env"]},
             "StringNotEqualsIgnoreCase": {"aws:PrincipalAccount": "999999999999"}
           }}
        ]}"#,
    );
    let set = PolicySet {
        identity: vec![identity],
        scps: Some(vec![
            vec![
                load("FullAWSAccess"),
                load("RegionDeny"),
                load("ProtectCloudTrail"),
            ],
            vec![
                load("FullAWSAccess"),
                load("RequireS3Encryption"),
                load("DenyPublicS3"),
            ],
            vec![load("FullAWSAccess")],
        ]),
        ..PolicySet::default()
    };
    let mut requests = Vec::new();
    for action in [
        "s3:PutObject",
        "ec2:RunInstances",
        "iam:CreateRole",
        "cloudtrail:StopLogging",
        "kms:Decrypt",
    ] {
        for region in ["us-east-1", "eu-west-1"] {
            let mut ctx = Context::new();
            ctx.insert("aws:RequestedRegion", ContextValue::Single(region.into()));
            ctx.insert(
                "aws:CurrentTime",
                ContextValue::Single("2026-11-27T12:00:00.123456Z".into()),
            );
            ctx.insert("aws:SourceIp", ContextValue::Single("10.1.2.3".into()));
            ctx.insert(
                "aws:TagKeys",
                ContextValue::Multi(vec!["team".into(), "ENV".into()]),
            );
            ctx.insert(
                "aws:PrincipalTag/team",
                ContextValue::Single("platform-core".into()),
            );
            ctx.insert(
                "s3:x-amz-server-side-encryption",
                ContextValue::Single("AES256".into()),
            );
            requests.push(Request::new(
                "arn:aws:iam::216482851263:user/alice",
                action,
                "arn:aws:s3:::home/alice/notes.txt",
                None,
                ctx,
            ));
        }
    }
    // Warm up (lazy statics, thread-locals), then count.
    let expected: Vec<Outcome> = requests.iter().map(|r| set.decide(r).outcome).collect();
    assert!(expected.contains(&Outcome::Allow) && expected.contains(&Outcome::ExplicitDeny));
    COUNTING.store(true, Ordering::SeqCst);
    let mut outcomes = [Outcome::ImplicitDeny; 10];
    for (slot, r) in outcomes.iter_mut().zip(&requests) {
        *slot = set.decide(r).outcome;
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert_eq!(outcomes.to_vec(), expected);
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 0, "decide allocated");
}
