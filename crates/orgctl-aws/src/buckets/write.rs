//! Writing a bucket: `CreateBucket`, then one call per setting to change, each with
//! `ExpectedBucketOwner`.

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CreateBucketConfiguration, ExpirationStatus, LifecycleRule, LifecycleRuleFilter,
    NoncurrentVersionExpiration, ObjectLockConfiguration, ObjectLockEnabled,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use orgctl_org::{BackendError, BucketState, Encryption};

use super::Current;
use super::diff::{self, Change};
use crate::AwsBackend;
use crate::counts::Op;
use crate::session::Session;

/// The id of the lifecycle rule orgctl owns.
pub(crate) const RULE_ID: &str = "orgctl-noncurrent-version-expiration";

impl AwsBackend {
    /// `CreateBucket` in `want.region`: whether it created the bucket (`false`: the account
    /// owned it already).
    pub(crate) fn create_bucket(
        &self,
        session: &Session,
        want: &BucketState,
    ) -> Result<bool, BackendError> {
        let mut request = self
            .clients(session, &want.region)
            .s3()
            .create_bucket()
            .bucket(&want.name);
        if want.region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(want.region.as_str()))
                    .build(),
            );
        }
        if want.object_lock {
            request = request.object_lock_enabled_for_bucket(true);
        }
        // `<name>-<account>-<region>-an` is the account regional namespace's form: only this
        // account can create it, so nobody can squat it.
        if want
            .name
            .ends_with(&format!("-{}-{}-an", want.account_id, want.region))
        {
            request = request.bucket_namespace(aws_sdk_s3::types::BucketNamespace::AccountRegional);
        }
        match self.attempt(Op::new("s3", "CreateBucket"), &want.name, request.send()) {
            Ok(_) => Ok(true),
            Err(f) if f.is(&["BucketAlreadyOwnedByYou"]) => Ok(false),
            Err(f) if f.is(&["BucketAlreadyExists"]) => Err(BackendError::BucketSquatted {
                bucket: want.name.clone(),
                owner: None,
            }),
            Err(f) => Err(self.fail(&f, Some(session))),
        }
    }

    /// Every wanted setting of a bucket just created.
    pub(crate) fn write_new(
        &self,
        session: &Session,
        want: &BucketState,
    ) -> Result<(), BackendError> {
        for change in diff::for_new(want) {
            self.write(session, want, &[], &change)?;
        }
        Ok(())
    }

    /// The settings that differ from `current`.
    pub(crate) fn write_changes(
        &self,
        session: &Session,
        current: &Current,
        want: &BucketState,
    ) -> Result<(), BackendError> {
        for change in diff::changes(&current.state, want)? {
            self.write(session, want, &current.rules, &change)?;
        }
        Ok(())
    }

    /// One setting: one call.
    fn write(
        &self,
        session: &Session,
        want: &BucketState,
        rules: &[LifecycleRule],
        change: &Change,
    ) -> Result<(), BackendError> {
        let s3 = self.clients(session, &want.region).s3();
        let name = want.name.as_str();
        let owner = session.identity.account_id.as_str();
        let s = Some(session);
        let invalid = |e: aws_sdk_s3::error::BuildError| BackendError::InvalidInput {
            message: format!("bucket `{name}`: {e}"),
        };
        match change {
            Change::Versioning(on) => {
                let status = if *on {
                    BucketVersioningStatus::Enabled
                } else {
                    BucketVersioningStatus::Suspended
                };
                self.send(
                    s,
                    Op::new("s3", "PutBucketVersioning"),
                    name,
                    s3.put_bucket_versioning()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .versioning_configuration(
                            VersioningConfiguration::builder().status(status).build(),
                        )
                        .send(),
                )?;
            }
            Change::Encryption(Some(encryption)) => {
                let (algorithm, bucket_key) = match encryption {
                    Encryption::Kms => (ServerSideEncryption::AwsKms, true),
                    Encryption::Aes256 => (ServerSideEncryption::Aes256, false),
                };
                let rule = ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(algorithm)
                            .build()
                            .map_err(invalid)?,
                    )
                    .bucket_key_enabled(bucket_key)
                    .build();
                self.send(
                    s,
                    Op::new("s3", "PutBucketEncryption"),
                    name,
                    s3.put_bucket_encryption()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .server_side_encryption_configuration(
                            ServerSideEncryptionConfiguration::builder()
                                .rules(rule)
                                .build()
                                .map_err(invalid)?,
                        )
                        .send(),
                )?;
            }
            Change::Encryption(None) => {
                self.send(
                    s,
                    Op::new("s3", "DeleteBucketEncryption"),
                    name,
                    s3.delete_bucket_encryption()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .send(),
                )?;
            }
            Change::PublicAccessBlock(true) => {
                self.send(
                    s,
                    Op::new("s3", "PutPublicAccessBlock"),
                    name,
                    s3.put_public_access_block()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .public_access_block_configuration(
                            PublicAccessBlockConfiguration::builder()
                                .block_public_acls(true)
                                .ignore_public_acls(true)
                                .block_public_policy(true)
                                .restrict_public_buckets(true)
                                .build(),
                        )
                        .send(),
                )?;
            }
            Change::PublicAccessBlock(false) => {
                self.send(
                    s,
                    Op::new("s3", "DeletePublicAccessBlock"),
                    name,
                    s3.delete_public_access_block()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .send(),
                )?;
            }
            Change::Policy(Some(policy)) => {
                self.send(
                    s,
                    Op::new("s3", "PutBucketPolicy"),
                    name,
                    s3.put_bucket_policy()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .policy(policy)
                        .send(),
                )?;
            }
            Change::Policy(None) => {
                self.send(
                    s,
                    Op::new("s3", "DeleteBucketPolicy"),
                    name,
                    s3.delete_bucket_policy()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .send(),
                )?;
            }
            Change::Lifecycle(days) => {
                let rules = lifecycle_rules(rules, *days).map_err(invalid)?;
                if rules.is_empty() {
                    self.send(
                        s,
                        Op::new("s3", "DeleteBucketLifecycle"),
                        name,
                        s3.delete_bucket_lifecycle()
                            .bucket(name)
                            .expected_bucket_owner(owner)
                            .send(),
                    )?;
                } else {
                    self.send(
                        s,
                        Op::new("s3", "PutBucketLifecycleConfiguration"),
                        name,
                        s3.put_bucket_lifecycle_configuration()
                            .bucket(name)
                            .expected_bucket_owner(owner)
                            .lifecycle_configuration(
                                BucketLifecycleConfiguration::builder()
                                    .set_rules(Some(rules))
                                    .build()
                                    .map_err(invalid)?,
                            )
                            .send(),
                    )?;
                }
            }
            Change::ObjectLock => {
                self.send(
                    s,
                    Op::new("s3", "PutObjectLockConfiguration"),
                    name,
                    s3.put_object_lock_configuration()
                        .bucket(name)
                        .expected_bucket_owner(owner)
                        .object_lock_configuration(
                            ObjectLockConfiguration::builder()
                                .object_lock_enabled(ObjectLockEnabled::Enabled)
                                // Every new log object is locked for a year; the bucket policy
                                // denies bypassing governance retention.
                                .rule(
                                    aws_sdk_s3::types::ObjectLockRule::builder()
                                        .default_retention(
                                            aws_sdk_s3::types::DefaultRetention::builder()
                                                .mode(aws_sdk_s3::types::ObjectLockRetentionMode::Governance)
                                                .days(LOG_RETENTION_DAYS)
                                                .build(),
                                        )
                                        .build(),
                                )
                                .build(),
                        )
                        .send(),
                )?;
            }
        }
        Ok(())
    }
}

/// Days each object of an Object Lock bucket (the log archive) is retained by default.
pub(crate) const LOG_RETENTION_DAYS: i32 = 365;

/// The bucket's lifecycle rules with orgctl's noncurrent-version rule set to `days` (or
/// removed): rules of others stay, other noncurrent-version expirations give way.
fn lifecycle_rules(
    current: &[LifecycleRule],
    days: Option<u32>,
) -> Result<Vec<LifecycleRule>, aws_sdk_s3::error::BuildError> {
    let mut rules: Vec<LifecycleRule> = current
        .iter()
        .filter(|r| r.id() != Some(RULE_ID) && r.noncurrent_version_expiration().is_none())
        .cloned()
        .collect();
    if let Some(days) = days {
        rules.push(
            LifecycleRule::builder()
                .id(RULE_ID)
                .status(ExpirationStatus::Enabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .noncurrent_version_expiration(
                    NoncurrentVersionExpiration::builder()
                        .noncurrent_days(i32::try_from(days).unwrap_or(i32::MAX))
                        .build(),
                )
                .build()?,
        );
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buckets::read::noncurrent_days;

    #[test]
    fn orgctl_s_rule_replaces_noncurrent_expiry_and_keeps_the_rest() {
        let other = LifecycleRule::builder()
            .id("archive")
            .status(ExpirationStatus::Enabled)
            .build()
            .unwrap();
        let old = LifecycleRule::builder()
            .id("old-noncurrent")
            .status(ExpirationStatus::Enabled)
            .noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(30)
                    .build(),
            )
            .build()
            .unwrap();
        let rules = lifecycle_rules(&[other.clone(), old], Some(90)).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0], other);
        assert_eq!(noncurrent_days(&rules), Some(90));
        assert_eq!(lifecycle_rules(&rules, None).unwrap(), [other]);
    }
}
