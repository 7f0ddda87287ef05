//! The fast path of batch mode, for the lines that make up big batches.
//!
//! [`orgctl_eval::batch::parse_line`] reads a line into a `serde_json::Value` tree, builds the
//! [`PolicySet`] afresh for each line, and [`decision_line`] builds another tree for the
//! output. Measured on a million DocuStack lines, that JSON handling was about 85% of the run
//! time. This path reads the line into a borrowed struct instead, keeps the policy fields
//! as raw text, reuses the `PolicySet` of the last lines that gave the same policy text, and
//! writes the output line directly.
//!
//! It must answer exactly as the library does, so it only takes lines it is sure of and
//! leaves everything else to the library: any line it cannot read (a syntax error, an unknown
//! or duplicate field, a wrong type, a string with escapes where it borrows, a `null` context
//! value) and any line whose policies the library rejects goes back to the slow path, which
//! produces the error. The policy fields are read by the library itself, from a line that
//! holds only them; the tests compare both paths line by line.
//!
//! [`decision_line`]: orgctl_eval::batch::decision_line

use std::fmt;

use orgctl_eval::batch::parse_line;
use orgctl_eval::{Context, ContextValue, Decision, PolicySet, Request};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::batch::Library;

/// Distinct policy sets remembered per worker task.
const CACHE_ENTRIES: usize = 32;

/// One request line, borrowed from the input.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(default)]
    id: Value,
    #[serde(borrow, default)]
    principal: Option<&'a str>,
    #[serde(borrow, default)]
    action: Option<&'a str>,
    #[serde(borrow, default)]
    resource: Option<&'a str>,
    #[serde(borrow, default)]
    resource_account: Option<&'a str>,
    #[serde(default)]
    context: Option<FastContext>,
    #[serde(borrow, default)]
    identity_policies: Option<&'a RawValue>,
    #[serde(borrow, default)]
    scps: Option<&'a RawValue>,
    #[serde(borrow, default)]
    rcps: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource_policy: Option<&'a RawValue>,
    #[serde(borrow, default)]
    permissions_boundary: Option<&'a RawValue>,
    #[serde(borrow, default)]
    session_policy: Option<&'a RawValue>,
}

/// Decides lines on the fast path, remembering policy sets. One per worker task.
pub(super) struct Fast<'l> {
    library: &'l Library,
    cache: Vec<Cached>,
    /// Where the next cache entry goes once the cache is full.
    next_slot: usize,
}

impl fmt::Debug for Fast<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fast")
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl<'l> Fast<'l> {
    pub(super) fn new(library: &'l Library) -> Self {
        Self {
            library,
            cache: Vec::new(),
            next_slot: 0,
        }
    }

    /// Decides `text` and appends its output line to `out`; `false` (with `out` untouched)
    /// when the line must take the slow path.
    pub(super) fn decide_into(&mut self, text: &str, out: &mut Vec<u8>) -> bool {
        // A JSON array would fill the struct by position; the library wants an object.
        if !text.trim_start().starts_with('{') {
            return false;
        }
        let Ok(line) = serde_json::from_str::<Line<'_>>(text) else {
            return false;
        };
        let (Some(principal), Some(action)) = (line.principal, line.action) else {
            return false;
        };
        let Some(set) = self.policy_set(&line) else {
            return false;
        };
        let context = line.context.map(|c| c.0).unwrap_or_default();
        let request = Request::new(
            principal,
            action,
            line.resource.unwrap_or("*"),
            line.resource_account,
            context,
        );
        let decision = set.decide(&request);
        let start = out.len();
        if write_decision(out, &line.id, &decision, set).is_err() {
            out.truncate(start);
            return false;
        }
        true
    }

    /// The policy set of the line's policy fields, read by the library once per distinct text.
    fn policy_set(&mut self, line: &Line<'_>) -> Option<&PolicySet> {
        let fields = line.policy_fields();
        let hit = self.cache.iter().position(|entry| {
            entry
                .fields
                .iter()
                .zip(fields)
                .all(|(cached, (_, raw))| cached.as_deref() == raw.map(RawValue::get))
        });
        let index = match hit {
            Some(i) => i,
            None => {
                // The policy fields as a line of their own, for the library to read.
                let mut key = String::from(r#"{"principal":"","action":"""#);
                for (field, raw) in fields {
                    if let Some(raw) = raw {
                        key.push_str(",\"");
                        key.push_str(field);
                        key.push_str("\":");
                        key.push_str(raw.get());
                    }
                }
                key.push('}');
                let library = self.library;
                let parsed = parse_line(&key, &|name| library.resolve(name)).ok()?;
                let entry = Cached {
                    fields: fields.map(|(_, raw)| raw.map(|r| Box::from(r.get()))),
                    set: parsed.policies,
                };
                if self.cache.len() < CACHE_ENTRIES {
                    self.cache.push(entry);
                    self.cache.len() - 1
                } else {
                    let slot = self.next_slot;
                    self.next_slot = (slot + 1) % CACHE_ENTRIES;
                    *self.cache.get_mut(slot)? = entry;
                    slot
                }
            }
        };
        self.cache.get(index).map(|entry| &entry.set)
    }
}

impl<'a> Line<'a> {
    /// The policy fields by name, in the library's order.
    const fn policy_fields(&self) -> [(&'static str, Option<&'a RawValue>); 6] {
        [
            ("identity_policies", self.identity_policies),
            ("scps", self.scps),
            ("rcps", self.rcps),
            ("resource_policy", self.resource_policy),
            ("permissions_boundary", self.permissions_boundary),
            ("session_policy", self.session_policy),
        ]
    }
}

/// A policy set and the text of the policy fields it was read from.
struct Cached {
    fields: [Option<Box<str>>; 6],
    set: PolicySet,
}

/// Writes what [`orgctl_eval::batch::decision_line`] returns, and a newline.
fn write_decision(
    out: &mut Vec<u8>,
    id: &Value,
    decision: &Decision,
    set: &PolicySet,
) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut *out, id)?;
    out.extend_from_slice(b",\"decision\":\"");
    out.extend_from_slice(decision.outcome.as_str().as_bytes());
    out.extend_from_slice(b"\",\"decisive\":[");
    for (i, r) in decision.reasons.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let policy = set.policy(r);
        out.extend_from_slice(b"{\"policy\":");
        match policy {
            Some(p) => serde_json::to_writer(&mut *out, p.name())?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"layer\":\"");
        out.extend_from_slice(r.layer.as_str().as_bytes());
        out.extend_from_slice(b"\",\"level\":");
        write_number(out, u64::from(r.level));
        out.extend_from_slice(b",\"statement\":");
        match r.statement {
            Some(s) => write_number(out, u64::from(s)),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"sid\":");
        let sid = policy.and_then(|p| {
            let i = usize::try_from(r.statement?).ok()?;
            p.statements().get(i)?.sid.clone()
        });
        match sid {
            Some(sid) => serde_json::to_writer(&mut *out, &*sid)?,
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}\n");
    Ok(())
}

/// Writes `n` in decimal, as JSON (and `itoa`, which serde_json uses) does.
fn write_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            // `n % 10` is a single digit.
            *d = b'0' + u8::try_from(n % 10).unwrap_or(0);
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(start..).unwrap_or_default());
}

/// A request context read straight from the line, with the library's rules: strings,
/// numbers and booleans are single values, arrays of them multivalued. A `null` value (the
/// library drops the key, which depends on duplicates) sends the line to the slow path.
struct FastContext(Context);

impl<'de> Deserialize<'de> for FastContext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ContextVisitor)
    }
}

struct ContextVisitor;

impl<'de> Visitor<'de> for ContextVisitor {
    type Value = FastContext;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a context object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastContext, A::Error> {
        let mut ctx = Context::new();
        while let Some(key) = map.next_key::<&'de str>()? {
            let value: FastValue = map.next_value()?;
            ctx.insert(key, value.0);
        }
        Ok(FastContext(ctx))
    }
}

/// One context value.
struct FastValue(ContextValue);

impl<'de> Deserialize<'de> for FastValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = FastValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or array of them")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FastValue, E> {
        ScalarVisitor.visit_str(v).map(single)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FastValue, E> {
        ScalarVisitor.visit_bool(v).map(single)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FastValue, E> {
        ScalarVisitor.visit_u64(v).map(single)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FastValue, E> {
        ScalarVisitor.visit_i64(v).map(single)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FastValue, E> {
        ScalarVisitor.visit_f64(v).map(single)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FastValue, A::Error> {
        let mut values = Vec::new();
        while let Some(Scalar(v)) = seq.next_element()? {
            values.push(v);
        }
        Ok(FastValue(ContextValue::Multi(values)))
    }
}

fn single(s: Scalar) -> FastValue {
    FastValue(ContextValue::Single(s.0))
}

/// A string, number or boolean, as the library turns it into text.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_owned()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(serde_json::Number::from(v).to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(serde_json::Number::from(v).to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        serde_json::Number::from_f64(v)
            .map(|n| Scalar(n.to_string()))
            .ok_or_else(|| E::custom("not a finite number"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use orgctl_eval::batch::decision_line;

    use super::*;
    use crate::printer::Printer;

    fn library() -> Library {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack/policies");
        let printer = Printer {
            color: false,
            unicode: false,
            width: 80,
        };
        Library::load(Some(&dir), &printer).unwrap()
    }

    /// What the library's own path writes for `text`.
    fn slow(library: &Library, text: &str) -> String {
        match parse_line(text, &|name| library.resolve(name)) {
            Ok(b) => {
                let d = b.policies.decide(&b.request);
                format!("{}\n", decision_line(&b.id, &d, &b.policies))
            }
            Err(e) => format!("{}\n", e.to_line()),
        }
    }

    /// Both paths agree on every line; returns how many lines took the fast path.
    fn agree(lines: &[String]) -> usize {
        let library = library();
        let mut fast = Fast::new(&library);
        let mut taken = 0;
        for text in lines {
            let mut out = Vec::new();
            if fast.decide_into(text, &mut out) {
                taken += 1;
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    slow(&library, text),
                    "{text}"
                );
            } else {
                assert!(out.is_empty());
            }
        }
        taken
    }

    #[test]
    fn agrees_with_the_library_on_the_smoke_requests() {
        let smoke = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../oracles/smoke.jsonl");
        let lines: Vec<String> = std::fs::read_to_string(smoke)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        // Inline policies are read by the library too, so these take the fast path.
        assert_eq!(agree(&lines), lines.len());
    }

    #[test]
    fn agrees_with_the_library_on_named_policies_and_odd_lines() {
        let scps = r#"[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess","RequireS3Encryption","DenyPublicS3"],["FullAWSAccess"]]"#;
        let mut lines = Vec::new();
        for action in [
            "ec2:RunInstances",
            "iam:CreateRole",
            "s3:PutObject",
            "cloudtrail:StopLogging",
        ] {
            for ctx in [
                r#"{"aws:RequestedRegion":"eu-west-1"}"#,
                r#"{"aws:RequestedRegion":"us-east-1","s3:x-amz-server-side-encryption":"AES256"}"#,
                r#"{"AWS:RequestedRegion":"us-east-1","aws:requestedregion":"eu-west-1"}"#,
                r#"{"aws:RequestedRegion":["us-east-1"],"n":1.5e3,"m":-2,"b":true,"big":123456789012345678901234}"#,
                r#"{"aws:RequestedRegion":"us-east-1","gone":null}"#,
                r#"{"aws:RequestedRegion":"us-\u0065ast-1"}"#,
                "null",
            ] {
                let id = lines.len();
                lines.push(format!(
                    r#"{{"id":{id},"principal":"arn:aws:iam::216482851263:role/Dev","action":"{action}","context":{ctx},"identity_policies":["FullAWSAccess"],"scps":{scps}}}"#
                ));
            }
        }
        let odd = [
            r#"{"id":1.0,"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","identity_policies":["FullAWSAccess"],"scps":null,"rcps":[null,["DenyPublicS3"]]}"#,
            r#"{"id":{"nested":[1,"x"]},"principal":"111122223333","action":"kms:Decrypt","resource_policy":"FullAWSAccess"}"#,
            r#"{"id":"\"quoted\"","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["FullAWSAccess"]}"#,
            r#"{"id":2,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["Nope"]}"#,
            r#"{"id":3,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","extra":1}"#,
            r#"{"id":4,"principal":"arn:aws:iam::111122223333:role/Dev","principal":"x","action":"s3:GetObject"}"#,
            r#"["x","arn:aws:iam::111122223333:role/Dev","s3:GetObject"]"#,
            r#"{"id":5,"action":"s3:GetObject"}"#,
            r#"{"id":6,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","context":{"k":[1,null]}}"#,
            r#"{"id":7,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],"session_policy":{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}}"#,
            r#"{"id":8,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":[{"Statement":{"Effect":"Maybe"}}]}"#,
            r#"{"id":9} trailing"#,
            r#"  {"id":10,"principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resource_account":"111122223333","resource_policy":"FullAWSAccess"}  "#,
        ];
        let mut all = lines.clone();
        all.extend(odd.iter().map(|s| (*s).to_owned()));
        let taken = agree(&all);
        // Every generated line but those with a `null` context value takes the fast path, and
        // five of the odd ones do.
        assert_eq!(taken, lines.len() - 4 + 5);
    }

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 65_535, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn repeated_policy_sets_are_read_once() {
        let library = library();
        let mut fast = Fast::new(&library);
        let mut out = Vec::new();
        for i in 0..100 {
            let text = format!(
                r#"{{"id":{i},"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["FullAWSAccess"],"scps":[["FullAWSAccess","RegionDeny"]]}}"#
            );
            assert!(fast.decide_into(&text, &mut out));
        }
        assert_eq!(fast.cache.len(), 1);
        for i in 0..(CACHE_ENTRIES + 5) {
            let text = format!(
                r#"{{"id":{i},"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["FullAWSAccess"],"scps":[{}]}}"#,
                vec![r#"["FullAWSAccess"]"#; i + 1].join(",")
            );
            assert!(fast.decide_into(&text, &mut out));
        }
        assert_eq!(fast.cache.len(), CACHE_ENTRIES);
    }
}
