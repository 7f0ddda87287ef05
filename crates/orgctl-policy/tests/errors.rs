//! Every problem the reader reports, with its position, code, message and help, snapshot-tested
//! over small documents that each show one mistake found in real policy files.

use orgctl_policy::{LineIndex, Policy};

/// Renders every problem of `src` as `line:column CODE message (help: ...)` plus the text the
/// span covers.
fn problems(src: &str) -> String {
    let (_, errors) = Policy::parse_with_errors(src);
    let index = LineIndex::new(src);
    errors
        .iter()
        .map(|e| {
            let at = index.line_col(src, e.span().start);
            let covered = &src[e.span().start..e.span().end];
            format!(
                "{at} {} {} [{covered}]\n    help: {}",
                e.code(),
                e.message(),
                e.help().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn comment_and_trailing_comma() {
    let src = r#"{
  // allow reads
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject",], "Resource": "*"},]
}"#;
    insta::assert_snapshot!(problems(src), @r#"
    2:3 JSON_SYNTAX_ERROR comments are not allowed in JSON [// allow reads]
        help: AWS rejects policy documents with comments; move the text into a `Sid` or remove it
    4:62 JSON_SYNTAX_ERROR trailing comma [,]
        help: JSON allows no comma after the last element; remove it
    4:82 JSON_SYNTAX_ERROR trailing comma [,]
        help: JSON allows no comma after the last element; remove it
    "#);
}

#[test]
fn structural_problems_are_all_reported() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statment": [],
  "Statement": [
    {"Sid": "A", "Effect": "allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Deny", "Resource": "*"},
    {"Effect": "Deny", "Action": 7, "Resource": "*", "Conditon": {}},
    {"Effect": "Deny", "Action": "s3:*", "Condition": {"StringEqual": {"aws:x": "y"}, "NullIfExists": {"k": "true"}}}
  ]
}"#;
    insta::assert_snapshot!(problems(src), @r#"
    3:3 INVALID_POLICY_ELEMENT `Statment` is not a policy element at the top of a policy ["Statment"]
        help: did you mean `Statement`? element names are case sensitive
    5:28 INVALID_EFFECT `allow` is not an effect ["allow"]
        help: `Effect` is case sensitive: write `Allow`
    6:13 UNIQUE_SIDS_REQUIRED the `Sid` `A` is used by an earlier statement ["A"]
        help: give every statement its own `Sid`
    6:54 UNSUPPORTED_ELEMENT_COMBINATION a statement cannot have both `Action` and `NotAction` ["NotAction"]
        help: keep one of `Action` and `NotAction`, or split the statement in two
    7:5 MISSING_ACTION the statement has no `Action` or `NotAction` [{]
        help: add `"Action"` with the actions the statement covers, such as `"s3:GetObject"`
    8:34 DATA_TYPE_MISMATCH `Action` must be a string or an array of strings, not a number [7]
        help: put the value in double quotes
    8:54 INVALID_POLICY_ELEMENT `Conditon` is not a policy element in a statement ["Conditon"]
        help: did you mean `Condition`? element names are case sensitive
    9:5 MISSING_RESOURCE the statement has no `Resource` or `NotResource` [{]
        help: add `"Resource": "*"` or the ARNs the statement covers
    9:56 INVALID_CONDITION_OPERATOR `StringEqual` is not a condition operator ["StringEqual"]
        help: did you mean `StringEquals`?
    9:87 NULL_WITH_IF_EXISTS `Null` cannot take `IfExists` ["NullIfExists"]
        help: `Null` already tests whether the key exists; drop `IfExists`
    "#);
}

#[test]
fn json_syntax_errors_stop_with_a_position() {
    insta::assert_snapshot!(problems("{\n  \"Version\": '2012-10-17'\n}"), @r#"
    2:14 JSON_SYNTAX_ERROR unexpected `'`, expected a value [']
        help: JSON strings use double quotes `"`, not single quotes
    "#);
    insta::assert_snapshot!(problems("{\"Statement\": [{\"Effect\": \"Allow\"}"), @r#"
    1:35 JSON_SYNTAX_ERROR unexpected end of document, expected `,` or `]` []
        help: the document is cut short: close every open `{` and `[`
    "#);
    insta::assert_snapshot!(problems("{\"Version\": \"2012-10-17\"} {\"Version\": \"2012-10-17\"}"), @r#"
    1:27 JSON_SYNTAX_ERROR unexpected text after the end of the document [{]
        help: a policy document holds exactly one top-level JSON object
    "#);
    insta::assert_snapshot!(problems(r#"{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}"#), @r#"
    1:27 DUPLICATE_KEY duplicate key `Version` ["Version"]
        help: the key first appears at byte 1; readers disagree on which one wins, so keep one and merge the values
    "#);
}

#[test]
fn missing_statement_and_wrong_shapes() {
    insta::assert_snapshot!(problems(r#"{"Version": "2012-10-17"}"#), @r#"
    1:1 MISSING_STATEMENT the policy has no `Statement` [{]
        help: add `"Statement": [...]` with at least one statement
    "#);
    insta::assert_snapshot!(problems(r#"["not", "an", "object"]"#), @r#"
    1:1 DATA_TYPE_MISMATCH the policy document must be an object, not an array [["not", "an", "object"]]
        help: write the policy document as an object
    "#);
    insta::assert_snapshot!(problems(r#"{"Version": "2012-10-18", "Statement": {"Effect": "Allow", "Principal": "arn:aws:iam::1:root", "Action": "*"}}"#), @r#"
    1:13 INVALID_VERSION `2012-10-18` is not a policy language version ["2012-10-18"]
        help: use `"Version": "2012-10-17"`, the current version; it enables policy variables
    1:73 DATA_TYPE_MISMATCH a principal given as the string `arn:aws:iam::1:root` ["arn:aws:iam::1:root"]
        help: only `"*"` may stand alone; name others by type, such as `{"AWS": "arn:aws:iam::111122223333:root"}`
    "#);
}

#[test]
fn trust_policies_need_no_resource() {
    let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#;
    assert_eq!(problems(src), "");
}
