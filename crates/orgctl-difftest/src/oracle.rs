//! Running the iam-simulate oracle (`oracles/iam-simulate-batch.mjs`) once over many lines.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use orgctl_eval::Outcome;
use serde_json::Value;

/// What the oracle said about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A decision.
    Decision(Outcome),
    /// The oracle refused the line.
    Error(String),
}

/// The workspace's oracle script.
pub fn default_script() -> PathBuf {
    workspace_root().join("oracles/iam-simulate-batch.mjs")
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Whether the oracle's npm packages are installed next to `script`.
pub fn installed(script: &Path) -> bool {
    script.parent().is_some_and(|dir| {
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .is_dir()
    })
}

/// Reads a decision name.
pub fn outcome(name: &str) -> Option<Outcome> {
    match name {
        "Allow" => Some(Outcome::Allow),
        "ExplicitDeny" => Some(Outcome::ExplicitDeny),
        "ImplicitDeny" => Some(Outcome::ImplicitDeny),
        _ => None,
    }
}

/// Runs `node script` once, streaming `lines` (each with a numeric `id` equal to its index)
/// to its stdin from a separate thread, and returns one answer per line, by index.
///
/// # Errors
/// When node cannot be started, fails, or answers with fewer or unreadable lines.
pub fn run(script: &Path, lines: &[String]) -> Result<Vec<Answer>, String> {
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start node {}: {e}", script.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let input: Vec<String> = lines.to_vec();
    let writer = thread::spawn(move || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut stdin);
        for line in &input {
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
        w.flush()
        // stdin is dropped here, closing the pipe.
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if text.len() < 4000 {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });

    let mut answers: HashMap<u64, Answer> = HashMap::with_capacity(lines.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading oracle output: {e}"))?;
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| format!("oracle wrote a line that is not JSON ({e}): {line}"))?;
        let Some(id) = v.get("id").and_then(Value::as_u64) else {
            return Err(format!("oracle line without a numeric id: {line}"));
        };
        let answer = match (v.get("decision").and_then(Value::as_str), v.get("error")) {
            (Some(d), _) => {
                Answer::Decision(outcome(d).ok_or_else(|| format!("unknown decision: {line}"))?)
            }
            (None, Some(e)) => Answer::Error(e.as_str().unwrap_or_default().to_owned()),
            (None, None) => return Err(format!("oracle line without decision: {line}")),
        };
        answers.insert(id, answer);
    }
    let status = child.wait().map_err(|e| format!("waiting for node: {e}"))?;
    let write_result = writer.join();
    let stderr_text = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("oracle exited with {status}: {stderr_text}"));
    }
    match write_result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("writing to the oracle: {e}: {stderr_text}")),
        Err(_) => return Err("the writer thread failed".into()),
    }
    (0..lines.len() as u64)
        .map(|i| {
            answers
                .remove(&i)
                .ok_or_else(|| format!("the oracle gave no answer for line {i}"))
        })
        .collect()
}
