//! Shrinks a disagreeing batch line to a small one that still disagrees the same way and is
//! still unexplained: greedy deletion of array elements and optional object members, each
//! round sending every candidate to the oracle in one batch.

use std::path::Path;

use orgctl_eval::Outcome;
use serde_json::{Value, json};

use crate::deviations;
use crate::oracle::{self, Answer};

/// orgctl's outcome for a line, if it reads it.
fn orgctl(line: &Value) -> Option<Outcome> {
    let b = deviations::parse_line(&line.to_string()).ok()?;
    Some(b.policies.decide(&b.request).outcome)
}

/// Every line one deletion away from `v`.
fn candidates(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out, v);
    out
}

const DERIVED: [&str; 5] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:username",
    "aws:ResourceAccount",
];

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn removable_member(path: &[Step], key: &str) -> bool {
    match path {
        [] => !matches!(
            key,
            "id" | "principal" | "action" | "resource" | "resource_account" | "context"
        ),
        // Keys AWS always supplies stay: without them orgctl derives values the oracle lacks.
        [Step::Key(k)] if k == "context" => !DERIVED.iter().any(|d| d.eq_ignore_ascii_case(key)),
        _ => {
            matches!(key, "Sid" | "Condition")
                || path
                    .iter()
                    .rev()
                    .take(2)
                    .any(|s| matches!(s, Step::Key(k) if k == "Condition"))
        }
    }
}

fn walk(node: &Value, path: &mut Vec<Step>, out: &mut Vec<Value>, root: &Value) {
    match node {
        Value::Object(obj) => {
            for (k, child) in obj {
                if removable_member(path, k) {
                    let mut copy = root.clone();
                    if let Some(Value::Object(parent)) = get_mut(&mut copy, path) {
                        parent.remove(k);
                    }
                    out.push(copy);
                }
                path.push(Step::Key(k.clone()));
                walk(child, path, out, root);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut copy = root.clone();
                if let Some(Value::Array(parent)) = get_mut(&mut copy, path) {
                    parent.remove(i);
                }
                out.push(copy);
                path.push(Step::Index(i));
                walk(child, path, out, root);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Shrinks `line` while orgctl still answers `mine`, the oracle still answers `theirs`, and
/// no known deviation explains the difference. Returns the smallest line found.
///
/// # Errors
/// When the oracle cannot be run.
pub fn minimize(
    script: &Path,
    line: &Value,
    mine: Outcome,
    theirs: Outcome,
) -> Result<Value, String> {
    let mut best = line.clone();
    loop {
        let cands: Vec<Value> = candidates(&best)
            .into_iter()
            .filter(|c| orgctl(c) == Some(mine))
            .collect();
        if cands.is_empty() {
            return Ok(best);
        }
        let lines: Vec<String> = cands
            .iter()
            .zip(0u64..)
            .map(|(c, i)| {
                let mut c = c.clone();
                if let Value::Object(o) = &mut c {
                    o.insert("id".into(), json!(i));
                }
                c.to_string()
            })
            .collect();
        let answers = oracle::run(script, &lines)?;
        let next = cands.into_iter().zip(&answers).find(|(c, a)| {
            **a == Answer::Decision(theirs)
                && deviations::classify(&c.to_string(), theirs).is_none()
        });
        match next {
            Some((c, _)) => best = c,
            None => return Ok(best),
        }
    }
}
