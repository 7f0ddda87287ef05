//! `property "KEY" { ... }` blocks: claims about the guardrails that `orgctl prove` checks
//! for every request, not for samples.
//!
//! ```hcl
//! property "region_lock" {
//!   description = "Nothing runs outside us-east-1 in the workloads"
//!   accounts    = [unit.workloads]
//!   regions     = ["eu-west-1", "us-west-2"]
//!   actions     = ["ec2:RunInstances", "s3:GetObject"]
//!   expect      = "deny"
//! }
//! ```

use std::collections::BTreeMap;

use hcl_edit::structure::Block;

use crate::diag::{Diagnostic, Diagnostics, FileId, Loc};
use crate::hcl::BodyReader;
use crate::spec::{AccountSpec, Spec, Target};

/// What a property claims of its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Every request is denied.
    Deny,
    /// For each account, region and action, some request is allowed.
    Allow,
}

impl Claim {
    /// `deny` or `allow`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Allow => "allow",
        }
    }
}

/// A declared property.
#[derive(Debug, Clone)]
pub struct PropertySpec {
    /// The block's label.
    pub key: String,
    /// What it protects, in words.
    pub description: String,
    /// The accounts it covers: accounts, units (their accounts, nested units included),
    /// `root` or `everywhere` (every account).
    pub accounts: Vec<(Target, Loc)>,
    /// Accounts or units left out.
    pub except: Vec<(Target, Loc)>,
    /// Regions; empty: the regions `prove` checks.
    pub regions: Vec<String>,
    /// Action patterns, expanded through the catalog.
    pub actions: Vec<(String, Loc)>,
    /// Action patterns left out.
    pub not_actions: Vec<(String, Loc)>,
    /// Resources the requests act on; empty: any resource of the action in the account.
    pub resources: Vec<String>,
    /// Keys every request carries with these values.
    pub context: BTreeMap<String, String>,
    /// Keys no request carries.
    pub absent: Vec<String>,
    /// The claim.
    pub expect: Claim,
    /// The block's label.
    pub loc: Loc,
}

impl PropertySpec {
    /// The accounts the property covers, in spec order.
    pub fn covered<'s>(&self, spec: &'s Spec) -> Vec<&'s AccountSpec> {
        let within = |account: &AccountSpec, targets: &[(Target, Loc)]| {
            let at = Target::Account(account.key.clone());
            let mut chain = spec.ancestors(&at);
            chain.push(at);
            targets.iter().any(|(t, _)| match t {
                Target::Everywhere | Target::Root => true,
                other => chain.contains(other),
            })
        };
        spec.accounts
            .iter()
            .filter(|a| within(a, &self.accounts) && !within(a, &self.except))
            .collect()
    }
}

/// Reads a `property` block into the spec.
pub(crate) fn read(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    let key = match block.labels.as_slice() {
        [one] => one.as_str().to_owned(),
        _ => {
            d.push(
                Diagnostic::error("invalid-block", loc, "a `property` block takes one label")
                    .with_help("write `property \"NAME\" { ... }`"),
            );
            return;
        }
    };
    let mut r = BodyReader::new(
        file,
        &block.body,
        loc.clone(),
        format!("property \"{key}\""),
    );
    let description = r
        .string("description", d)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let accounts = r.targets("accounts", d);
    if accounts.is_empty() {
        d.push(
            Diagnostic::error(
                "missing-attribute",
                loc.clone(),
                format!("property \"{key}\" has no `accounts`"),
            )
            .with_help("add `accounts = [unit.KEY]`, `[account.KEY]` or `[everywhere]`"),
        );
    }
    let except = r.targets("except", d);
    let regions = r
        .strings("regions", d)
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    let actions = r.strings("actions", d);
    if actions.is_empty() {
        d.push(
            Diagnostic::error(
                "missing-attribute",
                loc.clone(),
                format!("property \"{key}\" has no `actions`"),
            )
            .with_help("add `actions = [\"service:Action\", ...]` (wildcards expand)"),
        );
    }
    let not_actions = r.strings("not_actions", d);
    let resources = r
        .strings("resources", d)
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    let context = r.string_map("context", d);
    let absent = r.strings("absent", d).into_iter().map(|(v, _)| v).collect();
    let expect = match r.required_string("expect", d) {
        Some((v, _)) if v == "deny" => Claim::Deny,
        Some((v, _)) if v == "allow" => Claim::Allow,
        Some((v, l)) => {
            d.push(
                Diagnostic::error("invalid-value", l, format!("`expect` is `{v}`"))
                    .with_help("write `deny` (every request is denied) or `allow`"),
            );
            Claim::Deny
        }
        None => Claim::Deny,
    };
    r.finish(d);
    spec.properties.push(PropertySpec {
        key,
        description,
        accounts,
        except,
        regions,
        actions,
        not_actions,
        resources,
        context,
        absent,
        expect,
        loc,
    });
}
