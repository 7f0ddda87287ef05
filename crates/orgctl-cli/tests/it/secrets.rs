//! Credentials never reach what orgctl writes: its output and errors, the apply journal, the
//! spec directory's `.orgctl/` and `infrastructure-live/`, reports.
//!
//! The runs carry distinctive credentials (in the environment, then in a profile) and go
//! through the AWS backend's paths on moto: plan, apply, audit, account vending, the report,
//! prove; then failing runs: moto rejecting the credentials, an unreachable endpoint, and a
//! server that denies every call with an error message quoting the whole signed request
//! (authorization header and session token included), as a proxy or a service might. Every
//! byte written is then searched for each credential, as written, base64- and
//! percent-encoded, for the credentials of every role moto handed out, and for anything shaped
//! like an access key id.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use orgctl_testkit::Moto;

const KEY_ID: &str = "AKIAORGCTLSECRETTEST";
const SECRET_KEY: &str = "orgctlSecretAccessKey/NeverPrint+0123456789";
const SESSION_TOKEN: &str =
    "IQoJb3JpZ2luX2VjEOrgctlSessionTokenNeverPrint/abcdefghijklmnopqrstuvwxyz+0123456789==";

/// What one run printed.
struct Run {
    what: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// Where the credentials come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    Environment,
    /// A profile in these shared credentials and config files.
    Profile(&'a Path, &'a Path),
}

/// Runs `orgctl ARGS --backend aws --endpoint-url ENDPOINT` with the test's credentials.
fn orgctl(endpoint: &str, source: Source<'_>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orgctl"));
    cmd.args(args)
        .args(["--backend", "aws", "--endpoint-url", endpoint])
        .env("NO_COLOR", "1")
        // Messages on one line each, for the checks below.
        .env("COLUMNS", "10000")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null());
    match source {
        Source::Environment => {
            cmd.env("AWS_ACCESS_KEY_ID", KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
                .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
                .env("AWS_CONFIG_FILE", "/nonexistent/config");
        }
        Source::Profile(credentials, config) => {
            cmd.args(["--profile", "orgctl-secrets"])
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_SESSION_TOKEN")
                .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
                .env("AWS_CONFIG_FILE", config);
        }
    }
    let out = cmd.output().unwrap();
    Run {
        what: format!("orgctl {}", args.join(" ")),
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every run and every file written, to be searched.
#[derive(Default)]
struct Written {
    texts: Vec<(String, Vec<u8>)>,
}

impl Written {
    fn run(&mut self, run: Run) -> Run {
        self.texts.push((
            format!("{} (stdout)", run.what),
            run.stdout.clone().into_bytes(),
        ));
        self.texts.push((
            format!("{} (stderr)", run.what),
            run.stderr.clone().into_bytes(),
        ));
        run
    }

    /// Every file under `path` (recursively), or the file itself.
    fn files(&mut self, path: &Path) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                self.files(&entry.unwrap().path());
            }
        } else if path.is_file() {
            self.texts
                .push((path.display().to_string(), std::fs::read(path).unwrap()));
        }
    }

    /// Fails naming each place a needle or an access key id was found.
    fn check(&self, needles: &[(String, String)]) {
        let index = Needles::new(needles);
        let found: Vec<String> = self
            .texts
            .iter()
            .flat_map(|(place, bytes)| {
                index
                    .find(bytes)
                    .into_iter()
                    .map(move |what| format!("{what} in {place}"))
            })
            .collect();
        assert!(
            found.is_empty(),
            "credentials leaked:\n{}",
            found.join("\n")
        );
    }
}

/// Needles by their first 16 bytes, so that one pass over a text finds them all.
struct Needles<'a> {
    by_prefix: HashMap<[u8; 16], Vec<&'a (String, String)>>,
}

impl<'a> Needles<'a> {
    fn new(needles: &'a [(String, String)]) -> Self {
        let mut by_prefix: HashMap<[u8; 16], Vec<_>> = HashMap::new();
        for needle in needles {
            let prefix = needle.1.as_bytes().first_chunk::<16>();
            let prefix = prefix.unwrap_or_else(|| panic!("{} is shorter than 16 bytes", needle.0));
            by_prefix.entry(*prefix).or_default().push(needle);
        }
        Self { by_prefix }
    }

    /// What is in `bytes`: needles by label, and access key ids (`AKIA`/`ASIA` and 16 more
    /// capitals or digits).
    fn find(&self, bytes: &[u8]) -> BTreeSet<String> {
        let id_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        let mut found = BTreeSet::new();
        for i in 0..bytes.len() {
            let rest = &bytes[i..];
            let Some(prefix) = rest.first_chunk::<16>() else {
                break;
            };
            if let Some(list) = self.by_prefix.get(prefix) {
                for (label, needle) in list {
                    if rest.starts_with(needle.as_bytes()) {
                        found.insert(label.clone());
                    }
                }
            }
            if (rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA"))
                && (i == 0 || !id_char(bytes[i - 1]))
                && rest.len() >= 20
                && rest[..20].iter().all(|&b| id_char(b))
                && rest.get(20).is_none_or(|&b| !id_char(b))
            {
                found.insert(format!(
                    "an access key id ({})",
                    String::from_utf8_lossy(&rest[..20])
                ));
            }
        }
        found
    }
}

fn base64(data: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Each secret as written, in base64 (standard and URL-safe, without the padding that depends
/// on what follows) and percent-encoded.
fn needles(secrets: &[(&str, String)]) -> Vec<(String, String)> {
    const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    for (label, secret) in secrets {
        out.push(((*label).to_owned(), secret.clone()));
        for (name, alphabet) in [("base64", STANDARD), ("base64url", URL_SAFE)] {
            let encoded = base64(secret.as_bytes(), alphabet)
                .trim_end_matches('=')
                .to_owned();
            if !out.iter().any(|(_, n)| *n == encoded) {
                out.push((format!("{label} ({name})"), encoded));
            }
        }
        let encoded = percent_encoded(secret);
        if encoded != *secret {
            out.push((format!("{label} (percent-encoded)"), encoded));
        }
    }
    out
}

/// One HTTP request to moto's own API; the body of the answer.
fn moto_api(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{method} {path}: {answer}"
    );
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    // moto's server answers with chunks when it streams; data.json comes in one piece.
    body.to_owned()
}

/// The credentials of every role session moto handed out.
fn assumed_credentials(moto: &Moto) -> Vec<(&'static str, String)> {
    let body = moto_api(moto.port(), "GET", "/moto-api/data.json", "");
    let start = body.find('{').unwrap();
    let end = body.rfind('}').unwrap();
    let data: serde_json::Value = serde_json::from_str(&body[start..=end]).unwrap();
    let mut out = Vec::new();
    for role in data["sts"]["AssumedRole"].as_array().unwrap() {
        for (label, field) in [
            ("an assumed role's access key id", "access_key_id"),
            ("an assumed role's secret access key", "secret_access_key"),
            ("an assumed role's session token", "session_token"),
        ] {
            out.push((label, role[field].as_str().unwrap().to_owned()));
        }
    }
    out
}

/// A server that answers requests with a 403 whose message quotes the request head: the
/// authorization header (access key id, signature) and the session token. With an upstream,
/// it answers so only the requests whose first line `deny` picks and passes the others on.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// `code` is the error code of the answers (`AccessDenied`, `InvalidClientTokenId`).
    fn start(upstream: Option<u16>, deny: fn(&str) -> bool, code: &'static str) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve(stream, upstream, deny, code);
                }
            }
        });
        Self {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request: passed on to `upstream` (on a connection of its own, closed after the
/// answer), or answered with an error quoting it.
fn serve(
    mut stream: TcpStream,
    upstream: Option<u16>,
    deny: fn(&str) -> bool,
    code: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push(line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    if let Some(port) = upstream
        && !head.first().is_some_and(|l| deny(l))
    {
        let mut up = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
        for line in &head {
            if !line.to_ascii_lowercase().starts_with("connection:") {
                write!(up, "{line}\r\n")?;
            }
        }
        write!(up, "Connection: close\r\n\r\n")?;
        up.write_all(&body)?;
        let mut answer = Vec::new();
        up.read_to_end(&mut answer)?;
        stream.write_all(&answer)?;
        return stream.flush();
    }
    let quoted = format!(
        "request {} with body {}",
        head.join(" | "),
        String::from_utf8_lossy(&body)
    );
    let lower: Vec<String> = head.iter().map(|h| h.to_ascii_lowercase()).collect();
    let (content_type, text) = if lower.iter().any(|h| h.starts_with("x-amz-target:")) {
        // The JSON protocols (Organizations, DynamoDB).
        let message = serde_json::to_string(&quoted).unwrap();
        (
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":{message}}}"#),
        )
    } else {
        let message = quoted
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let error = format!(
            "<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        );
        if lower.iter().any(|h| h.contains("x-www-form-urlencoded")) {
            // The query protocol (STS).
            (
                "text/xml",
                format!("<ErrorResponse>{error}<RequestId>1</RequestId></ErrorResponse>"),
            )
        } else {
            // S3's.
            ("application/xml", error)
        }
    };
    write!(
        stream,
        "HTTP/1.1 403 Forbidden\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

#[test]
fn credentials_never_reach_output_journal_files_or_reports() {
    let Some(moto) = crate::common::moto() else {
        return;
    };
    let dir = crate::common::docustack_for_moto();
    let d = dir.path().to_str().unwrap().to_owned();
    let endpoint = moto.endpoint();
    let env = Source::Environment;
    let mut written = Written::default();

    // An apply that fails part-way: a member account's state bucket is refused with an
    // error quoting the request, signed with the access role's credentials from STS. It
    // leaves its journal.
    let run = written.run(orgctl(&endpoint, env, &["plan", &d, "--format", "json"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    {
        let proxy = Server::start(
            Some(moto.port()),
            // A member account's bucket, created with the access role's credentials.
            |line| {
                line.starts_with("PUT /docustack-terraform-state-")
                    && !line.contains("348665872333")
            },
            "AccessDenied",
        );
        let run = written.run(orgctl(&proxy.endpoint(), env, &["apply", &d, "--yes"]));
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("x-amz-security-token: ***"),
            "the answer quoting the request reached the error: {}",
            run.stderr
        );
    }
    assert!(dir.path().join(".orgctl/journal.jsonl").exists());
    written.files(&dir.path().join(".orgctl"));

    // The rest of the organization built and looked at.
    let run = written.run(orgctl(&endpoint, env, &["apply", &d, "--yes"]));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = written.run(orgctl(&endpoint, env, &["plan", &d, "--format", "json"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = written.run(orgctl(&endpoint, env, &["audit", &d, "--format", "json"]));
    assert!(matches!(run.code, 0 | 4), "{}", run.stderr);
    let run = written.run(orgctl(
        &endpoint,
        env,
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            &d,
        ],
    ));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = dir.path().join("report.html");
    let run = written.run(orgctl(
        &endpoint,
        env,
        &["report", &d, "--out", report.to_str().unwrap()],
    ));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // prove reads the spec only; it runs with the same environment all the same.
    let prove = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .args(["prove", &d, "--account", "dev", "--format", "json"])
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .output()
        .unwrap();
    written
        .texts
        .push(("orgctl prove (stdout)".into(), prove.stdout));
    written
        .texts
        .push(("orgctl prove (stderr)".into(), prove.stderr));

    // Moto now checks credentials: it does not know these, and rejects every call.
    moto_api(moto.port(), "POST", "/moto-api/reset-auth", "0");
    for args in [
        &["plan", &d][..],
        &["apply", &d, "--yes"],
        &["audit", &d, "--format", "json"],
        &[
            "account",
            "create",
            "QA2",
            "--ou",
            "workloads",
            "--email",
            "aws-qa2@docustack.example",
            "--dir",
            &d,
        ],
    ] {
        let run = written.run(orgctl(&endpoint, env, args));
        assert_eq!(run.code, 1, "{}: {}{}", run.what, run.stdout, run.stderr);
    }

    // Nothing listens on port 9 of loopback.
    for args in [&["plan", &d][..], &["apply", &d, "--yes"]] {
        let run = written.run(orgctl("http://127.0.0.1:9", env, args));
        assert_eq!(run.code, 1, "{}: {}", run.what, run.stderr);
    }

    // Denied and rejected calls whose messages quote the signed request, with the
    // credentials from the environment and from a profile.
    let profiles = tempfile::tempdir().unwrap();
    let credentials = profiles.path().join("credentials");
    let config = profiles.path().join("config");
    std::fs::write(
        &credentials,
        format!(
            "[orgctl-secrets]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\naws_session_token = {SESSION_TOKEN}\n"
        ),
    )
    .unwrap();
    std::fs::write(&config, "[profile orgctl-secrets]\nregion = us-east-1\n").unwrap();
    let profile = Source::Profile(&credentials, &config);
    for code in ["AccessDenied", "InvalidClientTokenId"] {
        let echo = Server::start(None, |_| true, code);
        for source in [env, profile] {
            for args in [
                &["plan", &d, "--format", "json"][..],
                &["apply", &d, "--yes"],
                &["audit", &d, "--format", "json"],
                &[
                    "account",
                    "create",
                    "QA3",
                    "--ou",
                    "workloads",
                    "--email",
                    "aws-qa3@docustack.example",
                    "--dir",
                    &d,
                ],
            ] {
                let run = written.run(orgctl(&echo.endpoint(), source, args));
                assert_eq!(run.code, 1, "{}: {}{}", run.what, run.stdout, run.stderr);
                // The server's message did reach the error, masked.
                assert!(
                    run.stderr.contains("Credential=***/")
                        && run.stderr.contains("x-amz-security-token: ***"),
                    "{}: {}",
                    run.what,
                    run.stderr
                );
            }
        }
    }

    // Everything the runs left in the spec directory: the journal and the rest of .orgctl/,
    // infrastructure-live/, the report, the spec file account vending edited.
    written.files(&dir.path().join(".orgctl"));
    written.files(&dir.path().join("infrastructure-live"));
    written.files(&report);
    written.files(&dir.path().join("org.hcl"));

    let mut secrets = vec![
        ("the access key id", KEY_ID.to_owned()),
        ("the secret access key", SECRET_KEY.to_owned()),
        ("the session token", SESSION_TOKEN.to_owned()),
    ];
    let assumed = assumed_credentials(&moto);
    assert!(
        !assumed.is_empty(),
        "apply assumed the access role in member accounts"
    );
    secrets.extend(assumed);
    written.check(&needles(&secrets));
}

#[test]
fn the_search_finds_what_it_looks_for() {
    const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert_eq!(
        base64(b"any carnal pleas", STANDARD),
        "YW55IGNhcm5hbCBwbGVhcw=="
    );
    let needles = needles(&[("the secret access key", SECRET_KEY.to_owned())]);
    let index = Needles::new(&needles);
    let text = format!("x {} y", base64(SECRET_KEY.as_bytes(), STANDARD));
    assert_eq!(
        index.find(text.as_bytes()).into_iter().collect::<Vec<_>>(),
        ["the secret access key (base64)"]
    );
    assert_eq!(
        index
            .find(format!("{SECRET_KEY} ASIAABCDEFGHIJKLMNOP.").as_bytes())
            .into_iter()
            .collect::<Vec<_>>(),
        [
            "an access key id (ASIAABCDEFGHIJKLMNOP)",
            "the secret access key"
        ]
    );
    for clean in [
        &b"AKIA****************"[..],
        b"XAKIAABCDEFGHIJKLMNOP",
        b"AKIAABCDEFGHIJKLMNOPQ",
    ] {
        assert!(index.find(clean).is_empty());
    }
}
