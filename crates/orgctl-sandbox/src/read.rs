//! `read_state`: the whole organization in a few bulk queries, inside one read transaction.

use orgctl_org::{
    AccountState, AccountStatus, Attachment, BackendError, CreateAccountStatus, DelegatedAdmin,
    OrgState, PolicyState, State, UnitState,
};
use rusqlite::Connection;

use crate::accounts::{parse_tags, request_state};
use crate::db::{Db, corrupt};
use crate::{organizations, resources, trails};

/// Reads every table into a [`State`], normalized.
///
/// Buckets and tables are all those of the organization's accounts (a superset of what
/// bootstrap probes would find); buckets of accounts outside it never appear.
pub(crate) fn state(db: &Connection) -> Result<State, BackendError> {
    let tx = db.unchecked_transaction().db()?;
    let Some(org) = organizations::find(&tx)? else {
        return Ok(State::default());
    };
    let mut state = State {
        organization: Some(OrgState {
            id: org.id,
            management_account_id: org.management_account_id,
            root_id: org.root_id,
            enabled_policy_types: organizations::enabled_kinds(&tx)?,
        }),
        units: rows(&tx, "SELECT id, name, parent_id FROM units", |r| {
            Ok(UnitState {
                id: r.get(0)?,
                name: r.get(1)?,
                parent_id: r.get(2)?,
            })
        })?,
        accounts: Vec::new(),
        account_requests: Vec::new(),
        policies: Vec::new(),
        attachments: rows(&tx, "SELECT policy_id, target_id FROM attachments", |r| {
            Ok(Attachment {
                policy_id: r.get(0)?,
                target_id: r.get(1)?,
            })
        })?,
        trusted_services: rows(&tx, "SELECT service_principal FROM trusted_services", |r| {
            r.get(0)
        })?,
        delegated_admins: rows(
            &tx,
            "SELECT account_id, service_principal FROM delegated_admins",
            |r| {
                Ok(DelegatedAdmin {
                    account_id: r.get(0)?,
                    service_principal: r.get(1)?,
                })
            },
        )?,
        trails: trails::trails(&tx, None)?,
        aggregators: trails::aggregators(&tx, None)?,
        buckets: resources::buckets(&tx, None)?,
        tables: resources::tables(&tx, None)?,
    };

    let accounts = rows(
        &tx,
        "SELECT id, name, email, parent_id, status, tags FROM accounts",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        },
    )?;
    state.accounts = accounts
        .into_iter()
        .map(|(id, name, email, parent_id, status, tags)| {
            Ok(AccountState {
                id,
                name,
                email,
                parent_id,
                status: account_status(&status)?,
                tags: parse_tags(&tags)?,
            })
        })
        .collect::<Result<_, BackendError>>()?;

    let requests = rows(
        &tx,
        "SELECT id, account_name, email, state, account_id, failure_reason FROM account_requests",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        },
    )?;
    state.account_requests = requests
        .into_iter()
        .map(
            |(request_id, account_name, email, state, account_id, failure_reason)| {
                Ok(CreateAccountStatus {
                    request_id,
                    account_name,
                    email,
                    state: request_state(&state)?,
                    account_id,
                    failure_reason,
                })
            },
        )
        .collect::<Result<_, BackendError>>()?;

    let policies = rows(
        &tx,
        "SELECT id, name, description, kind, content, aws_managed FROM policies",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        },
    )?;
    state.policies = policies
        .into_iter()
        .map(|(id, name, description, kind, content, aws_managed)| {
            Ok(PolicyState {
                id,
                name,
                description,
                kind: organizations::kind_from_api(&kind)?,
                content,
                aws_managed,
            })
        })
        .collect::<Result<_, BackendError>>()?;

    tx.finish().db()?;
    state.normalize();
    Ok(state)
}

fn rows<T>(
    db: &Connection,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, BackendError> {
    let mut stmt = db.prepare_cached(sql).db()?;
    stmt.query_map([], map).db()?.collect::<Result<_, _>>().db()
}

fn account_status(name: &str) -> Result<AccountStatus, BackendError> {
    match name {
        "ACTIVE" => Ok(AccountStatus::Active),
        "SUSPENDED" => Ok(AccountStatus::Suspended),
        "PENDING_CLOSURE" => Ok(AccountStatus::PendingClosure),
        other => Err(corrupt(format!("unknown account status `{other}`"))),
    }
}
