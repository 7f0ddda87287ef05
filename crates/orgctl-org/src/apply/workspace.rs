//! The spec directory as apply sees it: the files it writes, its journal and its lock, all
//! under `.orgctl/` beside the spec except the generated configuration.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
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

    /// Takes the apply lock, so two applies cannot interleave. A lock left by a process
    /// that no longer runs (on this machine) is taken over.
    ///
    /// # Errors
    /// When another apply holds it.
    pub fn lock(&self) -> Result<LockGuard, ApplyError> {
        let path = self.lock_path();
        let io = |e: std::io::Error| ApplyError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        fs::create_dir_all(self.state_dir()).map_err(io)?;
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(LockGuard { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let pid = holder.trim().parse::<u32>().ok();
                    if pid.is_some_and(|p| !process_alive(p)) {
                        // Its owner is gone: the journal tells what it finished.
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    return Err(ApplyError::Locked {
                        path: path.clone(),
                        holder: pid.map_or_else(
                            || "an unknown process".to_owned(),
                            |p| format!("process {p}"),
                        ),
                    });
                }
                Err(e) => return Err(io(e)),
            }
        }
        Err(ApplyError::Locked {
            path,
            holder: "another apply".to_owned(),
        })
    }
}

/// Whether a process runs, as far as this machine can tell; `true` when it cannot.
fn process_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if !proc_dir.is_dir() {
        return true;
    }
    proc_dir.join(pid.to_string()).exists()
}

/// Held while an apply runs; the lock file goes when it is dropped.
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
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
        assert!(ws.lock().is_ok());
    }

    #[test]
    fn a_lock_of_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path());
        fs::create_dir_all(ws.state_dir()).unwrap();
        // Beyond Linux's pid_max: no such process.
        fs::write(ws.lock_path(), "4194305\n").unwrap();
        assert!(ws.lock().is_ok());
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
