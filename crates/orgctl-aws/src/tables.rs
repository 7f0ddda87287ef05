//! DynamoDB lock tables in member accounts: reading one, and creating or repairing it with
//! only the calls that change something.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    PointInTimeRecoveryStatus, ProvisionedThroughput, ScalarAttributeType, SseSpecification,
    SseStatus, SseType, TableDescription, TableStatus,
};
use orgctl_org::{BackendError, TableState};

use crate::AwsBackend;
use crate::counts::Op;
use crate::session::Session;

/// How often, and how many times, to look whether a table is `ACTIVE` or its backups can be
/// turned on.
const POLL: Duration = Duration::from_secs(2);
const POLLS: u32 = 90;

/// Throughput of a table switched to provisioned billing.
const PROVISIONED_UNITS: i64 = 5;

impl AwsBackend {
    /// The table `name` in `session`'s account and `region`, if it exists
    /// (`DescribeTable`, `DescribeContinuousBackups`).
    pub(crate) fn read_table(
        &self,
        session: &Session,
        name: &str,
        region: &str,
    ) -> Result<Option<TableState>, BackendError> {
        let Some(table) = self.describe_table(session, name, region)? else {
            return Ok(None);
        };
        let backups = self.send(
            Some(session),
            Op::new("dynamodb", "DescribeContinuousBackups"),
            &table_resource(name),
            self.clients(session, region)
                .dynamodb()
                .describe_continuous_backups()
                .table_name(name)
                .send(),
        )?;
        let pitr = backups
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            == Some(&PointInTimeRecoveryStatus::Enabled);
        Ok(Some(state_of(
            &table,
            &session.identity.account_id,
            region,
            pitr,
        )))
    }

    /// Creates `want` in its account or brings the table's settings to it.
    pub(crate) fn put_table_state(&self, want: &TableState) -> Result<(), BackendError> {
        let session = self.session(&want.account_id)?;
        let current = match self.read_table(&session, &want.name, &want.region)? {
            Some(current) => current,
            None => {
                self.create_table(&session, want)?;
                TableState {
                    point_in_time_recovery: false,
                    ..want.clone()
                }
            }
        };
        if current.hash_key != want.hash_key {
            return Err(BackendError::InvalidInput {
                message: format!(
                    "table `{}` exists with hash key `{}`; it cannot change to `{}`",
                    want.name, current.hash_key, want.hash_key
                ),
            });
        }
        if current.on_demand != want.on_demand {
            self.update_billing(&session, want)?;
        }
        if current.encrypted != want.encrypted {
            self.update_encryption(&session, want)?;
        }
        if current.point_in_time_recovery != want.point_in_time_recovery {
            self.update_backups(&session, want)?;
        }
        Ok(())
    }

    fn describe_table(
        &self,
        session: &Session,
        name: &str,
        region: &str,
    ) -> Result<Option<TableDescription>, BackendError> {
        let result = self.attempt(
            Op::new("dynamodb", "DescribeTable"),
            &table_resource(name),
            self.clients(session, region)
                .dynamodb()
                .describe_table()
                .table_name(name)
                .send(),
        );
        match result {
            Ok(out) => Ok(out.table().cloned()),
            Err(f) if f.is(&["ResourceNotFoundException"]) => Ok(None),
            Err(f) => Err(self.fail(&f, Some(session))),
        }
    }

    /// `CreateTable` (hash key of type S, on-demand, SSE with KMS), then waits for `ACTIVE`.
    fn create_table(&self, session: &Session, want: &TableState) -> Result<(), BackendError> {
        let invalid = |e: aws_sdk_dynamodb::error::BuildError| BackendError::InvalidInput {
            message: format!("table `{}`: {e}", want.name),
        };
        let mut request = self
            .clients(session, &want.region)
            .dynamodb()
            .create_table()
            .table_name(&want.name)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(&want.hash_key)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(invalid)?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(&want.hash_key)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(invalid)?,
            )
            .sse_specification(sse(want.encrypted));
        request = if want.on_demand {
            request.billing_mode(BillingMode::PayPerRequest)
        } else {
            request
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(throughput().map_err(invalid)?)
        };
        let created = self.attempt(
            Op::new("dynamodb", "CreateTable"),
            &table_resource(&want.name),
            request.send(),
        );
        match created {
            Ok(out)
                if out
                    .table_description()
                    .and_then(TableDescription::table_status)
                    == Some(&TableStatus::Active) =>
            {
                Ok(())
            }
            Ok(_) => self.wait_active(session, want),
            // Created meanwhile by someone else: wait for it like for our own.
            Err(f) if f.is(&["ResourceInUseException"]) => self.wait_active(session, want),
            Err(f) => Err(self.fail(&f, Some(session))),
        }
    }

    /// Polls `DescribeTable` until the table is `ACTIVE`.
    fn wait_active(&self, session: &Session, want: &TableState) -> Result<(), BackendError> {
        for _ in 0..POLLS {
            let table = self.describe_table(session, &want.name, &want.region)?;
            if table.as_ref().and_then(TableDescription::table_status) == Some(&TableStatus::Active)
            {
                return Ok(());
            }
            self.runtime.block_on(tokio::time::sleep(POLL));
        }
        Err(BackendError::Backend {
            backend: "aws".to_owned(),
            message: format!("table `{}` did not become ACTIVE", want.name),
            help: "run apply again: DynamoDB is still creating the table".to_owned(),
        })
    }

    fn update_billing(&self, session: &Session, want: &TableState) -> Result<(), BackendError> {
        let request = self
            .clients(session, &want.region)
            .dynamodb()
            .update_table()
            .table_name(&want.name);
        let request = if want.on_demand {
            request.billing_mode(BillingMode::PayPerRequest)
        } else {
            request
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(throughput().map_err(|e| BackendError::InvalidInput {
                    message: format!("table `{}`: {e}", want.name),
                })?)
        };
        self.send(
            Some(session),
            Op::new("dynamodb", "UpdateTable"),
            &table_resource(&want.name),
            request.send(),
        )?;
        self.wait_active(session, want)
    }

    fn update_encryption(&self, session: &Session, want: &TableState) -> Result<(), BackendError> {
        self.send(
            Some(session),
            Op::new("dynamodb", "UpdateTable"),
            &table_resource(&want.name),
            self.clients(session, &want.region)
                .dynamodb()
                .update_table()
                .table_name(&want.name)
                .sse_specification(sse(want.encrypted))
                .send(),
        )?;
        self.wait_active(session, want)
    }

    /// `UpdateContinuousBackups`, waiting while DynamoDB still prepares a new table's backups.
    fn update_backups(&self, session: &Session, want: &TableState) -> Result<(), BackendError> {
        let spec = PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(want.point_in_time_recovery)
            .build()
            .map_err(|e| BackendError::InvalidInput {
                message: format!("table `{}`: {e}", want.name),
            })?;
        let mut last = None;
        for _ in 0..POLLS {
            let result = self.attempt(
                Op::new("dynamodb", "UpdateContinuousBackups"),
                &table_resource(&want.name),
                self.clients(session, &want.region)
                    .dynamodb()
                    .update_continuous_backups()
                    .table_name(&want.name)
                    .point_in_time_recovery_specification(spec.clone())
                    .send(),
            );
            match result {
                Ok(_) => return Ok(()),
                Err(f) if f.is(&["ContinuousBackupsUnavailableException"]) => {
                    last = Some(f);
                    self.runtime.block_on(tokio::time::sleep(POLL));
                }
                Err(f) => return Err(self.fail(&f, Some(session))),
            }
        }
        Err(last.map_or_else(
            || BackendError::InvalidInput {
                message: format!("table `{}`: no backup update was tried", want.name),
            },
            |f| self.fail(&f, Some(session)),
        ))
    }
}

fn table_resource(name: &str) -> String {
    format!("table `{name}`")
}

fn sse(enabled: bool) -> SseSpecification {
    let spec = SseSpecification::builder().enabled(enabled);
    if enabled {
        spec.sse_type(SseType::Kms).build()
    } else {
        spec.build()
    }
}

fn throughput() -> Result<ProvisionedThroughput, aws_sdk_dynamodb::error::BuildError> {
    ProvisionedThroughput::builder()
        .read_capacity_units(PROVISIONED_UNITS)
        .write_capacity_units(PROVISIONED_UNITS)
        .build()
}

/// A described table as orgctl sees it.
fn state_of(table: &TableDescription, account_id: &str, region: &str, pitr: bool) -> TableState {
    let hash_key = table
        .key_schema()
        .iter()
        .find(|k| k.key_type() == &KeyType::Hash)
        .map(|k| k.attribute_name().to_owned())
        .unwrap_or_default();
    let on_demand = table.billing_mode_summary().and_then(|b| b.billing_mode())
        == Some(&BillingMode::PayPerRequest);
    let encrypted = table.sse_description().is_some_and(|d| {
        matches!(
            d.status(),
            Some(SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating)
        ) && d.sse_type() == Some(&SseType::Kms)
    });
    TableState {
        account_id: account_id.to_owned(),
        name: table.table_name().unwrap_or_default().to_owned(),
        region: region.to_owned(),
        hash_key,
        on_demand,
        point_in_time_recovery: pitr,
        encrypted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::{BillingModeSummary, SseDescription};

    #[test]
    fn described_tables_read_as_table_states() {
        let table = TableDescription::builder()
            .table_name("locks")
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("LockID")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(BillingMode::PayPerRequest)
                    .build(),
            )
            .sse_description(
                SseDescription::builder()
                    .status(SseStatus::Enabled)
                    .sse_type(SseType::Kms)
                    .build(),
            )
            .build();
        assert_eq!(
            state_of(&table, "222222222222", "us-east-1", true),
            TableState {
                account_id: "222222222222".into(),
                name: "locks".into(),
                region: "us-east-1".into(),
                hash_key: "LockID".into(),
                on_demand: true,
                point_in_time_recovery: true,
                encrypted: true,
            }
        );
        let plain = TableDescription::builder().table_name("t").build();
        let state = state_of(&plain, "1", "us-east-1", false);
        assert!(!state.on_demand && !state.encrypted && state.hash_key.is_empty());
    }
}
