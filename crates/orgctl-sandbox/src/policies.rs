//! Organization policies and their attachments.

use orgctl_org::{BackendError, PolicyKind};
use orgctl_policy::Policy;
use rusqlite::{Connection, OptionalExtension};

use crate::db::Db;
use crate::organizations::{self, kind_from_api};
use crate::{Ctx, SandboxQuotas, ids};

/// `FullAWSAccess` as the sandbox stores it.
pub(crate) const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// `RCPFullAWSAccess` as the sandbox stores it.
pub(crate) const RCP_FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The description of both full-access policies.
const MANAGED_DESCRIPTION: &str = "Allows access to every operation";

/// A stored policy, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) kind: PolicyKind,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) content: String,
    pub(crate) aws_managed: bool,
}

/// Creates the AWS-managed full-access policy of `kind` unless it exists.
pub(crate) fn ensure_managed(db: &Connection, kind: PolicyKind) -> Result<(), BackendError> {
    let content = match kind {
        PolicyKind::Scp => FULL_AWS_ACCESS,
        PolicyKind::Rcp => RCP_FULL_AWS_ACCESS,
    };
    db.execute(
        "INSERT OR IGNORE INTO policies (id, kind, name, description, content, aws_managed)
         VALUES (?1, ?2, ?3, ?4, ?5, 1)",
        (
            ids::managed_policy(kind),
            kind.api_name(),
            kind.default_policy(),
            MANAGED_DESCRIPTION,
            content,
        ),
    )
    .db()?;
    Ok(())
}

/// `CreatePolicy`.
pub(crate) fn create(
    ctx: &mut Ctx<'_>,
    kind: PolicyKind,
    name: &str,
    description: &str,
    content: &str,
) -> Result<String, BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    require_enabled(db, kind)?;
    check_fields(name, description)?;
    check_document(content, &ctx.options.quotas)?;
    if named(db, kind, name)?.is_some() {
        // AWS: DuplicatePolicyException.
        return Err(duplicate(kind, name));
    }
    let id = ids::first_free(
        |probe| ids::policy(kind, name, probe),
        |id| organizations::exists(db, "SELECT 1 FROM policies WHERE id = ?1", id),
    )?;
    db.execute(
        "INSERT INTO policies (id, kind, name, description, content, aws_managed)
         VALUES (?1, ?2, ?3, ?4, ?5, 0)",
        (&id, kind.api_name(), name, description, content),
    )
    .db()?;
    Ok(id)
}

/// `UpdatePolicy`: name, description and document.
pub(crate) fn update(
    ctx: &mut Ctx<'_>,
    id: &str,
    name: &str,
    description: &str,
    content: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    let row = policy(db, id)?;
    refuse_managed(&row, id, "changed")?;
    check_fields(name, description)?;
    check_document(content, &ctx.options.quotas)?;
    if named(db, row.kind, name)?.is_some_and(|other| other != id) {
        return Err(duplicate(row.kind, name));
    }
    if (
        row.name.as_str(),
        row.description.as_str(),
        row.content.as_str(),
    ) != (name, description, content)
    {
        db.execute(
            "UPDATE policies SET name = ?2, description = ?3, content = ?4 WHERE id = ?1",
            (id, name, description, content),
        )
        .db()?;
    }
    Ok(())
}

/// `DeletePolicy`: only a customer-managed policy attached nowhere.
pub(crate) fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    let row = policy(db, id)?;
    refuse_managed(&row, id, "deleted")?;
    let targets: i64 = db
        .prepare_cached("SELECT COUNT(*) FROM attachments WHERE policy_id = ?1")
        .db()?
        .query_row([id], |r| r.get(0))
        .db()?;
    if targets > 0 {
        // AWS: PolicyInUseException.
        return Err(BackendError::ConstraintViolation {
            reason: "POLICY_IN_USE".to_owned(),
            help: format!(
                "policy `{}` ({id}) is still attached to {targets} target(s); detach it first",
                row.name
            ),
        });
    }
    db.execute("DELETE FROM policies WHERE id = ?1", [id])
        .db()?;
    Ok(())
}

/// `AttachPolicy`.
pub(crate) fn attach(
    ctx: &mut Ctx<'_>,
    policy_id: &str,
    target_id: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    let row = policy(db, policy_id)?;
    require_enabled(db, row.kind)?;
    require_target(db, &org, target_id)?;
    if attached(db, policy_id, target_id)? {
        // AWS: DuplicatePolicyAttachmentException.
        return Err(BackendError::AlreadyExists {
            what: format!(
                "attachment of policy `{}` ({policy_id}) to {target_id}",
                row.name
            ),
        });
    }
    let count = attached_of_kind(db, row.kind, target_id)?;
    let limit = ctx.options.quotas.max_policies_per_target;
    if count >= i64::from(limit) {
        return Err(BackendError::ConstraintViolation {
            reason: "POLICY_NUMBER_LIMIT_EXCEEDED".to_owned(),
            help: format!(
                "{target_id} already has {count} {} policies attached, the most allowed ({limit}); merge policies or attach some higher up",
                row.kind.short()
            ),
        });
    }
    db.execute(
        "INSERT INTO attachments (policy_id, target_id) VALUES (?1, ?2)",
        (policy_id, target_id),
    )
    .db()?;
    Ok(())
}

/// `DetachPolicy`: never a target's last policy of a type, nor `RCPFullAWSAccess`.
pub(crate) fn detach(
    ctx: &mut Ctx<'_>,
    policy_id: &str,
    target_id: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    let row = policy(db, policy_id)?;
    require_target(db, &org, target_id)?;
    if !attached(db, policy_id, target_id)? {
        // AWS: PolicyNotAttachedException.
        return Err(BackendError::NotFound {
            what: format!(
                "attachment of policy `{}` ({policy_id}) to {target_id}",
                row.name
            ),
        });
    }
    if row.kind == PolicyKind::Rcp && row.aws_managed {
        return Err(BackendError::ConstraintViolation {
            reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED".to_owned(),
            help: "RCPFullAWSAccess stays attached to every root, OU and account; restrict with a Deny RCP instead".to_owned(),
        });
    }
    if attached_of_kind(db, row.kind, target_id)? <= 1 {
        return Err(BackendError::ConstraintViolation {
            reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED".to_owned(),
            help: format!(
                "`{}` is the last {} attached to {target_id}, and every target keeps at least one; attach its replacement first",
                row.name,
                row.kind.short()
            ),
        });
    }
    db.execute(
        "DELETE FROM attachments WHERE policy_id = ?1 AND target_id = ?2",
        (policy_id, target_id),
    )
    .db()?;
    Ok(())
}

/// The policy with `id`, or `NotFound`.
pub(crate) fn policy(db: &Connection, id: &str) -> Result<Row, BackendError> {
    let row = db
        .prepare_cached(
            "SELECT kind, name, description, content, aws_managed FROM policies WHERE id = ?1",
        )
        .db()?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .optional()
        .db()?;
    let Some((kind, name, description, content, aws_managed)) = row else {
        // AWS: PolicyNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("policy {id}"),
        });
    };
    Ok(Row {
        kind: kind_from_api(&kind)?,
        name,
        description,
        content,
        aws_managed,
    })
}

/// Checks a document as Organizations does: it must parse, and fit the size quota.
pub(crate) fn check_document(content: &str, quotas: &SandboxQuotas) -> Result<(), BackendError> {
    if let Err(errors) = Policy::parse(content) {
        let first = errors
            .errors
            .first()
            .map_or_else(|| "unreadable".to_owned(), ToString::to_string);
        return Err(BackendError::InvalidInput {
            message: format!("MALFORMED_POLICY_DOCUMENT: {first}"),
        });
    }
    let size = content.chars().count();
    let limit = quotas.max_policy_size;
    if size > usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(BackendError::ConstraintViolation {
            reason: "POLICY_CONTENT_LIMIT_EXCEEDED".to_owned(),
            help: format!(
                "the document is {size} characters and the limit is {limit}; minify it or split it into several policies"
            ),
        });
    }
    Ok(())
}

fn require_enabled(db: &Connection, kind: PolicyKind) -> Result<(), BackendError> {
    if organizations::kind_enabled(db, kind)? {
        return Ok(());
    }
    // AWS: PolicyTypeNotEnabledException.
    Err(BackendError::ConstraintViolation {
        reason: "POLICY_TYPE_NOT_ENABLED".to_owned(),
        help: format!(
            "enable {} on the root first (EnablePolicyType)",
            kind.api_name()
        ),
    })
}

fn require_target(
    db: &Connection,
    org: &organizations::Org,
    target_id: &str,
) -> Result<(), BackendError> {
    if organizations::target(db, org, target_id)?.is_none() {
        // AWS: TargetNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("target {target_id}"),
        });
    }
    Ok(())
}

fn refuse_managed(row: &Row, id: &str, verb: &str) -> Result<(), BackendError> {
    if row.aws_managed {
        // AWS: PolicyChangesNotAllowedException.
        return Err(BackendError::ConstraintViolation {
            reason: "POLICY_CHANGES_NOT_ALLOWED".to_owned(),
            help: format!(
                "`{}` ({id}) is AWS-managed and cannot be {verb}; create a policy of your own",
                row.name
            ),
        });
    }
    Ok(())
}

fn named(db: &Connection, kind: PolicyKind, name: &str) -> Result<Option<String>, BackendError> {
    db.prepare_cached("SELECT id FROM policies WHERE kind = ?1 AND name = ?2")
        .db()?
        .query_row((kind.api_name(), name), |r| r.get(0))
        .optional()
        .db()
}

fn attached(db: &Connection, policy_id: &str, target_id: &str) -> Result<bool, BackendError> {
    db.prepare_cached("SELECT 1 FROM attachments WHERE policy_id = ?1 AND target_id = ?2")
        .db()?
        .query_row((policy_id, target_id), |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
        .db()
}

fn attached_of_kind(
    db: &Connection,
    kind: PolicyKind,
    target_id: &str,
) -> Result<i64, BackendError> {
    db.prepare_cached(
        "SELECT COUNT(*) FROM attachments a JOIN policies p ON p.id = a.policy_id
         WHERE a.target_id = ?1 AND p.kind = ?2",
    )
    .db()?
    .query_row((target_id, kind.api_name()), |r| r.get(0))
    .db()
}

fn duplicate(kind: PolicyKind, name: &str) -> BackendError {
    BackendError::AlreadyExists {
        what: format!("{} policy `{name}`", kind.short()),
    }
}

/// Names: 1 to 128 characters; descriptions: at most 512.
fn check_fields(name: &str, description: &str) -> Result<(), BackendError> {
    let len = name.chars().count();
    if len == 0 || len > 128 {
        return Err(BackendError::InvalidInput {
            message: format!("policy name `{name}` must be 1 to 128 characters, not {len}"),
        });
    }
    if description.chars().count() > 512 {
        return Err(BackendError::InvalidInput {
            message: format!("the description of policy `{name}` is longer than 512 characters"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_documents_parse() {
        for doc in [FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS] {
            check_document(doc, &SandboxQuotas::default()).unwrap();
        }
    }

    #[test]
    fn documents_are_parsed_and_measured() {
        let err = check_document("{not json", &SandboxQuotas::default()).unwrap_err();
        assert!(
            matches!(&err, BackendError::InvalidInput { message } if message.starts_with("MALFORMED_POLICY_DOCUMENT: ")),
            "{err:?}"
        );
        let small = SandboxQuotas {
            max_policy_size: 40,
            ..SandboxQuotas::default()
        };
        let err = check_document(FULL_AWS_ACCESS, &small).unwrap_err();
        assert!(
            matches!(&err, BackendError::ConstraintViolation { reason, .. } if reason == "POLICY_CONTENT_LIMIT_EXCEEDED"),
            "{err:?}"
        );
        let exact = SandboxQuotas {
            max_policy_size: u32::try_from(FULL_AWS_ACCESS.len()).unwrap(),
            ..SandboxQuotas::default()
        };
        check_document(FULL_AWS_ACCESS, &exact).unwrap();
    }
}
