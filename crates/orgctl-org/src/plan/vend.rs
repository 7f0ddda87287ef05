//! Vending one account: the strategy's five steps as one plan, resumable like any other.
//!
//! Create it (and wait) -> move it to its OU -> quarantine it (an SCP that denies everything
//! but the access role) -> wait until the access role reaches it -> bootstrap its state in
//! the account itself -> write its infrastructure-live files -> lift the quarantine -> add it
//! to the spec. Built from the state each time, so a rerun after a crash plans only what is
//! left: an account whose creation was requested is awaited, never requested again.

use std::path::Path;

use crate::plan::files::{account_hcl, quarantine_policy, region_hcl, slug, vpc_terragrunt_hcl};
use crate::plan::{BootstrapTemplate, Change, FileContent, Plan, PlanError, Ref};
use crate::spec::Spec;
use crate::state::{CreateAccountState, PolicyKind, State};

/// The name of the quarantine SCP while a vending runs.
pub const QUARANTINE_POLICY: &str = "orgctl-quarantine";

/// What to vend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendRequest {
    /// The account's name.
    pub name: String,
    /// Its root email.
    pub email: String,
    /// The spec key of its unit.
    pub unit: String,
    /// The spec file to add it to, relative to the spec directory.
    pub spec_file: String,
}

impl VendRequest {
    /// The spec key of the new account block (`Team QA` -> `team_qa`).
    pub fn key(&self) -> String {
        slug(&self.name).replace('-', "_")
    }
}

/// Why an account cannot be vended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum VendError {
    /// The unit is not in the spec.
    #[error("no unit `{0}` in the spec")]
    #[diagnostic(
        code(orgctl::vend_unit),
        help("name a unit by its key or its name: {1}")
    )]
    UnknownUnit(String, String),
    /// The unit is in the spec but not yet in the organization.
    #[error("unit `{0}` does not exist in the organization yet")]
    #[diagnostic(code(orgctl::vend_unit), help("run `orgctl apply` first"))]
    UnitNotCreated(String),
    /// No organization yet.
    #[error("the organization does not exist yet")]
    #[diagnostic(code(orgctl::vend_org), help("run `orgctl apply` first"))]
    NoOrganization,
    /// The spec has the name or email for another account.
    #[error("the spec already has an account named `{0}` or with email `{1}`")]
    #[diagnostic(code(orgctl::vend_exists), help("choose another name and email"))]
    Taken(String, String),
    /// The plan could not be built.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
}

/// The plan that vends `request`, or an empty plan when it is done.
///
/// # Errors
/// When the unit or organization is missing, or the spec has the name or email already.
pub fn vend(
    spec: &Spec,
    state: &State,
    request: &VendRequest,
    backend: &str,
    read_file: &dyn Fn(&Path) -> Option<String>,
) -> Result<Plan, VendError> {
    let org = state
        .organization
        .as_ref()
        .ok_or(VendError::NoOrganization)?;
    let unit = spec
        .units
        .iter()
        .find(|u| u.key == request.unit || u.name.eq_ignore_ascii_case(&request.unit))
        .ok_or_else(|| {
            let keys: Vec<&str> = spec.units.iter().map(|u| u.key.as_str()).collect();
            VendError::UnknownUnit(request.unit.clone(), keys.join(", "))
        })?;
    // The unit's id: walk the spec's chain of parents through the state.
    let mut parent = org.root_id.clone();
    for level in spec
        .ancestors(&crate::spec::Target::Unit(unit.key.clone()))
        .iter()
        .skip(1)
        .chain(std::iter::once(&crate::spec::Target::Unit(
            unit.key.clone(),
        )))
    {
        let crate::spec::Target::Unit(k) = level else {
            continue;
        };
        let name = spec.unit(k).map_or("", |u| u.name.as_str());
        parent = state
            .units
            .iter()
            .find(|u| u.parent_id == parent && u.name == name)
            .map(|u| u.id.clone())
            .ok_or_else(|| VendError::UnitNotCreated(unit.key.clone()))?;
    }
    let unit_id = parent;

    let in_spec = spec
        .accounts
        .iter()
        .find(|a| a.name == request.name || a.email.eq_ignore_ascii_case(&request.email));
    if let Some(a) = in_spec {
        if a.name == request.name && a.email.eq_ignore_ascii_case(&request.email) {
            // Vended before and recorded: the last step ran, nothing is left.
            return Ok(Plan {
                base: state.fingerprint(),
                backend: backend.to_owned(),
                changes: Vec::new(),
                notes: vec![format!("account {} is in the spec already", a.name)],
            });
        }
        return Err(VendError::Taken(
            request.name.clone(),
            request.email.clone(),
        ));
    }

    let key = request.key();
    let mut changes = Vec::new();
    let existing = state
        .accounts
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(&request.email));
    let (account, parent_now) = match existing {
        Some(a) => (Ref::Id(a.id.clone()), Ref::Id(a.parent_id.clone())),
        None => {
            let pending = state.account_requests.iter().find(|r| {
                r.email.eq_ignore_ascii_case(&request.email)
                    && r.state == CreateAccountState::InProgress
            });
            changes.push(match pending {
                Some(r) => Change::AwaitAccount {
                    key: key.clone(),
                    name: request.name.clone(),
                    request_id: r.request_id.clone(),
                },
                None => Change::CreateAccount {
                    key: key.clone(),
                    name: request.name.clone(),
                    email: request.email.clone(),
                    tags: std::collections::BTreeMap::new(),
                },
            });
            (
                Ref::New(format!("account.{key}")),
                Ref::Id(org.root_id.clone()),
            )
        }
    };
    let unit_ref = Ref::Id(unit_id);
    if parent_now != unit_ref {
        changes.push(Change::MoveAccount {
            key: key.clone(),
            account: account.clone(),
            name: request.name.clone(),
            from: parent_now,
            from_name: "Root".to_owned(),
            to: unit_ref,
            to_name: unit.name.clone(),
        });
    }

    // Quarantine: the policy exists only while a vending runs.
    let quarantine = state
        .policies
        .iter()
        .find(|p| p.kind == PolicyKind::Scp && p.name == QUARANTINE_POLICY);
    let quarantine_ref = match quarantine {
        Some(p) => Ref::Id(p.id.clone()),
        None => {
            changes.push(Change::CreatePolicy {
                key: "quarantine".to_owned(),
                kind: PolicyKind::Scp,
                name: QUARANTINE_POLICY.to_owned(),
                description:
                    "Denies all but the organization access role while an account is vended"
                        .to_owned(),
                content: quarantine_policy(&spec.organization.access_role_name),
            });
            Ref::New("policy.quarantine".to_owned())
        }
    };
    let attached = match (&quarantine_ref, &account) {
        (Ref::Id(p), Ref::Id(a)) => state
            .attachments
            .iter()
            .any(|x| &x.policy_id == p && &x.target_id == a),
        _ => false,
    };
    if !attached {
        changes.push(Change::AttachPolicy {
            policy: quarantine_ref.clone(),
            policy_name: QUARANTINE_POLICY.to_owned(),
            target: account.clone(),
            target_name: request.name.clone(),
        });
    }
    changes.push(Change::AwaitAccess {
        account: account.clone(),
        account_name: request.name.clone(),
    });
    let b = &spec.bootstrap;
    changes.push(Change::Bootstrap {
        account: account.clone(),
        account_name: request.name.clone(),
        template: BootstrapTemplate {
            bucket_prefix: b.bucket_prefix.clone(),
            region: b.region.clone(),
            encryption: b.encryption,
            noncurrent_days: b.noncurrent_days,
            lock_table: b.locking.needs_table().then(|| b.lock_table.clone()),
            account_regional_namespace: b.account_regional_namespace,
        },
        drift: Vec::new(),
        bucket_exists: false,
        table_change: true,
    });
    let dir = slug(&request.name);
    let region = &spec.organization.home_region;
    let live = b.live_dir.to_string_lossy().into_owned();
    let files = [
        (
            format!("{live}/{dir}/account.hcl"),
            FileContent::WithAccountId {
                account: account.clone(),
                template: account_hcl(&dir, "{account_id}"),
            },
        ),
        (
            format!("{live}/{dir}/{region}/region.hcl"),
            FileContent::Text(region_hcl(&dir, region)),
        ),
        (
            format!("{live}/{dir}/{region}/vpc/terragrunt.hcl"),
            FileContent::Text(vpc_terragrunt_hcl(&dir, region)),
        ),
    ];
    for (path, content) in files {
        let existing = read_file(Path::new(&path));
        // A scaffold the user already changed is theirs: never overwritten.
        if existing.is_some() && path.ends_with("vpc/terragrunt.hcl") {
            continue;
        }
        changes.push(Change::WriteFile {
            path,
            content,
            exists: existing.is_some(),
        });
    }
    changes.push(Change::DetachPolicy {
        policy: quarantine_ref.clone(),
        policy_name: QUARANTINE_POLICY.to_owned(),
        target: account.clone(),
        target_name: request.name.clone(),
    });
    changes.push(Change::DeletePolicy {
        policy: quarantine_ref,
        name: QUARANTINE_POLICY.to_owned(),
    });
    changes.push(Change::AddToSpec {
        file: request.spec_file.clone(),
        key,
        name: request.name.clone(),
        email: request.email.clone(),
        unit: unit.key.clone(),
        account,
    });
    Ok(Plan {
        base: state.fingerprint(),
        backend: backend.to_owned(),
        changes,
        notes: Vec::new(),
    })
}
