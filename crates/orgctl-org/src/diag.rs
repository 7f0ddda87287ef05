//! Problems found in a spec, each pointing at a file and a byte span, with a help line.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; nothing stops.
    Warning,
    /// The spec cannot be planned.
    Error,
}

/// One file a spec was read from: an HCL file or a policy document.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given (relative to the working directory when it was).
    pub path: PathBuf,
    /// Its whole text.
    pub text: String,
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// Every file the spec was read from, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// An index into [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct FileId(pub usize);

impl Sources {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { path, text });
        FileId(self.files.len() - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// Every file.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// `path:line:column` of a location.
    pub fn describe(&self, loc: &Loc) -> String {
        match self.get(loc.file) {
            Some(file) => {
                let (line, column) = file.line_col(loc.span.start);
                format!("{}:{line}:{column}", file.path.display())
            }
            None => "<unknown>".to_owned(),
        }
    }

    /// The path of a file, for messages.
    pub fn path(&self, id: FileId) -> &Path {
        self.get(id)
            .map_or(Path::new("<unknown>"), |f| f.path.as_path())
    }
}

/// Where something was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Loc {
    /// The file.
    pub file: FileId,
    /// Byte range in it.
    pub span: Range<usize>,
}

impl Loc {
    /// A location in `file` covering `span`.
    pub fn new(file: FileId, span: Range<usize>) -> Self {
        Self { file, span }
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code (`unknown-reference`, `duplicate-email`, or a linter issue code).
    pub code: String,
    /// What is wrong, values in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where.
    pub loc: Loc,
    /// Other places that matter (the first definition of a duplicate), with a label each.
    pub related: Vec<(Loc, String)>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: impl Into<String>, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code: code.into(),
            message: message.into(),
            help: None,
            loc,
            related: Vec::new(),
        }
    }

    /// A warning.
    pub fn warning(code: impl Into<String>, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, loc, message)
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related location.
    #[must_use]
    pub fn with_related(mut self, loc: Loc, label: impl Into<String>) -> Self {
        self.related.push((loc, label.into()));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The problems of a spec, errors and warnings together, in the order found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// Every problem.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Sorts by file and position, so output is stable.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| (d.loc.file, d.loc.span.start));
    }
}
