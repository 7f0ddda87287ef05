//! The AWS backend against a moto server in which accounts are separate (see
//! `support::AccountsMoto`): buckets belong to the account that made them, and a bucket name
//! another account holds is reported as squatted without anything written.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::BTreeMap;

use orgctl_org::{Backend, BackendError, BucketOwner};

use support::{AccountsMoto, MOTO_DEFAULT_ACCOUNT, connect, state_bucket};

/// An account outside the organization.
const STRANGER: &str = "999999999999";

#[test]
fn member_buckets_belong_to_the_member_and_squatted_names_are_refused() {
    let Some(moto) = AccountsMoto::start() else {
        return;
    };
    let mut backend = connect(&moto.endpoint());
    assert_eq!(
        backend.caller_identity(None).unwrap().account_id,
        MOTO_DEFAULT_ACCOUNT
    );
    backend.create_organization(MOTO_DEFAULT_ACCOUNT).unwrap();
    let status = backend
        .create_account("Dev", "dev@example.com", &BTreeMap::new())
        .unwrap();
    let dev = backend
        .describe_create_account(&status.request_id)
        .unwrap()
        .account_id
        .unwrap();
    assert_eq!(backend.caller_identity(Some(&dev)).unwrap().account_id, dev);

    // The member's bucket is the member's: the management account cannot even see it.
    let mine = state_bucket(&dev, "orgtest");
    backend.put_bucket(&mine).unwrap();
    assert_eq!(
        backend.bucket_owner(&dev, &mine.name).unwrap(),
        BucketOwner::Caller
    );
    assert_eq!(
        backend
            .bucket_owner(MOTO_DEFAULT_ACCOUNT, &mine.name)
            .unwrap(),
        BucketOwner::Other { account_id: None }
    );

    // Another account takes a name first (through the backend, as that account's role).
    let wanted = state_bucket(&dev, "squatted");
    let mut squat = wanted.clone();
    squat.account_id = STRANGER.into();
    squat.versioning = false;
    squat.policy = None;
    backend.put_bucket(&squat).unwrap();
    assert_eq!(
        backend.bucket_owner(&dev, &wanted.name).unwrap(),
        BucketOwner::Other { account_id: None }
    );
    let before = backend.call_counts();
    let err = backend.put_bucket(&wanted).unwrap_err();
    assert_eq!(
        err,
        BackendError::BucketSquatted {
            bucket: wanted.name.clone(),
            owner: None
        }
    );
    let tried = backend.call_counts().since(&before);
    assert_eq!(tried.mutating_total(), 0, "{tried:?}");
    // The squatter's bucket is as it was.
    let state = backend.read_state(&[]).unwrap();
    assert!(state.buckets.is_empty());
    assert_eq!(
        backend.bucket_owner(STRANGER, &wanted.name).unwrap(),
        BucketOwner::Caller
    );
}
