//! Resources orgctl keeps in every account: state buckets and lock tables, written as the
//! access role and so under the organization's SCPs and RCPs.

use orgctl_org::{BackendError, BucketOwner, BucketState, Encryption, TableState};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::db::{Db, corrupt};
use crate::enforce::{self, Action};
use crate::{Ctx, organizations};

/// Who owns a bucket name, seen from `account_id`.
pub(crate) fn bucket_owner(
    db: &Connection,
    account_id: &str,
    name: &str,
) -> Result<BucketOwner, BackendError> {
    let owner: Option<String> = db
        .prepare_cached("SELECT account_id FROM buckets WHERE name = ?1")
        .db()?
        .query_row([name], |r| r.get(0))
        .optional()
        .db()?;
    Ok(match owner {
        None => BucketOwner::Absent,
        Some(owner) if owner == account_id => BucketOwner::Caller,
        Some(owner) => BucketOwner::Other {
            account_id: Some(owner),
        },
    })
}

/// Creates a bucket or brings its settings to `bucket`, making (and authorizing) only the
/// S3 calls that change something.
pub(crate) fn put_bucket(ctx: &mut Ctx<'_>, bucket: &BucketState) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    check_bucket_name(&bucket.name)?;
    check_region(&bucket.region)?;
    if !organizations::is_member(db, &bucket.account_id)? {
        return Err(BackendError::NotFound {
            what: format!("account {} in the organization", bucket.account_id),
        });
    }
    if let BucketOwner::Other { account_id } = bucket_owner(db, &bucket.account_id, &bucket.name)? {
        return Err(BackendError::BucketSquatted {
            bucket: bucket.name.clone(),
            owner: account_id,
        });
    }
    let current = buckets(db, Some(&bucket.name))?.into_iter().next();
    let actions = bucket_actions(current.as_ref(), bucket)?;
    if actions.is_empty() {
        return Ok(());
    }
    let arn = format!("arn:aws:s3:::{}", bucket.name);
    let actions: Vec<Action> = actions
        .into_iter()
        .map(|name| Action {
            name,
            resource: arn.clone(),
        })
        .collect();
    enforce::authorize(ctx, &bucket.account_id, &bucket.region, &actions)?;
    db.execute(
        "INSERT OR REPLACE INTO buckets (name, account_id, region, versioning, encryption,
             public_access_block, policy, noncurrent_expiration_days, object_lock)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        (
            &bucket.name,
            &bucket.account_id,
            &bucket.region,
            bucket.versioning,
            bucket.encryption.map(Encryption::as_str),
            bucket.public_access_block,
            &bucket.policy,
            bucket.noncurrent_expiration_days,
            bucket.object_lock,
        ),
    )
    .db()?;
    Ok(())
}

/// The S3 actions that bring `current` (or nothing) to `want`, as S3 authorizes them.
fn bucket_actions(
    current: Option<&BucketState>,
    want: &BucketState,
) -> Result<Vec<&'static str>, BackendError> {
    if want.object_lock && !want.versioning {
        return Err(BackendError::InvalidInput {
            message: format!("bucket `{}`: Object Lock requires versioning", want.name),
        });
    }
    let mut actions = Vec::new();
    let Some(current) = current else {
        actions.push("s3:CreateBucket");
        if want.versioning {
            actions.push("s3:PutBucketVersioning");
        }
        if want.encryption.is_some() {
            actions.push("s3:PutEncryptionConfiguration");
        }
        if want.public_access_block {
            actions.push("s3:PutBucketPublicAccessBlock");
        }
        if want.policy.is_some() {
            actions.push("s3:PutBucketPolicy");
        }
        if want.noncurrent_expiration_days.is_some() {
            actions.push("s3:PutLifecycleConfiguration");
        }
        if want.object_lock {
            actions.push("s3:PutBucketObjectLockConfiguration");
        }
        return Ok(actions);
    };
    if current.region != want.region {
        return Err(BackendError::InvalidInput {
            message: format!(
                "bucket `{}` is in {}; a bucket cannot move to {}",
                want.name, current.region, want.region
            ),
        });
    }
    if current.object_lock && !want.object_lock {
        return Err(BackendError::InvalidInput {
            message: format!(
                "bucket `{}` has Object Lock, which cannot be turned off",
                want.name
            ),
        });
    }
    if current.versioning != want.versioning {
        actions.push("s3:PutBucketVersioning");
    }
    if current.encryption != want.encryption {
        // DeleteBucketEncryption is authorized by s3:PutEncryptionConfiguration too.
        actions.push("s3:PutEncryptionConfiguration");
    }
    if current.public_access_block != want.public_access_block {
        actions.push("s3:PutBucketPublicAccessBlock");
    }
    if current.policy != want.policy {
        actions.push(if want.policy.is_some() {
            "s3:PutBucketPolicy"
        } else {
            "s3:DeleteBucketPolicy"
        });
    }
    if current.noncurrent_expiration_days != want.noncurrent_expiration_days {
        // DeleteBucketLifecycle is authorized by s3:PutLifecycleConfiguration too.
        actions.push("s3:PutLifecycleConfiguration");
    }
    if current.object_lock != want.object_lock {
        actions.push("s3:PutBucketObjectLockConfiguration");
    }
    Ok(actions)
}

/// Creates a lock table or brings its settings to `table`, making (and authorizing) only
/// the DynamoDB calls that change something.
pub(crate) fn put_table(ctx: &mut Ctx<'_>, table: &TableState) -> Result<(), BackendError> {
    let db = ctx.db;
    organizations::require(db)?;
    check_table_name(&table.name)?;
    check_region(&table.region)?;
    if table.hash_key.is_empty() {
        return Err(BackendError::InvalidInput {
            message: format!("table `{}` needs a hash key", table.name),
        });
    }
    if !organizations::is_member(db, &table.account_id)? {
        return Err(BackendError::NotFound {
            what: format!("account {} in the organization", table.account_id),
        });
    }
    let current = tables(db, Some((&table.account_id, &table.name)))?
        .into_iter()
        .next();
    let actions = table_actions(current.as_ref(), table)?;
    if actions.is_empty() {
        return Ok(());
    }
    let arn = format!(
        "arn:aws:dynamodb:{}:{}:table/{}",
        table.region, table.account_id, table.name
    );
    let actions: Vec<Action> = actions
        .into_iter()
        .map(|name| Action {
            name,
            resource: arn.clone(),
        })
        .collect();
    enforce::authorize(ctx, &table.account_id, &table.region, &actions)?;
    db.execute(
        "INSERT OR REPLACE INTO lock_tables (account_id, name, region, hash_key, on_demand,
             point_in_time_recovery, encrypted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            &table.account_id,
            &table.name,
            &table.region,
            &table.hash_key,
            table.on_demand,
            table.point_in_time_recovery,
            table.encrypted,
        ),
    )
    .db()?;
    Ok(())
}

/// The DynamoDB actions that bring `current` (or nothing) to `want`.
fn table_actions(
    current: Option<&TableState>,
    want: &TableState,
) -> Result<Vec<&'static str>, BackendError> {
    let mut actions = Vec::new();
    let Some(current) = current else {
        actions.push("dynamodb:CreateTable");
        if want.point_in_time_recovery {
            actions.push("dynamodb:UpdateContinuousBackups");
        }
        return Ok(actions);
    };
    if current.region != want.region || current.hash_key != want.hash_key {
        return Err(BackendError::InvalidInput {
            message: format!(
                "table `{}` exists in {} with hash key `{}`; neither can change (to {} and `{}`)",
                want.name, current.region, current.hash_key, want.region, want.hash_key
            ),
        });
    }
    if current.on_demand != want.on_demand || current.encrypted != want.encrypted {
        actions.push("dynamodb:UpdateTable");
    }
    if current.point_in_time_recovery != want.point_in_time_recovery {
        actions.push("dynamodb:UpdateContinuousBackups");
    }
    Ok(actions)
}

/// A bucket of an account outside the organization (test support).
pub(crate) fn create_foreign_bucket(
    db: &Connection,
    bucket: &BucketState,
) -> Result<(), BackendError> {
    check_bucket_name(&bucket.name)?;
    check_region(&bucket.region)?;
    if !crate::ids::is_account_id(&bucket.account_id) {
        return Err(BackendError::InvalidInput {
            message: format!("account id `{}` is not 12 digits", bucket.account_id),
        });
    }
    if organizations::is_member(db, &bucket.account_id)? {
        return Err(BackendError::InvalidInput {
            message: format!(
                "account {} is a member of the organization; use put_bucket for its buckets",
                bucket.account_id
            ),
        });
    }
    let inserted = db
        .execute(
            "INSERT OR IGNORE INTO buckets (name, account_id, region, versioning, encryption,
                 public_access_block, policy, noncurrent_expiration_days, object_lock)
             VALUES (?1, ?2, ?3, 0, NULL, 0, NULL, NULL, 0)",
            (&bucket.name, &bucket.account_id, &bucket.region),
        )
        .db()?;
    if inserted == 0 {
        // S3: BucketAlreadyExists.
        return Err(BackendError::AlreadyExists {
            what: format!("bucket `{}`", bucket.name),
        });
    }
    Ok(())
}

/// Buckets of the organization's accounts, all or the one named (of any account).
pub(crate) fn buckets(
    db: &Connection,
    name: Option<&str>,
) -> Result<Vec<BucketState>, BackendError> {
    let sql = if name.is_some() {
        "SELECT name, account_id, region, versioning, encryption, public_access_block, policy,
             noncurrent_expiration_days, object_lock FROM buckets WHERE name = ?1"
    } else {
        "SELECT b.name, b.account_id, b.region, b.versioning, b.encryption,
             b.public_access_block, b.policy, b.noncurrent_expiration_days, b.object_lock
         FROM buckets b JOIN accounts a ON a.id = b.account_id WHERE ?1 IS NULL"
    };
    let mut stmt = db.prepare_cached(sql).db()?;
    let rows = stmt
        .query_map([name], |r| {
            Ok((bucket_row(r)?, r.get::<_, Option<String>>(4)?))
        })
        .db()?
        .collect::<Result<Vec<_>, _>>()
        .db()?;
    rows.into_iter()
        .map(|(mut bucket, encryption)| {
            bucket.encryption = encryption.as_deref().map(encryption_from).transpose()?;
            Ok(bucket)
        })
        .collect()
}

fn bucket_row(r: &Row<'_>) -> rusqlite::Result<BucketState> {
    Ok(BucketState {
        name: r.get(0)?,
        account_id: r.get(1)?,
        region: r.get(2)?,
        versioning: r.get(3)?,
        encryption: None,
        public_access_block: r.get(5)?,
        policy: r.get(6)?,
        noncurrent_expiration_days: r.get(7)?,
        object_lock: r.get(8)?,
    })
}

fn encryption_from(s: &str) -> Result<Encryption, BackendError> {
    match s {
        "aws:kms" => Ok(Encryption::Kms),
        "AES256" => Ok(Encryption::Aes256),
        other => Err(corrupt(format!("unknown bucket encryption `{other}`"))),
    }
}

/// Lock tables of the organization's accounts, all or the one keyed by (account, name).
pub(crate) fn tables(
    db: &Connection,
    key: Option<(&str, &str)>,
) -> Result<Vec<TableState>, BackendError> {
    let (account, name) = key.unwrap_or_default();
    let mut stmt = db
        .prepare_cached(
            "SELECT t.account_id, t.name, t.region, t.hash_key, t.on_demand,
                 t.point_in_time_recovery, t.encrypted
             FROM lock_tables t JOIN accounts a ON a.id = t.account_id
             WHERE ?1 = 0 OR (t.account_id = ?2 AND t.name = ?3)",
        )
        .db()?;
    stmt.query_map((key.is_some(), account, name), |r| {
        Ok(TableState {
            account_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            hash_key: r.get(3)?,
            on_demand: r.get(4)?,
            point_in_time_recovery: r.get(5)?,
            encrypted: r.get(6)?,
        })
    })
    .db()?
    .collect::<Result<_, _>>()
    .db()
}

/// Region names such as `us-east-1` or `us-gov-west-1`.
pub(crate) fn check_region(region: &str) -> Result<(), BackendError> {
    let parts: Vec<&str> = region.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.first().is_some_and(|p| p.len() == 2)
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .iter()
            .take(parts.len() - 1)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
    if !shaped {
        return Err(BackendError::InvalidInput {
            message: format!("`{region}` is not a region name (`us-east-1`)"),
        });
    }
    Ok(())
}

/// S3's general purpose bucket naming rules.
fn check_bucket_name(name: &str) -> Result<(), BackendError> {
    let bytes = name.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok = (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && edge(bytes.first())
        && edge(bytes.last())
        && !name.contains("..")
        && !name.starts_with("xn--")
        && !name.ends_with("-s3alias")
        && name.split('.').filter(|p| p.parse::<u8>().is_ok()).count() != 4;
    if !ok {
        return Err(BackendError::InvalidInput {
            message: format!(
                "`{name}` is not a valid bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
            ),
        });
    }
    Ok(())
}

/// DynamoDB table names: 3 to 255 of letters, digits, `_`, `-` and `.`.
fn check_table_name(name: &str) -> Result<(), BackendError> {
    let ok = (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !ok {
        return Err(BackendError::InvalidInput {
            message: format!("`{name}` is not a valid DynamoDB table name"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket() -> BucketState {
        BucketState {
            account_id: "222222222222".into(),
            name: "state-222222222222".into(),
            region: "us-east-1".into(),
            versioning: true,
            encryption: Some(Encryption::Kms),
            public_access_block: true,
            policy: None,
            noncurrent_expiration_days: Some(90),
            object_lock: false,
        }
    }

    #[test]
    fn new_buckets_need_a_call_per_setting() {
        let actions = bucket_actions(None, &bucket()).unwrap();
        assert_eq!(
            actions,
            [
                "s3:CreateBucket",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutLifecycleConfiguration"
            ]
        );
    }

    #[test]
    fn existing_buckets_need_only_the_calls_that_change_something() {
        let b = bucket();
        assert!(bucket_actions(Some(&b), &b).unwrap().is_empty());
        let mut want = b.clone();
        want.policy = Some("{}".into());
        assert_eq!(
            bucket_actions(Some(&b), &want).unwrap(),
            ["s3:PutBucketPolicy"]
        );
        assert_eq!(
            bucket_actions(Some(&want), &b).unwrap(),
            ["s3:DeleteBucketPolicy"]
        );
        let mut moved = b.clone();
        moved.region = "eu-west-1".into();
        assert!(bucket_actions(Some(&b), &moved).is_err());
        let mut locked = b.clone();
        locked.object_lock = true;
        assert!(bucket_actions(Some(&locked), &b).is_err());
        locked.versioning = false;
        assert!(bucket_actions(None, &locked).is_err());
    }

    #[test]
    fn names_and_regions() {
        for good in ["abc", "my.bucket-1", "a".repeat(63).as_str()] {
            assert!(check_bucket_name(good).is_ok(), "{good}");
        }
        for bad in [
            "ab",
            "Abc",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "a_b",
        ] {
            assert!(check_bucket_name(bad).is_err(), "{bad}");
        }
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-5",
            "il-central-1",
        ] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in ["us-east", "useast1", "US-EAST-1", "", "us--1"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
        assert!(check_table_name("terraform-locks").is_ok());
        assert!(check_table_name("tf").is_err());
    }
}
