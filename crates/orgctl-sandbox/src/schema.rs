//! The sandbox file's schema, versioned with `PRAGMA user_version` and marked as orgctl's
//! with `PRAGMA application_id`.

use orgctl_org::BackendError;
use rusqlite::Connection;

use crate::db::{Db, HELP_OTHER_VERSION, backend};

/// The schema version this build writes and reads.
pub(crate) const VERSION: i64 = 1;

/// `PRAGMA application_id` of sandbox files: "orgs" in ASCII.
pub(crate) const APPLICATION_ID: i64 = 0x6f72_6773;

/// Version 1. Booleans are 0 or 1; tags are a JSON object; policy kinds are the API names.
const SCHEMA_V1: &str = "
CREATE TABLE organization (
    id TEXT NOT NULL PRIMARY KEY,
    management_account_id TEXT NOT NULL,
    root_id TEXT NOT NULL
) STRICT;
CREATE TABLE policy_types (
    kind TEXT NOT NULL PRIMARY KEY
) STRICT;
CREATE TABLE units (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    UNIQUE (parent_id, name)
) STRICT;
CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    tags TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX accounts_email ON accounts (email COLLATE NOCASE);
CREATE INDEX accounts_parent ON accounts (parent_id);
CREATE TABLE account_requests (
    id TEXT NOT NULL PRIMARY KEY,
    account_name TEXT NOT NULL,
    email TEXT NOT NULL,
    tags TEXT NOT NULL,
    state TEXT NOT NULL,
    account_id TEXT,
    failure_reason TEXT,
    polls INTEGER NOT NULL
) STRICT;
CREATE TABLE policies (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    content TEXT NOT NULL,
    aws_managed INTEGER NOT NULL,
    UNIQUE (kind, name)
) STRICT;
CREATE TABLE attachments (
    policy_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (policy_id, target_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX attachments_target ON attachments (target_id);
CREATE TABLE trusted_services (
    service_principal TEXT NOT NULL PRIMARY KEY
) STRICT;
CREATE TABLE delegated_admins (
    account_id TEXT NOT NULL,
    service_principal TEXT NOT NULL,
    PRIMARY KEY (account_id, service_principal)
) STRICT;
CREATE TABLE trails (
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    organization_trail INTEGER NOT NULL,
    multi_region INTEGER NOT NULL,
    logging INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;
CREATE TABLE aggregators (
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    organization_wide INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;
CREATE TABLE buckets (
    name TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    versioning INTEGER NOT NULL,
    encryption TEXT,
    public_access_block INTEGER NOT NULL,
    policy TEXT,
    noncurrent_expiration_days INTEGER,
    object_lock INTEGER NOT NULL
) STRICT;
CREATE TABLE lock_tables (
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    hash_key TEXT NOT NULL,
    on_demand INTEGER NOT NULL,
    point_in_time_recovery INTEGER NOT NULL,
    encrypted INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;
CREATE TABLE calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    call TEXT NOT NULL,
    arguments TEXT NOT NULL
) STRICT;
";

/// Sets the connection up and creates the schema in a new file, or checks an existing
/// file's version.
///
/// # Errors
/// A file of another application or another schema version, or SQLite failures.
pub(crate) fn prepare(conn: &mut Connection) -> Result<(), BackendError> {
    conn.busy_timeout(std::time::Duration::from_secs(5)).db()?;
    // In-memory databases answer `memory`: WAL applies to files only.
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .db()?;
    conn.pragma_update(None, "synchronous", "NORMAL").db()?;

    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .db()?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .db()?;
    let application: i64 = tx
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .db()?;
    if version == 0 {
        let objects: i64 = tx
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))
            .db()?;
        if objects > 0 {
            return Err(not_a_sandbox());
        }
        tx.execute_batch(SCHEMA_V1).db()?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .db()?;
        tx.pragma_update(None, "user_version", VERSION).db()?;
    } else if application != APPLICATION_ID {
        return Err(not_a_sandbox());
    } else if version != VERSION {
        return Err(backend(
            format!(
                "the sandbox file has schema version {version}; this orgctl reads version {VERSION}"
            ),
            HELP_OTHER_VERSION,
        ));
    }
    tx.commit().db()
}

fn not_a_sandbox() -> BackendError {
    backend(
        "the file is a SQLite database of another application, not an orgctl sandbox",
        "point orgctl at a new path, or move the file aside to start afresh",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_and_reopens() {
        let mut conn = Connection::open_in_memory().unwrap();
        prepare(&mut conn).unwrap();
        prepare(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
    }

    #[test]
    fn refuses_other_versions_and_other_databases() {
        let mut conn = Connection::open_in_memory().unwrap();
        prepare(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = prepare(&mut conn).unwrap_err();
        assert!(
            matches!(&err, BackendError::Backend { message, help, .. }
                if message.contains("schema version 2") && help == HELP_OTHER_VERSION),
            "{err:?}"
        );

        let mut other = Connection::open_in_memory().unwrap();
        other.execute_batch("CREATE TABLE notes (x TEXT)").unwrap();
        let err = prepare(&mut other).unwrap_err();
        assert!(
            matches!(&err, BackendError::Backend { message, .. } if message.contains("another application")),
            "{err:?}"
        );
    }
}
