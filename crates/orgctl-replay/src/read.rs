//! Finding log files and reading their records, streaming.
//!
//! A file may be gzip-compressed (recognized by its magic bytes, not its name; concatenated
//! gzip members are read one after the other). Its text is a sequence of JSON values:
//!
//! - an object whose first key is `Records`, holding an array of records (the format
//!   CloudTrail delivers to S3; `jq`-formatted copies too);
//! - records one per line (JSON Lines), or any whitespace-separated sequence of records;
//! - a top-level array of records.
//!
//! The format is told per value, so one file may mix them. Records are parsed in place from a
//! buffer that starts at 1 MiB and grows only to hold one record (up to [`MAX_RECORD`]), so
//! memory stays bounded whatever the size of the file. A record that is not valid JSON or not
//! of the expected shape is reported as malformed and the reader moves on to the next one; a
//! file that ends inside a record (truncated, or a damaged gzip stream) reports that record
//! and ends.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;
use serde_json::Deserializer;

use crate::record::Record;
use crate::record::fast::{self, Fast};

/// The largest record the reader holds in memory; larger ones are skipped as malformed.
pub const MAX_RECORD: usize = 16 << 20;
/// The buffer a reader starts with.
pub const INITIAL_BUFFER: usize = 1 << 20;
/// How far past `{` the reader looks for `"Records"`.
const LOOKAHEAD: usize = 4096;

/// What the reader hands over, in file order.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "an item lives on the stack for one call; boxing would allocate per record"
)]
pub enum Item<'a> {
    /// A record, with its index in the file (0-based, malformed ones counted).
    Record(u64, Record<'a>),
    /// A record that could not be read, with its index and why.
    Malformed(u64, String),
}

/// Files to read under the given paths: files as given, directories searched recursively for
/// `*.json`, `*.jsonl` and `*.gz` (skipping hidden entries and CloudTrail's
/// `CloudTrail-Digest` folders), in path order, each with its size.
///
/// # Errors
/// A path that does not exist or a directory that cannot be listed.
pub fn find_files(paths: &[PathBuf]) -> io::Result<Vec<(PathBuf, u64)>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push((path.clone(), meta.len()));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64)>) -> io::Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "CloudTrail-Digest" {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::metadata(&path)?;
        if meta.is_dir() {
            walk(&path, out)?;
        } else if [".json", ".jsonl", ".gz"].iter().any(|s| name.ends_with(s)) {
            out.push((path, meta.len()));
        }
    }
    Ok(())
}

/// Opens a file, decompressing it when it starts with gzip's magic bytes.
///
/// # Errors
/// When the file cannot be opened or read.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    decode(BufReader::with_capacity(256 << 10, File::open(path)?))
}

/// The text of a log file from its bytes: decompressed when they start with gzip's magic
/// bytes, as they are otherwise.
///
/// # Errors
/// When the first bytes cannot be read.
pub fn decode<'a, R: BufRead + Send + 'a>(mut src: R) -> io::Result<Box<dyn Read + Send + 'a>> {
    let gzip = src.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(MultiGzDecoder::new(src))
    } else {
        Box::new(src)
    })
}

/// A reusable read buffer; one per thread.
#[derive(Debug)]
pub struct Buffer {
    data: Vec<u8>,
    initial: usize,
    max: usize,
}

impl Default for Buffer {
    fn default() -> Self {
        Self::new(INITIAL_BUFFER, MAX_RECORD)
    }
}

impl Buffer {
    /// A buffer of `initial` bytes that grows up to `max` to hold one record.
    pub fn new(initial: usize, max: usize) -> Self {
        let initial = initial.max(16);
        Self {
            data: Vec::new(),
            initial,
            max: max.max(initial),
        }
    }
}

/// What the reader is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between top-level values.
    Top,
    /// Inside an array of records; `wrapped` when it is the value of `Records`.
    Records { wrapped: bool },
    /// After the `Records` array, inside its object.
    AfterRecords,
}

/// How reading a file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Records handed over, malformed ones included.
    pub records: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
}

struct Reader<'b, R> {
    src: R,
    buf: &'b mut Buffer,
    start: usize,
    end: usize,
    eof: bool,
    index: u64,
    bytes: u64,
    /// The end of the input was reached inside a record, and that record was reported.
    ended: bool,
    /// A read error met after some bytes had come in, reported at the next read.
    pending: Option<io::Error>,
}

/// Reads every record of `src`, handing each to `each` in order.
///
/// # Errors
/// Never for bad content (that is reported through `each`); an error of the source before
/// anything could be read is returned, later ones end the file as a malformed record.
pub fn read<R: Read>(
    src: R,
    buf: &mut Buffer,
    mut each: impl FnMut(Item<'_>),
) -> io::Result<Outcome> {
    if buf.data.len() < buf.initial {
        buf.data.resize(buf.initial, 0);
    }
    let mut r = Reader {
        src,
        buf,
        start: 0,
        end: 0,
        eof: false,
        index: 0,
        bytes: 0,
        ended: false,
        pending: None,
    };
    r.fill()?;
    match r.run(&mut each) {
        Ok(()) => {}
        Err(e) => {
            each(Item::Malformed(r.index, format!("reading stopped: {e}")));
            r.index += 1;
        }
    }
    // A buffer that grew for one large record goes back to its usual size.
    if r.buf.data.len() > r.buf.initial {
        r.buf.data.truncate(r.buf.initial);
        r.buf.data.shrink_to_fit();
    }
    Ok(Outcome {
        records: r.index,
        bytes: r.bytes,
    })
}

/// Why the reader stopped early.
#[derive(Debug)]
enum Stop {
    Io(io::Error),
    /// The rest of the file cannot be read as records; the message says why.
    Broken(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::Broken(m) => f.write_str(m),
        }
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// For bytes starting with `{`: `Some(Some(n))` when they start with `{ "Records" : [` (`n`
/// bytes), `Some(None)` when they do not, `None` when they end before it can be told.
fn records_prefix(data: &[u8]) -> Option<Option<usize>> {
    let mut i = 1;
    let skip_ws = |i: &mut usize| {
        while data.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    for expected in [&b"\"Records\""[..], b":", b"["] {
        skip_ws(&mut i);
        let have = data.get(i..).unwrap_or_default();
        let n = have.len().min(expected.len());
        if have.get(..n) != expected.get(..n) {
            return Some(None);
        }
        if n < expected.len() {
            return None;
        }
        i += n;
    }
    Some(Some(i))
}

/// What parsing the bytes at the current position gave.
#[allow(
    clippy::large_enum_variant,
    reason = "lives on the stack for one record; boxing would allocate per record"
)]
enum Parsed<'a> {
    /// A record and its length.
    Record(Record<'a>, usize),
    /// The bytes end inside the record.
    NeedMore,
    /// The record is malformed, for this reason.
    Bad(String),
}

/// Whether serde's error is at the very end of `data`, where more bytes could make it go
/// away: a number cut after `-`, `1.` or `1e` reads as an invalid number, not as the end of
/// the input.
fn near_end(data: &[u8], e: &serde_json::Error) -> bool {
    // serde_json counts lines from 1 and columns in bytes from the line's start.
    let mut line_start = 0;
    for _ in 1..e.line() {
        match data
            .get(line_start..)
            .and_then(|d| d.iter().position(|&b| b == b'\n'))
        {
            Some(i) => line_start += i + 1,
            None => return false,
        }
    }
    line_start + e.column() + 4 >= data.len()
}

/// A serde_json message without its position in the buffer (which is no position in the
/// file).
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
        None => text,
    }
}

impl<R: Read> Reader<'_, R> {
    fn data(&self) -> &[u8] {
        self.buf.data.get(self.start..self.end).unwrap_or_default()
    }

    /// Moves what is left to the front and reads more; grows the buffer when it is full of
    /// one unfinished value. Returns whether anything new was read.
    fn fill(&mut self) -> Result<bool, io::Error> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.data.len() {
            if self.buf.data.len() >= self.buf.max {
                return Err(io::Error::other(format!(
                    "a record is larger than {} MiB",
                    self.buf.max >> 20
                )));
            }
            let grown = (self.buf.data.len() * 2).min(self.buf.max);
            self.buf.data.resize(grown, 0);
        }
        let before = self.end;
        while self.end < self.buf.data.len() {
            let Some(room) = self.buf.data.get_mut(self.end..) else {
                break;
            };
            match self.src.read(room) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if self.end > before => {
                    self.pending = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        self.bytes += (self.end - before) as u64;
        Ok(self.end > before)
    }

    /// The next byte that is not whitespace, reading more as needed; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, Stop> {
        loop {
            let data = self.data();
            match data.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    self.start += i;
                    return Ok(self.data().first().copied());
                }
                None => {
                    self.start = self.end;
                    if !self.fill()? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    fn run(&mut self, each: &mut impl FnMut(Item<'_>)) -> Result<(), Stop> {
        let mut mode = Mode::Top;
        while let Some(b) = self.peek()? {
            match (mode, b) {
                (Mode::Top, b'{') => {
                    if let Some(skip) = self.records_key()? {
                        self.start += skip;
                        mode = Mode::Records { wrapped: true };
                    } else {
                        self.record(true, each)?;
                    }
                }
                (Mode::Top, b'[') => {
                    self.start += 1;
                    mode = Mode::Records { wrapped: false };
                }
                (Mode::Top, _) => {
                    each(Item::Malformed(
                        self.index,
                        "not a JSON object or array".to_owned(),
                    ));
                    self.index += 1;
                    self.skip_line()?;
                }
                (Mode::Records { wrapped }, b']') => {
                    self.start += 1;
                    mode = if wrapped {
                        Mode::AfterRecords
                    } else {
                        Mode::Top
                    };
                }
                (Mode::Records { .. }, b',') => self.start += 1,
                (Mode::Records { .. }, _) => self.record(false, each)?,
                (Mode::AfterRecords, b'}') => {
                    self.start += 1;
                    mode = Mode::Top;
                }
                (Mode::AfterRecords, b',') => {
                    self.start += 1;
                    self.skip_member()?;
                }
                (Mode::AfterRecords, other) => {
                    return Err(Stop::Broken(format!(
                        "unexpected `{}` after the Records array",
                        char::from(other)
                    )));
                }
            }
        }
        match mode {
            _ if self.ended => Ok(()),
            Mode::Top => Ok(()),
            _ => Err(Stop::Broken(
                "the file ends inside the Records array".to_owned(),
            )),
        }
    }

    /// At `{`: the length of `{ "Records" : [` when that is what follows. Reads only as far
    /// as it takes to tell (at most [`LOOKAHEAD`] bytes).
    fn records_key(&mut self) -> Result<Option<usize>, Stop> {
        loop {
            match records_prefix(self.data()) {
                Some(found) => return Ok(found),
                None if self.end - self.start < LOOKAHEAD && self.fill()? => {}
                None => return Ok(None),
            }
        }
    }

    /// Parses one record at the current position and hands it over; on a bad record, skips
    /// it (to the end of the line for a top-level value, to the end of the value inside an
    /// array).
    fn record(&mut self, top: bool, each: &mut impl FnMut(Item<'_>)) -> Result<(), Stop> {
        loop {
            let index = self.index;
            let eof = self.eof;
            let data = self.buf.data.get(self.start..self.end).unwrap_or_default();
            let parsed = match fast::parse(data) {
                Fast::Done(record, used) => Parsed::Record(record, used),
                Fast::Eof => Parsed::NeedMore,
                Fast::Fallback => {
                    let mut stream = Deserializer::from_slice(data).into_iter::<Record<'_>>();
                    match stream.next() {
                        Some(Ok(record)) => Parsed::Record(record, stream.byte_offset()),
                        Some(Err(e)) if e.is_eof() || (!eof && near_end(data, &e)) => {
                            Parsed::NeedMore
                        }
                        Some(Err(e)) => Parsed::Bad(message(&e)),
                        None => return Ok(()),
                    }
                }
            };
            match parsed {
                Parsed::Record(record, used) => {
                    if record.event_source.is_none() && record.event_name.is_none() {
                        each(Item::Malformed(
                            index,
                            "not a CloudTrail event (no eventSource or eventName)".to_owned(),
                        ));
                    } else {
                        each(Item::Record(index, record));
                    }
                    self.start += used;
                    self.index += 1;
                    return Ok(());
                }
                Parsed::NeedMore if !eof => {
                    if self.end - self.start >= self.buf.max {
                        self.index += 1;
                        each(Item::Malformed(
                            index,
                            format!("a record is larger than {} bytes", self.buf.max),
                        ));
                        return if top {
                            self.skip_line()
                        } else {
                            self.skip_value()
                        };
                    }
                    self.fill()?;
                }
                Parsed::NeedMore => {
                    self.index += 1;
                    each(Item::Malformed(
                        index,
                        "the file ends inside a record".to_owned(),
                    ));
                    self.start = self.end;
                    self.ended = true;
                    return Ok(());
                }
                Parsed::Bad(message) => {
                    self.index += 1;
                    each(Item::Malformed(index, message));
                    return if top {
                        self.skip_line()
                    } else if self.data().first() == Some(&b'}') {
                        // A stray `}` where a record should start is no value `skip_value`
                        // could step over: skipping it is what moves the reader on.
                        self.start += 1;
                        Ok(())
                    } else {
                        self.skip_value()
                    };
                }
            }
        }
    }

    /// Skips past the next newline.
    fn skip_line(&mut self) -> Result<(), Stop> {
        loop {
            if let Some(i) = self.data().iter().position(|&b| b == b'\n') {
                self.start += i + 1;
                return Ok(());
            }
            self.start = self.end;
            if !self.fill()? {
                return Ok(());
            }
        }
    }

    /// Skips one JSON value by its brackets and strings alone, without holding it in memory:
    /// up to the `,` or `]` that follows it, or past its closing bracket.
    fn skip_value(&mut self) -> Result<(), Stop> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let data = self.data();
            let mut used = None;
            for (i, &b) in data.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            used = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth == 0 => {
                        used = Some(i);
                        break;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            used = Some(i + 1);
                            break;
                        }
                    }
                    b',' if depth == 0 => {
                        used = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            match used {
                Some(i) => {
                    self.start += i;
                    return Ok(());
                }
                None => {
                    self.start = self.end;
                    if !self.fill()? {
                        self.ended = true;
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Skips `"key": value` of the object around the Records array.
    fn skip_member(&mut self) -> Result<(), Stop> {
        if self.peek()? != Some(b'"') {
            return Err(Stop::Broken(
                "expected a key after the Records array".to_owned(),
            ));
        }
        self.skip_value()?;
        if self.peek()? != Some(b':') {
            return Err(Stop::Broken("expected `:` after a key".to_owned()));
        }
        self.start += 1;
        self.peek()?;
        self.skip_value()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use std::io::Write as _;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    /// (index, eventName or the malformed message).
    fn names(text: &[u8], initial: usize) -> Vec<(u64, String)> {
        let mut buf = Buffer::new(initial, 1 << 20);
        let mut out = Vec::new();
        read(text, &mut buf, |item| match item {
            Item::Record(i, r) => out.push((i, r.event_name.unwrap().as_str().to_owned())),
            Item::Malformed(i, m) => out.push((i, format!("malformed: {m}"))),
        })
        .unwrap();
        out
    }

    fn ok(names: &[&str]) -> Vec<(u64, String)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64, (*n).to_owned()))
            .collect()
    }

    const RECORDS: &[u8] = br#"{"Records":[{"eventName":"A","eventSource":"s"},
        {"eventName":"B","eventSource":"s","requestParameters":{"x":"}]\"{"}},{"eventName":"C","eventSource":"s"}]}"#;

    #[test]
    fn records_document_in_any_buffer_size() {
        for initial in [16, 17, 33, 100, 1 << 20] {
            assert_eq!(names(RECORDS, initial), ok(&["A", "B", "C"]), "{initial}");
        }
    }

    #[test]
    fn numbers_cut_by_the_buffer_are_not_errors() {
        // The escape sends the record through serde, which reads `-`, `1.` or `1e` at the
        // end of the buffer as an invalid number: the reader must read on instead.
        let text = br#"{"Records":[{"eventName":"A\u0042","eventSource":"s","p":[-1.5e+3,-2,0.25,7E-1]}]}"#;
        let lines = br#"{"eventName":"A\u0042","eventSource":"s","p":[-1.5e+3,-2,0.25,7E-1]}"#;
        for initial in 16..=90 {
            assert_eq!(names(text, initial), ok(&["AB"]), "{initial}");
            assert_eq!(names(lines, initial), ok(&["AB"]), "{initial}");
        }
    }

    #[test]
    fn json_lines_and_arrays_and_formatted_documents() {
        let lines = b"{\"eventName\":\"A\",\"eventSource\":\"s\"}\n\n{\"eventName\":\"B\",\"eventSource\":\"s\"}\r\n";
        assert_eq!(names(lines, 16), ok(&["A", "B"]));
        let array =
            br#"[{"eventName":"A","eventSource":"s"} , {"eventName":"B","eventSource":"s"}]"#;
        assert_eq!(names(array, 16), ok(&["A", "B"]));
        let pretty = b"{\n  \"Records\" : [\n    {\n      \"eventName\": \"A\", \"eventSource\": \"s\"\n    }\n  ],\n  \"Other\": {\"k\": [1, \"]\"]}\n}\n{\"Records\":[]}";
        assert_eq!(names(pretty, 16), ok(&["A"]));
        // A JSON Lines file of whole log documents.
        let docs = [RECORDS, b"\n", RECORDS].concat();
        assert_eq!(names(&docs, 64), ok(&["A", "B", "C", "A", "B", "C"]));
    }

    #[test]
    fn malformed_records_are_reported_and_skipped() {
        let text = br#"{"Records":[{"eventName":"A","eventSource":"s"},{"eventName":7},{"eventName":"C","eventSource":"s"},{"bad" "x"},{"eventName":"E","eventSource":"s"},{"digest":1}]}"#;
        let got = names(text, 16);
        assert_eq!(got.len(), 6);
        assert_eq!(got[0].1, "A");
        assert!(got[1].1.starts_with("malformed: invalid type"), "{got:?}");
        assert_eq!(got[2].1, "C");
        assert!(got[3].1.starts_with("malformed: expected `:`"), "{got:?}");
        assert_eq!(got[4].1, "E");
        assert!(got[5].1.contains("not a CloudTrail event"), "{got:?}");
        let lines = b"{\"eventName\":\"A\",\"eventSource\":\"s\"}\n{\"eventName\": nope}\n42\n{\"eventName\":\"D\",\"eventSource\":\"s\"}\n";
        let got = names(lines, 16);
        assert_eq!(
            got.iter()
                .map(|g| g.1.starts_with("malformed"))
                .collect::<Vec<_>>(),
            [false, true, true, false]
        );
        assert_eq!(got[3], (3, "D".to_owned()));
    }

    #[test]
    fn a_truncated_file_reports_its_last_record_and_ends() {
        let cut = RECORDS.get(..RECORDS.len() - 30).unwrap();
        let got = names(cut, 16);
        assert_eq!(got.len(), 3);
        assert_eq!(got[..2], ok(&["A", "B"]));
        assert_eq!(got[2].1, "malformed: the file ends inside a record");
        // Cut between records: the array is unfinished.
        let cut = br#"{"Records":[{"eventName":"A","eventSource":"s"},"#;
        let got = names(cut, 16);
        assert_eq!(got[0].1, "A");
        assert!(
            got[1].1.contains("ends inside the Records array"),
            "{got:?}"
        );
    }

    #[test]
    fn a_stray_closing_brace_in_the_records_array_is_skipped() {
        // Found by fuzzing (cloudtrail_read): a `}` where a record should start was reported
        // as malformed again and again without being consumed.
        let check = |text: &[u8], expected: &[&str]| {
            let mut buf = Buffer::new(16, 1 << 20);
            let mut got = Vec::new();
            read(text, &mut buf, |item| {
                assert!(got.len() < 100, "the reader does not advance");
                got.push(match item {
                    Item::Record(_, r) => r.event_name.unwrap().as_str().to_owned(),
                    Item::Malformed(_, m) => format!("malformed: {m}"),
                });
            })
            .unwrap();
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(text));
        };
        let stray = "malformed: expected value";
        check(br#"{"Records":[}]}"#, &[stray]);
        check(b"[}]", &[stray]);
        check(
            br#"{"Records":[{"eventName":"A","eventSource":"s"}}, {"eventName":"B","eventSource":"s"}]}"#,
            &["A", stray, "B"],
        );
        // A record whose text ends early leaves its closing braces behind.
        check(
            br#"{"Records":[{"eventName":"A","eventSource":"s","p":{"x"}}}]}"#,
            &["malformed: expected `:`", stray],
        );
    }

    #[test]
    fn a_record_larger_than_the_limit_is_malformed() {
        let big = format!(
            r#"{{"Records":[{{"eventName":"{}","eventSource":"s"}},{{"eventName":"B","eventSource":"s"}}]}}"#,
            "x".repeat(300)
        );
        let mut buf = Buffer::new(16, 256);
        let mut out = Vec::new();
        read(big.as_bytes(), &mut buf, |item| {
            out.push(matches!(item, Item::Record(..)));
        })
        .unwrap();
        assert_eq!(out, [false, true]);
    }

    #[test]
    fn gzip_is_recognized_by_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.json");
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(RECORDS).unwrap();
        let mut bytes = gz.finish().unwrap();
        // A second gzip member, as log shippers concatenate them.
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(b"\n{\"eventName\":\"D\",\"eventSource\":\"s\"}")
            .unwrap();
        bytes.extend(gz.finish().unwrap());
        std::fs::write(&path, &bytes).unwrap();
        let mut buf = Buffer::default();
        let mut got = Vec::new();
        read(open(&path).unwrap(), &mut buf, |item| {
            if let Item::Record(_, r) = item {
                got.push(r.event_name.unwrap().as_str().to_owned());
            }
        })
        .unwrap();
        assert_eq!(got, ["A", "B", "C", "D"]);
        // A damaged stream ends the file with one malformed record.
        let cut = bytes.get(..bytes.len() / 2).unwrap();
        std::fs::write(&path, cut).unwrap();
        let mut malformed = 0;
        read(open(&path).unwrap(), &mut buf, |item| {
            if let Item::Malformed(..) = item {
                malformed += 1;
            }
        })
        .unwrap();
        assert_eq!(malformed, 1);
    }

    #[test]
    fn finds_log_files_recursively() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::create_dir_all(d.join("CloudTrail-Digest")).unwrap();
        for f in [
            "a/x.json",
            "a/b/y.json.gz",
            "a/b/z.jsonl",
            "a/notes.txt",
            ".hidden.json",
            "CloudTrail-Digest/d.json.gz",
        ] {
            std::fs::write(d.join(f), b"{}").unwrap();
        }
        let found: Vec<String> = find_files(&[d.to_path_buf(), d.join("a/notes.txt")])
            .unwrap()
            .into_iter()
            .map(|(p, _)| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(
            found,
            ["a/b/y.json.gz", "a/b/z.jsonl", "a/notes.txt", "a/x.json"]
        );
        assert!(find_files(&[d.join("missing")]).is_err());
    }
}
