//! Organizational units: create, rename, delete.

use orgctl_org::BackendError;
use rusqlite::{Connection, OptionalExtension};

use crate::db::{Db, corrupt};
use crate::organizations::{self, Org};
use crate::{Ctx, ids};

/// `CreateOrganizationalUnit`.
pub(crate) fn create(
    ctx: &mut Ctx<'_>,
    parent_id: &str,
    name: &str,
) -> Result<String, BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    check_name(name)?;
    if !organizations::is_parent(db, &org, parent_id)? {
        // AWS: ParentNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("parent {parent_id}"),
        });
    }
    if sibling_named(db, parent_id, name)?.is_some() {
        // AWS: DuplicateOrganizationalUnitException.
        return Err(duplicate(parent_id, name));
    }
    let depth = depth(db, &org, parent_id)? + 1;
    let limit = ctx.options.quotas.max_ou_depth;
    if depth > limit {
        return Err(BackendError::ConstraintViolation {
            reason: "OU_DEPTH_LIMIT_EXCEEDED".to_owned(),
            help: format!(
                "`{name}` would be at depth {depth}, and OUs nest at most {limit} levels below the root; flatten the tree"
            ),
        });
    }
    let id = ids::first_free(
        |probe| ids::unit(&org.root_id, parent_id, name, probe),
        |id| organizations::exists(db, "SELECT 1 FROM units WHERE id = ?1", id),
    )?;
    db.execute(
        "INSERT INTO units (id, name, parent_id) VALUES (?1, ?2, ?3)",
        (&id, name, parent_id),
    )
    .db()?;
    organizations::attach_defaults(db, &id)?;
    Ok(id)
}

/// `UpdateOrganizationalUnit`: renames.
pub(crate) fn rename(ctx: &mut Ctx<'_>, id: &str, name: &str) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    check_name(name)?;
    let (current, parent_id) = unit(db, id)?;
    if current == name {
        return Ok(());
    }
    if sibling_named(db, &parent_id, name)?.is_some_and(|other| other != id) {
        return Err(duplicate(&parent_id, name));
    }
    db.execute("UPDATE units SET name = ?2 WHERE id = ?1", (id, name))
        .db()?;
    Ok(())
}

/// `DeleteOrganizationalUnit`: only an empty OU; its policies are detached.
pub(crate) fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    let (name, _) = unit(db, id)?;
    let units = count(db, "SELECT COUNT(*) FROM units WHERE parent_id = ?1", id)?;
    let accounts = count(db, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?1", id)?;
    if units + accounts > 0 {
        // AWS: OrganizationalUnitNotEmptyException.
        return Err(BackendError::ConstraintViolation {
            reason: "OU_NOT_EMPTY".to_owned(),
            help: format!(
                "OU `{name}` ({id}) still holds {units} OU(s) and {accounts} account(s); move or delete them first"
            ),
        });
    }
    db.execute("DELETE FROM attachments WHERE target_id = ?1", [id])
        .db()?;
    db.execute("DELETE FROM units WHERE id = ?1", [id]).db()?;
    Ok(())
}

/// The OU's name and parent, or `NotFound`.
pub(crate) fn unit(db: &Connection, id: &str) -> Result<(String, String), BackendError> {
    db.prepare_cached("SELECT name, parent_id FROM units WHERE id = ?1")
        .db()?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .db()?
        .ok_or_else(|| BackendError::NotFound {
            what: format!("organizational unit {id}"),
        })
}

/// The ids from the root down to `parent_id` (the root first), for a root or OU.
pub(crate) fn path(
    db: &Connection,
    org: &Org,
    parent_id: &str,
) -> Result<Vec<String>, BackendError> {
    let mut path = vec![parent_id.to_owned()];
    let mut current = parent_id.to_owned();
    while current != org.root_id {
        let (_, parent) = unit(db, &current)?;
        if path.len() > 64 || path.contains(&parent) {
            return Err(corrupt(format!("OU {current} is in a cycle of parents")));
        }
        path.push(parent.clone());
        current = parent;
    }
    path.reverse();
    Ok(path)
}

/// How deep a root (0) or OU (1 for the root's children) is.
fn depth(db: &Connection, org: &Org, id: &str) -> Result<u32, BackendError> {
    let levels = path(db, org, id)?.len().saturating_sub(1);
    Ok(u32::try_from(levels).unwrap_or(u32::MAX))
}

fn sibling_named(
    db: &Connection,
    parent_id: &str,
    name: &str,
) -> Result<Option<String>, BackendError> {
    db.prepare_cached("SELECT id FROM units WHERE parent_id = ?1 AND name = ?2")
        .db()?
        .query_row((parent_id, name), |row| row.get(0))
        .optional()
        .db()
}

fn count(db: &Connection, sql: &str, param: &str) -> Result<i64, BackendError> {
    db.prepare_cached(sql)
        .db()?
        .query_row([param], |row| row.get(0))
        .db()
}

fn duplicate(parent_id: &str, name: &str) -> BackendError {
    BackendError::AlreadyExists {
        what: format!("organizational unit `{name}` under {parent_id}"),
    }
}

/// OU names: 1 to 128 characters.
fn check_name(name: &str) -> Result<(), BackendError> {
    let len = name.chars().count();
    if len == 0 || len > 128 {
        return Err(BackendError::InvalidInput {
            message: format!("OU name `{name}` must be 1 to 128 characters, not {len}"),
        });
    }
    Ok(())
}
