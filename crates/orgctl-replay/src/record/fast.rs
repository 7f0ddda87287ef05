//! A record parser for the common case, several times cheaper than going through serde: it
//! compares keys as bytes, borrows the strings it keeps, and checks what it skips against the
//! JSON grammar without building anything.
//!
//! It is exact where it answers: a [`Fast::Done`] record is the one serde would give, and
//! [`Fast::Eof`] means the input ends inside the value. Anything it does not handle (escapes
//! in a kept string or a key, a field of an unexpected type, a duplicate field, a syntax error,
//! deep nesting) is [`Fast::Fallback`]: the caller parses the record with serde, which decides
//! (and words the error).

use std::borrow::Cow;

use super::{
    FirstResource, Flag, Record, SessionAttributes, SessionContext, SessionIssuer, Str,
    UserIdentity,
};

/// What the fast parser made of a record.
#[derive(Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "lives on the stack for one record; boxing would allocate per record"
)]
pub enum Fast<'a> {
    /// The record and the bytes it took (up to its closing brace).
    Done(Record<'a>, usize),
    /// The input ends inside the record.
    Eof,
    /// Something only serde should decide.
    Fallback,
}

/// Why parsing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Eof,
    Fallback,
}

type Res<T> = Result<T, Stop>;

/// Nesting deeper than this is left to serde (which has its own limit).
const MAX_DEPTH: usize = 100;

/// Parses the record that starts at `bytes[0]` (a `{`).
pub fn parse(bytes: &[u8]) -> Fast<'_> {
    let mut p = Parser { b: bytes, i: 0 };
    match p.record() {
        Ok(r) => Fast::Done(r, p.i),
        Err(Stop::Eof) => Fast::Eof,
        Err(Stop::Fallback) => Fast::Fallback,
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// Whether string content holds a backslash or a control character (which JSON forbids
/// there). Written without an early exit, so that it compiles to wide compares.
fn special(text: &[u8]) -> bool {
    text.iter().fold(0u8, |acc, &c| {
        acc | u8::from(c == b'\\') | u8::from(c < 0x20)
    }) != 0
}

/// Whether `key` is `word`: a length check, then a compare of fixed size.
fn is<const N: usize>(key: &[u8], word: &[u8; N]) -> bool {
    <[u8; N]>::try_from(key).is_ok_and(|k| k == *word)
}

/// Marks a field as seen; a second time is serde's `duplicate field` error.
fn once(seen: &mut u32, bit: u32) -> Res<()> {
    if *seen & bit != 0 {
        return Err(Stop::Fallback);
    }
    *seen |= bit;
    Ok(())
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Res<u8> {
        self.b.get(self.i).copied().ok_or(Stop::Eof)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next non-whitespace byte.
    fn next_token(&mut self) -> Res<u8> {
        self.ws();
        self.peek()
    }

    fn expect(&mut self, c: u8) -> Res<()> {
        if self.next_token()? != c {
            return Err(Stop::Fallback);
        }
        self.i += 1;
        Ok(())
    }

    /// A string without escapes, at its opening quote; its bytes.
    fn raw_string(&mut self) -> Res<&'a [u8]> {
        let start = self.i + 1;
        let rest = self.b.get(start..).ok_or(Stop::Eof)?;
        let n = memchr::memchr(b'"', rest).ok_or(Stop::Eof)?;
        let text = rest.get(..n).ok_or(Stop::Fallback)?;
        if special(text) {
            return Err(Stop::Fallback);
        }
        self.i = start + n + 1;
        Ok(text)
    }

    /// A kept string: borrowed, valid UTF-8, no escapes.
    fn string(&mut self) -> Res<Str<'a>> {
        let raw = self.raw_string()?;
        std::str::from_utf8(raw)
            .map(|s| Str(Cow::Borrowed(s)))
            .map_err(|_| Stop::Fallback)
    }

    /// A string or `null`.
    fn opt_string(&mut self) -> Res<Option<Str<'a>>> {
        match self.next_token()? {
            b'"' => self.string().map(Some),
            b'n' => self.literal(b"null").map(|()| None),
            _ => Err(Stop::Fallback),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Res<()> {
        let rest = self.b.get(self.i..).unwrap_or_default();
        if rest.len() < word.len() {
            return if word.starts_with(rest) {
                Err(Stop::Eof)
            } else {
                Err(Stop::Fallback)
            };
        }
        if !rest.starts_with(word) {
            return Err(Stop::Fallback);
        }
        self.i += word.len();
        Ok(())
    }

    /// Walks the members of an object whose `{` is next, calling `member` with each key
    /// (the parser then at the value, which `member` must consume).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Res<()>) -> Res<()> {
        self.expect(b'{')?;
        if self.next_token()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            if self.next_token()? != b'"' {
                return Err(Stop::Fallback);
            }
            let key = self.raw_string()?;
            self.expect(b':')?;
            self.ws();
            member(self, key)?;
            match self.next_token()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// Walks the members of a struct's object: like [`Parser::object`], with keys that must
    /// be UTF-8 (serde reads them as strings; the keys of skipped objects it does not check).
    fn fields(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Res<()>) -> Res<()> {
        self.object(|p, key| {
            if !key.is_ascii() && std::str::from_utf8(key).is_err() {
                return Err(Stop::Fallback);
            }
            member(p, key)
        })
    }

    fn record(&mut self) -> Res<Record<'a>> {
        let mut r = Record::default();
        let mut seen = 0u32;
        self.fields(|p, key| {
            let slot = match key {
                _ if is(key, b"eventSource") => (1, &mut r.event_source),
                _ if is(key, b"eventName") => (1 << 1, &mut r.event_name),
                _ if is(key, b"eventType") => (1 << 2, &mut r.event_type),
                _ if is(key, b"eventTime") => (1 << 3, &mut r.event_time),
                _ if is(key, b"eventID") => (1 << 4, &mut r.event_id),
                _ if is(key, b"awsRegion") => (1 << 5, &mut r.aws_region),
                _ if is(key, b"sourceIPAddress") => (1 << 6, &mut r.source_ip),
                _ if is(key, b"recipientAccountId") => (1 << 7, &mut r.recipient_account),
                _ if is(key, b"errorCode") => (1 << 8, &mut r.error_code),
                _ if is(key, b"vpcEndpointId") => (1 << 9, &mut r.vpc_endpoint),
                _ if is(key, b"userIdentity") => {
                    once(&mut seen, 1 << 10)?;
                    r.user_identity = p.user_identity()?;
                    return Ok(());
                }
                _ if is(key, b"resources") => {
                    once(&mut seen, 1 << 11)?;
                    r.resource = p.resources()?;
                    return Ok(());
                }
                _ if is(key, b"tlsDetails") => {
                    once(&mut seen, 1 << 12)?;
                    r.tls = match p.peek()? {
                        b'n' => p.literal(b"null").map(|()| false)?,
                        // serde visits this object's entries, reading each key as a string:
                        // the keys must be UTF-8 as a struct's are (what is below, it skips).
                        b'{' => p.fields(|p, _| p.skip(1)).map(|()| true)?,
                        _ => return Err(Stop::Fallback),
                    };
                    return Ok(());
                }
                _ => return p.skip(0),
            };
            once(&mut seen, slot.0)?;
            *slot.1 = p.opt_string()?;
            Ok(())
        })?;
        Ok(r)
    }

    fn user_identity(&mut self) -> Res<Option<UserIdentity<'a>>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let mut u = UserIdentity::default();
        let mut seen = 0u32;
        self.fields(|p, key| {
            let slot = match key {
                _ if is(key, b"type") => (1, &mut u.kind),
                _ if is(key, b"arn") => (1 << 1, &mut u.arn),
                _ if is(key, b"accountId") => (1 << 2, &mut u.account_id),
                _ if is(key, b"invokedBy") => (1 << 3, &mut u.invoked_by),
                _ if is(key, b"sessionContext") => {
                    once(&mut seen, 1 << 4)?;
                    u.session = p.session()?;
                    return Ok(());
                }
                _ => return p.skip(1),
            };
            once(&mut seen, slot.0)?;
            *slot.1 = p.opt_string()?;
            Ok(())
        })?;
        Ok(Some(u))
    }

    fn session(&mut self) -> Res<Option<SessionContext<'a>>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let mut s = SessionContext::default();
        let mut seen = 0u32;
        self.fields(|p, key| match key {
            _ if is(key, b"attributes") => {
                once(&mut seen, 1)?;
                s.attributes = p.attributes()?;
                Ok(())
            }
            _ if is(key, b"sessionIssuer") => {
                once(&mut seen, 1 << 1)?;
                s.issuer = p.issuer()?;
                Ok(())
            }
            _ => p.skip(2),
        })?;
        Ok(Some(s))
    }

    fn attributes(&mut self) -> Res<Option<SessionAttributes>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let mut a = SessionAttributes::default();
        let mut seen = 0u32;
        self.fields(|p, key| match key {
            _ if is(key, b"mfaAuthenticated") => {
                once(&mut seen, 1)?;
                a.mfa_authenticated = match p.peek()? {
                    b'n' => p.literal(b"null").map(|()| None)?,
                    b't' => p.literal(b"true").map(|()| Some(Flag(true)))?,
                    b'f' => p.literal(b"false").map(|()| Some(Flag(false)))?,
                    b'"' => {
                        let s = p.string()?;
                        Some(Flag(s.as_str().eq_ignore_ascii_case("true")))
                    }
                    _ => return Err(Stop::Fallback),
                };
                Ok(())
            }
            _ => p.skip(3),
        })?;
        Ok(Some(a))
    }

    fn issuer(&mut self) -> Res<Option<SessionIssuer<'a>>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let mut s = SessionIssuer::default();
        let mut seen = 0u32;
        self.fields(|p, key| match key {
            _ if is(key, b"arn") => {
                once(&mut seen, 1)?;
                s.arn = p.opt_string()?;
                Ok(())
            }
            _ => p.skip(3),
        })?;
        Ok(Some(s))
    }

    fn resources(&mut self) -> Res<FirstResource<'a>> {
        match self.peek()? {
            b'n' => return self.literal(b"null").map(|()| FirstResource(None)),
            b'[' => self.i += 1,
            _ => return Err(Stop::Fallback),
        }
        if self.next_token()? == b']' {
            self.i += 1;
            return Ok(FirstResource(None));
        }
        if self.peek()? != b'{' {
            return Err(Stop::Fallback);
        }
        let mut arn = None;
        let mut seen = 0u32;
        self.fields(|p, key| match key {
            _ if is(key, b"ARN") => {
                once(&mut seen, 1)?;
                arn = p.opt_string()?;
                Ok(())
            }
            _ => p.skip(2),
        })?;
        loop {
            match self.next_token()? {
                b']' => {
                    self.i += 1;
                    return Ok(FirstResource(arn));
                }
                b',' => {
                    self.i += 1;
                    self.ws();
                    self.skip(1)?;
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// Skips one value, checking it against the JSON grammar.
    fn skip(&mut self, depth: usize) -> Res<()> {
        match self.next_token()? {
            b'"' => self.skip_string(),
            b'{' => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Fallback);
                }
                self.object(|p, _| p.skip(depth + 1))
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Fallback);
                }
                self.i += 1;
                if self.next_token()? == b']' {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.next_token()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(Stop::Fallback),
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => Err(Stop::Fallback),
        }
    }

    /// Skips a string at its opening quote, escapes included.
    fn skip_string(&mut self) -> Res<()> {
        let start = self.i + 1;
        let rest = self.b.get(start..).unwrap_or_default();
        // The usual string: no escape, no control character before the next quote.
        if let Some(n) = memchr::memchr(b'"', rest) {
            if !rest.get(..n).is_some_and(special) {
                self.i = start + n + 1;
                return Ok(());
            }
        }
        let mut i = start;
        loop {
            let rest = self.b.get(i..).unwrap_or_default();
            let Some(n) = rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            else {
                return Err(Stop::Eof);
            };
            i += n;
            match self.b.get(i).copied() {
                Some(b'"') => {
                    self.i = i + 1;
                    return Ok(());
                }
                Some(b'\\') => match self.b.get(i + 1).copied() {
                    None => return Err(Stop::Eof),
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        let hex = self.b.get(i + 2..i + 6);
                        match hex {
                            Some(h) if h.iter().all(u8::is_ascii_hexdigit) => i += 6,
                            Some(_) => return Err(Stop::Fallback),
                            None => {
                                let part = self.b.get(i + 2..).unwrap_or_default();
                                return if part.iter().all(u8::is_ascii_hexdigit) {
                                    Err(Stop::Eof)
                                } else {
                                    Err(Stop::Fallback)
                                };
                            }
                        }
                    }
                    Some(_) => return Err(Stop::Fallback),
                },
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// Skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. A number that
    /// reaches the end of the input may go on: that is the end of the input inside a value.
    fn skip_number(&mut self) -> Res<()> {
        let b = self.b;
        let mut i = self.i;
        let digits = |i: &mut usize| {
            let start = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - start
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            None => return Err(Stop::Eof),
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            Some(_) => return Err(Stop::Fallback),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return Err(if i >= b.len() {
                    Stop::Eof
                } else {
                    Stop::Fallback
                });
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return Err(if i >= b.len() {
                    Stop::Eof
                } else {
                    Stop::Fallback
                });
            }
        }
        if i >= b.len() {
            return Err(Stop::Eof);
        }
        self.i = i;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// What serde makes of the same bytes: the record and its length, or whether the input
    /// ended inside it.
    fn serde(bytes: &[u8]) -> Result<(Record<'_>, usize), bool> {
        let mut s = serde_json::Deserializer::from_slice(bytes).into_iter::<Record<'_>>();
        match s.next() {
            Some(Ok(r)) => Ok((r, s.byte_offset())),
            Some(Err(e)) => Err(e.is_eof()),
            None => Err(true),
        }
    }

    /// The fast parser agrees with serde wherever it answers.
    fn agrees(bytes: &[u8]) -> Result<bool, TestCaseError> {
        match parse(bytes) {
            Fast::Done(r, n) => {
                let (sr, sn) = serde(bytes).map_err(|eof| {
                    TestCaseError::fail(format!("serde failed (eof {eof}) where fast did not"))
                })?;
                prop_assert_eq!(r, sr);
                prop_assert_eq!(n, sn);
                Ok(true)
            }
            Fast::Eof => {
                // The object is not closed: serde fails too, at the end or at a number cut
                // short there.
                prop_assert!(serde(bytes).is_err(), "fast says EOF");
                Ok(false)
            }
            Fast::Fallback => Ok(false),
        }
    }

    #[test]
    fn usual_records_take_the_fast_path() {
        let text = br#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/b",
            "accountId":"1","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},
            "attributes":{"creationDate":"2023-07-10T11:42:31Z","mfaAuthenticated":"true"}}},
            "eventTime":"2023-07-10T11:42:44Z","eventSource":"s3.amazonaws.com","eventName":"GetBucketAcl",
            "requestParameters":{"a":[1,-2.5e3,true,false,null,"x\"\\\u00e9"],"b":{}},
            "responseElements":null,"resources":[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"},{"ARN":"x"}],
            "tlsDetails":{"tlsVersion":"TLSv1.2"},"readOnly":true} trailing"#;
        assert!(agrees(text).unwrap());
        // Escapes in a kept string, a duplicate field, an unexpected type: left to serde.
        for text in [
            br#"{"eventName":"A\u0042"}"#.as_slice(),
            br#"{"eventName":"A","eventName":"B"}"#,
            br#"{"eventName":7}"#,
            br#"{"userIdentity":["IAMUser"]}"#,
            br#"{"a":[1,]}"#,
            br#"{"a":01}"#,
        ] {
            assert_eq!(
                parse(text),
                Fast::Fallback,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(parse(br#"{"a":[1,2"#), Fast::Eof);
        assert_eq!(parse(br#"{"a":12"#), Fast::Eof);
        assert_eq!(parse(br#"{"a":"\u00"#), Fast::Eof);
        assert_eq!(parse(br#"{"a":tr"#), Fast::Eof);
    }

    #[test]
    fn the_keys_of_tls_details_must_be_utf8() {
        // Found by fuzzing (cloudtrail_read): serde rejects a record whose `tlsDetails` has a
        // key that is not UTF-8, and the fast parser took the record.
        let text = b"{\"eventName\":\"A\",\"eventSource\":\"s\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.2\",\"clientProvidedHostHeader\xff\":\"ec2.us-east-1.amazonaws.com\"}}";
        assert_eq!(serde(text).map(|_| ()), Err(false));
        assert_eq!(parse(text), Fast::Fallback);
        // Deeper keys and any string value are skipped unread by both.
        let text = b"{\"eventName\":\"A\",\"eventSource\":\"s\",\"tlsDetails\":{\"h\":{\"k\xff\":\"v\xff\"},\"v\":\"\xff\"}}";
        assert!(agrees(text).unwrap());
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9:/._-]{0,12}",
            "[a-z\"\\\\{}\\[\\],:é\n\t\u{1}]{0,8}",
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("ARN".to_owned()),
                            Just("arn".to_owned()),
                            Just("type".to_owned()),
                            Just("mfaAuthenticated".to_owned()),
                            Just("attributes".to_owned()),
                            Just("sessionIssuer".to_owned()),
                            "[a-z]{1,3}",
                        ],
                        inner
                    ),
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn record_text() -> impl Strategy<Value = String> {
        let field = prop_oneof![
            Just("eventSource"),
            Just("eventName"),
            Just("eventTime"),
            Just("userIdentity"),
            Just("sessionContext"),
            Just("resources"),
            Just("tlsDetails"),
            Just("errorCode"),
            Just("requestParameters"),
        ];
        prop::collection::vec((field, value()), 0..8).prop_map(|fields| {
            // Written by hand so that keys may repeat, as they can in the wild.
            let members: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{}", json!(k), v))
                .collect();
            format!("{{{}}}", members.join(","))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn fast_parse_agrees_with_serde(text in record_text(), cut in any::<prop::sample::Index>()) {
            let bytes = text.as_bytes();
            agrees(bytes)?;
            // Every prefix: never a record, EOF only where serde says EOF.
            let cut = cut.index(bytes.len().max(1));
            let prefix = bytes.get(..cut).unwrap_or_default();
            prop_assert!(!matches!(parse(prefix), Fast::Done(..)) || cut == bytes.len());
            agrees(prefix)?;
        }

        #[test]
        fn garbage_never_disagrees(bytes in prop::collection::vec(prop_oneof![
            Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b':'), Just(b','),
            Just(b'\\'), Just(b'u'), Just(b'0'), Just(b'-'), Just(b'e'), Just(b'.'), Just(b' '),
            Just(b'n'), Just(b't'), any::<u8>(),
        ], 0..40)) {
            let mut text = b"{\"eventName\":".to_vec();
            text.extend(bytes);
            agrees(&text)?;
        }
    }
}
