//! Batch mode: one JSON request per line in, one JSON decision per line out, in input order,
//! on every core.
//!
//! The input is read in chunks of about [`CHUNK_BYTES`], cut after the last whole line, so
//! memory stays bounded whatever the input size. While the pool decides one chunk, the main
//! thread writes the previous chunk's output (in one vectored write where the output takes
//! it) and reads the next chunk straight into its buffer. The workers split a chunk into
//! pieces of about [`PIECE_BYTES`], find the lines in them, and decide each piece into one
//! output buffer; buffers are written out in order. Each worker thread keeps one
//! [`Evaluator`] for the whole run, so the policy sets it has compiled stay cached. Named
//! policies are read, parsed and compiled once, before the first line.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, IoSlice, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::Context as _;
use orgctl_eval::CompiledPolicy;
use orgctl_eval::batch::Evaluator;
use rayon::prelude::*;

use crate::error::CliError;
use crate::policy_file::{self, LoadError};
use crate::printer::Printer;
use crate::render;

/// Bytes read before deciding (more when one line is longer).
const CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// Bytes read from the input at a time.
const READ_BYTES: usize = 1 << 20;
/// Bytes of input one task decides into one output buffer (whole lines, so about).
const PIECE_BYTES: usize = 32 * 1024;

pub fn run(
    input: &Path,
    dir: Option<&Path>,
    jobs: Option<usize>,
    printer: &Printer,
) -> Result<ExitCode, CliError> {
    let library = Library::load(dir, printer)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .thread_name(|i| format!("orgctl-batch-{i}"))
        .build()
        .context("starting worker threads")?;
    let mut reader: Box<dyn Read> = if input == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(input)
            .with_context(|| format!("cannot open batch file `{}`", input.display()))?;
        Box::new(file)
    };
    let mut out = printer.stdout();
    let resolve = |name: &str| library.resolve(name);
    let workers = Workers {
        threads: (0..pool.current_num_threads())
            .map(|_| Mutex::new(Evaluator::new(resolve)))
            .collect(),
        other: Mutex::new(Evaluator::new(resolve)),
    };

    let totals = pipeline(&mut reader, &mut out, &pool, &workers)
        .with_context(|| format!("reading batch input `{}`", input.display()))?;
    out.flush().context("writing to stdout")?;

    if totals.failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = printer.stderr();
    let first = totals
        .first_failed
        .map_or_else(String::new, |line| format!(" (the first at line {line})"));
    writeln!(
        err,
        "error: {} of {} requests could not be read{first}; their output lines say why",
        totals.failed, totals.requests
    )
    .context("writing to stderr")?;
    Ok(ExitCode::from(1))
}

/// Counts over the whole input.
#[derive(Debug, Default)]
struct Totals {
    /// Lines read, blank ones included.
    lines: usize,
    requests: usize,
    failed: usize,
    /// 1-based line number of the first line that failed.
    first_failed: Option<usize>,
}

impl Totals {
    fn add(&mut self, piece: &Piece) {
        if self.first_failed.is_none() {
            self.first_failed = piece.first_failed.map(|i| self.lines + i + 1);
        }
        self.lines += piece.lines;
        self.requests += piece.requests;
        self.failed += piece.failed;
    }
}

/// Reads, decides and writes chunk after chunk, overlapping I/O with deciding. `workers` holds
/// an evaluator for each thread of `pool`.
fn pipeline<F: Resolve>(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    pool: &rayon::ThreadPool,
    workers: &Workers<F>,
) -> anyhow::Result<Totals> {
    let mut totals = Totals::default();
    let mut current = Chunk::default();
    let mut next = Chunk::default();
    let mut carry = Vec::new();
    let mut eof = current.fill(reader, &mut carry)?;
    let mut done: Vec<Piece> = Vec::new();
    while !current.bytes.is_empty() {
        let (pieces, io) = std::thread::scope(|s| {
            let decided = s.spawn(|| pool.install(|| current.decide(workers)));
            let io = (|| -> anyhow::Result<bool> {
                write_pieces(out, &done)?;
                if eof {
                    next.bytes.clear();
                    Ok(true)
                } else {
                    Ok(next.fill(reader, &mut carry)?)
                }
            })();
            (decided.join(), io)
        });
        let pieces = pieces.map_err(|_| anyhow::anyhow!("a worker thread failed"))?;
        eof = io?;
        for piece in &pieces {
            totals.add(piece);
        }
        done = pieces;
        std::mem::swap(&mut current, &mut next);
    }
    write_pieces(out, &done)?;
    Ok(totals)
}

/// Writes the pieces' output in order, in as few writes as the output takes.
fn write_pieces(out: &mut dyn Write, pieces: &[Piece]) -> anyhow::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = pieces
        .iter()
        .filter(|p| !p.out.is_empty())
        .map(|p| IoSlice::new(&p.out))
        .collect();
    let mut rest = slices.as_mut_slice();
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => {
                return Err(io::Error::from(io::ErrorKind::WriteZero)).context("writing to stdout");
            }
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("writing to stdout"),
        }
    }
    Ok(())
}

/// Whole lines read from the input (the last one of the input may lack its newline).
#[derive(Debug, Default)]
struct Chunk {
    bytes: Vec<u8>,
}

impl Chunk {
    /// Reads about [`CHUNK_BYTES`] of whole lines, starting with `carry` (the start of a line
    /// the previous chunk cut off) and leaving the start of the next line in it. `true` at the
    /// end of the input.
    fn fill(&mut self, reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<bool> {
        self.bytes.clear();
        self.bytes.append(carry);
        let mut last_newline = memchr::memrchr(b'\n', &self.bytes);
        loop {
            let start = self.bytes.len();
            // Straight into the chunk: whatever is read up to the block's size, or to the end.
            let n = Read::take(&mut *reader, READ_BYTES as u64).read_to_end(&mut self.bytes)?;
            if let Some(i) = self
                .bytes
                .get(start..)
                .and_then(|b| memchr::memrchr(b'\n', b))
            {
                last_newline = Some(start + i);
            }
            if n < READ_BYTES {
                return Ok(true);
            }
            if self.bytes.len() >= CHUNK_BYTES
                && let Some(end) = last_newline
            {
                carry.extend_from_slice(self.bytes.get(end + 1..).unwrap_or_default());
                self.bytes.truncate(end + 1);
                return Ok(false);
            }
        }
    }

    /// Decides every line, in parallel, keeping the order, each thread with its evaluator.
    fn decide<F: Resolve>(&self, workers: &Workers<F>) -> Vec<Piece> {
        // Cut into pieces after a newline at or past every PIECE_BYTES.
        let mut bounds = vec![0];
        let mut at = 0;
        while at < self.bytes.len() {
            let probe = at + PIECE_BYTES;
            at = match self
                .bytes
                .get(probe..)
                .and_then(|b| memchr::memchr(b'\n', b))
            {
                Some(i) => probe + i + 1,
                None => self.bytes.len(),
            };
            bounds.push(at);
        }
        bounds
            .par_windows(2)
            .map(|w| {
                let (start, end) = match *w {
                    [start, end] => (start, end),
                    _ => (0, 0),
                };
                let bytes = self.bytes.get(start..end).unwrap_or_default();
                let mut evaluator = workers.current();
                let mut piece = Piece {
                    out: Vec::with_capacity(bytes.len() / 2),
                    ..Piece::default()
                };
                let mut rest = bytes;
                while !rest.is_empty() {
                    let (line, after) = match memchr::memchr(b'\n', rest) {
                        Some(i) => (rest.get(..i), rest.get(i + 1..)),
                        None => (Some(rest), None),
                    };
                    piece.line(line.unwrap_or_default(), &mut evaluator);
                    rest = after.unwrap_or_default();
                }
                piece
            })
            .collect()
    }
}

/// How lines find policies given by name.
trait Resolve: Fn(&str) -> Result<CompiledPolicy, String> + Send {}

impl<F: Fn(&str) -> Result<CompiledPolicy, String> + Send> Resolve for F {}

/// An evaluator for each thread of the pool, kept for the whole run so that each keeps the
/// policy sets it has compiled.
struct Workers<F> {
    /// By the pool's thread index.
    threads: Vec<Mutex<Evaluator<F>>>,
    /// For a thread outside the pool (none, in practice).
    other: Mutex<Evaluator<F>>,
}

impl<F: Resolve> Workers<F> {
    /// The calling thread's evaluator. Only this thread locks it, and it runs no other task
    /// while it holds it, so the lock is never contended.
    fn current(&self) -> MutexGuard<'_, Evaluator<F>> {
        rayon::current_thread_index()
            .and_then(|i| self.threads.get(i))
            .unwrap_or(&self.other)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The output of consecutive lines.
#[derive(Debug, Default)]
struct Piece {
    out: Vec<u8>,
    /// Lines, blank ones included.
    lines: usize,
    requests: usize,
    failed: usize,
    /// 0-based index in the piece of the first line that failed.
    first_failed: Option<usize>,
}

impl Piece {
    /// Decides one line (without its newline) and appends its output line.
    fn line<F: Resolve>(&mut self, line: &[u8], evaluator: &mut Evaluator<F>) {
        let index = self.lines;
        self.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.requests += 1;
        if evaluator.decide_into(line, &mut self.out).is_err() {
            self.failed += 1;
            self.first_failed = self.first_failed.or(Some(index));
        }
    }
}

/// The policies of `--policies DIR`, by name, each compiled once.
#[derive(Debug, Default)]
pub(super) struct Library {
    dir: Option<PathBuf>,
    /// A policy, or why its file cannot be used.
    policies: HashMap<String, Result<CompiledPolicy, String>>,
}

impl Library {
    /// Reads every `*.json` in `dir`. Invalid files are reported on stderr; lines that name
    /// them fail.
    pub(super) fn load(dir: Option<&Path>, printer: &Printer) -> Result<Self, CliError> {
        let Some(dir) = dir else {
            return Ok(Self::default());
        };
        let shown = dir.display();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read policy directory `{shown}`"))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("cannot read policy directory `{shown}`"))?;
        paths.retain(|p| p.extension().is_some_and(|e| e == "json") && p.is_file());
        paths.sort();

        let mut policies = HashMap::with_capacity(paths.len());
        let mut report = String::new();
        let mut invalid = 0usize;
        for path in &paths {
            let name = policy_file::policy_name(path);
            let entry = match policy_file::load(path) {
                Ok(file) => Ok(file.compiled),
                Err(LoadError::Io { path, source }) => {
                    invalid += 1;
                    let _ = writeln!(
                        report,
                        "error: cannot read policy file `{path}`: {source}\n"
                    );
                    Err(format!("policy `{name}`: cannot read `{path}`: {source}"))
                }
                Err(LoadError::Invalid(bad)) => {
                    invalid += 1;
                    report.push_str(&render::diagnostic::invalid_policy(printer, &bad));
                    Err(format!("policy `{name}` is invalid: {}", bad.summary()))
                }
            };
            policies.insert(name, entry);
        }
        if invalid > 0 {
            let files = if invalid == 1 {
                "1 policy file".to_owned()
            } else {
                format!("{invalid} policy files")
            };
            let _ = writeln!(
                report,
                "warning: {files} in `{shown}` cannot be used; requests that name them fail"
            );
            printer
                .stderr()
                .write_all(report.as_bytes())
                .context("writing to stderr")?;
        }
        Ok(Self {
            dir: Some(dir.to_owned()),
            policies,
        })
    }

    /// The policy called `name`.
    pub(super) fn resolve(&self, name: &str) -> Result<CompiledPolicy, String> {
        match (self.policies.get(name), &self.dir) {
            (Some(entry), _) => entry.clone(),
            (None, Some(dir)) => Err(format!(
                "unknown policy `{name}`: there is no `{}`",
                dir.join(format!("{name}.json")).display()
            )),
            (None, None) => Err(format!(
                "policy `{name}` is given by name, but no --policies DIR was given"
            )),
        }
    }
}
