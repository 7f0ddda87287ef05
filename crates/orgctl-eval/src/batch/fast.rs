//! The reader of lines of the common shape, which `serde_json` would read the same way.
//!
//! It compares keys as bytes, borrows every string, writes context values into the request's
//! context in place, and takes a policy field whose text the evaluator's cache holds by
//! comparing bytes. It declines (`None`) whatever it does not read itself: strings with
//! escapes or control characters, unknown or repeated keys, numbers other than integers
//! from 0 to 19 digits, `null` inside a context array, policy documents written out (unless
//! the cache holds their text), and anything that is not valid JSON. A declined line goes to
//! `serde_json`, which reads it or says what is wrong with it.

use std::borrow::Cow;

use super::{Id, Line, POLICY_FIELDS};
use crate::request::{Context, ContextValue};

/// Policy fields read before: given a field's index in [`POLICY_FIELDS`] and the rest of a
/// line from where that field's value starts, the length of a text of that field, read
/// before, that the rest starts with.
pub(super) type Known<'k> = &'k dyn Fn(usize, &[u8]) -> Option<usize>;

/// Arrays nested deeper than this in a policy field are left to `serde_json`.
const MAX_DEPTH: usize = 8;

/// Reads `text` when it has the common shape, its context into `context` (cleared first);
/// `None` when `serde_json` should read it. A policy field that starts with a value `known`
/// knows is taken without reading it again: JSON arrays, objects and strings end where they
/// close, and what follows a number or literal is checked, so a value that starts with a
/// whole value is that value.
pub(super) fn read<'a>(text: &'a str, known: Known<'_>, context: &mut Context) -> Option<Line<'a>> {
    context.clear();
    let mut r = Reader { text, pos: 0 };
    let mut line = Line::default();
    let mut seen = [false; super::FIELDS.len()];
    r.ws();
    r.expect(b'{')?;
    r.ws();
    if r.peek() == Some(b'}') {
        r.pos += 1;
    } else {
        loop {
            let field = r.key()?;
            let first = seen.get_mut(field).filter(|seen| !**seen)?;
            *first = true;
            r.ws();
            r.expect(b':')?;
            r.ws();
            match field {
                0 => line.id = r.id()?,
                1 => line.principal = r.text()?,
                2 => line.action = r.text()?,
                3 => line.resource = r.text()?,
                4 => line.resource_account = r.text()?,
                5 => r.context(context)?,
                _ => {
                    let i = field.checked_sub(super::FIELDS.len() - POLICY_FIELDS.len())?;
                    let value = r.policy(i, known)?;
                    *line.policies.get_mut(i)? = value;
                }
            }
            r.ws();
            match r.next()? {
                b',' => r.ws(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    r.ws();
    (r.pos == text.len()).then_some(line)
}

/// The keys of [`super::FIELDS`], quoted, in the same order.
const KEYS: [&[u8]; super::FIELDS.len()] = [
    b"\"id\"",
    b"\"principal\"",
    b"\"action\"",
    b"\"resource\"",
    b"\"resource_account\"",
    b"\"context\"",
    b"\"identity_policies\"",
    b"\"scps\"",
    b"\"rcps\"",
    b"\"resource_policy\"",
    b"\"permissions_boundary\"",
    b"\"session_policy\"",
];

/// Which bytes end the plain part of a JSON string: the closing quote, a backslash, and the
/// control characters JSON does not allow in strings.
const STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stops[b] = true;
        b += 1;
    }
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops
};

/// Eight bytes, little-endian, with the high bit set in the first byte that is a quote, a
/// backslash or a control character (and maybe in later bytes too, but in none before it).
const fn stops(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Bytes below `n`: a byte minus `n` borrows into its high bit, unless the byte had its
    // high bit set already. The lowest byte flagged is exact; a borrow can only flag bytes
    // above it.
    const fn below(x: u64, n: u8) -> u64 {
        x.wrapping_sub(ONES * n as u64) & !x & HIGHS
    }
    below(x ^ (ONES * b'"' as u64), 1) | below(x ^ (ONES * b'\\' as u64), 1) | below(x, 0x20)
}

/// A position in a line.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// Skips JSON whitespace.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips `word` (a literal such as `null`) if the text continues with it.
    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self
            .text
            .as_bytes()
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.pos += word.len();
        }
        found
    }

    /// A key of the batch format written without escapes, as its index in [`KEYS`].
    fn key(&mut self) -> Option<usize> {
        let rest = self.text.as_bytes().get(self.pos..)?;
        // The keys that start with the key's first letter.
        let candidates: &[usize] = match rest.get(1)? {
            b'i' => &[0, 6],
            b'p' => &[1, 10],
            b'a' => &[2],
            b'r' => &[3, 4, 9, 8],
            b'c' => &[5],
            b's' => &[7, 11],
            _ => return None,
        };
        let (field, key) = candidates
            .iter()
            .filter_map(|&i| Some((i, *KEYS.get(i)?)))
            .find(|(_, key)| rest.starts_with(key))?;
        self.pos += key.len();
        Some(field)
    }

    /// A string without escapes, without its quotes.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start;
        // Eight bytes at a time, then one by one.
        while let Some(chunk) = bytes.get(end..end + 8) {
            let stops = stops(u64::from_le_bytes(chunk.try_into().ok()?));
            if stops != 0 {
                end += (stops.trailing_zeros() / 8) as usize;
                break;
            }
            end += 8;
        }
        while !STOPS
            .get(usize::from(*bytes.get(end)?))
            .copied()
            .unwrap_or(true)
        {
            end += 1;
        }
        if bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        self.text.get(start..end)
    }

    /// An integer from 0 with at most 19 digits (so within `u64`), as written.
    fn integer(&mut self) -> Option<(&'a str, u64)> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut value = 0u64;
        let mut end = start;
        while let Some(&b) = bytes.get(end).filter(|b| b.is_ascii_digit()) {
            if end - start == 19 {
                return None;
            }
            value = value * 10 + u64::from(b - b'0');
            end += 1;
        }
        let digits = end - start;
        let leading_zero = digits > 1 && bytes.get(start) == Some(&b'0');
        let fraction = matches!(bytes.get(end), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || fraction {
            return None;
        }
        self.pos = end;
        Some((self.text.get(start..end)?, value))
    }

    /// The `id`: a string, an integer, a boolean or `null`.
    fn id(&mut self) -> Option<Id<'a>> {
        Some(match self.peek()? {
            b'"' => Id::Str(Cow::Borrowed(self.string()?)),
            b'0'..=b'9' => Id::U64(self.integer()?.1),
            b't' if self.literal(b"true") => Id::Bool(true),
            b'f' if self.literal(b"false") => Id::Bool(false),
            b'n' if self.literal(b"null") => Id::Null,
            _ => return None,
        })
    }

    /// A string field: a string or `null`.
    fn text(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'"' => Some(Some(Cow::Borrowed(self.string()?))),
            b'n' if self.literal(b"null") => Some(None),
            _ => None,
        }
    }

    /// A single context value as text: a string, an integer or a boolean.
    fn scalar(&mut self) -> Option<&'a str> {
        match self.peek()? {
            b'"' => self.string(),
            b'0'..=b'9' => Some(self.integer()?.0),
            b't' if self.literal(b"true") => Some("true"),
            b'f' if self.literal(b"false") => Some("false"),
            _ => None,
        }
    }

    /// The `context` object into `context`, or `null`.
    fn context(&mut self, context: &mut Context) -> Option<()> {
        if self.literal(b"null") {
            return Some(());
        }
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            match self.peek()? {
                b'n' if self.literal(b"null") => {
                    context.remove(key);
                }
                b'[' => {
                    self.pos += 1;
                    let values = self.scalars()?;
                    context.insert(key, ContextValue::Multi(values));
                }
                _ => {
                    let value = self.scalar()?;
                    context.insert_single(key, value);
                }
            }
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// The values of a context array, after its `[`.
    fn scalars(&mut self) -> Option<Vec<String>> {
        let mut values = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(values);
        }
        loop {
            values.push(self.scalar()?.to_owned());
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b']' => return Some(values),
                _ => return None,
            }
        }
    }

    /// The raw text of policy field `field` (`None` for `null`).
    fn policy(&mut self, field: usize, known: Known<'_>) -> Option<Option<&'a str>> {
        let start = self.pos;
        if let Some(len) = known(field, self.text.as_bytes().get(start..)?) {
            self.pos += len;
            return Some(Some(self.text.get(start..self.pos)?));
        }
        if self.literal(b"null") {
            return Some(None);
        }
        self.skip(0)?;
        Some(Some(self.text.get(start..self.pos)?))
    }

    /// Skips a policy field's value: a string (a policy's name), or an array of them, of
    /// `null` and of such arrays.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'n' if self.literal(b"null") => Some(()),
            b'[' if depth < MAX_DEPTH => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        reason = "test code"
    )]

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::super::{POLICY_FIELDS, read_serde};
    use super::*;

    /// Policy texts read before, as the evaluator's cache holds them: `(field, text)`.
    fn known_from(texts: &[(usize, String)]) -> impl Fn(usize, &[u8]) -> Option<usize> + '_ {
        move |field, rest| {
            texts
                .iter()
                .find(|(f, t)| *f == field && rest.starts_with(t.as_bytes()))
                .map(|(_, t)| t.len())
        }
    }

    /// Reads `line` both ways: the fast reader reads it as `serde_json` does, or declines.
    /// `true` when the fast reader read it.
    fn agree(line: &str, texts: &[(usize, String)]) -> Result<bool, TestCaseError> {
        let known = known_from(texts);
        let mut fast_context = Context::new();
        let mut serde_context = Context::new();
        // Leftovers of an earlier line must not leak into this one.
        fast_context.insert_single("Left:Over", "x");
        serde_context.insert_single("left:over", "y");
        let fast = read(line, &known, &mut fast_context);
        let serde = read_serde(line, &mut serde_context);
        let Some(fast) = fast else {
            return Ok(false);
        };
        let serde = match serde {
            Ok(serde) => serde,
            Err(e) => return Err(TestCaseError::fail(format!("{line}: serde fails: {e}"))),
        };
        prop_assert_eq!(&fast, &serde, "{}", line);
        prop_assert_eq!(&fast_context, &serde_context, "{}", line);
        Ok(true)
    }

    /// The policy fields of a line `serde_json` reads, as the evaluator would cache them.
    fn texts_of(line: &str) -> Vec<(usize, String)> {
        let Ok(read) = read_serde(line, &mut Context::new()) else {
            return Vec::new();
        };
        read.policies
            .iter()
            .enumerate()
            .filter_map(|(i, text)| Some((i, (*text)?.to_owned())))
            .collect()
    }

    const COMMON: &str = r#"{"id": 7, "principal": "arn:aws:iam::555666777888:role/Developer", "action": "s3:PutObject", "resource": "arn:aws:s3:::docs/key", "resource_account": "555666777888", "context": {"aws:RequestedRegion": "us-west-2", "s3:x-amz-server-side-encryption": "AES256"}, "identity_policies": ["FullAWSAccess"], "scps": [["FullAWSAccess", "RegionDeny", "ProtectCloudTrail"], ["FullAWSAccess", "RequireS3Encryption", "DenyPublicS3"], ["FullAWSAccess"]]}"#;

    #[test]
    fn the_common_shape_is_read_here() {
        let lines = [
            COMMON.to_owned(),
            COMMON.replace(": ", ":").replace(", ", ","),
            format!(" \t{COMMON}\r\n "),
            r#"{}"#.to_owned(),
            r#"{"id":"line-1","principal":"111122223333","action":"ec2:RunInstances","context":null,"scps":null,"rcps":[],"resource":null}"#.to_owned(),
            r#"{"id":null,"principal":"p","action":"a","context":{"n":0,"m":1234567890123456789,"b":true,"c":false,"gone":null,"many":["x",1,true],"none":[]}}"#.to_owned(),
            r#"{"id":true,"principal":"é日本😀","action":"a","resource_policy":"Name","permissions_boundary":"B","session_policy":"S","identity_policies":[],"rcps":[[null,"A"],[]]}"#.to_owned(),
        ];
        for line in &lines {
            assert!(agree(line, &[]).unwrap(), "{line}");
        }
    }

    #[test]
    fn unusual_lines_go_to_serde() {
        let base = r#""principal":"p","action":"a""#;
        for tail in [
            r#","id":-1"#,
            r#","id":1.5"#,
            r#","id":1e3"#,
            r#","id":01"#,
            r#","id":12345678901234567890"#,
            r#","id":[1]"#,
            r#","id":{"a":1}"#,
            r#","resource":"a\/b""#,
            r#","resource":"tab	here""#,
            r#","resource":3"#,
            r#","extra":1"#,
            r#","action":"b""#,
            r#","context":{"k":-2}"#,
            r#","context":{"k":0.5}"#,
            r#","context":{"k":[null]}"#,
            r#","context":{"k":{"a":1}}"#,
            r#","context":{"k\u0041":"v"}"#,
            r#","context":"x""#,
            r#","identity_policies":[{"Statement":[]}]"#,
            r#","scps":[[1]]"#,
            r#","scps":[[[[[[[[["A"]]]]]]]]]"#,
            r#","session_policy":true"#,
            r#","\u0069d":1"#,
            r#",}"#,
            r#"} x"#,
        ] {
            let line = format!("{{{base}{tail}}}");
            assert!(!agree(&line, &[]).unwrap(), "{line}");
        }
        for line in [
            "",
            "[]",
            "null",
            "\u{feff}{}",
            "{",
            r#"{"id":1"#,
            r#"{"id" 1}"#,
        ] {
            assert!(!agree(line, &[]).unwrap(), "{line:?}");
        }
    }

    #[test]
    fn policy_fields_read_before_are_taken_as_they_are() {
        let inline = r#"{"id":1,"principal":"p","action":"a","identity_policies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],"resource_policy":{"Statement":[]}}"#;
        // Unknown, the inline documents go to serde; known, they are taken as they are.
        assert!(!agree(inline, &[]).unwrap());
        let texts = texts_of(inline);
        assert_eq!(texts.len(), 2);
        assert!(agree(inline, &texts).unwrap());
        // A text read before is taken only when the value is that text, and not a longer one.
        let texts = vec![(POLICY_FIELDS.len() - 3, "3".to_owned())];
        for value in ["3", "35", "3.5", "3e1", "3 ", "\"3\""] {
            let line = format!(r#"{{"principal":"p","action":"a","resource_policy":{value}}}"#);
            agree(&line, &texts).unwrap();
        }
    }

    /// A JSON string with the given content: plain, or with some characters escaped.
    fn quoted(content: &str, escape: bool) -> String {
        if escape {
            let mut out = String::from("\"");
            for (i, c) in content.chars().enumerate() {
                if i % 2 == 0 && c.is_ascii_alphanumeric() {
                    out.push_str(&format!("\\u{:04x}", u32::from(c)));
                } else {
                    out.push_str(&serde_json::to_string(&c.to_string()).unwrap()[1..][..]);
                    out.pop();
                }
            }
            out.push('"');
            out
        } else {
            serde_json::to_string(content).unwrap()
        }
    }

    fn string() -> impl Strategy<Value = String> {
        (
            prop_oneof![
                Just(String::new()),
                Just("FullAWSAccess".to_owned()),
                Just("RegionDeny".to_owned()),
                Just("arn:aws:iam::111122223333:role/Dev".to_owned()),
                Just("s3:PutObject".to_owned()),
                "[a-zA-Z0-9:/*._-]{0,10}",
                "[a-z\"\\\\/é日\n\t\u{1}\u{7f} ]{0,6}",
            ],
            prop::bool::weighted(0.15),
        )
            .prop_map(|(s, escape)| quoted(&s, escape))
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => any::<u64>().prop_map(|n| n.to_string()),
            2 => (0u64..1000).prop_map(|n| n.to_string()),
            1 => any::<i64>().prop_map(|n| n.to_string()),
            4 => prop::sample::select(vec![
                "0", "-0", "00", "01", "1.", ".5", "-", "1.5", "1e3", "2E-2", "0.0",
                "9999999999999999999", "10000000000000000000",
            ])
                .prop_map(str::to_owned),
        ]
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => string(),
            2 => number(),
            1 => prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_owned),
        ]
    }

    /// Whitespace, mostly none or one space.
    fn ws() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", "", " ", " ", "\t", "\n", "\r\n", "  "])
    }

    fn array_of<S: Strategy<Value = String>>(
        items: S,
        max: usize,
    ) -> impl Strategy<Value = String> {
        (prop::collection::vec((items, ws()), 0..max), ws()).prop_map(|(items, end)| {
            let inner: Vec<String> = items.into_iter().map(|(v, w)| format!("{w}{v}")).collect();
            format!("[{}{end}]", inner.join(","))
        })
    }

    fn context() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("\"aws:RequestedRegion\"".to_owned()),
            Just("\"AWS:requestedregion\"".to_owned()),
            Just("\"s3:x-amz-acl\"".to_owned()),
            string(),
        ];
        let value = prop_oneof![
            6 => scalar(),
            2 => array_of(scalar(), 4),
            1 => Just("{\"a\":1}".to_owned()),
            1 => Just("[[\"a\"]]".to_owned()),
        ];
        prop_oneof![
            8 => prop::collection::vec((key, ws(), value), 0..5).prop_map(|entries| {
                let inner: Vec<String> = entries
                    .into_iter()
                    .map(|(k, w, v)| format!("{w}{k}{w}:{w}{v}"))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }),
            1 => Just("null".to_owned()),
            1 => scalar(),
            1 => Just("[]".to_owned()),
        ]
    }

    fn policy() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            4 => prop::sample::select(vec!["\"FullAWSAccess\"", "\"RegionDeny\"", "\"DenyPublicS3\""])
                .prop_map(str::to_owned),
            1 => string(),
            1 => Just(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#.to_owned()),
            1 => scalar(),
        ]
        .boxed();
        let list = array_of(name.clone(), 4).boxed();
        let levels = array_of(prop_oneof![4 => list.clone(), 1 => name.clone()], 4);
        prop_oneof![
            3 => levels,
            3 => list,
            2 => name,
            1 => Just("null".to_owned()),
            1 => Just("{}".to_owned()),
        ]
    }

    fn field() -> impl Strategy<Value = String> {
        let named = |key: &'static str, value: BoxedStrategy<String>| {
            (ws(), value).prop_map(move |(w, v)| format!("\"{key}\"{w}:{w}{v}"))
        };
        prop_oneof![
            3 => named("id", prop_oneof![number(), scalar(), Just("[1]".to_owned()), Just("{\"a\":[]}".to_owned())].boxed()),
            3 => named("principal", scalar().boxed()),
            3 => named("action", scalar().boxed()),
            3 => named("resource", scalar().boxed()),
            3 => named("resource_account", scalar().boxed()),
            3 => named("context", context().boxed()),
            3 => named("identity_policies", policy().boxed()),
            3 => named("scps", policy().boxed()),
            3 => named("rcps", policy().boxed()),
            3 => named("resource_policy", policy().boxed()),
            3 => named("permissions_boundary", policy().boxed()),
            3 => named("session_policy", policy().boxed()),
            1 => (string(), scalar()).prop_map(|(k, v)| format!("{k}:{v}")),
            1 => Just("\"\\u0069d\":1".to_owned()),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        (prop::collection::vec((ws(), field()), 0..10), ws(), ws()).prop_map(|(fields, a, b)| {
            let inner: Vec<String> = fields.into_iter().map(|(w, f)| format!("{w}{f}")).collect();
            format!("{a}{{{}{b}}}{a}", inner.join(","))
        })
    }

    /// A small change to `line`: a character removed, replaced or inserted, or the line cut.
    fn mutate(line: &str, at: prop::sample::Index, how: u8, with: char) -> String {
        let mut chars: Vec<char> = line.chars().collect();
        let i = at.index(chars.len() + 1);
        match how % 4 {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            1 if i < chars.len() => chars[i] = with,
            2 => chars.insert(i, with),
            _ => chars.truncate(i),
        }
        chars.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn fast_and_serde_read_lines_alike(line in line(), before in line()) {
            agree(&line, &[])?;
            // With the policy fields of this line and of another as read before.
            agree(&line, &texts_of(&line))?;
            agree(&line, &texts_of(&before))?;
        }

        #[test]
        fn fast_and_serde_read_mutated_lines_alike(
            line in line(),
            at in any::<prop::sample::Index>(),
            how in any::<u8>(),
            with in prop::sample::select(vec![
                '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '1', '-', '.', 'e', 'n', 't',
                'x', '\u{1}', '\n', 'é',
            ]),
        ) {
            let texts = texts_of(&line);
            let changed = mutate(&line, at, how, with);
            agree(&changed, &[])?;
            agree(&changed, &texts)?;
        }
    }

    #[test]
    fn generated_lines_are_often_read_here() {
        // The generator must reach the fast reader, not only serde.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = line();
        let mut read_here = 0;
        for _ in 0..500 {
            let line = strategy.new_tree(&mut runner).unwrap().current();
            if agree(&line, &texts_of(&line)).unwrap() {
                read_here += 1;
            }
        }
        assert!(read_here > 50, "{read_here} of 500");
    }

    #[test]
    fn keys_are_the_fields() {
        for (key, name) in KEYS.iter().zip(super::super::FIELDS) {
            assert_eq!(*key, format!("\"{name}\"").as_bytes());
        }
    }
}
