//! Condition operators: the base comparison, the `IfExists` suffix and the set qualifiers.

use std::fmt;

/// The comparison a condition operator performs, without qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant is the AWS operator of the same name"
)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The family of an operator, which fixes how values are read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    /// String comparisons.
    String,
    /// Numeric comparisons.
    Numeric,
    /// Date comparisons.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress` and `NotIpAddress`.
    Ip,
    /// ARN comparisons.
    Arn,
    /// `Null`.
    Null,
}

impl BaseOperator {
    /// Every base operator, in documentation order.
    pub const ALL: [Self; 27] = [
        Self::StringEquals,
        Self::StringNotEquals,
        Self::StringEqualsIgnoreCase,
        Self::StringNotEqualsIgnoreCase,
        Self::StringLike,
        Self::StringNotLike,
        Self::NumericEquals,
        Self::NumericNotEquals,
        Self::NumericLessThan,
        Self::NumericLessThanEquals,
        Self::NumericGreaterThan,
        Self::NumericGreaterThanEquals,
        Self::DateEquals,
        Self::DateNotEquals,
        Self::DateLessThan,
        Self::DateLessThanEquals,
        Self::DateGreaterThan,
        Self::DateGreaterThanEquals,
        Self::Bool,
        Self::BinaryEquals,
        Self::IpAddress,
        Self::NotIpAddress,
        Self::ArnEquals,
        Self::ArnLike,
        Self::ArnNotEquals,
        Self::ArnNotLike,
        Self::Null,
    ];

    /// The operator's name as AWS spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::StringEquals => "StringEquals",
            Self::StringNotEquals => "StringNotEquals",
            Self::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            Self::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            Self::StringLike => "StringLike",
            Self::StringNotLike => "StringNotLike",
            Self::NumericEquals => "NumericEquals",
            Self::NumericNotEquals => "NumericNotEquals",
            Self::NumericLessThan => "NumericLessThan",
            Self::NumericLessThanEquals => "NumericLessThanEquals",
            Self::NumericGreaterThan => "NumericGreaterThan",
            Self::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            Self::DateEquals => "DateEquals",
            Self::DateNotEquals => "DateNotEquals",
            Self::DateLessThan => "DateLessThan",
            Self::DateLessThanEquals => "DateLessThanEquals",
            Self::DateGreaterThan => "DateGreaterThan",
            Self::DateGreaterThanEquals => "DateGreaterThanEquals",
            Self::Bool => "Bool",
            Self::BinaryEquals => "BinaryEquals",
            Self::IpAddress => "IpAddress",
            Self::NotIpAddress => "NotIpAddress",
            Self::ArnEquals => "ArnEquals",
            Self::ArnLike => "ArnLike",
            Self::ArnNotEquals => "ArnNotEquals",
            Self::ArnNotLike => "ArnNotLike",
            Self::Null => "Null",
        }
    }

    /// The operator's family.
    pub const fn family(self) -> OperatorFamily {
        use BaseOperator as B;
        match self {
            B::StringEquals
            | B::StringNotEquals
            | B::StringEqualsIgnoreCase
            | B::StringNotEqualsIgnoreCase
            | B::StringLike
            | B::StringNotLike => OperatorFamily::String,
            B::NumericEquals
            | B::NumericNotEquals
            | B::NumericLessThan
            | B::NumericLessThanEquals
            | B::NumericGreaterThan
            | B::NumericGreaterThanEquals => OperatorFamily::Numeric,
            B::DateEquals
            | B::DateNotEquals
            | B::DateLessThan
            | B::DateLessThanEquals
            | B::DateGreaterThan
            | B::DateGreaterThanEquals => OperatorFamily::Date,
            B::Bool => OperatorFamily::Bool,
            B::BinaryEquals => OperatorFamily::Binary,
            B::IpAddress | B::NotIpAddress => OperatorFamily::Ip,
            B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => OperatorFamily::Arn,
            B::Null => OperatorFamily::Null,
        }
    }

    /// Whether the operator is negated: it matches when no policy value matches, and a missing
    /// key makes it true.
    pub const fn is_negated(self) -> bool {
        matches!(
            self,
            Self::StringNotEquals
                | Self::StringNotEqualsIgnoreCase
                | Self::StringNotLike
                | Self::NumericNotEquals
                | Self::DateNotEquals
                | Self::NotIpAddress
                | Self::ArnNotEquals
                | Self::ArnNotLike
        )
    }

    /// Whether policy variables in the values are substituted (string and ARN operators).
    pub const fn takes_variables(self) -> bool {
        matches!(self.family(), OperatorFamily::String | OperatorFamily::Arn)
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.name().eq_ignore_ascii_case(name))
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must match; true when the key is missing or empty.
    ForAllValues,
    /// `ForAnyValue:`: some request value must match; false when the key is missing or empty.
    ForAnyValue,
}

/// A whole condition operator, such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// The comparison.
    pub base: BaseOperator,
    /// Whether `IfExists` was appended.
    pub if_exists: bool,
}

/// Why an operator name could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorNameError {
    /// The name is no operator; carries the closest known name, if one is close.
    Unknown {
        /// A known operator close to the name.
        suggestion: Option<String>,
    },
    /// `Null` with `IfExists`, which AWS rejects.
    NullWithIfExists,
}

impl Operator {
    /// Reads an operator name. Names compare without regard to case, as AWS accepts them.
    ///
    /// # Errors
    /// When the name is not a condition operator, or is `NullIfExists`.
    pub fn parse(name: &str) -> Result<Self, OperatorNameError> {
        let (qualifier, rest) = split_qualifier(name);
        let (base_name, if_exists) = match strip_suffix_ignore_case(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let Some(base) = BaseOperator::from_name(base_name) else {
            return Err(OperatorNameError::Unknown {
                suggestion: suggest_operator(rest),
            });
        };
        if base == BaseOperator::Null && if_exists {
            return Err(OperatorNameError::NullWithIfExists);
        }
        Ok(Self {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

fn split_qualifier(name: &str) -> (Option<SetQualifier>, &str) {
    for (prefix, q) in [
        ("ForAllValues:", SetQualifier::ForAllValues),
        ("ForAnyValue:", SetQualifier::ForAnyValue),
    ] {
        if let Some(rest) = strip_prefix_ignore_case(name, prefix) {
            return (Some(q), rest);
        }
    }
    (None, name)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..cut))
        .flatten()
}

fn suggest_operator(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    BaseOperator::ALL
        .into_iter()
        .map(|op| (edit_distance(&lower, &op.name().to_ascii_lowercase()), op))
        .filter(|(d, op)| *d <= op.name().len() / 3 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, op)| op.name().to_owned())
}

/// Levenshtein distance over bytes; used for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualifiers_and_suffixes() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
        assert_eq!(Operator::parse("Bool").unwrap().base, BaseOperator::Bool);
        assert_eq!(
            Operator::parse("stringequals").unwrap().base,
            BaseOperator::StringEquals
        );
    }

    #[test]
    fn every_operator_round_trips_with_every_form() {
        for base in BaseOperator::ALL {
            for q in [
                None,
                Some(SetQualifier::ForAllValues),
                Some(SetQualifier::ForAnyValue),
            ] {
                for if_exists in [false, true] {
                    let op = Operator {
                        qualifier: q,
                        base,
                        if_exists,
                    };
                    let parsed = Operator::parse(&op.to_string());
                    if base == BaseOperator::Null && if_exists {
                        assert_eq!(parsed, Err(OperatorNameError::NullWithIfExists));
                    } else {
                        assert_eq!(parsed, Ok(op));
                    }
                }
            }
        }
    }

    #[test]
    fn unknown_operators_get_a_suggestion() {
        assert_eq!(
            Operator::parse("StringEqual"),
            Err(OperatorNameError::Unknown {
                suggestion: Some("StringEquals".into())
            })
        );
        assert_eq!(
            Operator::parse("Frobnicate"),
            Err(OperatorNameError::Unknown { suggestion: None })
        );
    }
}
