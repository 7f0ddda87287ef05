//! Compiled `Condition` blocks and their evaluation, per the IAM User Guide's condition
//! operator, multivalued-key and `IfExists` rules.

use orgctl_policy::{BaseOperator, ConditionBlock, Operator, OperatorFamily, SetQualifier};

use crate::glob::Case;
use crate::request::{Lookup, ValueRef};
use crate::template::{Syntax, Template};
use crate::values::{self, Cidr};

/// One policy value, read for its operator's family.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// String and ARN operators: text that may hold variables and wildcards.
    Text(Template),
    /// Numeric operators.
    Number(f64),
    /// Date operators, in epoch milliseconds.
    Date(i64),
    /// `Bool` and `Null`.
    Bool(bool),
    /// `BinaryEquals`: base-64 text without padding.
    Binary(String),
    /// IP operators.
    Network(Cidr),
    /// A value that cannot be read for this operator: it matches nothing.
    Invalid,
}

/// One key of a condition block with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCondition {
    operator: Operator,
    /// The key in lower case.
    key: String,
    operands: Vec<Operand>,
}

/// Compiles every key of `block`.
pub fn compile_block(block: &ConditionBlock, variables: bool, out: &mut Vec<CompiledCondition>) {
    let operator = block.operator.node;
    let base = operator.base;
    for entry in &block.entries {
        let operands = entry
            .values
            .iter()
            .map(|v| operand(base, v.node.as_text(), variables))
            .collect();
        out.push(CompiledCondition {
            operator,
            key: entry.key.node.to_ascii_lowercase(),
            operands,
        });
    }
}

fn operand(base: BaseOperator, text: &str, variables: bool) -> Operand {
    let read = |o: Option<Operand>| o.unwrap_or(Operand::Invalid);
    match base.family() {
        OperatorFamily::String => {
            let wildcards = matches!(base, BaseOperator::StringLike | BaseOperator::StringNotLike);
            Operand::Text(Template::compile(
                text,
                Syntax {
                    wildcards,
                    variables,
                },
                false,
            ))
        }
        OperatorFamily::Arn => Operand::Text(Template::compile(
            text,
            Syntax {
                wildcards: true,
                variables,
            },
            false,
        )),
        OperatorFamily::Numeric => read(values::number(text).map(Operand::Number)),
        OperatorFamily::Date => read(values::date_millis(text).map(Operand::Date)),
        OperatorFamily::Bool | OperatorFamily::Null => {
            read(values::boolean(text).map(Operand::Bool))
        }
        OperatorFamily::Binary => Operand::Binary(text.trim().trim_end_matches('=').to_owned()),
        OperatorFamily::Ip => read(Cidr::parse(text).map(Operand::Network)),
    }
}

/// A value a condition compares with, as the prover needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum OperandView<'a> {
    /// Text of a string or ARN operator.
    Text(&'a Template),
    /// A number.
    Number(f64),
    /// A date, epoch milliseconds.
    Date(i64),
    /// A boolean.
    Bool(bool),
    /// Base-64 text.
    Binary(&'a str),
    /// The first address of an IP range.
    Network(std::net::IpAddr),
    /// A value that matches nothing.
    Invalid,
}

impl CompiledCondition {
    /// The condition key, in lower case.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub const fn operator(&self) -> Operator {
        self.operator
    }

    /// The policy values.
    pub fn operands(&self) -> impl Iterator<Item = OperandView<'_>> {
        self.operands.iter().map(|o| match o {
            Operand::Text(t) => OperandView::Text(t),
            Operand::Number(n) => OperandView::Number(*n),
            Operand::Date(d) => OperandView::Date(*d),
            Operand::Bool(b) => OperandView::Bool(*b),
            Operand::Binary(b) => OperandView::Binary(b),
            Operand::Network(c) => OperandView::Network(c.first()),
            Operand::Invalid => OperandView::Invalid,
        })
    }

    /// Whether a policy value reads a variable (its truth then depends on another key).
    pub fn has_variables(&self) -> bool {
        self.operands
            .iter()
            .any(|o| matches!(o, Operand::Text(t) if t.has_variables()))
    }

    /// Whether the condition holds for the request context.
    pub fn holds<L: Lookup + ?Sized>(&self, ctx: &L) -> bool {
        let value = ctx.lookup(&self.key);
        let present = value.is_some_and(|v| !v.is_empty());
        if self.operator.base == BaseOperator::Null {
            // `Null: true` asks for the key to be absent, `false` for it to be present.
            return self.operands.iter().any(|o| match o {
                Operand::Bool(want_absent) => *want_absent != present,
                _ => false,
            });
        }
        // For the set qualifiers an empty string is "a null data set" too (IAM User Guide,
        // multivalued context keys).
        let null_set =
            self.operator.qualifier.is_some() && value.is_some_and(|v| v.iter().all(str::is_empty));
        let Some(value) = value.filter(|_| present && !null_set) else {
            return match self.operator.qualifier {
                // "true if there are no keys in the request, or if the key values resolve to a
                // null data set"; `ForAnyValue` is false then, unless `IfExists`.
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => self.operator.if_exists,
                None => self.operator.if_exists || self.operator.base.is_negated(),
            };
        };
        match (self.operator.qualifier, value) {
            (Some(SetQualifier::ForAllValues), v) => v.iter().all(|x| self.single(x, ctx)),
            (Some(SetQualifier::ForAnyValue), v) => v.iter().any(|x| self.single(x, ctx)),
            (None, ValueRef::Single(x)) => self.single(x, ctx),
            // A multivalued key under a plain operator: a positive operator needs some request
            // value to match; a negated one needs none to match its positive form.
            (None, ValueRef::Multi(xs)) => {
                if self.operator.base.is_negated() {
                    xs.iter().all(|x| self.single(x, ctx))
                } else {
                    xs.iter().any(|x| self.single(x, ctx))
                }
            }
        }
    }

    /// The operator applied to one request value: a positive operator holds when some policy
    /// value matches; a negated one when none matches.
    fn single<L: Lookup + ?Sized>(&self, value: &str, ctx: &L) -> bool {
        let base = self.operator.base;
        let any = self
            .operands
            .iter()
            .any(|o| positive_match(base, o, value, ctx));
        any != base.is_negated()
    }
}

fn positive_match<L: Lookup + ?Sized>(
    base: BaseOperator,
    operand: &Operand,
    value: &str,
    ctx: &L,
) -> bool {
    use BaseOperator as B;
    match operand {
        Operand::Text(t) => match base {
            B::StringEquals | B::StringNotEquals | B::StringLike | B::StringNotLike => {
                t.matches(value, ctx, Case::Sensitive)
            }
            B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => t
                .resolve(ctx)
                .is_some_and(|segs| eq_ignore_case_segments(&segs, value)),
            _ => arn_like(t, value, ctx),
        },
        Operand::Number(n) => {
            values::number(value).is_some_and(|v| compare(base, v.partial_cmp(n)))
        }
        Operand::Date(d) => {
            values::date_millis(value).is_some_and(|v| compare(base, Some(v.cmp(d))))
        }
        Operand::Bool(b) => values::boolean(value) == Some(*b),
        Operand::Binary(b) => value.trim().trim_end_matches('=') == b,
        Operand::Network(net) => values::ip(value).is_some_and(|ip| net.contains(ip)),
        Operand::Invalid => false,
    }
}

fn compare(base: BaseOperator, ord: Option<std::cmp::Ordering>) -> bool {
    use BaseOperator as B;
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (base, ord) {
        (_, None) => false,
        (B::NumericEquals | B::NumericNotEquals | B::DateEquals | B::DateNotEquals, Some(o)) => {
            o == Equal
        }
        (B::NumericLessThan | B::DateLessThan, Some(o)) => o == Less,
        (B::NumericLessThanEquals | B::DateLessThanEquals, Some(o)) => o != Greater,
        (B::NumericGreaterThan | B::DateGreaterThan, Some(o)) => o == Greater,
        (B::NumericGreaterThanEquals | B::DateGreaterThanEquals, Some(o)) => o != Less,
        _ => false,
    }
}

/// Case-insensitive equality of resolved literal segments with `value`, by Unicode
/// lower-casing, without allocating.
fn eq_ignore_case_segments(segs: &[crate::glob::Seg<'_>], value: &str) -> bool {
    let pattern = segs.iter().flat_map(|s| match s {
        crate::glob::Seg::Lit(l) => l.chars(),
        _ => "".chars(),
    });
    pattern
        .flat_map(char::to_lowercase)
        .eq(value.chars().flat_map(char::to_lowercase))
}

/// `ArnLike`/`ArnEquals`: each of the six colon-separated components matches on its own; the
/// last (the resource) takes the rest of the ARN, colons included.
fn arn_like<L: Lookup + ?Sized>(t: &Template, value: &str, ctx: &L) -> bool {
    let Some(segs) = t.resolve(ctx) else {
        return false;
    };
    // Re-split the resolved pattern into components on literal colons.
    let mut pattern_fields: smallvec::SmallVec<[smallvec::SmallVec<[crate::glob::Seg<'_>; 4]>; 6]> =
        smallvec::SmallVec::new();
    pattern_fields.push(smallvec::SmallVec::new());
    for seg in &segs {
        match seg {
            crate::glob::Seg::Lit(l) => {
                let mut rest = *l;
                while let Some(idx) = rest.find(':') {
                    let fields = pattern_fields.len();
                    if fields >= 6 {
                        break;
                    }
                    if let (Some(head), Some(cur)) = (rest.get(..idx), pattern_fields.last_mut()) {
                        if !head.is_empty() {
                            cur.push(crate::glob::Seg::Lit(head));
                        }
                    }
                    pattern_fields.push(smallvec::SmallVec::new());
                    rest = rest.get(idx + 1..).unwrap_or_default();
                }
                if let Some(cur) = pattern_fields.last_mut()
                    && !rest.is_empty()
                {
                    cur.push(crate::glob::Seg::Lit(rest));
                }
            }
            other => {
                if let Some(cur) = pattern_fields.last_mut() {
                    cur.push(*other);
                }
            }
        }
    }
    if pattern_fields.len() != 6 {
        // Not an ARN pattern: only a lone `*` matches (any ARN).
        return matches!(segs.as_slice(), [crate::glob::Seg::Star])
            && value.split(':').count() >= 6;
    }
    let mut value_fields = value.splitn(6, ':');
    pattern_fields.iter().all(|pf| {
        value_fields
            .next()
            .is_some_and(|vf| crate::glob::matches(pf, vf, Case::Sensitive))
    }) && value_fields.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextValue};
    use orgctl_policy::Policy;

    /// Evaluates the first condition block of a one-statement policy against `ctx`.
    fn holds(condition: &str, ctx: &Context) -> bool {
        let src = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
        );
        let policy = Policy::parse(&src).unwrap();
        let mut compiled = Vec::new();
        for block in &policy.statements[0].condition {
            compile_block(block, true, &mut compiled);
        }
        compiled.iter().all(|c| c.holds(ctx))
    }

    fn single(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, ContextValue::Single((*v).to_owned()));
        }
        c
    }

    #[test]
    fn arn_like_is_per_component_string_like_is_not() {
        // IAM User Guide, condition operators, "ARN condition operators" example.
        let value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        let ctx = single(&[("aws:SourceArn", value)]);
        let pattern = "arn:aws:someservice:*:111122223333:finance/*";
        assert!(holds(
            &format!(r#"{{"StringLike":{{"aws:SourceArn":"{pattern}"}}}}"#),
            &ctx
        ));
        assert!(!holds(
            &format!(r#"{{"ArnLike":{{"aws:SourceArn":"{pattern}"}}}}"#),
            &ctx
        ));
    }

    #[test]
    fn arn_like_components() {
        let ctx = single(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/team/Admin",
        )]);
        assert!(holds(
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}"#,
            &ctx
        ));
        assert!(holds(
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/Admin"}}"#,
            &ctx
        ));
        assert!(!holds(
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222233334444:role/*"}}"#,
            &ctx
        ));
        assert!(holds(
            r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Other"}}"#,
            &ctx
        ));
    }
}
