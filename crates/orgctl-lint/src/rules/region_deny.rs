//! ## What it does
//! Checks SCP region locks: `Deny` statements conditioned on `aws:RequestedRegion` with
//! `StringNotEquals` or `StringNotLike` (with or without `IfExists`, possibly with conditions
//! on the caller such as an `aws:PrincipalArn` exemption; a lock that also conditions on the
//! request, such as `aws:SourceVpc`, is left alone). For every action of a global service, it asks whether the statement denies a
//! request made through the service's endpoint region, and reports the statement when that
//! region is not an allowed one: those actions are denied everywhere, since the service cannot
//! be reached through any other region.
//!
//! The global services and their endpoint regions are data, listed in the rule's source with
//! their sources. Some are named only alongside others and never raise the finding alone:
//! services that few accounts use (AWS Device Farm, Amazon Q Developer in chat applications,
//! Amazon Chime, retired services), and the region-independent actions AWS's example exempts
//! (`ec2:DescribeRegions`, `s3:ListAllMyBuckets`, ...), which the hint adds.
//!
//! ## Why is this bad?
//! `aws:RequestedRegion` is the region of the endpoint the request went to. IAM, Organizations,
//! Route 53, CloudFront, Support, billing and the STS global endpoint are served from
//! `us-east-1`; Global Accelerator and Network Manager from `us-west-2`. A lock to
//! `eu-west-1` that does not exempt them denies every IAM call, every Organizations call and
//! every billing page, also for the administrators who must fix it.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "NotAction": ["cloudfront:*", "route53:*"], "Resource": "*",
//!  "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
//! ```
//!
//! Use instead (exempt every global service the accounts use):
//! ```json
//! {"Effect": "Deny",
//!  "NotAction": ["cloudfront:*", "route53:*", "iam:*", "organizations:*", "sts:*",
//!                "support:*", "account:*", "billing:*", "budgets:*", "ce:*"],
//!  "Resource": "*",
//!  "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
//! ```
//!
//! ## References
//! - IAM User Guide, "AWS: Denies access to AWS based on the requested Region"
//!   (`reference_policies_examples_aws_deny-requested-region`)
//! - AWS Organizations User Guide, general example SCPs, "Deny access to AWS based on the
//!   requested AWS Region"
//! - IAM User Guide, global condition keys: `aws:RequestedRegion`
//! - AWS General Reference, service endpoints (services with a single global endpoint)

use orgctl_eval::condition::{CompiledCondition, compile_block};
use orgctl_eval::{Context, ContextValue};
use orgctl_policy::glob::{self, Case, Seg};
use orgctl_policy::{BaseOperator, ConditionBlock, Effect, Statement, Version};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "region-deny",
    summary: "region locks that deny global services whose endpoint region is not allowed",
    docs: include_str!("region_deny.rs"),
    check,
};

/// A global service: its prefix, the region its endpoint reports in `aws:RequestedRegion`,
/// and whether its breaking alone is worth a finding.
#[derive(Debug, Clone, Copy)]
struct GlobalService {
    prefix: &'static str,
    region: &'static str,
    alone: bool,
}

const fn core(prefix: &'static str, region: &'static str) -> GlobalService {
    GlobalService {
        prefix,
        region,
        alone: true,
    }
}

const fn minor(prefix: &'static str, region: &'static str) -> GlobalService {
    GlobalService {
        prefix,
        region,
        alone: false,
    }
}

/// Global services and the region their endpoint reports, most important first (the order of
/// the message). Data, not logic; AWS adds services over time.
///
/// Sources: the IAM User Guide's "deny-requested-region" example (CloudFront, IAM, Route 53 and
/// Support in `us-east-1`; budgets, globalaccelerator, importexport, organizations and waf as
/// further global services; Amazon Q Developer in chat applications (`chatbot`) and AWS Device
/// Farm in `us-west-2`); the AWS Organizations User Guide's general example SCPs and
/// aws-samples/service-control-policy-examples `Region-controls` (the `NotAction` list of
/// `a4b` .. `trustedadvisor`, `waf`); the AWS General Reference's single-endpoint services
/// (Account Management, Billing and Cost Management, Savings Plans, Price List, Health, Shield,
/// Artifact in `us-east-1`; Global Accelerator, Network Manager and the Route 53 Application
/// Recovery Controller control plane in `us-west-2`); and reported breakage of region locks
/// without `supportplans:*`, `account:*` and `artifact:*` (cloudposse
/// terraform-aws-service-control-policies #33, #29, #50).
///
/// Not listed, though AWS's example exempts them: services with regional endpoints that only
/// some uses pin to `us-east-1` (`acm`, `kms`, `wafv2` and `config` for CloudFront,
/// `directconnect`, `fms`, `wellarchitected`, `waf-regional`), and services whose home region
/// each organization chooses (`sso`, `identitystore`).
const GLOBAL_SERVICES: &[GlobalService] = &[
    core("iam", "us-east-1"),
    core("organizations", "us-east-1"),
    core("sts", "us-east-1"), // the global endpoint; regional endpoints report their region
    core("account", "us-east-1"),
    core("route53", "us-east-1"),
    core("route53domains", "us-east-1"),
    core("cloudfront", "us-east-1"),
    core("support", "us-east-1"),
    core("supportplans", "us-east-1"),
    core("trustedadvisor", "us-east-1"),
    core("health", "us-east-1"),
    core("aws-portal", "us-east-1"),
    core("billing", "us-east-1"),
    core("budgets", "us-east-1"),
    core("ce", "us-east-1"),
    core("cur", "us-east-1"),
    core("payments", "us-east-1"),
    core("tax", "us-east-1"),
    core("invoicing", "us-east-1"),
    core("freetier", "us-east-1"),
    core("purchase-orders", "us-east-1"),
    core("consolidatedbilling", "us-east-1"),
    core("savingsplans", "us-east-1"),
    core("pricing", "us-east-1"),
    core("artifact", "us-east-1"),
    core("shield", "us-east-1"),
    core("waf", "us-east-1"),
    core("aws-marketplace", "us-east-1"),
    core("aws-marketplace-management", "us-east-1"),
    core("globalaccelerator", "us-west-2"),
    core("networkmanager", "us-west-2"),
    minor("route53-recovery-control-config", "us-west-2"),
    minor("route53-recovery-readiness", "us-west-2"),
    minor("devicefarm", "us-west-2"),
    minor("chatbot", "us-west-2"),
    minor("chime", "us-east-1"),
    minor("importexport", "us-east-1"),
    minor("a4b", "us-east-1"),
    minor("mobileanalytics", "us-east-1"),
];

/// Actions of regional services that AWS's example exempts in every region: the console and
/// tools call them through whichever region is at hand (the account-wide S3 settings and
/// bucket list, the region list, Network Manager's views of transit and VPN gateways).
const REGIONLESS_ACTIONS: &[&str] = &[
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "s3:GetAccountPublic*",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublic*",
];

/// Regions tried, in order, to find one the statement denies (for [`REGIONLESS_ACTIONS`]).
const PROBE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
    "ap-south-1",
    "me-central-1",
    "af-south-1",
];

const REGION_KEY: &str = "aws:RequestedRegion";

fn check(cx: &mut LintContext<'_>) {
    if cx.options.policy_type != PolicyType::Scp {
        return;
    }
    let variables = cx.policy.language_version() == Version::V2012_10_17;
    let mut found = Vec::new();
    for st in &cx.policy.statements {
        if let Some(f) = analyze(cx, st, variables) {
            found.push(f);
        }
    }
    for (span, message, hint) in found {
        cx.report(
            FindingType::Warning,
            "REGION_DENY_BREAKS_GLOBAL_SERVICES",
            span,
            message,
            hint,
        );
    }
}

/// What one global service loses.
struct Broken<'a> {
    prefix: &'a str,
    region: &'a str,
    denied: Vec<&'a str>,
    total: usize,
}

impl Broken<'_> {
    /// `svc:*` when every action is denied, else the denied actions (at most `limit`).
    fn names(&self, limit: usize) -> Vec<String> {
        if self.denied.len() == self.total {
            return vec![format!("`{}:*`", self.prefix)];
        }
        self.denied
            .iter()
            .take(limit)
            .map(|n| format!("`{}:{n}`", self.prefix))
            .collect()
    }
}

type Report = (orgctl_policy::Span, String, String);

fn analyze(cx: &LintContext<'_>, st: &Statement, variables: bool) -> Option<Report> {
    if st.effect.node != Effect::Deny
        || st.principal.is_some()
        || !st
            .resource
            .as_ref()
            .is_none_or(|r| !r.negated && r.values.items.iter().any(|i| i.node == "*"))
    {
        return None;
    }
    let is_region_lock = st.condition.iter().any(|b| {
        let op = b.operator.node;
        op.qualifier.is_none()
            && matches!(
                op.base,
                BaseOperator::StringNotEquals
                    | BaseOperator::StringNotLike
                    | BaseOperator::StringNotEqualsIgnoreCase
            )
            && b.entries
                .iter()
                .any(|e| e.key.node.eq_ignore_ascii_case(REGION_KEY))
    });
    if !is_region_lock || !only_caller_conditions(st) {
        return None;
    }
    // Only the region conditions: other conditions choose whom the lock applies to, and it
    // breaks the global services for them all the same.
    let mut conditions: Vec<CompiledCondition> = Vec::new();
    for block in &st.condition {
        let entries: Vec<_> = block
            .entries
            .iter()
            .filter(|e| e.key.node.eq_ignore_ascii_case(REGION_KEY))
            .cloned()
            .collect();
        if !entries.is_empty() {
            let region_only = ConditionBlock {
                entries,
                ..block.clone()
            };
            compile_block(&region_only, variables, &mut conditions);
        }
    }
    let denied_in = |region: &str| {
        let mut ctx = Context::with_capacity(1);
        ctx.insert(REGION_KEY, ContextValue::Single(region.to_owned()));
        conditions.iter().all(|c| c.holds(&ctx))
    };
    let matcher = ActionMatcher::new(st);
    let catalog = cx.catalog;

    let mut broken: Vec<(Broken<'_>, bool)> = Vec::new();
    let mut regions: Vec<&str> = Vec::new();
    for region in ["us-east-1", "us-west-2"] {
        if !denied_in(region) {
            continue;
        }
        for svc in GLOBAL_SERVICES.iter().filter(|s| s.region == region) {
            let Some(service) = catalog.service(svc.prefix) else {
                continue;
            };
            let mut total = 0;
            let mut in_service = matcher.for_service(svc.prefix);
            let mut denied: Vec<&str> = service
                .actions()
                .inspect(|_| total += 1)
                .map(|a| a.name())
                .filter(|name| in_service.matches(name))
                .collect();
            denied.sort_unstable();
            if !denied.is_empty() {
                if !regions.contains(&region) {
                    regions.push(region);
                }
                broken.push((
                    Broken {
                        prefix: svc.prefix,
                        region,
                        denied,
                        total,
                    },
                    svc.alone,
                ));
            }
        }
    }
    if !broken.iter().any(|(_, alone)| *alone) {
        return None;
    }
    // Keep the table's order (most important first) across both regions.
    broken.sort_by_key(|(b, _)| {
        GLOBAL_SERVICES
            .iter()
            .position(|s| s.prefix == b.prefix && s.region == b.region)
    });
    let count: usize = broken.iter().map(|(b, _)| b.denied.len()).sum();
    let shown: Vec<String> = broken.iter().flat_map(|(b, _)| b.names(2)).collect();
    let listed = list(&shown, 5);
    let (where_, verb) = match regions.as_slice() {
        [one] => (format!("`{one}`"), "which is not an allowed region"),
        _ => (
            regions
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" and "),
            "which are not allowed regions",
        ),
    };
    let message = format!(
        "denies {} actions of global services whose endpoints are in {where_}, {verb}: {listed}",
        thousands(count)
    );

    // Region-independent actions, denied in some region that is not allowed.
    let regionless: Vec<String> = PROBE_REGIONS
        .iter()
        .find(|r| denied_in(r))
        .map(|_| {
            REGIONLESS_ACTIONS
                .iter()
                .filter(|pattern| {
                    let (prefix, _) = pattern.split_once(':').unwrap_or_default();
                    catalog
                        .expand(pattern)
                        .iter()
                        .any(|a| matcher.matches(prefix, a.name()))
                })
                .map(|p| format!("`{p}`"))
                .collect()
        })
        .unwrap_or_default();
    let names = |alone: bool| -> Vec<String> {
        broken
            .iter()
            .filter(|(_, a)| *a == alone)
            .flat_map(|(b, _)| b.names(8))
            .collect()
    };
    let core = names(true).join(", ");
    let mut hint = if st.action.negated {
        format!("add {core} to `NotAction`")
    } else {
        format!("deny with `NotAction` instead, exempting the global services {core}")
    };
    let minor = names(false);
    if !minor.is_empty() {
        hint.push_str(&format!(
            "; if the accounts use them, also {}",
            minor.join(", ")
        ));
    }
    if !regionless.is_empty() {
        hint.push_str(&format!(
            "; AWS's example also exempts {} in every region",
            regionless.join(", ")
        ));
    }
    Some((st.action.key_span, message, hint))
}

/// Condition keys (lower case, prefixes) that describe the caller or the time rather than the
/// request, so that a region lock with them still applies to the callers' global-service
/// requests. A condition on anything else (`aws:SourceVpc`, `aws:SourceIp`, a service's keys)
/// may select requests that never reach a global service: the rule stays silent then.
const CALLER_KEYS: &[&str] = &[
    "aws:requestedregion",
    "aws:principal",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:multifactorauth",
    "aws:securetransport",
    "aws:tokenissuetime",
    "aws:currenttime",
    "aws:epochtime",
    "aws:sourceidentity",
    "aws:federatedprovider",
];

fn only_caller_conditions(st: &Statement) -> bool {
    st.condition.iter().all(|b| {
        b.entries.iter().all(|e| {
            let key = e.key.node.to_ascii_lowercase();
            CALLER_KEYS.iter().any(|k| key.starts_with(k))
        })
    })
}

/// Up to `n` items, then how many more.
fn list(items: &[String], n: usize) -> String {
    let mut out = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        out.push_str(&format!(" and {} more", items.len() - n));
    }
    out
}

/// `1204` as `1,204`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A statement's `Action`/`NotAction`, matched the way the evaluator matches it: a literal
/// service prefix selects the service and the name is matched against the rest; other
/// patterns are matched against the whole `service:Name`. Letters compare without regard to
/// case.
struct ActionMatcher<'a> {
    negated: bool,
    any: bool,
    /// Service, name pattern.
    by_service: Vec<(&'a str, Vec<Seg<'a>>)>,
    /// Whole patterns.
    whole: Vec<Vec<Seg<'a>>>,
}

impl<'a> ActionMatcher<'a> {
    fn new(st: &'a Statement) -> Self {
        let mut m = Self {
            negated: st.action.negated,
            any: false,
            by_service: Vec::new(),
            whole: Vec::new(),
        };
        for item in &st.action.values.items {
            let pattern = item.node.as_str();
            if pattern == "*" {
                m.any = true;
                continue;
            }
            match pattern.split_once(':') {
                Some((service, name)) if !glob::has_wildcard(service) => {
                    m.by_service.push((service, glob::segments(name)));
                }
                _ => m.whole.push(glob::segments(pattern)),
            }
        }
        m
    }

    /// The matcher for the actions of the service `prefix`.
    fn for_service<'m>(&'m self, prefix: &'m str) -> ServiceMatcher<'m, 'a> {
        ServiceMatcher {
            matcher: self,
            prefix,
            names: self
                .by_service
                .iter()
                .filter(|(s, _)| s.eq_ignore_ascii_case(prefix))
                .map(|(_, segs)| segs.as_slice())
                .collect(),
            full: String::new(),
        }
    }

    /// Whether the statement covers `prefix:name` (the statement's effect applies to it).
    fn matches(&self, prefix: &str, name: &str) -> bool {
        let hit = self.any
            || self
                .by_service
                .iter()
                .filter(|(s, _)| s.eq_ignore_ascii_case(prefix))
                .any(|(_, segs)| glob::matches(segs, name, Case::AsciiInsensitive))
            || (!self.whole.is_empty() && {
                let full = format!("{prefix}:{name}");
                self.whole
                    .iter()
                    .any(|segs| glob::matches(segs, &full, Case::AsciiInsensitive))
            });
        hit != self.negated
    }
}

/// An [`ActionMatcher`] for the actions of one service: [`ActionMatcher::matches`] with the
/// patterns of other services set aside once.
struct ServiceMatcher<'m, 'a> {
    matcher: &'m ActionMatcher<'a>,
    prefix: &'m str,
    /// The name patterns of the service.
    names: Vec<&'m [Seg<'a>]>,
    /// `prefix:name`, for the whole patterns.
    full: String,
}

impl ServiceMatcher<'_, '_> {
    fn matches(&mut self, name: &str) -> bool {
        let m = self.matcher;
        let hit = m.any
            || self
                .names
                .iter()
                .any(|segs| glob::matches(segs, name, Case::AsciiInsensitive))
            || (!m.whole.is_empty() && {
                self.full.clear();
                self.full.push_str(self.prefix);
                self.full.push(':');
                self.full.push_str(name);
                m.whole
                    .iter()
                    .any(|segs| glob::matches(segs, &self.full, Case::AsciiInsensitive))
            });
        hit != m.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::LintOptions;

    fn findings(src: &str) -> Vec<crate::Finding> {
        crate::lint_with(
            src,
            &LintOptions::new(PolicyType::Scp),
            orgctl_catalog::Catalog::embedded().unwrap(),
        )
        .findings
        .into_iter()
        .filter(|f| f.rule == RULE.name)
        .collect()
    }

    fn lint(src: &str) -> Vec<(&'static str, String)> {
        findings(src)
            .iter()
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    /// aws-samples/service-control-policy-examples, `Region-controls/Deny-access-to-AWS-based-
    /// on-the-requested-AWS-region.json` (MIT-0), as of 2025-10-29.
    const AWS_SAMPLE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": [
                "a4b:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*",
                "aws-portal:*", "budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*",
                "cur:*", "directconnect:*", "ec2:DescribeRegions", "ec2:DescribeTransitGateways",
                "ec2:DescribeVpnGateways", "fms:*", "globalaccelerator:*", "health:*", "iam:*",
                "importexport:*", "kms:*", "mobileanalytics:*", "networkmanager:*",
                "organizations:*", "pricing:*", "route53:*", "route53domains:*",
                "route53-recovery-cluster:*", "route53-recovery-control-config:*",
                "route53-recovery-readiness:*", "s3:GetAccountPublic*", "s3:ListAllMyBuckets",
                "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*", "shield:*", "sts:*",
                "support:*", "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*",
                "wellarchitected:*"
            ],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}
            }
        }
    ]
}"#;

    #[test]
    fn docustack_region_deny_is_clean() {
        let src = include_str!("../../../../examples/docustack/policies/RegionDeny.json");
        assert!(lint(src).is_empty());
    }

    #[test]
    fn aws_sample_misses_only_newer_global_services() {
        let found = findings(AWS_SAMPLE);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(&AWS_SAMPLE[f.span.start..f.span.end], r#""NotAction""#);
        assert!(
            f.message.starts_with("denies ")
                && f.message.contains("endpoints are in `us-east-1`")
                && f.message.contains("`account:*`")
                && f.message.contains("`supportplans:*`"),
            "{}",
            f.message
        );
        // What the sample exempts is not named; its region-independent actions are exempt.
        for exempt in [
            "`iam:*`",
            "`sts:*`",
            "`organizations:*`",
            "`route53:*`",
            "`ec2:",
        ] {
            assert!(!f.message.contains(exempt), "{exempt}: {}", f.message);
            assert!(!f.hint.as_deref().unwrap().contains(exempt), "{exempt}");
        }
        assert!(
            f.hint
                .as_deref()
                .unwrap()
                .starts_with("add `account:*`, `supportplans:*`")
        );
    }

    #[test]
    fn naive_region_locks_break_iam() {
        for (element, value) in [("NotAction", "[]"), ("Action", r#""*""#)] {
            let src = format!(
                r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "{element}": {value}, "Resource": "*",
                  "Condition": {{"StringNotEquals": {{"aws:RequestedRegion": "eu-west-1"}}}}}}}}"#
            );
            let found = findings(&src);
            assert_eq!(found.len(), 1, "{element}");
            let f = &found[0];
            assert_eq!(&src[f.span.start..f.span.end], format!("\"{element}\""));
            assert!(
                f.message
                    .contains("global services whose endpoints are in `us-east-1` and `us-west-2`")
                    && f.message.contains("`iam:*`, `organizations:*`, `sts:*`"),
                "{}",
                f.message
            );
            let hint = f.hint.as_deref().unwrap();
            assert!(
                hint.contains("`iam:*`") && hint.contains("`ec2:DescribeRegions`"),
                "{hint}"
            );
        }
    }

    #[test]
    fn counts_partial_services_and_patterns() {
        // `iam:Get*` and `iam:List*` exempt: the other IAM actions still break.
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny",
            "NotAction": ["iam:Get*", "iam:List*", "sts:*", "organizations:*", "account:*", "route53:*"], "Resource": "*",
            "Condition": {"StringNotLikeIfExists": {"aws:RequestedRegion": ["eu-*", "us-west-2"]},
                          "Bool": {"aws:PrincipalIsAWSService": "false"}}}}"#;
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let m = &found[0].message;
        assert!(m.contains("in `us-east-1`, which is not"), "{m}");
        assert!(m.contains(": `iam:AcceptDelegationRequest`, `iam:AddClientIDToOpenIDConnectProvider`, `route53domains:*`"), "{m}");
        assert!(
            !m.contains("`iam:*`") && !m.contains("globalaccelerator"),
            "{m}"
        );
    }

    #[test]
    fn silent_when_nothing_breaks() {
        for src in [
            // us-east-1 and us-west-2 allowed.
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": [], "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}}}"#,
            // A regional service only.
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}}"#,
            // Only minor services break (us-east-1 allowed; Device Farm and chatbot denied).
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": ["globalaccelerator:*", "networkmanager:*"], "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}}"#,
            // Not a region lock: denies in the listed regions.
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-east-1"}}}}"#,
        ] {
            assert!(lint(src).is_empty(), "{src}");
        }
        // Identity policies are not checked.
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}}"#;
        let report = crate::lint_with(
            src,
            &LintOptions::new(PolicyType::Identity),
            orgctl_catalog::Catalog::embedded().unwrap(),
        );
        assert!(!report.findings.iter().any(|f| f.rule == RULE.name));
    }

    #[test]
    fn silent_when_other_conditions_select_requests() {
        // aws-samples/data-perimeter-policy-examples: requests through a VPC endpoint must stay in
        // the VPC's region; calls to global services never carry `aws:SourceVpc`.
        let src = r#"{"Version": "2012-10-17", "Statement": {"Sid": "SourceVPCRegion", "Effect": "Deny",
            "Action": "*", "Resource": "*", "Condition": {
              "StringEquals": {"aws:SourceVpc": "vpc-1"},
              "StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}}}"#;
        assert!(lint(src).is_empty());
        let caller_only = src.replace("aws:SourceVpc", "aws:PrincipalTag/team");
        assert_eq!(lint(&caller_only).len(), 1);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
