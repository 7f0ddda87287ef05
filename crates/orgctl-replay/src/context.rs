//! From a record to the request the evaluator decides: the principal, the resource and the
//! condition keys AWS would have had for the call.
//!
//! Keys set, when the record has what they need:
//!
//! | key | from |
//! |---|---|
//! | `aws:RequestedRegion` | `awsRegion` |
//! | `aws:SourceIp` | `sourceIPAddress`, when it is an IP address |
//! | `aws:SourceVpce` | `vpcEndpointId` |
//! | `aws:SecureTransport` | `true` when `tlsDetails` is present |
//! | `aws:MultiFactorAuthPresent` | `sessionContext.attributes.mfaAuthenticated` |
//! | `aws:CurrentTime`, `aws:EpochTime` | `eventTime` |
//! | `aws:ViaAWSService` | `true` when `invokedBy` is a service principal, else `false` |
//! | `aws:CalledVia`, `aws:CalledViaFirst`, `aws:CalledViaLast` | `invokedBy`, for the services that set them |
//! | `aws:PrincipalArn` | `sessionContext.sessionIssuer.arn` for role sessions (it keeps the role's path) |
//! | `aws:PrincipalIsAWSService` | `false` (service principals are not replayed) |
//! | `aws:PrincipalOrgID` | the organization id, when one is given |
//!
//! The evaluator derives `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username` and
//! `aws:ResourceAccount` from the principal and resource.

use std::borrow::Cow;
use std::net::IpAddr;

use orgctl_eval::{Context, ContextValue, Request};

use crate::record::{Record, Str};

/// Why an event is not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    /// Made by an AWS service (`AWSService` identity, or a service event): SCPs do not apply.
    AwsService,
    /// The caller is no IAM principal of an account (web identity, SAML, another account
    /// named by id only).
    NoPrincipal,
    /// A service-linked role: SCPs and RCPs do not apply.
    ServiceLinkedRole,
    /// The principal's account is not in the spec.
    AccountNotInSpec,
    /// The principal's account is not in the proposed spec.
    AccountNotInProposed,
}

impl Skip {
    /// Every reason, in report order.
    pub const ALL: [Self; 5] = [
        Self::AwsService,
        Self::NoPrincipal,
        Self::ServiceLinkedRole,
        Self::AccountNotInSpec,
        Self::AccountNotInProposed,
    ];

    /// The reason as the report writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwsService => "made by an AWS service (not subject to SCPs)",
            Self::NoPrincipal => "no IAM principal of an account",
            Self::ServiceLinkedRole => "service-linked role (not subject to SCPs or RCPs)",
            Self::AccountNotInSpec => "account not in the spec",
            Self::AccountNotInProposed => "account not in the proposed spec",
        }
    }

    /// A short stable name, for JSON.
    pub const fn code(self) -> &'static str {
        match self {
            Self::AwsService => "aws_service",
            Self::NoPrincipal => "no_principal",
            Self::ServiceLinkedRole => "service_linked_role",
            Self::AccountNotInSpec => "account_not_in_spec",
            Self::AccountNotInProposed => "account_not_in_proposed_spec",
        }
    }

    /// Its position in [`Skip::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Who made a call, as the record names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'r> {
    /// The principal's ARN (a session ARN for roles).
    pub arn: &'r str,
    /// The principal's account.
    pub account: &'r str,
    /// The session issuer's ARN, for role sessions.
    pub issuer: Option<&'r str>,
}

/// Whether an AWS service made the call itself.
pub fn by_service(record: &Record<'_>) -> bool {
    let kind = record
        .user_identity
        .as_ref()
        .and_then(|u| u.kind.as_ref())
        .map(Str::as_str);
    kind == Some("AWSService")
        || record.event_type.as_ref().map(Str::as_str) == Some("AwsServiceEvent")
}

/// The caller of a call made by an IAM principal.
///
/// # Errors
/// [`Skip::NoPrincipal`] without a principal ARN, [`Skip::ServiceLinkedRole`] for a
/// service-linked role.
pub fn caller<'r>(record: &'r Record<'_>) -> Result<Caller<'r>, Skip> {
    let identity = record.user_identity.as_ref().ok_or(Skip::NoPrincipal)?;
    let arn = identity
        .arn
        .as_ref()
        .map(Str::as_str)
        .filter(|a| a.starts_with("arn:"))
        .ok_or(Skip::NoPrincipal)?;
    let account = identity
        .account_id
        .as_ref()
        .map(Str::as_str)
        .filter(|a| !a.is_empty())
        .or_else(|| arn_account(arn))
        .ok_or(Skip::NoPrincipal)?;
    let issuer = identity
        .session
        .as_ref()
        .and_then(|s| s.issuer.as_ref())
        .and_then(|i| i.arn.as_ref())
        .map(Str::as_str)
        .filter(|a| a.starts_with("arn:"));
    if service_linked(arn) || issuer.is_some_and(service_linked) {
        return Err(Skip::ServiceLinkedRole);
    }
    Ok(Caller {
        arn,
        account,
        issuer,
    })
}

/// Whether an ARN is a service-linked role or a session of one.
fn service_linked(arn: &str) -> bool {
    let Some(resource) = arn.splitn(6, ':').nth(5) else {
        return false;
    };
    let name = resource
        .rsplit('/')
        .nth(if resource.starts_with("assumed-role/") {
            1
        } else {
            0
        });
    resource.starts_with("role/aws-service-role/")
        || name.is_some_and(|n| n.starts_with("AWSServiceRoleFor"))
}

/// The account field of an ARN.
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// `arn` with its account field replaced when it is `from`.
pub fn with_account<'a>(arn: &'a str, from: &str, to: &str) -> Cow<'a, str> {
    let mut colons = arn.match_indices(':').map(|(i, _)| i);
    let (Some(start), Some(end)) = (colons.nth(3), colons.next()) else {
        return Cow::Borrowed(arn);
    };
    if arn.get(start + 1..end) != Some(from) || from == to {
        return Cow::Borrowed(arn);
    }
    let mut out = String::with_capacity(arn.len() + to.len());
    out.push_str(arn.get(..=start).unwrap_or_default());
    out.push_str(to);
    out.push_str(arn.get(end..).unwrap_or_default());
    Cow::Owned(out)
}

/// The services that set `aws:CalledVia` when they call on a principal's behalf.
const CALLED_VIA: [&str; 4] = [
    "athena.amazonaws.com",
    "cloudformation.amazonaws.com",
    "dynamodb.amazonaws.com",
    "kms.amazonaws.com",
];

/// A condition key replay can set (the three `aws:CalledVia*` keys are one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `aws:RequestedRegion`.
    RequestedRegion,
    /// `aws:SourceIp`.
    SourceIp,
    /// `aws:SourceVpce`.
    SourceVpce,
    /// `aws:SecureTransport`.
    SecureTransport,
    /// `aws:MultiFactorAuthPresent`.
    MultiFactorAuthPresent,
    /// `aws:CurrentTime`.
    CurrentTime,
    /// `aws:EpochTime`.
    EpochTime,
    /// `aws:ViaAWSService`.
    ViaAwsService,
    /// `aws:CalledVia`, `aws:CalledViaFirst`, `aws:CalledViaLast`.
    CalledVia,
    /// `aws:PrincipalArn`.
    PrincipalArn,
    /// `aws:PrincipalIsAWSService`.
    PrincipalIsAwsService,
    /// `aws:PrincipalOrgID`.
    PrincipalOrgId,
}

impl Key {
    /// Every key, with the lower-case text that names it in a policy.
    const ALL: [(Self, &'static str); 12] = [
        (Self::RequestedRegion, "aws:requestedregion"),
        (Self::SourceIp, "aws:sourceip"),
        (Self::SourceVpce, "aws:sourcevpce"),
        (Self::SecureTransport, "aws:securetransport"),
        (Self::MultiFactorAuthPresent, "aws:multifactorauthpresent"),
        (Self::CurrentTime, "aws:currenttime"),
        (Self::EpochTime, "aws:epochtime"),
        (Self::ViaAwsService, "aws:viaawsservice"),
        (Self::CalledVia, "aws:calledvia"),
        (Self::PrincipalArn, "aws:principalarn"),
        (Self::PrincipalIsAwsService, "aws:principalisawsservice"),
        (Self::PrincipalOrgId, "aws:principalorgid"),
    ];

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// The condition keys a replay sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys(u16);

impl Keys {
    /// Every key.
    pub const ALL: Self = Self(u16::MAX);

    /// The keys that policy documents mention (in a condition or a `${...}` variable), found
    /// by their names in the text without regard to case. A key no policy reads cannot change
    /// a decision, and leaving it out saves building it for every event.
    pub fn used_by<'t>(documents: impl IntoIterator<Item = &'t str>) -> Self {
        let mut used = 0;
        for text in documents {
            let lower = text.to_ascii_lowercase();
            for (key, name) in Key::ALL {
                if lower.contains(name) {
                    used |= key.bit();
                }
            }
        }
        Self(used)
    }

    /// The keys in both sets.
    #[must_use]
    pub const fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Whether the key is set.
    pub const fn has(self, key: Key) -> bool {
        self.0 & key.bit() != 0
    }
}

impl Default for Keys {
    fn default() -> Self {
        Self::ALL
    }
}

/// Settings that hold for every request of a replay.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `aws:PrincipalOrgID`, when known.
    pub org_id: Option<String>,
    /// The keys to set (by default all of them).
    pub keys: Keys,
}

/// The request of a call: `action` by `caller` on the record's first resource (else `*`),
/// with the account `from` rewritten to `to` in the principal and resource when given.
pub fn request(
    record: &Record<'_>,
    caller: &Caller<'_>,
    action: &str,
    rewrite: Option<(&str, &str)>,
    settings: &Settings,
) -> Request {
    let rewritten = |arn: &'_ str| -> String {
        match rewrite {
            Some((from, to)) => with_account(arn, from, to).into_owned(),
            None => arn.to_owned(),
        }
    };
    let single = |v: &str| ContextValue::Single(v.to_owned());
    let keys = settings.keys;
    let mut ctx = Context::with_capacity(14);
    if let Some(region) = record
        .aws_region
        .as_ref()
        .filter(|_| keys.has(Key::RequestedRegion))
    {
        ctx.insert("aws:RequestedRegion", single(region.as_str()));
    }
    if let Some(ip) = record
        .source_ip
        .as_ref()
        .filter(|_| keys.has(Key::SourceIp))
    {
        if ip.as_str().parse::<IpAddr>().is_ok() {
            ctx.insert("aws:SourceIp", single(ip.as_str()));
        }
    }
    if let Some(vpce) = record
        .vpc_endpoint
        .as_ref()
        .filter(|_| keys.has(Key::SourceVpce))
    {
        ctx.insert("aws:SourceVpce", single(vpce.as_str()));
    }
    if record.tls && keys.has(Key::SecureTransport) {
        ctx.insert("aws:SecureTransport", single("true"));
    }
    let identity = record.user_identity.as_ref();
    let mfa = identity
        .and_then(|u| u.session.as_ref())
        .and_then(|s| s.attributes.as_ref())
        .and_then(|a| a.mfa_authenticated)
        .filter(|_| keys.has(Key::MultiFactorAuthPresent));
    if let Some(mfa) = mfa {
        let present = if mfa.0 { "true" } else { "false" };
        ctx.insert("aws:MultiFactorAuthPresent", single(present));
    }
    if let Some(time) = &record.event_time {
        if let Some(epoch) = epoch_seconds(time.as_str()) {
            if keys.has(Key::CurrentTime) {
                ctx.insert("aws:CurrentTime", single(time.as_str()));
            }
            if keys.has(Key::EpochTime) {
                ctx.insert("aws:EpochTime", ContextValue::Single(epoch.to_string()));
            }
        }
    }
    let invoked_by = identity
        .and_then(|u| u.invoked_by.as_ref())
        .map(Str::as_str)
        .filter(|s| s.ends_with(".amazonaws.com"));
    if keys.has(Key::ViaAwsService) {
        let via = if invoked_by.is_some() {
            "true"
        } else {
            "false"
        };
        ctx.insert("aws:ViaAWSService", single(via));
    }
    let called_via = invoked_by.filter(|s| CALLED_VIA.contains(s) && keys.has(Key::CalledVia));
    if let Some(service) = called_via {
        ctx.insert(
            "aws:CalledVia",
            ContextValue::Multi(vec![service.to_owned()]),
        );
        ctx.insert("aws:CalledViaFirst", single(service));
        ctx.insert("aws:CalledViaLast", single(service));
    }
    let issuer = caller
        .issuer
        .filter(|i| i.contains(":role/") && keys.has(Key::PrincipalArn));
    if let Some(issuer) = issuer {
        ctx.insert("aws:PrincipalArn", ContextValue::Single(rewritten(issuer)));
    }
    if keys.has(Key::PrincipalIsAwsService) {
        ctx.insert("aws:PrincipalIsAWSService", single("false"));
    }
    if let Some(org) = settings
        .org_id
        .as_ref()
        .filter(|_| keys.has(Key::PrincipalOrgId))
    {
        ctx.insert("aws:PrincipalOrgID", single(org));
    }
    let resource = record
        .resource
        .0
        .as_ref()
        .map(Str::as_str)
        .filter(|r| r.starts_with("arn:"))
        .map_or_else(|| "*".to_owned(), rewritten);
    Request::new(&rewritten(caller.arn), action, &resource, None, ctx)
}

/// Seconds since the Unix epoch of an ISO 8601 UTC time such as `2023-07-10T11:42:36Z`
/// (fractions of a second allowed and dropped).
pub fn epoch_seconds(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || b.last() != Some(&b'Z')
    {
        return None;
    }
    match b.get(19) {
        Some(b'Z') if b.len() == 20 => {}
        Some(b'.') if num(20..b.len() - 1).is_some() => {}
        _ => return None,
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use orgctl_eval::{PrincipalKind, ValueRef};

    use super::*;

    fn record(text: &str) -> Record<'_> {
        serde_json::from_str(text).unwrap()
    }

    const SESSION: &str = r#"{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances",
        "eventTime":"2023-07-10T11:42:36Z","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9",
        "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Dev/alice",
          "accountId":"111122223333","invokedBy":"cloudformation.amazonaws.com",
          "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/team/Dev"},
            "attributes":{"mfaAuthenticated":"false"}}},
        "resources":[{"ARN":"arn:aws:ec2:eu-west-1:111122223333:instance/i-1"}],
        "tlsDetails":{}, "vpcEndpointId":"vpce-9"}"#;

    #[test]
    fn a_role_session_becomes_a_request_with_its_context() {
        let r = record(SESSION);
        let c = caller(&r).unwrap();
        assert_eq!(c.account, "111122223333");
        let req = request(&r, &c, "ec2:RunInstances", None, &Settings::default());
        assert!(matches!(
            req.principal.kind,
            PrincipalKind::AssumedRole { .. }
        ));
        assert_eq!(
            req.resource,
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"
        );
        let v = |k: &str| match req.value(k) {
            Some(ValueRef::Single(s)) => s.to_owned(),
            Some(ValueRef::Multi(m)) => m.join(","),
            None => "-".to_owned(),
        };
        assert_eq!(v("aws:RequestedRegion"), "eu-west-1");
        assert_eq!(v("aws:SourceIp"), "203.0.113.9");
        assert_eq!(v("aws:MultiFactorAuthPresent"), "false");
        assert_eq!(v("aws:CurrentTime"), "2023-07-10T11:42:36Z");
        assert_eq!(v("aws:EpochTime"), "1688989356");
        assert_eq!(v("aws:ViaAWSService"), "true");
        assert_eq!(v("aws:CalledVia"), "cloudformation.amazonaws.com");
        assert_eq!(v("aws:CalledViaFirst"), "cloudformation.amazonaws.com");
        assert_eq!(
            v("aws:PrincipalArn"),
            "arn:aws:iam::111122223333:role/team/Dev"
        );
        assert_eq!(v("aws:PrincipalAccount"), "111122223333");
        assert_eq!(v("aws:SecureTransport"), "true");
        assert_eq!(v("aws:SourceVpce"), "vpce-9");
        assert_eq!(v("aws:PrincipalOrgID"), "-");
    }

    #[test]
    fn the_account_can_be_rewritten() {
        let r = record(SESSION);
        let c = caller(&r).unwrap();
        let settings = Settings {
            org_id: Some("o-abc".to_owned()),
            keys: Keys::ALL,
        };
        let req = request(
            &r,
            &c,
            "ec2:RunInstances",
            Some(("111122223333", "444455556666")),
            &settings,
        );
        assert_eq!(
            req.principal.arn,
            "arn:aws:sts::444455556666:assumed-role/Dev/alice"
        );
        assert_eq!(req.principal.account, "444455556666");
        assert_eq!(
            req.resource,
            "arn:aws:ec2:eu-west-1:444455556666:instance/i-1"
        );
        assert_eq!(
            req.value("aws:PrincipalArn"),
            Some(ValueRef::Single("arn:aws:iam::444455556666:role/team/Dev"))
        );
        assert_eq!(
            req.value("aws:PrincipalOrgID"),
            Some(ValueRef::Single("o-abc"))
        );
        assert!(!req.is_cross_account());
        // S3 ARNs have no account; other accounts' ARNs are left alone.
        assert_eq!(with_account("arn:aws:s3:::b", "1", "2"), "arn:aws:s3:::b");
        assert_eq!(
            with_account("arn:aws:iam::999:role/x", "111", "222"),
            "arn:aws:iam::999:role/x"
        );
    }

    #[test]
    fn users_without_sessions_and_calls_without_ip_or_resource() {
        let r = record(
            r#"{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1",
            "sourceIPAddress":"AWS Internal","eventTime":"2023-07-10T11:42:36.123Z",
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","invokedBy":"AWS Internal"}}"#,
        );
        let c = caller(&r).unwrap();
        assert_eq!(c.account, "111122223333");
        let req = request(&r, &c, "iam:ListUsers", None, &Settings::default());
        assert_eq!(req.resource, "*");
        assert_eq!(req.value("aws:SourceIp"), None);
        assert_eq!(req.value("aws:MultiFactorAuthPresent"), None);
        assert_eq!(
            req.value("aws:ViaAWSService"),
            Some(ValueRef::Single("false"))
        );
        assert_eq!(req.value("aws:CalledVia"), None);
        assert_eq!(
            req.value("aws:EpochTime"),
            Some(ValueRef::Single("1688989356"))
        );
        assert_eq!(req.value("aws:username"), Some(ValueRef::Single("bob")));
    }

    #[test]
    fn callers_that_are_not_replayed() {
        let service = record(
            r#"{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"}}"#,
        );
        assert!(by_service(&service));
        let event = record(
            r#"{"eventSource":"secretsmanager.amazonaws.com","eventName":"EndSecretVersionDelete","eventType":"AwsServiceEvent","userIdentity":{"accountId":"1","invokedBy":"secretsmanager.amazonaws.com"}}"#,
        );
        assert!(by_service(&event));
        assert_eq!(caller(&event), Err(Skip::NoPrincipal));
        let slr = record(
            r#"{"eventSource":"rds.amazonaws.com","eventName":"X","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForRDS/SLRManagement","accountId":"111122223333"}}"#,
        );
        assert!(!by_service(&slr));
        assert_eq!(caller(&slr), Err(Skip::ServiceLinkedRole));
        let by_path = record(
            r#"{"eventSource":"s","eventName":"X","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Custom/s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/aws-service-role/x.amazonaws.com/Custom"}}}}"#,
        );
        assert_eq!(caller(&by_path), Err(Skip::ServiceLinkedRole));
        let saml = record(
            r#"{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","userIdentity":{"type":"SAMLUser","principalId":"x"}}"#,
        );
        assert_eq!(caller(&saml), Err(Skip::NoPrincipal));
    }

    #[test]
    fn only_the_keys_policies_mention_are_set() {
        let keys = Keys::used_by([
            r#"{"Condition":{"StringNotEquals":{"AWS:RequestedRegion":"us-east-1"}}}"#,
            r#"{"Resource":"arn:aws:s3:::b/${aws:EpochTime}","Condition":{"Bool":{"aws:CalledViaFirst":"x"}}}"#,
        ]);
        let r = record(SESSION);
        let c = caller(&r).unwrap();
        let settings = Settings {
            org_id: Some("o-abc".to_owned()),
            keys,
        };
        let req = request(&r, &c, "ec2:RunInstances", None, &settings);
        let mut set: Vec<&str> = req.context.iter().map(|(k, _)| k).collect();
        set.sort_unstable();
        assert_eq!(
            set,
            [
                "aws:calledvia",
                "aws:calledviafirst",
                "aws:calledvialast",
                "aws:epochtime",
                "aws:requestedregion"
            ]
        );
        assert!(!Keys::used_by([]).has(Key::RequestedRegion));
        assert_eq!(Settings::default().keys, Keys::ALL);
    }

    #[test]
    fn times() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(epoch_seconds("2024-02-29T23:59:59.5Z"), Some(1_709_251_199));
        for bad in [
            "2023-07-10 11:42:36Z",
            "2023-13-10T11:42:36Z",
            "2023-07-10T11:42:36",
            "x",
            "2023-07-10T11:42:36.Z",
        ] {
            assert_eq!(epoch_seconds(bad), None, "{bad}");
        }
    }
}
