//! Creates whose answer is lost: moto runs the request, the proxy in front of it drops the
//! connection before the answer reaches the backend. The backend must not create a second
//! OU, policy or account on its retry, and must return the id of the one that was made.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::BTreeMap;

use orgctl_org::{Backend, CreateAccountState, PolicyKind};
use orgctl_testkit::{FaultProxy, FaultRates};

use support::{MGMT, connect, moto};

const DENY_NOTHING: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::nothing"}]}"#;

#[test]
fn a_create_whose_answer_is_lost_is_not_made_twice() {
    let Some(moto) = moto() else { return };
    let proxy = FaultProxy::start(moto.port(), FaultRates::default(), 1).unwrap();
    let mut backend = connect(&proxy.endpoint());
    backend.create_organization(MGMT).unwrap();
    let root = backend
        .read_state(&[])
        .unwrap()
        .organization
        .unwrap()
        .root_id;
    backend.enable_policy_type(&root, PolicyKind::Scp).unwrap();

    proxy.lose_next_answer("CreateOrganizationalUnit");
    let unit = backend.create_unit(&root, "Workloads").unwrap();

    proxy.lose_next_answer("CreatePolicy");
    let policy = backend
        .create_policy(PolicyKind::Scp, "DenyNothing", "test", DENY_NOTHING)
        .unwrap();

    proxy.lose_next_answer("CreateAccount");
    let request = backend
        .create_account("Dev", "dev@example.com", &BTreeMap::new())
        .unwrap();
    let status = backend
        .describe_create_account(&request.request_id)
        .unwrap();
    assert_eq!(status.state, CreateAccountState::Succeeded);

    assert_eq!(proxy.counts().dropped_after, 3, "{:?}", proxy.counts());
    let state = connect(&moto.endpoint()).read_state(&[]).unwrap();
    let units: Vec<_> = state
        .units
        .iter()
        .filter(|u| u.name == "Workloads")
        .collect();
    assert_eq!(units.len(), 1, "{units:?}");
    assert_eq!(units[0].id, unit);
    let policies: Vec<_> = state
        .policies
        .iter()
        .filter(|p| p.name == "DenyNothing")
        .collect();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].id, policy);
    let accounts: Vec<_> = state
        .accounts
        .iter()
        .filter(|a| a.email == "dev@example.com")
        .collect();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(Some(&accounts[0].id), status.account_id.as_ref());
}
