//! Which settings of a bucket a put must change: each one a single S3 call.

use orgctl_org::{BackendError, BucketState, Encryption};

/// One setting to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// `PutBucketVersioning` (Enabled or Suspended).
    Versioning(bool),
    /// `PutBucketEncryption`, or `DeleteBucketEncryption` for none.
    Encryption(Option<Encryption>),
    /// `PutPublicAccessBlock` with all four on, or `DeletePublicAccessBlock`.
    PublicAccessBlock(bool),
    /// `PutBucketPolicy`, or `DeleteBucketPolicy`.
    Policy(Option<String>),
    /// `PutBucketLifecycleConfiguration` with orgctl's rule (or without it).
    Lifecycle(Option<u32>),
    /// `PutObjectLockConfiguration` enabling Object Lock with a default retention.
    ObjectLock,
}

/// The settings of a bucket just created (S3's defaults), to bring to `want`. Object Lock
/// and, with it, versioning come with `CreateBucket` itself.
pub(crate) fn for_new(want: &BucketState) -> Vec<Change> {
    let mut out = Vec::new();
    if want.versioning && !want.object_lock {
        out.push(Change::Versioning(true));
    }
    if want.encryption.is_some() {
        out.push(Change::Encryption(want.encryption));
    }
    if want.public_access_block {
        out.push(Change::PublicAccessBlock(true));
    }
    if want.policy.is_some() {
        out.push(Change::Policy(want.policy.clone()));
    }
    if want.noncurrent_expiration_days.is_some() {
        out.push(Change::Lifecycle(want.noncurrent_expiration_days));
    }
    // CreateBucket enables Object Lock; the default retention that makes it lock anything
    // is a call of its own.
    if want.object_lock {
        out.push(Change::ObjectLock);
    }
    out
}

/// The settings that differ between `current` and `want`, in the order to write them.
pub(crate) fn changes(
    current: &BucketState,
    want: &BucketState,
) -> Result<Vec<Change>, BackendError> {
    if current.object_lock && !want.object_lock {
        return Err(BackendError::InvalidInput {
            message: format!(
                "bucket `{}` has Object Lock, which cannot be turned off",
                want.name
            ),
        });
    }
    let mut out = Vec::new();
    if current.versioning != want.versioning {
        out.push(Change::Versioning(want.versioning));
    }
    if current.encryption != want.encryption {
        out.push(Change::Encryption(want.encryption));
    }
    if current.public_access_block != want.public_access_block {
        out.push(Change::PublicAccessBlock(want.public_access_block));
    }
    let same_policy = match (&current.policy, &want.policy) {
        (Some(a), Some(b)) => same_json(a, b),
        (None, None) => true,
        _ => false,
    };
    if !same_policy {
        out.push(Change::Policy(want.policy.clone()));
    }
    if current.noncurrent_expiration_days != want.noncurrent_expiration_days {
        out.push(Change::Lifecycle(want.noncurrent_expiration_days));
    }
    if want.object_lock && !current.object_lock {
        out.push(Change::ObjectLock);
    }
    Ok(out)
}

/// Whether two policy documents say the same as JSON values: S3 may give a document back
/// formatted otherwise than it was sent.
pub(crate) fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
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
            policy: Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into()),
            noncurrent_expiration_days: Some(90),
            object_lock: false,
        }
    }

    #[test]
    fn a_new_bucket_gets_every_wanted_setting() {
        assert_eq!(
            for_new(&bucket()),
            [
                Change::Versioning(true),
                Change::Encryption(Some(Encryption::Kms)),
                Change::PublicAccessBlock(true),
                Change::Policy(bucket().policy),
                Change::Lifecycle(Some(90)),
            ]
        );
        let mut locked = bucket();
        locked.object_lock = true;
        assert!(!for_new(&locked).contains(&Change::Versioning(true)));
    }

    #[test]
    fn an_unchanged_bucket_needs_nothing_and_formatting_is_no_change() {
        let b = bucket();
        assert!(changes(&b, &b).unwrap().is_empty());
        let mut spaced = b.clone();
        spaced.policy = Some(r#"{ "Version": "2012-10-17", "Statement": [ ] }"#.into());
        assert!(changes(&spaced, &b).unwrap().is_empty());
    }

    #[test]
    fn each_difference_is_one_change() {
        let b = bucket();
        let mut have = b.clone();
        have.versioning = false;
        have.policy = None;
        have.noncurrent_expiration_days = Some(30);
        assert_eq!(
            changes(&have, &b).unwrap(),
            [
                Change::Versioning(true),
                Change::Policy(b.policy.clone()),
                Change::Lifecycle(Some(90)),
            ]
        );
        let mut locked = b.clone();
        locked.object_lock = true;
        assert_eq!(changes(&b, &locked).unwrap(), [Change::ObjectLock]);
        assert!(changes(&locked, &b).is_err());
    }
}
