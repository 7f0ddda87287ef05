//! Reading HCL bodies into typed values, collecting every problem with its span.
//!
//! The spec language is plain HCL: literal strings, numbers, booleans, lists, maps, and
//! references (`root`, `everywhere`, `unit.KEY`, `account.KEY`). Interpolation and functions
//! are refused with a hint: a spec is data, and a reviewer should read it as it will act.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};

use crate::diag::{Diagnostic, Diagnostics, FileId, Loc};
use crate::spec::Target;

/// Reads one block body, remembering which attributes and blocks were used so the rest can be
/// reported as unknown.
#[derive(Debug)]
pub(crate) struct BodyReader<'a> {
    file: FileId,
    body: &'a Body,
    /// The span of the whole block, for "missing attribute" errors.
    block_loc: Loc,
    /// What the block is called in messages (`account "dev"`).
    what: String,
    used: HashSet<String>,
}

fn span_of(node: &impl hcl_edit::Span) -> Range<usize> {
    node.span().unwrap_or(0..0)
}

impl<'a> BodyReader<'a> {
    pub(crate) fn new(file: FileId, body: &'a Body, block_loc: Loc, what: String) -> Self {
        Self {
            file,
            body,
            block_loc,
            what,
            used: HashSet::new(),
        }
    }

    pub(crate) fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn attr(&mut self, key: &str) -> Option<&'a Expression> {
        let attr = self.body.get_attribute(key)?;
        self.used.insert(key.to_owned());
        Some(&attr.value)
    }

    /// A string attribute, with where its value was written.
    pub(crate) fn string(&mut self, key: &str, diags: &mut Diagnostics) -> Option<(String, Loc)> {
        let expr = self.attr(key)?;
        let loc = self.loc(span_of(expr));
        match expr {
            Expression::String(s) => Some((s.value().clone(), loc)),
            other => {
                diags.push(type_error(loc, key, "a string", other));
                None
            }
        }
    }

    /// A string attribute that must be present.
    pub(crate) fn required_string(
        &mut self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<(String, Loc)> {
        let found = self.body.get_attribute(key).is_some();
        let value = self.string(key, diags);
        if !found {
            diags.push(
                Diagnostic::error(
                    "missing-attribute",
                    self.block_loc.clone(),
                    format!("{} has no `{key}`", self.what),
                )
                .with_help(format!("add `{key} = \"...\"` to the block")),
            );
        }
        value
    }

    /// A boolean attribute.
    pub(crate) fn bool(&mut self, key: &str, diags: &mut Diagnostics) -> Option<bool> {
        let expr = self.attr(key)?;
        match expr {
            Expression::Bool(b) => Some(*b.value()),
            other => {
                diags.push(type_error(
                    self.loc(span_of(expr)),
                    key,
                    "true or false",
                    other,
                ));
                None
            }
        }
    }

    /// A non-negative whole number.
    pub(crate) fn u32(&mut self, key: &str, diags: &mut Diagnostics) -> Option<u32> {
        let expr = self.attr(key)?;
        let loc = self.loc(span_of(expr));
        match expr {
            Expression::Number(n) => match n.value().as_u64().and_then(|v| u32::try_from(v).ok()) {
                Some(v) => Some(v),
                None => {
                    diags.push(
                        Diagnostic::error(
                            "wrong-type",
                            loc,
                            format!("`{key}` must be a whole number"),
                        )
                        .with_help("write a non-negative integer such as `10`"),
                    );
                    None
                }
            },
            other => {
                diags.push(type_error(loc, key, "a number", other));
                None
            }
        }
    }

    /// A number, possibly fractional.
    pub(crate) fn f64(&mut self, key: &str, diags: &mut Diagnostics) -> Option<f64> {
        let expr = self.attr(key)?;
        match expr {
            Expression::Number(n) => n.value().as_f64(),
            other => {
                diags.push(type_error(self.loc(span_of(expr)), key, "a number", other));
                None
            }
        }
    }

    /// A list of strings, each with its location.
    pub(crate) fn strings(&mut self, key: &str, diags: &mut Diagnostics) -> Vec<(String, Loc)> {
        let Some(expr) = self.attr(key) else {
            return Vec::new();
        };
        let Expression::Array(items) = expr else {
            diags.push(type_error(
                self.loc(span_of(expr)),
                key,
                "a list of strings",
                expr,
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let loc = self.loc(span_of(item));
            match item {
                Expression::String(s) => out.push((s.value().clone(), loc)),
                other => diags.push(type_error(loc, key, "a string", other)),
            }
        }
        out
    }

    /// A map of strings to strings (`tags = { team = "platform" }`).
    pub(crate) fn string_map(
        &mut self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(expr) = self.attr(key) else {
            return out;
        };
        let Expression::Object(object) = expr else {
            diags.push(type_error(
                self.loc(span_of(expr)),
                key,
                "a map of strings",
                expr,
            ));
            return out;
        };
        for (k, v) in object.iter() {
            let name = match k {
                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
                hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                hcl_edit::expr::ObjectKey::Expression(e) => {
                    diags.push(type_error(self.loc(span_of(e)), key, "a key name", e));
                    continue;
                }
            };
            match v.expr() {
                Expression::String(s) => {
                    out.insert(name, s.value().clone());
                }
                other => diags.push(type_error(self.loc(span_of(other)), key, "a string", other)),
            }
        }
        out
    }

    /// A reference (`root`, `unit.security`, `account.audit`, `everywhere`).
    pub(crate) fn target(&mut self, key: &str, diags: &mut Diagnostics) -> Option<(Target, Loc)> {
        let expr = self.attr(key)?;
        let loc = self.loc(span_of(expr));
        match read_target(expr) {
            Ok(t) => Some((t, loc)),
            Err(help) => {
                diags.push(
                    Diagnostic::error(
                        "invalid-reference",
                        loc,
                        format!("`{key}` must be a reference"),
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    /// A list of references.
    pub(crate) fn targets(&mut self, key: &str, diags: &mut Diagnostics) -> Vec<(Target, Loc)> {
        let Some(expr) = self.attr(key) else {
            return Vec::new();
        };
        let items: Vec<&Expression> = match expr {
            Expression::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let mut out = Vec::new();
        for item in items {
            let loc = self.loc(span_of(item));
            match read_target(item) {
                Ok(t) => out.push((t, loc)),
                Err(help) => diags.push(
                    Diagnostic::error(
                        "invalid-reference",
                        loc,
                        format!("every item of `{key}` must be a reference"),
                    )
                    .with_help(help),
                ),
            }
        }
        out
    }

    /// Nested blocks named `ident`.
    pub(crate) fn blocks(&mut self, ident: &str) -> Vec<&'a Block> {
        self.used.insert(ident.to_owned());
        self.body
            .blocks()
            .filter(|b| b.ident.as_str() == ident)
            .collect()
    }

    /// Reports every attribute and block not read, suggesting the closest known name.
    pub(crate) fn finish(self, diags: &mut Diagnostics) {
        let known: Vec<&str> = self.used.iter().map(String::as_str).collect();
        for structure in self.body.iter() {
            let (name, span, kind) = match structure {
                Structure::Attribute(a) => (a.key.as_str(), span_of(&a.key), "attribute"),
                Structure::Block(b) => (b.ident.as_str(), span_of(&b.ident), "block"),
            };
            if self.used.contains(name) {
                continue;
            }
            let mut d = Diagnostic::error(
                "unknown-element",
                self.loc(span),
                format!("unknown {kind} `{name}` in {}", self.what),
            );
            d = match orgctl_lint::closest(name, known.iter().copied()) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help("docs/spec.md lists every attribute and block of the spec"),
            };
            diags.push(d);
        }
    }
}

fn describe(expr: &Expression) -> &'static str {
    match expr {
        Expression::Null(_) => "null",
        Expression::Bool(_) => "a boolean",
        Expression::Number(_) => "a number",
        Expression::String(_) => "a string",
        Expression::Array(_) => "a list",
        Expression::Object(_) => "a map",
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => "a string template",
        Expression::Variable(_) | Expression::Traversal(_) => "a reference",
        Expression::FuncCall(_) => "a function call",
        _ => "an expression",
    }
}

fn type_error(loc: Loc, key: &str, want: &str, got: &Expression) -> Diagnostic {
    let d = Diagnostic::error(
        "wrong-type",
        loc,
        format!("`{key}` must be {want}, not {}", describe(got)),
    );
    match got {
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => d.with_help(
            "a spec is plain data: write the value out (interpolation is not evaluated)",
        ),
        Expression::FuncCall(_) => d.with_help("a spec is plain data: functions are not evaluated"),
        _ if want == "a string" => d.with_help("quote the value: `\"...\"`"),
        _ => d,
    }
}

/// A reference expression as a [`Target`], or a help line saying what is allowed.
fn read_target(expr: &Expression) -> Result<Target, String> {
    const HELP: &str = "write `root`, `everywhere`, `unit.KEY` or `account.KEY` (no quotes)";
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "root" => Ok(Target::Root),
            "everywhere" => Ok(Target::Everywhere),
            other => Err(format!("`{other}` is not a reference; {HELP}")),
        },
        Expression::Traversal(t) => {
            let Expression::Variable(head) = &t.expr else {
                return Err(HELP.to_owned());
            };
            let [op] = t.operators.as_slice() else {
                return Err(HELP.to_owned());
            };
            let TraversalOperator::GetAttr(key) = op.value() else {
                return Err(HELP.to_owned());
            };
            match head.as_str() {
                "unit" => Ok(Target::Unit(key.as_str().to_owned())),
                "account" => Ok(Target::Account(key.as_str().to_owned())),
                other => Err(format!("`{other}.` references nothing; {HELP}")),
            }
        }
        Expression::String(s) => Err(format!("`\"{}\"` is a string; {HELP}", s.value())),
        _ => Err(HELP.to_owned()),
    }
}

/// The span of a block's first label, or of its identifier when it has none.
pub(crate) fn label_span(block: &Block) -> Range<usize> {
    block
        .labels
        .first()
        .and_then(|l| match l {
            hcl_edit::structure::BlockLabel::Ident(i) => i.span(),
            hcl_edit::structure::BlockLabel::String(s) => s.span(),
        })
        .unwrap_or_else(|| span_of(&block.ident))
}
