//! Policies compiled for evaluation: patterns pre-split, keys lower-cased, values pre-read.

use std::sync::Arc;

use orgctl_policy::{
    Effect, Policy, Principal as PrincipalValue, PrincipalType, Statement, Version,
};

use crate::condition::{CompiledCondition, compile_block};
use crate::glob::Case;
use crate::request::{Principal, PrincipalKind, Request, compare_short};
use crate::template::{Syntax, Template};

/// A policy ready to evaluate requests. Cloning is cheap: the compiled form is shared.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledPolicy(Arc<Inner>);

#[derive(Debug, PartialEq)]
struct Inner {
    name: Arc<str>,
    statements: Vec<CompiledStatement>,
}

/// A statement ready to evaluate requests.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledStatement {
    /// Position in the policy, from 0.
    pub index: u32,
    /// `Sid`, if any.
    pub sid: Option<Arc<str>>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    principal: Option<PrincipalMatcher>,
    action: ActionMatcher,
    resource: Option<ResourceMatcher>,
    conditions: Vec<CompiledCondition>,
}

/// How strongly a resource-policy statement names the requesting principal. Decides whether a
/// same-account resource policy can allow on its own (IAM User Guide, policy evaluation logic,
/// "Resource-based policies").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// The account (`111122223333` or its `:root` ARN): a delegation to the account's own
    /// identity policies.
    Account,
    /// The role of a role session: still bounded by the permissions boundary and session policy.
    Role,
    /// The exact user, session, service, or everyone (`*`): not bounded by identity policies,
    /// boundaries or session policies.
    Direct,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct PrincipalMatcher {
    negated: bool,
    /// `"*"` or `{"AWS": "*"}`.
    any: bool,
    /// Principals named by exact ARN or service name.
    exact: Vec<String>,
    /// Accounts named by id or `:root` ARN.
    accounts: Vec<String>,
    /// Roles named by ARN, as (account, role name): they match the role's sessions.
    roles: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
struct ActionMatcher {
    negated: bool,
    any: bool,
    /// Patterns whose service prefix is literal, by lower-case service, sorted.
    by_service: Vec<(String, Vec<Template>)>,
    /// Patterns whose service prefix has wildcards (or that have no prefix).
    whole: Vec<Template>,
}

#[derive(Debug, Clone, PartialEq)]
struct ResourceMatcher {
    negated: bool,
    any: bool,
    patterns: Vec<Template>,
}

impl CompiledPolicy {
    /// Compiles `policy` under `name`.
    pub fn new(name: impl Into<Arc<str>>, policy: &Policy) -> Self {
        let variables = policy.language_version() == Version::V2012_10_17;
        let statements = policy
            .statements
            .iter()
            .zip(0u32..)
            .map(|(s, i)| compile_statement(s, i, variables))
            .collect();
        Self(Arc::new(Inner {
            name: name.into(),
            statements,
        }))
    }

    /// Compiles one statement of `policy` (its position and the policy's language version
    /// matter), for a caller that evaluates only some statements.
    pub fn statement(policy: &Policy, index: usize) -> Option<CompiledStatement> {
        let variables = policy.language_version() == Version::V2012_10_17;
        let position = u32::try_from(index).ok()?;
        policy
            .statements
            .get(index)
            .map(|s| compile_statement(s, position, variables))
    }

    /// The name decisions report.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The statements.
    pub fn statements(&self) -> &[CompiledStatement] {
        &self.0.statements
    }
}

fn compile_statement(s: &Statement, index: u32, variables: bool) -> CompiledStatement {
    let mut conditions = Vec::new();
    for block in &s.condition {
        compile_block(block, variables, &mut conditions);
    }
    CompiledStatement {
        index,
        sid: s.sid.as_ref().map(|sid| Arc::from(sid.node.as_str())),
        effect: s.effect.node,
        principal: s.principal.as_ref().map(|p| {
            let mut m = PrincipalMatcher {
                negated: p.negated,
                ..PrincipalMatcher::default()
            };
            match &p.value {
                PrincipalValue::Any => m.any = true,
                PrincipalValue::Typed(entries) => {
                    for (kind, list) in entries {
                        for v in &list.items {
                            m.add(kind.node, &v.node);
                        }
                    }
                }
            }
            m
        }),
        action: compile_actions(&s.action.values.items, s.action.negated),
        resource: s.resource.as_ref().map(|r| ResourceMatcher {
            negated: r.negated,
            any: r.values.items.iter().any(|v| v.node == "*"),
            patterns: r
                .values
                .items
                .iter()
                .map(|v| {
                    Template::compile(
                        &v.node,
                        Syntax {
                            wildcards: true,
                            variables,
                        },
                        true,
                    )
                })
                .collect(),
        }),
        conditions,
    }
}

fn compile_actions(items: &[orgctl_policy::Spanned<String>], negated: bool) -> ActionMatcher {
    let mut m = ActionMatcher {
        negated,
        any: false,
        by_service: Vec::new(),
        whole: Vec::new(),
    };
    let plain = Syntax {
        wildcards: true,
        variables: false,
    };
    for item in items {
        let lower = item.node.to_ascii_lowercase();
        if lower == "*" {
            m.any = true;
            continue;
        }
        match lower.split_once(':') {
            Some((service, name)) if !crate::glob::has_wildcard(service) => {
                let t = Template::compile(name, plain, false);
                match m
                    .by_service
                    .binary_search_by(|(s, _)| compare_short(s, service))
                {
                    Ok(i) => {
                        if let Some((_, v)) = m.by_service.get_mut(i) {
                            v.push(t);
                        }
                    }
                    Err(i) => m.by_service.insert(i, (service.to_owned(), vec![t])),
                }
            }
            _ => m.whole.push(Template::compile(&lower, plain, false)),
        }
    }
    m
}

impl ActionMatcher {
    fn matches(&self, req: &Request) -> bool {
        let hit = self.any || {
            let service = req.service();
            let name = req
                .service_end
                .and_then(|e| req.action_lower.get(e + 1..))
                .unwrap_or_default();
            let by_service = self
                .by_service
                .binary_search_by(|(s, _)| compare_short(s, service))
                .ok()
                .and_then(|i| self.by_service.get(i))
                .is_some_and(|(_, names)| {
                    names
                        .iter()
                        .any(|t| t.is_star() || t.matches(name, req, Case::AsciiInsensitive))
                });
            by_service
                || self
                    .whole
                    .iter()
                    .any(|t| t.matches(&req.action_lower, req, Case::AsciiInsensitive))
        };
        hit != self.negated
    }
}

impl ResourceMatcher {
    fn matches(&self, req: &Request) -> bool {
        let hit = self.any
            || self
                .patterns
                .iter()
                .any(|t| t.matches(&req.resource, req, Case::Sensitive));
        hit != self.negated
    }
}

impl PrincipalMatcher {
    fn add(&mut self, kind: PrincipalType, value: &str) {
        if kind != PrincipalType::Aws {
            self.exact.push(value.to_owned());
            return;
        }
        if value == "*" {
            self.any = true;
        } else if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
            self.accounts.push(value.to_owned());
        } else if let Some((account, resource)) = iam_arn_parts(value) {
            if resource == "root" {
                self.accounts.push(account.to_owned());
            } else if let Some(path_and_name) = resource.strip_prefix("role/") {
                let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
                self.roles.push((account.to_owned(), name.to_owned()));
                self.exact.push(value.to_owned());
            } else {
                self.exact.push(value.to_owned());
            }
        } else {
            self.exact.push(value.to_owned());
        }
    }

    /// How the statement names `p`, if it does.
    fn grant(&self, p: &Principal) -> Option<Grant> {
        let named = if self.any {
            Some(Grant::Direct)
        } else {
            self.named(p)
        };
        match (named, self.negated) {
            (Some(g), false) => Some(g),
            (None, true) => Some(Grant::Direct),
            _ => None,
        }
    }

    fn named(&self, p: &Principal) -> Option<Grant> {
        if self.exact.contains(&p.arn) {
            // "Resource-based policies that grant permissions to an IAM role ARN are limited by
            // an implicit deny in a permissions boundary or session policy."
            return Some(if p.kind == PrincipalKind::Role {
                Grant::Role
            } else {
                Grant::Direct
            });
        }
        if let PrincipalKind::AssumedRole { role_name, .. } = &p.kind
            && self
                .roles
                .iter()
                .any(|(a, n)| *a == p.account && n == role_name)
        {
            return Some(Grant::Role);
        }
        (!p.account.is_empty() && self.accounts.contains(&p.account)).then_some(Grant::Account)
    }
}

/// The account and resource fields of an IAM ARN (`arn:<partition>:iam::<account>:<resource>`).
fn iam_arn_parts(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some(resource)) => {
            Some((account, resource))
        }
        _ => None,
    }
}

impl CompiledStatement {
    /// Whether the statement's `Action` or `NotAction` covers the request's action (the other
    /// elements disregarded).
    pub fn matches_action(&self, req: &Request) -> bool {
        self.action.matches(req)
    }

    /// Whether `Resource` is `*` (or absent, as in resource policies): the statement applies
    /// to every resource.
    pub fn any_resource(&self) -> bool {
        self.resource.as_ref().is_none_or(|r| r.any && !r.negated)
    }

    /// Whether the statement's resource element covers the request's resource.
    pub fn matches_resource(&self, req: &Request) -> bool {
        self.resource.as_ref().is_none_or(|r| r.matches(req))
    }

    /// The `Resource` patterns (empty for `NotResource` or no element).
    pub fn resource_patterns(&self) -> &[Template] {
        match &self.resource {
            Some(r) if !r.negated => &r.patterns,
            _ => &[],
        }
    }

    /// Whether the statement names principals other than everyone (`Principal` with specific
    /// entries, or any `NotPrincipal`).
    pub fn names_principals(&self) -> bool {
        self.principal.as_ref().is_some_and(|p| p.negated || !p.any)
    }

    /// The conditions, one per key of each block.
    pub fn conditions(&self) -> &[CompiledCondition] {
        &self.conditions
    }

    /// Whether the statement has a `NotPrincipal` element.
    pub fn has_not_principal(&self) -> bool {
        self.principal.as_ref().is_some_and(|p| p.negated)
    }

    /// Whether the statement applies to the request when its `Principal`/`NotPrincipal` is
    /// disregarded.
    pub fn applies_to_anyone(&self, req: &Request) -> bool {
        self.action.matches(req)
            && self.resource.as_ref().is_none_or(|r| r.matches(req))
            && self.conditions.iter().all(|c| c.holds(req))
    }

    /// Whether the statement applies to the request; for a statement with a `Principal`, how
    /// it names the requester (`Some(Grant::Direct)` when it has none).
    pub fn applies(&self, req: &Request) -> Option<Grant> {
        if !self.action.matches(req) {
            return None;
        }
        if let Some(r) = &self.resource
            && !r.matches(req)
        {
            return None;
        }
        let grant = match &self.principal {
            Some(p) => p.grant(&req.principal)?,
            None => Grant::Direct,
        };
        self.conditions
            .iter()
            .all(|c| c.holds(req))
            .then_some(grant)
    }
}
