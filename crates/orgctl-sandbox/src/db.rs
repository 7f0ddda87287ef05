//! SQLite failures as [`BackendError`]s, each with a help line.

use orgctl_org::BackendError;
use rusqlite::ErrorCode;

/// The backend name errors carry.
pub(crate) const BACKEND: &str = "sandbox";

/// What to do when the file itself is the problem.
pub(crate) const HELP_OTHER_VERSION: &str =
    "the sandbox file may be from another orgctl version; move it aside to start afresh";

/// `.db()?` turns a SQLite result into a backend result.
pub(crate) trait Db<T> {
    /// The result with SQLite's error mapped by [`sqlite_error`].
    fn db(self) -> Result<T, BackendError>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, BackendError> {
        self.map_err(sqlite_error)
    }
}

/// A SQLite failure, with a help line chosen by its code.
pub(crate) fn sqlite_error(error: rusqlite::Error) -> BackendError {
    let help = match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another process is using the sandbox file; wait for it to finish and retry"
        }
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            "check that the sandbox file's directory exists and is writable"
        }
        Some(ErrorCode::DiskFull | ErrorCode::SystemIoFailure) => {
            "check the disk the sandbox file is on: it is full or failing"
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            "the file is not an orgctl sandbox (or is damaged); move it aside to start afresh"
        }
        _ => HELP_OTHER_VERSION,
    };
    backend(format!("SQLite: {error}"), help)
}

/// A failure of the sandbox itself.
pub(crate) fn backend(message: impl Into<String>, help: &str) -> BackendError {
    BackendError::Backend {
        backend: BACKEND.to_owned(),
        message: message.into(),
        help: help.to_owned(),
    }
}

/// A stored value the sandbox cannot read back.
pub(crate) fn corrupt(message: impl Into<String>) -> BackendError {
    backend(message, HELP_OTHER_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_files_get_their_own_help() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        let BackendError::Backend {
            backend,
            message,
            help,
        } = sqlite_error(busy)
        else {
            unreachable!("always a backend error")
        };
        assert_eq!(backend, "sandbox");
        assert!(message.contains("database is locked"), "{message}");
        assert!(help.contains("another process"), "{help}");
        let other = sqlite_error(rusqlite::Error::QueryReturnedNoRows);
        assert!(matches!(other, BackendError::Backend { help, .. } if help == HELP_OTHER_VERSION));
    }
}
