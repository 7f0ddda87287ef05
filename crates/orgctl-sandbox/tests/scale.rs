//! `read_state` on a large organization: 2,000 accounts, 200 OUs, 500 policies and about
//! 3,000 attachments, in a file, read completely and the same every time. (Its speed is
//! measured by `scripts/bench-scale`, not here.)

use std::collections::BTreeMap;

use orgctl_org::{Backend, BucketState, PolicyKind};
use orgctl_sandbox::{Sandbox, SandboxOptions};

const MGMT: &str = "111111111111";

#[test]
fn read_state_on_a_large_organization_is_complete_and_stable() {
    let dir = tempfile::tempdir().unwrap();
    let mut sb = Sandbox::open(
        &dir.path().join("big.sqlite"),
        SandboxOptions {
            management_account_id: MGMT.into(),
            ..SandboxOptions::default()
        },
    )
    .unwrap();
    sb.create_organization(MGMT).unwrap();
    let root = sb.read_state(&[]).unwrap().organization.unwrap().root_id;
    sb.enable_policy_type(&root, PolicyKind::Scp).unwrap();

    // 20 top-level OUs with 9 children each: 200 OUs.
    let mut units = Vec::new();
    for top in 0..20 {
        let parent = sb.create_unit(&root, &format!("Top{top}")).unwrap();
        for child in 0..9 {
            units.push(sb.create_unit(&parent, &format!("Child{child}")).unwrap());
        }
        units.push(parent);
    }
    let tags = BTreeMap::from([("team".to_owned(), "platform".to_owned())]);
    let mut accounts = Vec::new();
    for i in 0..1_999 {
        let started = sb
            .create_account(&format!("acct{i}"), &format!("acct{i}@example.com"), &tags)
            .unwrap();
        sb.describe_create_account(&started.request_id).unwrap();
        let done = sb.describe_create_account(&started.request_id).unwrap();
        let id = done.account_id.unwrap();
        let unit = &units[i % units.len()];
        sb.move_account(&id, &root, unit).unwrap();
        accounts.push(id);
    }
    for i in 0..500 {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Deny{i}","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceTag/p":"{i}"}}}}}}]}}"#
        );
        let id = sb
            .create_policy(PolicyKind::Scp, &format!("Policy{i}"), "generated", &doc)
            .unwrap();
        sb.attach_policy(&id, &units[i % units.len()]).unwrap();
        sb.attach_policy(&id, &accounts[i]).unwrap();
    }
    for account in accounts.iter().take(50) {
        sb.put_bucket(&BucketState {
            account_id: account.clone(),
            name: format!("tf-state-{account}"),
            region: "us-east-1".into(),
            versioning: true,
            encryption: None,
            public_access_block: true,
            policy: None,
            noncurrent_expiration_days: None,
            object_lock: false,
        })
        .unwrap();
    }

    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.accounts.len(), 2_000);
    assert_eq!(state.units.len(), 200);
    assert_eq!(state.policies.len(), 501);
    assert!(
        state.attachments.len() >= 3_000,
        "{}",
        state.attachments.len()
    );

    let again = sb.read_state(&[]).unwrap();
    assert_eq!(again, state);
    assert_eq!(again.fingerprint(), state.fingerprint());
}
