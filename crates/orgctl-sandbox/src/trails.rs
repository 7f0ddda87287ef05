//! The management account's own resources: CloudTrail trails and Config aggregators.

use orgctl_org::{AggregatorState, BackendError, TrailState};
use rusqlite::{Connection, OptionalExtension};

use crate::db::Db;
use crate::resources::check_region;
use crate::{Ctx, organizations};

/// `CreateTrail`/`UpdateTrail` and `StartLogging`/`StopLogging`.
pub(crate) fn put_trail(ctx: &mut Ctx<'_>, trail: &TrailState) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    in_management(&org, &trail.account_id, "trail")?;
    check_region(&trail.region)?;
    check_resource_name(&trail.name, "trail")?;
    let in_org = db
        .prepare_cached(
            "SELECT 1 FROM buckets b JOIN accounts a ON a.id = b.account_id WHERE b.name = ?1",
        )
        .db()?
        .query_row([&trail.bucket], |_| Ok(()))
        .optional()
        .db()?
        .is_some();
    if !in_org {
        // AWS: S3BucketDoesNotExistException.
        return Err(BackendError::NotFound {
            what: format!(
                "bucket `{}` in the organization (trail `{}` delivers to it)",
                trail.bucket, trail.name
            ),
        });
    }
    let current = trails(db, Some((&trail.account_id, &trail.name)))?;
    if current.first() != Some(trail) {
        db.execute(
            "INSERT OR REPLACE INTO trails
             (account_id, name, region, bucket, organization_trail, multi_region, logging)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                &trail.account_id,
                &trail.name,
                &trail.region,
                &trail.bucket,
                trail.organization_trail,
                trail.multi_region,
                trail.logging,
            ),
        )
        .db()?;
    }
    Ok(())
}

/// `PutConfigurationAggregator`.
pub(crate) fn put_aggregator(
    ctx: &mut Ctx<'_>,
    aggregator: &AggregatorState,
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    in_management(&org, &aggregator.account_id, "Config aggregator")?;
    check_region(&aggregator.region)?;
    check_resource_name(&aggregator.name, "Config aggregator")?;
    let current = aggregators(db, Some((&aggregator.account_id, &aggregator.name)))?;
    if current.first() != Some(aggregator) {
        db.execute(
            "INSERT OR REPLACE INTO aggregators (account_id, name, region, organization_wide)
             VALUES (?1, ?2, ?3, ?4)",
            (
                &aggregator.account_id,
                &aggregator.name,
                &aggregator.region,
                aggregator.organization_wide,
            ),
        )
        .db()?;
    }
    Ok(())
}

/// Trails, all or the one keyed by (account, name).
pub(crate) fn trails(
    db: &Connection,
    key: Option<(&str, &str)>,
) -> Result<Vec<TrailState>, BackendError> {
    let (account, name) = key.unwrap_or_default();
    let mut stmt = db
        .prepare_cached(
            "SELECT account_id, name, region, bucket, organization_trail, multi_region, logging
             FROM trails WHERE ?1 = 0 OR (account_id = ?2 AND name = ?3)",
        )
        .db()?;
    stmt.query_map((key.is_some(), account, name), |r| {
        Ok(TrailState {
            account_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            bucket: r.get(3)?,
            organization_trail: r.get(4)?,
            multi_region: r.get(5)?,
            logging: r.get(6)?,
        })
    })
    .db()?
    .collect::<Result<_, _>>()
    .db()
}

/// Aggregators, all or the one keyed by (account, name).
pub(crate) fn aggregators(
    db: &Connection,
    key: Option<(&str, &str)>,
) -> Result<Vec<AggregatorState>, BackendError> {
    let (account, name) = key.unwrap_or_default();
    let mut stmt = db
        .prepare_cached(
            "SELECT account_id, name, region, organization_wide FROM aggregators
             WHERE ?1 = 0 OR (account_id = ?2 AND name = ?3)",
        )
        .db()?;
    stmt.query_map((key.is_some(), account, name), |r| {
        Ok(AggregatorState {
            account_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            organization_wide: r.get(3)?,
        })
    })
    .db()?
    .collect::<Result<_, _>>()
    .db()
}

fn in_management(
    org: &organizations::Org,
    account_id: &str,
    what: &str,
) -> Result<(), BackendError> {
    if account_id == org.management_account_id {
        return Ok(());
    }
    Err(BackendError::InvalidInput {
        message: format!(
            "the organization's {what} lives in the management account {}, not {account_id}",
            org.management_account_id
        ),
    })
}

/// Trail and aggregator names: 3 to 128 (trails) or 1 to 256 (aggregators) characters of
/// letters, digits, `.`, `_` and `-`; the sandbox accepts the union.
fn check_resource_name(name: &str, what: &str) -> Result<(), BackendError> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(BackendError::InvalidInput {
            message: format!("`{name}` is not a valid {what} name"),
        });
    }
    Ok(())
}
