//! Writing a policy back out: as a JSON value, pretty, or minified for size accounting.

use serde_json::{Map, Value};

use crate::model::{ConditionValue, Policy, Principal, Statement, StringList};

impl Policy {
    /// The policy as a JSON value, elements in AWS's customary order.
    pub fn to_json(&self) -> Value {
        let mut doc = Map::new();
        if let Some(v) = &self.version {
            doc.insert("Version".into(), Value::String(v.node.clone()));
        }
        if let Some(id) = &self.id {
            doc.insert("Id".into(), Value::String(id.node.clone()));
        }
        let statements: Vec<Value> = self.statements.iter().map(Statement::to_json).collect();
        let statement = match (self.statement_is_array, statements.as_slice()) {
            (false, [one]) => one.clone(),
            _ => Value::Array(statements),
        };
        doc.insert("Statement".into(), statement);
        Value::Object(doc)
    }

    /// Pretty-printed JSON with two-space indentation.
    pub fn to_pretty_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_json()).unwrap_or_default()
    }

    /// JSON without any whitespace outside strings: the form whose size AWS quotas count.
    pub fn to_minified_string(&self) -> String {
        serde_json::to_string(&self.to_json()).unwrap_or_default()
    }

    /// Size of the minified form.
    pub fn minified_size(&self) -> Size {
        Size::of(&self.to_minified_string())
    }
}

/// The size of a policy text, in the two units AWS documentation uses for quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Unicode characters.
    pub chars: usize,
    /// UTF-8 bytes.
    pub bytes: usize,
}

impl Size {
    /// Measures `text`.
    pub fn of(text: &str) -> Self {
        Self {
            chars: text.chars().count(),
            bytes: text.len(),
        }
    }
}

impl Statement {
    /// The statement as a JSON value.
    pub fn to_json(&self) -> Value {
        let mut st = Map::new();
        if let Some(sid) = &self.sid {
            st.insert("Sid".into(), Value::String(sid.node.clone()));
        }
        st.insert(
            "Effect".into(),
            Value::String(self.effect.node.as_str().into()),
        );
        if let Some(p) = &self.principal {
            let key = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let value = match &p.value {
                Principal::Any => Value::String("*".into()),
                Principal::Typed(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(t, list)| (t.node.as_str().to_owned(), list_json(list)))
                        .collect(),
                ),
            };
            st.insert(key.into(), value);
        }
        let key = if self.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        st.insert(key.into(), list_json(&self.action.values));
        if let Some(r) = &self.resource {
            let key = if r.negated { "NotResource" } else { "Resource" };
            st.insert(key.into(), list_json(&r.values));
        }
        if self.condition_span.is_some() || !self.condition.is_empty() {
            let cond: Map<String, Value> = self
                .condition
                .iter()
                .map(|block| {
                    let keys: Map<String, Value> = block
                        .entries
                        .iter()
                        .map(|e| {
                            let values: Vec<Value> = e
                                .values
                                .iter()
                                .map(|v| condition_value_json(&v.node))
                                .collect();
                            let value = match (e.is_array, values.as_slice()) {
                                (false, [one]) => one.clone(),
                                _ => Value::Array(values),
                            };
                            (e.key.node.clone(), value)
                        })
                        .collect();
                    (block.operator_text.clone(), Value::Object(keys))
                })
                .collect();
            st.insert("Condition".into(), Value::Object(cond));
        }
        Value::Object(st)
    }
}

fn list_json(list: &StringList) -> Value {
    match (list.is_array, list.items.as_slice()) {
        (false, [one]) => Value::String(one.node.clone()),
        _ => Value::Array(
            list.items
                .iter()
                .map(|s| Value::String(s.node.clone()))
                .collect(),
        ),
    }
}

fn condition_value_json(v: &ConditionValue) -> Value {
    match v {
        ConditionValue::String(s) => Value::String(s.clone()),
        ConditionValue::Bool(b) => Value::Bool(*b),
        ConditionValue::Number(n) => n
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::String(n.clone()), Value::Number),
    }
}
