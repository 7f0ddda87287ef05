//! Asking the evaluator, and writing down its answers: the requests the audit makes, and
//! each decision with the layers and statements that decided it.

use serde::Serialize;

use orgctl_eval::{
    CompiledPolicy, Context, ContextValue, Decision, Layer, Outcome, PolicySet, Request,
};
use orgctl_org::guard::OrgPolicies;
use orgctl_org::{AccountSpec, PolicyKind};
use orgctl_policy::Policy;

use crate::AuditError;

/// The role an attacker's credentials are a session of: an administrator of the account, the
/// worst case of a compromised laptop.
pub const ADMIN_ROLE: &str = "Administrator";

/// The session name of the attacker's credentials.
const SESSION: &str = "compromised-laptop";

/// An administrator's session in `account_id`.
pub fn admin_principal(account_id: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{ADMIN_ROLE}/{SESSION}")
}

/// A session of `role` in `account_id`.
pub fn role_session(account_id: &str, role: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{role}/{SESSION}")
}

/// The identity policy that allows everything (AdministratorAccess).
pub fn administrator() -> Result<CompiledPolicy, AuditError> {
    OrgPolicies::administrator().map_err(|source| AuditError::Policy {
        what: "AdministratorAccess".to_owned(),
        source,
    })
}

/// Compiles a document the audit wrote itself.
pub fn compile(name: &str, text: &str) -> Result<CompiledPolicy, AuditError> {
    let policy = Policy::parse(text).map_err(|source| AuditError::Policy {
        what: name.to_owned(),
        source,
    })?;
    Ok(CompiledPolicy::new(name, &policy))
}

/// The request context of a state request: over TLS or not, in the state's region, and for
/// uploads the server-side encryption header Terraform's S3 backend sends (`encrypt = true`).
pub fn context(region: &str, secure: bool, sse: Option<&str>) -> Context {
    let mut ctx = Context::with_capacity(8);
    ctx.insert(
        "aws:SecureTransport",
        ContextValue::Single(if secure { "true" } else { "false" }.to_owned()),
    );
    if !region.is_empty() {
        ctx.insert(
            "aws:RequestedRegion",
            ContextValue::Single(region.to_owned()),
        );
    }
    if let Some(sse) = sse {
        ctx.insert(
            "s3:x-amz-server-side-encryption",
            ContextValue::Single(sse.to_owned()),
        );
    }
    ctx
}

/// The object ARN of `key` in `bucket`.
pub fn object_arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

/// The ARN of `bucket`.
pub fn bucket_arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

/// The ARN of a DynamoDB table.
pub fn table_arn(region: &str, account_id: &str, table: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{account_id}:table/{table}")
}

/// One thing that decided a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// `scp`, `rcp`, `identity`, `resource`, `boundary` or `session`.
    pub layer: &'static str,
    /// The policy's name, when a statement decided (none for a layer that lacked an allow).
    pub policy: Option<String>,
    /// The statement's `Sid`, else its position (`#1` is the first).
    pub statement: Option<String>,
    /// For SCPs and RCPs, the level of the chain: `Root`, an OU or the account.
    pub level: Option<String>,
    /// The same, as one phrase: `bucket policy statement DenyOtherAccounts`.
    pub text: String,
}

/// One request and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The action.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub outcome: &'static str,
    /// What decided it: every matching deny; for an implicit deny the layer that lacked an
    /// allow; for an allow the statement that allowed at each layer.
    pub decided_by: Vec<Cause>,
}

impl Verdict {
    /// Whether the request is allowed.
    pub fn allowed(&self) -> bool {
        self.outcome == Outcome::Allow.as_str()
    }
}

/// A policy set with the names of its chains' levels, to explain decisions.
#[derive(Debug)]
pub struct Judge {
    /// The policies.
    pub set: PolicySet,
    /// SCP level names, root first (the principal's account).
    pub scp_levels: Vec<String>,
    /// RCP level names, root first (the resource's account).
    pub rcp_levels: Vec<String>,
    /// How the resource policy is named in explanations (`bucket policy`).
    pub resource_name: &'static str,
}

impl Judge {
    /// The set for a principal of `principal` (its SCP chain, none for the management
    /// account) acting on a resource of `owner` (its RCP chain, none for the management
    /// account), with `identity` and the resource's policy.
    pub fn across(
        org: &OrgPolicies<'_>,
        principal: Option<&AccountSpec>,
        owner: Option<&AccountSpec>,
        identity: Vec<CompiledPolicy>,
        resource: Option<CompiledPolicy>,
        resource_name: &'static str,
    ) -> Self {
        let names = |a: Option<&AccountSpec>, kind: PolicyKind| -> Vec<String> {
            a.map(|a| org.levels(a, kind).into_iter().map(|l| l.name).collect())
                .unwrap_or_default()
        };
        let scps = principal.and_then(|p| org.policy_set(p, Vec::new()).scps);
        let rcps = owner
            .map(|o| org.policy_set(o, Vec::new()).rcps)
            .unwrap_or_default();
        Self {
            set: PolicySet {
                identity,
                scps,
                rcps,
                resource,
                ..PolicySet::default()
            },
            scp_levels: names(principal, PolicyKind::Scp),
            rcp_levels: names(owner, PolicyKind::Rcp),
            resource_name,
        }
    }

    /// The set of a bucket policy alone, with an identity policy: no organization policy, so
    /// that only what the bucket policy says can decide.
    pub fn resource_only(
        identity: Vec<CompiledPolicy>,
        resource: Option<CompiledPolicy>,
        resource_name: &'static str,
    ) -> Self {
        Self {
            set: PolicySet {
                identity,
                resource,
                ..PolicySet::default()
            },
            scp_levels: Vec::new(),
            rcp_levels: Vec::new(),
            resource_name,
        }
    }

    /// Decides one request.
    pub fn decide(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: &str,
        context: Context,
    ) -> Verdict {
        let req = Request::new(principal, action, resource, Some(resource_account), context);
        let decision = self.set.decide(&req);
        Verdict {
            action: action.to_owned(),
            resource: resource.to_owned(),
            outcome: decision.outcome.as_str(),
            decided_by: self.explain(&decision),
        }
    }

    fn explain(&self, decision: &Decision) -> Vec<Cause> {
        decision
            .reasons
            .iter()
            .map(|r| {
                let levels = match r.layer {
                    Layer::Scp => Some(&self.scp_levels),
                    Layer::Rcp => Some(&self.rcp_levels),
                    _ => None,
                };
                let level = levels.and_then(|l| l.get(usize::from(r.level)).cloned());
                let policy = self.set.policy(r);
                let statement = policy.and_then(|p| {
                    let index = r.statement?;
                    let sid = p
                        .statements()
                        .get(usize::try_from(index).ok()?)
                        .and_then(|s| s.sid.as_ref())
                        .map(ToString::to_string);
                    Some(sid.unwrap_or_else(|| format!("#{}", u64::from(index) + 1)))
                });
                let policy_name = policy.map(|p| p.name().to_owned());
                let at = level
                    .as_ref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                let text = match (&policy_name, &statement) {
                    (Some(p), Some(s)) => format!("{p} statement {s}{at}"),
                    (Some(p), None) => format!("{p}{at}"),
                    _ => match r.layer {
                        Layer::Scp => format!("no SCP allows it{at}"),
                        Layer::Rcp => format!("no RCP allows it{at}"),
                        Layer::Identity => "no identity policy allows it".to_owned(),
                        Layer::Resource if self.set.resource.is_none() => {
                            "no resource policy grants it (the resource has none)".to_owned()
                        }
                        Layer::Resource => format!("no {} grants it", self.resource_name),
                        Layer::Boundary => "the permissions boundary does not allow it".to_owned(),
                        Layer::Session => "the session policy does not allow it".to_owned(),
                    },
                };
                Cause {
                    layer: r.layer.as_str(),
                    policy: policy_name,
                    statement,
                    level,
                    text,
                }
            })
            .collect()
    }
}
