//! Shared test support: starting moto, connecting the backend to it, and a second kind of
//! moto server in which accounts are really separate.

#![allow(dead_code, reason = "each test file uses a part")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test code"
)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgctl_aws::{AwsBackend, AwsOptions};
use orgctl_org::plan::BootstrapTemplate;
use orgctl_org::{BootstrapProbe, BucketState, Encryption};
use orgctl_testkit::Moto;

/// DocuStack's management account, the caller in every testkit moto.
pub const MGMT: &str = "348665872333";

/// The testkit's moto with callers in [`MGMT`], or `None` (with a note) when oracles may
/// be skipped and moto cannot start.
pub fn moto() -> Option<Moto> {
    match Moto::start_as(MGMT) {
        Ok(m) => Some(m),
        Err(e) if orgctl_testkit::oracles_skipped() => {
            eprintln!("skipped: {e} (ORGCTL_SKIP_ORACLES=1)");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// A backend pointed at `endpoint` with moto's test credentials, in us-east-1.
pub fn connect(endpoint: &str) -> AwsBackend {
    AwsBackend::connect(AwsOptions {
        endpoint_url: Some(endpoint.to_owned()),
        static_credentials: Some(("testing".into(), "testing".into())),
        region: Some("us-east-1".into()),
        ..AwsOptions::default()
    })
    .unwrap()
}

/// Bootstrap settings as a spec would give them.
pub fn template(prefix: &str) -> BootstrapTemplate {
    BootstrapTemplate {
        bucket_prefix: prefix.to_owned(),
        region: "us-east-1".to_owned(),
        encryption: Encryption::Kms,
        noncurrent_days: 90,
        lock_table: Some(format!("{prefix}-terraform-locks")),
        account_regional_namespace: false,
    }
}

/// A state bucket as bootstrap wants it in `account_id`.
pub fn state_bucket(account_id: &str, prefix: &str) -> BucketState {
    template(prefix).bucket(account_id)
}

/// What a probe of `bucket` (and the template's table) in `account_id` looks like.
pub fn probe(account_id: &str, bucket: &str, table: Option<&str>) -> BootstrapProbe {
    BootstrapProbe {
        account_id: account_id.to_owned(),
        bucket: bucket.to_owned(),
        table: table.map(str::to_owned),
        region: "us-east-1".to_owned(),
    }
}

/// A moto server started without `MOTO_ACCOUNT_ID`, so that each request runs in the
/// account its credentials belong to (`testing` is 123456789012; assumed roles are their
/// role's account), and with cross-account S3 access refused as AWS refuses it when
/// `ExpectedBucketOwner` does not match. The testkit's moto puts every request in one
/// account, where no other account can own a bucket.
#[derive(Debug)]
pub struct AccountsMoto {
    child: Child,
    port: u16,
}

/// The caller account of an [`AccountsMoto`].
pub const MOTO_DEFAULT_ACCOUNT: &str = "123456789012";

impl AccountsMoto {
    /// Starts it on a free loopback port; `None` when oracles may be skipped and moto is
    /// missing.
    pub fn start() -> Option<Self> {
        let exe = orgctl_testkit::moto_executable();
        if !exe.exists() {
            let e = orgctl_testkit::MotoError::NotInstalled(exe);
            if orgctl_testkit::oracles_skipped() {
                eprintln!("skipped: {e} (ORGCTL_SKIP_ORACLES=1)");
                return None;
            }
            panic!("{e}");
        }
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_remove("MOTO_ACCOUNT_ID")
            .env("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut moto = Self { child, port };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto exited with {status}");
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Some(moto);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not listen on {addr} within 60 s");
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for AccountsMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
