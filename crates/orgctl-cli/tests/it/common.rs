//! Running the real binary and snapshotting what it prints.

#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test helpers fail the test by panicking, like the tests themselves, and note a skip on stderr"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of `orgctl` did.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The exit code, stdout and stderr as one text for a snapshot.
    pub fn snapshot(&self) -> String {
        format!(
            "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The DocuStack example directory (holds `policies/`).
pub fn docustack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack")
}

/// A fresh copy of the DocuStack spec and its policies (no sandbox, no generated files).
pub fn docustack_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("copying the DocuStack example");
    let src = docustack();
    std::fs::copy(src.join("org.hcl"), dir.path().join("org.hcl"))
        .expect("copying the DocuStack example");
    std::fs::create_dir_all(dir.path().join("policies")).expect("copying the DocuStack example");
    for entry in std::fs::read_dir(src.join("policies")).expect("copying the DocuStack example") {
        let entry = entry.expect("copying the DocuStack example");
        std::fs::copy(
            entry.path(),
            dir.path().join("policies").join(entry.file_name()),
        )
        .expect("copying the DocuStack example");
    }
    dir
}

/// Runs `orgctl ARGS` in `cwd`, with `stdin` as standard input, without colour.
pub fn orgctl(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("orgctl starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("stdin is written");
    }
    let out = child.wait_with_output().expect("orgctl finishes");
    Output {
        code: out.status.code().expect("orgctl exits normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary directory holding `files` (name, content).
pub fn temp_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(path, content).expect("file is written");
    }
    dir
}

/// Snapshot filters that hide `dir` (however it is spelled) behind `[TEMP]`.
pub fn filters(dir: &Path) -> Vec<(String, &'static str)> {
    let mut spellings = vec![dir.display().to_string()];
    if let Ok(canonical) = dir.canonicalize() {
        spellings.push(canonical.display().to_string());
    }
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    spellings
        .iter()
        .map(|s| (regex_escape(s), "[TEMP]"))
        .collect()
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Asserts a snapshot of `output` with `dir` filtered out.
#[macro_export]
macro_rules! assert_run {
    ($name:expr, $output:expr, $dir:expr) => {{
        let filters = $crate::common::filters($dir);
        let filters: Vec<(&str, &str)> = filters.iter().map(|(r, s)| (r.as_str(), *s)).collect();
        insta::with_settings!({filters => filters, prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $output.snapshot());
        });
    }};
    ($name:expr, $output:expr) => {{
        insta::with_settings!({prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $output.snapshot());
        });
    }};
}

/// DocuStack's management account, the caller moto sees in the tests against it.
pub const MOTO_CALLER: &str = "348665872333";

/// A moto whose callers are DocuStack's management account, or `None` (with a note) when the
/// oracles may be skipped and it cannot start.
pub fn moto() -> Option<orgctl_testkit::Moto> {
    match orgctl_testkit::Moto::start_as(MOTO_CALLER) {
        Ok(m) => Some(m),
        Err(e) if orgctl_testkit::oracles_skipped() => {
            eprintln!("note: skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// DocuStack's spec with Dev created rather than invited and GuardDuty as the one delegated
/// service: what moto can serve.
pub fn docustack_for_moto() -> tempfile::TempDir {
    let dir = docustack_copy();
    let path = dir.path().join("org.hcl");
    let spec = std::fs::read_to_string(&path)
        .expect("the copied spec")
        .replace("  id    = \"216482851263\"\n", "")
        .replace(
            "services = [\"securityhub.amazonaws.com\", \"guardduty.amazonaws.com\", \"config.amazonaws.com\"]",
            "services = [\"guardduty.amazonaws.com\"]",
        );
    assert!(!spec.contains("216482851263"));
    std::fs::write(path, spec).expect("the spec written");
    dir
}
