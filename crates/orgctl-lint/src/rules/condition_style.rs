//! ## What it does
//! Finds conditions that are written in a way AWS reads differently from how they look:
//!
//! - `*` or `?` in a value of `StringEquals`, `StringNotEquals` or their `IgnoreCase` forms
//!   (`WILDCARD_WITHOUT_LIKE_OPERATOR`, warning): these operators compare literally. ARN
//!   operators accept wildcards and are left alone, and so are the escapes `${*}` and `${?}`;
//! - `Null` with `ForAllValues:` or `ForAnyValue:` (`NULL_WITH_QUALIFIER`, suggestion);
//! - the same key twice in one operator, or the same operator twice in one `Condition`,
//!   spelt with different case (`DUPLICATE_KEYS_WITH_DIFFERENT_CASE`, error): AWS compares
//!   keys and operators without regard to case, so the two collide;
//! - a key with an empty array of values (`EMPTY_ARRAY_CONDITION`, and its
//!   `_FORALLVALUES`, `_FORANYVALUE` and `_IFEXISTS` forms, suggestion), an empty `Condition`
//!   or an operator with no keys (`EMPTY_OBJECT_CONDITION`, suggestion);
//! - `Bool` with more than one boolean for one key (`INVALID_CONDITION_MULTIPLE_BOOLEAN`,
//!   error, as IAM Access Analyzer classes it): a key holds one boolean, so two values either
//!   repeat each other or contradict each other, and `["true", "false"]` matches every request
//!   that has the key. Multivalued keys under a set qualifier are not reported.
//!
//! ## Why is this bad?
//! `"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}` matches only the literal
//! text with a star, so the exemption or grant it was meant to express never applies. Keys
//! that differ only by case are the same key to AWS, and only one of the two takes effect. Empty
//! arrays and objects usually mark a template left half-filled.
//!
//! ## Example
//! ```json
//! "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}}
//! ```
//!
//! Use instead:
//! ```json
//! "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}}
//! ```
//!
//! ## References
//! - IAM User Guide, condition operators and condition keys (case of key names)
//! - IAM Access Analyzer policy checks: `WILDCARD_WITHOUT_LIKE_OPERATOR`, `NULL_WITH_QUALIFIER`,
//!   `DUPLICATE_KEYS_WITH_DIFFERENT_CASE`, `EMPTY_ARRAY_CONDITION`, `EMPTY_OBJECT_CONDITION`,
//!   `INVALID_CONDITION_MULTIPLE_BOOLEAN`

use orgctl_eval::values;
use orgctl_policy::{BaseOperator, Operator, SetQualifier, Span};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "condition-style",
    summary: "literal wildcards, keys differing in case, empty conditions and other condition slips",
    docs: include_str!("condition_style.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let policy = cx.policy;
    let src = cx.src;
    for statement in &policy.statements {
        if let Some(span) = statement.condition_span
            && statement.condition.is_empty()
            && is_empty_pair(src, span, '{', '}')
        {
            cx.report(
                FindingType::Suggestion,
                "EMPTY_OBJECT_CONDITION",
                span,
                "the `Condition` is empty",
                "remove the empty `Condition`, or add the conditions it was meant to hold",
            );
        }
        for (i, block) in statement.condition.iter().enumerate() {
            let op = block.operator.node;
            let earlier = statement.condition.get(..i).unwrap_or_default();
            if let Some(first) = earlier.iter().find(|b| {
                b.operator_text.eq_ignore_ascii_case(&block.operator_text)
                    && b.operator_text != block.operator_text
            }) {
                cx.report(
                    FindingType::Error,
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    block.operator.span,
                    format!(
                        "`{}` is `{}` again with different case: AWS reads both as one operator",
                        block.operator_text, first.operator_text
                    ),
                    "merge the keys of both into one operator",
                );
            }
            if op.base == BaseOperator::Null && op.qualifier.is_some() {
                cx.report(
                    FindingType::Suggestion,
                    "NULL_WITH_QUALIFIER",
                    block.operator.span,
                    format!(
                        "`{}` has a set qualifier, but `Null` only tests whether the key is present",
                        block.operator_text
                    ),
                    "write `Null` without `ForAllValues:` or `ForAnyValue:`",
                );
            }
            if block.entries.is_empty()
                && let Some(span) = object_after_key(src, block.operator.span)
            {
                cx.report(
                    FindingType::Suggestion,
                    "EMPTY_OBJECT_CONDITION",
                    span,
                    format!("`{}` has no condition keys", block.operator_text),
                    "remove the empty operator, or add the keys it was meant to test",
                );
            }
            for (j, entry) in block.entries.iter().enumerate() {
                let key = entry.key.node.as_str();
                let earlier = block.entries.get(..j).unwrap_or_default();
                if let Some(first) = earlier
                    .iter()
                    .find(|e| e.key.node.eq_ignore_ascii_case(key) && e.key.node != key)
                {
                    cx.report(
                        FindingType::Error,
                        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                        entry.key.span,
                        format!(
                            "`{key}` is `{}` again with different case: AWS reads both as one key",
                            first.key.node
                        ),
                        "keep one spelling and merge the values of both",
                    );
                }
                if entry.is_array
                    && entry.values.is_empty()
                    && is_empty_pair(src, entry.span, '[', ']')
                {
                    let (code, message) = empty_array(op, key);
                    cx.report(
                        FindingType::Suggestion,
                        code,
                        entry.span,
                        message,
                        "add the values to compare, or remove the key",
                    );
                }
                if is_literal_string_operator(op.base) {
                    for value in &entry.values {
                        let text = value.node.as_text();
                        if let Some(wildcard) = literal_wildcard(text) {
                            cx.report(
                                FindingType::Warning,
                                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                                value.span,
                                format!(
                                    "`{text}` contains `{wildcard}`, but `{op}` compares it literally"
                                ),
                                format!(
                                    "use `{}` to match a pattern (or write `${{{wildcard}}}` for a literal `{wildcard}`)",
                                    like_operator(op)
                                ),
                            );
                        }
                    }
                }
                if op.base == BaseOperator::Bool && op.qualifier.is_none() {
                    let booleans: Vec<bool> = entry
                        .values
                        .iter()
                        .filter_map(|v| values::boolean(v.node.as_text()))
                        .collect();
                    if booleans.len() > 1 {
                        let contradict = booleans.contains(&true) && booleans.contains(&false);
                        let message = if contradict {
                            format!(
                                "`{key}` lists both `true` and `false`: the condition holds whenever the key is present"
                            )
                        } else {
                            format!("`{key}` lists the same boolean {} times", booleans.len())
                        };
                        cx.report(
                            FindingType::Error,
                            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
                            entry.span,
                            message,
                            "give the key a single `true` or `false`",
                        );
                    }
                }
            }
        }
    }
}

/// Whether `span` of `src` is `open`, optional whitespace, `close`.
fn is_empty_pair(src: &str, span: Span, open: char, close: char) -> bool {
    src.get(span.start..span.end)
        .and_then(|t| t.strip_prefix(open))
        .and_then(|t| t.strip_suffix(close))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// The span of an empty object written as the value of the key at `key_span`, if it is one.
fn object_after_key(src: &str, key_span: Span) -> Option<Span> {
    let rest = src.get(key_span.end..)?;
    let after_colon = rest.trim_start().strip_prefix(':')?;
    let start = src.len() - after_colon.trim_start().len();
    let body = src.get(start..)?.strip_prefix('{')?;
    let inner = body.len() - body.trim_start().len();
    body.trim_start()
        .starts_with('}')
        .then(|| Span::new(start, start + 1 + inner + 1))
}

fn empty_array(op: Operator, key: &str) -> (&'static str, String) {
    match (op.qualifier, op.if_exists) {
        (Some(SetQualifier::ForAllValues), _) => (
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            format!(
                "`{key}` has an empty array of values: with `ForAllValues:` it matches only requests without the key"
            ),
        ),
        (Some(SetQualifier::ForAnyValue), _) => (
            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
            format!("`{key}` has an empty array of values: with `ForAnyValue:` it never matches"),
        ),
        (None, true) => (
            "EMPTY_ARRAY_CONDITION_IFEXISTS",
            format!(
                "`{key}` has an empty array of values: with `IfExists` the condition depends only on whether the key is present"
            ),
        ),
        (None, false) => (
            "EMPTY_ARRAY_CONDITION",
            format!("`{key}` has an empty array of values: there is nothing to compare"),
        ),
    }
}

const fn is_literal_string_operator(base: BaseOperator) -> bool {
    matches!(
        base,
        BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
    )
}

/// The `Like` operator that matches `op`'s values as patterns.
fn like_operator(op: Operator) -> Operator {
    Operator {
        base: if op.base.is_negated() {
            BaseOperator::StringNotLike
        } else {
            BaseOperator::StringLike
        },
        ..op
    }
}

/// The first `*` or `?` in `text` outside policy variables (`${*}` and `${?}` are escapes).
fn literal_wildcard(text: &str) -> Option<char> {
    let mut rest = text;
    loop {
        let (head, tail) = match rest.find("${") {
            Some(start) => {
                let after = rest.get(start + 2..).unwrap_or_default();
                match after.find('}') {
                    Some(end) => (
                        rest.get(..start).unwrap_or_default(),
                        after.get(end + 1..).unwrap_or_default(),
                    ),
                    None => (rest, ""),
                }
            }
            None => (rest, ""),
        };
        if let Some(c) = head.chars().find(|c| matches!(c, '*' | '?')) {
            return Some(c);
        }
        if tail.is_empty() {
            return None;
        }
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use orgctl_catalog::Catalog;

    use crate::{LintOptions, PolicyType};

    fn findings(src: &str) -> Vec<(&'static str, String)> {
        let catalog = Catalog::embedded().unwrap();
        crate::lint_with(src, &LintOptions::new(PolicyType::Scp), catalog)
            .findings
            .into_iter()
            .filter(|f| f.rule == super::RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn wildcards_in_literal_operators() {
        let src = with_condition(
            r#"{"StringNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::*:role/Admin", "arn:aws:iam::111122223333:role/x"]}, "StringEqualsIgnoreCase": {"aws:username": "bob?"}, "ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"}, "StringEquals": {"s3:prefix": "home/${*}"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                (
                    "WILDCARD_WITHOUT_LIKE_OPERATOR",
                    r#""arn:aws:iam::*:role/Admin""#
                ),
                ("WILDCARD_WITHOUT_LIKE_OPERATOR", r#""bob?""#),
            ])
        );
    }

    #[test]
    fn null_with_a_qualifier() {
        let src = with_condition(r#"{"ForAnyValue:Null": {"aws:TagKeys": "false"}}"#);
        assert_eq!(
            findings(&src),
            pairs(&[("NULL_WITH_QUALIFIER", r#""ForAnyValue:Null""#)])
        );
    }

    #[test]
    fn keys_and_operators_differing_in_case() {
        let src = with_condition(
            r#"{"StringEquals": {"aws:RequestedRegion": "eu-west-1", "AWS:requestedregion": "eu-west-2"}, "stringequals": {"aws:username": "x"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                (
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    r#""AWS:requestedregion""#
                ),
                ("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", r#""stringequals""#),
            ])
        );
    }

    #[test]
    fn empty_arrays_and_objects() {
        let src = with_condition(
            r#"{"StringEquals": {"aws:username": [ ]}, "ForAllValues:StringEquals": {"aws:TagKeys": []}, "ForAnyValue:StringLike": {"aws:TagKeys": []}, "StringEqualsIfExists": {"aws:SourceVpc": []}, "NumericLessThan": { }}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("EMPTY_ARRAY_CONDITION", "[ ]"),
                ("EMPTY_ARRAY_CONDITION_FORALLVALUES", "[]"),
                ("EMPTY_ARRAY_CONDITION_FORANYVALUE", "[]"),
                ("EMPTY_ARRAY_CONDITION_IFEXISTS", "[]"),
                ("EMPTY_OBJECT_CONDITION", "{ }"),
            ])
        );
        let empty = with_condition("{}");
        assert_eq!(findings(&empty), pairs(&[("EMPTY_OBJECT_CONDITION", "{}")]));
    }

    #[test]
    fn several_booleans_for_one_key() {
        let src = with_condition(
            r#"{"Bool": {"aws:SecureTransport": ["true", "false"], "aws:ViaAWSService": [false, "false"], "aws:PrincipalIsAWSService": ["false"]}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("INVALID_CONDITION_MULTIPLE_BOOLEAN", r#"["true", "false"]"#),
                ("INVALID_CONDITION_MULTIPLE_BOOLEAN", r#"[false, "false"]"#),
            ])
        );
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert_eq!(findings(src), pairs(&[]));
    }
}
