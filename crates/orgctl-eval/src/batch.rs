//! The batch request format: one JSON object per line, naming the principal, action,
//! resource, context and the policies of every layer; one JSON decision per line out.
//!
//! ```text
//! {"id": 1, "principal": "arn:aws:iam::111122223333:role/Dev", "action": "s3:PutObject",
//!  "resource": "arn:aws:s3:::bucket/key", "resource_account": "111122223333",
//!  "context": {"aws:RequestedRegion": "us-east-1", "aws:TagKeys": ["a", "b"]},
//!  "identity_policies": [P], "scps": [[P], [P]], "rcps": [[P]],
//!  "resource_policy": P, "permissions_boundary": P, "session_policy": P}
//! ```
//!
//! `P` is a policy document, or a name the caller resolves (the CLI reads `DIR/NAME.json`).

use serde_json::{Map, Value, json};

use crate::compile::CompiledPolicy;
use crate::decide::{Decision, PolicySet};
use crate::request::{Context, ContextValue, Request};

/// One parsed batch line.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// The caller's `id`, echoed back (`null` when absent).
    pub id: Value,
    /// The request.
    pub request: Request,
    /// The policies by layer.
    pub policies: PolicySet,
}

/// A line that could not be read, with its `id` when that much was readable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BatchError {
    /// The line's `id`, or `null`.
    pub id: Value,
    /// What is wrong.
    pub message: String,
}

impl BatchError {
    /// The error as an output line: `{"id": ..., "error": "..."}`.
    pub fn to_line(&self) -> String {
        json!({"id": self.id, "error": self.message}).to_string()
    }
}

const FIELDS: [&str; 12] = [
    "id",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "identity_policies",
    "scps",
    "rcps",
    "resource_policy",
    "permissions_boundary",
    "session_policy",
];

/// Reads one line. `named` resolves a policy given by name.
///
/// # Errors
/// When the line is not a JSON object of the batch format, or a policy cannot be read.
pub fn parse_line(
    line: &str,
    named: &dyn Fn(&str) -> Result<CompiledPolicy, String>,
) -> Result<BatchRequest, BatchError> {
    let value: Value = serde_json::from_str(line).map_err(|e| BatchError {
        id: Value::Null,
        message: format!("invalid JSON: {e}"),
    })?;
    let Value::Object(obj) = value else {
        return Err(BatchError {
            id: Value::Null,
            message: "a request line must be a JSON object".into(),
        });
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    read(&obj, named)
        .map_err(|message| BatchError {
            id: id.clone(),
            message,
        })
        .map(|(request, policies)| BatchRequest {
            id,
            request,
            policies,
        })
}

fn read(
    obj: &Map<String, Value>,
    named: &dyn Fn(&str) -> Result<CompiledPolicy, String>,
) -> Result<(Request, PolicySet), String> {
    if let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("unknown field `{unknown}`"));
    }
    let principal = required_str(obj, "principal")?;
    let action = required_str(obj, "action")?;
    let resource = optional_str(obj, "resource")?.unwrap_or("*");
    let resource_account = optional_str(obj, "resource_account")?;
    let context = match obj.get("context") {
        None | Some(Value::Null) => Context::new(),
        Some(Value::Object(c)) => read_context(c)?,
        Some(_) => return Err("`context` must be an object".into()),
    };
    let policy = |v: &Value, label: &str| -> Result<CompiledPolicy, String> {
        match v {
            Value::String(name) => named(name),
            Value::Object(_) => {
                let text = v.to_string();
                let parsed = orgctl_policy::Policy::parse(&text).map_err(|e| {
                    let first = e
                        .errors
                        .first()
                        .map_or_else(String::new, |p| format!(": {}", p.message()));
                    format!("{label}: {e}{first}")
                })?;
                let name = parsed
                    .id
                    .as_ref()
                    .map_or(label, |id| id.node.as_str())
                    .to_owned();
                Ok(CompiledPolicy::new(name, &parsed))
            }
            _ => Err(format!("{label} must be a policy object or a policy name")),
        }
    };
    let list = |v: Option<&Value>, label: &str| -> Result<Vec<CompiledPolicy>, String> {
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, p)| policy(p, &format!("{label}[{i}]")))
                .collect(),
            Some(_) => Err(format!("`{label}` must be an array of policies")),
        }
    };
    let levels = |field: &str| -> Result<Option<Vec<Vec<CompiledPolicy>>>, String> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(levels)) => levels
                .iter()
                .enumerate()
                .map(|(i, level)| list(Some(level), &format!("{field}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(format!(
                "`{field}` must be an array of levels, each an array of policies"
            )),
        }
    };
    let single = |field: &str| -> Result<Option<CompiledPolicy>, String> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => policy(v, field).map(Some),
        }
    };
    let policies = PolicySet {
        identity: list(obj.get("identity_policies"), "identity_policies")?,
        scps: levels("scps")?,
        rcps: levels("rcps")?.unwrap_or_default(),
        resource: single("resource_policy")?,
        boundary: single("permissions_boundary")?,
        session: single("session_policy")?,
    };
    let request = Request::new(principal, action, resource, resource_account, context);
    Ok((request, policies))
}

fn required_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    optional_str(obj, field)?.ok_or_else(|| format!("missing `{field}`"))
}

fn optional_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{field}` must be a string")),
    }
}

/// Reads a context object: strings, numbers and booleans are single values, arrays are
/// multivalued keys, `null` leaves the key out.
pub fn read_context(c: &Map<String, Value>) -> Result<Context, String> {
    let scalar = |key: &str, v: &Value| -> Result<String, String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(format!(
                "context key `{key}` must hold strings, numbers or booleans"
            )),
        }
    };
    let mut ctx = Context::new();
    for (key, v) in c {
        let value = match v {
            Value::Null => continue,
            Value::Array(items) => ContextValue::Multi(
                items
                    .iter()
                    .map(|i| scalar(key, i))
                    .collect::<Result<_, _>>()?,
            ),
            other => ContextValue::Single(scalar(key, other)?),
        };
        ctx.insert(key, value);
    }
    Ok(ctx)
}

/// The decision as an output line:
/// `{"id": ..., "decision": ..., "decisive": [{"policy", "layer", "level", "statement", "sid"}]}`.
pub fn decision_line(id: &Value, decision: &Decision, policies: &PolicySet) -> String {
    let decisive: Vec<Value> = decision
        .reasons
        .iter()
        .map(|r| {
            let policy = policies.policy(r);
            let sid = policy.and_then(|p| {
                let i = usize::try_from(r.statement?).ok()?;
                p.statements().get(i)?.sid.as_deref().map(str::to_owned)
            });
            json!({
                "policy": policy.map(CompiledPolicy::name),
                "layer": r.layer.as_str(),
                "level": r.level,
                "statement": r.statement,
                "sid": sid,
            })
        })
        .collect();
    json!({"id": id, "decision": decision.outcome.as_str(), "decisive": decisive}).to_string()
}
