//! Progress of long operations on stderr: a bar on a terminal, plain lines otherwise (logs
//! and CI keep a readable record), nothing with `--quiet`.

use std::io::Write as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer::Printer;

/// How progress shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bar,
    Lines,
    Quiet,
}

/// One long operation's progress.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `len` units (steps, files, bytes) described by `what`.
    pub fn new(printer: &Printer, len: u64, what: &str, bytes: bool) -> Self {
        let mode = if printer.quiet {
            Mode::Quiet
        } else if printer.progress_bars {
            Mode::Bar
        } else {
            Mode::Lines
        };
        let bar = (mode == Mode::Bar).then(|| {
            let template = if bytes {
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {wide_msg}"
            } else {
                "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}"
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
                .with_style(style)
                .with_prefix(what.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { mode, bar }
    }

    /// Sets the length, once it is known.
    pub fn set_len(&self, len: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(len);
        }
    }

    /// Moves to `pos` with `message` as what is being done (bar only).
    pub fn set(&self, pos: u64, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
            bar.set_message(message.to_owned());
        }
    }

    /// Shows `message` as what is being waited for (bar only), keeping the position.
    pub fn set_message_only(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }

    /// A line that stays: above the bar, or on its own line; not with `--quiet`.
    pub fn line(&self, text: &str) {
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(text),
            (None, Mode::Lines) => {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
            _ => {}
        }
    }

    /// Whether lines are printed plainly (no terminal): callers then print milestones only.
    pub fn plain(&self) -> bool {
        self.mode == Mode::Lines
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
