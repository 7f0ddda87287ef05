//! Laws every decision obeys, checked over random policies, hierarchies and requests.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure should stop the test"
)]

use orgctl_eval::{CompiledPolicy, Context, ContextValue, Layer, Outcome, PolicySet, Request};
use orgctl_policy::{Effect, Policy};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "ec2:RunInstances",
    "iam:CreateRole",
    "kms:Decrypt",
];
const PATTERNS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "ec2:RunInstances",
    "iam:*",
    "kms:Decrypt",
    "*:Create*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:iam::*:role/*",
];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1"];

fn statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(PATTERNS, 1..3),
        prop::sample::select(RESOURCES),
        proptest::option::of((any::<bool>(), prop::sample::select(REGIONS))),
    )
        .prop_map(|(allow, not_action, actions, resource, cond)| {
            let mut st = json!({
                "Effect": if allow { "Allow" } else { "Deny" },
                "Resource": resource,
            });
            st[if not_action { "NotAction" } else { "Action" }] = json!(actions);
            if let Some((negated, region)) = cond {
                let op = if negated {
                    "StringNotEquals"
                } else {
                    "StringEquals"
                };
                st["Condition"] = json!({op: {"aws:RequestedRegion": region}});
            }
            st
        })
}

fn policy() -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(), 1..3)
        .prop_map(|s| json!({"Version": "2012-10-17", "Statement": s}))
}

fn compile(name: &str, doc: &Value) -> CompiledPolicy {
    CompiledPolicy::new(name, &Policy::parse(&doc.to_string()).unwrap())
}

#[derive(Debug, Clone)]
struct Case {
    identity: Vec<Value>,
    scps: Option<Vec<Vec<Value>>>,
    boundary: Option<Value>,
    action: &'static str,
    region: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(policy(), 0..3),
        proptest::option::of(prop::collection::vec(
            prop::collection::vec(policy(), 1..3),
            1..4,
        )),
        proptest::option::of(policy()),
        prop::sample::select(ACTIONS),
        prop::sample::select(REGIONS),
    )
        .prop_map(|(identity, scps, boundary, action, region)| Case {
            identity,
            scps,
            boundary,
            action,
            region,
        })
}

fn set(c: &Case) -> PolicySet {
    PolicySet {
        identity: c.identity.iter().map(|p| compile("identity", p)).collect(),
        scps: c.scps.as_ref().map(|levels| {
            levels
                .iter()
                .map(|l| l.iter().map(|p| compile("scp", p)).collect())
                .collect()
        }),
        boundary: c.boundary.as_ref().map(|p| compile("boundary", p)),
        ..PolicySet::default()
    }
}

fn request(c: &Case) -> Request {
    let mut ctx = Context::new();
    ctx.insert(
        "aws:RequestedRegion",
        ContextValue::Single(c.region.to_owned()),
    );
    let resource = match c.action.split(':').next() {
        Some("s3") => "arn:aws:s3:::bucket/key",
        Some("ec2") => "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        Some("iam") => "arn:aws:iam::111122223333:role/app",
        _ => "arn:aws:kms:us-east-1:111122223333:key/k",
    };
    Request::new(
        "arn:aws:iam::111122223333:user/alice",
        c.action,
        resource,
        None,
        ctx,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Adding a Deny statement anywhere never turns a deny into an allow.
    #[test]
    fn adding_a_deny_never_allows(c in case(), extra in statement(), target in 0usize..3) {
        let before = set(&c).decide(&request(&c)).outcome;
        let mut extra = extra;
        extra["Effect"] = json!("Deny");
        let mut c2 = c.clone();
        let deny = json!({"Version": "2012-10-17", "Statement": [extra.clone()]});
        match (target, &mut c2.scps, &mut c2.boundary) {
            (1, Some(levels), _) => levels.last_mut().unwrap().push(deny),
            // A boundary is one policy: the statement joins it.
            (2, _, Some(boundary)) => boundary["Statement"].as_array_mut().unwrap().push(extra),
            _ => c2.identity.push(deny),
        }
        let after = set(&c2).decide(&request(&c2)).outcome;
        if before != Outcome::Allow {
            prop_assert_ne!(after, Outcome::Allow);
        }
        if before == Outcome::ExplicitDeny {
            prop_assert_eq!(after, Outcome::ExplicitDeny);
        }
    }

    /// Adding an SCP level (or an SCP to a level) can only remove permissions: SCPs filter, they
    /// never grant.
    #[test]
    fn scps_never_grant(c in case(), extra in policy()) {
        let before = set(&c).decide(&request(&c)).outcome;
        let mut c2 = c.clone();
        c2.scps.get_or_insert_with(Vec::new).push(vec![extra]);
        let after = set(&c2).decide(&request(&c2)).outcome;
        if before != Outcome::Allow {
            prop_assert_ne!(after, Outcome::Allow);
        }
    }

    /// The reasons of a decision point at statements that say what the outcome says.
    #[test]
    fn reasons_explain_the_outcome(c in case()) {
        let s = set(&c);
        let d = s.decide(&request(&c));
        prop_assert!(!d.reasons.is_empty() || d.outcome == Outcome::Allow && c.identity.is_empty());
        for r in &d.reasons {
            match (d.outcome, r.statement) {
                (Outcome::ImplicitDeny, st) => {
                    prop_assert!(st.is_none());
                    prop_assert_eq!(d.reasons.len(), 1);
                }
                (outcome, Some(i)) => {
                    let policy = s.policy(r).unwrap();
                    let statement = &policy.statements()[i as usize];
                    let want = if outcome == Outcome::Allow { Effect::Allow } else { Effect::Deny };
                    prop_assert_eq!(statement.effect, want);
                    prop_assert!(statement.applies(&request(&c)).is_some());
                }
                (_, None) => prop_assert!(false, "a statement reason without a statement"),
            }
        }
        // An allow with SCPs names an allowing statement at every level.
        if d.outcome == Outcome::Allow && let Some(levels) = &c.scps {
            let scp_levels = d.reasons.iter().filter(|r| r.layer == Layer::Scp).count();
            prop_assert_eq!(scp_levels, levels.len());
        }
    }

    /// The management account (no SCPs) is never denied by what SCPs would say.
    #[test]
    fn removing_scps_never_denies_more(c in case()) {
        let with = set(&c).decide(&request(&c)).outcome;
        let mut c2 = c.clone();
        c2.scps = None;
        let without = set(&c2).decide(&request(&c2)).outcome;
        if with == Outcome::Allow {
            prop_assert_eq!(without, Outcome::Allow);
        }
    }
}
