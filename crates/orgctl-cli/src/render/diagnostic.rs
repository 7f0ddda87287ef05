//! Policy problems as miette reports: the file, the source line with the span underlined,
//! the issue code and the help line.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use orgctl_policy::PolicyError;

use crate::policy_file::{InvalidPolicy, LoadError};
use crate::printer::Printer;

/// One problem, together with the file it is in.
#[derive(Debug)]
struct InFile<'a> {
    error: &'a PolicyError,
    source: &'a NamedSource<String>,
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.error.message())
    }
}

impl std::error::Error for InFile<'_> {}

impl Diagnostic for InFile<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Diagnostic::code(self.error)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Diagnostic::help(self.error)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Diagnostic::labels(self.error)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
}

fn handler(printer: &Printer) -> GraphicalReportHandler {
    let theme = match (printer.unicode, printer.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(printer.width)
}

/// Every problem of an invalid policy file, rendered.
pub fn invalid_policy(printer: &Printer, invalid: &InvalidPolicy) -> String {
    let handler = handler(printer);
    let source = NamedSource::new(&invalid.path, invalid.source.clone());
    let mut out = String::new();
    for error in &invalid.errors {
        let diagnostic = InFile {
            error,
            source: &source,
        };
        let mut one = String::new();
        if handler.render_report(&mut one, &diagnostic).is_ok() {
            out.push_str(&one);
        } else {
            // A span miette cannot show (outside the text): say the same in one line.
            let _ = writeln!(
                out,
                "{}:{}: {}: {}",
                invalid.path,
                invalid.line_col(error.span()),
                error.code(),
                error.message()
            );
            if let Some(help) = error.help() {
                let _ = writeln!(out, "  help: {help}");
            }
        }
        out.push('\n');
    }
    out
}

/// Every policy file that could not be used, rendered, with a closing line.
pub fn load_errors(printer: &Printer, errors: &[LoadError]) -> String {
    let mut out = String::new();
    for error in errors {
        match error {
            LoadError::Io { path, source } => {
                let _ = writeln!(out, "error: cannot read policy file `{path}`: {source}\n");
            }
            LoadError::Invalid(invalid) => out.push_str(&invalid_policy(printer, invalid)),
        }
    }
    let files = match errors.len() {
        1 => "1 policy file".to_owned(),
        n => format!("{n} policy files"),
    };
    let _ = writeln!(out, "error: {files} could not be used; nothing was decided");
    out
}

/// Any self-explaining error as a report: message, code and help line.
pub fn report(printer: &Printer, diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    if handler(printer)
        .render_report(&mut out, diagnostic)
        .is_err()
    {
        out = format!("error: {diagnostic}\n");
        if let Some(help) = diagnostic.help() {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    out
}
