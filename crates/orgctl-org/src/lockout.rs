//! The lockout guard: before a plan changes guardrails, prove that the organization it leads
//! to still lets orgctl and the organization's owners in.
//!
//! Three paths must stay open, each checked with the prover over every request of its scope:
//!
//! - **the access role** (`OrganizationAccountAccessRole` unless the spec names another) in
//!   every member account can make the calls orgctl's bootstrap makes as that role, in the
//!   home region and the bootstrap region. A level of an account's SCP chain without an allow
//!   breaks this path too, so it is found here with the level named;
//! - **the management path**: the management account can assume the access role of every
//!   member account (RCPs govern `sts:AssumeRole` on the role; SCPs do not apply to the
//!   management account);
//! - **delegated administrators** can still read the organization (`organizations:Describe*`
//!   and `List*` calls their services make);
//! - **vending**: an account vended into any OU, even an empty one, gets an access role that
//!   can bootstrap it (checked like the access role of an existing account there).
//!
//! A lockout is reported with its counterexample: a request on the path that every request
//! like it is denied, and the proof.

use std::sync::Arc;

use orgctl_catalog::Catalog;
use orgctl_eval::prove::{Prover, Scope};
use orgctl_eval::{CompiledPolicy, Context, ContextValue, Request};
use orgctl_policy::Policy;

use crate::guard::OrgPolicies;
use crate::plan::{Change, Plan};
use crate::prove::{AccountProver, ActionInfo, Status, full_search, instantiate};
use crate::spec::{AccountSpec, Spec, Target};

/// The calls orgctl makes as the access role in a member account: the state bucket (with
/// its versioning, encryption, public access block, policy and lifecycle) and the lock table.
pub const ACCESS_ROLE_ACTIONS: &[&str] = &[
    "s3:CreateBucket",
    "s3:ListBucket",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketPolicy",
    "s3:PutLifecycleConfiguration",
    "dynamodb:CreateTable",
    "dynamodb:DescribeTable",
    "dynamodb:UpdateContinuousBackups",
];

/// What a delegated administrator's services read of the organization.
pub const DELEGATED_ADMIN_ACTIONS: &[&str] = &[
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
];

/// A path the planned organization closes.
#[derive(Debug, Clone)]
pub struct Lockout {
    /// The account the path leads into.
    pub account: String,
    /// The region.
    pub region: String,
    /// What is locked out, in words.
    pub what: String,
    /// A request on the path; every request like it is denied.
    pub request: Arc<Request>,
    /// Why: the prover's proof, in words.
    pub reason: String,
}

/// Whether a plan changes what the guardrails decide: policies, their attachments, the tree
/// (moves and new OUs or accounts), or the policy types.
pub fn changes_guardrails(plan: &Plan) -> bool {
    plan.changes.iter().any(|c| {
        matches!(
            c,
            Change::EnablePolicyType { .. }
                | Change::CreatePolicy { .. }
                | Change::UpdatePolicy { .. }
                | Change::AttachPolicy { .. }
                | Change::DetachPolicy { .. }
                | Change::DeletePolicy { .. }
                | Change::CreateUnit { .. }
                | Change::MoveAccount { .. }
        )
    })
}

/// Every lockout of the organization the spec describes.
pub fn check(spec: &Spec, catalog: &'static Catalog) -> Vec<Lockout> {
    let Ok(admin) = OrgPolicies::administrator() else {
        return Vec::new();
    };
    let role = if spec.organization.access_role_name.is_empty() {
        "OrganizationAccountAccessRole"
    } else {
        spec.organization.access_role_name.as_str()
    };
    let mut regions = vec![spec.organization.home_region.clone()];
    if !spec.bootstrap.region.is_empty() && !regions.contains(&spec.bootstrap.region) {
        regions.push(spec.bootstrap.region.clone());
    }
    regions.retain(|r| !r.is_empty());
    let management = spec.organization.management_account_id.as_str();
    let delegated: Vec<&str> = spec
        .baseline
        .delegated_admins
        .iter()
        .filter_map(|d| match &d.account {
            Target::Account(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();

    // One account more per OU without accounts, standing for the next one vended there.
    let mut vended = spec.clone();
    for unit in &spec.units {
        let target = Target::Unit(unit.key.clone());
        if !spec.accounts.iter().any(|a| a.parent == target) {
            vended.accounts.push(AccountSpec {
                key: format!("vended-into-{}", unit.key),
                name: format!("an account vended into {}", unit.name),
                email: String::new(),
                email_loc: unit.loc.clone(),
                id: None,
                id_loc: unit.loc.clone(),
                parent: target,
                parent_loc: unit.loc.clone(),
                tags: std::collections::BTreeMap::new(),
                bootstrap: true,
                loc: unit.loc.clone(),
            });
        }
    }
    let spec = &vended;
    let policies = OrgPolicies::new(spec);
    let mut out = Vec::new();
    for account in spec.accounts.iter().filter(|a| !spec.is_management(a)) {
        let id = spec.account_id_or_placeholder(account);
        let prover = AccountProver::new(catalog, &policies, account, &id, admin.clone());
        let session = format!("arn:aws:sts::{id}:assumed-role/{role}/orgctl");
        for region in &regions {
            for action in ACCESS_ROLE_ACTIONS {
                if let Some(l) = denied(
                    catalog,
                    &prover,
                    account,
                    &id,
                    region,
                    action,
                    Some(&session),
                    None,
                ) {
                    out.push(Lockout {
                        what: format!(
                            "the access role {role} cannot call {action} in {}",
                            account.name
                        ),
                        ..l
                    });
                }
            }
            if delegated.contains(&account.key.as_str()) {
                for action in DELEGATED_ADMIN_ACTIONS {
                    if let Some(l) =
                        denied(catalog, &prover, account, &id, region, action, None, None)
                    {
                        out.push(Lockout {
                            what: format!(
                                "{}, a delegated administrator, cannot call {action}",
                                account.name
                            ),
                            ..l
                        });
                    }
                }
            }
        }
        // The management account assuming the access role: only the member's RCPs decide.
        let mut assume = AccountProver::new(catalog, &policies, account, &id, admin.clone());
        assume.set.scps = None;
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        assume.set.resource = Policy::parse(&trust)
            .ok()
            .map(|p| CompiledPolicy::new("AccessRoleTrustPolicy", &p));
        let caller = format!("arn:aws:sts::{management}:assumed-role/orgctl/orgctl");
        let role_arn = format!("arn:aws:iam::{id}:role/{role}");
        for region in &regions {
            if let Some(l) = denied(
                catalog,
                &assume,
                account,
                &id,
                region,
                "sts:AssumeRole",
                Some(&caller),
                Some(&role_arn),
            ) {
                out.push(Lockout {
                    what: format!(
                        "the management account cannot assume {role} in {}",
                        account.name
                    ),
                    ..l
                });
            }
        }
    }
    out
}

/// A lockout when every request for `action` in the scope is proven denied.
#[expect(clippy::too_many_arguments, reason = "one scope, spelled out")]
fn denied(
    catalog: &'static Catalog,
    prover: &AccountProver,
    account: &AccountSpec,
    id: &str,
    region: &str,
    action: &str,
    principal: Option<&str>,
    resource: Option<&str>,
) -> Option<Lockout> {
    let info = ActionInfo::new(catalog.action(action)?);
    let mut scope = Scope::new(id, region);
    scope.principal = principal.map(str::to_owned);
    scope.resources = resource.map(|r| vec![r.to_owned()]);
    let p = Prover::new(&prover.set);
    let sig = p.signature(&info.probe);
    let (status, _) = full_search(prover, &p, &scope, &info, &sig);
    let Status::Denied(d) = status else {
        return None;
    };
    // The counterexample: the plainest request of the scope, which the proof covers.
    let resource = resource.map_or_else(
        || {
            info.formats
                .first()
                .map_or_else(|| "*".to_owned(), |f| instantiate(f, "aws", id, region))
        },
        str::to_owned,
    );
    let who = principal.map_or_else(
        || format!("arn:aws:sts::{id}:assumed-role/Admin/orgctl"),
        str::to_owned,
    );
    let mut context = Context::new();
    context.insert(
        "aws:RequestedRegion",
        ContextValue::Single(region.to_owned()),
    );
    let request = Request::new(&who, action, &resource, Some(id), context);
    Some(Lockout {
        account: account.name.clone(),
        region: region.to_owned(),
        what: String::new(),
        request: Arc::new(request),
        reason: d.reason.clone(),
    })
}
