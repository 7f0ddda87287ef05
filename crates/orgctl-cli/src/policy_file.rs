//! Reading policy files: the file stem names the policy, problems keep their source text
//! so they can be shown underlined.

use std::io;
use std::path::Path;

use orgctl_eval::CompiledPolicy;
use orgctl_policy::{LineCol, LineIndex, Policy, PolicyError, Span};

/// A policy file that was read, parsed and compiled.
#[derive(Debug)]
pub struct PolicyFile {
    /// The path as given.
    pub path: String,
    /// The statements' spans, by index.
    statement_spans: Vec<Span>,
    source: String,
    lines: LineIndex,
    /// The compiled policy.
    pub compiled: CompiledPolicy,
}

impl PolicyFile {
    /// Where statement `index` starts, as `path:line:column`.
    pub fn statement_location(&self, index: u32) -> Option<String> {
        let span = self.statement_spans.get(usize::try_from(index).ok()?)?;
        Some(format!(
            "{}:{}",
            self.path,
            self.lines.line_col(&self.source, span.start)
        ))
    }
}

/// Why a policy file could not be used.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The path as given.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a valid policy.
    Invalid(InvalidPolicy),
}

/// A file that is not a valid policy document, with every problem found.
#[derive(Debug)]
pub struct InvalidPolicy {
    /// The path as given.
    pub path: String,
    /// The text.
    pub source: String,
    /// The problems, in source order.
    pub errors: Vec<PolicyError>,
}

impl InvalidPolicy {
    /// Where `span` starts.
    pub fn line_col(&self, span: Span) -> LineCol {
        LineIndex::new(&self.source).line_col(&self.source, span.start)
    }

    /// One line naming the file, the number of problems and the first of them.
    pub fn summary(&self) -> String {
        let count = match self.errors.len() {
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        };
        match self.errors.first() {
            Some(first) => format!(
                "{}: {count}, first at {}: {} ({})",
                self.path,
                self.line_col(first.span()),
                first.message(),
                first.code()
            ),
            None => format!("{}: not a valid policy", self.path),
        }
    }
}

/// The policy name of `path`: its file stem.
pub fn policy_name(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| path.to_string_lossy(), |s| s.to_string_lossy())
        .into_owned()
}

/// Reads, parses and compiles the policy at `path`.
///
/// # Errors
/// When the file cannot be read or is not a valid policy document.
pub fn load(path: &Path) -> Result<PolicyFile, LoadError> {
    let shown = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: shown.clone(),
        source,
    })?;
    match Policy::parse(&source) {
        Ok(policy) => {
            let name = policy_name(path);
            let compiled = CompiledPolicy::new(name, &policy);
            Ok(PolicyFile {
                path: shown,
                statement_spans: policy.statements.iter().map(|s| s.span).collect(),
                lines: LineIndex::new(&source),
                source,
                compiled,
            })
        }
        Err(e) => Err(LoadError::Invalid(InvalidPolicy {
            path: shown,
            source,
            errors: e.errors,
        })),
    }
}
