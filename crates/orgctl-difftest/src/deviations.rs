//! Known deviations of iam-simulate from the AWS documentation, and the classifier that
//! decides whether a disagreement is fully explained by them.
//!
//! Each deviation is reproduced, not just detected: condition-level deviations by rewriting
//! the affected condition of the batch line into one orgctl evaluates the way iam-simulate
//! does, layer-level deviations by a [`Quirks`] switch of the decision model. A disagreement
//! is *known* only when some combination of applicable reproductions turns orgctl's answer
//! into the oracle's; it is attributed to the smallest such combination.

use orgctl_eval::batch::{self, BatchRequest};
use orgctl_eval::glob::{self, Case};
use orgctl_eval::{Context, ContextValue, Outcome, Principal, PrincipalKind, RCP_SERVICES};
use orgctl_policy::{BaseOperator, Operator, OperatorFamily, SetQualifier};
use serde_json::{Map, Value, json};

use crate::model::{self, Quirks};

/// A condition-level deviation that a rewrite reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rewrite {
    /// (a) A negated string or ARN operator whose policy value holds a variable with no value
    /// in the request does not match in iam-simulate (the key itself being present).
    MissingVariableNegated,
    /// (c) `ForAnyValue:...IfExists` on a missing key (or an empty set) is false in
    /// iam-simulate.
    ForAnyValueIfExistsMissing,
    /// (d) A plain operator against a multivalued request value is false in iam-simulate.
    PlainOperatorMultivalued,
    /// (e) An IPv4 `/0` network matches only its own address in iam-simulate.
    Ipv4SlashZero,
    /// (h) `Null` treats an empty set as present in iam-simulate.
    NullEmptySet,
    /// (m) A `Resource`/`NotResource` ARN whose resource field holds a variable before its
    /// first literal `/` or `:` never matches in iam-simulate: it splits the resource type off
    /// at the first `/` or `:`, inside the variable (`team-${aws:PrincipalTag/team}`).
    VariableInResourceType,
    /// (n) `NotIpAddress` with a bare address (no `/prefix`) of the other IP family than the
    /// request does not match in iam-simulate (with a CIDR of the other family it does).
    NotIpAddressBareOtherFamily,
    /// (o) An ARN-operator value with a variable before its resource field
    /// (`arn:aws:iam::${aws:PrincipalAccount}:role/*`) never matches in iam-simulate: it splits
    /// the value on every `:` before resolving variables, and variable names contain `:`.
    VariableInArnPrefix,
}

impl Rewrite {
    /// Every rewrite.
    pub const ALL: [Self; 8] = [
        Self::MissingVariableNegated,
        Self::ForAnyValueIfExistsMissing,
        Self::PlainOperatorMultivalued,
        Self::Ipv4SlashZero,
        Self::NullEmptySet,
        Self::VariableInResourceType,
        Self::NotIpAddressBareOtherFamily,
        Self::VariableInArnPrefix,
    ];

    /// The name used in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::MissingVariableNegated => "a:missing-variable-negated-operator",
            Self::ForAnyValueIfExistsMissing => "c:foranyvalue-ifexists-missing-key",
            Self::PlainOperatorMultivalued => "d:plain-operator-multivalued-key",
            Self::Ipv4SlashZero => "e:ipv4-slash-zero",
            Self::NullEmptySet => "h:null-empty-set",
            Self::VariableInResourceType => "m:variable-in-resource-type",
            Self::NotIpAddressBareOtherFamily => "n:notipaddress-bare-other-family",
            Self::VariableInArnPrefix => "o:variable-in-arn-condition-prefix",
        }
    }
}

/// A key no request carries: `Null: false` on it never holds.
const NEVER_PRESENT: &str = "difftest:NeverPresent";

/// An ARN no generated request uses.
const NEVER_MATCHES: &str = "arn:aws:difftest:::never-matches";

/// Whether a variable starts in the first five `:`-separated fields of an ARN value.
fn variable_in_arn_prefix(value: &str) -> bool {
    value.split(':').take(5).any(|f| f.contains("${"))
}

/// Whether iam-simulate's split of a policy ARN's resource field into type and id (at the
/// first `/` or `:`; none for S3 bucket ARNs) cuts through a variable.
fn variable_in_resource_type(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split(':').collect();
    let [_, _, service, region, account, ..] = parts.as_slice() else {
        return false;
    };
    if *service == "s3" && region.is_empty() && account.is_empty() {
        return false;
    }
    let resource = parts.get(5..).map(|p| p.join(":")).unwrap_or_default();
    let cut = match (resource.find('/'), resource.find(':')) {
        (Some(s), Some(c)) => s.min(c) + 1,
        (Some(i), None) | (None, Some(i)) => i + 1,
        (None, None) => 0,
    };
    resource.get(..cut).is_some_and(|t| t.contains("${"))
}

/// Applies the `enabled` rewrites to every condition of every policy of `line`, against the
/// request context `ctx`; returns the rewrites that changed something.
pub fn rewrite_line(line: &mut Value, ctx: &Context, enabled: &[Rewrite]) -> Vec<Rewrite> {
    let mut applied = Vec::new();
    let Value::Object(obj) = line else {
        return applied;
    };
    for (field, v) in obj.iter_mut() {
        match field.as_str() {
            "identity_policies" => {
                for p in as_array_mut(v) {
                    rewrite_policy(p, ctx, enabled, &mut applied);
                }
            }
            "scps" | "rcps" => {
                for level in as_array_mut(v) {
                    for p in as_array_mut(level) {
                        rewrite_policy(p, ctx, enabled, &mut applied);
                    }
                }
            }
            "resource_policy" | "permissions_boundary" | "session_policy" => {
                rewrite_policy(v, ctx, enabled, &mut applied);
            }
            _ => {}
        }
    }
    applied.sort();
    applied.dedup();
    applied
}

fn as_array_mut(v: &mut Value) -> &mut [Value] {
    match v {
        Value::Array(items) => items,
        _ => &mut [],
    }
}

fn rewrite_policy(policy: &mut Value, ctx: &Context, enabled: &[Rewrite], out: &mut Vec<Rewrite>) {
    let Some(statements) = policy.get_mut("Statement") else {
        return;
    };
    let list: &mut [Value] = match statements {
        Value::Array(items) => items,
        single @ Value::Object(_) => std::slice::from_mut(single),
        _ => return,
    };
    for st in list {
        if enabled.contains(&Rewrite::VariableInResourceType) {
            for element in ["Resource", "NotResource"] {
                if let Some(v) = st.get_mut(element) {
                    let before = v.clone();
                    *v = map_values(v, |s| {
                        if variable_in_resource_type(s) {
                            NEVER_MATCHES.to_owned()
                        } else {
                            s.to_owned()
                        }
                    });
                    if *v != before {
                        out.push(Rewrite::VariableInResourceType);
                    }
                }
            }
        }
        if let Some(Value::Object(condition)) = st.get_mut("Condition") {
            let rewritten = rewrite_condition(condition, ctx, enabled, out);
            *condition = rewritten;
        }
    }
}

fn rewrite_condition(
    condition: &Map<String, Value>,
    ctx: &Context,
    enabled: &[Rewrite],
    out: &mut Vec<Rewrite>,
) -> Map<String, Value> {
    let on = |r: Rewrite| enabled.contains(&r);
    let mut result = Map::new();
    let mut add = |op: String, key: String, value: Value| {
        if let Value::Object(entries) = result
            .entry(op)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            entries.insert(key, value);
        }
    };
    for (op_name, entries) in condition {
        let Value::Object(entries) = entries else {
            continue;
        };
        let Ok(op) = Operator::parse(op_name) else {
            for (k, v) in entries {
                add(op_name.clone(), k.clone(), v.clone());
            }
            continue;
        };
        for (key, values) in entries {
            let request = ctx.get(key);
            let empty_or_missing = request.is_none_or(ContextValue::is_empty);
            // (h) Null with an empty set.
            if op.base == BaseOperator::Null
                && on(Rewrite::NullEmptySet)
                && matches!(request, Some(ContextValue::Multi(v)) if v.is_empty())
            {
                out.push(Rewrite::NullEmptySet);
                add(op_name.clone(), key.clone(), map_values(values, flip_bool));
                continue;
            }
            // (d) A plain operator against a multivalued request value.
            if op.qualifier.is_none()
                && op.base != BaseOperator::Null
                && on(Rewrite::PlainOperatorMultivalued)
                && matches!(request, Some(ContextValue::Multi(_)))
            {
                out.push(Rewrite::PlainOperatorMultivalued);
                add("Null".into(), NEVER_PRESENT.into(), json!("false"));
                continue;
            }
            // (c) ForAnyValue with IfExists on a missing key or empty set.
            if op.qualifier == Some(SetQualifier::ForAnyValue)
                && op.if_exists
                && on(Rewrite::ForAnyValueIfExistsMissing)
                && empty_or_missing
            {
                out.push(Rewrite::ForAnyValueIfExistsMissing);
                let plain = Operator {
                    if_exists: false,
                    ..op
                };
                add(plain.to_string(), key.clone(), values.clone());
                continue;
            }
            let mut values = values.clone();
            // (e) IPv4 /0.
            if matches!(
                op.base,
                BaseOperator::IpAddress | BaseOperator::NotIpAddress
            ) && on(Rewrite::Ipv4SlashZero)
            {
                let before = values.clone();
                values = map_values(&values, |s| match s.strip_suffix("/0") {
                    Some(addr) if addr.parse::<std::net::Ipv4Addr>().is_ok() => {
                        format!("{addr}/32")
                    }
                    _ => s.to_owned(),
                });
                if values != before {
                    out.push(Rewrite::Ipv4SlashZero);
                }
            }
            // (n) NotIpAddress with a bare address of the other family.
            if op.base == BaseOperator::NotIpAddress
                && op.qualifier.is_none()
                && on(Rewrite::NotIpAddressBareOtherFamily)
                && let Some(ContextValue::Single(actual)) = request
                && let Ok(ip) = actual.parse::<std::net::IpAddr>()
            {
                let before = values.clone();
                values = map_values(&values, |s| match s.parse::<std::net::IpAddr>() {
                    Ok(bare) if bare.is_ipv4() != ip.is_ipv4() => actual.clone(),
                    _ => s.to_owned(),
                });
                if values != before {
                    out.push(Rewrite::NotIpAddressBareOtherFamily);
                }
            }
            // (o) ARN operators: a variable before the resource field.
            if op.base.family() == OperatorFamily::Arn && on(Rewrite::VariableInArnPrefix) {
                let before = values.clone();
                values = map_values(&values, |s| {
                    if variable_in_arn_prefix(s) {
                        NEVER_MATCHES.to_owned()
                    } else {
                        s.to_owned()
                    }
                });
                if values != before {
                    out.push(Rewrite::VariableInArnPrefix);
                }
            }
            // (a) A negated string or ARN operator with a variable that has no value.
            if op.base.is_negated()
                && op.qualifier.is_none()
                && matches!(
                    op.base.family(),
                    OperatorFamily::String | OperatorFamily::Arn
                )
                && on(Rewrite::MissingVariableNegated)
                && let Some(ContextValue::Single(actual)) = request
            {
                let arn = op.base.family() == OperatorFamily::Arn;
                let before = values.clone();
                values = map_values(&values, |s| {
                    if missing_variable_matters(s, actual, ctx, arn) {
                        actual.clone()
                    } else {
                        s.to_owned()
                    }
                });
                if values != before {
                    out.push(Rewrite::MissingVariableNegated);
                }
            }
            add(op_name.clone(), key.clone(), values);
        }
    }
    result
}

fn map_values(values: &Value, f: impl Fn(&str) -> String) -> Value {
    match values {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Value::String(f(s)),
                    other => other.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn flip_bool(s: &str) -> String {
    if s.eq_ignore_ascii_case("true") {
        "false".into()
    } else if s.eq_ignore_ascii_case("false") {
        "true".into()
    } else {
        s.to_owned()
    }
}

/// The variables of `s` that have no value in `ctx` and no default.
fn has_missing_variable(s: &str, ctx: &Context) -> bool {
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        let inner = after.get(..end).unwrap_or_default();
        rest = after.get(end + 1..).unwrap_or_default();
        if matches!(inner, "*" | "?" | "$") || inner.contains(',') {
            continue;
        }
        if !matches!(ctx.get(inner.trim()), Some(ContextValue::Single(v)) if !v.is_empty()) {
            return true;
        }
    }
    false
}

/// Whether iam-simulate reports the policy value `s` (with a variable that has no value) as
/// not matching for a negated operator: for strings always; for ARNs when the fields before
/// the one holding the variable match, since it compares fields in order and stops at the
/// first mismatch, before it resolves later fields.
fn missing_variable_matters(s: &str, actual: &str, ctx: &Context, arn: bool) -> bool {
    if !has_missing_variable(s, ctx) {
        return false;
    }
    if !arn {
        return true;
    }
    if variable_in_arn_prefix(s) {
        // Deviation (o) instead.
        return false;
    }
    let pattern: Vec<&str> = s.splitn(6, ':').collect();
    let value: Vec<&str> = actual.splitn(6, ':').collect();
    if pattern.len() < 6 || value.len() < 6 {
        return false;
    }
    for (p, v) in pattern.iter().zip(&value).skip(1) {
        if p.contains("${") {
            return has_missing_variable(p, ctx);
        }
        if !glob::matches(&glob::segments(p), v, Case::Sensitive) {
            return false;
        }
    }
    false
}

/// Why a disagreement is a known deviation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The deviations that reproduce the oracle's answer, by name.
    pub deviations: Vec<&'static str>,
}

/// Layer-level switches whose premise holds for the request.
fn applicable_quirks(b: &BatchRequest) -> Vec<Quirks> {
    let req = &b.request;
    let ps = &b.policies;
    let has_rcps = ps.rcps.iter().any(|l| !l.is_empty());
    Quirks::singles()
        .into_iter()
        .filter(|q| {
            (q.slr_governed
                && req.principal.is_service_linked_role()
                && (ps.scps.is_some() || has_rcps))
                || (q.rcp_all_services && has_rcps && !RCP_SERVICES.contains(&req.service()))
                || (q.session_first
                    && ps.session.is_some()
                    && matches!(req.principal.kind, PrincipalKind::AssumedRole { .. }))
        })
        .collect()
}

fn union(qs: &[Quirks]) -> Quirks {
    qs.iter().fold(Quirks::default(), |a, q| Quirks {
        slr_governed: a.slr_governed || q.slr_governed,
        rcp_all_services: a.rcp_all_services || q.rcp_all_services,
        session_first: a.session_first || q.session_first,
    })
}

/// Whether the disagreement on `line` (orgctl against `oracle`) is explained by known
/// deviations, and by which.
pub fn classify(line: &str, oracle: Outcome) -> Option<Explanation> {
    search(line, oracle, false).map(|deviations| Explanation { deviations })
}

/// A suspected orgctl issue that, with known deviations, would explain an unclassified
/// disagreement. It is not a known deviation: the run still fails.
pub fn hint(line: &str, oracle: Outcome) -> Option<&'static str> {
    search(line, oracle, true).map(|_| ROLE_REQUESTER_HINT)
}

/// The hint for a role-ARN requester.
pub const ROLE_REQUESTER_HINT: &str =
    "orgctl? a role-ARN requester named by its own ARN is not limited by boundary/session policy";

/// The requester as a session of its role (for a role-ARN requester): a resource policy that
/// names the role's ARN then grants through the role, limited by the permissions boundary
/// and session policy, as the IAM User Guide says for role ARNs.
fn as_role_session(b: &mut BatchRequest) -> bool {
    let p = &b.request.principal;
    if p.kind != PrincipalKind::Role {
        return false;
    }
    let name = p.arn.rsplit('/').next().unwrap_or_default();
    let session = format!("arn:aws:sts::{}:assumed-role/{name}/difftest", p.account);
    b.request.principal = Principal::from_arn(&session);
    true
}

/// Tries every combination of applicable reproductions, smallest first (with `role_hint`,
/// on the request made by a session of the requesting role); returns the names of the first
/// combination that turns orgctl's answer into `oracle`.
fn search(line: &str, oracle: Outcome, role_hint: bool) -> Option<Vec<&'static str>> {
    let value: Value = serde_json::from_str(line).ok()?;
    let original = parse(line)?;
    if role_hint && !as_role_session(&mut original.clone()) {
        return None;
    }
    let rewrites = {
        let mut probe = value.clone();
        rewrite_line(&mut probe, &original.request.full_context(), &Rewrite::ALL)
    };
    let quirks = applicable_quirks(&original);
    let n = rewrites.len() + quirks.len();
    let first = if role_hint { 0 } else { 1 };
    let mut masks: Vec<u32> = (first..(1u32 << n)).collect();
    masks.sort_by_key(|m| m.count_ones());
    for mask in masks {
        let chosen_rewrites: Vec<Rewrite> = rewrites
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, r)| *r)
            .collect();
        let chosen_quirks: Vec<Quirks> = quirks
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << (i + rewrites.len())) != 0)
            .map(|(_, q)| *q)
            .collect();
        let mut b = if chosen_rewrites.is_empty() {
            original.clone()
        } else {
            let mut rewritten = value.clone();
            rewrite_line(
                &mut rewritten,
                &original.request.full_context(),
                &chosen_rewrites,
            );
            parse(&rewritten.to_string())?
        };
        if role_hint {
            as_role_session(&mut b);
        }
        let q = union(&chosen_quirks);
        if model::decide(&b.policies, &b.request, q) == oracle {
            let mut deviations: Vec<&'static str> =
                chosen_rewrites.iter().map(|r| r.name()).collect();
            deviations.extend(q.names());
            return Some(deviations);
        }
    }
    None
}

/// Parses a batch line with orgctl (no named policies).
///
/// # Errors
/// orgctl's message when it cannot read the line.
pub fn parse_line(line: &str) -> Result<BatchRequest, String> {
    batch::parse_line(line, &|name| Err(format!("unknown policy {name}"))).map_err(|e| e.message)
}

fn parse(line: &str) -> Option<BatchRequest> {
    parse_line(line).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, ContextValue)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, v.clone());
        }
        c
    }

    #[test]
    fn rewrites_missing_variable_only_when_the_key_is_present() {
        let mut line = json!({"identity_policies": [{"Statement": {"Effect": "Allow",
            "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {
                "aws:ResourceTag/owner": ["${aws:username}", "bob"]}}}}]});
        let c = ctx(&[(
            "aws:ResourceTag/owner",
            ContextValue::Single("alice".into()),
        )]);
        let applied = rewrite_line(&mut line, &c, &Rewrite::ALL);
        assert_eq!(applied, [Rewrite::MissingVariableNegated]);
        assert_eq!(
            line["identity_policies"][0]["Statement"]["Condition"]["StringNotEquals"]["aws:ResourceTag/owner"],
            json!(["alice", "bob"])
        );
        let mut untouched = json!({"identity_policies": [{"Statement": {"Effect": "Allow",
            "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {
                "aws:ResourceTag/owner": "${aws:username}"}}}}]});
        assert!(rewrite_line(&mut untouched, &Context::new(), &Rewrite::ALL).is_empty());
    }

    #[test]
    fn arn_fields_before_the_variable_must_match() {
        let c = Context::new();
        let actual = "arn:aws:iam::111122223333:role/Dev";
        assert!(missing_variable_matters(
            "arn:aws:iam::111122223333:user/${aws:username}",
            actual,
            &c,
            true
        ));
        assert!(!missing_variable_matters(
            "arn:aws:iam::444455556666:user/${aws:username}",
            actual,
            &c,
            true
        ));
        assert!(!missing_variable_matters(
            "arn:aws:iam::${aws:PrincipalAccount}:role/*",
            actual,
            &c,
            true
        ));
        assert!(variable_in_arn_prefix(
            "arn:aws:iam::${aws:PrincipalAccount}:role/*"
        ));
        assert!(!variable_in_arn_prefix(
            "arn:aws:iam::111122223333:user/${aws:username}"
        ));
    }

    #[test]
    fn plain_operator_on_a_set_becomes_false() {
        let mut line = json!({"identity_policies": [{"Statement": {"Effect": "Allow",
            "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {
                "aws:TagKeys": "env"}}}}]});
        let c = ctx(&[("aws:TagKeys", ContextValue::Multi(vec!["team".into()]))]);
        assert_eq!(
            rewrite_line(&mut line, &c, &Rewrite::ALL),
            [Rewrite::PlainOperatorMultivalued]
        );
        assert_eq!(
            line["identity_policies"][0]["Statement"]["Condition"],
            json!({"Null": {NEVER_PRESENT: "false"}})
        );
    }
}
