//! Accounts: asynchronous creation, invitation, moves and tags.

use std::collections::BTreeMap;

use orgctl_org::{BackendError, CreateAccountState, CreateAccountStatus};
use rusqlite::{Connection, OptionalExtension};

use crate::db::{Db, corrupt};
use crate::organizations::{self, Target};
use crate::{Ctx, SandboxOptions, ids};

/// How many `DescribeCreateAccountStatus` calls a request takes to finish: the first still
/// answers `IN_PROGRESS`.
const POLLS_TO_FINISH: i64 = 2;

/// `CreateAccount`: records the request, which finishes on a later poll.
pub(crate) fn create(
    ctx: &mut Ctx<'_>,
    name: &str,
    email: &str,
    tags: &BTreeMap<String, String>,
) -> Result<CreateAccountStatus, BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    check_name(name)?;
    check_email(email)?;
    check_tags(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let request_id = ids::first_free(
        |probe| ids::create_request(email, name, probe),
        |id| organizations::exists(db, "SELECT 1 FROM account_requests WHERE id = ?1", id),
    )?;
    db.execute(
        "INSERT INTO account_requests (id, account_name, email, tags, state, polls)
         VALUES (?1, ?2, ?3, ?4, 'IN_PROGRESS', 0)",
        (&request_id, name, email, tags_json(tags)?),
    )
    .db()?;
    Ok(CreateAccountStatus {
        request_id,
        account_name: name.to_owned(),
        email: email.to_owned(),
        state: CreateAccountState::InProgress,
        account_id: None,
        failure_reason: None,
    })
}

/// `DescribeCreateAccountStatus`: each poll moves the request on; the one that finishes it
/// creates the account at the root, or fails the request.
pub(crate) fn describe(
    db: &Connection,
    options: &SandboxOptions,
    request_id: &str,
) -> Result<CreateAccountStatus, BackendError> {
    let row = db
        .prepare_cached(
            "SELECT account_name, email, tags, state, account_id, failure_reason, polls
             FROM account_requests WHERE id = ?1",
        )
        .db()?
        .query_row([request_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })
        .optional()
        .db()?;
    let Some((account_name, email, tags, state, account_id, failure_reason, polls)) = row else {
        // AWS: CreateAccountStatusNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("create account request {request_id}"),
        });
    };
    let mut status = CreateAccountStatus {
        request_id: request_id.to_owned(),
        account_name,
        email,
        state: request_state(&state)?,
        account_id,
        failure_reason,
    };
    if status.state != CreateAccountState::InProgress {
        return Ok(status);
    }
    let polls = polls.saturating_add(1);
    db.execute(
        "UPDATE account_requests SET polls = ?2 WHERE id = ?1",
        (request_id, polls),
    )
    .db()?;
    if polls < POLLS_TO_FINISH {
        return Ok(status);
    }
    match finish(db, options, &status, &tags)? {
        Ok(account_id) => {
            status.state = CreateAccountState::Succeeded;
            status.account_id = Some(account_id);
        }
        Err(reason) => {
            status.state = CreateAccountState::Failed;
            status.failure_reason = Some(reason.to_owned());
        }
    }
    db.execute(
        "UPDATE account_requests SET state = ?2, account_id = ?3, failure_reason = ?4 WHERE id = ?1",
        (
            request_id,
            state_name(status.state),
            &status.account_id,
            &status.failure_reason,
        ),
    )
    .db()?;
    Ok(status)
}

/// Creates the account of a finishing request: its id, or the failure reason.
fn finish(
    db: &Connection,
    options: &SandboxOptions,
    status: &CreateAccountStatus,
    tags: &str,
) -> Result<Result<String, &'static str>, BackendError> {
    let Some(org) = organizations::find(db)? else {
        return Ok(Err("INTERNAL_FAILURE"));
    };
    if email_taken(db, &status.email)? {
        return Ok(Err("EMAIL_ALREADY_EXISTS"));
    }
    if account_count(db)? >= i64::from(options.quotas.max_accounts) {
        return Ok(Err("ACCOUNT_LIMIT_EXCEEDED"));
    }
    let id = ids::first_free(
        |probe| ids::account(&status.email, probe),
        |id| organizations::is_member(db, id),
    )?;
    db.execute(
        "INSERT INTO accounts (id, name, email, parent_id, status, tags)
         VALUES (?1, ?2, ?3, ?4, 'ACTIVE', ?5)",
        (&id, &status.account_name, &status.email, &org.root_id, tags),
    )
    .db()?;
    organizations::attach_defaults(db, &id)?;
    Ok(Ok(id))
}

/// Invitation and handshake in one: the account joins at the root.
pub(crate) fn invite(
    ctx: &mut Ctx<'_>,
    account_id: &str,
    name: &str,
    email: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    if !ids::is_account_id(account_id) {
        return Err(BackendError::InvalidInput {
            message: format!("account id `{account_id}` is not 12 digits"),
        });
    }
    check_name(name)?;
    check_email(email)?;
    if organizations::is_member(db, account_id)? {
        // AWS: DuplicateAccountException / HandshakeConstraintViolation ALREADY_IN_AN_ORGANIZATION.
        return Err(BackendError::AlreadyExists {
            what: format!("account {account_id} in the organization"),
        });
    }
    if email_taken(db, email)? {
        return Err(BackendError::AlreadyExists {
            what: format!("an account with email `{email}`"),
        });
    }
    let limit = ctx.options.quotas.max_accounts;
    if account_count(db)? >= i64::from(limit) {
        return Err(BackendError::ConstraintViolation {
            reason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED".to_owned(),
            help: format!(
                "the organization holds its limit of {limit} accounts; ask AWS to raise the quota"
            ),
        });
    }
    db.execute(
        "INSERT INTO accounts (id, name, email, parent_id, status, tags)
         VALUES (?1, ?2, ?3, ?4, 'ACTIVE', '{}')",
        (account_id, name, email, &org.root_id),
    )
    .db()?;
    organizations::attach_defaults(db, account_id)?;
    Ok(())
}

/// `MoveAccount`.
pub(crate) fn move_to(
    ctx: &mut Ctx<'_>,
    account_id: &str,
    from: &str,
    to: &str,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    let parent = parent_of(db, account_id)?;
    if !organizations::is_parent(db, &org, from)? || parent != from {
        // AWS: SourceParentNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("account {account_id} under source parent {from} (it is under {parent})"),
        });
    }
    if !organizations::is_parent(db, &org, to)? {
        // AWS: DestinationParentNotFoundException.
        return Err(BackendError::NotFound {
            what: format!("destination parent {to}"),
        });
    }
    if to == from {
        // AWS: DuplicateAccountException.
        return Err(BackendError::AlreadyExists {
            what: format!("account {account_id} under {to}"),
        });
    }
    db.execute(
        "UPDATE accounts SET parent_id = ?2 WHERE id = ?1",
        (account_id, to),
    )
    .db()?;
    Ok(())
}

/// `TagResource` and `UntagResource` on an account: removals first, then the tags set.
pub(crate) fn tag(
    ctx: &mut Ctx<'_>,
    account_id: &str,
    set: &BTreeMap<String, String>,
    remove: &[String],
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    if organizations::target(db, &org, account_id)? != Some(Target::Account) {
        return Err(BackendError::NotFound {
            what: format!("account {account_id}"),
        });
    }
    check_tags(set.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let stored: String = db
        .prepare_cached("SELECT tags FROM accounts WHERE id = ?1")
        .db()?
        .query_row([account_id], |row| row.get(0))
        .db()?;
    let current = parse_tags(&stored)?;
    let mut tags = current.clone();
    for key in remove {
        tags.remove(key);
    }
    tags.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
    if tags != current {
        db.execute(
            "UPDATE accounts SET tags = ?2 WHERE id = ?1",
            (account_id, tags_json(&tags)?),
        )
        .db()?;
    }
    Ok(())
}

/// An account's parent, or `NotFound`.
pub(crate) fn parent_of(db: &Connection, account_id: &str) -> Result<String, BackendError> {
    db.prepare_cached("SELECT parent_id FROM accounts WHERE id = ?1")
        .db()?
        .query_row([account_id], |row| row.get(0))
        .optional()
        .db()?
        .ok_or_else(|| BackendError::NotFound {
            what: format!("account {account_id}"),
        })
}

/// Reads stored tags.
pub(crate) fn parse_tags(json: &str) -> Result<BTreeMap<String, String>, BackendError> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("account tags `{json}`: {e}")))
}

/// Reads a stored request state.
pub(crate) fn request_state(name: &str) -> Result<CreateAccountState, BackendError> {
    match name {
        "IN_PROGRESS" => Ok(CreateAccountState::InProgress),
        "SUCCEEDED" => Ok(CreateAccountState::Succeeded),
        "FAILED" => Ok(CreateAccountState::Failed),
        other => Err(corrupt(format!("unknown create account state `{other}`"))),
    }
}

const fn state_name(state: CreateAccountState) -> &'static str {
    match state {
        CreateAccountState::InProgress => "IN_PROGRESS",
        CreateAccountState::Succeeded => "SUCCEEDED",
        CreateAccountState::Failed => "FAILED",
    }
}

fn tags_json(tags: &BTreeMap<String, String>) -> Result<String, BackendError> {
    serde_json::to_string(tags).map_err(|e| corrupt(format!("tags: {e}")))
}

fn email_taken(db: &Connection, email: &str) -> Result<bool, BackendError> {
    organizations::exists(
        db,
        "SELECT 1 FROM accounts WHERE email = ?1 COLLATE NOCASE",
        email,
    )
}

fn account_count(db: &Connection) -> Result<i64, BackendError> {
    db.prepare_cached("SELECT COUNT(*) FROM accounts")
        .db()?
        .query_row([], |row| row.get(0))
        .db()
}

/// Account names: 1 to 50 characters.
fn check_name(name: &str) -> Result<(), BackendError> {
    let len = name.chars().count();
    if len == 0 || len > 50 {
        return Err(BackendError::InvalidInput {
            message: format!("account name `{name}` must be 1 to 50 characters, not {len}"),
        });
    }
    Ok(())
}

/// Emails as Organizations accepts them: 6 to 64 characters, `local@domain.tld`, no spaces.
pub(crate) fn check_email(email: &str) -> Result<(), BackendError> {
    let shaped = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-'))
            && domain.contains('.')
    });
    let len = email.chars().count();
    if !shaped || !(6..=64).contains(&len) || email.chars().any(char::is_whitespace) {
        return Err(BackendError::InvalidInput {
            message: format!(
                "`{email}` is not an email address Organizations accepts (`name@example.com`, 6 to 64 characters)"
            ),
        });
    }
    Ok(())
}

/// Tag keys: 1 to 128 characters, not `aws:`; values: at most 256.
fn check_tags<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Result<(), BackendError> {
    for (key, value) in tags {
        let key_len = key.chars().count();
        if key_len == 0 || key_len > 128 || key.to_ascii_lowercase().starts_with("aws:") {
            return Err(BackendError::InvalidInput {
                message: format!(
                    "tag key `{key}` must be 1 to 128 characters and not start with `aws:`"
                ),
            });
        }
        if value.chars().count() > 256 {
            return Err(BackendError::InvalidInput {
                message: format!("the value of tag `{key}` is longer than 256 characters"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in ["dev@example.com", "a+b@sub.example.co", "x@y.io"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "example.com",
            "@example.com",
            "dev@",
            "dev@example",
            "dev@@example.com",
            "d v@example.com",
            "dev@.example.com",
            "a@b.c",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags() {
        let ok = [("team", "platform")];
        assert!(check_tags(ok.into_iter()).is_ok());
        assert!(check_tags([("aws:x", "v")].into_iter()).is_err());
        assert!(check_tags([("", "v")].into_iter()).is_err());
        let long = "v".repeat(257);
        assert!(check_tags([("k", long.as_str())].into_iter()).is_err());
    }

    #[test]
    fn states_round_trip() {
        for state in [
            CreateAccountState::InProgress,
            CreateAccountState::Succeeded,
            CreateAccountState::Failed,
        ] {
            assert_eq!(request_state(state_name(state)).unwrap(), state);
        }
    }
}
