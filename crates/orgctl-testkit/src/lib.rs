//! Test support: starts moto's AWS emulation server (installed by `scripts/setup-oracles` into
//! `oracles/.venv`) on 127.0.0.1 on a free port, and stops it when dropped.
//!
//! [`FaultProxy`] sits between the AWS backend and moto and answers some requests with
//! throttling, server errors or a dropped connection instead, at a seeded rate.
//!
//! Tests never reach the internet: the server listens on loopback only, and the AWS backend is
//! pointed at it with an endpoint URL and fixed test credentials.

mod proxy;

pub use proxy::{FaultCounts, FaultProxy, FaultRates};

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    port: u16,
}

/// Why moto could not be started.
#[derive(Debug)]
pub enum MotoError {
    /// `oracles/.venv/bin/moto_server` is missing.
    NotInstalled(PathBuf),
    /// It did not start or did not listen in time.
    Start(String),
}

impl std::fmt::Display for MotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotInstalled(path) => write!(
                f,
                "moto is not installed ({} is missing): run scripts/setup-oracles",
                path.display()
            ),
            Self::Start(why) => write!(f, "moto did not start: {why}"),
        }
    }
}

impl std::error::Error for MotoError {}

/// The workspace root, from this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The moto server executable the setup script installs.
pub fn moto_executable() -> PathBuf {
    workspace_root().join("oracles/.venv/bin/moto_server")
}

fn free_port() -> Result<u16, MotoError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| MotoError::Start(format!("no free port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| MotoError::Start(e.to_string()))
}

impl Moto {
    /// Starts a server whose default account (the caller's, and so the management account
    /// of an organization created through it) is moto's own, `123456789012`.
    ///
    /// # Errors
    /// When moto is not installed or does not come up within 60 seconds.
    pub fn start() -> Result<Self, MotoError> {
        Self::start_as("123456789012")
    }

    /// Starts a server whose callers are `account_id` (`MOTO_ACCOUNT_ID`) and waits until it
    /// accepts connections.
    ///
    /// # Errors
    /// When moto is not installed or does not come up within 60 seconds.
    pub fn start_as(account_id: &str) -> Result<Self, MotoError> {
        let exe = moto_executable();
        if !exe.exists() {
            return Err(MotoError::NotInstalled(exe));
        }
        let mut last = String::new();
        // A port found free can be taken before moto binds it: try a few.
        for _ in 0..5 {
            let port = free_port()?;
            let child = Command::new(&exe)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("MOTO_ACCOUNT_ID", account_id)
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| MotoError::Start(format!("{}: {e}", exe.display())))?;
            let mut moto = Self { child, port };
            let deadline = Instant::now() + Duration::from_secs(60);
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            while Instant::now() < deadline {
                if let Ok(Some(status)) = moto.child.try_wait() {
                    last = format!("exited with {status}");
                    break;
                }
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Ok(moto);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if last.is_empty() {
                last = "did not listen within 60 s".to_owned();
            }
        }
        Err(MotoError::Start(last))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Forgets everything the server holds (`POST /moto-api/reset`), as a fresh start would,
    /// in a fraction of the time.
    ///
    /// # Errors
    /// When the server does not answer 200.
    pub fn reset(&self) -> Result<(), MotoError> {
        use std::io::{Read as _, Write as _};
        let fail = |e: std::io::Error| MotoError::Start(format!("reset: {e}"));
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).map_err(fail)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(fail)?;
        write!(
            stream,
            "POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .map_err(fail)?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(fail)?;
        if answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200") {
            Ok(())
        } else {
            Err(MotoError::Start(format!(
                "reset answered {}",
                answer.lines().next().unwrap_or_default()
            )))
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether tests that need the oracles may be skipped (`ORGCTL_SKIP_ORACLES=1`).
pub fn oracles_skipped() -> bool {
    std::env::var_os("ORGCTL_SKIP_ORACLES").is_some_and(|v| v == "1")
}
