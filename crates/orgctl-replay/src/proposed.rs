//! The proposed policies: a whole spec directory, or policy files that replace or join the
//! current spec's.

use std::path::{Path, PathBuf};

use orgctl_org::diag::Loc;
use orgctl_org::{PolicyKind, PolicySpec, Spec, Target};
use orgctl_policy::Policy;
use serde::Serialize;

/// What a proposed policy file does to the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// It replaces the document of the spec policy it names.
    Replaced,
    /// It names no spec policy: it is added as an SCP attached at the root.
    Added,
}

/// One proposed policy file and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyChange {
    /// The policy's name.
    pub policy: String,
    /// The file.
    pub file: PathBuf,
    /// Replaced or added.
    pub change: ChangeKind,
}

/// A proposed policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProposeError {
    /// The file or directory cannot be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a policy.
    #[error("{}: not a valid policy: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The first problem.
        message: String,
    },
    /// A directory without policy files.
    #[error("{}: no *.json policy files and no *.hcl spec files", path.display())]
    Empty {
        /// The directory.
        path: PathBuf,
    },
}

/// Whether `path` is a spec directory (it holds `*.hcl` files) rather than policy files.
pub fn is_spec_dir(path: &Path) -> bool {
    path.is_dir()
        && std::fs::read_dir(path).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "hcl"))
        })
}

/// The policy files a path names: itself, or a directory's `*.json` files in name order.
///
/// # Errors
/// When the path cannot be read or holds no policy file.
pub fn policy_files(path: &Path) -> Result<Vec<PathBuf>, ProposeError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let read = |source| ProposeError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(read)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ProposeError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(files)
}

/// Whether a file names a spec policy: its stem is the policy's name, key or file stem
/// (without regard to case).
fn names(policy: &PolicySpec, stem: &str) -> bool {
    policy.name.eq_ignore_ascii_case(stem)
        || policy.key.eq_ignore_ascii_case(stem)
        || (!policy.aws_managed
            && policy
                .file
                .file_stem()
                .is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(stem)))
}

/// A copy of `spec` with each file's policy in place of the spec policy it names, or added as
/// an SCP attached at the root.
///
/// # Errors
/// A file that cannot be read or is not a valid policy.
pub fn with_policies(
    spec: &Spec,
    files: &[PathBuf],
) -> Result<(Spec, Vec<PolicyChange>), ProposeError> {
    let mut proposed = spec.clone();
    let mut changes = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| ProposeError::Read {
            path: path.clone(),
            source,
        })?;
        if let Err(errors) = Policy::parse(&text) {
            return Err(ProposeError::Invalid {
                path: path.clone(),
                message: errors.to_string(),
            });
        }
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let id = proposed.sources.add(path.clone(), text.clone());
        if let Some(policy) = proposed.policies.iter_mut().find(|p| names(p, &stem)) {
            policy.document = Some((id, text));
            policy.file = path.clone();
            policy.aws_managed = false;
            policy.implicit = false;
            changes.push(PolicyChange {
                policy: policy.name.clone(),
                file: path.clone(),
                change: ChangeKind::Replaced,
            });
        } else {
            let mut key = stem.clone();
            while proposed.policies.iter().any(|p| p.key == key) {
                key.push('_');
            }
            proposed.policies.push(PolicySpec {
                key,
                name: stem.clone(),
                kind: PolicyKind::Scp,
                description: "proposed".to_owned(),
                file: path.clone(),
                file_loc: Loc::default(),
                document: Some((id, text)),
                aws_managed: false,
                attach: vec![(Target::Root, Loc::default())],
                implicit: false,
                loc: Loc::default(),
            });
            changes.push(PolicyChange {
                policy: stem,
                file: path.clone(),
                change: ChangeKind::Added,
            });
        }
    }
    Ok((proposed, changes))
}
