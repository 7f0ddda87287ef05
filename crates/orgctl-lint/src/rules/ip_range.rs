//! ## What it does
//! Checks the values of `IpAddress` and `NotIpAddress` conditions:
//!
//! - a CIDR range with host bits set, such as `10.0.0.1/8` (`IMPROVE_IP_RANGE`, suggestion):
//!   AWS reads it as the network `10.0.0.0/8`, which is wider than it looks;
//! - a private or loopback range (`10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`,
//!   `127.0.0.0/8`, `169.254.0.0/16`, `fc00::/7`, `fe80::/10`, `::1`) compared with
//!   `aws:SourceIp` (`PRIVATE_IP_ADDRESS` with `IpAddress`, `PRIVATE_NOTIPADDRESS` with
//!   `NotIpAddress`, both errors).
//!
//! Values that are not addresses at all are reported once, by `condition-type`
//! (`TYPE_MISMATCH_IP_RANGE`); this rule skips them. Ranges that merely contain a private range
//! (such as `0.0.0.0/0`) are not reported.
//!
//! ## Why is this bad?
//! `aws:SourceIp` carries the public address a request comes from; requests through a VPC
//! endpoint carry their private address in `aws:VpcSourceIp` instead. A private range in
//! `IpAddress` never matches, so an `Allow` grants nothing; in the `NotIpAddress` of a network
//! perimeter `Deny` it exempts nothing, so calls from inside the VPC are denied although the
//! policy seems to allow them.
//!
//! ## Example
//! ```json
//! "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}}
//! ```
//!
//! Use instead:
//! ```json
//! "Condition": {
//!   "NotIpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"},
//!   "NotIpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}
//! }
//! ```
//!
//! ## References
//! - IAM User Guide, AWS global condition context keys: `aws:SourceIp`, `aws:VpcSourceIp`
//! - IAM Access Analyzer policy checks: `IMPROVE_IP_RANGE`, `PRIVATE_IP_ADDRESS`,
//!   `PRIVATE_NOTIPADDRESS`

use std::net::IpAddr;

use orgctl_eval::values::Cidr;
use orgctl_policy::{BaseOperator, OperatorFamily};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "ip-range",
    summary: "IP ranges with host bits set, and private ranges compared with aws:SourceIp",
    docs: include_str!("ip_range.rs"),
    check,
};

/// Private, loopback and link-local networks, which `aws:SourceIp` never holds.
const PRIVATE: [&str; 8] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
];

fn check(cx: &mut LintContext<'_>) {
    let policy = cx.policy;
    for statement in &policy.statements {
        for block in &statement.condition {
            let op = block.operator.node;
            if op.base.family() != OperatorFamily::Ip {
                continue;
            }
            for entry in &block.entries {
                let key = entry.key.node.as_str();
                let source_ip = key.eq_ignore_ascii_case("aws:SourceIp");
                for value in &entry.values {
                    let text = value.node.as_text();
                    if Cidr::parse(text).is_none() {
                        continue;
                    }
                    let Some(net) = Net::parse(text) else {
                        continue;
                    };
                    if source_ip && let Some(private) = net.private_range() {
                        let (code, message) = if op.base == BaseOperator::NotIpAddress {
                            (
                                "PRIVATE_NOTIPADDRESS",
                                format!(
                                    "`{text}` lies in the private range `{private}`, which `{key}` never holds: in `{op}` it exempts nothing"
                                ),
                            )
                        } else {
                            (
                                "PRIVATE_IP_ADDRESS",
                                format!(
                                    "`{text}` lies in the private range `{private}`, which `{key}` never holds: it never matches"
                                ),
                            )
                        };
                        cx.report(
                            FindingType::Error,
                            code,
                            value.span,
                            message,
                            "compare private addresses with `aws:VpcSourceIp` (requests through VPC endpoints), or remove the value",
                        );
                    }
                    if net.has_host_bits() {
                        let network = net.network();
                        cx.report(
                            FindingType::Suggestion,
                            "IMPROVE_IP_RANGE",
                            value.span,
                            format!(
                                "`{text}` has host bits set: AWS reads it as the network `{network}`"
                            ),
                            format!("write `{network}`, or a narrower prefix if one address was meant"),
                        );
                    }
                }
            }
        }
    }
}

/// An address with the prefix length written after it, if any.
#[derive(Debug, Clone, Copy)]
struct Net {
    addr: IpAddr,
    prefix: u8,
    explicit: bool,
}

impl Net {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Some(Self {
            addr,
            prefix: prefix.unwrap_or(max).min(max),
            explicit: prefix.is_some(),
        })
    }

    fn bits(self) -> (u128, u32) {
        match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn mask(self) -> u128 {
        let (_, width) = self.bits();
        let host = width - u32::from(self.prefix);
        let all = if width == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        all.checked_shr(host)
            .and_then(|m| m.checked_shl(host))
            .unwrap_or(0)
            & all
    }

    fn has_host_bits(self) -> bool {
        let (bits, _) = self.bits();
        self.explicit && bits & !self.mask() != 0
    }

    /// The network as `address/prefix`, host bits cleared.
    fn network(self) -> String {
        let (bits, _) = self.bits();
        let masked = bits & self.mask();
        let addr = match self.addr {
            IpAddr::V4(_) => IpAddr::from(u32::try_from(masked).unwrap_or_default().to_be_bytes()),
            IpAddr::V6(_) => IpAddr::from(masked.to_be_bytes()),
        };
        format!("{addr}/{}", self.prefix)
    }

    /// Whether `self` lies inside `outer`.
    fn within(self, outer: Self) -> bool {
        let (bits, width) = self.bits();
        let (outer_bits, outer_width) = outer.bits();
        width == outer_width
            && self.prefix >= outer.prefix
            && bits & outer.mask() == outer_bits & outer.mask()
    }

    /// The private network that contains all of `self`, if any.
    fn private_range(self) -> Option<&'static str> {
        PRIVATE
            .into_iter()
            .find(|p| Self::parse(p).is_some_and(|outer| self.within(outer)))
    }
}

#[cfg(test)]
mod tests {
    use orgctl_catalog::Catalog;

    use super::Net;
    use crate::{LintOptions, PolicyType};

    fn findings(src: &str) -> Vec<(&'static str, String)> {
        let catalog = Catalog::embedded().unwrap();
        crate::lint_with(src, &LintOptions::new(PolicyType::Scp), catalog)
            .findings
            .into_iter()
            .filter(|f| f.rule == super::RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn host_bits_and_networks() {
        let net = |s| Net::parse(s).unwrap();
        assert!(net("10.0.0.1/8").has_host_bits());
        assert_eq!(net("10.0.0.1/8").network(), "10.0.0.0/8");
        assert!(!net("10.0.0.0/8").has_host_bits());
        assert!(!net("10.0.0.1").has_host_bits());
        assert!(!net("0.0.0.0/0").has_host_bits());
        assert!(net("2001:db8::1/32").has_host_bits());
        assert_eq!(net("2001:db8::1/32").network(), "2001:db8::/32");
        assert_eq!(net("172.20.1.0/24").private_range(), Some("172.16.0.0/12"));
        assert_eq!(net("172.32.0.0/16").private_range(), None);
        assert_eq!(net("0.0.0.0/0").private_range(), None);
        assert_eq!(net("fd00::/8").private_range(), Some("fc00::/7"));
    }

    #[test]
    fn private_ranges_with_source_ip() {
        let src = with_condition(
            r#"{"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}, "IpAddressIfExists": {"aws:SourceIp": "192.168.1.10", "aws:VpcSourceIp": "10.1.0.0/16"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("PRIVATE_NOTIPADDRESS", r#""10.0.0.0/8""#),
                ("PRIVATE_IP_ADDRESS", r#""192.168.1.10""#),
            ])
        );
    }

    #[test]
    fn ranges_with_host_bits() {
        let src = with_condition(
            r#"{"NotIpAddress": {"aws:SourceIp": ["203.0.113.7/24", "2001:db8::/32"], "aws:VpcSourceIp": "10.0.0.1/8"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("IMPROVE_IP_RANGE", r#""203.0.113.7/24""#),
                ("IMPROVE_IP_RANGE", r#""10.0.0.1/8""#),
            ])
        );
    }

    #[test]
    fn public_ranges_and_unreadable_values_stay_silent() {
        // `not-an-ip` belongs to condition-type.
        let src = with_condition(
            r#"{"NotIpAddressIfExists": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24", "2001:DB8:1234:5678::/64", "not-an-ip"]}}"#,
        );
        assert_eq!(findings(&src), pairs(&[]));
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert_eq!(findings(src), pairs(&[]));
    }
}
