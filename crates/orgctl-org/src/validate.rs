//! Validation: every problem of a spec at once, each at its file:line:column with a help line.
//!
//! Checks references, duplicates, the organization's structure and quotas, each policy through
//! the linter, and that every level of the tree keeps at least one SCP that allows something
//! (a level without one denies everything below it).

use std::collections::HashMap;

use orgctl_catalog::Catalog;
use orgctl_lint::{FindingType, Limits, LintOptions, PolicyType, ScpDialect};
use orgctl_policy::{Effect, Policy};

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::spec::{PolicySpec, Spec, Target};
use crate::state::PolicyKind;

/// Service principals orgctl knows as delegated-administrator services.
pub const DELEGATED_ADMIN_SERVICES: &[&str] = &[
    "access-analyzer.amazonaws.com",
    "auditmanager.amazonaws.com",
    "backup.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "detective.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "inspector2.amazonaws.com",
    "ipam.amazonaws.com",
    "macie.amazonaws.com",
    "securityhub.amazonaws.com",
    "securitylake.amazonaws.com",
    "sso.amazonaws.com",
    "stacksets.cloudformation.amazonaws.com",
];

/// Validates a loaded spec, adding to the diagnostics loading produced.
pub fn validate(spec: &Spec, catalog: &Catalog, diags: &mut Diagnostics) {
    check_organization(spec, diags);
    check_units(spec, diags);
    check_accounts(spec, diags);
    check_policies(spec, catalog, diags);
    check_levels(spec, diags);
    check_baseline(spec, diags);
    check_bootstrap(spec, diags);
    check_properties(spec, catalog, diags);
    diags.sort();
}

pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn check_organization(spec: &Spec, d: &mut Diagnostics) {
    let org = &spec.organization;
    if !org.management_account_id.is_empty() && !is_account_id(&org.management_account_id) {
        d.push(
            Diagnostic::error(
                "invalid-account-id",
                org.management_loc.clone(),
                format!("`{}` is not an account id", org.management_account_id),
            )
            .with_help("an AWS account id is 12 digits, leading zeros included"),
        );
    }
    if !org.home_region.is_empty() && !looks_like_region(&org.home_region) {
        d.push(
            Diagnostic::error(
                "invalid-region",
                org.loc.clone(),
                format!("`{}` is not a region name", org.home_region),
            )
            .with_help("write a region such as `us-east-1`"),
        );
    }
}

/// Reports every key defined twice, pointing at the first definition.
fn duplicates<'a>(
    d: &mut Diagnostics,
    code: &str,
    what: &str,
    items: impl Iterator<Item = (String, &'a Loc)>,
    help: &str,
) {
    let mut seen: HashMap<String, &Loc> = HashMap::new();
    for (key, loc) in items {
        if key.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(&key) {
            d.push(
                Diagnostic::error(
                    code,
                    loc.clone(),
                    format!("{what} `{key}` is defined twice"),
                )
                .with_help(help.to_owned())
                .with_related((*first).clone(), "first defined here"),
            );
        } else {
            seen.insert(key, loc);
        }
    }
}

/// Why a reference does not resolve, or `None` when it does and is of an allowed kind.
fn check_target(
    spec: &Spec,
    target: &Target,
    allow_accounts: bool,
    allow_everywhere: bool,
) -> Option<String> {
    match target {
        Target::Root => None,
        Target::Everywhere if allow_everywhere => None,
        Target::Everywhere => {
            Some("`everywhere` is only allowed in a policy's `attach`".to_owned())
        }
        Target::Unit(k) => {
            if spec.unit(k).is_some() {
                None
            } else {
                let keys = spec.units.iter().map(|u| u.key.as_str());
                Some(match orgctl_lint::closest(k, keys) {
                    Some(c) => format!("no unit `{k}`: did you mean `unit.{c}`?"),
                    None => {
                        format!("no unit `{k}` is defined: add `unit \"{k}\" {{ name = \"...\" }}`")
                    }
                })
            }
        }
        Target::Account(_) if !allow_accounts => {
            Some("an account cannot contain units or accounts: use `root` or `unit.KEY`".to_owned())
        }
        Target::Account(k) => {
            if spec.account(k).is_some() {
                None
            } else {
                let keys = spec.accounts.iter().map(|a| a.key.as_str());
                Some(match orgctl_lint::closest(k, keys) {
                    Some(c) => format!("no account `{k}`: did you mean `account.{c}`?"),
                    None => format!("no account `{k}` is defined"),
                })
            }
        }
    }
}

fn check_properties(spec: &Spec, catalog: &Catalog, d: &mut Diagnostics) {
    duplicates(
        d,
        "duplicate-key",
        "property",
        spec.properties.iter().map(|p| (p.key.clone(), &p.loc)),
        "give each property block its own label",
    );
    for p in &spec.properties {
        for (target, loc) in p.accounts.iter().chain(&p.except) {
            if let Some(help) = check_target(spec, target, true, true) {
                d.push(unknown_reference(loc, target, help));
            }
        }
        for (pattern, loc) in p.actions.iter().chain(&p.not_actions) {
            if !catalog.matches_any(pattern) {
                d.push(
                    Diagnostic::error(
                        "unknown-action",
                        loc.clone(),
                        format!("`{pattern}` matches no action in the catalog"),
                    )
                    .with_help("`orgctl expand PATTERN` lists what a pattern matches"),
                );
            }
        }
        for r in &p.regions {
            if !looks_like_region(r) {
                d.push(
                    Diagnostic::error(
                        "invalid-value",
                        p.loc.clone(),
                        format!("property \"{}\": `{r}` is not a region", p.key),
                    )
                    .with_help("write region codes such as `us-east-1`"),
                );
            }
        }
    }
}

fn unknown_reference(loc: &Loc, target: &Target, help: String) -> Diagnostic {
    Diagnostic::error(
        "unknown-reference",
        loc.clone(),
        format!("`{}` does not name anything it can here", target.display()),
    )
    .with_help(help)
}

fn check_units(spec: &Spec, d: &mut Diagnostics) {
    duplicates(
        d,
        "duplicate-key",
        "unit",
        spec.units.iter().map(|u| (u.key.clone(), &u.loc)),
        "give each unit block its own label",
    );
    duplicates(
        d,
        "duplicate-name",
        "OU name",
        spec.units
            .iter()
            .map(|u| (format!("{}/{}", u.parent.display(), u.name), &u.loc)),
        "OU names must differ among units with the same parent",
    );
    for unit in &spec.units {
        if let Some(help) = check_target(spec, &unit.parent, false, false) {
            d.push(unknown_reference(&unit.parent_loc, &unit.parent, help));
            continue;
        }
        let target = Target::Unit(unit.key.clone());
        let chain = spec.ancestors(&target);
        if chain.contains(&target) || chain.first() != Some(&Target::Root) {
            d.push(
                Diagnostic::error(
                    "unit-cycle",
                    unit.parent_loc.clone(),
                    format!("unit `{}` is its own ancestor", unit.key),
                )
                .with_help("every chain of `parent` must end at `root`"),
            );
            continue;
        }
        // The chain holds the root and each OU above; depth counts OUs, this one included.
        let depth = chain.len();
        if depth > spec.quotas.ou_depth as usize {
            d.push(
                Diagnostic::error(
                    "ou-depth",
                    unit.loc.clone(),
                    format!(
                        "unit `{}` is nested {depth} levels deep; Organizations allows {}",
                        unit.key, spec.quotas.ou_depth
                    ),
                )
                .with_help("flatten the tree, or raise `quotas { ou_depth }` if AWS raised it"),
            );
        }
    }
}

fn looks_like_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
        && e.len() <= 64
}

fn check_accounts(spec: &Spec, d: &mut Diagnostics) {
    duplicates(
        d,
        "duplicate-key",
        "account",
        spec.accounts.iter().map(|a| (a.key.clone(), &a.loc)),
        "give each account block its own label",
    );
    duplicates(
        d,
        "duplicate-name",
        "account name",
        spec.accounts.iter().map(|a| (a.name.clone(), &a.loc)),
        "give each account its own name: names appear in every report",
    );
    duplicates(
        d,
        "duplicate-directory",
        "infrastructure-live directory",
        spec.accounts
            .iter()
            .map(|a| (crate::plan::slug(&a.name), &a.loc)),
        "two account names reduce to the same directory name: rename one account",
    );
    duplicates(
        d,
        "duplicate-email",
        "email",
        spec.accounts
            .iter()
            .map(|a| (a.email.to_ascii_lowercase(), &a.email_loc)),
        "every AWS account needs its own root email address",
    );
    duplicates(
        d,
        "duplicate-id",
        "account id",
        spec.accounts
            .iter()
            .filter_map(|a| a.id.clone().map(|id| (id, &a.id_loc))),
        "an account can be declared once",
    );
    if spec.accounts.len() > spec.quotas.accounts as usize {
        d.push(
            Diagnostic::error(
                "account-quota",
                spec.organization.loc.clone(),
                format!(
                    "{} accounts exceed the quota of {}",
                    spec.accounts.len(),
                    spec.quotas.accounts
                ),
            )
            .with_help("request a higher account quota from AWS, then set `quotas { accounts }`"),
        );
    }
    for account in &spec.accounts {
        if let Some(id) = &account.id {
            if !is_account_id(id) {
                d.push(
                    Diagnostic::error("invalid-account-id", account.id_loc.clone(), format!("`{id}` is not an account id"))
                        .with_help("an AWS account id is 12 digits; leave `id` out for an account orgctl should create"),
                );
            }
        }
        if !account.email.is_empty() && !looks_like_email(&account.email) {
            d.push(
                Diagnostic::error(
                    "invalid-email",
                    account.email_loc.clone(),
                    format!("`{}` is not an email address", account.email),
                )
                .with_help("write the account's root user address, such as `aws+dev@example.com`"),
            );
        }
        if let Some(help) = check_target(spec, &account.parent, false, false) {
            d.push(unknown_reference(
                &account.parent_loc,
                &account.parent,
                help,
            ));
        }
        if spec.is_management(account) && account.parent != Target::Root {
            d.push(
                Diagnostic::error(
                    "management-placement",
                    account.parent_loc.clone(),
                    "the management account sits at the root",
                )
                .with_help(
                    "remove `unit` from the management account: Organizations keeps it at the root",
                ),
            );
        }
    }
}

fn check_policies(spec: &Spec, catalog: &Catalog, d: &mut Diagnostics) {
    duplicates(
        d,
        "duplicate-key",
        "policy",
        spec.policies.iter().map(|p| (p.key.clone(), &p.loc)),
        "give each policy block its own label",
    );
    duplicates(
        d,
        "duplicate-name",
        "policy name",
        spec.policies
            .iter()
            .map(|p| (format!("{}:{}", p.kind.short(), p.name), &p.loc)),
        "policy names must differ among policies of one type",
    );
    let limits = Limits {
        policy_chars: spec.quotas.policy_size as usize,
        attachments_per_target: spec.quotas.policies_per_target as usize,
    };
    for policy in &spec.policies {
        if policy.aws_managed && policy.name != policy.kind.default_policy() {
            d.push(
                Diagnostic::error("aws-managed-policy", policy.loc.clone(), format!("`{}` is not an AWS-managed {} policy", policy.name, policy.kind.short()))
                    .with_help(format!("the AWS-managed policy is `{}`; for your own policy drop `aws_managed` and give a `file`", policy.kind.default_policy())),
            );
        }
        for (target, loc) in &policy.attach {
            if let Some(help) = check_target(spec, target, true, true) {
                d.push(unknown_reference(loc, target, help));
            }
        }
        lint_policy(spec, policy, catalog, limits, d);
    }
    // Attachments per target, per type, against the quota.
    for target in spec.all_targets() {
        for kind in [PolicyKind::Scp, PolicyKind::Rcp] {
            let attached = spec.effective_policies(&target, kind);
            if attached.len() > spec.quotas.policies_per_target as usize {
                let names: Vec<String> = attached.iter().map(|p| format!("`{}`", p.name)).collect();
                d.push(
                    Diagnostic::error(
                        "attachment-quota",
                        spec.target_loc(&target),
                        format!(
                            "{} has {} {}s attached ({}); the quota is {}",
                            target.display(),
                            attached.len(),
                            kind.short().to_ascii_uppercase(),
                            names.join(", "),
                            spec.quotas.policies_per_target
                        ),
                    )
                    .with_help("merge policies, or attach some one level higher"),
                );
            }
        }
    }
}

fn lint_policy(
    spec: &Spec,
    policy: &PolicySpec,
    catalog: &Catalog,
    limits: Limits,
    d: &mut Diagnostics,
) {
    let Some((file, text)) = &policy.document else {
        return;
    };
    let mut options = LintOptions::new(match policy.kind {
        PolicyKind::Scp => PolicyType::Scp,
        PolicyKind::Rcp => PolicyType::Rcp,
    });
    options.limits = limits;
    if spec.legacy_scp_dialect {
        options.scp_dialect = ScpDialect::Legacy;
    }
    options.protected_roles = vec![spec.organization.access_role_name.clone()];
    let report = orgctl_lint::lint_with(text, &options, catalog);
    for f in report.findings {
        let loc = Loc::new(*file, f.span.start..f.span.end);
        let mut diag = match f.finding_type {
            FindingType::Error => Diagnostic::error(f.issue_code, loc, f.message),
            FindingType::SecurityWarning | FindingType::Warning => {
                Diagnostic::warning(f.issue_code, loc, f.message)
            }
            FindingType::Suggestion => continue,
        };
        diag.help = f.hint;
        diag = diag.with_related(
            policy.file_loc.clone(),
            format!("policy `{}` uses this file", policy.key),
        );
        d.push(diag);
    }
}

/// Whether a policy document has an Allow statement (can permit anything at its level).
pub fn policy_allows_something(policy: &PolicySpec) -> bool {
    if policy.aws_managed {
        return true;
    }
    let Some((_, text)) = &policy.document else {
        // Unreadable: reported elsewhere; do not pile a second error on it.
        return true;
    };
    match Policy::parse(text) {
        Ok(p) => p.statements.iter().any(|s| s.effect.node == Effect::Allow),
        Err(_) => true,
    }
}

fn check_levels(spec: &Spec, d: &mut Diagnostics) {
    if !spec.uses(PolicyKind::Scp) {
        return;
    }
    for target in spec.all_targets() {
        if let Target::Account(k) = &target {
            if spec.account(k).is_some_and(|a| spec.is_management(a)) {
                continue;
            }
        }
        let scps = spec.effective_policies(&target, PolicyKind::Scp);
        if scps.iter().any(|p| policy_allows_something(p)) {
            continue;
        }
        let message = if scps.is_empty() {
            format!(
                "{} has no SCP attached: Organizations requires one, and without an allowing SCP everything below is denied",
                target.display()
            )
        } else {
            let names: Vec<String> = scps.iter().map(|p| format!("`{}`", p.name)).collect();
            format!(
                "no SCP attached to {} allows anything ({} only deny): every request in it and below would be denied",
                target.display(),
                names.join(", ")
            )
        };
        d.push(
            Diagnostic::error("no-allowing-scp", spec.target_loc(&target), message).with_help(
                "attach FullAWSAccess here (`policy \"full_access\" { type = \"scp\" aws_managed = true attach = [everywhere] }`) or an SCP that allows what this level needs",
            ),
        );
    }
}

fn check_baseline(spec: &Spec, d: &mut Diagnostics) {
    if let Some(trail) = &spec.baseline.trail {
        if let Some(help) = check_target(spec, &trail.bucket_account, true, false) {
            d.push(unknown_reference(
                &trail.bucket_account_loc,
                &trail.bucket_account,
                help,
            ));
        } else if !matches!(trail.bucket_account, Target::Account(_)) {
            d.push(
                Diagnostic::error(
                    "invalid-reference",
                    trail.bucket_account_loc.clone(),
                    "the log bucket lives in an account",
                )
                .with_help("write `bucket_account = account.KEY`, the log archive account"),
            );
        }
        if !valid_bucket_name(&trail.bucket) {
            d.push(
                Diagnostic::error("invalid-bucket-name", trail.loc.clone(), format!("`{}` is not a valid S3 bucket name", trail.bucket))
                    .with_help("3 to 63 characters: lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit"),
            );
        }
    }
    for admin in &spec.baseline.delegated_admins {
        if let Some(help) = check_target(spec, &admin.account, true, false) {
            d.push(unknown_reference(&admin.account_loc, &admin.account, help));
            continue;
        }
        if let Target::Account(k) = &admin.account {
            if spec.account(k).is_some_and(|a| spec.is_management(a)) {
                d.push(
                    Diagnostic::error(
                        "delegated-admin-management",
                        admin.account_loc.clone(),
                        "the management account cannot be a delegated administrator",
                    )
                    .with_help("delegate to a member account such as Audit"),
                );
            }
        } else {
            d.push(
                Diagnostic::error(
                    "invalid-reference",
                    admin.account_loc.clone(),
                    "a delegated administrator is an account",
                )
                .with_help("write `account = account.KEY`"),
            );
        }
        for service in &admin.services {
            if !DELEGATED_ADMIN_SERVICES.contains(&service.as_str()) {
                let help = orgctl_lint::closest(service, DELEGATED_ADMIN_SERVICES.iter().copied())
                    .map_or_else(
                        || "check the service principal's spelling".to_owned(),
                        |c| format!("did you mean `{c}`?"),
                    );
                d.push(
                    Diagnostic::warning("unknown-service-principal", admin.loc.clone(), format!("`{service}` is not a service principal orgctl knows for delegated administration"))
                        .with_help(help),
                );
            }
        }
    }
}

/// Whether `name` follows S3's general-purpose bucket naming rules.
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !name.contains("..")
}

fn check_bootstrap(spec: &Spec, d: &mut Diagnostics) {
    let b = &spec.bootstrap;
    let example = b.bucket_name("123456789012");
    if !valid_bucket_name(&example) {
        d.push(
            Diagnostic::error("invalid-bucket-name", b.loc.clone(), format!("state buckets would be named like `{example}`, which S3 refuses"))
                .with_help("use a `bucket_prefix` of lowercase letters, digits and hyphens, at most 34 characters"),
        );
    }
    if !b.region.is_empty() && !looks_like_region(&b.region) {
        d.push(
            Diagnostic::error(
                "invalid-region",
                b.loc.clone(),
                format!("`{}` is not a region name", b.region),
            )
            .with_help("write a region such as `us-east-1`"),
        );
    }
}
