//! The organization as the spec declares it, after loading and before validation.
//!
//! Every element keeps the [`Loc`] it was written at, so validation can point at it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diag::{Loc, Sources};
use crate::state::{Encryption, PolicyKind};

/// A reference from one element to another, as written in HCL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `root`: the organization root.
    Root,
    /// `unit.KEY`: an OU.
    Unit(String),
    /// `account.KEY`: an account.
    Account(String),
    /// `everywhere`: the root, every OU and every account.
    Everywhere,
}

impl Target {
    /// As written in the spec.
    pub fn display(&self) -> String {
        match self {
            Self::Root => "root".to_owned(),
            Self::Unit(k) => format!("unit.{k}"),
            Self::Account(k) => format!("account.{k}"),
            Self::Everywhere => "everywhere".to_owned(),
        }
    }
}

/// `organization "NAME" { ... }`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationSpec {
    /// The organization's name (a label; AWS has none).
    pub name: String,
    /// The management account's id.
    pub management_account_id: String,
    /// Where the management account id was written.
    pub management_loc: Loc,
    /// Region for the organization's own resources (trail, aggregator).
    pub home_region: String,
    /// The role Organizations creates in new accounts, assumed for per-account work.
    pub access_role_name: String,
    /// The block.
    pub loc: Loc,
}

/// `unit "KEY" { ... }`: an OU.
#[derive(Debug, Clone)]
pub struct UnitSpec {
    /// The spec's key (the block label).
    pub key: String,
    /// The OU's name in AWS.
    pub name: String,
    /// Its parent: `root` or another unit.
    pub parent: Target,
    /// Where the parent was written (the block when defaulted).
    pub parent_loc: Loc,
    /// The block's label.
    pub loc: Loc,
}

/// `account "KEY" { ... }`.
#[derive(Debug, Clone)]
pub struct AccountSpec {
    /// The spec's key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Root email, unique.
    pub email: String,
    /// Where the email was written.
    pub email_loc: Loc,
    /// The 12-digit id, when the account exists already.
    pub id: Option<String>,
    /// Where the id was written.
    pub id_loc: Loc,
    /// Its parent: `root` or a unit.
    pub parent: Target,
    /// Where the parent was written.
    pub parent_loc: Loc,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Whether the account gets a state bucket and lock table.
    pub bootstrap: bool,
    /// The block's label.
    pub loc: Loc,
}

/// `policy "KEY" { ... }`: an SCP or RCP.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    /// The spec's key.
    pub key: String,
    /// The policy's name in AWS.
    pub name: String,
    /// SCP or RCP.
    pub kind: PolicyKind,
    /// Description.
    pub description: String,
    /// The JSON file, relative to the spec directory.
    pub file: PathBuf,
    /// Where `file` was written.
    pub file_loc: Loc,
    /// The document, once read; its [`Sources`] entry.
    pub document: Option<(crate::diag::FileId, String)>,
    /// Whether it names the AWS-managed full-access policy of its type (no file).
    pub aws_managed: bool,
    /// Where it is attached, each with where that was written.
    pub attach: Vec<(Target, Loc)>,
    /// Not written in the spec: the full-access policy Organizations keeps everywhere when the
    /// spec does not manage it.
    pub implicit: bool,
    /// The block's label.
    pub loc: Loc,
}

/// `baseline { organization_trail { ... } }`.
#[derive(Debug, Clone)]
pub struct TrailSpec {
    /// Trail name.
    pub name: String,
    /// Log bucket, created in the log archive account with Object Lock.
    pub bucket: String,
    /// The log archive account.
    pub bucket_account: Target,
    /// Where the account was written.
    pub bucket_account_loc: Loc,
    /// The block.
    pub loc: Loc,
}

/// `baseline { config_aggregator { ... } }`.
#[derive(Debug, Clone)]
pub struct AggregatorSpec {
    /// Aggregator name.
    pub name: String,
    /// The block.
    pub loc: Loc,
}

/// `baseline { delegated_admin { ... } }`.
#[derive(Debug, Clone)]
pub struct DelegatedAdminSpec {
    /// The member account.
    pub account: Target,
    /// Where it was written.
    pub account_loc: Loc,
    /// Service principals (`guardduty.amazonaws.com`).
    pub services: Vec<String>,
    /// The block.
    pub loc: Loc,
}

/// `baseline { ... }`: the organization's security baseline.
#[derive(Debug, Clone, Default)]
pub struct BaselineSpec {
    /// The organization trail.
    pub trail: Option<TrailSpec>,
    /// The Config aggregator.
    pub aggregator: Option<AggregatorSpec>,
    /// Delegated administrators.
    pub delegated_admins: Vec<DelegatedAdminSpec>,
}

/// How Terraform state locks are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locking {
    /// A DynamoDB table.
    Dynamodb,
    /// S3's native lock file (`use_lockfile`).
    Lockfile,
    /// Both, while migrating.
    Both,
}

impl Locking {
    /// Whether a DynamoDB table is needed.
    pub const fn needs_table(self) -> bool {
        matches!(self, Self::Dynamodb | Self::Both)
    }

    /// As the spec writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Dynamodb => "dynamodb",
            Self::Lockfile => "lockfile",
            Self::Both => "both",
        }
    }
}

/// `bootstrap { ... }`: per-account Terraform state.
#[derive(Debug, Clone)]
pub struct BootstrapSpec {
    /// `<prefix>-terraform-state-<account_id>`.
    pub bucket_prefix: String,
    /// DynamoDB lock table name.
    pub lock_table: String,
    /// Locking mode.
    pub locking: Locking,
    /// Default encryption.
    pub encryption: Encryption,
    /// Region of the bucket and table.
    pub region: String,
    /// Days before noncurrent state versions expire.
    pub noncurrent_days: u32,
    /// Where `account.hcl` files and the root config go, relative to the spec directory.
    pub live_dir: PathBuf,
    /// Whether state buckets go in each account's regional namespace (`<name>-<account_id>-
    /// <region>-an`, which only that account can create) instead of the global one.
    pub account_regional_namespace: bool,
    /// Estimated monthly cost of one state bucket, in USD.
    pub bucket_monthly_usd: f64,
    /// Estimated monthly cost of one lock table, in USD.
    pub table_monthly_usd: f64,
    /// The block, when written.
    pub loc: Loc,
}

impl BootstrapSpec {
    /// The state bucket's name for an account.
    pub fn bucket_name(&self, account_id: &str) -> String {
        state_bucket_name(
            &self.bucket_prefix,
            account_id,
            &self.region,
            self.account_regional_namespace,
        )
    }
}

/// `<prefix>-terraform-state-<account_id>`, or in the account regional namespace
/// `<prefix>-terraform-state-<account_id>-<region>-an`.
pub fn state_bucket_name(
    prefix: &str,
    account_id: &str,
    region: &str,
    account_regional: bool,
) -> String {
    if account_regional {
        format!("{prefix}-terraform-state-{account_id}-{region}-an")
    } else {
        format!("{prefix}-terraform-state-{account_id}")
    }
}

impl Default for BootstrapSpec {
    fn default() -> Self {
        Self {
            bucket_prefix: String::new(),
            lock_table: "terraform-locks".to_owned(),
            locking: Locking::Dynamodb,
            encryption: Encryption::Kms,
            region: String::new(),
            noncurrent_days: 90,
            live_dir: PathBuf::from("infrastructure-live"),
            account_regional_namespace: false,
            bucket_monthly_usd: 0.25,
            table_monthly_usd: 0.25,
            loc: Loc::default(),
        }
    }
}

/// `quotas { ... }`: Organizations' limits as settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Policies of one type attached to one target.
    pub policies_per_target: u32,
    /// Policy document size in characters, minified.
    pub policy_size: u32,
    /// OU nesting below the root.
    pub ou_depth: u32,
    /// Accounts in the organization.
    pub accounts: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            policies_per_target: 10,
            policy_size: 10_240,
            ou_depth: 5,
            accounts: 10_000,
        }
    }
}

/// A whole spec: every block of every `.hcl` file of the directory.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// The spec directory.
    pub dir: PathBuf,
    /// Every file read, HCL and policy JSON.
    pub sources: Sources,
    /// The organization block.
    pub organization: OrganizationSpec,
    /// OUs, in file order.
    pub units: Vec<UnitSpec>,
    /// Accounts, in file order.
    pub accounts: Vec<AccountSpec>,
    /// Policies, in file order.
    pub policies: Vec<PolicySpec>,
    /// Security baseline.
    pub baseline: BaselineSpec,
    /// State bootstrap settings.
    pub bootstrap: BootstrapSpec,
    /// Quotas.
    pub quotas: Quotas,
    /// Whether the SCPs are checked against the pre-September-2025 language.
    pub legacy_scp_dialect: bool,
    /// Guardrail properties `orgctl prove` checks.
    pub properties: Vec<crate::property::PropertySpec>,
}

impl Spec {
    /// The unit with this key.
    pub fn unit(&self, key: &str) -> Option<&UnitSpec> {
        self.units.iter().find(|u| u.key == key)
    }

    /// The account with this key.
    pub fn account(&self, key: &str) -> Option<&AccountSpec> {
        self.accounts.iter().find(|a| a.key == key)
    }

    /// The id analyses use for an account: its own, else a placeholder that is stable for
    /// the spec (`9000000000NN`, NN its position), so that ids in requests and reports are
    /// valid 12-digit numbers before the account exists.
    pub fn account_id_or_placeholder(&self, account: &AccountSpec) -> String {
        account.id.clone().unwrap_or_else(|| {
            let index = self
                .accounts
                .iter()
                .position(|a| a.key == account.key)
                .unwrap_or(0);
            format!("{:012}", 900_000_000_000_u64 + index as u64)
        })
    }

    /// The account an analysis names: by key, display name (any case) or id.
    pub fn find_account(&self, name: &str) -> Option<&AccountSpec> {
        self.accounts.iter().find(|a| {
            a.key == name || a.name.eq_ignore_ascii_case(name) || a.id.as_deref() == Some(name)
        })
    }

    /// Whether an account is the management account.
    pub fn is_management(&self, account: &AccountSpec) -> bool {
        account.id.as_deref() == Some(self.organization.management_account_id.as_str())
    }

    /// The chain of parents from the root down to `target`'s parent, nearest last.
    /// Cycles and unknown keys end the walk.
    pub fn ancestors(&self, target: &Target) -> Vec<Target> {
        let mut chain = Vec::new();
        let mut parent = match target {
            Target::Root | Target::Everywhere => return chain,
            Target::Unit(k) => self.unit(k).map(|u| u.parent.clone()),
            Target::Account(k) => self.account(k).map(|a| a.parent.clone()),
        };
        while let Some(p) = parent {
            if chain.contains(&p) || chain.len() > self.units.len() + 1 {
                break;
            }
            chain.push(p.clone());
            parent = match &p {
                Target::Unit(k) => self.unit(k).map(|u| u.parent.clone()),
                _ => None,
            };
        }
        chain.reverse();
        chain
    }

    /// Every concrete target: the root, each unit, each account.
    pub fn all_targets(&self) -> Vec<Target> {
        let mut all = vec![Target::Root];
        all.extend(self.units.iter().map(|u| Target::Unit(u.key.clone())));
        all.extend(self.accounts.iter().map(|a| Target::Account(a.key.clone())));
        // A key defined twice (reported by validation) is one target.
        let mut seen = std::collections::HashSet::new();
        all.retain(|t| seen.insert(t.clone()));
        all
    }

    /// The policies of a type attached to a concrete target, `everywhere` expanded, implicit
    /// full-access policies included, in spec order.
    pub fn effective_policies(&self, target: &Target, kind: PolicyKind) -> Vec<&PolicySpec> {
        self.policies_at(target, kind)
    }

    /// Where a target is defined (the organization block for the root).
    pub fn target_loc(&self, target: &Target) -> Loc {
        match target {
            Target::Root | Target::Everywhere => self.organization.loc.clone(),
            Target::Unit(k) => self
                .unit(k)
                .map_or_else(|| self.organization.loc.clone(), |u| u.loc.clone()),
            Target::Account(k) => self
                .account(k)
                .map_or_else(|| self.organization.loc.clone(), |a| a.loc.clone()),
        }
    }

    /// Whether the spec uses a policy type at all.
    pub fn uses(&self, kind: PolicyKind) -> bool {
        self.policies.iter().any(|p| p.kind == kind && !p.implicit)
    }

    /// The policies attached to a concrete target, `everywhere` expanded, in spec order.
    pub fn policies_at(&self, target: &Target, kind: PolicyKind) -> Vec<&PolicySpec> {
        self.policies
            .iter()
            .filter(|p| p.kind == kind)
            .filter(|p| {
                p.attach
                    .iter()
                    .any(|(t, _)| t == target || *t == Target::Everywhere)
            })
            .collect()
    }
}
