//! ## What it does
//! Checks the ARNs of a policy: every `Resource` and `NotResource` entry other than `*`, and
//! the values of `ArnEquals`, `ArnLike`, `ArnNotEquals` and `ArnNotLike` conditions on ARN
//! keys. An ARN reads `arn:partition:service:region:account:resource`, and:
//!
//! - it starts with `arn:` (`INVALID_ARN_PREFIX`);
//! - it has all six colon-separated fields (`MISSING_ARN_FIELD`), unless its last field ends in
//!   `*`, which AWS lets run across colons (`arn:aws:codepipeline:*`);
//! - the partition is `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`,
//!   `aws-iso-f` or `aws-eusc` (`INVALID_PARTITION`);
//! - the service is lower case (`INVALID_ARN_SERVICE_CASE`) and appears in the ARN formats or
//!   action prefixes of the AWS catalog (`INVALID_SERVICE`);
//! - the region looks like a region, such as `us-east-1` (`INVALID_REGION`), and the account is
//!   a 12-digit account ID or a name the catalog's formats use, such as `aws`
//!   (`INVALID_ARN_ACCOUNT`); either may be empty;
//! - against the catalog's ARN formats for the service and the resource part: a region where
//!   every matching format has none (`ARN_REGION_NOT_ALLOWED`, S3 buckets and objects), an
//!   account where every matching format has none (`ARN_ACCOUNT_NOT_ALLOWED`), and an empty
//!   region where every matching format has one (`MISSING_ARN_REGION`). An empty account is
//!   not reported: resources that AWS owns (public SSM parameters and documents, AMIs) have
//!   none although their formats show one.
//!
//! All of these are errors. In addition, when a statement lists only known actions without
//! wildcards, a `Resource` ARN that matches none of the ARN formats of those actions' resource
//! types is a warning (`RESOURCE_MISMATCH`), such as a bucket ARN for `s3:GetObject`, which
//! acts on objects. Wildcards on either side are taken into account: a format and an ARN
//! mismatch only when no ARN can match both.
//!
//! Wildcards and policy variables satisfy any field. Fields that hold a template placeholder
//! (`${Account}`, `[ROLE]`, `{{name}}`, `<id>`) are left to `template-placeholder`.
//!
//! ## Why is this bad?
//! AWS rejects some malformed ARNs when the policy is saved, and accepts others that then match
//! nothing: an `Allow` that grants nothing, or a `Deny` (or a guardrail's exemption) that never
//! applies. `arn:aws:s3:us-east-1::my-bucket` names no bucket, because bucket ARNs have no
//! region.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1::my-bucket"}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}
//! ```
//!
//! ## References
//! - IAM User Guide, IAM identifiers (ARNs) and the `Resource` element
//! - Service Authorization Reference, resource types and their ARN formats
//! - IAM Access Analyzer policy checks: `INVALID_ARN_PREFIX`, `MISSING_ARN_FIELD`,
//!   `INVALID_PARTITION`, `INVALID_ARN_SERVICE_CASE`, `INVALID_SERVICE`, `INVALID_REGION`,
//!   `INVALID_ARN_ACCOUNT`, `ARN_REGION_NOT_ALLOWED`, `ARN_ACCOUNT_NOT_ALLOWED`,
//!   `MISSING_ARN_REGION`; Parliament: `RESOURCE_MISMATCH`

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::sync::OnceLock;

use orgctl_catalog::{Catalog, KeyType};
use orgctl_policy::{OperatorFamily, Span, Statement};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::memo::{Memo, recall};
use crate::util::{FxHashMap, FxHashSet, closest};

/// The rule.
pub const RULE: Rule = Rule {
    name: "arn-format",
    summary: "malformed ARNs, and ARNs that match no resource of the statement's actions",
    docs: include_str!("arn_format.rs"),
    check,
};

const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Account fields that are not account IDs but name AWS itself or its partners.
const NAMED_ACCOUNTS: [&str; 3] = ["aws", "partner", "cloudfront"];

/// Stands for an IAM policy variable in a normalised ARN: it matches like `*`.
const VAR: char = '\u{1}';
/// Stands for a template placeholder in a normalised ARN.
const TEMPLATE: char = '\u{2}';

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    let policy = cx.policy;
    // The index is built on first use, once per process for the embedded catalog: many
    // policies name no ARN.
    let local = OnceCell::new();
    let index = || -> &ArnIndex<'_> {
        match Catalog::embedded() {
            Ok(embedded) if std::ptr::eq(embedded, catalog) => {
                static EMBEDDED: OnceLock<ArnIndex<'static>> = OnceLock::new();
                EMBEDDED.get_or_init(|| ArnIndex::new(embedded))
            }
            _ => local.get_or_init(|| ArnIndex::new(catalog)),
        }
    };
    let known_prefix =
        |prefix: &str| prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some();
    let mut key = String::new();
    for statement in &policy.statements {
        // The ARN formats of the statement's actions, with their tokens: computed when a
        // resource needs them.
        let mut formats: Option<Option<ActionFormats<'_>>> = None;
        if let Some(resource) = &statement.resource {
            let element = if resource.negated {
                "NotResource"
            } else {
                "Resource"
            };
            for item in &resource.values.items {
                let text = item.node.as_str();
                if text == "*" {
                    continue;
                }
                let arn = normalise(text, known_prefix);
                let valid = recall_arn(cx, &mut key, text, &arn, item.span, element, &index);
                if valid
                    && !resource.negated
                    && !is_templated(&arn)
                    && let Some((formats, tokenized)) = formats.get_or_insert_with(|| {
                        action_formats(catalog, statement).map(|f| {
                            let tokens = f.iter().map(|_| OnceCell::new()).collect();
                            (f, tokens)
                        })
                    })
                    && !{
                        let tokens = arn_tokens(&arn);
                        formats
                            .iter()
                            .zip(tokenized.iter())
                            .any(|(f, t)| overlap(&tokens, t.get_or_init(|| format_tokens(f))))
                    }
                {
                    report_mismatch(cx, statement, text, item.span, formats);
                }
            }
        }
        for block in &statement.condition {
            if block.operator.node.base.family() != OperatorFamily::Arn {
                continue;
            }
            for entry in &block.entries {
                let arn_key = catalog
                    .condition_key(&entry.key.node)
                    .is_some_and(|k| matches!(k.key_type, KeyType::Arn | KeyType::ArrayOfArn));
                if !arn_key {
                    continue;
                }
                let element = format!("`{}`", block.operator_text);
                for value in &entry.values {
                    let text = value.node.as_text();
                    if text == "*" {
                        continue;
                    }
                    let arn = normalise(text, known_prefix);
                    recall_arn(cx, &mut key, text, &arn, value.span, &element, &index);
                }
            }
        }
    }
}

/// Reports what [`check_arn`] finds in `text` (`arn` normalised) at `span`, recalled from the
/// thread's memo when the same text was checked in the same element before; `key` is
/// scratch space. Returns whether the ARN is well formed.
fn recall_arn<'c>(
    cx: &mut LintContext<'_>,
    key: &mut String,
    text: &str,
    arn: &str,
    span: Span,
    element: &str,
    index: &impl Fn() -> &'c ArnIndex<'c>,
) -> bool {
    key.clear();
    key.push_str(element);
    key.push('\0');
    key.push_str(text);
    let verdict = recall(&ARNS, cx.catalog, key, || {
        check_arn(index(), text, arn, element)
    });
    for (finding_type, code, message, hint) in verdict.findings {
        cx.report(finding_type, code, span, message, hint);
    }
    verdict.valid
}

/// What the rule concludes about one ARN written in `element`: whether it is well formed, and
/// what to report (type, code, message, hint).
#[derive(Debug, Clone)]
struct ArnVerdict {
    valid: bool,
    findings: Vec<(FindingType, &'static str, String, String)>,
}

thread_local! {
    static ARNS: RefCell<Memo<ArnVerdict>> = RefCell::new(Memo::default());
}

/// Checks one ARN; `arn` is `text` normalised.
fn check_arn(index: &ArnIndex<'_>, text: &str, arn: &str, element: &str) -> ArnVerdict {
    let mut found = Vec::new();
    let valid = arn_findings(index, text, arn, element, &mut found);
    ArnVerdict {
        valid,
        findings: found,
    }
}

/// [`check_arn`]'s findings, into `found`; returns whether the ARN is well formed.
fn arn_findings(
    index: &ArnIndex<'_>,
    text: &str,
    arn: &str,
    element: &str,
    found: &mut Vec<(FindingType, &'static str, String, String)>,
) -> bool {
    let mut all_fields = [""; 6];
    let mut count = 0;
    for (slot, f) in all_fields.iter_mut().zip(arn.splitn(6, ':')) {
        *slot = f;
        count += 1;
    }
    let fields = all_fields.get(..count).unwrap_or_default();
    let field = |i: usize| fields.get(i).copied().unwrap_or_default();
    let head = field(0);
    if head != "arn" {
        if is_templated(head) || head.contains(VAR) {
            return false;
        }
        let hint = if head.eq_ignore_ascii_case("arn") {
            "write `arn:` in lower case"
        } else {
            "write a full ARN, such as `arn:aws:s3:::my-bucket/*`, or `*`"
        };
        found.push((
            FindingType::Error,
            "INVALID_ARN_PREFIX",
            format!(
                "`{text}` in {} is not an ARN: it must start with `arn:`",
                quoted(element)
            ),
            hint.to_owned(),
        ));
        return false;
    }
    if fields.len() < 6 {
        let last = fields.last().copied().unwrap_or_default();
        if !(last.ends_with('*') || last.contains(VAR) || is_templated(last)) {
            found.push((
                FindingType::Error,
                "MISSING_ARN_FIELD",
                format!(
                    "`{text}` has {} of the 6 colon-separated fields of an ARN",
                    fields.len()
                ),
                "ARNs read `arn:partition:service:region:account:resource`; leave the region or account empty (`::`) where the resource has none".to_owned(),
            ));
            return false;
        }
    }
    let mut valid = true;
    let partition = field(1);
    if !is_templated(partition) && !is_open(partition) && !PARTITIONS.contains(&partition) {
        let suggestion = closest(partition, PARTITIONS);
        found.push((
            FindingType::Error,
            "INVALID_PARTITION",
            format!("`{partition}` in `{text}` is not an AWS partition"),
            suggestion.map_or_else(
                || "use `aws`, `aws-cn` or `aws-us-gov` (or another AWS partition)".to_owned(),
                |s| format!("did you mean `{s}`?"),
            ),
        ));
        valid = false;
    }
    let service = field(2);
    let mut known_service = None;
    if fields.len() > 2 && !is_templated(service) && !is_open(service) {
        let lower: Cow<'_, str> = if service.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(service.to_ascii_lowercase())
        } else {
            Cow::Borrowed(service)
        };
        if index.knows(&lower) {
            if lower != service {
                found.push((
                    FindingType::Error,
                    "INVALID_ARN_SERVICE_CASE",
                    format!("the service `{service}` in `{text}` must be lower case"),
                    format!("write `{lower}`"),
                ));
                valid = false;
            }
            known_service = Some(lower);
        } else {
            let suggestion = closest(&lower, index.services().iter().map(String::as_str));
            found.push((
                FindingType::Error,
                "INVALID_SERVICE",
                if service.is_empty() {
                    format!("`{text}` names no service")
                } else {
                    format!("`{service}` in `{text}` is not a service that AWS ARNs name")
                },
                suggestion.map_or_else(
                    || {
                        "see the service's resource types in the Service Authorization Reference"
                            .to_owned()
                    },
                    |s| format!("did you mean `{s}`?"),
                ),
            ));
            valid = false;
        }
    }
    let region = field(3);
    let region_literal = fields.len() > 3 && !is_templated(region) && !is_open(region);
    if region_literal && !region.is_empty() && !is_region(region) {
        found.push((
            FindingType::Error,
            "INVALID_REGION",
            format!("`{region}` in `{text}` is not a region"),
            "write a region such as `us-east-1`, `*` for any, or leave it empty where the resource has none".to_owned(),
        ));
        valid = false;
    }
    let account = field(4);
    let account_literal = fields.len() > 4 && !is_templated(account) && !is_open(account);
    if account_literal
        && !account.is_empty()
        && !is_account_id(account)
        && !NAMED_ACCOUNTS.contains(&account)
        && !known_service
            .as_ref()
            .is_some_and(|s| index.named_account(s, account))
    {
        found.push((
            FindingType::Error,
            "INVALID_ARN_ACCOUNT",
            format!("`{account}` in `{text}` is not an account ID"),
            "write the 12-digit account ID without dashes, `*` for any, or leave it empty where the resource has none".to_owned(),
        ));
        valid = false;
    }
    let Some(service) = known_service else {
        return valid;
    };
    let resource = if fields.len() == 6 { field(5) } else { "*" };
    let resource_tokens = arn_tokens(resource);
    let ends = Ends::of(&resource_tokens);
    // The formats the resource part can match: the first, and what they all agree on.
    let mut candidates = 0;
    let mut example = "";
    let (mut none_has_region, mut all_have_region, mut none_has_account) = (true, true, true);
    for f in index.formats_of(service.as_ref()) {
        if ends.may_overlap(f.ends) && overlap(&resource_tokens, f.resource_tokens()) {
            if candidates == 0 {
                example = f.full;
            }
            candidates += 1;
            none_has_region &= f.region.is_empty();
            all_have_region &= !f.region.is_empty();
            none_has_account &= f.account.is_empty();
        }
    }
    if candidates == 0 {
        return valid;
    }
    if region_literal && fields.len() > 3 {
        if !region.is_empty() && none_has_region {
            found.push((
                FindingType::Error,
                "ARN_REGION_NOT_ALLOWED",
                format!(
                    "`{text}` names the region `{region}`, but these `{service}` ARNs have none, so it matches nothing"
                ),
                format!("leave the region empty, as in `{example}`"),
            ));
            valid = false;
        } else if region.is_empty() && all_have_region {
            found.push((
                FindingType::Error,
                "MISSING_ARN_REGION",
                format!(
                    "`{text}` has no region, but these `{service}` ARNs always have one, so it matches nothing"
                ),
                format!("fill in the region, or `*` for any, as in `{example}`"),
            ));
            valid = false;
        }
    }
    if account_literal && fields.len() > 4 && !account.is_empty() && none_has_account {
        found.push((
            FindingType::Error,
            "ARN_ACCOUNT_NOT_ALLOWED",
            format!(
                "`{text}` names the account `{account}`, but these `{service}` ARNs have none, so it matches nothing"
            ),
            format!("leave the account empty, as in `{example}`"),
        ));
        valid = false;
    }
    valid
}

fn quoted(element: &str) -> String {
    if element.starts_with('`') {
        element.to_owned()
    } else {
        format!("`{element}`")
    }
}

fn report_mismatch(
    cx: &mut LintContext<'_>,
    statement: &Statement,
    text: &str,
    span: Span,
    formats: &[&str],
) {
    let actions: Vec<&str> = statement
        .action
        .values
        .items
        .iter()
        .map(|i| i.node.as_str())
        .collect();
    let (named, verb) = match actions.as_slice() {
        [one] => (format!("`{one}`"), "acts"),
        _ => ("the statement's actions".to_owned(), "act"),
    };
    // Formats of the ARN's own service first, shortest first: they show what was meant.
    let service = text.split(':').nth(2).unwrap_or_default();
    let mut ordered = formats.to_vec();
    ordered.sort_by_key(|f| (f.split(':').nth(2) != Some(service), f.len()));
    let shown: Vec<String> = ordered.iter().take(2).map(|f| format!("`{f}`")).collect();
    cx.report(
        FindingType::Warning,
        "RESOURCE_MISMATCH",
        span,
        format!("`{text}` matches no resource type of {named}"),
        format!("{named} {verb} on resources like {}", shown.join(" or ")),
    );
}

/// The ARN formats of a statement's actions, each with its tokens once computed.
type ActionFormats<'c> = (Vec<&'c str>, Vec<OnceCell<Vec<Tok>>>);

/// The ARN formats of the statement's actions, when every action is a known action without
/// wildcards and every resource type is known; `None` when the check cannot be precise.
fn action_formats<'c>(catalog: &'c Catalog, statement: &Statement) -> Option<Vec<&'c str>> {
    if statement.action.negated || statement.action.values.items.is_empty() {
        return None;
    }
    let mut formats = Vec::new();
    let items = statement.action.values.items.len();
    let mut seen = FxHashSet::with_capacity_and_hasher(items * 2, Default::default());
    for item in &statement.action.values.items {
        if orgctl_policy::glob::has_wildcard(&item.node) {
            return None;
        }
        let action = catalog.action(&item.node)?;
        for resource in action.resources() {
            let format = resource.arn_format()?;
            if seen.insert(format) {
                formats.push(format);
            }
        }
    }
    (!formats.is_empty()).then_some(formats)
}

/// One ARN format of the catalog, split into the fields that matter here.
#[derive(Debug)]
struct ArnFormat<'c> {
    full: &'c str,
    region: &'c str,
    account: &'c str,
    /// The resource field.
    resource: &'c str,
    /// The resource field as a pattern, computed on first use.
    resource_tokens: OnceLock<Vec<Tok>>,
    /// The literals that start and end the resource field.
    ends: Ends,
}

impl ArnFormat<'_> {
    fn resource_tokens(&self) -> &[Tok] {
        self.resource_tokens
            .get_or_init(|| format_tokens(self.resource))
    }
}

/// The ARN formats of the catalog by service field (lower case), built in one pass over the
/// catalog's formats.
#[derive(Debug)]
struct ArnIndex<'c> {
    catalog: &'c Catalog,
    /// Each service's formats, in catalog order, by service field (lower case).
    by_service: FxHashMap<Cow<'c, str>, Vec<ArnFormat<'c>>>,
    /// Every service name ARNs use (action prefixes and format services), lower case,
    /// sorted: built when a suggestion needs it.
    services: OnceLock<Vec<String>>,
}

impl<'c> ArnIndex<'c> {
    /// Whether ARNs use the service `lower` (lower case): an action prefix, or the service of
    /// an ARN format.
    fn knows(&self, lower: &str) -> bool {
        !self.formats_of(lower).is_empty() || self.catalog.service(lower).is_some()
    }

    /// The formats whose service field is `lower` (lower case), in catalog order.
    fn formats_of(&self, lower: &str) -> &[ArnFormat<'c>] {
        self.by_service.get(lower).map_or(&[], Vec::as_slice)
    }

    /// Every service name ARNs use, sorted.
    fn services(&self) -> &[String] {
        self.services.get_or_init(|| {
            let mut services: Vec<String> = self
                .catalog
                .services()
                .map(|s| s.prefix().to_ascii_lowercase())
                .chain(self.by_service.keys().map(|s| s.clone().into_owned()))
                .collect();
            services.sort_unstable();
            services.dedup();
            services
        })
    }

    fn new(catalog: &'c Catalog) -> Self {
        let mut by_service: FxHashMap<Cow<'c, str>, Vec<ArnFormat<'c>>> = FxHashMap::default();
        // The catalog lists each resource type's format once.
        for full in catalog.action_arn_formats() {
            // The first five colons end the fields before the resource.
            let mut colons = [0usize; 5];
            let mut found = 0;
            for (i, b) in full.bytes().enumerate() {
                if b == b':'
                    && let Some(slot) = colons.get_mut(found)
                {
                    *slot = i;
                    found += 1;
                    if found == colons.len() {
                        break;
                    }
                }
            }
            let [_, c2, c3, c4, c5] = colons;
            let (Some(service), Some(region), Some(account), Some(rest)) = (
                full.get(c2 + 1..c3),
                full.get(c3 + 1..c4),
                full.get(c4 + 1..c5),
                full.get(c5 + 1..),
            ) else {
                continue;
            };
            if found < colons.len() {
                continue;
            }
            if service.contains("${") {
                continue;
            }
            let service: Cow<'c, str> = if service.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(service.to_ascii_lowercase())
            } else {
                Cow::Borrowed(service)
            };
            let format = ArnFormat {
                full,
                region,
                account,
                resource: rest,
                resource_tokens: OnceLock::new(),
                ends: Ends::of_format(rest),
            };
            by_service.entry(service).or_default().push(format);
        }
        Self {
            catalog,
            by_service,
            services: OnceLock::new(),
        }
    }

    /// Whether the service's formats write `account` literally in the account field.
    fn named_account(&self, service: &str, account: &str) -> bool {
        self.formats_of(service)
            .iter()
            .any(|f| f.account == account)
    }
}

/// `text` with every `${...}` replaced by [`VAR`] (an IAM variable) or [`TEMPLATE`].
fn normalise(text: &str, known_prefix: impl Fn(&str) -> bool) -> Cow<'_, str> {
    if !text.contains('$') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        out.push_str(rest.get(..start).unwrap_or_default());
        let inner = after.get(..end).unwrap_or_default();
        let name = inner.split(',').next().unwrap_or_default().trim();
        let is_variable = matches!(name, "*" | "?" | "$")
            || name.split_once(':').is_some_and(|(prefix, rest)| {
                !rest.is_empty() && !rest.starts_with(':') && known_prefix(prefix)
            });
        out.push(if is_variable { VAR } else { TEMPLATE });
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether a field holds a template placeholder, which `template-placeholder` reports.
fn is_templated(field: &str) -> bool {
    field.contains(TEMPLATE) || field.contains(['[', '<', '{'])
}

/// Whether a field holds a wildcard or a policy variable, and so can match anything it needs to.
fn is_open(field: &str) -> bool {
    field.contains(['*', '?', VAR])
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`, ...
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    match parts.as_slice() {
        [first, middle @ .., last] if !middle.is_empty() => {
            (2..=4).contains(&first.len())
                && lower(first)
                && middle.iter().all(lower)
                && !last.is_empty()
                && last.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn is_account_id(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

/// One element of a wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    One,
}

/// A normalised policy ARN as a pattern: variables and placeholders match like `*`.
fn arn_tokens(arn: &str) -> Vec<Tok> {
    arn.chars()
        .map(|c| match c {
            '*' | VAR | TEMPLATE => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// A catalog ARN format as a pattern: each `${Name}` matches like `*`.
fn format_tokens(format: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        out.extend(
            rest.get(..start)
                .unwrap_or_default()
                .chars()
                .map(format_char),
        );
        out.push(Tok::Star);
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.extend(rest.chars().map(format_char));
    out
}

const fn format_char(c: char) -> Tok {
    if c == '*' { Tok::Star } else { Tok::Lit(c) }
}

/// The literal characters (lower case) that start and end a pattern, `None` for a wildcard or
/// an empty pattern: two patterns whose first (or last) literals differ cannot overlap, which
/// rules out most of a service's formats before [`overlap`] is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ends {
    first: Option<char>,
    last: Option<char>,
}

impl Ends {
    fn of(tokens: &[Tok]) -> Self {
        let lit = |t: Option<&Tok>| match t {
            Some(Tok::Lit(c)) => Some(c.to_ascii_lowercase()),
            _ => None,
        };
        Self {
            first: lit(tokens.first()),
            last: lit(tokens.last()),
        }
    }

    /// The ends of a catalog format's field, as [`format_tokens`] would give them.
    fn of_format(format: &str) -> Self {
        let lit = |c: Option<char>| c.filter(|&c| c != '*').map(|c| c.to_ascii_lowercase());
        let variable_first = format.starts_with("${");
        let variable_last = format.ends_with('}') && format.contains("${");
        Self {
            first: if variable_first {
                None
            } else {
                lit(format.chars().next())
            },
            last: if variable_last {
                None
            } else {
                lit(format.chars().next_back())
            },
        }
    }

    /// False when the first or the last literals of two patterns differ.
    fn may_overlap(self, other: Self) -> bool {
        let agree = |a: Option<char>, b: Option<char>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        agree(self.first, other.first) && agree(self.last, other.last)
    }
}

/// Whether some string matches both patterns. Letters compare without regard to case, and `*`
/// may cross colons, so the answer errs towards overlap.
fn overlap(a: &[Tok], b: &[Tok]) -> bool {
    // Literals that start (or end) both patterns must pair up: a quick answer for most
    // formats of a service, which differ from the ARN in their first characters.
    if lit_pairs_differ(a.iter().zip(b)) || lit_pairs_differ(a.iter().rev().zip(b.iter().rev())) {
        return false;
    }
    match (a.contains(&Tok::Star), b.contains(&Tok::Star)) {
        (true, true) => stars_overlap(a, b),
        (false, _) => fixed_overlap(a, b),
        (true, false) => fixed_overlap(b, a),
    }
}

/// Whether the first pair of tokens that are not both literals comes after a pair of literals
/// that differ.
fn lit_pairs_differ<'t>(pairs: impl Iterator<Item = (&'t Tok, &'t Tok)>) -> bool {
    for (x, y) in pairs {
        match (x, y) {
            (Tok::Lit(c), Tok::Lit(d)) if c.eq_ignore_ascii_case(d) => {}
            (Tok::Lit(_), Tok::Lit(_)) => return true,
            _ => return false,
        }
    }
    false
}

/// Whether two tokens other than `*` can stand for the same character.
fn compatible(x: Tok, y: Tok) -> bool {
    match (x, y) {
        (Tok::Lit(c), Tok::Lit(d)) => c.eq_ignore_ascii_case(&d),
        _ => true,
    }
}

/// [`overlap`] when `fixed` holds no `*`, so every common string has its length: `fixed` read
/// as a text against the pattern, each `*` of the pattern taking as little as it can and more
/// only when what follows does not fit. (Each piece between stars is placed at its earliest
/// fit, which leaves the most text to the pieces after it.)
fn fixed_overlap(fixed: &[Tok], pattern: &[Tok]) -> bool {
    let (mut t, mut p) = (0, 0);
    // After the last `*` seen: where the pattern resumes, and where the text did.
    let mut retry: Option<(usize, usize)> = None;
    while let Some(&x) = fixed.get(t) {
        match pattern.get(p) {
            Some(Tok::Star) => {
                p += 1;
                retry = Some((p, t));
            }
            Some(&y) if compatible(x, y) => {
                t += 1;
                p += 1;
            }
            _ => match retry {
                Some((rp, rt)) => {
                    p = rp;
                    t = rt + 1;
                    retry = Some((rp, rt + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|y| *y == Tok::Star))
}

/// [`overlap`] for two patterns that both hold a `*`: they overlap exactly when what comes
/// before their first `*` agrees and what comes after their last `*` agrees, position by
/// position. (A common string: the longer head, then every literal piece between the stars of
/// the one and then of the other, then the longer tail; each pattern's stars take the rest.)
fn stars_overlap(a: &[Tok], b: &[Tok]) -> bool {
    let agree = |x: &Tok, y: &Tok| match (x, y) {
        (Tok::Lit(c), Tok::Lit(d)) => c.eq_ignore_ascii_case(d),
        _ => true,
    };
    let head = |p: &[Tok]| p.iter().position(|t| *t == Tok::Star).unwrap_or(p.len());
    let tail = |p: &[Tok]| {
        p.iter()
            .rev()
            .position(|t| *t == Tok::Star)
            .unwrap_or(p.len())
    };
    let (ha, hb) = (head(a), head(b));
    let (ta, tb) = (tail(a), tail(b));
    let heads = a.iter().take(ha).zip(b.iter().take(hb));
    let tails = a.iter().rev().take(ta).zip(b.iter().rev().take(tb));
    heads.chain(tails).all(|(x, y)| agree(x, y))
}

/// [`overlap`] by a search of the pairs of positions both patterns can reach on a common
/// string: the model the tests hold the fast paths to.
#[cfg(test)]
fn overlap_search(a: &[Tok], b: &[Tok]) -> bool {
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut stack = vec![(0, 0)];
    while let Some((i, j)) = stack.pop() {
        let Some(slot) = seen.get_mut(i * width + j) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        match (x, y) {
            (None, None) => return true,
            (Some(Tok::Star), _) | (_, Some(Tok::Star)) => {
                if x == Some(Tok::Star) {
                    stack.push((i + 1, j));
                    if y.is_some_and(|t| t != Tok::Star) {
                        stack.push((i, j + 1));
                    }
                }
                if y == Some(Tok::Star) {
                    stack.push((i, j + 1));
                    if x.is_some_and(|t| t != Tok::Star) {
                        stack.push((i + 1, j));
                    }
                }
            }
            (Some(p), Some(q)) => {
                let same = match (p, q) {
                    (Tok::Lit(c), Tok::Lit(d)) => c.eq_ignore_ascii_case(&d),
                    _ => true,
                };
                if same {
                    stack.push((i + 1, j + 1));
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use orgctl_catalog::Catalog;

    use super::{arn_tokens, format_tokens, overlap};
    use crate::{LintOptions, PolicyType};

    fn findings(src: &str, policy_type: PolicyType) -> Vec<(&'static str, String)> {
        let catalog = Catalog::embedded().unwrap();
        crate::lint_with(src, &LintOptions::new(policy_type), catalog)
            .findings
            .into_iter()
            .filter(|f| f.rule == super::RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn resources(action: &str, resources: &[&str]) -> String {
        let list: Vec<String> = resources.iter().map(|r| format!("\"{r}\"")).collect();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": {action}, "Resource": [{}]}}}}"#,
            list.join(", ")
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn patterns_overlap_as_the_search_finds() {
        use super::{Tok, fixed_overlap, overlap_search, stars_overlap};
        // Every pattern of up to five tokens over a small alphabet.
        let alphabet = [
            Tok::Lit('a'),
            Tok::Lit('B'),
            Tok::Lit('b'),
            Tok::One,
            Tok::Star,
        ];
        let mut patterns: Vec<Vec<Tok>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<Tok>> = patterns
                .iter()
                .filter(|p| p.len() == patterns.last().map_or(0, Vec::len))
                .flat_map(|p| {
                    alphabet.iter().map(move |t| {
                        let mut q = p.clone();
                        q.push(*t);
                        q
                    })
                })
                .collect();
            patterns.extend(longer);
        }
        for (n, a) in patterns.iter().enumerate().step_by(7) {
            for b in patterns.iter().skip(n % 5).step_by(5) {
                let expected = overlap_search(a, b);
                assert_eq!(overlap(a, b), expected, "{a:?} {b:?}");
                assert_eq!(overlap_search(b, a), expected, "{b:?} {a:?}");
                if a.contains(&Tok::Star) && b.contains(&Tok::Star) {
                    assert_eq!(stars_overlap(a, b), expected, "{a:?} {b:?}");
                } else if !a.contains(&Tok::Star) {
                    assert_eq!(fixed_overlap(a, b), expected, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn ends_rule_out_only_formats_that_cannot_overlap() {
        use super::{ArnIndex, Ends};
        let index = ArnIndex::new(Catalog::embedded().unwrap());
        // A format's ends, read from its text, are its tokens' ends or unknown (`None`).
        let formats: Vec<&super::ArnFormat<'_>> = index.by_service.values().flatten().collect();
        for f in &formats {
            let read = Ends::of_format(f.resource);
            let exact = Ends::of(f.resource_tokens());
            assert!(
                read.first.is_none() || read.first == exact.first,
                "{}",
                f.full
            );
            assert!(read.last.is_none() || read.last == exact.last, "{}", f.full);
        }
        let resources = [
            "",
            "*",
            "bucket/*",
            "Bucket/key",
            "instance/i-123",
            "*/x",
            "role/*",
            "table/t",
            "table/t/index/*",
            "a",
            "?able/*",
            "function:f",
            "key/*",
            "stream/s*",
            "x}",
        ];
        let mut ruled_out = 0;
        for r in resources {
            let tokens = arn_tokens(r);
            let ends = Ends::of(&tokens);
            for f in &formats {
                if !ends.may_overlap(f.ends) {
                    ruled_out += 1;
                    assert!(!overlap(&tokens, f.resource_tokens()), "{r} {}", f.full);
                }
            }
        }
        assert!(ruled_out > formats.len(), "the test rules something out");
    }

    #[test]
    fn glob_overlap() {
        let o = |a: &str, f: &str| overlap(&arn_tokens(a), &format_tokens(f));
        assert!(o(
            "arn:aws:s3:::b/*",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
        ));
        assert!(!o(
            "arn:aws:s3:::b",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
        ));
        assert!(o(
            "arn:aws:s3:::b*",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
        ));
        assert!(o("*x*", "*y*"));
        assert!(!o("a?c", "ab"));
        assert!(o(
            "arn:aws:iam::*:role/X",
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
        ));
        assert!(!o(
            "arn:aws:iam::111122223333:user/X",
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
        ));
        // A `*` that ends a field may run across colons, as AWS documents.
        assert!(o(
            "arn:aws:iam::*:user/X",
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
        ));
    }

    #[test]
    fn malformed_arns() {
        let src = resources(
            r#""s3:*""#,
            &[
                "my-bucket",
                "arn:aws:s3:my-bucket",
                "arn:aws-eu:s3:::b",
                "arn:aws:S3:::b",
                "arn:aws:simplestorage:::b",
                "arn:aws:ec2:us-east:111122223333:instance/*",
                "arn:aws:ec2:us-east-1:1111-2222-3333:instance/*",
            ],
        );
        assert_eq!(
            findings(&src, PolicyType::Identity),
            pairs(&[
                ("INVALID_ARN_PREFIX", r#""my-bucket""#),
                ("MISSING_ARN_FIELD", r#""arn:aws:s3:my-bucket""#),
                ("INVALID_PARTITION", r#""arn:aws-eu:s3:::b""#),
                ("INVALID_ARN_SERVICE_CASE", r#""arn:aws:S3:::b""#),
                ("INVALID_SERVICE", r#""arn:aws:simplestorage:::b""#),
                (
                    "INVALID_REGION",
                    r#""arn:aws:ec2:us-east:111122223333:instance/*""#
                ),
                (
                    "INVALID_ARN_ACCOUNT",
                    r#""arn:aws:ec2:us-east-1:1111-2222-3333:instance/*""#
                ),
            ])
        );
    }

    #[test]
    fn fields_the_resource_type_does_not_have() {
        let src = resources(
            r#""s3:*""#,
            &[
                "arn:aws:s3:us-east-1::my-bucket",
                "arn:aws:s3::111122223333:my-bucket/*",
                "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
            ],
        );
        assert_eq!(
            findings(&src, PolicyType::Identity),
            pairs(&[
                (
                    "ARN_REGION_NOT_ALLOWED",
                    r#""arn:aws:s3:us-east-1::my-bucket""#
                ),
                (
                    "ARN_ACCOUNT_NOT_ALLOWED",
                    r#""arn:aws:s3::111122223333:my-bucket/*""#
                ),
            ])
        );
        let other = resources(
            r#"["iam:*", "logs:*", "ssm:*"]"#,
            &[
                "arn:aws:iam:us-east-1:111122223333:role/x",
                "arn:aws:logs:::log-group:x*",
                "arn:aws:ssm:*::document/AWS-RunShellScript",
            ],
        );
        assert_eq!(
            findings(&other, PolicyType::Identity),
            pairs(&[
                (
                    "ARN_REGION_NOT_ALLOWED",
                    r#""arn:aws:iam:us-east-1:111122223333:role/x""#
                ),
                ("MISSING_ARN_REGION", r#""arn:aws:logs:::log-group:x*""#),
            ])
        );
    }

    #[test]
    fn resources_the_actions_do_not_act_on() {
        let src = resources(
            r#"["s3:GetObject", "s3:PutObject"]"#,
            &[
                "arn:aws:s3:::my-bucket",
                "arn:aws:s3:::my-bucket/*",
                "arn:aws:s3:::logs-*",
            ],
        );
        assert_eq!(
            findings(&src, PolicyType::Identity),
            pairs(&[("RESOURCE_MISMATCH", r#""arn:aws:s3:::my-bucket""#)])
        );
        // Wildcard actions and unknown actions are not checked.
        let wild = resources(r#""s3:Get*""#, &["arn:aws:s3:::my-bucket"]);
        assert_eq!(findings(&wild, PolicyType::Identity), pairs(&[]));
    }

    #[test]
    fn arn_conditions() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/Admin", "arn:aws:iam::12345:role/x"]},
                          "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*", "aws:userid": "AIDA*"}}}}"#;
        assert_eq!(
            findings(src, PolicyType::Scp),
            pairs(&[("INVALID_ARN_ACCOUNT", r#""arn:aws:iam::12345:role/x""#)])
        );
    }

    #[test]
    fn placeholders_variables_and_wildcards_stay_silent() {
        let src = resources(
            r#""s3:*""#,
            &[
                "arn:${PARTITION}:s3:::bucket/*",
                "arn:aws:s3:::home/${aws:username}/*",
                "arn:aws:iam::${Account}:role/[ROLE]",
                "arn:aws:codepipeline:*",
                "arn:*:s3:::b",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::partner:policy/x",
                "arn:aws:ec2:${aws:RequestedRegion}:*:instance/*",
            ],
        );
        assert_eq!(findings(&src, PolicyType::Identity), pairs(&[]));
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert_eq!(findings(src, PolicyType::Scp), pairs(&[]));
    }
}
