//! The request being decided: who asks, for what action, on which resource, in what context.

use std::borrow::Cow;
use std::fmt;

/// A value of a condition key in the request context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key such as `aws:TagKeys`; may be empty.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice-like iterator.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            Self::Single(s) => (Some(s.as_str()), &[][..]),
            Self::Multi(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// Whether the key holds no value at all (an empty set).
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Multi(v) if v.is_empty())
    }
}

/// A borrowed value of a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// A single-valued key.
    Single(&'a str),
    /// A multivalued key; may be empty.
    Multi(&'a [String]),
}

impl<'a> ValueRef<'a> {
    /// The values.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Self::Single(s) => (Some(s), &[][..]),
            Self::Multi(v) => (None, v),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// Whether the key holds no value at all (an empty set).
    pub fn is_empty(self) -> bool {
        matches!(self, Self::Multi(v) if v.is_empty())
    }
}

impl<'a> From<&'a ContextValue> for ValueRef<'a> {
    fn from(v: &'a ContextValue) -> Self {
        match v {
            ContextValue::Single(s) => Self::Single(s),
            ContextValue::Multi(v) => Self::Multi(v),
        }
    }
}

/// Where condition keys get their values: a [`Context`], or a [`Request`] (its context plus
/// the keys AWS derives from the principal and resource).
pub trait Lookup {
    /// The value of a key given in lower case.
    fn lookup(&self, key_lower: &str) -> Option<ValueRef<'_>>;
}

impl Lookup for Context {
    fn lookup(&self, key_lower: &str) -> Option<ValueRef<'_>> {
        self.get_lower(key_lower).map(ValueRef::from)
    }
}

impl Lookup for Request {
    fn lookup(&self, key_lower: &str) -> Option<ValueRef<'_>> {
        self.context
            .get_lower(key_lower)
            .map(ValueRef::from)
            .or_else(|| self.derived(key_lower).map(ValueRef::Single))
    }
}

/// The request context: condition keys (compared without regard to case) and their values.
///
/// Two contexts are equal when they hold the same keys with the same values in the same
/// order; the memory [`Context::clear`] keeps for reuse plays no part.
#[derive(Default)]
pub struct Context {
    /// Keys in lower case, with their values, in insertion order. The keys the evaluator
    /// derives are borrowed from constants.
    entries: Vec<Entry>,
    /// Entries taken out by [`Context::clear`], kept so that [`Context::insert_single`] can
    /// reuse their strings.
    spare: Vec<Entry>,
}

/// A key in lower case and its value.
type Entry = (Cow<'static, str>, ContextValue);

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("entries", &self.entries)
            .finish()
    }
}

impl Clone for Context {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            spare: Vec::new(),
        }
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Context {}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty context with room for `n` keys before it reallocates (add five for the keys
    /// [`Request::new`] derives).
    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
            spare: Vec::new(),
        }
    }

    /// Removes every key, keeping the memory of their strings for
    /// [`Context::insert_single`].
    pub fn clear(&mut self) {
        self.spare.append(&mut self.entries);
    }

    /// Sets `key` to the single value `value`, replacing a previous value of the same key in
    /// any case: the same as [`Context::insert`] with [`ContextValue::Single`], but reusing
    /// the strings of a replaced value or of keys removed by [`Context::clear`].
    pub fn insert_single(&mut self, key: &str, value: &str) {
        if let Some(i) = self.position(key) {
            if let Some(slot) = self.entries.get_mut(i) {
                set_single(&mut slot.1, value);
            }
            return;
        }
        let (mut spare_key, mut spare_value) = self
            .spare
            .pop()
            .unwrap_or((Cow::Borrowed(""), ContextValue::Multi(Vec::new())));
        match &mut spare_key {
            Cow::Owned(k) => {
                k.clear();
                k.push_str(key);
                k.make_ascii_lowercase();
            }
            Cow::Borrowed(_) => spare_key = Cow::Owned(key.to_ascii_lowercase()),
        }
        set_single(&mut spare_value, value);
        self.entries.push((spare_key, spare_value));
    }

    /// Sets `key` to `value`, replacing a previous value of the same key in any case.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        match self.position(key) {
            Some(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
            }
            None => self
                .entries
                .push((Cow::Owned(key.to_ascii_lowercase()), value)),
        }
    }

    /// Sets `key` unless it already has a value.
    pub fn insert_default(&mut self, key: &str, value: impl FnOnce() -> ContextValue) {
        if self.position(key).is_none() {
            self.entries
                .push((Cow::Owned(key.to_ascii_lowercase()), value()));
        }
    }

    /// Removes `key` (in any case), returning its value.
    pub fn remove(&mut self, key: &str) -> Option<ContextValue> {
        let i = self.position(key)?;
        Some(self.entries.remove(i).1)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `key` is, compared without regard to ASCII case.
    fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// The value of `key`, compared without regard to ASCII case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The value of an already lower-cased key (the evaluator's fast path).
    pub(crate) fn get_lower(&self, key_lower: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key_lower)
            .map(|(_, v)| v)
    }

    /// The keys and values, keys in lower case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }
}

/// Makes `slot` the single value `value`, reusing its string when it has one.
fn set_single(slot: &mut ContextValue, value: &str) {
    match slot {
        ContextValue::Single(s) => {
            s.clear();
            s.push_str(value);
        }
        ContextValue::Multi(_) => *slot = ContextValue::Single(value.to_owned()),
    }
}

/// What kind of principal makes the request, read from its ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An account's root user (`arn:aws:iam::111122223333:root`).
    Root,
    /// An IAM user.
    User,
    /// An IAM role used directly (rare in requests; sessions are the norm).
    Role,
    /// An assumed-role session; carries the ARN of its role.
    AssumedRole {
        /// `arn:<partition>:iam::<account>:role/<name>` (the path is not in session ARNs).
        role_arn: String,
        /// The role's name.
        role_name: String,
    },
    /// A federated user session from `GetFederationToken`.
    FederatedUser,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// An unsigned request.
    Anonymous,
    /// Anything else; matched by exact ARN only.
    Other,
}

/// The principal making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The ARN (or service name, or `anonymous`).
    pub arn: String,
    /// The account the principal belongs to; empty for services and anonymous callers.
    pub account: String,
    /// What kind of principal it is.
    pub kind: PrincipalKind,
}

impl Principal {
    /// Reads a principal from its ARN, a service principal name, or `anonymous`.
    pub fn from_arn(arn: &str) -> Self {
        let mut principal = Self {
            arn: String::new(),
            account: String::new(),
            kind: PrincipalKind::Other,
        };
        principal.assign(arn);
        principal
    }

    /// Makes this the principal [`Principal::from_arn`] reads from `arn`, reusing the memory
    /// of its strings.
    pub fn assign(&mut self, arn: &str) {
        let arn = arn.trim();
        self.account.clear();
        self.arn.clear();
        if arn == "anonymous" || arn == "*" {
            self.arn.push_str(arn);
            self.kind = PrincipalKind::Anonymous;
            return;
        }
        if !arn.starts_with("arn:") {
            if arn.ends_with(".amazonaws.com") || arn.ends_with(".amazonaws.com.cn") {
                self.kind = PrincipalKind::Service;
            } else if arn.len() == 12 && arn.bytes().all(|b| b.is_ascii_digit()) {
                // An account id stands for the account's root user.
                for part in ["arn:aws:iam::", arn, ":root"] {
                    self.arn.push_str(part);
                }
                self.account.push_str(arn);
                self.kind = PrincipalKind::Root;
                return;
            } else {
                self.kind = PrincipalKind::Other;
            }
            self.arn.push_str(arn);
            return;
        }
        self.arn.push_str(arn);
        let (partition, service, account, resource) = arn_fields(arn).unwrap_or(("", "", "", ""));
        self.account.push_str(account);
        let kind = std::mem::replace(&mut self.kind, PrincipalKind::Other);
        self.kind = match (service, cut(resource, b'/')) {
            ("iam", None) if resource == "root" => PrincipalKind::Root,
            ("iam", Some(("user", _))) => PrincipalKind::User,
            ("iam", Some(("role", _))) => PrincipalKind::Role,
            ("sts", Some(("assumed-role", rest))) => {
                let role_name = cut(rest, b'/').map_or(rest, |(name, _)| name);
                let (mut role_arn, mut name) = match kind {
                    PrincipalKind::AssumedRole {
                        role_arn,
                        role_name,
                    } => (role_arn, role_name),
                    _ => (String::new(), String::new()),
                };
                role_arn.clear();
                for part in ["arn:", partition, ":iam::", account, ":role/", role_name] {
                    role_arn.push_str(part);
                }
                name.clear();
                name.push_str(role_name);
                PrincipalKind::AssumedRole {
                    role_arn,
                    role_name: name,
                }
            }
            ("sts", Some(("federated-user", _))) => PrincipalKind::FederatedUser,
            _ => PrincipalKind::Other,
        };
    }

    /// The ARN that `aws:PrincipalArn` reports: the role's ARN for a role session.
    pub fn principal_arn(&self) -> &str {
        match &self.kind {
            PrincipalKind::AssumedRole { role_arn, .. } => role_arn,
            _ => &self.arn,
        }
    }

    /// Whether this is a service-linked role (exempt from SCPs and RCPs): a role whose name
    /// starts with `AWSServiceRoleFor`, or whose path is `/aws-service-role/`.
    pub fn is_service_linked_role(&self) -> bool {
        match &self.kind {
            PrincipalKind::AssumedRole { role_name, .. } => {
                role_name.starts_with("AWSServiceRoleFor")
            }
            PrincipalKind::Role => {
                let name = match self.arn.bytes().rposition(|b| b == b'/') {
                    Some(slash) => self.arn.get(slash + 1..).unwrap_or_default(),
                    None => &self.arn,
                };
                name.starts_with("AWSServiceRoleFor")
                    || self.arn.contains(":role/aws-service-role/")
            }
            _ => false,
        }
    }

    /// The `aws:PrincipalType` value.
    pub const fn principal_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole { .. } | PrincipalKind::Role => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
            PrincipalKind::Other => "Other",
        }
    }
}

/// One authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who asks.
    pub principal: Principal,
    /// The action, such as `s3:GetObject`, as given.
    pub action: String,
    /// The action in lower case (matching is case-insensitive).
    pub(crate) action_lower: String,
    /// Where the service prefix ends in `action_lower` (the colon), if there is one.
    pub(crate) service_end: Option<usize>,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The account that owns the resource.
    pub resource_account: String,
    /// Condition keys.
    pub context: Context,
}

impl Request {
    /// A request. `resource_account` defaults to the account in the resource ARN, else the
    /// principal's. The keys AWS always supplies (see [`Request::derived`]) need not be in
    /// `context`: conditions see them unless the context gives them.
    pub fn new(
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        context: Context,
    ) -> Self {
        let mut request = Self {
            principal: Principal::from_arn(principal),
            action: String::new(),
            action_lower: String::new(),
            service_end: None,
            resource: String::new(),
            resource_account: String::new(),
            context,
        };
        request.assign_fields(action, resource, resource_account);
        request
    }

    /// Makes this the request [`Request::new`] builds from these arguments and the current
    /// context, reusing the memory of its strings: for callers that decide many requests one
    /// after the other. The context stays as it is; [`Request::context`] can be refilled first.
    pub fn assign(
        &mut self,
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
    ) {
        self.principal.assign(principal);
        self.assign_fields(action, resource, resource_account);
    }

    /// Sets everything but the principal and the context, from the principal.
    fn assign_fields(&mut self, action: &str, resource: &str, resource_account: Option<&str>) {
        let account = resource_account
            .or_else(|| account_of_arn(resource))
            .unwrap_or(&self.principal.account);
        self.resource_account.clear();
        self.resource_account.push_str(account);
        self.action.clear();
        self.action.push_str(action);
        self.action_lower.clear();
        self.action_lower.push_str(action);
        self.action_lower.make_ascii_lowercase();
        self.service_end = self.action_lower.bytes().position(|b| b == b':');
        self.resource.clear();
        self.resource.push_str(resource);
    }

    /// The value of a key that AWS derives from the request when the context does not give
    /// it: `aws:PrincipalArn` and `aws:PrincipalAccount` (IAM principals), `aws:PrincipalType`,
    /// `aws:username` (IAM users), `aws:ResourceAccount` (when known). Computed on demand, so
    /// building a request copies nothing for them.
    pub fn derived(&self, key_lower: &str) -> Option<&str> {
        let iam = !matches!(
            self.principal.kind,
            PrincipalKind::Anonymous | PrincipalKind::Service
        );
        match key_lower {
            "aws:principalarn" if iam => Some(self.principal.principal_arn()),
            "aws:principalaccount" if iam => Some(&self.principal.account),
            "aws:principaltype" => Some(self.principal.principal_type()),
            "aws:username" if self.principal.kind == PrincipalKind::User => {
                self.principal.arn.rsplit('/').next()
            }
            "aws:resourceaccount" if !self.resource_account.is_empty() => {
                Some(&self.resource_account)
            }
            _ => None,
        }
    }

    /// The keys [`Request::derived`] knows, as AWS spells them.
    pub const DERIVED_KEYS: [&'static str; 5] = [
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:username",
        "aws:ResourceAccount",
    ];

    /// The context with every derived key that applies added (unless given), for tools that
    /// show or pass on the whole context; evaluation does not need it.
    pub fn full_context(&self) -> Context {
        let mut ctx = self.context.clone();
        for key in Self::DERIVED_KEYS {
            if let Some(v) = self.derived(&key.to_ascii_lowercase()) {
                ctx.insert_default(key, || ContextValue::Single(v.to_owned()));
            }
        }
        ctx
    }

    /// The value of a condition key in any case: the context's, else the derived one.
    pub fn value(&self, key: &str) -> Option<ValueRef<'_>> {
        let lower = key.to_ascii_lowercase();
        self.lookup(&lower)
    }

    /// The action's service prefix in lower case (`s3` for `s3:GetObject`).
    pub fn service(&self) -> &str {
        match self.service_end {
            Some(end) => self.action_lower.get(..end).unwrap_or_default(),
            None => &self.action_lower,
        }
    }

    /// Whether principal and resource belong to different accounts.
    pub fn is_cross_account(&self) -> bool {
        !self.principal.account.is_empty() && self.principal.account != self.resource_account
    }
}

/// The account field of an ARN, when it has one (S3 bucket ARNs have none).
pub fn account_of_arn(arn: &str) -> Option<&str> {
    let (arn_prefix, rest) = cut(arn, b':')?;
    if arn_prefix != "arn" {
        return None;
    }
    // Partition, service, region; the account is the field after them, up to the next colon
    // or the end.
    let (_, rest) = cut(rest, b':')?;
    let (_, rest) = cut(rest, b':')?;
    let (_, rest) = cut(rest, b':')?;
    let account = cut(rest, b':').map_or(rest, |(account, _)| account);
    Some(account).filter(|a| !a.is_empty())
}

/// The partition, service, account and resource of an ARN
/// (`arn:partition:service:region:account:resource`, the resource possibly holding colons),
/// or `None` when it has fewer fields.
pub(crate) fn arn_fields(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let (_, rest) = cut(arn, b':')?;
    let (partition, rest) = cut(rest, b':')?;
    let (service, rest) = cut(rest, b':')?;
    let (_, rest) = cut(rest, b':')?;
    let (account, resource) = cut(rest, b':')?;
    Some((partition, service, account, resource))
}

/// The order of `str`'s `Ord` (byte by byte, then by length), compared in a loop rather than
/// with `memcmp`, which costs more than it saves on names as short as service prefixes.
pub(crate) fn compare_short(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `s` cut at the first `sep` (an ASCII byte): what comes before it and what after.
fn cut(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_kinds() {
        let p = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/Admin/alice");
        assert_eq!(p.account, "111122223333");
        assert_eq!(p.principal_arn(), "arn:aws:iam::111122223333:role/Admin");
        assert!(!p.is_service_linked_role());
        let slr =
            Principal::from_arn("arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/x");
        assert!(slr.is_service_linked_role());
        let slr_role = Principal::from_arn(
            "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        );
        assert!(slr_role.is_service_linked_role());
        assert_eq!(
            Principal::from_arn("arn:aws:iam::111122223333:root").kind,
            PrincipalKind::Root
        );
        assert_eq!(
            Principal::from_arn("111122223333").arn,
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(
            Principal::from_arn("cloudtrail.amazonaws.com").kind,
            PrincipalKind::Service
        );
    }

    #[test]
    fn derived_context_keys() {
        let r = Request::new(
            "arn:aws:iam::111122223333:user/bob",
            "S3:GetObject",
            "arn:aws:s3:::bucket/key",
            None,
            Context::new(),
        );
        assert_eq!(r.service(), "s3");
        assert_eq!(r.resource_account, "111122223333");
        assert_eq!(r.value("AWS:USERNAME"), Some(ValueRef::Single("bob")));
        assert_eq!(
            r.value("aws:principalarn"),
            Some(ValueRef::Single("arn:aws:iam::111122223333:user/bob"))
        );
        assert_eq!(r.value("aws:PrincipalType"), Some(ValueRef::Single("User")));
        assert_eq!(
            r.value("aws:ResourceAccount"),
            Some(ValueRef::Single("111122223333"))
        );
        // Derived keys are computed, not stored: the context stays as given.
        assert!(r.context.is_empty());
        let full_context = r.full_context();
        let full: Vec<&str> = full_context.iter().map(|(k, _)| k).collect();
        assert_eq!(
            full,
            [
                "aws:principalarn",
                "aws:principalaccount",
                "aws:principaltype",
                "aws:username",
                "aws:resourceaccount"
            ]
        );
        let anonymous = Request::new("anonymous", "s3:GetObject", "*", None, Context::new());
        assert_eq!(anonymous.value("aws:PrincipalArn"), None);
        assert_eq!(
            anonymous.value("aws:PrincipalType"),
            Some(ValueRef::Single("Anonymous"))
        );
        let r = Request::new(
            "arn:aws:iam::111122223333:user/bob",
            "ec2:RunInstances",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-1",
            None,
            Context::new(),
        );
        assert!(r.is_cross_account());
    }

    #[test]
    fn given_keys_win_over_derived_ones_in_any_case() {
        let mut ctx = Context::with_capacity(2);
        ctx.insert("AWS:PrincipalType", ContextValue::Single("Custom".into()));
        ctx.insert(
            "aws:resourceACCOUNT",
            ContextValue::Single("444455556666".into()),
        );
        ctx.insert("gone", ContextValue::Single("x".into()));
        assert_eq!(ctx.remove("GONE"), Some(ContextValue::Single("x".into())));
        assert_eq!(ctx.remove("gone"), None);
        let r = Request::new(
            "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            "s3:GetObject",
            "*",
            None,
            ctx,
        );
        // The context's values win over the derived ones, whatever the case of their keys.
        assert_eq!(
            r.value("aws:principaltype"),
            Some(ValueRef::Single("Custom"))
        );
        assert_eq!(
            r.value("AWS:ResourceAccount"),
            Some(ValueRef::Single("444455556666"))
        );
        assert_eq!(
            r.value("aws:PrincipalArn"),
            Some(ValueRef::Single("arn:aws:iam::111122223333:role/Admin"))
        );
        assert_eq!(r.context.len(), 2);
    }

    /// `Principal::from_arn` as it read ARNs before it reused memory, kept to compare with.
    fn reference_principal(arn: &str) -> Principal {
        let arn = arn.trim();
        if arn == "anonymous" || arn == "*" {
            return Principal {
                arn: arn.to_owned(),
                account: String::new(),
                kind: PrincipalKind::Anonymous,
            };
        }
        if !arn.starts_with("arn:") {
            let kind = if arn.ends_with(".amazonaws.com") || arn.ends_with(".amazonaws.com.cn") {
                PrincipalKind::Service
            } else if arn.len() == 12 && arn.bytes().all(|b| b.is_ascii_digit()) {
                return reference_principal(&format!("arn:aws:iam::{arn}:root"));
            } else {
                PrincipalKind::Other
            };
            return Principal {
                arn: arn.to_owned(),
                account: String::new(),
                kind,
            };
        }
        let mut parts = arn.splitn(6, ':').skip(1);
        let (partition, service, account, resource) = match [
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ] {
            [Some(p), Some(s), Some(_), Some(a), Some(r)] => (p, s, a, r),
            _ => ("", "", "", ""),
        };
        let kind = match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => PrincipalKind::Root,
            ("iam", Some(("user", _))) => PrincipalKind::User,
            ("iam", Some(("role", _))) => PrincipalKind::Role,
            ("sts", Some(("assumed-role", rest))) => {
                let role_name = rest.split('/').next().unwrap_or_default();
                PrincipalKind::AssumedRole {
                    role_arn: format!("arn:{partition}:iam::{account}:role/{role_name}"),
                    role_name: role_name.to_owned(),
                }
            }
            ("sts", Some(("federated-user", _))) => PrincipalKind::FederatedUser,
            _ => PrincipalKind::Other,
        };
        Principal {
            arn: arn.to_owned(),
            account: account.to_owned(),
            kind,
        }
    }

    /// `account_of_arn` as it was before, kept to compare with.
    fn reference_account(arn: &str) -> Option<&str> {
        let mut parts = arn.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        parts.nth(3).filter(|a| !a.is_empty())
    }

    fn arn_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let part = prop_oneof![
            Just("arn".to_owned()),
            Just("aws".to_owned()),
            Just("iam".to_owned()),
            Just("sts".to_owned()),
            Just("".to_owned()),
            Just("111122223333".to_owned()),
            Just("root".to_owned()),
            Just("user/bob".to_owned()),
            Just("role/aws-service-role/x/AWSServiceRoleForX".to_owned()),
            Just("role/Dev".to_owned()),
            Just("assumed-role/AWSServiceRoleForConfig/s".to_owned()),
            Just("assumed-role/Dev/alice/x".to_owned()),
            Just("assumed-role".to_owned()),
            Just("federated-user/f".to_owned()),
            Just("s3.amazonaws.com".to_owned()),
            Just(" ".to_owned()),
            "[a-z0-9/*é -]{0,6}",
        ];
        prop_oneof![
            3 => prop::collection::vec(part, 0..8).prop_map(|p| p.join(":")),
            1 => prop::sample::select(vec![
                "anonymous", "*", " anonymous ", "111122223333", "11112222333", "cloudtrail.amazonaws.com",
                "x.amazonaws.com.cn", "\u{2003}arn:aws:iam::1:root\u{2003}",
            ])
            .prop_map(str::to_owned),
        ]
    }

    proptest::proptest! {
        #[test]
        fn assigning_reads_as_from_scratch(
            arns in proptest::collection::vec(arn_like(), 1..6),
            actions in proptest::collection::vec("[a-zA-Z0-9:*-]{0,12}", 1..6),
            given in proptest::collection::vec(proptest::option::of("[0-9]{0,3}"), 1..6),
        ) {
            let mut reused = Request::new("", "", "*", None, Context::new());
            for (i, arn) in arns.iter().enumerate() {
                proptest::prop_assert_eq!(Principal::from_arn(arn), reference_principal(arn));
                proptest::prop_assert_eq!(account_of_arn(arn), reference_account(arn));
                let action = &actions[i % actions.len()];
                let account = given[i % given.len()].as_deref();
                let resource = &arns[(i + 1) % arns.len()];
                reused.assign(arn, action, resource, account);
                let fresh = Request::new(arn, action, resource, account, Context::new());
                proptest::prop_assert_eq!(&reused, &fresh);
                proptest::prop_assert_eq!(reused.service(), fresh.service());
                let p = &fresh.principal;
                let before = match &p.kind {
                    PrincipalKind::AssumedRole { role_name, .. } => {
                        role_name.starts_with("AWSServiceRoleFor")
                    }
                    PrincipalKind::Role => {
                        let name = p.arn.rsplit('/').next().unwrap_or_default();
                        p.arn.contains(":role/aws-service-role/")
                            || name.starts_with("AWSServiceRoleFor")
                    }
                    _ => false,
                };
                proptest::prop_assert_eq!(reused.principal.is_service_linked_role(), before);
            }
        }

        #[test]
        fn inserting_single_values_reusing_memory_is_inserting(
            rounds in proptest::collection::vec(
                proptest::collection::vec(("[aAbB:]{0,3}", "[a-z]{0,3}", 0u8..3), 0..6),
                1..4,
            ),
        ) {
            let mut reused = Context::new();
            for ops in rounds {
                reused.clear();
                let mut fresh = Context::new();
                for (key, value, how) in &ops {
                    match how {
                        0 => {
                            reused.insert_single(key, value);
                            fresh.insert(key, ContextValue::Single(value.clone()));
                        }
                        1 => {
                            let values = vec![value.clone(); 2];
                            reused.insert(key, ContextValue::Multi(values.clone()));
                            fresh.insert(key, ContextValue::Multi(values));
                        }
                        _ => {
                            proptest::prop_assert_eq!(reused.remove(key), fresh.remove(key));
                        }
                    }
                }
                proptest::prop_assert_eq!(&reused, &fresh);
                proptest::prop_assert_eq!(reused.clone(), fresh.clone());
                proptest::prop_assert_eq!(format!("{reused:?}"), format!("{fresh:?}"));
            }
        }

        #[test]
        fn comparing_short_names_is_comparing_strings(a in "[a-z0-9-]{0,6}", b in "[a-z0-9-]{0,6}") {
            proptest::prop_assert_eq!(compare_short(&a, &b), a.cmp(&b));
            proptest::prop_assert_eq!(compare_short(&a, &a), std::cmp::Ordering::Equal);
        }
    }
}
