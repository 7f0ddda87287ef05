//! Property tests: printing and re-reading a policy gives the same policy, and spans point at
//! the text of the elements they belong to.

use orgctl_policy::{ConditionValue, Policy};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn one_or_many(items: Vec<String>, as_array: bool) -> Value {
    if !as_array && items.len() == 1 {
        Value::String(items.into_iter().next().unwrap_or_default())
    } else {
        Value::Array(items.into_iter().map(Value::String).collect())
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:/*?${}._-]{1,20}",
        Just("*".to_owned()),
        "\\PC{0,8}",
        Just("tab\there \"quoted\" \\ back".to_owned()),
    ]
}

fn list() -> impl Strategy<Value = Value> {
    (prop::collection::vec(text(), 1..4), any::<bool>()).prop_map(|(v, a)| one_or_many(v, a))
}

fn condition() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec![
        "StringEquals",
        "StringNotLike",
        "ForAnyValue:StringLike",
        "ForAllValues:StringEqualsIfExists",
        "NumericLessThan",
        "DateGreaterThan",
        "Bool",
        "IpAddress",
        "ArnLike",
        "Null",
        "BinaryEquals",
    ]);
    let value = prop_oneof![
        text().prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        (0u32..100_000).prop_map(|n| json!(n)),
    ];
    let values = prop_oneof![
        value.clone(),
        prop::collection::vec(value, 0..3).prop_map(Value::Array),
    ];
    prop::collection::vec(
        (
            op,
            prop::collection::vec(("[a-z]{2,5}:[A-Za-z/]{1,12}", values), 1..3),
        ),
        1..3,
    )
    .prop_map(|blocks| {
        let mut cond = Map::new();
        for (op, keys) in blocks {
            let entry: Map<String, Value> = keys.into_iter().collect();
            cond.insert(op.to_owned(), Value::Object(entry));
        }
        Value::Object(cond)
    })
}

fn statement() -> impl Strategy<Value = Value> {
    (
        proptest::option::of("[A-Za-z0-9]{1,8}"),
        any::<bool>(),
        proptest::option::of((
            any::<bool>(),
            prop_oneof![
                Just(json!("*")),
                list().prop_map(|l| json!({"AWS": l})),
                list().prop_map(
                    |l| json!({"Service": l, "Federated": "cognito-identity.amazonaws.com"})
                ),
            ],
        )),
        (any::<bool>(), list()),
        proptest::option::of((any::<bool>(), list())),
        proptest::option::of(condition()),
    )
        .prop_map(|(sid, allow, principal, action, resource, condition)| {
            let mut st = Map::new();
            if let Some(sid) = sid {
                st.insert("Sid".into(), json!(sid));
            }
            st.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            if let Some((neg, p)) = principal {
                st.insert(if neg { "NotPrincipal" } else { "Principal" }.into(), p);
            }
            st.insert(
                if action.0 { "NotAction" } else { "Action" }.into(),
                action.1,
            );
            match resource {
                Some((neg, r)) => {
                    st.insert(if neg { "NotResource" } else { "Resource" }.into(), r);
                }
                // A statement without a resource is only valid with a principal.
                None if !st.contains_key("Principal") && !st.contains_key("NotPrincipal") => {
                    st.insert("Resource".into(), json!("*"));
                }
                None => {}
            }
            if let Some(c) = condition {
                st.insert("Condition".into(), c);
            }
            Value::Object(st)
        })
}

fn policy() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(prop::sample::select(vec!["2012-10-17", "2008-10-17"])),
        proptest::option::of("[a-z0-9-]{1,10}"),
        prop::collection::vec(statement(), 1..4),
        any::<bool>(),
    )
        .prop_map(|(version, id, statements, as_array)| {
            let mut doc = Map::new();
            if let Some(v) = version {
                doc.insert("Version".into(), json!(v));
            }
            if let Some(id) = id {
                doc.insert("Id".into(), json!(id));
            }
            let statements = if as_array || statements.len() > 1 {
                Value::Array(statements)
            } else {
                statements.into_iter().next().unwrap_or(Value::Null)
            };
            doc.insert("Statement".into(), statements);
            Value::Object(doc)
        })
}

/// Statements with the same Sid are an error; generated ones may collide.
fn unique_sids(doc: &Value) -> bool {
    let mut seen = std::collections::HashSet::new();
    let statements = match &doc["Statement"] {
        Value::Array(v) => v.clone(),
        one => vec![one.clone()],
    };
    statements
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str))
        .all(|sid| seen.insert(sid.to_owned()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_of_print_is_identity(doc in policy(), pretty in any::<bool>()) {
        prop_assume!(unique_sids(&doc));
        let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
        let parsed = Policy::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&parsed.to_json(), &doc);
        // Printing again, in either form, reads back to the same policy.
        let again = Policy::parse(&parsed.to_pretty_string()).unwrap();
        prop_assert_eq!(again.to_json(), parsed.to_json());
        let min = Policy::parse(&parsed.to_minified_string()).unwrap();
        prop_assert_eq!(min.to_json(), doc.clone());
        prop_assert_eq!(parsed.minified_size().bytes, doc.to_string().len());
    }

    #[test]
    fn spans_cover_their_elements(doc in policy()) {
        prop_assume!(unique_sids(&doc));
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let parsed = Policy::parse(&text).unwrap();
        for st in &parsed.statements {
            let src = &text[st.span.start..st.span.end];
            prop_assert!(src.starts_with('{') && src.ends_with('}'), "statement span: {}", src);
            for a in &st.action.values.items {
                let written = &text[a.span.start..a.span.end];
                prop_assert_eq!(serde_json::from_str::<String>(written).unwrap(), a.node.clone());
            }
            prop_assert_eq!(&text[st.effect.span.start..st.effect.span.end], format!("\"{}\"", st.effect.node.as_str()));
            for block in &st.condition {
                let op = &text[block.operator.span.start..block.operator.span.end];
                prop_assert_eq!(serde_json::from_str::<String>(op).unwrap(), block.operator_text.clone());
                for entry in &block.entries {
                    for v in &entry.values {
                        let written: Value = serde_json::from_str(&text[v.span.start..v.span.end]).unwrap();
                        let expected = match &v.node {
                            ConditionValue::String(s) => json!(s),
                            ConditionValue::Bool(b) => json!(b),
                            ConditionValue::Number(n) => serde_json::from_str(n).unwrap(),
                        };
                        prop_assert_eq!(written, expected);
                    }
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Policy::parse_with_errors(&text);
    }

    #[test]
    fn mutated_policies_never_panic(doc in policy(), cut in 0usize..400, insert in "[\\[\\]{},:\"/* ]{0,3}") {
        let mut text = doc.to_string();
        let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count().max(1)).unwrap_or(0);
        text.insert_str(at, &insert);
        let (_, errors) = Policy::parse_with_errors(&text);
        for e in &errors {
            prop_assert!(e.span().start <= e.span().end && e.span().end <= text.len());
        }
    }
}
