//! ## What it does
//! Finds `Deny` statements on `s3:PutObject` that require the server-side encryption header:
//! - `"Null": {"s3:x-amz-server-side-encryption": "true"}`, which denies uploads without the
//!   header;
//! - `"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}` (without `IfExists`),
//!   which denies uploads without the header and, unless `aws:kms` is listed too, uploads that
//!   ask for SSE-KMS.
//!
//! A condition that requires `aws:kms` (without `AES256`) is not reported: it enforces
//! something S3 does not do by default.
//!
//! ## Why is this bad?
//! Since 5 January 2023, S3 encrypts every new object with SSE-S3 (`AES256`) whether or not the
//! request carries the header; objects without the header are encrypted by the bucket's default
//! encryption. The condition key only reflects the request header, so these statements add no
//! protection: they only reject uploads that leave the header out, which breaks SDK clients,
//! tools and presigned URLs that rely on default encryption. The `AES256` form also rejects
//! uploads that ask for stronger, KMS-managed encryption.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
//!  "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}
//! ```
//!
//! Use instead: rely on default encryption. To require KMS keys, set the buckets' default
//! encryption to `aws:kms` and, if every client must send the header, deny
//! `StringNotEquals {"s3:x-amz-server-side-encryption": "aws:kms"}` (with `IfExists` a missing
//! header passes, and the bucket default applies). To forbid customer-provided keys (SSE-C):
//! ```json
//! {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
//!  "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}}
//! ```
//!
//! ## References
//! - Amazon S3 User Guide, protecting data with server-side encryption ("all new object uploads
//!   to Amazon S3 are automatically encrypted", 5 January 2023)
//! - AWS Organizations User Guide, example SCPs for Amazon S3
//! - Service Authorization Reference, Amazon S3 condition keys

use orgctl_policy::glob::{self, Case};
use orgctl_policy::{BaseOperator, Effect, Span, Statement};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "stale-encryption-check",
    summary: "denies on `s3:PutObject` that require the encryption header S3 no longer needs",
    docs: include_str!("stale_encryption.rs"),
    check,
};

const KEY: &str = "s3:x-amz-server-side-encryption";
const HINT: &str = "remove the condition: S3 encrypts every new object since January 2023. To require KMS, set the bucket default encryption to `aws:kms` (and deny `StringNotEquals {\"s3:x-amz-server-side-encryption\": \"aws:kms\"}` only if every client must send the header); to forbid SSE-C, deny `s3:PutObject` with `Null {\"s3:x-amz-server-side-encryption-customer-algorithm\": \"false\"}`";

fn check(cx: &mut LintContext<'_>) {
    let mut found: Vec<(Span, String)> = Vec::new();
    for st in &cx.policy.statements {
        if st.effect.node != Effect::Deny || !denies_put_object(st) {
            continue;
        }
        for block in &st.condition {
            let op = block.operator.node;
            if op.qualifier.is_some() {
                continue;
            }
            for entry in block
                .entries
                .iter()
                .filter(|e| e.key.node.eq_ignore_ascii_case(KEY))
            {
                let values: Vec<&str> = entry.values.iter().map(|v| v.node.as_text()).collect();
                let span = entry.key.span.join(entry.span);
                match op.base {
                    BaseOperator::Null if values.iter().any(|v| v.eq_ignore_ascii_case("true")) => {
                        found.push((
                            span,
                            format!(
                                "`Null` on `{}` only rejects uploads without the header: S3 encrypts every new object since January 2023",
                                entry.key.node
                            ),
                        ));
                    }
                    BaseOperator::StringNotEquals if !op.if_exists => {
                        let aes = values.contains(&"AES256");
                        let kms = values.iter().any(|v| v.starts_with("aws:kms"));
                        if !aes
                            || !values
                                .iter()
                                .all(|v| *v == "AES256" || v.starts_with("aws:kms"))
                        {
                            continue;
                        }
                        let also = if kms {
                            ""
                        } else {
                            " and those that ask for SSE-KMS"
                        };
                        found.push((
                            span,
                            format!(
                                "requiring `AES256` in `{}` only rejects uploads without the header{also}: S3 encrypts every new object with SSE-S3 since January 2023",
                                entry.key.node
                            ),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    for (span, message) in found {
        cx.report(
            FindingType::Warning,
            "STALE_ENCRYPTION_HEADER_CHECK",
            span,
            message,
            HINT,
        );
    }
}

/// Whether the statement's actions include `s3:PutObject`.
fn denies_put_object(st: &Statement) -> bool {
    let hit = st.action.values.items.iter().any(|i| {
        glob::matches(
            &glob::segments(&i.node),
            "s3:PutObject",
            Case::AsciiInsensitive,
        )
    });
    hit != st.action.negated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{LintOptions, PolicyType};

    fn lint(src: &str, ty: PolicyType) -> Vec<(&'static str, String)> {
        let report = crate::lint_with(
            src,
            &LintOptions::new(ty),
            orgctl_catalog::Catalog::embedded().unwrap(),
        );
        report
            .findings
            .iter()
            .filter(|f| f.rule == RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn deny(action: &str, condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "Action": {action}, "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    #[test]
    fn docustack_require_encryption_is_stale() {
        let src = include_str!("../../../../examples/docustack/policies/RequireS3Encryption.json");
        assert_eq!(
            lint(src, PolicyType::Scp),
            [(
                "STALE_ENCRYPTION_HEADER_CHECK",
                "\"s3:x-amz-server-side-encryption\": \"true\"".to_owned()
            )]
        );
    }

    #[test]
    fn aws_sample_is_stale() {
        // aws-samples/service-control-policy-examples, Amazon-S3/Prevent-Amazon-S3-unencrypted-
        // object-uploads.json (MIT-0).
        let src =
            "{\n  \"Version\": \"2012-10-17\",\t\t \t \t \n  \"Statement\": [{\"Effect\": \"Deny\",
            \"Action\": \"s3:PutObject\", \"Resource\": \"*\",
            \"Condition\": {\"Null\": {\"s3:x-amz-server-side-encryption\": \"true\"}}}]}";
        assert_eq!(lint(src, PolicyType::Scp).len(), 1);
    }

    #[test]
    fn null_check_on_patterns_and_in_bucket_policies() {
        let cond = r#"{"Null": {"s3:x-amz-server-side-encryption": true}}"#;
        for action in [
            r#""s3:Put*""#,
            r#""*""#,
            r#"["s3:GetObject", "S3:PUTOBJECT"]"#,
        ] {
            assert_eq!(
                lint(&deny(action, cond), PolicyType::Scp).len(),
                1,
                "{action}"
            );
        }
        assert_eq!(
            lint(&deny(r#""s3:PutObject""#, cond), PolicyType::Identity),
            [(
                "STALE_ENCRYPTION_HEADER_CHECK",
                "\"s3:x-amz-server-side-encryption\": true".to_owned()
            )]
        );
    }

    #[test]
    fn aes256_requirement() {
        let only = r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}"#;
        let both =
            r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}}"#;
        assert_eq!(
            lint(&deny(r#""s3:PutObject""#, only), PolicyType::Scp).len(),
            1
        );
        assert_eq!(
            lint(&deny(r#""s3:PutObject""#, both), PolicyType::Scp).len(),
            1
        );
        let report = crate::lint_with(
            &deny(r#""s3:PutObject""#, only),
            &LintOptions::new(PolicyType::Scp),
            orgctl_catalog::Catalog::embedded().unwrap(),
        );
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.message.contains("SSE-KMS"))
        );
    }

    #[test]
    fn silent_on_checks_that_enforce_something() {
        for (action, cond) in [
            // Requires KMS: S3 does not do that by default.
            (
                r#""s3:PutObject""#,
                r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#,
            ),
            // IfExists: a missing header passes.
            (
                r#""s3:PutObject""#,
                r#"{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}}"#,
            ),
            // Forbids SSE-C.
            (
                r#""s3:PutObject""#,
                r#"{"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}"#,
            ),
            // Null false: denies uploads that send the header.
            (
                r#""s3:PutObject""#,
                r#"{"Null": {"s3:x-amz-server-side-encryption": "false"}}"#,
            ),
            // Not about uploads.
            (
                r#""s3:GetObject""#,
                r#"{"Null": {"s3:x-amz-server-side-encryption": "true"}}"#,
            ),
        ] {
            assert!(
                lint(&deny(action, cond), PolicyType::Scp).is_empty(),
                "{cond}"
            );
        }
        let allow = deny(
            r#""s3:PutObject""#,
            r#"{"Null": {"s3:x-amz-server-side-encryption": "true"}}"#,
        )
        .replace("Deny", "Allow");
        assert!(lint(&allow, PolicyType::Identity).is_empty());
        assert!(
            lint(
                include_str!("../../../../examples/docustack/policies/DenyPublicS3.json"),
                PolicyType::Scp
            )
            .is_empty()
        );
    }
}
