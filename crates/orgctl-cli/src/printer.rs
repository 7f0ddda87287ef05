//! Where output goes: data to stdout, diagnostics to stderr, colour only on a terminal
//! that has not asked for none.

use std::io::{self, IsTerminal, Write as _};

/// The output streams and how to style diagnostics on them.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// Whether stderr gets ANSI colours.
    pub color: bool,
    /// Whether stderr gets Unicode box drawing (ASCII otherwise).
    pub unicode: bool,
    /// Width diagnostics wrap at.
    pub width: usize,
    /// `--quiet`: no progress and no notes on stderr, only results and errors.
    pub quiet: bool,
    /// Whether progress shows as bars (stderr is a terminal), else as plain lines.
    pub progress_bars: bool,
}

impl Printer {
    /// Decides styling from the environment: no colour when `NO_COLOR` is set (to anything
    /// but the empty string) and plain ASCII when stderr is not a terminal.
    pub fn from_env() -> Self {
        let terminal = io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|&w: &usize| w >= 40)
            .unwrap_or(100);
        Self {
            color: terminal && !no_color,
            unicode: terminal,
            width,
            quiet: false,
            progress_bars: terminal && std::env::var_os("TERM").is_none_or(|t| t != "dumb"),
        }
    }

    /// A note on stderr (what happened besides the result), unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(self.stderr(), "{text}");
        }
    }

    /// Whether stdout is a terminal that can show box drawing (ASCII otherwise, so that
    /// files and pipes stay plain).
    pub fn unicode_stdout(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// The data stream.
    pub fn stdout(&self) -> io::StdoutLock<'static> {
        io::stdout().lock()
    }

    /// The diagnostics stream.
    pub fn stderr(&self) -> io::StderrLock<'static> {
        io::stderr().lock()
    }
}
