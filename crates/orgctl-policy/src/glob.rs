//! Wildcard matching with `*` (any run of characters) and `?` (one character), in linear time
//! with a single backtrack point and no allocation.
//!
//! A pattern is a sequence of [`Seg`]ments: literal text, `*` and `?`. Literal text may come
//! from a policy variable resolved at evaluation time, so patterns are matched as segment
//! slices rather than strings.

/// One piece of a wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// Text that must appear as is.
    Lit(&'a str),
    /// `*`: any run of characters (possibly empty).
    Star,
    /// `?`: exactly one character.
    One,
    /// `*` inside an ARN segment: any run of characters other than `:`.
    StarNoColon,
    /// `?` inside an ARN segment: one character other than `:`.
    OneNoColon,
}

/// How characters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Exact comparison (resources, condition values).
    Sensitive,
    /// ASCII letters compare without regard to case (actions).
    AsciiInsensitive,
}

/// Splits a wildcard string into segments: `*` and `?` are wildcards, everything else literal.
pub fn segments(pattern: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    push_segments(pattern, false, &mut out);
    out
}

/// Appends the segments of `pattern` to `out`; with `no_colon`, its wildcards do not match `:`.
pub fn push_segments<'a>(pattern: &'a str, no_colon: bool, out: &mut Vec<Seg<'a>>) {
    let mut lit_start = 0;
    for (i, c) in pattern.char_indices() {
        if c == '*' || c == '?' {
            if let Some(lit) = pattern.get(lit_start..i).filter(|s| !s.is_empty()) {
                out.push(Seg::Lit(lit));
            }
            out.push(match (c, no_colon) {
                ('*', false) => Seg::Star,
                ('*', true) => Seg::StarNoColon,
                (_, false) => Seg::One,
                (_, true) => Seg::OneNoColon,
            });
            lit_start = i + 1;
        }
    }
    if let Some(lit) = pattern.get(lit_start..).filter(|s| !s.is_empty()) {
        out.push(Seg::Lit(lit));
    }
}

/// Whether `pattern` contains a wildcard.
pub fn has_wildcard(pattern: &str) -> bool {
    memchr::memchr2(b'*', b'?', pattern.as_bytes()).is_some()
}

#[derive(Clone, Copy)]
struct Cursor {
    seg: usize,
    off: usize,
}

/// A `*` to fall back to: where the pattern resumes after it, where in the value its match
/// ends, and whether it may cover a `:`.
/// The most colon-bound `*`s remembered after the last `*` that may cover anything.
const MAX_STARS: usize = 16;

#[derive(Clone, Copy)]
struct Backtrack {
    resume: Cursor,
    upto: usize,
    crosses_colon: bool,
}

/// Matches `value` in full against the segments.
///
/// Backtracks over the `*`s seen, with no allocation. On a mismatch the most recent `*` takes
/// one more character. A `*` that may not cover a `:` and meets one gives way to the `*`
/// before it (which may take a character that lets a later `?` cover the `:`). A `*` that
/// reaches the end of the value ends the search: no earlier `*` taking more could help, since
/// the later one could already start anywhere after it. A `*` that may cover anything makes
/// every earlier `*` irrelevant for the same reason, so the search keeps only the `*`s since
/// the last such one: in practice one, plus the colon-bound ones of an ARN's first fields.
pub fn matches(segs: &[Seg<'_>], value: &str, case: Case) -> bool {
    matches_with(segs.len(), |i| segs.get(i).copied(), value, case)
}

/// [`matches`] over `n` segments produced on demand by `seg`, so that callers can map their
/// own representation (such as a compiled template) without building a slice.
pub fn matches_with<'a>(
    n: usize,
    seg: impl Fn(usize) -> Option<Seg<'a>>,
    value: &str,
    case: Case,
) -> bool {
    let v = value.as_bytes();
    let mut p = Cursor { seg: 0, off: 0 };
    let mut i = 0;
    // The `*`s to fall back to, most recent last.
    let mut stack = [Backtrack {
        resume: p,
        upto: 0,
        crosses_colon: true,
    }; MAX_STARS];
    let mut depth = 0;
    loop {
        while let Some(Seg::Lit(l)) = seg(p.seg) {
            if p.off < l.len() {
                break;
            }
            p = Cursor {
                seg: p.seg + 1,
                off: 0,
            };
        }
        if i >= v.len() {
            return (p.seg..n)
                .all(|k| matches!(seg(k), Some(Seg::Star | Seg::StarNoColon | Seg::Lit(""))));
        }
        let current = seg(p.seg);
        let step = match current {
            Some(Seg::Star | Seg::StarNoColon) => {
                let crosses_colon = current == Some(Seg::Star);
                p = Cursor {
                    seg: p.seg + 1,
                    off: 0,
                };
                let b = Backtrack {
                    resume: p,
                    upto: i,
                    crosses_colon,
                };
                if crosses_colon {
                    depth = 0;
                } else if depth == MAX_STARS {
                    // More colon-bound `*`s in a row than any ARN has fields: forget the oldest.
                    stack.copy_within(1.., 0);
                    depth -= 1;
                }
                if let Some(slot) = stack.get_mut(depth) {
                    *slot = b;
                    depth += 1;
                }
                continue;
            }
            Some(Seg::One) => Some(char_len(v, i)),
            Some(Seg::OneNoColon) => (v.get(i) != Some(&b':')).then(|| char_len(v, i)),
            Some(Seg::Lit(l)) => {
                let same = match (l.as_bytes().get(p.off), v.get(i), case) {
                    (Some(a), Some(b), Case::Sensitive) => a == b,
                    (Some(a), Some(b), Case::AsciiInsensitive) => a.eq_ignore_ascii_case(b),
                    _ => false,
                };
                if same {
                    p.off += 1;
                    i += 1;
                    continue;
                }
                None
            }
            None => None,
        };
        if let Some(n) = step {
            i += n;
            p = Cursor {
                seg: p.seg + 1,
                off: 0,
            };
            continue;
        }
        // Mismatch: let a `*` take one more character.
        loop {
            let Some(b) = depth.checked_sub(1).and_then(|d| stack.get_mut(d)) else {
                return false;
            };
            match v.get(b.upto) {
                None => return false,
                Some(b':') if !b.crosses_colon => depth -= 1,
                Some(_) => {
                    b.upto += char_len(v, b.upto);
                    p = b.resume;
                    i = b.upto;
                    break;
                }
            }
        }
    }
}

/// Byte length of the UTF-8 character starting at `i` (1 for a stray byte).
fn char_len(v: &[u8], i: usize) -> usize {
    match v.get(i) {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, v: &str) -> bool {
        matches(&segments(p), v, Case::Sensitive)
    }

    #[test]
    fn literal_star_and_question() {
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(!m("abc", "ab"));
        assert!(m("*", ""));
        assert!(m("a*", "a"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abbbd"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b", "xxaxxbxxa"));
        assert!(m("?é?", "aéb"));
        assert!(m("?", "é"));
        assert!(m("a**b", "ab"));
    }

    #[test]
    fn case_modes() {
        let segs = segments("S3:Get*");
        assert!(matches(&segs, "s3:getobject", Case::AsciiInsensitive));
        assert!(!matches(&segs, "s3:getobject", Case::Sensitive));
    }

    #[test]
    fn colon_bound_wildcards() {
        let mut segs = Vec::new();
        push_segments("a*b", true, &mut segs);
        assert!(matches(&segs, "axxb", Case::Sensitive));
        assert!(!matches(&segs, "ax:xb", Case::Sensitive));
        assert!(matches(&segments("a*b"), "ax:xb", Case::Sensitive));
        let mut segs = Vec::new();
        push_segments("a?b", true, &mut segs);
        assert!(!matches(&segs, "a:b", Case::Sensitive));
        // A free `*` before a colon-bound one takes over when the latter meets a `:`.
        let mut segs = segments("*x");
        push_segments("*y", true, &mut segs);
        assert!(matches(&segs, "ax:bxcy", Case::Sensitive));
        assert!(!matches(&segs, "ax:bx:y", Case::Sensitive));
    }

    /// The obvious exponential matcher, as an oracle.
    fn naive(segs: &[Seg<'_>], v: &str) -> bool {
        match segs.split_first() {
            None => v.is_empty(),
            Some((Seg::Lit(l), rest)) => v.strip_prefix(l).is_some_and(|t| naive(rest, t)),
            Some((Seg::One | Seg::OneNoColon, rest)) => {
                let mut cs = v.chars();
                match cs.next() {
                    Some(':') if segs[0] == Seg::OneNoColon => false,
                    Some(_) => naive(rest, cs.as_str()),
                    None => false,
                }
            }
            Some((s, rest)) => {
                let bound = *s == Seg::StarNoColon;
                let mut idx: Vec<usize> = v.char_indices().map(|(i, _)| i).collect();
                idx.push(v.len());
                for i in idx {
                    if bound && v[..i].contains(':') {
                        break;
                    }
                    if naive(rest, &v[i..]) {
                        return true;
                    }
                }
                false
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn agrees_with_naive_matcher(
            parts in proptest::collection::vec((0u8..6, "[ab:]{0,2}"), 0..6),
            value in "[ab:é]{0,8}",
        ) {
            let segs: Vec<Seg<'_>> = parts
                .iter()
                .map(|(k, lit)| match k {
                    0 => Seg::Star,
                    1 => Seg::StarNoColon,
                    2 => Seg::One,
                    3 => Seg::OneNoColon,
                    _ => Seg::Lit(lit.as_str()),
                })
                .collect();
            proptest::prop_assert_eq!(matches(&segs, &value, Case::Sensitive), naive(&segs, &value));
        }
    }

    #[test]
    fn segments_from_variables_compose() {
        let segs = [
            Seg::Lit("home/"),
            Seg::Lit("alice"),
            Seg::Lit("/"),
            Seg::Star,
        ];
        assert!(matches(&segs, "home/alice/x", Case::Sensitive));
        assert!(!matches(&segs, "home/bob/x", Case::Sensitive));
        assert!(matches(&[Seg::Lit(""), Seg::Star], "", Case::Sensitive));
    }
}
