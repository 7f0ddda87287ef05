//! ## What it does
//! Finds entries of `Action`/`NotAction` and `Resource`/`NotResource` that another entry of the
//! same element already covers: exact duplicates, and entries a wildcard entry matches, such as
//! `s3:GetObject` next to `s3:Get*` or `s3:*`. Actions compare without regard to case, as IAM
//! matches them; resources compare exactly.
//!
//! ## Why is this bad?
//! The entry changes nothing, yet it costs characters, and SCPs and RCPs have a hard size
//! quota. It also misleads reviewers: a narrow entry next to a broad one suggests the statement
//! is narrower than it is.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Action": ["s3:*", "s3:DeleteBucket"], "Resource": "*"}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
//! ```
//!
//! ## References
//! - IAM Access Analyzer policy checks: `REDUNDANT_ACTION`, `REDUNDANT_RESOURCE`
//! - IAM User Guide, wildcards in `Action` and `Resource` (in the first five fields of an ARN
//!   a wildcard does not match across `:`)

use std::cell::OnceCell;

use orgctl_eval::Context;
use orgctl_eval::template::{Syntax, Template};
use orgctl_policy::glob::Case;
use orgctl_policy::{Spanned, StringList};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::util::{FxHashMap, FxHashSet};

/// The rule.
pub const RULE: Rule = Rule {
    name: "redundant-value",
    summary: "action and resource entries another entry of the same element already covers",
    docs: include_str!("redundant_value.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let mut found = Vec::new();
    let mut scratch = Scratch::default();
    let mut buf = String::new();
    for st in &cx.policy.statements {
        let element = if st.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        redundant_entries(
            &st.action.values,
            Kind::Action,
            element,
            &mut found,
            &mut scratch,
            &mut buf,
        );
        if let Some(r) = &st.resource {
            let element = if r.negated { "NotResource" } else { "Resource" };
            redundant_entries(
                &r.values,
                Kind::Resource,
                element,
                &mut found,
                &mut scratch,
                &mut buf,
            );
        }
    }
    for (code, span, message, hint) in found {
        cx.report(FindingType::Suggestion, code, span, message, hint);
    }
}

type Found = Vec<(&'static str, orgctl_policy::Span, String, String)>;

/// Reports each entry of `list` that an earlier equal entry, or a wildcard entry, covers.
/// `buf` is scratch space for the normalized entries.
fn redundant_entries(
    list: &StringList,
    kind: Kind,
    element: &str,
    out: &mut Found,
    scratch: &mut Scratch,
    buf: &mut String,
) {
    /// Up to this many entries, duplicates are found by a scan rather than a hash map.
    const SCAN: usize = 16;
    let items = &list.items;
    if items.len() < 2 {
        return;
    }
    let norms = normalized(items, kind, buf);
    // Only a wildcard entry covers others.
    let set = norms
        .iter()
        .any(|n| has_wildcard(n))
        .then(|| PatternSet::new(norms.iter().copied(), kind));
    let (code, what) = match kind {
        Kind::Action => ("REDUNDANT_ACTION", "action"),
        Kind::Resource => ("REDUNDANT_RESOURCE", "resource"),
    };
    let text = |n: usize| items.get(n).map_or("", |e| e.node.as_str());
    // First position of each distinct entry.
    let scan = items.len() <= SCAN;
    let mut first: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(if scan { 0 } else { items.len() }, Default::default());
    for ((n, item), &norm) in items.iter().enumerate().zip(&norms) {
        let earlier = if scan {
            norms
                .get(..n)
                .and_then(|before| before.iter().position(|o| *o == norm))
        } else {
            first.get(norm).copied()
        };
        if let Some(earlier) = earlier {
            out.push((
                code,
                item.span,
                format!("`{}` repeats `{}` in `{element}`", item.node, text(earlier)),
                format!("remove the duplicate {what}"),
            ));
            continue;
        }
        if !scan {
            first.insert(norm, n);
        }
        let Some(set) = &set else { continue };
        // Entries equal to this one (itself included) are not candidates.
        let skip = |m: usize| norms.get(m).is_none_or(|o| *o == norm);
        let cover = set.covering(norm, scratch, skip, |m, ptoks| {
            // Two spellings of one pattern cover each other: keep the first.
            !(m > n && covers(&tokens(norm, kind), ptoks, kind, &mut Vec::new()))
        });
        if let Some(m) = cover {
            let by = text(m);
            out.push((
                code,
                item.span,
                format!(
                    "`{}` is already covered by `{by}` in `{element}`",
                    item.node
                ),
                format!("remove the narrower {what}; `{by}` matches everything it matches"),
            ));
        }
    }
}

/// The entries of a list in the form equal entries share: lower case for actions, which are
/// written into `buf`, all in one allocation.
pub(super) fn normalized<'a>(
    items: &'a [Spanned<String>],
    kind: Kind,
    buf: &'a mut String,
) -> Vec<&'a str> {
    match kind {
        Kind::Resource => items.iter().map(|i| i.node.as_str()).collect(),
        Kind::Action => {
            buf.clear();
            buf.reserve(items.iter().map(|i| i.node.len()).sum());
            for i in items {
                buf.push_str(&i.node);
            }
            // Lower-casing keeps lengths: each entry is where it was.
            buf.make_ascii_lowercase();
            let buf: &'a str = buf;
            let mut start = 0;
            items
                .iter()
                .map(|i| {
                    let end = start + i.node.len();
                    let s = buf.get(start..end).unwrap_or_default();
                    start = end;
                    s
                })
                .collect()
        }
    }
}

/// Buffers reused between containment tests.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    dp: Vec<bool>,
    toks: Vec<Tok>,
}

/// Up to this many wildcard entries, candidates are found by a scan rather than by head.
const SCAN_LIMIT: usize = 16;

/// A wildcard entry of a [`PatternSet`].
#[derive(Debug)]
struct Wild<'a> {
    /// Position in the element.
    pos: usize,
    /// The entry, normalized.
    norm: &'a str,
    /// Its literal head, the text before the first wildcard.
    head: &'a str,
    /// Its tokens, computed on first use.
    tokens: OnceCell<Vec<Tok>>,
    /// The evaluator's matcher, to test values without wildcards fast (`None` for entries
    /// with variables); compiled on first use.
    matcher: OnceCell<Option<Template>>,
}

impl Wild<'_> {
    /// The evaluator's matcher for the entry (`None` when it holds a variable).
    fn matcher(&self, kind: Kind) -> Option<&Template> {
        self.matcher
            .get_or_init(|| {
                (!self.norm.contains("${")).then(|| {
                    let syntax = Syntax {
                        wildcards: true,
                        variables: false,
                    };
                    Template::compile(self.norm, syntax, kind == Kind::Resource)
                })
            })
            .as_ref()
    }
}

/// The entries of one element, indexed to find the wildcard entries that may cover a value.
#[derive(Debug)]
pub(super) struct PatternSet<'a> {
    kind: Kind,
    /// Normalized entries without wildcards.
    literal_entries: Vec<&'a str>,
    /// The same, as a set, built on first use.
    literals: OnceCell<FxHashSet<&'a str>>,
    /// Wildcard entries, in element order.
    wild: Vec<Wild<'a>>,
    /// With more than [`SCAN_LIMIT`] wildcard entries: their indexes by literal head. Only an
    /// entry whose head starts the value's head can cover it.
    by_head: FxHashMap<&'a str, Vec<usize>>,
    /// The lengths of those heads, sorted.
    head_lens: Vec<usize>,
    /// An empty request context, for [`Template::matches`].
    empty: Context,
}

impl<'a> PatternSet<'a> {
    /// Indexes `entries`, normalized with [`normalized`].
    pub(super) fn new(entries: impl Iterator<Item = &'a str>, kind: Kind) -> Self {
        let mut set = Self {
            kind,
            literal_entries: Vec::new(),
            literals: OnceCell::new(),
            wild: Vec::new(),
            by_head: FxHashMap::default(),
            head_lens: Vec::new(),
            empty: Context::new(),
        };
        for (n, norm) in entries.enumerate() {
            match first_wildcard(norm) {
                Some(at) => set.wild.push(Wild {
                    pos: n,
                    norm,
                    head: norm.get(..at).unwrap_or_default(),
                    tokens: OnceCell::new(),
                    matcher: OnceCell::new(),
                }),
                None => set.literal_entries.push(norm),
            }
        }
        if set.wild.len() > SCAN_LIMIT {
            for (w, wild) in set.wild.iter().enumerate() {
                if !set.head_lens.contains(&wild.head.len()) {
                    set.head_lens.push(wild.head.len());
                }
                set.by_head.entry(wild.head).or_default().push(w);
            }
            set.head_lens.sort_unstable();
        }
        set
    }

    /// Whether an entry is `norm` itself or a wildcard that covers it.
    pub(super) fn covers(&self, norm: &str, scratch: &mut Scratch) -> bool {
        // A few entries are compared one by one: building a set would cost more.
        let literal = if self.literal_entries.len() <= SCAN_LIMIT {
            self.literal_entries.contains(&norm)
        } else {
            self.literals
                .get_or_init(|| self.literal_entries.iter().copied().collect())
                .contains(norm)
        };
        literal
            || self
                .covering(norm, scratch, |_| false, |_, _| true)
                .is_some()
    }

    /// The position of the first wildcard entry that covers the value `norm` (normalized) and
    /// that `accept` accepts. Entries at positions `skip` names are not considered (a cheap
    /// test, made before the containment test).
    pub(super) fn covering(
        &self,
        norm: &str,
        scratch: &mut Scratch,
        skip: impl Fn(usize) -> bool,
        mut accept: impl FnMut(usize, &[Tok]) -> bool,
    ) -> Option<usize> {
        if self.wild.is_empty() {
            return None;
        }
        let own_head = head(norm);
        let literal = !has_wildcard(norm);
        let kind = self.kind;
        let case = match kind {
            Kind::Action => Case::AsciiInsensitive,
            Kind::Resource => Case::Sensitive,
        };
        let mut tokenized = false;
        let mut witness_of_norm: Option<Option<String>> = None;
        let mut test = |w: &Wild<'_>| {
            if literal && let Some(m) = w.matcher(kind) {
                return m.matches(norm, &self.empty, case)
                    && accept(w.pos, w.tokens.get_or_init(|| tokens(w.norm, kind)));
            }
            // An entry that covers the pattern matches each value the pattern matches: one
            // value it does not match rules it out without the full containment test.
            if !literal
                && let Some(value) = witness_of_norm
                    .get_or_insert_with(|| witness(norm))
                    .as_deref()
                && !w.norm.contains("${")
                && !may_match(w.norm, value)
            {
                return false;
            }
            if !tokenized {
                scratch.toks.clear();
                tokens_into(norm, kind, &mut scratch.toks);
                tokenized = true;
            }
            let ptoks = w.tokens.get_or_init(|| tokens(w.norm, kind));
            covers(ptoks, &scratch.toks, kind, &mut scratch.dp) && accept(w.pos, ptoks)
        };
        if self.by_head.is_empty() {
            // In element order, so the first that covers is the answer.
            return self
                .wild
                .iter()
                .find(|w| own_head.starts_with(w.head) && !skip(w.pos) && test(w))
                .map(|w| w.pos);
        }
        let mut best: Option<usize> = None;
        for &len in self.head_lens.iter().take_while(|&&l| l <= own_head.len()) {
            let Some(candidates) = own_head.get(..len).and_then(|h| self.by_head.get(h)) else {
                continue;
            };
            for &w in candidates {
                let Some(wild) = self.wild.get(w) else {
                    continue;
                };
                if best.is_some_and(|b| b <= wild.pos) || skip(wild.pos) {
                    continue;
                }
                if test(wild) {
                    best = Some(wild.pos);
                }
            }
        }
        best
    }
}

/// One value the pattern `norm` matches: its `*` matching nothing, its `?` a character no
/// pattern writes; `None` when it holds a variable.
fn witness(norm: &str) -> Option<String> {
    (!norm.contains("${")).then(|| {
        norm.chars()
            .filter(|&c| c != '*')
            .map(|c| if c == '?' { '\u{1}' } else { c })
            .collect()
    })
}

/// Whether the wildcard pattern `pattern` (without variables) can match `value`: a test that
/// is never false when the pattern matches, in linear time. The literal runs between the
/// wildcards must appear in the value in order, the first at its start and the last at its
/// end unless a wildcard stands there. (Resource patterns keep `*` inside an ARN field, which
/// only matches less: the test holds for them too.)
fn may_match(pattern: &str, value: &str) -> bool {
    /// Where `needle` first occurs in `hay`: patterns and values are short, so a plain scan
    /// beats setting up a substring searcher.
    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        let (&first, rest) = needle.split_first()?;
        let last_start = hay.len().checked_sub(needle.len())?;
        (0..=last_start)
            .find(|&i| hay.get(i) == Some(&first) && hay.get(i + 1..i + needle.len()) == Some(rest))
    }
    let pattern = pattern.as_bytes();
    let mut runs = pattern.split(|&b| b == b'*' || b == b'?');
    let first = runs.next().unwrap_or_default();
    let Some(mut rest) = value.as_bytes().strip_prefix(first) else {
        return false;
    };
    let mut last = None;
    for run in runs {
        if let Some(previous) = last.replace(run)
            && !previous.is_empty()
        {
            match find(rest, previous) {
                Some(at) => rest = rest.get(at + previous.len()..).unwrap_or_default(),
                None => return false,
            }
        }
    }
    // The last run ends the value (empty when the pattern ends with a wildcard); without a
    // wildcard, the pattern is the value.
    last.map_or(rest.is_empty(), |run| rest.ends_with(run))
}

/// The text before the first wildcard or variable.
fn head(norm: &str) -> &str {
    let end = first_wildcard(norm).unwrap_or(norm.len());
    norm.get(..end).unwrap_or_default()
}

/// Where the first `*`, `?` or `${` of `s` starts.
fn first_wildcard(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    memchr::memchr3_iter(b'*', b'?', b'$', bytes)
        .find(|&i| bytes.get(i) != Some(&b'$') || bytes.get(i + 1) == Some(&b'{'))
}

/// Whether `s` holds a wildcard (or a policy variable, which may stand for anything).
pub(super) fn has_wildcard(s: &str) -> bool {
    first_wildcard(s).is_some()
}

/// What a pattern matches: actions (case-insensitive, `*` crosses `:`) or resources
/// (case-sensitive ARNs, where wildcards in the first five fields stay inside their field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `Action`/`NotAction` entries.
    Action,
    /// `Resource`/`NotResource` entries.
    Resource,
}

/// One piece of a pattern, for containment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// A literal character.
    Lit(char),
    /// `?`; `colon` when it may match `:`.
    One { colon: bool },
    /// `*`; `colon` when it may match `:`.
    Star { colon: bool },
    /// A policy variable in a covering pattern: matches only itself, so the pattern covers
    /// only equal text.
    Var,
}

/// Splits `pattern` into tokens; see [`tokens_into`].
pub(super) fn tokens(pattern: &str, kind: Kind) -> Vec<Tok> {
    let mut out = Vec::with_capacity(pattern.len());
    tokens_into(pattern, kind, &mut out);
    out
}

/// Appends the tokens of `pattern` to `out`. Wildcards bound to their ARN field follow the
/// evaluator's rule: in the first five fields, unless the wildcard ends its field. A `${...}`
/// variable becomes [`Tok::Var`]; [`covers`] reads it as "anything" on the covered side.
pub(super) fn tokens_into(pattern: &str, kind: Kind, out: &mut Vec<Tok>) {
    let mut field = 0usize;
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == '$'
            && let Some(after) = rest.strip_prefix("${")
            && let Some(close) = after.find('}')
        {
            out.push(Tok::Var);
            rest = after.get(close + 1..).unwrap_or_default();
            continue;
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
        if c == '*' || c == '?' {
            let ends_field = rest.is_empty() || rest.starts_with(':');
            let colon = kind == Kind::Action || field >= 5 || ends_field;
            out.push(if c == '*' {
                Tok::Star { colon }
            } else {
                Tok::One { colon }
            });
        } else {
            if c == ':' {
                field += 1;
            }
            out.push(Tok::Lit(c));
        }
    }
}

/// Whether every string `q` can match is matched by `p` (sound, not complete: `false` can
/// mean "not sure"). `scratch` is reused between calls.
pub(super) fn covers(p: &[Tok], q: &[Tok], kind: Kind, scratch: &mut Vec<bool>) -> bool {
    // Variables in the covering pattern: only equal text is covered.
    if p.contains(&Tok::Var) {
        return p == q;
    }
    // Quick reject on the literal prefix of `p`.
    for (a, b) in p.iter().zip(q) {
        match (a, b) {
            (Tok::Lit(x), Tok::Lit(y)) => {
                if !lit_eq(*x, *y, kind) {
                    return false;
                }
            }
            (Tok::Lit(_), _) => return false,
            _ => break,
        }
    }
    // And on its literal tail.
    for (a, b) in p.iter().rev().zip(q.iter().rev()) {
        match (a, b) {
            (Tok::Lit(x), Tok::Lit(y)) => {
                if !lit_eq(*x, *y, kind) {
                    return false;
                }
            }
            (Tok::Lit(_), _) => return false,
            _ => break,
        }
    }
    if !runs_in_order(p, q, kind) {
        return false;
    }
    let (n, m) = (p.len(), q.len());
    let width = m + 1;
    scratch.clear();
    scratch.resize((n + 1) * width, false);
    let at = |i: usize, j: usize| i * width + j;
    if let Some(end) = scratch.get_mut(at(n, m)) {
        *end = true;
    }
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            let get = |s: &Vec<bool>, i: usize, j: usize| s.get(at(i, j)).copied().unwrap_or(false);
            let qj = q.get(j).copied();
            let v = match p.get(i).copied() {
                Some(Tok::Star { colon }) => {
                    get(scratch, i + 1, j)
                        || qj.is_some_and(|t| absorbs(colon, t)) && get(scratch, i, j + 1)
                }
                Some(Tok::One { colon }) => {
                    qj.is_some_and(|t| one_matches(colon, t)) && get(scratch, i + 1, j + 1)
                }
                Some(Tok::Lit(x)) => {
                    matches!(qj, Some(Tok::Lit(y)) if lit_eq(x, y, kind))
                        && get(scratch, i + 1, j + 1)
                }
                Some(Tok::Var) | None => false,
            };
            if let Some(slot) = scratch.get_mut(at(i, j)) {
                *slot = v;
            }
        }
    }
    scratch.first().copied().unwrap_or(false)
}

/// A necessary condition for [`covers`], cheap to test: each run of literal characters of `p`
/// appears, in order and without overlap, as literal characters of `q`.
fn runs_in_order(p: &[Tok], q: &[Tok], kind: Kind) -> bool {
    let mut from = 0;
    for run in p.split(|t| !matches!(t, Tok::Lit(_))) {
        if run.is_empty() {
            continue;
        }
        let found = (from..=q.len().saturating_sub(run.len())).find(|&start| {
            q.get(start..start + run.len()).is_some_and(|window| {
                window.iter().zip(run).all(|(b, a)| match (a, b) {
                    (Tok::Lit(x), Tok::Lit(y)) => lit_eq(*x, *y, kind),
                    _ => false,
                })
            })
        });
        match found {
            Some(start) => from = start + run.len(),
            None => return false,
        }
    }
    true
}

fn lit_eq(x: char, y: char, kind: Kind) -> bool {
    match kind {
        Kind::Action => x.eq_ignore_ascii_case(&y),
        Kind::Resource => x == y,
    }
}

/// Whether a `*` of `p` (crossing `:` or not) can take token `t` of `q`.
fn absorbs(colon: bool, t: Tok) -> bool {
    colon
        || match t {
            Tok::Lit(c) => c != ':',
            Tok::One { colon } | Tok::Star { colon } => !colon,
            Tok::Var => false,
        }
}

/// Whether a `?` of `p` can take token `t` of `q`.
fn one_matches(colon: bool, t: Tok) -> bool {
    match t {
        Tok::Lit(c) => colon || c != ':',
        Tok::One { colon: qc } => colon || !qc,
        Tok::Star { .. } | Tok::Var => false,
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

    fn c(p: &str, q: &str, kind: Kind) -> bool {
        covers(&tokens(p, kind), &tokens(q, kind), kind, &mut Vec::new())
    }

    /// Every string of `len` characters or fewer over `alphabet`.
    fn strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// The quick test that rules entries out is never wrong: a pattern that matches a value,
    /// or covers another pattern, passes it (exhaustively over short strings).
    #[test]
    fn may_match_never_rules_out_a_match() {
        use orgctl_policy::glob;
        let values = strings(&['a', 'b', ':'], 4);
        for p in strings(&['a', 'b', '*', '?'], 4) {
            let segs = glob::segments(&p);
            for v in &values {
                if glob::matches(&segs, v, glob::Case::Sensitive) {
                    assert!(may_match(&p, v), "{p} matches {v}");
                }
            }
        }
        for kind in [Kind::Action, Kind::Resource] {
            let all = strings(&['a', ':', '*', '?'], 4);
            for p in &all {
                for q in &all {
                    if c(p, q, kind) {
                        let w = witness(q).unwrap();
                        assert!(may_match(p, &w), "{p} covers {q} ({kind:?})");
                    }
                }
            }
        }
        assert!(!may_match(
            "arn:*::document/AWS-*",
            "arn:::document/AWSDocs-"
        ));
        assert!(!may_match("a*b", "ab:"));
        assert!(may_match("a*b", "ab"));
    }

    #[test]
    fn glob_containment() {
        let a = Kind::Action;
        assert!(c("s3:Get*", "s3:GetObject", a));
        assert!(c("S3:GET*", "s3:GetObject*", a));
        assert!(c("*", "s3:Get*", a));
        assert!(c("s3:*", "s3:?et*", a));
        assert!(c("s3:*Object*", "s3:GetObjectAcl", a));
        assert!(!c("s3:Get*", "s3:*", a));
        assert!(!c("s3:GetObject", "s3:Get*", a));
        assert!(!c("s3:Get?", "s3:Get*", a));
        let r = Kind::Resource;
        assert!(c("*", "arn:aws:s3:::b/*", r));
        assert!(c("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/${aws:username}", r));
        assert!(!c("arn:aws:s3:::B/*", "arn:aws:s3:::b/k", r));
        // `*` in the region field does not cross `:`; the covered `*` ends its field.
        assert!(c(
            "arn:aws:ec2:*:*:instance/*",
            "arn:aws:ec2:us-east-1:1:instance/i-1",
            r
        ));
        assert!(!c("arn:aws:ec2:us*1:*:*", "arn:aws:ec2:us-east-*:*:*", r));
        assert!(c("arn:aws:iam::*:role/*", "arn:aws:iam::*:role/a/*", r));
        assert!(!c("arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::a/b", r));
    }

    #[test]
    fn reports_covered_and_duplicate_actions() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": ["s3:Get*", "s3:GetObject", "S3:getobject", "ec2:DescribeInstances", "s3:get*"],
            "Resource": "*"}}"#;
        assert_eq!(
            lint(src, PolicyType::Identity),
            [
                ("REDUNDANT_ACTION", r#""s3:GetObject""#.to_owned()),
                ("REDUNDANT_ACTION", r#""S3:getobject""#.to_owned()),
                ("REDUNDANT_ACTION", r#""s3:get*""#.to_owned()),
            ]
        );
    }

    #[test]
    fn reports_covered_resources_case_sensitively() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::logs/*", "arn:aws:s3:::logs/2024/x", "arn:aws:s3:::Logs/y",
                         "arn:aws:s3:::logs", "*"]}}"#;
        assert_eq!(
            lint(src, PolicyType::Scp),
            [
                ("REDUNDANT_RESOURCE", r#""arn:aws:s3:::logs/*""#.to_owned()),
                (
                    "REDUNDANT_RESOURCE",
                    r#""arn:aws:s3:::logs/2024/x""#.to_owned()
                ),
                ("REDUNDANT_RESOURCE", r#""arn:aws:s3:::Logs/y""#.to_owned()),
                ("REDUNDANT_RESOURCE", r#""arn:aws:s3:::logs""#.to_owned()),
            ]
        );
    }

    #[test]
    fn notaction_entries_are_checked_too() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny",
            "NotAction": ["iam:*", "iam:CreateRole", "sts:*"], "Resource": "*"}}"#;
        assert_eq!(
            lint(src, PolicyType::Scp),
            [("REDUNDANT_ACTION", r#""iam:CreateRole""#.to_owned())]
        );
    }

    #[test]
    fn silent_on_distinct_entries_and_real_policies() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
            "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::a/*", "arn:aws:s3:::a-*"]}}"#;
        assert!(lint(src, PolicyType::Identity).is_empty());
        for src in [
            include_str!("../../../../examples/docustack/policies/RegionDeny.json"),
            include_str!("../../../../examples/docustack/policies/DenyPublicS3.json"),
            include_str!("../../../../examples/docustack/policies/ProtectLogArchive.json"),
        ] {
            assert!(lint(src, PolicyType::Scp).is_empty());
        }
    }
}
