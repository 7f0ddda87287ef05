//! The witness search: candidate requests built from the values the relevant statements
//! compare with, tried in order of how many keys differ from the plainest request, each
//! decided by the evaluator.

use orgctl_policy::{BaseOperator, OperatorFamily};

use crate::condition::{CompiledCondition, OperandView};
use crate::glob::{self, Case, Seg};
use crate::request::{Context, ContextValue, Request};

use super::proof::decided;
use super::{ActionFacts, Prover, Scope, Signature, Verdict, Witness};

/// Keys every direct request carries, with the value a plain request has.
const ALWAYS_PRESENT: &[(&str, &str)] = &[
    ("aws:securetransport", "true"),
    ("aws:currenttime", "2026-01-01T00:00:00Z"),
    ("aws:epochtime", "1767225600"),
];

/// Keys the principal or resource decide, not the context.
const DERIVED: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:username",
    "aws:resourceaccount",
];

/// A key the search varies, and the values it tries (the first is the plain request's).
#[derive(Debug)]
struct Choice {
    key: String,
    values: Vec<Option<ContextValue>>,
}

/// Looks for an allowed request.
pub(super) fn search(
    prover: &Prover<'_>,
    scope: &Scope,
    facts: &ActionFacts<'_>,
    sig: &Signature,
) -> Verdict {
    let probe = Request::new(
        &scope.default_principal(),
        facts.action,
        "*",
        Some(&scope.account_id),
        scope.base_context(),
    );
    // Conditions that could go either way for this action.
    let open: Vec<&CompiledCondition> = prover
        .relevant(sig)
        .flat_map(|s| s.statement.conditions())
        .filter(|c| decided(c, scope, facts, &probe).is_none())
        .collect();
    let principals = principals(scope, &open);
    let resources = resources(prover, scope, facts, sig, &probe);
    let choices = choices(scope, facts, &open, &probe);
    let base = scope.base_context();

    let mut tried = 0u32;
    let mut picks = vec![0usize; choices.len()];
    for changed in 0..=choices.len() {
        let mut subsets = Subsets::new(choices.len(), changed);
        while let Some(subset) = subsets.next_subset() {
            // Every combination of non-plain values for the keys in `subset`.
            for &i in subset {
                if let Some(p) = picks.get_mut(i) {
                    *p = 1;
                }
            }
            loop {
                let viable = subset
                    .iter()
                    .all(|&i| choices.get(i).is_some_and(|c| c.values.len() > 1));
                if viable {
                    let ctx = context(&base, &choices, &picks);
                    for principal in &principals {
                        for resource in &resources {
                            if tried >= scope.budget {
                                return Verdict::Unknown { tried };
                            }
                            tried += 1;
                            let req =
                                Request::new(principal, facts.action, resource, None, ctx.clone());
                            if prover.allows(&req) {
                                return Verdict::Allowed(Witness {
                                    request: req,
                                    tried,
                                });
                            }
                        }
                    }
                }
                if !advance(subset, &choices, &mut picks) {
                    break;
                }
            }
            for &i in subset {
                if let Some(p) = picks.get_mut(i) {
                    *p = 0;
                }
            }
        }
    }
    Verdict::Unknown { tried }
}

/// The next combination of non-plain values over `subset`, like an odometer; false after the
/// last.
fn advance(subset: &[usize], choices: &[Choice], picks: &mut [usize]) -> bool {
    for &i in subset {
        let len = choices.get(i).map_or(0, |c| c.values.len());
        if let Some(p) = picks.get_mut(i) {
            if *p + 1 < len {
                *p += 1;
                return true;
            }
            *p = 1;
        }
    }
    false
}

/// The k-subsets of `0..n` in lexicographic order.
struct Subsets {
    n: usize,
    current: Vec<usize>,
    started: bool,
}

impl Subsets {
    fn new(n: usize, k: usize) -> Self {
        Self {
            n,
            current: (0..k).collect(),
            started: false,
        }
    }

    fn next_subset(&mut self) -> Option<&[usize]> {
        let k = self.current.len();
        if !self.started {
            self.started = true;
            return (k <= self.n).then_some(self.current.as_slice());
        }
        // Find the rightmost index that can move right.
        let mut i = k;
        while i > 0 {
            i -= 1;
            let limit = self.n - (k - i);
            if self.current.get(i).is_some_and(|&v| v < limit) {
                let start = self.current.get(i).copied().unwrap_or(0) + 1;
                for (offset, slot) in self.current.iter_mut().skip(i).enumerate() {
                    *slot = start + offset;
                }
                return Some(self.current.as_slice());
            }
        }
        None
    }
}

fn context(base: &Context, choices: &[Choice], picks: &[usize]) -> Context {
    let mut ctx = base.clone();
    for (choice, &pick) in choices.iter().zip(picks) {
        if let Some(Some(v)) = choice.values.get(pick) {
            ctx.insert(&choice.key, v.clone());
        }
    }
    ctx
}

/// Fills a wildcard in the field it sits in: the account's id, the region, else text.
fn filler(scope: &Scope) -> impl Fn(usize, bool) -> String + '_ {
    move |field, star| match (field, star) {
        (3, true) => scope.region.clone(),
        (4, true) => scope.account_id.clone(),
        (4, false) => "0".to_owned(),
        (_, true) => "prove".to_owned(),
        (_, false) => "x".to_owned(),
    }
}

/// The principals to try: a role session, then the principals conditions name.
fn principals(scope: &Scope, open: &[&CompiledCondition]) -> Vec<String> {
    let mut out = vec![scope.default_principal()];
    if scope.principal.is_some() {
        return out;
    }
    let fill = filler(scope);
    let empty = Context::new();
    for c in open {
        match c.key() {
            "aws:principalarn" => {
                for o in c.operands() {
                    if let OperandView::Text(t) = o
                        && let Some(arn) = t.example(&empty, &fill)
                        && let Some(p) = principal_from_arn(scope, &arn)
                    {
                        out.push(p);
                    }
                }
            }
            "aws:principaltype" => {
                out.push(format!(
                    "arn:{}:iam::{}:root",
                    scope.partition, scope.account_id
                ));
                out.push(format!(
                    "arn:{}:iam::{}:user/orgctl-prove",
                    scope.partition, scope.account_id
                ));
            }
            "aws:username" => {
                for o in c.operands() {
                    if let OperandView::Text(t) = o
                        && let Some(name) = t.example(&empty, &fill)
                    {
                        out.push(format!(
                            "arn:{}:iam::{}:user/{name}",
                            scope.partition, scope.account_id
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out.push(format!(
        "arn:{}:sts::{}:assumed-role/orgctl-prove-other/orgctl-prove",
        scope.partition, scope.account_id
    ));
    dedup(&mut out);
    out
}

/// A principal of the scope's account with this `aws:PrincipalArn`: a session of a role, a
/// user, the root user.
fn principal_from_arn(scope: &Scope, arn: &str) -> Option<String> {
    let mut f = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(_), Some(account), Some(resource)) =
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return None;
    };
    if account != scope.account_id {
        return None;
    }
    if let Some(path_name) = resource.strip_prefix("role/") {
        let name = path_name.rsplit('/').next().unwrap_or(path_name);
        return Some(format!(
            "arn:{partition}:sts::{account}:assumed-role/{name}/orgctl-prove"
        ));
    }
    (resource == "root" || resource.starts_with("user/")).then(|| arn.to_owned())
}

/// The resources to try: the scope's, or the action's examples and the ARNs its relevant
/// statements name that fit its resource types; `*` for an action without resource types.
fn resources(
    prover: &Prover<'_>,
    scope: &Scope,
    facts: &ActionFacts<'_>,
    sig: &Signature,
    probe: &Request,
) -> Vec<String> {
    let fill = filler(scope);
    if let Some(given) = &scope.resources {
        let mut out: Vec<String> = given
            .iter()
            .map(|r| {
                crate::template::Template::compile(
                    r,
                    crate::template::Syntax {
                        wildcards: true,
                        variables: false,
                    },
                    true,
                )
                .example(probe, &fill)
                .unwrap_or_else(|| r.clone())
            })
            .collect();
        dedup(&mut out);
        return out;
    }
    let mut out: Vec<String> = facts.resources.to_vec();
    if !facts.formats.is_empty() {
        for site in prover.relevant(sig) {
            for t in site.statement.resource_patterns() {
                if let Some(arn) = t.example(probe, &fill)
                    && facts.formats.iter().any(|f| fits_format(f, &arn))
                {
                    out.push(arn);
                }
            }
        }
    }
    if out.is_empty() {
        out.push("*".to_owned());
    }
    dedup(&mut out);
    out
}

/// Whether an ARN has the shape of a catalog ARN format: a `${...}` placeholder matches any
/// text within its field (the resource field, the sixth, may hold colons).
pub(super) fn fits_format(format: &str, arn: &str) -> bool {
    let mut segs: Vec<Seg<'_>> = Vec::new();
    let mut rest = format;
    let mut colons = 0usize;
    while let Some(open) = rest.find("${") {
        if let Some(lit) = rest.get(..open)
            && !lit.is_empty()
        {
            colons += lit.matches(':').count();
            segs.push(Seg::Lit(lit));
        }
        let after = rest.get(open..).unwrap_or_default();
        let close = after.find('}').map_or(after.len(), |c| c + 1);
        segs.push(if colons < 5 {
            Seg::StarNoColon
        } else {
            Seg::Star
        });
        rest = after.get(close..).unwrap_or_default();
    }
    if !rest.is_empty() {
        segs.push(Seg::Lit(rest));
    }
    glob::matches(&segs, arn, Case::Sensitive)
}

/// The keys to vary and the values to try for each.
fn choices(
    scope: &Scope,
    facts: &ActionFacts<'_>,
    open: &[&CompiledCondition],
    probe: &Request,
) -> Vec<Choice> {
    let fill = filler(scope);
    let mut out: Vec<Choice> = Vec::new();
    for c in open {
        let key = c.key();
        if DERIVED.contains(&key) || scope.fixes(key) || !(facts.carries)(key) {
            continue;
        }
        let index = match out.iter().position(|ch| ch.key == key) {
            Some(i) => i,
            None => {
                let plain = ALWAYS_PRESENT
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| ContextValue::Single((*v).to_owned()));
                out.push(Choice {
                    key: key.to_owned(),
                    values: vec![plain],
                });
                out.len() - 1
            }
        };
        let multi = c.operator().qualifier.is_some();
        let mut add = |v: String| {
            let value = if multi {
                ContextValue::Multi(vec![v])
            } else {
                ContextValue::Single(v)
            };
            if let Some(ch) = out.get_mut(index) {
                ch.values.push(Some(value));
            }
        };
        for o in c.operands() {
            match o {
                OperandView::Text(t) => {
                    if let Some(v) = t.example(probe, &fill) {
                        add(v);
                    }
                }
                OperandView::Number(n) => {
                    for v in [n, n + 1.0, n - 1.0] {
                        add(number_text(v));
                    }
                }
                OperandView::Date(ms) => {
                    let secs = ms.div_euclid(1000);
                    for v in [secs, secs + 1, secs - 1] {
                        add(v.to_string());
                    }
                }
                OperandView::Bool(_) => {
                    if c.operator().base == BaseOperator::Null {
                        add("orgctl-prove".to_owned());
                    } else {
                        add("true".to_owned());
                        add("false".to_owned());
                    }
                }
                OperandView::Binary(b) => add(b.to_owned()),
                OperandView::Network(ip) => add(ip.to_string()),
                OperandView::Invalid => {}
            }
        }
        // A value no policy names, for negated operators.
        let fresh = match c.operator().base.family() {
            OperatorFamily::Ip => "198.51.100.7".to_owned(),
            OperatorFamily::Numeric => "0".to_owned(),
            OperatorFamily::Date => "0".to_owned(),
            OperatorFamily::Bool | OperatorFamily::Null => "false".to_owned(),
            OperatorFamily::Arn => format!(
                "arn:{}:iam::{}:role/orgctl-prove-other",
                scope.partition, scope.account_id
            ),
            OperatorFamily::String | OperatorFamily::Binary => "orgctl-prove-other".to_owned(),
        };
        add(fresh);
        if multi && let Some(ch) = out.get_mut(index) {
            ch.values.push(Some(ContextValue::Multi(Vec::new())));
        }
    }
    for ch in &mut out {
        let mut seen: Vec<Option<ContextValue>> = Vec::with_capacity(ch.values.len());
        for v in ch.values.drain(..) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        ch.values = seen;
    }
    out
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

fn dedup(v: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::with_capacity(v.len());
    for s in v.drain(..) {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    *v = seen;
}
