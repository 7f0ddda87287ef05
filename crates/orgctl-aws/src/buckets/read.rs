//! Reading a bucket's settings: one `Get*` per setting, a missing configuration read as the
//! setting being off.

use aws_sdk_s3::types::{
    BucketVersioningStatus, ExpirationStatus, LifecycleRule, ObjectLockEnabled,
    ServerSideEncryption,
};
use orgctl_org::{BackendError, BucketState, Encryption};

use crate::AwsBackend;
use crate::counts::Op;
use crate::session::Session;

/// A bucket as it is, with the lifecycle rules orgctl keeps when it rewrites them.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    /// The settings orgctl manages.
    pub(crate) state: BucketState,
    /// Every lifecycle rule.
    pub(crate) rules: Vec<LifecycleRule>,
}

impl AwsBackend {
    /// The settings of `name`, owned by `session`'s account, in `region`.
    pub(crate) fn read_bucket(
        &self,
        session: &Session,
        name: &str,
        region: &str,
    ) -> Result<Current, BackendError> {
        let s3 = self.clients(session, region).s3();
        let owner = session.identity.account_id.as_str();
        let versioning = match self.attempt(
            Op::new("s3", "GetBucketVersioning"),
            name,
            s3.get_bucket_versioning()
                .bucket(name)
                .expected_bucket_owner(owner)
                .send(),
        ) {
            Ok(out) => out.status() == Some(&BucketVersioningStatus::Enabled),
            Err(f) => match f
                .service()
                .and_then(|s| s.unread_body.as_deref())
                .and_then(versioning_in)
            {
                Some(enabled) => enabled,
                None => return Err(self.fail(&f, Some(session))),
            },
        };
        let encryption = self.absent(
            Some(session),
            self.attempt(
                Op::new("s3", "GetBucketEncryption"),
                name,
                s3.get_bucket_encryption()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            ),
            &["ServerSideEncryptionConfigurationNotFoundError"],
        )?;
        let public_access = self.absent(
            Some(session),
            self.attempt(
                Op::new("s3", "GetPublicAccessBlock"),
                name,
                s3.get_public_access_block()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            ),
            &["NoSuchPublicAccessBlockConfiguration"],
        )?;
        let policy = self.absent(
            Some(session),
            self.attempt(
                Op::new("s3", "GetBucketPolicy"),
                name,
                s3.get_bucket_policy()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            ),
            &["NoSuchBucketPolicy"],
        )?;
        let lifecycle = self.absent(
            Some(session),
            self.attempt(
                Op::new("s3", "GetBucketLifecycleConfiguration"),
                name,
                s3.get_bucket_lifecycle_configuration()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            ),
            &["NoSuchLifecycleConfiguration"],
        )?;
        let lock = self.absent(
            Some(session),
            self.attempt(
                Op::new("s3", "GetObjectLockConfiguration"),
                name,
                s3.get_object_lock_configuration()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            ),
            &["ObjectLockConfigurationNotFoundError"],
        )?;
        let rules = lifecycle.map(|l| l.rules().to_vec()).unwrap_or_default();
        let state = BucketState {
            account_id: owner.to_owned(),
            name: name.to_owned(),
            region: region.to_owned(),
            versioning,
            encryption: encryption.and_then(|e| {
                e.server_side_encryption_configuration()?
                    .rules()
                    .iter()
                    .find_map(|r| r.apply_server_side_encryption_by_default())
                    .map(|d| encryption_of(d.sse_algorithm()))
            }),
            public_access_block: public_access
                .and_then(|p| p.public_access_block_configuration().cloned())
                .is_some_and(|c| {
                    [
                        c.block_public_acls(),
                        c.ignore_public_acls(),
                        c.block_public_policy(),
                        c.restrict_public_buckets(),
                    ]
                    .iter()
                    .all(|on| *on == Some(true))
                }),
            policy: policy.and_then(|p| p.policy().map(str::to_owned)),
            noncurrent_expiration_days: noncurrent_days(&rules),
            // Locked means enabled with a default retention: enabled alone locks nothing.
            object_lock: lock
                .and_then(|l| l.object_lock_configuration().cloned())
                .is_some_and(|c| {
                    c.object_lock_enabled() == Some(&ObjectLockEnabled::Enabled)
                        && c.rule()
                            .and_then(|r| r.default_retention())
                            .is_some_and(|d| d.days().is_some() || d.years().is_some())
                }),
        };
        Ok(Current { state, rules })
    }
}

/// Whether versioning is enabled, from a `GetBucketVersioning` answer the SDK could not
/// read: moto names its root element `GetBucketVersioningResponse`, not
/// `VersioningConfiguration`.
fn versioning_in(xml: &str) -> Option<bool> {
    let known = ["<GetBucketVersioningResponse", "<VersioningConfiguration"]
        .iter()
        .any(|root| xml.contains(root));
    known.then(|| xml.contains("<Status>Enabled</Status>"))
}

/// S3's default encryption algorithm as orgctl names it (DSSE-KMS counts as KMS).
fn encryption_of(algorithm: &ServerSideEncryption) -> Encryption {
    match algorithm {
        ServerSideEncryption::Aes256 => Encryption::Aes256,
        _ => Encryption::Kms,
    }
}

/// The days after which noncurrent versions expire, from the first enabled rule that says.
pub(crate) fn noncurrent_days(rules: &[LifecycleRule]) -> Option<u32> {
    rules
        .iter()
        .filter(|r| r.status() == &ExpirationStatus::Enabled)
        .find_map(|r| r.noncurrent_version_expiration()?.noncurrent_days())
        .and_then(|d| u32::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::NoncurrentVersionExpiration;

    fn rule(status: ExpirationStatus, days: Option<i32>) -> LifecycleRule {
        let mut b = LifecycleRule::builder().status(status);
        if let Some(d) = days {
            b = b.noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(d)
                    .build(),
            );
        }
        b.build().unwrap()
    }

    #[test]
    fn noncurrent_expiry_comes_from_enabled_rules() {
        assert_eq!(noncurrent_days(&[]), None);
        assert_eq!(
            noncurrent_days(&[
                rule(ExpirationStatus::Disabled, Some(7)),
                rule(ExpirationStatus::Enabled, None),
                rule(ExpirationStatus::Enabled, Some(90)),
            ]),
            Some(90)
        );
    }

    #[test]
    fn versioning_from_an_unread_answer() {
        let moto = r#"<?xml version="1.0"?><GetBucketVersioningResponse xmlns="x"><Status>Enabled</Status></GetBucketVersioningResponse>"#;
        assert_eq!(versioning_in(moto), Some(true));
        assert_eq!(
            versioning_in(r#"<GetBucketVersioningResponse xmlns="x"/>"#),
            Some(false)
        );
        assert_eq!(versioning_in("<Error><Code>x</Code></Error>"), None);
    }

    #[test]
    fn algorithms() {
        assert_eq!(
            encryption_of(&ServerSideEncryption::Aes256),
            Encryption::Aes256
        );
        assert_eq!(
            encryption_of(&ServerSideEncryption::AwsKms),
            Encryption::Kms
        );
    }
}
