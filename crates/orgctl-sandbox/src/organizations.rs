//! The organization itself: creating it, enabling policy types, trusted access, delegated
//! administrators, and the lookups the other modules share.

use orgctl_org::{BackendError, CallerIdentity, PolicyKind};
use rusqlite::{Connection, OptionalExtension};

use crate::db::{Db, corrupt};
use crate::{Ctx, SandboxOptions, ids, policies};

/// The organization's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Org {
    pub(crate) id: String,
    pub(crate) management_account_id: String,
    pub(crate) root_id: String,
}

/// What a target id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Root,
    Unit,
    Account,
}

/// The organization, when one exists.
pub(crate) fn find(db: &Connection) -> Result<Option<Org>, BackendError> {
    db.prepare_cached("SELECT id, management_account_id, root_id FROM organization")
        .db()?
        .query_row([], |row| {
            Ok(Org {
                id: row.get(0)?,
                management_account_id: row.get(1)?,
                root_id: row.get(2)?,
            })
        })
        .optional()
        .db()
}

/// The organization, or `NotFound` (AWS's `AWSOrganizationsNotInUseException`).
pub(crate) fn require(db: &Connection) -> Result<Org, BackendError> {
    find(db)?.ok_or_else(|| BackendError::NotFound {
        what: "organization (create it first)".to_owned(),
    })
}

/// Reads a policy kind as stored (its API name).
pub(crate) fn kind_from_api(name: &str) -> Result<PolicyKind, BackendError> {
    match name {
        "SERVICE_CONTROL_POLICY" => Ok(PolicyKind::Scp),
        "RESOURCE_CONTROL_POLICY" => Ok(PolicyKind::Rcp),
        other => Err(corrupt(format!(
            "unknown policy type `{other}` in the file"
        ))),
    }
}

/// The policy types enabled on the root.
pub(crate) fn enabled_kinds(db: &Connection) -> Result<Vec<PolicyKind>, BackendError> {
    let mut stmt = db
        .prepare_cached("SELECT kind FROM policy_types ORDER BY kind")
        .db()?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .db()?
        .collect::<Result<Vec<_>, _>>()
        .db()?;
    names.iter().map(|n| kind_from_api(n)).collect()
}

/// Whether a policy type is enabled.
pub(crate) fn kind_enabled(db: &Connection, kind: PolicyKind) -> Result<bool, BackendError> {
    exists(
        db,
        "SELECT 1 FROM policy_types WHERE kind = ?1",
        kind.api_name(),
    )
}

/// Whether `sql` (one parameter) returns a row.
pub(crate) fn exists(db: &Connection, sql: &str, param: &str) -> Result<bool, BackendError> {
    db.prepare_cached(sql)
        .db()?
        .query_row([param], |_| Ok(()))
        .optional()
        .map(|row| row.is_some())
        .db()
}

/// What `id` names in the organization, if anything.
pub(crate) fn target(db: &Connection, org: &Org, id: &str) -> Result<Option<Target>, BackendError> {
    if id == org.root_id {
        return Ok(Some(Target::Root));
    }
    if exists(db, "SELECT 1 FROM units WHERE id = ?1", id)? {
        return Ok(Some(Target::Unit));
    }
    if exists(db, "SELECT 1 FROM accounts WHERE id = ?1", id)? {
        return Ok(Some(Target::Account));
    }
    Ok(None)
}

/// Whether `id` is the root or an OU: something that can contain OUs and accounts.
pub(crate) fn is_parent(db: &Connection, org: &Org, id: &str) -> Result<bool, BackendError> {
    Ok(matches!(
        target(db, org, id)?,
        Some(Target::Root | Target::Unit)
    ))
}

/// Whether `id` is an account of the organization.
pub(crate) fn is_member(db: &Connection, id: &str) -> Result<bool, BackendError> {
    exists(db, "SELECT 1 FROM accounts WHERE id = ?1", id)
}

/// Attaches the full-access policy of every enabled type to a new OU or account, as AWS does.
pub(crate) fn attach_defaults(db: &Connection, target_id: &str) -> Result<(), BackendError> {
    for kind in enabled_kinds(db)? {
        db.prepare_cached(
            "INSERT OR IGNORE INTO attachments (policy_id, target_id) VALUES (?1, ?2)",
        )
        .db()?
        .execute((ids::managed_policy(kind), target_id))
        .db()?;
    }
    Ok(())
}

/// The identity calls run as: the management account's, or the access role's session in a
/// member account.
pub(crate) fn caller_identity(
    db: &Connection,
    options: &SandboxOptions,
    account: Option<&str>,
) -> Result<CallerIdentity, BackendError> {
    let own = CallerIdentity {
        account_id: options.management_account_id.clone(),
        arn: management_arn(options),
    };
    let Some(account) = account.filter(|a| *a != options.management_account_id) else {
        return Ok(own);
    };
    let member = find(db)?.is_some() && is_member(db, account)?;
    if !member {
        return Err(BackendError::AccessDenied {
            principal: own.arn,
            action: "sts:AssumeRole".to_owned(),
            resource: format!("arn:aws:iam::{account}:role/{}", options.access_role_name),
            reason: format!("account {account} is not a member of the organization"),
        });
    }
    Ok(CallerIdentity {
        account_id: account.to_owned(),
        arn: member_arn(options, account),
    })
}

/// The sandbox's own principal in the management account.
pub(crate) fn management_arn(options: &SandboxOptions) -> String {
    format!("arn:aws:iam::{}:user/orgctl", options.management_account_id)
}

/// The access role's session in a member account.
pub(crate) fn member_arn(options: &SandboxOptions, account: &str) -> String {
    format!(
        "arn:aws:sts::{account}:assumed-role/{}/orgctl",
        options.access_role_name
    )
}

/// `CreateOrganization` with all features.
pub(crate) fn create(ctx: &mut Ctx<'_>, management_account_id: &str) -> Result<(), BackendError> {
    let db = ctx.db;
    if management_account_id != ctx.options.management_account_id {
        return Err(BackendError::AccessDenied {
            principal: management_arn(ctx.options),
            action: "organizations:CreateOrganization".to_owned(),
            resource: "*".to_owned(),
            reason: format!(
                "the sandbox's credentials belong to account {}, so it cannot create an organization managed from {management_account_id}",
                ctx.options.management_account_id
            ),
        });
    }
    if let Some(org) = find(db)? {
        return Err(BackendError::AlreadyExists {
            what: format!("organization {}", org.id),
        });
    }
    let id = ids::organization(management_account_id);
    let root_id = ids::root(&id);
    db.execute(
        "INSERT INTO organization (id, management_account_id, root_id) VALUES (?1, ?2, ?3)",
        (&id, management_account_id, &root_id),
    )
    .db()?;
    // The management account joins at the root, unless it is somehow there already.
    db.execute(
        "INSERT OR IGNORE INTO accounts (id, name, email, parent_id, status, tags)
         VALUES (?1, 'Management', ?2, ?3, 'ACTIVE', '{}')",
        (
            management_account_id,
            format!("management@{management_account_id}.sandbox.invalid"),
            &root_id,
        ),
    )
    .db()?;
    Ok(())
}

/// `EnablePolicyType`: creates the type's full-access policy and attaches it everywhere.
pub(crate) fn enable_policy_type(
    ctx: &mut Ctx<'_>,
    root_id: &str,
    kind: PolicyKind,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = require(db)?;
    if root_id != org.root_id {
        return Err(BackendError::NotFound {
            what: format!("root {root_id}"),
        });
    }
    if kind_enabled(db, kind)? {
        // AWS: PolicyTypeAlreadyEnabledException.
        return Err(BackendError::AlreadyExists {
            what: format!("policy type {} on root {root_id}", kind.api_name()),
        });
    }
    db.execute(
        "INSERT INTO policy_types (kind) VALUES (?1)",
        [kind.api_name()],
    )
    .db()?;
    policies::ensure_managed(db, kind)?;
    let managed = ids::managed_policy(kind);
    db.execute(
        "INSERT OR IGNORE INTO attachments (policy_id, target_id)
         SELECT ?1, ?2
         UNION ALL SELECT ?1, id FROM units
         UNION ALL SELECT ?1, id FROM accounts",
        (managed, &org.root_id),
    )
    .db()?;
    Ok(())
}

/// `EnableAWSServiceAccess`: idempotent.
pub(crate) fn enable_service_access(
    ctx: &mut Ctx<'_>,
    service_principal: &str,
) -> Result<(), BackendError> {
    require(ctx.db)?;
    if !is_service_principal(service_principal) {
        return Err(BackendError::InvalidInput {
            message: format!(
                "`{service_principal}` is not a service principal (`service.amazonaws.com`)"
            ),
        });
    }
    ctx.db
        .execute(
            "INSERT OR IGNORE INTO trusted_services (service_principal) VALUES (?1)",
            [service_principal],
        )
        .db()?;
    Ok(())
}

/// `RegisterDelegatedAdministrator`.
pub(crate) fn register_delegated_admin(
    ctx: &mut Ctx<'_>,
    account_id: &str,
    service_principal: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = require(db)?;
    if !is_member(db, account_id)? {
        // AWS: AccountNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("account {account_id} in the organization"),
        });
    }
    if account_id == org.management_account_id {
        return Err(BackendError::ConstraintViolation {
            reason: "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR".to_owned(),
            help: format!(
                "the management account {account_id} administers every service already; delegate `{service_principal}` to a member account"
            ),
        });
    }
    if !exists(
        db,
        "SELECT 1 FROM trusted_services WHERE service_principal = ?1",
        service_principal,
    )? {
        return Err(BackendError::ConstraintViolation {
            reason: "TRUSTED_ACCESS_NOT_ENABLED".to_owned(),
            help: format!(
                "enable trusted access for `{service_principal}` first (EnableAWSServiceAccess), then register the delegated administrator"
            ),
        });
    }
    let inserted = db
        .execute(
            "INSERT OR IGNORE INTO delegated_admins (account_id, service_principal) VALUES (?1, ?2)",
            (account_id, service_principal),
        )
        .db()?;
    if inserted == 0 {
        // AWS: AccountAlreadyRegisteredException.
        return Err(BackendError::AlreadyExists {
            what: format!("delegated administrator {account_id} for `{service_principal}`"),
        });
    }
    Ok(())
}

/// `name.amazonaws.com` (or the China partition's).
fn is_service_principal(s: &str) -> bool {
    let name = s
        .strip_suffix(".amazonaws.com")
        .or_else(|| s.strip_suffix(".amazonaws.com.cn"));
    name.is_some_and(|n| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_principals() {
        assert!(is_service_principal("guardduty.amazonaws.com"));
        assert!(is_service_principal(
            "config-multiaccountsetup.amazonaws.com"
        ));
        assert!(!is_service_principal("amazonaws.com"));
        assert!(!is_service_principal("GuardDuty"));
        assert!(!is_service_principal(".amazonaws.com"));
    }

    #[test]
    fn kinds_round_trip_through_their_api_names() {
        for kind in [PolicyKind::Scp, PolicyKind::Rcp] {
            assert_eq!(kind_from_api(kind.api_name()).unwrap(), kind);
        }
        assert!(matches!(
            kind_from_api("TAG_POLICY"),
            Err(BackendError::Backend { .. })
        ));
    }
}
