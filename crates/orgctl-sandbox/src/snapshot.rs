//! Loading a whole organization into an empty sandbox: `orgctl import` from AWS brings the
//! live organization along, so changes can be tried on a faithful copy before AWS.

use rusqlite::{Connection, params};

use orgctl_org::{AccountStatus, BackendError, CreateAccountState, State};

use crate::db::Db as _;

fn status_name(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Active => "ACTIVE",
        AccountStatus::Suspended => "SUSPENDED",
        AccountStatus::PendingClosure => "PENDING_CLOSURE",
    }
}

fn request_name(s: CreateAccountState) -> &'static str {
    match s {
        CreateAccountState::InProgress => "IN_PROGRESS",
        CreateAccountState::Succeeded => "SUCCEEDED",
        CreateAccountState::Failed => "FAILED",
    }
}

fn json(value: &std::collections::BTreeMap<String, String>) -> Result<String, BackendError> {
    serde_json::to_string(value).map_err(|e| BackendError::InvalidInput {
        message: e.to_string(),
    })
}

/// Writes every row of `state` in one transaction; the sandbox must hold no organization.
pub(crate) fn load(conn: &mut Connection, state: &State) -> Result<(), BackendError> {
    let tx = conn.transaction().db()?;
    let existing: i64 = tx
        .query_row("SELECT count(*) FROM organization", [], |r| r.get(0))
        .db()?;
    if existing > 0 {
        return Err(BackendError::AlreadyExists {
            what: "an organization in this sandbox".to_owned(),
        });
    }
    let Some(org) = &state.organization else {
        return Err(BackendError::NotFound {
            what: "an organization to load".to_owned(),
        });
    };
    tx.execute(
        "INSERT INTO organization (id, management_account_id, root_id) VALUES (?1, ?2, ?3)",
        params![org.id, org.management_account_id, org.root_id],
    )
    .db()?;
    for kind in &org.enabled_policy_types {
        tx.execute(
            "INSERT INTO policy_types (kind) VALUES (?1)",
            params![kind.api_name()],
        )
        .db()?;
    }
    for u in &state.units {
        tx.execute(
            "INSERT INTO units (id, name, parent_id) VALUES (?1, ?2, ?3)",
            params![u.id, u.name, u.parent_id],
        )
        .db()?;
    }
    for a in &state.accounts {
        tx.execute(
            "INSERT INTO accounts (id, name, email, parent_id, status, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![a.id, a.name, a.email, a.parent_id, status_name(a.status), json(&a.tags)?],
        )
        .db()?;
    }
    for r in &state.account_requests {
        tx.execute(
            "INSERT INTO account_requests (id, account_name, email, tags, state, account_id, failure_reason, polls)
             VALUES (?1, ?2, ?3, '{}', ?4, ?5, ?6, 0)",
            params![r.request_id, r.account_name, r.email, request_name(r.state), r.account_id, r.failure_reason],
        )
        .db()?;
    }
    for p in &state.policies {
        tx.execute(
            "INSERT INTO policies (id, kind, name, description, content, aws_managed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![p.id, p.kind.api_name(), p.name, p.description, p.content, p.aws_managed],
        )
        .db()?;
    }
    for a in &state.attachments {
        tx.execute(
            "INSERT INTO attachments (policy_id, target_id) VALUES (?1, ?2)",
            params![a.policy_id, a.target_id],
        )
        .db()?;
    }
    for s in &state.trusted_services {
        tx.execute(
            "INSERT INTO trusted_services (service_principal) VALUES (?1)",
            params![s],
        )
        .db()?;
    }
    for d in &state.delegated_admins {
        tx.execute(
            "INSERT INTO delegated_admins (account_id, service_principal) VALUES (?1, ?2)",
            params![d.account_id, d.service_principal],
        )
        .db()?;
    }
    for t in &state.trails {
        tx.execute(
            "INSERT INTO trails (account_id, name, region, bucket, organization_trail, multi_region, logging)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![t.account_id, t.name, t.region, t.bucket, t.organization_trail, t.multi_region, t.logging],
        )
        .db()?;
    }
    for a in &state.aggregators {
        tx.execute(
            "INSERT INTO aggregators (account_id, name, region, organization_wide) VALUES (?1, ?2, ?3, ?4)",
            params![a.account_id, a.name, a.region, a.organization_wide],
        )
        .db()?;
    }
    for b in &state.buckets {
        tx.execute(
            "INSERT INTO buckets (name, account_id, region, versioning, encryption, public_access_block, policy,
             noncurrent_expiration_days, object_lock) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                b.name,
                b.account_id,
                b.region,
                b.versioning,
                b.encryption.map(orgctl_org::Encryption::as_str),
                b.public_access_block,
                b.policy,
                b.noncurrent_expiration_days,
                b.object_lock
            ],
        )
        .db()?;
    }
    for t in &state.tables {
        tx.execute(
            "INSERT INTO lock_tables (account_id, name, region, hash_key, on_demand, point_in_time_recovery, encrypted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![t.account_id, t.name, t.region, t.hash_key, t.on_demand, t.point_in_time_recovery, t.encrypted],
        )
        .db()?;
    }
    tx.commit().db()
}
