//! The spec directory as apply sees it: the files it writes, its journal and its lock, all
//! under `.orgctl/` beside the spec except the generated configuration.

use std::fs::{self, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Component, Path, PathBuf};

use crate::apply::ApplyError;

/// A spec directory.
#[derive(Debug, Clone)]
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    /// The workspace of the spec in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The spec directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where orgctl keeps its own files: the sandbox, the journal, the lock.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join(".orgctl")
    }

    /// The apply journal.
    pub fn journal_path(&self) -> PathBuf {
        self.state_dir().join("journal.jsonl")
    }

    /// The apply lock.
    pub fn lock_path(&self) -> PathBuf {
        self.state_dir().join("apply.lock")
    }

    /// A path under the spec directory; `None` for absolute paths or ones that climb out.
    pub fn resolve(&self, relative: &Path) -> Option<PathBuf> {
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return None;
        }
        Some(self.dir.join(relative))
    }

    /// Reads a file under the spec directory.
    pub fn read_file(&self, relative: &Path) -> Option<String> {
        fs::read_to_string(self.resolve(relative)?).ok()
    }

    /// Writes a file under the spec directory: to a temporary file first, then renamed, so
    /// a crash never leaves half a file.
    ///
    /// # Errors
    /// When the path leaves the directory or the write fails.
    pub fn write_file(&self, relative: &Path, content: &str) -> Result<(), ApplyError> {
        let path = self.resolve(relative).ok_or_else(|| ApplyError::Io {
            path: relative.to_path_buf(),
            message: "the path leaves the spec directory".to_owned(),
        })?;
        let io = |e: std::io::Error| ApplyError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io)?;
        }
        let tmp = path.with_extension("orgctl-tmp");
        fs::write(&tmp, content).map_err(io)?;
        fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }

    /// Takes the apply lock, so two applies cannot interleave, and records in the lock file
    /// who holds it (process id, host, start time). The lock is an advisory file lock the
    /// operating system releases when its holder exits, however it exits: a lock file left by
    /// a killed apply is taken over at once.
    ///
    /// # Errors
    /// [`ApplyError::Locked`], naming the holder, when another apply holds it.
    pub fn lock(&self) -> Result<LockGuard, ApplyError> {
        let path = self.lock_path();
        let io = |e: std::io::Error| ApplyError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        fs::create_dir_all(self.state_dir()).map_err(io)?;
        let holder = LockHolder::this_process();
        // A holder that finishes removes the file; a file opened just before that is no
        // longer the lock: open again.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            if !os::try_lock(&file).map_err(io)? {
                return Err(ApplyError::Locked {
                    path: path.clone(),
                    holder: read_holder(&mut file)
                        .map_or_else(|| "another apply".to_owned(), |h| h.to_string()),
                });
            }
            if !os::same_file(&file, &path) {
                continue;
            }
            file.set_len(0).map_err(io)?;
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            writeln!(file, "{}", holder.to_json()).map_err(io)?;
            file.sync_data().map_err(io)?;
            return Ok(LockGuard { path, _file: file });
        }
        Err(ApplyError::Locked {
            path,
            holder: "another apply".to_owned(),
        })
    }
}

/// The holder a locked file names. A holder writes its name just after it takes the lock:
/// an empty file is read again for a moment.
fn read_holder(file: &mut fs::File) -> Option<LockHolder> {
    for _ in 0..50 {
        let mut text = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok() && file.read_to_string(&mut text).is_ok() {
            if let Some(holder) = LockHolder::parse(&text) {
                return Some(holder);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    None
}

/// Who holds the apply lock, as its lock file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// The process id.
    pub pid: u32,
    /// The host it runs on; empty when unknown (a lock file of an earlier orgctl).
    pub host: String,
    /// When it took the lock (RFC 3339, UTC); empty when unknown.
    pub started: String,
}

impl LockHolder {
    /// This process, now.
    pub fn this_process() -> Self {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            pid: std::process::id(),
            host: os::host_name(),
            started: rfc3339(seconds),
        }
    }

    /// Reads a lock file: the JSON object orgctl writes, or a bare process id.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(pid) = text.parse::<u32>() {
            return Some(Self {
                pid,
                host: String::new(),
                started: String::new(),
            });
        }
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let field = |name: &str| {
            value
                .get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Some(Self {
            pid: u32::try_from(value.get("pid")?.as_u64()?).ok()?,
            host: field("host"),
            started: field("started"),
        })
    }

    /// The lock file's content.
    fn to_json(&self) -> String {
        serde_json::json!({"pid": self.pid, "host": self.host, "started": self.started}).to_string()
    }
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process {}", self.pid)?;
        if !self.host.is_empty() {
            write!(f, " on {}", self.host)?;
        }
        if !self.started.is_empty() {
            write!(f, ", started {}", self.started)?;
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch as an RFC 3339 UTC time.
fn rfc3339(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    // Days to a civil date in the proleptic Gregorian calendar (eras of 400 years).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(unix)]
mod os {
    use std::fs::File;
    use std::os::unix::fs::MetadataExt as _;
    use std::path::Path;

    use rustix::fs::{FlockOperation, flock};

    /// Takes the file's exclusive lock if no one holds it.
    pub(super) fn try_lock(file: &File) -> std::io::Result<bool> {
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(true),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `path` still names the open `file`.
    pub(super) fn same_file(file: &File, path: &Path) -> bool {
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }

    /// The host's name.
    pub(super) fn host_name() -> String {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
}

#[cfg(not(unix))]
mod os {
    use std::fs::File;
    use std::path::Path;

    /// Takes the file's exclusive lock if no one holds it.
    pub(super) fn try_lock(file: &File) -> std::io::Result<bool> {
        match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// Whether `path` still names the open `file`.
    pub(super) fn same_file(_: &File, path: &Path) -> bool {
        path.exists()
    }

    /// The host's name.
    pub(super) fn host_name() -> String {
        std::env::var("COMPUTERNAME").unwrap_or_default()
    }
}

/// Held while an apply runs; the lock file goes when it is dropped, and the lock with it.
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
    /// The locked file: closing it, after `drop` removed the path, releases the lock.
    _file: fs::File,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Removed while still locked, so no one takes a lock on a file about to vanish
        // without noticing (see `Workspace::lock`).
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let first = ws.lock().unwrap();
        assert!(matches!(ws.lock(), Err(ApplyError::Locked { .. })));
        drop(first);
        assert!(!ws.lock_path().exists());
        assert!(ws.lock().is_ok());
    }

    #[test]
    fn the_refusal_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        let _first = ws.lock().unwrap();
        let recorded = LockHolder::parse(&fs::read_to_string(ws.lock_path()).unwrap()).unwrap();
        assert_eq!(recorded.pid, std::process::id());
        assert!(!recorded.host.is_empty());
        assert_eq!(recorded.started.len(), "2026-01-01T00:00:00Z".len());
        let Err(ApplyError::Locked { holder, .. }) = ws.lock() else {
            panic!("the second lock was not refused");
        };
        assert_eq!(
            holder,
            format!(
                "process {} on {}, started {}",
                recorded.pid, recorded.host, recorded.started
            )
        );
    }

    #[test]
    fn a_lock_file_nobody_holds_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        fs::create_dir_all(ws.state_dir()).unwrap();
        // What a killed apply leaves: its file, without the lock the system released.
        fs::write(
            ws.lock_path(),
            "{\"pid\": 4194305, \"host\": \"h\", \"started\": \"2020-01-01T00:00:00Z\"}\n",
        )
        .unwrap();
        assert!(ws.lock().is_ok());
        fs::write(ws.lock_path(), "4194305\n").unwrap();
        assert!(ws.lock().is_ok());
    }

    #[test]
    fn holders_read_back() {
        let bare = LockHolder::parse("123\n").unwrap();
        assert_eq!(bare.to_string(), "process 123");
        let holder = LockHolder {
            pid: 7,
            host: "build-1".to_owned(),
            started: "2024-02-29T12:00:00Z".to_owned(),
        };
        assert_eq!(LockHolder::parse(&holder.to_json()), Some(holder));
        assert_eq!(LockHolder::parse("not a lock"), None);
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn paths_cannot_leave_the_directory() {
        let ws = Workspace::new("/tmp/spec");
        assert!(ws.resolve(Path::new("../etc/passwd")).is_none());
        assert!(ws.resolve(Path::new("/etc/passwd")).is_none());
        assert!(
            ws.resolve(Path::new("infrastructure-live/dev/account.hcl"))
                .is_some()
        );
    }
}
