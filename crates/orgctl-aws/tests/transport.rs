//! Failures before any AWS answer, and connecting: no moto needed. Every backend here has
//! fixed credentials and an explicit region, so that nothing asks the instance metadata
//! service.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::net::{Ipv4Addr, TcpListener};
use std::time::Instant;

use orgctl_aws::{AwsBackend, AwsOptions};
use orgctl_org::{Backend, BackendError};

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_endpoint_nobody_listens_on_is_named_with_what_to_check() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let backend = AwsBackend::connect(AwsOptions {
        endpoint_url: Some(endpoint.clone()),
        static_credentials: Some(("testing".into(), "testing".into())),
        region: Some("us-east-1".into()),
        ..AwsOptions::default()
    })
    .unwrap();
    let started = Instant::now();
    let err = backend.read_state(&[]).unwrap_err();
    eprintln!("gave up after {:?}", started.elapsed());
    let BackendError::Backend { message, help, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains(&endpoint), "{message}");
    assert!(help.contains("--endpoint-url"), "{help}");
}

#[test]
fn an_explicit_region_is_the_backend_s() {
    // Only explicit regions here: the standard chain would ask the instance metadata
    // service, which tests must not reach.
    let backend = AwsBackend::connect(AwsOptions {
        region: Some("ap-southeast-2".into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        ..AwsOptions::default()
    })
    .unwrap();
    assert_eq!(backend.region(), "ap-southeast-2");
    assert_eq!(backend.kind(), "aws");
    assert_eq!(backend.call_counts().total(), 0);
}
