//! ## What it does
//! Finds statements that change nothing because another statement of the same policy already
//! covers every request they match:
//! - a statement whose actions, resources and principal are all covered by another statement of
//!   the same effect, which has no condition or the same condition (`REDUNDANT_STATEMENT`);
//! - an `Allow` statement whose every request an unconditional `Deny` of the same policy denies
//!   (`SHADOWED_STATEMENT`): it never takes effect.
//!
//! Actions are covered when another statement's pattern matches them (`s3:GetObject` under
//! `s3:Get*`), or, for `Allow` statements, when every catalog action a pattern matches is
//! matched by the other statement. Resources are covered by `*`, by an equal ARN, or by a
//! wildcard ARN that contains them. The rule stays silent whenever it cannot be sure:
//! `NotAction`, `NotResource` or `NotPrincipal` on either side, or different conditions.
//!
//! ## Why is this bad?
//! A redundant statement is dead weight that still has to be reviewed, kept in sync and, in an
//! SCP, paid for in characters of a hard quota. A shadowed `Allow` is worse: whoever wrote it
//! expects it to grant something, and it never does.
//!
//! ## Example
//! ```json
//! [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
//!  {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]
//! ```
//!
//! Use instead:
//! ```json
//! [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]
//! ```
//!
//! ## References
//! - IAM Access Analyzer policy checks: `REDUNDANT_STATEMENT`
//! - IAM User Guide, policy evaluation logic (an explicit deny overrides any allow)

use std::cell::OnceCell;

use orgctl_catalog::{ActionRef, Catalog};
use orgctl_policy::{Effect, Principal, Statement};

use super::Rule;
use super::redundant_value::{Kind, PatternSet, Scratch, has_wildcard, normalized};
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::util::FxHashMap;

/// The rule.
pub const RULE: Rule = Rule {
    name: "redundant-statement",
    summary: "statements another statement of the policy already covers, and allows a deny shadows",
    docs: include_str!("redundant_statement.rs"),
    check,
};

/// A statement reduced to what coverage needs; `None` for statements the rule leaves alone.
#[derive(Debug)]
struct Shape<'a> {
    effect: Effect,
    actions: Patterns<'a>,
    /// `None` when the statement has no `Resource` (trust policies).
    resources: Option<Patterns<'a>>,
    /// Principal, normalized: `None` for no `Principal`, `Some(empty)` for `"*"`.
    principal: Option<Vec<(&'static str, &'a str)>>,
    /// Whether the statement has no condition.
    unconditional: bool,
    /// Its condition, computed on first use.
    condition: OnceCell<Condition<'a>>,
    statement: &'a Statement,
}

/// A condition, normalized: operator, lower-case key and sorted values, sorted.
type Condition<'a> = Vec<(String, String, Vec<&'a str>)>;

impl<'a> Shape<'a> {
    /// The condition, normalized; empty when unconditional.
    fn condition(&self) -> &Condition<'a> {
        self.condition
            .get_or_init(|| normalized_condition(self.statement))
    }
}

fn normalized_condition(st: &Statement) -> Condition<'_> {
    let mut condition: Condition<'_> = st
        .condition
        .iter()
        .flat_map(|b| {
            let op = b.operator.node.to_string();
            b.entries.iter().map(move |e| {
                let mut values: Vec<&str> = e.values.iter().map(|v| v.node.as_text()).collect();
                values.sort_unstable();
                values.dedup();
                (op.clone(), e.key.node.to_ascii_lowercase(), values)
            })
        })
        .collect();
    condition.sort();
    condition
}

/// The entries of `Action` or `Resource`, normalized, and indexed to cover others.
#[derive(Debug)]
struct Patterns<'a> {
    /// Contains `*`.
    any: bool,
    kind: Kind,
    /// The entries indexed for [`Patterns::covers`], built on first use: most pairs of
    /// statements are told apart by their services first.
    set: OnceCell<PatternSet<'a>>,
    /// Normalized entries.
    items: Vec<&'a str>,
    /// The services of the action entries, as [`ServiceMask`] bits.
    services: ServiceMask,
}

/// A set of action services as 64 bits, one per service name's hash: an action entry
/// `service:pattern` with a literal service sets its bit in `named`; any other entry (a
/// wildcard or a variable in the service, no `:`, or a resource) sets `open`, as it may match
/// any service.
#[derive(Debug, Clone, Copy, Default)]
struct ServiceMask {
    named: u64,
    open: bool,
}

impl ServiceMask {
    fn of(items: &[&str], kind: Kind) -> Self {
        let mut mask = Self {
            named: 0,
            open: kind == Kind::Resource,
        };
        if mask.open {
            return mask;
        }
        for item in items {
            match item.split_once(':') {
                Some((service, _)) if !service.contains(['*', '?', '$']) => {
                    mask.named |= service_bit(service);
                }
                _ => mask.open = true,
            }
        }
        mask
    }

    /// False when `inner` names a service that no entry of `outer` can match: then no entry of
    /// `outer` matches that entry of `inner`, nor any action it expands to.
    fn may_cover(outer: Self, inner: Self) -> bool {
        outer.open || inner.named & !outer.named == 0
    }
}

fn service_bit(service: &str) -> u64 {
    let hash = service.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1 << (hash >> 58)
}

impl<'a> Patterns<'a> {
    /// `buf` holds the normalized entries that are not the entries themselves.
    fn new(list: &'a orgctl_policy::StringList, kind: Kind, buf: &'a mut String) -> Self {
        let items = normalized(&list.items, kind, buf);
        Self {
            any: items.contains(&"*"),
            kind,
            set: OnceCell::new(),
            services: ServiceMask::of(&items, kind),
            items,
        }
    }

    /// Whether an entry covers the value `norm`.
    fn covers(&self, norm: &str, scratch: &mut Scratch) -> bool {
        self.any
            || self
                .set
                .get_or_init(|| PatternSet::new(self.items.iter().copied(), self.kind))
                .covers(norm, scratch)
    }
}

/// `bufs` hold the normalized entries of `Action` and `Resource`.
fn shape<'a>(st: &'a Statement, bufs: &'a mut (String, String)) -> Option<Shape<'a>> {
    if st.action.negated
        || st
            .resource
            .as_ref()
            .is_some_and(|r| r.negated || r.values.items.is_empty())
        || st.principal.as_ref().is_some_and(|p| p.negated)
        || st.action.values.items.is_empty()
    {
        return None;
    }
    let principal = st.principal.as_ref().map(|p| {
        let mut v: Vec<(&'static str, &str)> = match &p.value {
            Principal::Any => Vec::new(),
            Principal::Typed(entries) => entries
                .iter()
                .flat_map(|(k, list)| {
                    list.items
                        .iter()
                        .map(move |i| (k.node.as_str(), i.node.as_str()))
                })
                .collect(),
        };
        // `{"AWS": "*"}` is `"*"`.
        if v.iter().any(|(k, i)| *k == "AWS" && *i == "*") {
            v.clear();
        }
        v.sort_unstable();
        v.dedup();
        v
    });
    Some(Shape {
        effect: st.effect.node,
        actions: Patterns::new(&st.action.values, Kind::Action, &mut bufs.0),
        resources: st
            .resource
            .as_ref()
            .map(|r| Patterns::new(&r.values, Kind::Resource, &mut bufs.1)),
        principal,
        unconditional: st.condition.iter().all(|b| b.entries.is_empty()),
        condition: OnceCell::new(),
        statement: st,
    })
}

/// Catalog expansions of wildcard action patterns, computed once per run.
struct Expansions<'c> {
    catalog: &'c Catalog,
    cache: FxHashMap<String, Vec<ActionRef<'c>>>,
    /// An action's lower-case `service:name`.
    name: String,
}

impl<'c> Expansions<'c> {
    /// Whether the pattern matches some action and `outer` covers every action it matches.
    fn all_covered(&mut self, pattern: &str, outer: &Patterns<'_>, scratch: &mut Scratch) -> bool {
        let catalog = self.catalog;
        let expanded = self
            .cache
            .entry(pattern.to_owned())
            .or_insert_with(|| catalog.expand(pattern));
        let name = &mut self.name;
        !expanded.is_empty()
            && expanded.iter().all(|a| {
                name.clear();
                name.push_str(a.service().prefix());
                name.push(':');
                name.push_str(a.name());
                name.make_ascii_lowercase();
                outer.covers(name, scratch)
            })
    }
}

/// Whether `outer`'s actions cover every action of `inner`. `by_catalog` allows a wildcard of
/// `inner` to be covered by several patterns of `outer` together, as the catalog stands.
fn actions_covered(
    inner: &Shape<'_>,
    outer: &Shape<'_>,
    by_catalog: bool,
    expansions: &mut Expansions<'_>,
    scratch: &mut Scratch,
) -> bool {
    let outer = &outer.actions;
    if outer.any {
        return true;
    }
    if !ServiceMask::may_cover(outer.services, inner.actions.services) {
        return false;
    }
    inner.actions.items.iter().all(|norm| {
        if outer.covers(norm, scratch) {
            return true;
        }
        if !(by_catalog && has_wildcard(norm) && may_share_actions(norm, outer)) {
            return false;
        }
        expansions.all_covered(norm, outer, scratch)
    })
}

/// Whether `outer` has an entry that may match actions of the services `pattern` names:
/// without one, there is no point in expanding `pattern`.
fn may_share_actions(pattern: &str, outer: &Patterns<'_>) -> bool {
    fn service_of(p: &str) -> Option<&str> {
        p.split_once(':').map(|(s, _)| s)
    }
    let any_service = |s: Option<&str>| s.is_none_or(has_wildcard);
    let service = service_of(pattern);
    if any_service(service) {
        // Every service: only an entry with a wildcard service can follow.
        return outer.items.iter().any(|o| any_service(service_of(o)));
    }
    outer.items.iter().any(|o| {
        let s = service_of(o);
        any_service(s) || s == service
    })
}

fn resources_covered(inner: &Shape<'_>, outer: &Shape<'_>, scratch: &mut Scratch) -> bool {
    match (&inner.resources, &outer.resources) {
        (None, None) => true,
        (Some(i), Some(o)) => o.any || i.items.iter().all(|norm| o.covers(norm, scratch)),
        _ => false,
    }
}

fn name(policy: &orgctl_policy::Policy, index: usize) -> String {
    match policy
        .statements
        .get(index)
        .and_then(|s| s.sid.as_ref())
        .filter(|s| !s.node.is_empty())
    {
        Some(sid) => format!("statement #{} (`{}`)", index + 1, sid.node),
        None => format!("statement #{}", index + 1),
    }
}

fn check(cx: &mut LintContext<'_>) {
    let policy = cx.policy;
    if policy.statements.len() < 2 {
        return;
    }
    let mut bufs = vec![(String::new(), String::new()); policy.statements.len()];
    let shapes: Vec<Option<Shape<'_>>> = policy
        .statements
        .iter()
        .zip(&mut bufs)
        .map(|(st, buf)| shape(st, buf))
        .collect();
    let mut expansions = Expansions {
        catalog: cx.catalog,
        cache: FxHashMap::default(),
        name: String::new(),
    };
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    for (i, inner) in shapes.iter().enumerate() {
        let Some(inner) = inner else { continue };
        // An unconditional `Deny` that covers an `Allow`.
        if inner.effect == Effect::Allow {
            let shadow = shapes.iter().enumerate().find_map(|(j, outer)| {
                let outer = outer.as_ref()?;
                (j != i
                    && outer.effect == Effect::Deny
                    && outer.unconditional
                    && match (&outer.principal, &inner.principal) {
                        (None, None) => true,
                        (Some(o), Some(p)) => o.is_empty() || o == p,
                        _ => false,
                    }
                    && actions_covered(inner, outer, false, &mut expansions, &mut scratch)
                    && resources_covered(inner, outer, &mut scratch))
                .then_some(j)
            });
            if let Some(j) = shadow {
                found.push((
                    FindingType::Warning,
                    "SHADOWED_STATEMENT",
                    i,
                    format!(
                        "{} never takes effect: {} denies every request it allows",
                        name(policy, i),
                        name(policy, j)
                    ),
                    "remove the statement, or narrow the `Deny` if the access is meant to be granted",
                ));
                continue;
            }
        }
        let cover = shapes.iter().enumerate().find_map(|(j, outer)| {
            let outer = outer.as_ref()?;
            let by_catalog = inner.effect == Effect::Allow;
            if j == i
                || outer.effect != inner.effect
                || outer.principal != inner.principal
                || !(outer.unconditional || outer.condition() == inner.condition())
                || !actions_covered(inner, outer, by_catalog, &mut expansions, &mut scratch)
                || !resources_covered(inner, outer, &mut scratch)
            {
                return None;
            }
            // Two statements that cover each other: keep the first.
            let mutual = outer.condition() == inner.condition()
                && resources_covered(outer, inner, &mut scratch)
                && actions_covered(outer, inner, by_catalog, &mut expansions, &mut scratch);
            (!(mutual && j > i)).then_some(j)
        });
        if let Some(j) = cover {
            found.push((
                FindingType::Suggestion,
                "REDUNDANT_STATEMENT",
                i,
                format!(
                    "{} is redundant: {} already covers every request it matches",
                    name(policy, i),
                    name(policy, j)
                ),
                "remove the statement",
            ));
        }
    }
    for (ty, code, i, message, hint) in found {
        if let Some(st) = policy.statements.get(i) {
            cx.report(ty, code, st.span, message, hint);
        }
    }
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

    fn policy(statements: &[&str]) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            statements.join(", ")
        )
    }

    #[test]
    fn service_masks_rule_out_only_statements_that_cannot_cover() {
        let mask = |items: &[&str]| ServiceMask::of(items, Kind::Action);
        // A literal service another statement does not name: no cover.
        assert!(!ServiceMask::may_cover(
            mask(&["s3:getobject", "s3:put*"]),
            mask(&["ec2:describe*"])
        ));
        assert!(ServiceMask::may_cover(
            mask(&["s3:*", "ec2:*"]),
            mask(&["ec2:describe*", "s3:getobject"])
        ));
        // Entries that may match any service keep every pair in play.
        for open in ["*:get*", "s?:get*", "${aws:x}:get*", "*", "s3*"] {
            assert!(
                ServiceMask::may_cover(mask(&[open]), mask(&["ec2:describe*"])),
                "{open}"
            );
        }
        // Inner entries without a literal service ask nothing of the outer statement.
        assert!(ServiceMask::may_cover(
            mask(&["s3:*"]),
            mask(&["*:get*", "s3:getobject"])
        ));
        // Resources are never told apart this way.
        assert!(ServiceMask::may_cover(
            ServiceMask::of(&["arn:aws:s3:::b"], Kind::Resource),
            ServiceMask::of(&["arn:aws:ec2:::x"], Kind::Resource)
        ));
    }

    #[test]
    fn covered_statement_of_same_effect() {
        let narrow = r#"{"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucket*"], "Resource": "arn:aws:s3:::logs", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#;
        let broad = r#"{"Sid": "DenyS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#;
        let src = policy(&[narrow, broad]);
        assert_eq!(
            lint(&src, PolicyType::Scp),
            [("REDUNDANT_STATEMENT", narrow.to_owned())]
        );
        let report = crate::lint_with(
            &src,
            &LintOptions::new(PolicyType::Scp),
            orgctl_catalog::Catalog::embedded().unwrap(),
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == RULE.name)
            .unwrap();
        assert_eq!(
            f.message,
            "statement #1 is redundant: statement #2 (`DenyS3`) already covers every request it matches"
        );
    }

    #[test]
    fn duplicates_report_the_later_one() {
        let a = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;
        let b = r#"{"Effect": "Allow", "Action": "S3:getobject", "Resource": "arn:aws:s3:::b/*"}"#;
        assert_eq!(
            lint(&policy(&[a, b]), PolicyType::Identity),
            [("REDUNDANT_STATEMENT", b.to_owned())]
        );
    }

    #[test]
    fn catalog_decides_union_coverage_for_allows() {
        // `sts:Get*` is every `sts:Get...` action of the catalog, each listed by the first.
        let c = Catalog::embedded().unwrap();
        let every: Vec<String> = c
            .expand("sts:Get*")
            .iter()
            .map(|a| format!("\"{}\"", a.full_name()))
            .collect();
        let listed = format!(
            r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
            every.join(", ")
        );
        let pattern = r#"{"Effect": "Allow", "Action": "sts:Get*", "Resource": "*"}"#;
        assert_eq!(
            lint(&policy(&[&listed, pattern]), PolicyType::Identity),
            [("REDUNDANT_STATEMENT", pattern.to_owned())]
        );
        // Not for denies: a later `sts:Get...` action would escape the enumeration. The
        // enumeration itself is redundant next to the pattern either way.
        let deny = |s: &str| s.replace("Allow", "Deny");
        assert_eq!(
            lint(&policy(&[&deny(&listed), &deny(pattern)]), PolicyType::Scp),
            [("REDUNDANT_STATEMENT", deny(&listed))]
        );
    }

    #[test]
    fn allow_shadowed_by_unconditional_deny() {
        let allow = r#"{"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::*:user/x"}"#;
        let deny = r#"{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}"#;
        assert_eq!(
            lint(&policy(&[allow, deny]), PolicyType::Identity),
            [("SHADOWED_STATEMENT", allow.to_owned())]
        );
        let conditional = r#"{"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#;
        assert!(lint(&policy(&[allow, conditional]), PolicyType::Identity).is_empty());
    }

    #[test]
    fn silent_when_unsure() {
        for pair in [
            // Different conditions.
            [
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
                r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}"#,
            ],
            // NotAction on the covering side.
            [
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#,
                r#"{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}"#,
            ],
            // Resources not contained.
            [
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"}"#,
                r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}"#,
            ],
            // Actions not contained.
            [
                r#"{"Effect": "Deny", "Action": ["s3:Get*", "s3:ListBucket"], "Resource": "*"}"#,
                r#"{"Effect": "Deny", "Action": ["s3:Put*", "s3:GetObject"], "Resource": "*"}"#,
            ],
            // Different effects (and the deny is conditional).
            [
                r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
                r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
            ],
        ] {
            assert!(lint(&policy(&pair), PolicyType::Scp).is_empty(), "{pair:?}");
        }
        let principals = [
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}"#,
        ];
        assert!(lint(&policy(&principals), PolicyType::Resource).is_empty());
        for src in [
            include_str!("../../../../examples/docustack/policies/ProtectLogArchive.json"),
            include_str!("../../../../examples/docustack/policies/DenyPublicS3.json"),
        ] {
            assert!(lint(src, PolicyType::Scp).is_empty());
        }
    }
}
