//! Helpers shared by the golden tables: building policies, requests and contexts, and
//! driving a table of condition rows through the full [`PolicySet::decide`] path.

use orgctl_eval::{
    CompiledPolicy, Context, ContextValue, Decision, Layer, Outcome, PolicySet, Reason, Request,
};
use orgctl_policy::Policy;

/// The account of the principals in most tests.
pub const ACCOUNT: &str = "111122223333";
/// Another account, for cross-account tests.
pub const OTHER_ACCOUNT: &str = "444455556666";
/// An IAM user of [`ACCOUNT`]; `aws:username` is `alice`.
pub const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
/// A role session of [`ACCOUNT`]: no `aws:username` in its context.
pub const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Dev/alice";

/// A request value in a table row.
#[derive(Debug, Clone, Copy)]
pub enum Val {
    /// The key is not in the request context.
    Absent,
    /// A single-valued key.
    One(&'static str),
    /// A multivalued key (possibly the empty set).
    Set(&'static [&'static str]),
}

/// The key is not in the request context.
pub const ABSENT: Val = Val::Absent;

/// A single request value.
pub const fn one(v: &'static str) -> Val {
    Val::One(v)
}

/// A multivalued request value.
pub const fn set(v: &'static [&'static str]) -> Val {
    Val::Set(v)
}

/// One condition row: operator, policy value(s), request value, whether the condition holds.
pub type Row = (&'static str, &'static [&'static str], Val, bool);

/// Parses and compiles a policy document.
pub fn compile(name: &str, json: &str) -> CompiledPolicy {
    let policy = Policy::parse(json).unwrap_or_else(|e| panic!("policy {name} parses: {e:?}"));
    CompiledPolicy::new(name, &policy)
}

/// A context holding `pairs`; `ABSENT` pairs are left out.
pub fn ctx(pairs: &[(&str, Val)]) -> Context {
    let mut c = Context::new();
    for (key, v) in pairs {
        match v {
            Val::Absent => {}
            Val::One(s) => c.insert(key, ContextValue::Single((*s).to_owned())),
            Val::Set(xs) => c.insert(
                key,
                ContextValue::Multi(xs.iter().map(|x| (*x).to_owned()).collect()),
            ),
        }
    }
    c
}

/// A request with the given context.
pub fn request(
    principal: &str,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
    context: Context,
) -> Request {
    Request::new(principal, action, resource, resource_account, context)
}

/// A request with an empty context.
pub fn req(principal: &str, action: &str, resource: &str) -> Request {
    Request::new(principal, action, resource, None, Context::new())
}

/// A set holding only identity policies.
pub fn identity_only(policies: &[(&str, &str)]) -> PolicySet {
    PolicySet {
        identity: policies.iter().map(|(n, j)| compile(n, j)).collect(),
        ..PolicySet::default()
    }
}

/// A reason naming a statement.
pub const fn stmt(layer: Layer, level: u16, policy: u32, statement: u32) -> Reason {
    Reason {
        layer,
        level,
        policy: Some(policy),
        statement: Some(statement),
    }
}

/// The reason of an implicit deny: the layer (and level) without a matching `Allow`.
pub const fn lacking(layer: Layer, level: u16) -> Reason {
    Reason {
        layer,
        level,
        policy: None,
        statement: None,
    }
}

/// Asserts outcome and reasons of a decision.
#[track_caller]
pub fn assert_decision(d: &Decision, outcome: Outcome, reasons: &[Reason]) {
    assert_eq!(d.outcome, outcome, "outcome of {d:?}");
    assert_eq!(d.reasons.as_slice(), reasons, "reasons of {d:?}");
}

/// Whether `condition` (the JSON of a `Condition` element) holds for a request of [`ALICE`]
/// with `context`: an identity policy with one `Allow` statement carrying the condition is the
/// only policy, so the request is allowed exactly when the condition holds.
pub fn condition_holds(condition: &str, context: Context) -> bool {
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
    );
    let set = identity_only(&[("condition", &doc)]);
    let r = request(
        ALICE,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        Some(ACCOUNT),
        context,
    );
    match set.decide(&r).outcome {
        Outcome::Allow => true,
        Outcome::ImplicitDeny => false,
        Outcome::ExplicitDeny => panic!("an Allow-only policy cannot deny explicitly"),
    }
}

/// The `Condition` JSON for one operator, key and values.
pub fn condition_json(op: &str, key: &str, values: &[&str]) -> String {
    format!(
        "{{{}:{{{}:{}}}}}",
        serde_json::to_string(op).unwrap(),
        serde_json::to_string(key).unwrap(),
        serde_json::to_string(values).unwrap()
    )
}

/// The failure message of one row, if it fails.
fn row_failure(op: &str, key: &str, values: &[&str], v: Val, expected: bool) -> Option<String> {
    let got = condition_holds(&condition_json(op, key, values), ctx(&[(key, v)]));
    (got != expected)
        .then(|| format!("{op} {key} {values:?} vs {v:?}: expected {expected}, got {got}"))
}

#[track_caller]
fn report(failures: &[String], rows: usize) {
    assert!(
        failures.is_empty(),
        "{} of {rows} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs every row of a table with `key` as the condition key; reports all failing rows.
#[track_caller]
pub fn check_rows(key: &str, rows: &[Row]) {
    let failures: Vec<String> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, &(op, values, v, expected))| {
            row_failure(op, key, values, v, expected).map(|f| format!("row {i}: {f}"))
        })
        .collect();
    report(&failures, rows.len());
}

/// Runs every row as written, then again with `IfExists` appended to the operator: with the
/// key present the `IfExists` form must give the same result, with the key absent `true`
/// (condition operators page, "...IfExists condition operators": "If the key is not present,
/// evaluate the condition element as true").
#[track_caller]
pub fn check_rows_and_if_exists(key: &str, rows: &[Row]) {
    check_rows(key, rows);
    let failures: Vec<String> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, &(op, values, v, expected))| {
            let expected = matches!(v, Val::Absent) || expected;
            row_failure(&format!("{op}IfExists"), key, values, v, expected)
                .map(|f| format!("row {i}: {f}"))
        })
        .collect();
    report(&failures, rows.len());
}
