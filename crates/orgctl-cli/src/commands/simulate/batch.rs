//! Batch mode: one JSON request per line in, one JSON decision per line out, in input order,
//! on every core.
//!
//! The main thread reads the input in blocks of whole lines of about [`BLOCK_BYTES`] and hands
//! them to the workers through a queue; each worker decides a block's lines into the block's
//! own output buffer and hands it back. The main thread writes the blocks out in input order as
//! they come back and reuses their buffers for the next reads. No block waits for another to be
//! decided, so the workers never stand idle while there is input left, and at most
//! [`BLOCKS_PER_WORKER`] blocks per worker are in flight, which bounds memory whatever the input
//! size. Each worker keeps one [`Evaluator`] for the whole run, so the policy sets it has
//! compiled stay cached. Named policies are read, parsed and compiled once, before the first
//! line.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context as _, anyhow};
use orgctl_eval::CompiledPolicy;
use orgctl_eval::batch::Evaluator;

use crate::error::CliError;
use crate::policy_file::{self, LoadError};
use crate::printer::Printer;
use crate::render;

/// Bytes of input in one block (more when one line is longer): small enough that the first
/// block is decided at once and the queue stays balanced, large enough that handing blocks
/// over costs nothing next to deciding them.
const BLOCK_BYTES: usize = 128 * 1024;
/// Blocks in flight (queued, being decided, or waiting for their turn to be written) per worker.
const BLOCKS_PER_WORKER: usize = 4;

pub fn run(
    input: &Path,
    dir: Option<&Path>,
    jobs: Option<usize>,
    printer: &Printer,
) -> Result<ExitCode, CliError> {
    let library = Library::load(dir, printer)?;
    let jobs = jobs
        .or_else(|| std::thread::available_parallelism().ok().map(Into::into))
        .unwrap_or(1);
    let mut reader: Box<dyn Read> = if input == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(input)
            .with_context(|| format!("cannot open batch file `{}`", input.display()))?;
        Box::new(file)
    };
    let mut out = printer.stdout();
    let resolve = |name: &str| library.resolve(name);

    let totals = pipeline(&mut reader, &mut out, jobs, resolve)
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
    fn add(&mut self, block: &Block) {
        if self.first_failed.is_none() {
            self.first_failed = block.first_failed.map(|i| self.lines + i + 1);
        }
        self.lines += block.lines;
        self.requests += block.requests;
        self.failed += block.failed;
    }
}

/// Reads, decides on `jobs` worker threads and writes, block after block, in input order.
fn pipeline<F: Resolve + Copy>(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    jobs: usize,
    resolve: F,
) -> anyhow::Result<Totals> {
    let jobs = jobs.max(1);
    let (to_workers, queue) = mpsc::channel::<Block>();
    let (to_writer, decided) = mpsc::channel::<Block>();
    let queue = Mutex::new(queue);
    std::thread::scope(|s| {
        for i in 0..jobs {
            let queue = &queue;
            let to_writer = to_writer.clone();
            std::thread::Builder::new()
                .name(format!("orgctl-batch-{i}"))
                .spawn_scoped(s, move || work(queue, &to_writer, resolve))
                .context("starting worker threads")?;
        }
        drop(to_writer);
        let totals = feed_and_write(reader, out, jobs, &to_workers, &decided);
        // Closing the queue, error or not, lets the workers finish.
        drop(to_workers);
        totals
    })
}

/// A worker: decides the blocks it takes from `queue` until the queue closes.
fn work<F: Resolve>(queue: &Mutex<Receiver<Block>>, to_writer: &Sender<Block>, resolve: F) {
    let mut evaluator = Evaluator::new(resolve);
    loop {
        // The lock is held only while waiting for the next block.
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(mut block) = next else { return };
        // A bug that panics while deciding must not leave the writer waiting for this block.
        block.crashed = catch_unwind(AssertUnwindSafe(|| block.decide(&mut evaluator))).is_err();
        let crashed = block.crashed;
        if to_writer.send(block).is_err() || crashed {
            return;
        }
    }
}

/// The main thread's part: reads blocks while fewer than the limit are in flight, and writes
/// the decided ones in input order.
fn feed_and_write(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    jobs: usize,
    to_workers: &Sender<Block>,
    decided: &Receiver<Block>,
) -> anyhow::Result<Totals> {
    let mut totals = Totals::default();
    let mut spare: Vec<Block> = Vec::new();
    let limit = (jobs * BLOCKS_PER_WORKER) as u64;
    let mut carry = Vec::new();
    let mut eof = false;
    let mut sent = 0u64;
    let mut written = 0u64;
    let mut waiting: BTreeMap<u64, Block> = BTreeMap::new();
    loop {
        // Blocks sent and not yet written are in flight.
        while !eof && sent - written < limit {
            let mut block = spare.pop().unwrap_or_default();
            eof = block.fill(reader, &mut carry)?;
            if block.input.is_empty() {
                spare.push(block);
                break;
            }
            block.seq = sent;
            sent += 1;
            to_workers
                .send(block)
                .map_err(|_| anyhow!("the worker threads stopped"))?;
        }
        if written == sent {
            return Ok(totals);
        }
        let block = decided
            .recv()
            .map_err(|_| anyhow!("the worker threads stopped"))?;
        if block.crashed {
            return Err(anyhow!(
                "a worker thread failed while deciding lines {} and after",
                totals.lines + 1
            ));
        }
        waiting.insert(block.seq, block);
        while let Some(block) = waiting.remove(&written) {
            out.write_all(&block.out).context("writing to stdout")?;
            totals.add(&block);
            written += 1;
            spare.push(block);
        }
    }
}

/// Consecutive whole lines of the input (the last one of the input may lack its newline) and
/// what deciding them gave.
#[derive(Debug, Default)]
struct Block {
    /// Position in the input, counted in blocks.
    seq: u64,
    input: Vec<u8>,
    /// One output line per request line.
    out: Vec<u8>,
    /// Lines, blank ones included.
    lines: usize,
    requests: usize,
    failed: usize,
    /// 0-based index in the block of the first line that failed.
    first_failed: Option<usize>,
    /// Deciding panicked: a bug, reported as an error of the whole run.
    crashed: bool,
}

impl Block {
    /// Reads about [`BLOCK_BYTES`] of whole lines, starting with `carry` (the start of a line
    /// the previous block cut off) and leaving the start of the next line in it. `true` at the
    /// end of the input.
    fn fill(&mut self, reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<bool> {
        let bytes = &mut self.input;
        bytes.clear();
        bytes.append(carry);
        let mut last_newline = memchr::memrchr(b'\n', bytes);
        loop {
            let start = bytes.len();
            // Straight into the block: whatever is read up to the block's size, or to the end.
            let n = Read::take(&mut *reader, BLOCK_BYTES as u64).read_to_end(bytes)?;
            if let Some(i) = bytes.get(start..).and_then(|b| memchr::memrchr(b'\n', b)) {
                last_newline = Some(start + i);
            }
            if n < BLOCK_BYTES {
                return Ok(true);
            }
            if bytes.len() >= BLOCK_BYTES
                && let Some(end) = last_newline
            {
                carry.extend_from_slice(bytes.get(end + 1..).unwrap_or_default());
                bytes.truncate(end + 1);
                return Ok(false);
            }
        }
    }

    /// Decides every line of the block into its output, in order.
    fn decide<F: Resolve>(&mut self, evaluator: &mut Evaluator<F>) {
        self.out.clear();
        self.lines = 0;
        self.requests = 0;
        self.failed = 0;
        self.first_failed = None;
        let input = std::mem::take(&mut self.input);
        let mut rest = input.as_slice();
        while !rest.is_empty() {
            let (line, after) = match memchr::memchr(b'\n', rest) {
                Some(i) => (rest.get(..i), rest.get(i + 1..)),
                None => (Some(rest), None),
            };
            self.line(line.unwrap_or_default(), evaluator);
            rest = after.unwrap_or_default();
        }
        self.input = input;
    }

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

/// How lines find policies given by name.
trait Resolve: Fn(&str) -> Result<CompiledPolicy, String> + Send {}

impl<F: Fn(&str) -> Result<CompiledPolicy, String> + Send> Resolve for F {}

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
