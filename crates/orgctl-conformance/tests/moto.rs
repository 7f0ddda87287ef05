//! The conformance suite against the AWS backend talking to moto's server on 127.0.0.1.
//! Checks moto does not emulate are listed as gaps with the reason; everything else must pass
//! exactly as on the sandbox.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use orgctl_aws::{AwsBackend, AwsOptions};
use orgctl_conformance::{Gaps, Setup, checks, run};
use orgctl_testkit::{Moto, oracles_skipped};

#[test]
fn the_aws_backend_conforms_against_moto() {
    let setup = Setup {
        management_account_id: "348665872333".to_owned(),
        region: "us-east-1".to_owned(),
    };
    let moto = match Moto::start_as(&setup.management_account_id) {
        Ok(m) => m,
        Err(e) if oracles_skipped() => {
            eprintln!("note: skipped: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let mut backend = AwsBackend::connect(AwsOptions {
        region: Some(setup.region.clone()),
        endpoint_url: Some(moto.endpoint()),
        static_credentials: Some(("testing".to_owned(), "testing".to_owned())),
        ..AwsOptions::default()
    })
    .unwrap();
    let gaps = Gaps {
        skipped: MOTO_GAPS.to_vec(),
    };
    let report = run(&mut backend, &setup, &gaps);
    eprintln!("{}", report.summary());
    assert!(report.failed.is_empty(), "{}", report.summary());
    assert_eq!(report.passed.len() + report.skipped.len(), checks().len());
}

/// What moto 5.2.5 does not emulate, found by running this suite against it.
const MOTO_GAPS: &[(&str, &str)] = &[
    (
        "a duplicate OU name is refused",
        "moto creates a second OU of the same name under the same parent (AWS: DuplicateOrganizationalUnitException)",
    ),
    (
        "a move from the wrong parent is refused",
        "moto ignores MoveAccount's SourceParentId (AWS: SourceParentNotFoundException)",
    ),
    (
        "a policy attached twice is refused",
        "moto accepts a second identical attachment (AWS: DuplicatePolicyAttachmentException)",
    ),
    (
        "the last SCP of a node cannot be detached",
        "moto lets a node lose its last SCP (AWS: ConstraintViolation MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED)",
    ),
    (
        "an OU holding an account cannot be deleted",
        "moto deletes an OU with an account in it (AWS: OrganizationalUnitNotEmptyException)",
    ),
];
