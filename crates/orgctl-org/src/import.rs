//! Import: the spec of an organization as a backend reports it, so that a plan right after
//! the import shows no changes. Most users start from an organization they already have.
//!
//! Written: `org.hcl` (organization, units nested as they are, accounts with their ids,
//! emails and tags, every SCP and RCP with its attachments) and `policies/<name>.json`. The
//! baseline and state bootstrap are left out, as comments saying what exists: orgctl starts
//! managing them when the user adds their blocks, and never removes what it does not manage.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use crate::plan::slug;
use crate::specedit::quote;
use crate::state::{PolicyKind, State};

/// A file to write, relative to the new spec directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Relative path.
    pub path: String,
    /// Contents.
    pub text: String,
}

/// Why a state cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    /// There is no organization.
    #[error("the {0} backend has no organization to import")]
    #[diagnostic(
        code(orgctl::import),
        help("check the credentials: they must be the management account's")
    )]
    NoOrganization(String),
}

/// Keys unique within one kind of block, made from names.
#[derive(Default)]
struct Keys {
    used: HashSet<String>,
}

impl Keys {
    fn make(&mut self, name: &str) -> String {
        // `RequireS3Encryption` -> `require_s3_encryption`.
        let mut spaced = String::new();
        let mut prev: Option<char> = None;
        for c in name.chars() {
            if c.is_ascii_uppercase()
                && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            {
                spaced.push(' ');
            }
            spaced.push(c);
            prev = Some(c);
        }
        let mut base = slug(&spaced).replace('-', "_");
        if base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("_{base}");
        }
        let mut key = base.clone();
        let mut n = 2;
        while !self.used.insert(key.clone()) {
            key = format!("{base}_{n}");
            n += 1;
        }
        key
    }
}

fn file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("policies/{clean}.json")
}

/// The spec files of `state`.
///
/// # Errors
/// When the state has no organization.
pub fn import(
    state: &State,
    name: &str,
    home_region: &str,
    backend: &str,
) -> Result<Vec<ImportedFile>, ImportError> {
    let org = state
        .organization
        .as_ref()
        .ok_or_else(|| ImportError::NoOrganization(backend.to_owned()))?;
    let mut hcl = String::new();
    let _ = writeln!(
        hcl,
        "# Imported by `orgctl import` from the {backend} organization {}.\n# `orgctl plan` against it shows no changes; edit from here.\n",
        org.id
    );
    let _ = writeln!(
        hcl,
        "organization {} {{\n  management_account_id = {}\n  home_region           = {}\n}}\n",
        quote(name),
        quote(&org.management_account_id),
        quote(home_region)
    );

    // Where each id is referred to from: `root`, `unit.KEY`, `account.KEY`.
    let mut refs: HashMap<String, String> = HashMap::new();
    refs.insert(org.root_id.clone(), "root".to_owned());
    let mut unit_keys = Keys::default();
    // Parents before children.
    let mut pending: Vec<_> = state.units.iter().collect();
    let mut ordered = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|u| {
            if refs.contains_key(&u.parent_id) {
                let key = unit_keys.make(&u.name);
                refs.insert(u.id.clone(), format!("unit.{key}"));
                ordered.push((key, *u));
                false
            } else {
                true
            }
        });
        if pending.len() == before {
            break;
        }
    }
    if !ordered.is_empty() {
        hcl.push_str("# Organizational units\n\n");
    }
    for (key, u) in &ordered {
        let parent = refs
            .get(&u.parent_id)
            .cloned()
            .unwrap_or_else(|| "root".to_owned());
        let _ = write!(hcl, "unit {} {{\n  name = {}\n", quote(key), quote(&u.name));
        if parent != "root" {
            let _ = writeln!(hcl, "  parent = {parent}");
        }
        hcl.push_str("}\n\n");
    }

    hcl.push_str("# Accounts. `bootstrap = false` until you add a bootstrap block and want orgctl to\n# give them their own Terraform state bucket and lock table.\n\n");
    let mut account_keys = Keys::default();
    let mut accounts: Vec<_> = state.accounts.iter().collect();
    accounts.sort_by_key(|a| (a.id != org.management_account_id, a.name.clone()));
    for a in accounts {
        let key = account_keys.make(&a.name);
        refs.insert(a.id.clone(), format!("account.{key}"));
        let _ = write!(
            hcl,
            "account {} {{\n  name      = {}\n  email     = {}\n  id        = {}\n",
            quote(&key),
            quote(&a.name),
            quote(&a.email),
            quote(&a.id)
        );
        if let Some(parent) = refs.get(&a.parent_id).filter(|p| *p != "root") {
            let _ = writeln!(hcl, "  unit      = {parent}");
        }
        if !a.tags.is_empty() {
            let tags: Vec<String> = a
                .tags
                .iter()
                .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
                .collect();
            let _ = writeln!(hcl, "  tags      = {{ {} }}", tags.join(", "));
        }
        hcl.push_str("  bootstrap = false\n}\n\n");
    }

    let mut files = Vec::new();
    let mut policy_keys = Keys::default();
    let mut attached: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &state.attachments {
        attached
            .entry(a.policy_id.as_str())
            .or_default()
            .push(a.target_id.as_str());
    }
    let every_target: HashSet<&str> = refs.keys().map(String::as_str).collect();
    let mut policies: Vec<_> = state.policies.iter().collect();
    policies.sort_by_key(|p| (!p.aws_managed, p.kind, p.name.clone()));
    if !policies.is_empty() {
        hcl.push_str("# Policies\n\n");
    }
    for p in policies {
        let targets = attached.get(p.id.as_str()).cloned().unwrap_or_default();
        let everywhere =
            !targets.is_empty() && targets.iter().copied().collect::<HashSet<_>>() == every_target;
        let mut attach: Vec<String> = if everywhere {
            vec!["everywhere".to_owned()]
        } else {
            targets
                .iter()
                .filter_map(|t| refs.get(*t).cloned())
                .collect()
        };
        attach.sort();
        let key = policy_keys.make(&p.name);
        let kind = match p.kind {
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        };
        let _ = write!(
            hcl,
            "policy {} {{\n  type        = \"{kind}\"\n",
            quote(&key)
        );
        if p.aws_managed {
            hcl.push_str("  aws_managed = true\n");
        } else {
            let file = file_name(&p.name);
            let text = serde_json::from_str::<serde_json::Value>(&p.content)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| p.content.clone());
            let _ = writeln!(hcl, "  name        = {}", quote(&p.name));
            if !p.description.is_empty() {
                let _ = writeln!(hcl, "  description = {}", quote(&p.description));
            }
            let _ = writeln!(hcl, "  file        = {}", quote(&file));
            files.push(ImportedFile {
                path: file,
                text: format!("{text}\n"),
            });
        }
        let _ = writeln!(hcl, "  attach      = [{}]\n}}\n", attach.join(", "));
    }

    let mut notes = Vec::new();
    for t in &state.trails {
        notes.push(format!(
            "trail {} delivers to s3://{} (organization trail: {})",
            t.name, t.bucket, t.organization_trail
        ));
    }
    for a in &state.aggregators {
        notes.push(format!("Config aggregator {} in {}", a.name, a.region));
    }
    for d in &state.delegated_admins {
        let who = refs
            .get(&d.account_id)
            .cloned()
            .unwrap_or_else(|| d.account_id.clone());
        notes.push(format!(
            "delegated administrator {who} for {}",
            d.service_principal
        ));
    }
    if !notes.is_empty() {
        hcl.push_str("# Found and not yet managed (add a baseline block to manage them):\n");
        for n in notes {
            let _ = writeln!(hcl, "#   {n}");
        }
    }
    files.insert(
        0,
        ImportedFile {
            path: "org.hcl".to_owned(),
            text: hcl.trim_end().to_owned() + "\n",
        },
    );
    Ok(files)
}
