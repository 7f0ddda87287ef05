//! Helpers shared by rules.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The hasher of the Rust compiler (`FxHash`): a rotate, a xor and a multiply per word, much
/// faster than the default for the short strings rules index. It does not resist crafted
/// collisions, which could at worst slow down the linting of the policy that holds them.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let word = rest.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b));
            self.add(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FxHasher`]s.
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;
/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;
/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<T> = HashSet<T, FxBuildHasher>;

/// Levenshtein distance over ASCII-lowercased bytes, when it is at most `limit`. `row` is
/// scratch space. Gives up as soon as a whole row of the table exceeds `limit`: the rows'
/// minimum never decreases, so the distance would too.
fn distance_within(a: &[u8], b: &[u8], limit: usize, row: &mut Vec<usize>) -> Option<usize> {
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        let mut diag = i;
        let mut left = i + 1;
        let mut least = left;
        if let Some(first) = row.first_mut() {
            *first = left;
        }
        for (cb, slot) in b.iter().zip(row.iter_mut().skip(1)) {
            let up = *slot;
            let v = (diag + usize::from(!ca.eq_ignore_ascii_case(cb)))
                .min(up + 1)
                .min(left + 1);
            diag = up;
            *slot = v;
            left = v;
            least = least.min(v);
        }
        if least > limit {
            return None;
        }
    }
    row.last().copied().filter(|&d| d <= limit)
}

/// Levenshtein distance over ASCII-lowercased bytes from a pattern of at most 64 bytes, by
/// the bit-parallel algorithm of Myers (1999) in Hyyrö's formulation: one column of the table
/// per byte of `text`, as bits.
#[derive(Debug)]
struct BitDistance {
    /// Per byte value, the positions of the pattern that hold it.
    peq: [u64; 256],
    len: usize,
}

impl BitDistance {
    /// `None` for a pattern longer than 64 bytes.
    fn new(pattern: &[u8]) -> Option<Self> {
        if pattern.len() > 64 {
            return None;
        }
        let mut peq = [0u64; 256];
        for (i, b) in pattern.iter().enumerate() {
            if let Some(mask) = peq.get_mut(usize::from(b.to_ascii_lowercase())) {
                *mask |= 1 << i;
            }
        }
        Some(Self {
            peq,
            len: pattern.len(),
        })
    }

    fn distance(&self, text: &[u8]) -> usize {
        let m = self.len;
        if m == 0 {
            return text.len();
        }
        let last = 1u64 << (m - 1);
        let (mut pv, mut mv, mut score) = (!0u64, 0u64, m);
        for b in text {
            let eq = self
                .peq
                .get(usize::from(b.to_ascii_lowercase()))
                .copied()
                .unwrap_or(0);
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            // The first row of the table counts up: a 1 comes in at the bottom.
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
        }
        score
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 4).max(2);
    let bits = BitDistance::new(name.as_bytes());
    let mut row = Vec::new();
    let mut distance = |c: &str| match &bits {
        Some(bits) => Some(bits.distance(c.as_bytes())).filter(|&d| d <= limit),
        None => distance_within(name.as_bytes(), c.as_bytes(), limit, &mut row),
    };
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the hopeless quickly.
        .filter(|c| c.len().abs_diff(name.len()) <= limit)
        .filter_map(|c| Some((distance(c)?, c)))
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Calls `f` with every string of a policy that can hold a value AWS interprets, with its span
/// and the name of its element: actions, resources, principals, condition keys and values.
pub fn each_policy_string<'p>(
    policy: &'p orgctl_policy::Policy,
    mut f: impl FnMut(&'p str, orgctl_policy::Span, &'static str),
) {
    use orgctl_policy::{ConditionValue, Principal};
    for st in &policy.statements {
        let action = if st.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        for i in &st.action.values.items {
            f(i.node.as_str(), i.span, action);
        }
        if let Some(r) = &st.resource {
            let element = if r.negated { "NotResource" } else { "Resource" };
            for i in &r.values.items {
                f(i.node.as_str(), i.span, element);
            }
        }
        if let Some(p) = &st.principal
            && let Principal::Typed(entries) = &p.value
        {
            let element = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            for (_, list) in entries {
                for i in &list.items {
                    f(i.node.as_str(), i.span, element);
                }
            }
        }
        for block in &st.condition {
            for entry in &block.entries {
                f(entry.key.node.as_str(), entry.key.span, "Condition");
                for v in &entry.values {
                    if let ConditionValue::String(s) = &v.node {
                        f(s.as_str(), v.span, "Condition");
                    }
                }
            }
        }
    }
}

/// Whether `text` holds a byte a placeholder starts with: `$`, `{`, `[` or `<`. Tests eight
/// bytes at a time: most strings hold none.
fn may_hold_placeholder(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `x` is zero.
    let has_zero = |x: u64| (x.wrapping_sub(ONES) & !x & HIGH) != 0;
    let has_start = |w: u64| {
        [b'$', b'{', b'[', b'<']
            .iter()
            .any(|&b| has_zero(w ^ (u64::from(b) * ONES)))
    };
    let mut chunks = text.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if has_start(u64::from_le_bytes(word)) {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|b| matches!(b, b'$' | b'{' | b'[' | b'<'))
}

/// The first placeholder in `text`, if any. `known_prefix` says whether a `${prefix:...}` names a
/// real condition key namespace.
pub fn placeholder(text: &str, known_prefix: impl Fn(&str) -> bool) -> Option<&str> {
    if !may_hold_placeholder(text) {
        return None;
    }
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        let inner = after.get(..end).unwrap_or_default();
        let key = inner.split(',').next().unwrap_or_default().trim();
        let is_variable = matches!(key, "*" | "?" | "$")
            || key.split_once(':').is_some_and(|(prefix, name)| {
                !name.is_empty() && !name.starts_with(':') && known_prefix(prefix)
            });
        if !is_variable {
            return rest.get(start..start + 3 + end);
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    for (open, close) in [("{{", "}}"), ("[", "]"), ("<", ">")] {
        let mut from = 0;
        while let Some(i) = text.get(from..).and_then(|t| t.find(open)) {
            let start = from + i;
            let body_start = start + open.len();
            let Some(len) = text.get(body_start..).and_then(|t| t.find(close)) else {
                break;
            };
            let body = text.get(body_start..body_start + len).unwrap_or_default();
            // `{{...}}` and `<...>` never appear in IAM values; `[...]` can (rarely), so only
            // an upper-case `[NAME]` counts.
            let looks_like_name = !body.is_empty()
                && (open == "{{" || !body.starts_with(' ') && !body.ends_with(' '))
                && body
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
                && (open != "["
                    || body.chars().any(|c| c.is_ascii_uppercase())
                        && !body.chars().any(|c| c.is_ascii_lowercase()));
            if looks_like_name {
                return text.get(start..body_start + len + close.len());
            }
            from = body_start;
        }
    }
    None
}

/// Whether `text` holds a template placeholder, for rules that leave such strings to
/// `template-placeholder` rather than report them a second time.
pub fn is_templated(catalog: &orgctl_catalog::Catalog, text: &str) -> bool {
    placeholder(text, |prefix| {
        prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some()
    })
    .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levenshtein distance over ASCII-lowercased bytes, the whole table.
    fn distance(a: &str, b: &str) -> usize {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(!ca.eq_ignore_ascii_case(cb)))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_table() {
        let words = [
            "",
            "a",
            "s3",
            "S3",
            "ec2",
            "GetObject",
            "getobjects",
            "PutObject",
            "DeleteObject",
            "ListBuckets",
            "kitten",
            "sitting",
            "aws:RequestTag/Env",
            "aws:requesttag/env2",
        ];
        let mut row = Vec::new();
        for a in words {
            for b in words {
                let d = distance(a, b);
                for limit in 0..12 {
                    let expected = (d <= limit).then_some(d);
                    assert_eq!(
                        distance_within(a.as_bytes(), b.as_bytes(), limit, &mut row),
                        expected,
                        "{a} {b} {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn bit_parallel_distance_agrees_with_the_full_table() {
        // Every pair of strings of up to six letters over a small alphabet, both cases.
        let alphabet = ["a", "B", "b", "c", ":"];
        let mut words = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, String::len))
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        for (n, a) in words.iter().enumerate().step_by(7) {
            let bits = BitDistance::new(a.as_bytes()).unwrap();
            for b in words.iter().skip(n % 5).step_by(5) {
                assert_eq!(bits.distance(b.as_bytes()), distance(a, b), "{a} {b}");
            }
        }
        let long = "x".repeat(64);
        let bits = BitDistance::new(long.as_bytes()).unwrap();
        assert_eq!(bits.distance(b"xx"), 62);
        assert_eq!(bits.distance(&[b'X'; 70]), 6);
        assert!(BitDistance::new(&[b'x'; 65]).is_none());
    }

    #[test]
    fn placeholder_starts_are_found_anywhere() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(!may_hold_placeholder(&plain));
            for at in 0..len {
                for c in ['$', '{', '[', '<'] {
                    let mut s = plain.clone().into_bytes();
                    s[at] = c as u8;
                    assert!(may_hold_placeholder(std::str::from_utf8(&s).unwrap()));
                }
            }
        }
        assert!(!may_hold_placeholder("arn:aws:s3:::b/*é#%&()=?"));
    }

    #[test]
    fn closest_finds_typos_only() {
        let names = ["GetObject", "PutObject", "DeleteObject"];
        assert_eq!(closest("GetObjects", names), Some("GetObject"));
        assert_eq!(closest("getobject", names), Some("GetObject"));
        assert_eq!(closest("ListBuckets", names), None);
    }
}
