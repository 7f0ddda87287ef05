//! A JSON reader that keeps the span of every value and key.
//!
//! `serde_json` forgets where things were and keeps one value for a repeated key; a policy
//! tool needs both. This reader builds a small tree of [`Node`]s, keeps members in source
//! order (duplicates included), and recovers from the two mistakes most often found in real
//! policy files, comments and trailing commas, reporting each and reading on.

use std::borrow::Cow;

use crate::error::{ErrorKind, PolicyError};
use crate::span::Span;

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value was written.
    pub span: Span,
}

/// A JSON value whose children carry spans.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in source order.
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type's name as a user would say it.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped; the keys policies use most are not copied.
    pub key: Cow<'static, str>,
    /// Where the key was written, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// Reads `src` as one JSON value.
///
/// Returns the tree when the text could be read to the end (possibly after recovering from
/// comments or trailing commas), and every problem found. A `None` tree comes with at least
/// one error.
pub fn parse(src: &str) -> (Option<Node>, Vec<PolicyError>) {
    let mut reader = Reader {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        errors: Vec::new(),
        nodes: Vec::new(),
        members: Vec::new(),
    };
    let node = reader.document();
    (node, reader.errors)
}

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<PolicyError>,
    /// The items of the arrays being read, innermost last: each array's items move into a
    /// vector of their exact number when it closes, so no vector grows item by item.
    nodes: Vec<Node>,
    /// The same for the members of the objects being read.
    members: Vec<Member>,
}

/// The keys of policy elements and principal types: read without a copy, as the model keeps
/// none of them. (Condition operators and keys are kept, so they are read as any key.)
const KNOWN_KEYS: [&str; 16] = [
    "Version",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "Id",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
];

/// A problem that stops reading.
struct Fatal;

/// Where the first `"`, `\` or control character of `bytes` is: the end of a string's plain
/// run. Tests eight bytes at a time.
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // Per byte, the high bit of `(x - n) & !x` is set when `x` is below `n` (for the
        // lowest such byte at least, which is the one that counts).
        let below = |x: u64, n: u64| x.wrapping_sub(n * ONES) & !x & HIGH;
        let hit = below(w ^ (u64::from(b'"') * ONES), 1)
            | below(w ^ (u64::from(b'\\') * ONES), 1)
            | below(w, 0x20);
        if hit != 0 {
            return Some(at + (hit.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

impl Reader<'_> {
    fn document(&mut self) -> Option<Node> {
        if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            self.errors.push(
                PolicyError::new(
                    ErrorKind::InvalidCharacter,
                    Span::new(0, 3),
                    "the document starts with a byte order mark",
                )
                .with_help("save the file as UTF-8 without a BOM"),
            );
            self.pos = 3;
        }
        self.skip_space().ok()?;
        if self.pos >= self.bytes.len() {
            self.errors.push(
                PolicyError::new(ErrorKind::JsonSyntax, Span::new(0, 0), "the document is empty")
                    .with_help("a policy is a JSON object such as `{\"Version\": \"2012-10-17\", \"Statement\": []}`"),
            );
            return None;
        }
        let node = self.value(0).ok()?;
        self.skip_space().ok()?;
        if self.pos < self.bytes.len() {
            let start = self.pos;
            self.errors.push(
                PolicyError::new(
                    ErrorKind::JsonSyntax,
                    Span::new(start, self.char_end(start)),
                    "unexpected text after the end of the document",
                )
                .with_help("a policy document holds exactly one top-level JSON object"),
            );
            return None;
        }
        Some(node)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// End offset of the character starting at `at`, for one-character spans.
    fn char_end(&self, at: usize) -> usize {
        self.src
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(at, |c| at + c.len_utf8())
    }

    fn fatal(&mut self, span: Span, message: impl Into<String>, help: &str) -> Fatal {
        self.errors
            .push(PolicyError::new(ErrorKind::JsonSyntax, span, message).with_help(help));
        Fatal
    }

    fn unexpected(&mut self, expected: &str) -> Fatal {
        let start = self.pos;
        match self.src.get(start..).and_then(|s| s.chars().next()) {
            None => self.fatal(
                Span::new(start, start),
                format!("unexpected end of document, expected {expected}"),
                "the document is cut short: close every open `{` and `[`",
            ),
            Some(c) => {
                let help = match c {
                    '\'' => "JSON strings use double quotes `\"`, not single quotes",
                    '}' | ']' => "a bracket or brace does not match the one that opened this level",
                    c if c.is_alphabetic() => "keys and string values must be in double quotes",
                    _ => "check the punctuation just before this point",
                };
                self.fatal(
                    Span::new(start, start + c.len_utf8()),
                    format!("unexpected `{c}`, expected {expected}"),
                    help,
                )
            }
        }
    }

    /// Skips whitespace and comments; a comment is reported and then ignored.
    fn skip_space(&mut self) -> Result<(), Fatal> {
        loop {
            // Indentation comes in runs of spaces: skipped eight bytes at a time, the run's
            // last word by counting its leading spaces.
            while let Some(word) = self.bytes.get(self.pos..self.pos + 8) {
                let mut w = [0; 8];
                w.copy_from_slice(word);
                let not_space = u64::from_le_bytes(w) ^ u64::from_le_bytes([b' '; 8]);
                if not_space != 0 {
                    self.pos += (not_space.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn comment(&mut self) -> Result<(), Fatal> {
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or_default();
        let end = if rest.starts_with(b"//") {
            rest.iter()
                .position(|&b| b == b'\n')
                .map_or(self.bytes.len(), |i| start + i)
        } else if rest.starts_with(b"/*") {
            match rest.windows(2).skip(2).position(|w| w == b"*/") {
                Some(i) => start + 2 + i + 2,
                None => {
                    return Err(self.fatal(
                        Span::new(start, self.bytes.len()),
                        "unterminated comment",
                        "close the comment with `*/`, or better, remove it: JSON has no comments",
                    ));
                }
            }
        } else {
            return Err(self.unexpected("a value"));
        };
        self.errors.push(
            PolicyError::new(ErrorKind::JsonComment, Span::new(start, end), "comments are not allowed in JSON")
                .with_help("AWS rejects policy documents with comments; move the text into a `Sid` or remove it"),
        );
        self.pos = end;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, Fatal> {
        if depth > MAX_DEPTH {
            let at = self.pos;
            return Err(self.fatal(
                Span::new(at, self.char_end(at)),
                format!("nesting deeper than {MAX_DEPTH} levels"),
                "policy documents are never nested this deep; check the brackets",
            ));
        }
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value, Fatal> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if rest.starts_with(word.as_bytes())
            && !rest
                .get(word.len())
                .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn number(&mut self) -> Result<Value, Fatal> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while r.peek().is_some_and(|b| b.is_ascii_digit()) {
                r.pos += 1;
            }
            r.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        let leading_zero = n > 1 && self.bytes.get(int_start) == Some(&b'0');
        let mut ok = n > 0 && !leading_zero;
        if ok && self.peek() == Some(b'.') {
            self.pos += 1;
            ok = digits(self) > 0;
        }
        if ok && matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            ok = digits(self) > 0;
        }
        if !ok {
            let end = self.pos.max(start + 1);
            return Err(self.fatal(
                Span::new(start, end),
                "invalid number",
                "JSON numbers have no leading zeros and need digits after `.` and `e`; quote the value to make it a string",
            ));
        }
        Ok(Value::Number(
            self.src.get(start..self.pos).unwrap_or_default().to_owned(),
        ))
    }

    /// An object key: one of [`KNOWN_KEYS`] without a copy, another as [`Reader::string`] reads it.
    fn key(&mut self) -> Result<Cow<'static, str>, Fatal> {
        let rest = self.bytes.get(self.pos + 1..).unwrap_or_default();
        if let Some(len) = string_end(rest)
            && rest.get(len) == Some(&b'"')
            && let Some(text) = self.src.get(self.pos + 1..self.pos + 1 + len)
            && let Some(known) = KNOWN_KEYS.iter().find(|k| **k == text)
        {
            self.pos += len + 2;
            return Ok(Cow::Borrowed(known));
        }
        self.string().map(Cow::Owned)
    }

    fn string(&mut self) -> Result<String, Fatal> {
        let start = self.pos;
        self.pos += 1; // opening quote
        // Most strings have no escapes: copy them at once, into a string of the right size.
        let plain = string_end(self.bytes.get(self.pos..).unwrap_or_default());
        let mut out = String::new();
        if let Some(len) = plain {
            let end = self.pos + len;
            if self.bytes.get(end) == Some(&b'"') {
                let text = self.src.get(self.pos..end).unwrap_or_default().to_owned();
                self.pos = end + 1;
                return Ok(text);
            }
            out.reserve(len + 16);
        }
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.src.get(run_start..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(b'\n' | b'\r') | None => {
                    return Err(self.fatal(
                        Span::new(start, self.pos),
                        "unterminated string",
                        "close the string with `\"` before the end of the line",
                    ));
                }
                Some(_) => {
                    let at = self.pos;
                    return Err(self.fatal(
                        Span::new(at, at + 1),
                        "control character in a string",
                        "write tabs and other control characters as escapes such as `\\t`",
                    ));
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, Fatal> {
        let start = self.pos;
        self.pos += 1; // backslash
        let Some(c) = self.peek() else {
            return Err(self.unexpected("an escape character"));
        };
        self.pos += 1;
        let simple = match c {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(ch) = simple {
            return Ok(ch);
        }
        if c != b'u' {
            let end = self.char_end(start + 1);
            return Err(self.fatal(
                Span::new(start, end),
                "invalid escape in a string",
                "the escapes JSON allows are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a literal backslash as `\\\\`",
            ));
        }
        let hi = self.hex4(start)?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                let lo = self.hex4(start)?;
                if (0xDC00..0xE000).contains(&lo) {
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    if let Some(ch) = char::from_u32(code) {
                        return Ok(ch);
                    }
                }
            }
            let at = self.pos;
            return Err(self.fatal(
                Span::new(start, at),
                "unpaired surrogate in a `\\u` escape",
                "a character outside the basic plane is written as two escapes, `\\uD83D\\uDE00`",
            ));
        }
        char::from_u32(hi).ok_or_else(|| {
            let at = self.pos;
            self.fatal(
                Span::new(start, at),
                "unpaired surrogate in a `\\u` escape",
                "a character outside the basic plane is written as two escapes, `\\uD83D\\uDE00`",
            )
        })
    }

    fn hex4(&mut self, escape_start: usize) -> Result<u32, Fatal> {
        let digits = self
            .src
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => {
                // The four places the digits should fill, to the end of the character there.
                let mut end = (self.pos + 4).min(self.bytes.len());
                while !self.src.is_char_boundary(end) {
                    end += 1;
                }
                Err(self.fatal(
                    Span::new(escape_start, end),
                    "invalid `\\u` escape",
                    "`\\u` is followed by exactly four hexadecimal digits",
                ))
            }
        }
    }

    fn trailing_comma(&mut self, comma: usize) {
        self.errors.push(
            PolicyError::new(
                ErrorKind::TrailingComma,
                Span::new(comma, comma + 1),
                "trailing comma",
            )
            .with_help("JSON allows no comma after the last element; remove it"),
        );
    }

    fn array(&mut self, depth: usize) -> Result<Value, Fatal> {
        self.pos += 1;
        let mark = self.nodes.len();
        self.skip_space()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.skip_space()?;
            let item = self.value(depth + 1)?;
            self.nodes.push(item);
            self.skip_space()?;
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_space()?;
                    if self.peek() == Some(b']') {
                        self.trailing_comma(comma);
                        self.pos += 1;
                        return Ok(Value::Array(self.nodes.split_off(mark)));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(self.nodes.split_off(mark)));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Fatal> {
        self.pos += 1;
        let mark = self.members.len();
        self.skip_space()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(Vec::new()));
        }
        loop {
            self.skip_space()?;
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.key()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_space()?;
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:`"));
            }
            self.pos += 1;
            self.skip_space()?;
            let value = self.value(depth + 1)?;
            let own = self.members.get(mark..).unwrap_or_default();
            if let Some(first) = own.iter().find(|m| m.key == key) {
                let first_at = first.key_span.start;
                self.errors.push(
                    PolicyError::new(
                        ErrorKind::DuplicateKey,
                        key_span,
                        format!("duplicate key `{key}`"),
                    )
                    .with_help(format!(
                        "the key first appears at byte {first_at}; readers disagree on which one wins, so keep one and merge the values"
                    )),
                );
            }
            self.members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_space()?;
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_space()?;
                    if self.peek() == Some(b'}') {
                        self.trailing_comma(comma);
                        self.pos += 1;
                        return Ok(Value::Object(self.members.split_off(mark)));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(self.members.split_off(mark)));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod string_end_tests {
    #[test]
    fn finds_the_first_special_byte() {
        for len in 0..20 {
            let plain = vec![b'a'; len];
            assert_eq!(super::string_end(&plain), None);
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut s = plain.clone();
                    s[at] = special;
                    if at + 1 < len {
                        s[at + 1] = b'"';
                    }
                    assert_eq!(super::string_end(&s), Some(at), "{s:?}");
                }
            }
        }
        // Bytes above the ASCII range (UTF-8) and just above the controls are plain.
        assert_eq!(super::string_end("é ! \u{7f}ÿ\"".as_bytes()), Some(8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Node {
        let (node, errors) = parse(src);
        assert!(errors.is_empty(), "{errors:?}");
        node.unwrap()
    }

    fn first_error(src: &str) -> (ErrorKind, Span, String) {
        let (_, errors) = parse(src);
        let e = errors.first().expect("an error").clone();
        (e.kind(), e.span(), e.message().to_owned())
    }

    #[test]
    fn reads_values_with_spans() {
        let n = ok(r#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9\n"} "#);
        let Value::Object(m) = &n.value else { panic!() };
        assert_eq!(n.span, Span::new(1, 49));
        assert_eq!(m[0].key, "a");
        assert_eq!(m[0].key_span, Span::new(2, 5));
        let Value::Array(items) = &m[0].value.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Number("-2.5e3".into()));
        assert_eq!(items[1].span, Span::new(11, 17));
        assert_eq!(m[1].value.value, Value::String("xé\n".into()));
    }

    #[test]
    fn a_short_unicode_escape_is_reported_on_character_boundaries() {
        // Found by fuzzing (policy_parse): the error's span ended inside the character that
        // follows two hexadecimal digits (here a byte order mark, three bytes).
        let src = "\"Vers)\\/zRzre\\ue2\u{feff}csecso\\M";
        let (kind, span, message) = first_error(src);
        assert_eq!(
            (kind, message.as_str()),
            (ErrorKind::JsonSyntax, "invalid `\\u` escape")
        );
        assert_eq!(&src[span.start..span.end], "\\ue2\u{feff}");
        let src = "\"\\u1é\"";
        let (_, span, _) = first_error(src);
        assert_eq!(&src[span.start..span.end], "\\u1é\"");
    }

    #[test]
    fn surrogate_pairs_decode() {
        let n = ok(r#""\ud83d\ude00""#);
        assert_eq!(n.value, Value::String("😀".into()));
        assert_eq!(first_error(r#""\ud83d""#).0, ErrorKind::JsonSyntax);
    }

    #[test]
    fn comments_are_reported_and_skipped() {
        let src = "{\n  // note\n  \"a\": 1 /* x */\n}";
        let (node, errors) = parse(src);
        assert!(node.is_some());
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].kind(), ErrorKind::JsonComment);
        assert_eq!(
            &src[errors[0].span().start..errors[0].span().end],
            "// note"
        );
        assert_eq!(
            &src[errors[1].span().start..errors[1].span().end],
            "/* x */"
        );
    }

    #[test]
    fn trailing_commas_are_reported_and_skipped() {
        let (node, errors) = parse(r#"{"a": [1, 2,], "b": 3,}"#);
        assert!(node.is_some());
        let kinds: Vec<_> = errors.iter().map(|e| (e.kind(), e.span().start)).collect();
        assert_eq!(
            kinds,
            vec![
                (ErrorKind::TrailingComma, 11),
                (ErrorKind::TrailingComma, 21)
            ]
        );
    }

    #[test]
    fn element_keys_are_read_without_a_copy() {
        let node = ok(r#"{"Effect": 1, "Act\u0069on": 2, "aws:SourceIp": 3, "Effect2": 4}"#);
        let Value::Object(m) = node.value else {
            panic!("an object")
        };
        let keys: Vec<(&str, bool)> = m
            .iter()
            .map(|m| (m.key.as_ref(), matches!(m.key, Cow::Borrowed(_))))
            .collect();
        assert_eq!(
            keys,
            [
                ("Effect", true),
                ("Action", false),
                ("aws:SourceIp", false),
                ("Effect2", false)
            ]
        );
        assert_eq!(m[1].key_span, Span::new(14, 27));
    }

    #[test]
    fn duplicate_keys_are_kept_and_reported() {
        let (node, errors) = parse(r#"{"a": 1, "a": 2}"#);
        let Value::Object(m) = node.unwrap().value else {
            panic!()
        };
        assert_eq!(m.len(), 2);
        assert_eq!(errors[0].kind(), ErrorKind::DuplicateKey);
        assert_eq!(errors[0].span(), Span::new(9, 12));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        assert_eq!(
            first_error(r#"{"a" 1}"#),
            (
                ErrorKind::JsonSyntax,
                Span::new(5, 6),
                "unexpected `1`, expected `:`".into()
            )
        );
        assert_eq!(first_error("{'a': 1}").1, Span::new(1, 2));
        assert_eq!(first_error(r#"{"a": 01}"#).2, "invalid number");
        assert_eq!(first_error(r#"{"a": "x"#).2, "unterminated string");
        assert_eq!(
            first_error(r#"{"a": "x\q"}"#).2,
            "invalid escape in a string"
        );
        assert_eq!(
            first_error("{} {}").2,
            "unexpected text after the end of the document"
        );
        assert_eq!(first_error("").2, "the document is empty");
        assert_eq!(
            first_error("{\"a\": [").2,
            "unexpected end of document, expected a value"
        );
        assert_eq!(
            first_error("{\"a\": tru}").2,
            "unexpected `t`, expected a value"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = "[".repeat(10_000);
        assert!(first_error(&src).2.starts_with("nesting deeper"));
    }
}
