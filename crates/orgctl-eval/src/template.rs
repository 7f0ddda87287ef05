//! Policy strings with `${...}` variables, compiled once and resolved against each request.

use smallvec::SmallVec;

use crate::glob::{self, Case, Seg};
use crate::request::{Lookup, ValueRef};

/// One piece of a compiled policy string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal text.
    Text(String),
    /// A wildcard: `*` or `?`, possibly unable to cross `:`.
    Wild(Seg<'static>),
    /// A variable: the key in lower case and its default.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A policy string, split into literal text, wildcards and variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    has_vars: bool,
}

/// How to read a policy string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    /// Whether `*` and `?` are wildcards (Like operators, Action and Resource elements).
    pub wildcards: bool,
    /// Whether `${...}` is a variable (policy version `2012-10-17`, on elements that allow it).
    pub variables: bool,
}

/// Segments of a resolved template; patterns rarely have more than a dozen pieces.
pub type Resolved<'a> = SmallVec<[Seg<'a>; 12]>;

impl Template {
    /// Compiles `text`. With `arn_segments`, wildcards in the first five colon-separated
    /// fields of an ARN may not cross a `:` unless they end their field.
    pub fn compile(text: &str, syntax: Syntax, arn_segments: bool) -> Self {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        // Which ARN field we are in, counting colons seen in literal text.
        let mut field = 0usize;
        let mut rest = text;
        while !rest.is_empty() {
            if syntax.variables
                && let Some(after) = rest.strip_prefix("${")
                && let Some(close) = after.find('}')
            {
                let inner = after.get(..close).unwrap_or_default();
                rest = after.get(close + 1..).unwrap_or_default();
                match inner {
                    "*" | "?" | "$" => lit.push_str(inner),
                    _ => {
                        flush(&mut lit, &mut pieces);
                        let (key, default) = split_default(inner);
                        pieces.push(Piece::Var {
                            key: key.to_ascii_lowercase(),
                            default,
                        });
                    }
                }
                continue;
            }
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            rest = chars.as_str();
            if syntax.wildcards && (c == '*' || c == '?') {
                flush(&mut lit, &mut pieces);
                let ends_field = rest.is_empty() || rest.starts_with(':');
                let bound = arn_segments && field < 5 && !ends_field;
                pieces.push(Piece::Wild(match (c, bound) {
                    ('*', false) => Seg::Star,
                    ('*', true) => Seg::StarNoColon,
                    (_, false) => Seg::One,
                    (_, true) => Seg::OneNoColon,
                }));
            } else {
                if c == ':' {
                    field += 1;
                }
                lit.push(c);
            }
        }
        flush(&mut lit, &mut pieces);
        let has_vars = pieces.iter().any(|p| matches!(p, Piece::Var { .. }));
        Self { pieces, has_vars }
    }

    /// Whether the template uses variables.
    pub const fn has_variables(&self) -> bool {
        self.has_vars
    }

    /// The template's segments with variables replaced by their values in `ctx`. `None` when
    /// a variable has no value and no default: such a string matches nothing.
    ///
    /// Multivalued keys cannot be variables; an absent key takes the default.
    pub fn resolve<'a, L: Lookup + ?Sized>(&'a self, ctx: &'a L) -> Option<Resolved<'a>> {
        self.pieces.iter().map(|p| self.piece_seg(p, ctx)).collect()
    }

    /// Whether `value` matches in full.
    pub fn matches<L: Lookup + ?Sized>(&self, value: &str, ctx: &L, case: Case) -> bool {
        if let Some(lit) = self.as_literal() {
            return match case {
                Case::Sensitive => lit == value,
                Case::AsciiInsensitive => lit.eq_ignore_ascii_case(value),
            };
        }
        // A variable without a value (and without a default) makes the string match nothing.
        if self.has_vars && !self.pieces.iter().all(|p| self.piece_seg(p, ctx).is_some()) {
            return false;
        }
        glob::matches_with(
            self.pieces.len(),
            |i| self.pieces.get(i).and_then(|p| self.piece_seg(p, ctx)),
            value,
            case,
        )
    }

    fn piece_seg<'a, L: Lookup + ?Sized>(
        &'a self,
        piece: &'a Piece,
        ctx: &'a L,
    ) -> Option<Seg<'a>> {
        Some(match piece {
            Piece::Text(t) => Seg::Lit(t),
            Piece::Wild(w) => *w,
            Piece::Var { key, default } => match ctx.lookup(key) {
                Some(ValueRef::Single(v)) => Seg::Lit(v),
                _ => Seg::Lit(default.as_deref()?),
            },
        })
    }

    /// The literal text when the template has neither variables nor wildcards.
    pub fn as_literal(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [] => Some(""),
            [Piece::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// An example of a string the template matches, for the prover: variables take their
    /// values in `ctx` (`None` when one has none and no default), and each wildcard takes
    /// `fill(field, star)`, where `field` counts the colons of literal text before it (the ARN
    /// field it sits in) and `star` tells `*` from `?` (whose fill must be one character).
    pub fn example<L: Lookup + ?Sized>(
        &self,
        ctx: &L,
        fill: &dyn Fn(usize, bool) -> String,
    ) -> Option<String> {
        let mut out = String::new();
        let mut field = 0usize;
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => {
                    field += t.matches(':').count();
                    out.push_str(t);
                }
                Piece::Wild(w) => {
                    out.push_str(&fill(field, matches!(w, Seg::Star | Seg::StarNoColon)));
                }
                Piece::Var { .. } => match self.piece_seg(piece, ctx)? {
                    Seg::Lit(v) => out.push_str(v),
                    _ => return None,
                },
            }
        }
        Some(out)
    }

    /// The keys of the variables the template reads, in lower case.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Whether the template is a single `*`.
    pub fn is_star(&self) -> bool {
        matches!(self.pieces.as_slice(), [Piece::Wild(Seg::Star)])
    }
}

fn flush(lit: &mut String, pieces: &mut Vec<Piece>) {
    if !lit.is_empty() {
        pieces.push(Piece::Text(std::mem::take(lit)));
    }
}

/// Splits `key, 'default'` into the key and the default.
fn split_default(inner: &str) -> (&str, Option<String>) {
    match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (key.trim(), Some(d.to_owned()))
        }
        None => (inner.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextValue};

    const LIKE: Syntax = Syntax {
        wildcards: true,
        variables: true,
    };

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, ContextValue::Single((*v).to_owned()));
        }
        c
    }

    #[test]
    fn variables_resolve_case_insensitively() {
        let t = Template::compile("home/${aws:username}/*", LIKE, false);
        assert!(t.matches(
            "home/alice/x",
            &ctx(&[("AWS:UserName", "alice")]),
            Case::Sensitive
        ));
        assert!(!t.matches(
            "home/bob/x",
            &ctx(&[("aws:username", "alice")]),
            Case::Sensitive
        ));
        // No value, no default: matches nothing.
        assert!(!t.matches("home//x", &ctx(&[]), Case::Sensitive));
    }

    #[test]
    fn defaults_and_escapes() {
        let t = Template::compile("team-${aws:PrincipalTag/team, 'company-wide'}", LIKE, false);
        assert!(t.matches("team-company-wide", &ctx(&[]), Case::Sensitive));
        assert!(t.matches(
            "team-red",
            &ctx(&[("aws:principaltag/team", "red")]),
            Case::Sensitive
        ));
        let t = Template::compile("a${*}b${?}${$}", LIKE, false);
        assert!(t.matches("a*b?$", &ctx(&[]), Case::Sensitive));
        assert!(!t.matches("axb?$", &ctx(&[]), Case::Sensitive));
    }

    #[test]
    fn variables_are_literal_without_the_2012_version() {
        let t = Template::compile(
            "${aws:username}",
            Syntax {
                wildcards: true,
                variables: false,
            },
            false,
        );
        assert!(t.matches(
            "${aws:username}",
            &ctx(&[("aws:username", "x")]),
            Case::Sensitive
        ));
    }

    #[test]
    fn equals_syntax_treats_wildcards_as_text() {
        let t = Template::compile(
            "a*",
            Syntax {
                wildcards: false,
                variables: true,
            },
            false,
        );
        assert!(t.matches("a*", &ctx(&[]), Case::Sensitive));
        assert!(!t.matches("ab", &ctx(&[]), Case::Sensitive));
        assert_eq!(t.as_literal(), Some("a*"));
    }

    #[test]
    fn arn_fields_bound_inner_wildcards() {
        let t = Template::compile("arn:aws:ec2:us-*-1:*:instance/*", LIKE, true);
        let c = ctx(&[]);
        assert!(t.matches(
            "arn:aws:ec2:us-east-1:123:instance/i-1",
            &c,
            Case::Sensitive
        ));
        assert!(!t.matches(
            "arn:aws:ec2:us-east:x-1:123:instance/i-1",
            &c,
            Case::Sensitive
        ));
        // A `*` that ends its field may run past colons.
        let t = Template::compile("arn:aws:logs:us-east-1:*", LIKE, true);
        assert!(t.matches(
            "arn:aws:logs:us-east-1:123:log-group:a:log-stream:b",
            &c,
            Case::Sensitive
        ));
    }
}
