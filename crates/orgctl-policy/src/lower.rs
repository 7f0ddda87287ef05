//! Turns a spanned JSON tree into the typed policy model, collecting every problem.

use crate::error::{ErrorKind, PolicyError};
use crate::json::{Member, Node, Value};
use crate::model::{
    ConditionBlock, ConditionEntry, ConditionValue, Effect, ListElement, Policy, Principal,
    PrincipalElement, PrincipalType, Statement, StringList,
};
use crate::operator::{Operator, OperatorNameError, edit_distance};
use crate::span::{Span, Spanned};

const TOP_LEVEL: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Lowers `root` into a policy; returns `None` when a problem leaves nothing to work with.
/// The tree is consumed: its strings move into the policy.
pub fn lower(root: Node, errors: &mut Vec<PolicyError>) -> Option<Policy> {
    let members = match root.value {
        Value::Object(members) => members,
        _ => {
            errors.push(wrong_type(&root, "the policy document", "an object"));
            return None;
        }
    };
    let mut version = None;
    let mut id = None;
    let mut statements = None;
    let mut statement_is_array = false;
    for m in members {
        match m.key.as_ref() {
            "Version" => {
                if let Some(v) = string_value(m.value, "`Version`", errors) {
                    if v.node != "2012-10-17" && v.node != "2008-10-17" {
                        errors.push(
                            PolicyError::new(
                                ErrorKind::InvalidVersion,
                                v.span,
                                format!("`{}` is not a policy language version", v.node),
                            )
                            .with_help("use `\"Version\": \"2012-10-17\"`, the current version; it enables policy variables"),
                        );
                    }
                    version = Some(v);
                }
            }
            "Id" => id = string_value(m.value, "`Id`", errors),
            "Statement" => {
                statement_is_array = matches!(m.value.value, Value::Array(_));
                statements = Some(statement_list(m.value, errors));
            }
            _ => errors.push(unknown_element(&m, &TOP_LEVEL, "at the top of a policy")),
        }
    }
    let Some(statements) = statements else {
        errors.push(
            PolicyError::new(
                ErrorKind::MissingStatement,
                Span::new(root.span.start, root.span.start + 1),
                "the policy has no `Statement`",
            )
            .with_help("add `\"Statement\": [...]` with at least one statement"),
        );
        return None;
    };
    Some(Policy {
        version,
        id,
        statements,
        statement_is_array,
        span: root.span,
    })
}

fn statement_list(node: Node, errors: &mut Vec<PolicyError>) -> Vec<Statement> {
    check_unique_sids(&node, errors);
    match node.value {
        Value::Object(_) => statement(node, errors).into_iter().collect(),
        Value::Array(items) => items
            .into_iter()
            .filter_map(|n| statement(n, errors))
            .collect(),
        _ => {
            errors.push(wrong_type(
                &node,
                "`Statement`",
                "an object or an array of objects",
            ));
            Vec::new()
        }
    }
}

fn statement(node: Node, errors: &mut Vec<PolicyError>) -> Option<Statement> {
    let members = match node.value {
        Value::Object(members) => members,
        _ => {
            errors.push(wrong_type(&node, "a statement", "an object"));
            return None;
        }
    };
    let before = errors.len();
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<PrincipalElement> = None;
    let mut action: Option<ListElement> = None;
    let mut resource: Option<ListElement> = None;
    let mut condition = Vec::new();
    let mut condition_span = None;
    // Which elements are written, valid or not.
    let mut has_action_key = false;
    let mut has_resource_or_principal_key = false;
    for m in members {
        match m.key.as_ref() {
            "Sid" => sid = string_value(m.value, "`Sid`", errors),
            "Effect" => effect = effect_value(m.value, errors),
            "Principal" | "NotPrincipal" => {
                has_resource_or_principal_key = true;
                let negated = m.key == "NotPrincipal";
                let span = m.value.span;
                if let Some(p) = principal_value(m.value, errors) {
                    if let Some(prev) = &principal
                        && prev.negated != negated
                    {
                        errors.push(combination(m.key_span, "Principal", "NotPrincipal"));
                    }
                    principal = Some(PrincipalElement {
                        negated,
                        value: p,
                        key_span: m.key_span,
                        span,
                    });
                }
            }
            "Action" | "NotAction" => {
                has_action_key = true;
                let negated = m.key == "NotAction";
                if let Some(prev) = &action
                    && prev.negated != negated
                {
                    errors.push(combination(m.key_span, "Action", "NotAction"));
                }
                if let Some(values) = string_list(m.value, &m.key, errors) {
                    action = Some(ListElement {
                        negated,
                        values,
                        key_span: m.key_span,
                    });
                }
            }
            "Resource" | "NotResource" => {
                has_resource_or_principal_key = true;
                let negated = m.key == "NotResource";
                if let Some(prev) = &resource
                    && prev.negated != negated
                {
                    errors.push(combination(m.key_span, "Resource", "NotResource"));
                }
                if let Some(values) = string_list(m.value, &m.key, errors) {
                    resource = Some(ListElement {
                        negated,
                        values,
                        key_span: m.key_span,
                    });
                }
            }
            "Condition" => {
                condition_span = Some(m.value.span);
                condition = condition_value(m.value, errors);
            }
            _ => errors.push(unknown_element(&m, &STATEMENT_KEYS, "in a statement")),
        }
    }
    let head = Span::new(node.span.start, node.span.start + 1);
    if effect.is_none()
        && !errors.get(before..).is_some_and(|e| {
            e.iter()
                .any(|e| e.kind() == ErrorKind::InvalidEffect || e.kind() == ErrorKind::WrongType)
        })
    {
        errors.push(
            PolicyError::new(
                ErrorKind::MissingEffect,
                head,
                "the statement has no `Effect`",
            )
            .with_help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
        );
    }
    if action.is_none() && !has_action_key {
        errors.push(
            PolicyError::new(
                ErrorKind::MissingAction,
                head,
                "the statement has no `Action` or `NotAction`",
            )
            .with_help("add `\"Action\"` with the actions the statement covers, such as `\"s3:GetObject\"`"),
        );
    }
    // Role trust policies name a principal and no resource; every other statement needs one.
    if resource.is_none() && principal.is_none() && !has_resource_or_principal_key {
        errors.push(
            PolicyError::new(
                ErrorKind::MissingResource,
                head,
                "the statement has no `Resource` or `NotResource`",
            )
            .with_help("add `\"Resource\": \"*\"` or the ARNs the statement covers"),
        );
    }
    Some(Statement {
        sid,
        effect: effect?,
        principal,
        action: action?,
        resource,
        condition,
        condition_span,
        span: node.span,
    })
}

fn effect_value(node: Node, errors: &mut Vec<PolicyError>) -> Option<Spanned<Effect>> {
    let s = string_value(node, "`Effect`", errors)?;
    let effect = match s.node.as_str() {
        "Allow" => Effect::Allow,
        "Deny" => Effect::Deny,
        other => {
            let help = if other.eq_ignore_ascii_case("allow") || other.eq_ignore_ascii_case("deny")
            {
                format!(
                    "`Effect` is case sensitive: write `{}`",
                    if other.eq_ignore_ascii_case("allow") {
                        "Allow"
                    } else {
                        "Deny"
                    }
                )
            } else {
                "`Effect` is `Allow` or `Deny`".to_owned()
            };
            errors.push(
                PolicyError::new(
                    ErrorKind::InvalidEffect,
                    s.span,
                    format!("`{other}` is not an effect"),
                )
                .with_help(help),
            );
            return None;
        }
    };
    Some(Spanned::new(effect, s.span))
}

fn principal_value(node: Node, errors: &mut Vec<PolicyError>) -> Option<Principal> {
    match node.value {
        Value::String(s) if s == "*" => Some(Principal::Any),
        Value::String(s) => {
            errors.push(
                PolicyError::new(
                    ErrorKind::WrongType,
                    node.span,
                    format!("a principal given as the string `{s}`"),
                )
                .with_help("only `\"*\"` may stand alone; name others by type, such as `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`"),
            );
            None
        }
        Value::Object(members) => {
            let mut typed = Vec::new();
            for m in members {
                let Some(kind) = PrincipalType::ALL.into_iter().find(|t| t.as_str() == m.key)
                else {
                    let hint = PrincipalType::ALL
                        .into_iter()
                        .find(|t| t.as_str().eq_ignore_ascii_case(&m.key))
                        .map_or_else(
                            || "principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`".to_owned(),
                            |t| format!("principal types are case sensitive: write `{}`", t.as_str()),
                        );
                    errors.push(
                        PolicyError::new(
                            ErrorKind::InvalidPrincipalKey,
                            m.key_span,
                            format!("`{}` is not a principal type", m.key),
                        )
                        .with_help(hint),
                    );
                    continue;
                };
                if let Some(values) = string_list(m.value, kind.as_str(), errors) {
                    typed.push((Spanned::new(kind, m.key_span), values));
                }
            }
            Some(Principal::Typed(typed))
        }
        _ => {
            errors.push(wrong_type(&node, "`Principal`", "`\"*\"` or an object"));
            None
        }
    }
}

fn condition_value(node: Node, errors: &mut Vec<PolicyError>) -> Vec<ConditionBlock> {
    let ops = match node.value {
        Value::Object(ops) => ops,
        _ => {
            errors.push(wrong_type(&node, "`Condition`", "an object of operators"));
            return Vec::new();
        }
    };
    let mut blocks = Vec::new();
    for op in ops {
        let operator = match Operator::parse(&op.key) {
            Ok(o) => o,
            Err(OperatorNameError::NullWithIfExists) => {
                errors.push(
                    PolicyError::new(
                        ErrorKind::NullWithIfExists,
                        op.key_span,
                        "`Null` cannot take `IfExists`",
                    )
                    .with_help("`Null` already tests whether the key exists; drop `IfExists`"),
                );
                continue;
            }
            Err(OperatorNameError::Unknown { suggestion }) => {
                let help = suggestion.map_or_else(
                    || "see the condition operators in the IAM User Guide".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                errors.push(
                    PolicyError::new(
                        ErrorKind::InvalidConditionOperator,
                        op.key_span,
                        format!("`{}` is not a condition operator", op.key),
                    )
                    .with_help(help),
                );
                continue;
            }
        };
        let keys = match op.value.value {
            Value::Object(keys) => keys,
            _ => {
                errors.push(wrong_type(
                    &op.value,
                    &format!("`{}`", op.key),
                    "an object of condition keys",
                ));
                continue;
            }
        };
        let mut entries = Vec::with_capacity(keys.len());
        for k in keys {
            let is_array = matches!(k.value.value, Value::Array(_));
            let span = k.value.span;
            if let Some(values) = condition_values(k.value, &k.key, errors) {
                entries.push(ConditionEntry {
                    key: Spanned::new(k.key.into_owned(), k.key_span),
                    values,
                    is_array,
                    span,
                });
            }
        }
        blocks.push(ConditionBlock {
            operator: Spanned::new(operator, op.key_span),
            operator_text: op.key.into_owned(),
            entries,
        });
    }
    blocks
}

fn condition_values(
    node: Node,
    key: &str,
    errors: &mut Vec<PolicyError>,
) -> Option<Vec<Spanned<ConditionValue>>> {
    let scalar = |n: Node, errors: &mut Vec<PolicyError>| -> Option<Spanned<ConditionValue>> {
        let v = match n.value {
            Value::String(s) => ConditionValue::String(s),
            Value::Bool(b) => ConditionValue::Bool(b),
            Value::Number(s) => ConditionValue::Number(s),
            _ => {
                errors.push(wrong_type(
                    &n,
                    &format!("a value of `{key}`"),
                    "a string, number or boolean",
                ));
                return None;
            }
        };
        Some(Spanned::new(v, n.span))
    };
    match node.value {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|n| scalar(n, errors))
                .collect(),
        ),
        value => scalar(
            Node {
                value,
                span: node.span,
            },
            errors,
        )
        .map(|v| vec![v]),
    }
}

fn string_list(node: Node, element: &str, errors: &mut Vec<PolicyError>) -> Option<StringList> {
    match node.value {
        Value::String(s) => Some(StringList {
            items: vec![Spanned::new(s, node.span)],
            is_array: false,
            span: node.span,
        }),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item.value {
                    Value::String(s) => out.push(Spanned::new(s, item.span)),
                    _ => errors.push(wrong_type(
                        &item,
                        &format!("an entry of `{element}`"),
                        "a string",
                    )),
                }
            }
            Some(StringList {
                items: out,
                is_array: true,
                span: node.span,
            })
        }
        _ => {
            errors.push(wrong_type(
                &node,
                &format!("`{element}`"),
                "a string or an array of strings",
            ));
            None
        }
    }
}

fn string_value(node: Node, what: &str, errors: &mut Vec<PolicyError>) -> Option<Spanned<String>> {
    match node.value {
        Value::String(s) => Some(Spanned::new(s, node.span)),
        _ => {
            errors.push(wrong_type(&node, what, "a string"));
            None
        }
    }
}

fn wrong_type(node: &Node, what: &str, expected: &str) -> PolicyError {
    let help = match (&node.value, expected) {
        (Value::Bool(_) | Value::Number(_), e) if e.contains("string") => {
            "put the value in double quotes".to_owned()
        }
        _ => format!("write {what} as {expected}"),
    };
    PolicyError::new(
        ErrorKind::WrongType,
        node.span,
        format!("{what} must be {expected}, not {}", node.value.type_name()),
    )
    .with_help(help)
}

fn unknown_element(m: &Member, known: &[&str], place: &str) -> PolicyError {
    let suggestion = known
        .iter()
        .map(|k| {
            (
                edit_distance(&m.key.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= k.len() / 3 + 1)
        .min_by_key(|(d, _)| *d);
    let help = suggestion.map_or_else(
        || {
            let names: Vec<_> = known.iter().map(|k| format!("`{k}`")).collect();
            format!("the elements allowed {place} are {}", names.join(", "))
        },
        |(_, k)| format!("did you mean `{k}`? element names are case sensitive"),
    );
    PolicyError::new(
        ErrorKind::UnknownElement,
        m.key_span,
        format!("`{}` is not a policy element {place}", m.key),
    )
    .with_help(help)
}

fn combination(key_span: Span, a: &str, b: &str) -> PolicyError {
    PolicyError::new(
        ErrorKind::ElementCombination,
        key_span,
        format!("a statement cannot have both `{a}` and `{b}`"),
    )
    .with_help(format!(
        "keep one of `{a}` and `{b}`, or split the statement in two"
    ))
}

/// Reports repeated `Sid`s, looking at every statement object, valid or not.
fn check_unique_sids(node: &Node, errors: &mut Vec<PolicyError>) {
    let items = match &node.value {
        Value::Array(items) => items.as_slice(),
        _ => return,
    };
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        let Value::Object(members) = &item.value else {
            continue;
        };
        for m in members.iter().filter(|m| m.key == "Sid") {
            let Value::String(sid) = &m.value.value else {
                continue;
            };
            if sid.is_empty() {
                continue;
            }
            if seen.contains(&sid.as_str()) {
                errors.push(
                    PolicyError::new(
                        ErrorKind::DuplicateSid,
                        m.value.span,
                        format!("the `Sid` `{sid}` is used by an earlier statement"),
                    )
                    .with_help("give every statement its own `Sid`"),
                );
            } else {
                seen.push(sid);
            }
        }
    }
}
