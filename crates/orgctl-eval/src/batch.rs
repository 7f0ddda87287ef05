//! The batch request format: one JSON object per line, naming the principal, action,
//! resource, context and the policies of every layer; one JSON decision per line out.
//!
//! ```text
//! {"id": 1, "principal": "arn:aws:iam::111122223333:role/Dev", "action": "s3:PutObject",
//!  "resource": "arn:aws:s3:::bucket/key", "resource_account": "111122223333",
//!  "context": {"aws:RequestedRegion": "us-east-1", "aws:TagKeys": ["a", "b"]},
//!  "identity_policies": [P], "scps": [[P], [P]], "rcps": [[P]],
//!  "resource_policy": P, "permissions_boundary": P, "session_policy": P}
//! ```
//!
//! `P` is a policy document, or a name the caller resolves (the CLI reads `DIR/NAME.json`).
//! A field that is `null` is as good as absent. In `context`, strings, numbers and booleans
//! are single values, arrays of them multivalued keys; keys are compared without regard to
//! case, a later key replaces an earlier one, and `null` removes the key.
//!
//! An [`Evaluator`] reads a line in one pass into a struct that borrows from it, keeps the
//! policy fields as raw text, takes the [`PolicySet`] of those texts from a small cache
//! (reading and compiling the policies only on a miss), and writes the output line straight
//! into a byte buffer. Lines of the common shape (no escapes, no unknown or repeated keys, no
//! numbers but integers from 0) are read by a reader of their own that compares keys as bytes
//! and takes a policy field whose text the cache already holds without reading it again;
//! anything else goes to `serde_json`, and both read every line the same way. The request is
//! rebuilt in the memory of the previous one, and the part of an output line after the `id`
//! is remembered for each distinct decision of a cached policy set:
//!
//! ```text
//! {"id":1,"decision":"Allow","decisive":[{"policy":"FullAWSAccess","layer":"scp","level":0,"statement":0,"sid":null}]}
//! {"id":2,"error":"missing `action`"}
//! ```
//!
//! Keep one evaluator per thread. [`parse_line`] and [`decision_line`] are the same code for
//! a single line.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::compile::CompiledPolicy;
use crate::decide::{Decision, Outcome, PolicySet, Reason};
use crate::request::{Context, ContextValue, Request};

mod fast;

/// One parsed batch line.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// The caller's `id`, echoed back (`null` when absent).
    pub id: Value,
    /// The request.
    pub request: Request,
    /// The policies by layer.
    pub policies: PolicySet,
}

/// A line that could not be read, with its `id` when that much was readable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BatchError {
    /// The line's `id`, or `null`.
    pub id: Value,
    /// What is wrong.
    pub message: String,
}

impl BatchError {
    fn new(id: Value, message: impl Into<String>) -> Self {
        Self {
            id,
            message: message.into(),
        }
    }

    /// Appends the error as an output line, `{"id":...,"error":"..."}`, and a newline.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        write_value(out, &self.id);
        out.extend_from_slice(b",\"error\":");
        write_str(out, &self.message);
        out.extend_from_slice(b"}\n");
    }

    /// The error as an output line, `{"id":...,"error":"..."}`, without the newline.
    pub fn to_line(&self) -> String {
        let mut out = Vec::new();
        self.write_line(&mut out);
        out.pop();
        into_string(out)
    }
}

/// Distinct policy sets an [`Evaluator`] remembers.
const CACHE_ENTRIES: usize = 32;

/// Distinct decisions whose output an entry of the cache remembers.
const RENDERED_ENTRIES: usize = 32;

/// Reads and decides batch lines, remembering the policy sets of recent lines by the raw
/// text of their policy fields. `named` resolves a policy given by name. Not shared between
/// threads: keep one per worker.
pub struct Evaluator<F> {
    named: F,
    cache: Vec<Cached>,
    /// The entry the last line used.
    last: usize,
    /// Where the next entry goes once the cache is full.
    next_slot: usize,
    /// The request of the line being decided, rebuilt in place for each line.
    request: Request,
}

impl<F> fmt::Debug for Evaluator<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Evaluator")
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// A policy set, or why the policy fields cannot be read, with the text of those fields.
struct Cached {
    fields: [Option<Box<str>>; POLICY_FIELDS.len()],
    set: Result<PolicySet, String>,
    /// What follows the `id` in the output lines of decisions already made with `set`.
    rendered: Vec<Rendered>,
}

/// The part of an output line after its `id`, for one decision.
struct Rendered {
    outcome: Outcome,
    reasons: Box<[Reason]>,
    text: Box<[u8]>,
}

/// Appends the decision's output line and a newline: the `id`, then the rest as remembered in
/// `rendered` for this decision, or written and remembered there.
fn write_remembered(
    out: &mut Vec<u8>,
    rendered: &mut Vec<Rendered>,
    id: &dyn WriteId,
    decision: &Decision,
    set: &PolicySet,
) {
    out.extend_from_slice(b"{\"id\":");
    id.write_id(out);
    let known = rendered
        .iter()
        .find(|r| r.outcome == decision.outcome && *r.reasons == *decision.reasons);
    if let Some(known) = known {
        out.extend_from_slice(&known.text);
        return;
    }
    let start = out.len();
    write_rest(out, decision, set);
    if rendered.len() < RENDERED_ENTRIES {
        rendered.push(Rendered {
            outcome: decision.outcome,
            reasons: decision.reasons.iter().copied().collect(),
            text: out.get(start..).unwrap_or_default().into(),
        });
    }
}

impl<F: Fn(&str) -> Result<CompiledPolicy, String>> Evaluator<F> {
    /// An evaluator with an empty cache.
    pub fn new(named: F) -> Self {
        Self {
            named,
            cache: Vec::new(),
            last: 0,
            next_slot: 0,
            request: Request::new("", "", "*", None, Context::new()),
        }
    }

    /// Decides one line (without its newline) and appends its output line and a newline to
    /// `out`: the decision, or for a line that cannot be read, the error, which is also
    /// returned.
    ///
    /// # Errors
    /// When the line is not UTF-8, not a JSON object of the batch format, or a policy
    /// cannot be read.
    pub fn decide_into(&mut self, line: &[u8], out: &mut Vec<u8>) -> Result<Outcome, BatchError> {
        let result = std::str::from_utf8(line)
            .map_err(|e| BatchError::new(Value::Null, format!("invalid UTF-8: {e}")))
            .and_then(|text| {
                let (id, index) = self.read(text)?;
                let Some(Cached {
                    set: Ok(set),
                    rendered,
                    ..
                }) = self.cache.get_mut(index)
                else {
                    return Err(BatchError::new(id.into_value(), "no policy set"));
                };
                let decision = set.decide(&self.request);
                write_remembered(out, rendered, &id, &decision, set);
                Ok(decision.outcome)
            });
        if let Err(e) = &result {
            e.write_line(out);
        }
        result
    }

    /// Reads one line into a request and its policies.
    ///
    /// # Errors
    /// When the line is not a JSON object of the batch format, or a policy cannot be read.
    pub fn parse(&mut self, text: &str) -> Result<BatchRequest, BatchError> {
        let (id, index) = self.read(text)?;
        match self.cache.get(index).map(|c| &c.set) {
            Some(Ok(set)) => Ok(BatchRequest {
                id: id.into_value(),
                request: self.request.clone(),
                policies: set.clone(),
            }),
            _ => Err(BatchError::new(id.into_value(), "no policy set")),
        }
    }

    /// Reads the line into `self.request` and finds (or makes) the policy set of its policy
    /// fields: the line's `id` and the index of that set's cache entry, which holds a policy
    /// set.
    fn read<'a>(&mut self, text: &'a str) -> Result<(Id<'a>, usize), BatchError> {
        let cache = &self.cache;
        let last = self.last;
        let known = |field: usize, rest: &[u8]| {
            let text = |c: &Cached| {
                let text = c.fields.get(field)?.as_deref()?;
                rest.starts_with(text.as_bytes()).then_some(text.len())
            };
            cache
                .get(last)
                .and_then(text)
                .or_else(|| cache.iter().find_map(text))
        };
        let line = match fast::read(text, &known, &mut self.request.context) {
            Some(line) => line,
            None => {
                read_serde(text, &mut self.request.context).map_err(|e| line_error(text, &e))?
            }
        };
        let index = self.lookup(&line.policies);
        let id = line.assign(&mut self.request)?;
        match self.cache.get(index).map(|c| &c.set) {
            Some(Ok(_)) => Ok((id, index)),
            Some(Err(message)) => Err(BatchError::new(id.into_value(), message.clone())),
            None => Err(BatchError::new(id.into_value(), "no policy set")),
        }
    }

    /// The cache entry for these policy fields.
    fn lookup(&mut self, fields: &PolicyFields<'_>) -> usize {
        let same = |entry: &Cached| {
            entry
                .fields
                .iter()
                .zip(fields)
                .all(|(cached, raw)| cached.as_deref() == *raw)
        };
        if self.cache.get(self.last).is_some_and(same) {
            return self.last;
        }
        if let Some(i) = self.cache.iter().position(same) {
            self.last = i;
            return i;
        }
        let entry = Cached {
            fields: (*fields).map(|raw| raw.map(Box::from)),
            set: self.build(fields),
            rendered: Vec::new(),
        };
        let index = if self.cache.len() < CACHE_ENTRIES {
            self.cache.push(entry);
            self.cache.len() - 1
        } else {
            let slot = self.next_slot;
            self.next_slot = (slot + 1) % CACHE_ENTRIES;
            if let Some(old) = self.cache.get_mut(slot) {
                *old = entry;
            }
            slot
        };
        self.last = index;
        index
    }

    /// Reads and compiles the policies of the policy fields.
    fn build(&self, fields: &PolicyFields<'_>) -> Result<PolicySet, String> {
        let [identity, scps, rcps, resource, boundary, session] = *fields;
        Ok(PolicySet {
            identity: self.list(identity, "identity_policies")?,
            scps: self.levels(scps, "scps")?,
            rcps: self.levels(rcps, "rcps")?.unwrap_or_default(),
            resource: self.single(resource, "resource_policy")?,
            boundary: self.single(boundary, "permissions_boundary")?,
            session: self.single(session, "session_policy")?,
        })
    }

    fn levels(
        &self,
        raw: Option<&str>,
        field: &str,
    ) -> Result<Option<Vec<Vec<CompiledPolicy>>>, String> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let levels: Vec<Option<&RawValue>> = serde_json::from_str(raw).map_err(|_| {
            format!("`{field}` must be an array of levels, each an array of policies")
        })?;
        levels
            .into_iter()
            .enumerate()
            .map(|(i, level)| self.list(level.map(RawValue::get), &format!("{field}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn list(&self, raw: Option<&str>, label: &str) -> Result<Vec<CompiledPolicy>, String> {
        let Some(raw) = raw else {
            return Ok(Vec::new());
        };
        let items: Vec<&RawValue> = serde_json::from_str(raw)
            .map_err(|_| format!("`{label}` must be an array of policies"))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, p)| self.policy(p.get(), &format!("{label}[{i}]")))
            .collect()
    }

    fn single(&self, raw: Option<&str>, field: &str) -> Result<Option<CompiledPolicy>, String> {
        raw.map(|p| self.policy(p, field)).transpose()
    }

    /// A policy given by name or as a document.
    fn policy(&self, text: &str, label: &str) -> Result<CompiledPolicy, String> {
        match text.as_bytes().first() {
            Some(b'"') => {
                let name: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
                (self.named)(&name)
            }
            Some(b'{') => {
                let parsed = orgctl_policy::Policy::parse(text).map_err(|e| {
                    let first = e
                        .errors
                        .first()
                        .map_or_else(String::new, |p| format!(": {}", p.message()));
                    format!("{label}: {e}{first}")
                })?;
                let name = parsed
                    .id
                    .as_ref()
                    .map_or(label, |id| id.node.as_str())
                    .to_owned();
                Ok(CompiledPolicy::new(name, &parsed))
            }
            _ => Err(format!("{label} must be a policy object or a policy name")),
        }
    }
}

/// Reads one line. `named` resolves a policy given by name. For many lines, keep an
/// [`Evaluator`], which remembers policy sets.
///
/// # Errors
/// When the line is not a JSON object of the batch format, or a policy cannot be read.
pub fn parse_line(
    line: &str,
    named: &dyn Fn(&str) -> Result<CompiledPolicy, String>,
) -> Result<BatchRequest, BatchError> {
    Evaluator::new(named).parse(line)
}

/// The decision as an output line, without the newline:
/// `{"id": ..., "decision": ..., "decisive": [{"policy", "layer", "level", "statement", "sid"}]}`.
pub fn decision_line(id: &Value, decision: &Decision, policies: &PolicySet) -> String {
    let mut out = Vec::new();
    write_decision(&mut out, id, decision, policies);
    out.pop();
    into_string(out)
}

/// The error of a line that did not read. A second, slower read of the whole line decides
/// what to report: a JSON syntax error comes first, then a line that is not an object; past
/// those, the first problem found, with the line's `id`.
fn line_error(text: &str, e: &serde_json::Error) -> BatchError {
    match serde_json::from_str::<Value>(text) {
        Err(syntax) => BatchError::new(Value::Null, format!("invalid JSON: {syntax}")),
        Ok(Value::Object(obj)) => {
            let id = obj.get("id").cloned().unwrap_or(Value::Null);
            // Our own messages name the field; the position adds nothing on one line.
            let message = e.to_string();
            let at = format!(" at line {} column {}", e.line(), e.column());
            let message = message
                .strip_suffix(&at)
                .map_or_else(|| message.clone(), str::to_owned);
            BatchError::new(id, message)
        }
        Ok(_) => BatchError::new(Value::Null, "a request line must be a JSON object"),
    }
}

/// The batch fields, in the order of [`Field`].
const FIELDS: [&str; 12] = [
    "id",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "identity_policies",
    "scps",
    "rcps",
    "resource_policy",
    "permissions_boundary",
    "session_policy",
];

/// The policy fields, in the order of [`PolicyFields`].
const POLICY_FIELDS: [&str; 6] = [
    "identity_policies",
    "scps",
    "rcps",
    "resource_policy",
    "permissions_boundary",
    "session_policy",
];

/// The raw text of the policy fields (`None` when absent or `null`).
type PolicyFields<'a> = [Option<&'a str>; POLICY_FIELDS.len()];

/// One request line, borrowed from the input where it holds no escapes. Its context is read
/// into a [`Context`] of the caller's.
#[derive(Debug, Default, PartialEq)]
struct Line<'a> {
    id: Id<'a>,
    principal: Option<Cow<'a, str>>,
    action: Option<Cow<'a, str>>,
    resource: Option<Cow<'a, str>>,
    resource_account: Option<Cow<'a, str>>,
    policies: PolicyFields<'a>,
}

impl<'a> Line<'a> {
    /// Makes `request` this line's request (its context already read into it), with the
    /// context keys AWS supplies; the line's `id`.
    fn assign(self, request: &mut Request) -> Result<Id<'a>, BatchError> {
        let (Some(principal), Some(action)) = (&self.principal, &self.action) else {
            let missing = if self.principal.is_none() {
                "principal"
            } else {
                "action"
            };
            return Err(BatchError::new(
                self.id.into_value(),
                format!("missing `{missing}`"),
            ));
        };
        request.assign(
            principal,
            action,
            self.resource.as_deref().unwrap_or("*"),
            self.resource_account.as_deref(),
        );
        Ok(self.id)
    }
}

/// Reads a line with `serde_json`, its context into `context`.
fn read_serde<'a>(text: &'a str, context: &mut Context) -> Result<Line<'a>, serde_json::Error> {
    context.clear();
    let mut de = serde_json::Deserializer::from_str(text);
    let line = LineSeed(context).deserialize(&mut de)?;
    de.end()?;
    Ok(line)
}

/// A request line, its context read into `.0`.
struct LineSeed<'c>(&'c mut Context);

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Line<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LineSeed<'_> {
    type Value = Line<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a request object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line<'de>, A::Error> {
        let mut line = Line::default();
        let mut seen = [false; FIELDS.len()];
        while let Some(Field(field)) = map.next_key()? {
            match seen.get_mut(field) {
                Some(seen) if !*seen => *seen = true,
                _ => {
                    let name = FIELDS.get(field).copied().unwrap_or_default();
                    return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
                }
            }
            match field {
                0 => line.id = map.next_value()?,
                1 => line.principal = map.next_value_seed(Text("principal"))?,
                2 => line.action = map.next_value_seed(Text("action"))?,
                3 => line.resource = map.next_value_seed(Text("resource"))?,
                4 => line.resource_account = map.next_value_seed(Text("resource_account"))?,
                5 => map.next_value_seed(ContextSeed(&mut *self.0))?,
                _ => {
                    let raw: &'de RawValue = map.next_value()?;
                    if let Some(slot) = field
                        .checked_sub(FIELDS.len() - POLICY_FIELDS.len())
                        .and_then(|i| line.policies.get_mut(i))
                    {
                        *slot = Some(raw.get()).filter(|r| *r != "null");
                    }
                }
            }
        }
        Ok(line)
    }
}

/// A field name, as its index in [`FIELDS`].
struct Field(usize);

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        FIELDS
            .iter()
            .position(|f| *f == v)
            .map(Field)
            .ok_or_else(|| E::custom(format_args!("unknown field `{v}`")))
    }
}

/// The caller's `id`: scalars without a `Value`, strings borrowed where they can be.
#[derive(Debug, Default, PartialEq)]
enum Id<'a> {
    #[default]
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    /// An array or object.
    Other(Value),
}

impl Id<'_> {
    fn into_value(self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::U64(n) => Value::from(n),
            Self::I64(n) => Value::from(n),
            Self::F64(n) => Value::from(n),
            Self::Str(s) => Value::String(s.into_owned()),
            Self::Other(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for Id<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdVisitor)
    }
}

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Id<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Id<'de>, E> {
        Ok(Id::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Id<'de>, E> {
        Ok(Id::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id<'de>, E> {
        Ok(Id::U64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id<'de>, E> {
        Ok(Id::I64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id<'de>, E> {
        Ok(Id::F64(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Id<'de>, E> {
        Ok(Id::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Id<'de>, E> {
        Ok(Id::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Id<'de>, E> {
        Ok(Id::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Id<'de>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Id::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Id<'de>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Id::Other)
    }
}

/// A string field, named for its error; `null` is none.
struct Text(&'static str);

impl Text {
    fn wrong<E: de::Error>(&self) -> E {
        E::custom(format_args!("`{}` must be a string", self.0))
    }
}

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` must be a string", self.0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.wrong())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.wrong())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.wrong())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.wrong())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.wrong())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.wrong())
    }
}

/// The `context` field, read into `.0` (empty when it comes here); `null` is none.
struct ContextSeed<'c>(&'c mut Context);

impl ContextSeed<'_> {
    fn wrong<E: de::Error>() -> E {
        E::custom("`context` must be an object")
    }
}

impl<'de> DeserializeSeed<'de> for ContextSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ContextSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`context` must be an object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.0;
        while let Some(Key(key)) = map.next_key()? {
            match map.next_value_seed(Entry(&key))? {
                Some(value) => ctx.insert(&key, value),
                None => {
                    ctx.remove(&key);
                }
            }
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(Self::wrong())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(Self::wrong())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(Self::wrong())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(Self::wrong())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(Self::wrong())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Self::wrong())
    }
}

/// A context key, borrowed unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a condition key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}

/// The value of context key `.0`: `None` for `null`.
struct Entry<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for Entry<'_> {
    type Value = Option<ContextValue>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entry<'_> {
    type Value = Option<ContextValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Scalar(self.0).expecting(f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Scalar(self.0).visit_str(v).map(one)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Scalar(self.0).visit_bool(v).map(one)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Scalar(self.0).visit_u64(v).map(one)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Scalar(self.0).visit_i64(v).map(one)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Scalar(self.0).visit_f64(v).map(one)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(v) = seq.next_element_seed(Scalar(self.0))? {
            values.push(v);
        }
        Ok(Some(ContextValue::Multi(values)))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Scalar(self.0).wrong())
    }
}

fn one(value: String) -> Option<ContextValue> {
    Some(ContextValue::Single(value))
}

/// One value of context key `.0` as text: a string, number or boolean.
struct Scalar<'k>(&'k str);

impl Scalar<'_> {
    fn wrong<E: de::Error>(&self) -> E {
        E::custom(format_args!(
            "context key `{}` must hold strings, numbers or booleans",
            self.0
        ))
    }
}

impl<'de> DeserializeSeed<'de> for Scalar<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scalar<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "context key `{}` must hold strings, numbers or booleans",
            self.0
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "true" } else { "false" }.to_owned())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        let mut out = Vec::with_capacity(20);
        write_number(&mut out, v);
        Ok(into_string(out))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        let mut out = Vec::with_capacity(20);
        write_i64(&mut out, v);
        Ok(into_string(out))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // As `serde_json::Number` prints it.
        serde_json::Number::from_f64(v)
            .map(|n| n.to_string())
            .ok_or_else(|| self.wrong())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(self.wrong())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.wrong())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.wrong())
    }
}

/// How an `id` is written back.
trait WriteId {
    fn write_id(&self, out: &mut Vec<u8>);
}

impl WriteId for Id<'_> {
    fn write_id(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.extend_from_slice(b"null"),
            Self::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Self::U64(n) => write_number(out, *n),
            Self::I64(n) => write_i64(out, *n),
            Self::F64(n) => write_value(out, &Value::from(*n)),
            Self::Str(s) => write_str(out, s),
            Self::Other(v) => write_value(out, v),
        }
    }
}

impl WriteId for Value {
    fn write_id(&self, out: &mut Vec<u8>) {
        write_value(out, self);
    }
}

/// Appends the decision line and a newline.
fn write_decision(out: &mut Vec<u8>, id: &dyn WriteId, decision: &Decision, set: &PolicySet) {
    out.extend_from_slice(b"{\"id\":");
    id.write_id(out);
    write_rest(out, decision, set);
}

/// Appends what follows the `id` in a decision line, and a newline.
fn write_rest(out: &mut Vec<u8>, decision: &Decision, set: &PolicySet) {
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
            Some(p) => write_str(out, p.name()),
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
            p.statements().get(i)?.sid.as_deref()
        });
        match sid {
            Some(sid) => write_str(out, sid),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}\n");
}

/// Appends `v` as compact JSON.
fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::String(s) => write_str(out, s),
        // Numbers, booleans, arrays and objects print as JSON; writing to a `Vec` never fails.
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes: `"`, `\` and control
/// characters only; everything else, non-ASCII included, as is.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        start = i + 1;
        if short.is_empty() {
            let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Appends `n` in decimal.
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

/// Appends `n` in decimal.
fn write_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    write_number(out, n.unsigned_abs());
}

/// The text of bytes this module wrote (always UTF-8: JSON punctuation and whole strings).
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use orgctl_policy::Policy;
    use serde_json::json;

    use super::*;

    fn policies_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack/policies")
    }

    /// The DocuStack policies by name, as the CLI's `--policies DIR` resolves them.
    fn named(name: &str) -> Result<CompiledPolicy, String> {
        let text = std::fs::read_to_string(policies_dir().join(format!("{name}.json")))
            .map_err(|_| format!("unknown policy `{name}`"))?;
        Ok(CompiledPolicy::new(name, &Policy::parse(&text).unwrap()))
    }

    /// The output line of `line` from a fresh evaluator, without the newline.
    fn run(line: &str) -> String {
        let mut out = Vec::new();
        let _ = Evaluator::new(named).decide_into(line.as_bytes(), &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches('\n').count(), 1, "{text}");
        text.trim_end_matches('\n').to_owned()
    }

    fn parse(line: &str) -> BatchRequest {
        Evaluator::new(named).parse(line).unwrap()
    }

    fn error(line: &str) -> BatchError {
        Evaluator::new(named).parse(line).unwrap_err()
    }

    fn single(s: &str) -> Option<ContextValue> {
        Some(ContextValue::Single(s.to_owned()))
    }

    const INLINE_ALLOW: &str =
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#;

    /// A line with every field; `e` spells each string (keys included) in the line.
    fn every_field(e: &dyn Fn(&str) -> String) -> String {
        let s = |x: &str| format!("\"{}\"", e(x));
        format!(
            "{{{}:{},{}:{},{}:{},{}:{},{}:{},{}:{{{}:{},{}:[{},{}]}},{}:[{}],{}:[[{},{}],[{}]],{}:[[{}]],{}:{},{}:{},{}:{}}}",
            s("id"),
            s("line/1"),
            s("principal"),
            s("arn:aws:sts::111122223333:assumed-role/Deployer/alice"),
            s("action"),
            s("s3:PutObject"),
            s("resource"),
            s("arn:aws:s3:::docs/key"),
            s("resource_account"),
            s("111122223333"),
            s("context"),
            s("aws:RequestedRegion"),
            s("eu-west-1"),
            s("aws:TagKeys"),
            s("team"),
            s("env"),
            s("identity_policies"),
            s("FullAWSAccess"),
            s("scps"),
            s("FullAWSAccess"),
            s("RegionDeny"),
            s("FullAWSAccess"),
            s("rcps"),
            s("FullAWSAccess"),
            s("resource_policy"),
            INLINE_ALLOW.replace("s3:*", &e("s3:*")),
            s("permissions_boundary"),
            s("FullAWSAccess"),
            s("session_policy"),
            s("FullAWSAccess"),
        )
    }

    #[test]
    fn escaped_strings_in_every_field() {
        let plain = every_field(&str::to_owned);
        // Every `e`, `a` and `/` escaped, in keys and values alike.
        let escaped = every_field(&|x: &str| {
            x.replace('/', "\\/")
                .replace('e', "\\u0065")
                .replace('a', "\\u0061")
        });
        assert!(escaped.contains("\\u0065") && escaped.contains("\\/"));
        assert_eq!(parse(&plain).request, parse(&escaped).request);
        assert_eq!(parse(&plain).policies, parse(&escaped).policies);
        assert_eq!(parse(&escaped).id, json!("line/1"));
        assert_eq!(run(&plain), run(&escaped));
        assert!(
            run(&plain).contains(r#""decision":"ExplicitDeny""#),
            "{}",
            run(&plain)
        );
        let request = parse(&escaped).request;
        assert_eq!(request.resource, "arn:aws:s3:::docs/key");
        assert_eq!(
            request.context.get("aws:tagkeys"),
            Some(&ContextValue::Multi(vec!["team".into(), "env".into()]))
        );
    }

    #[test]
    fn unknown_and_duplicate_fields() {
        let e = error(r#"{"id":3,"principal":"x","action":"s3:GetObject","extra":1}"#);
        assert_eq!(e, BatchError::new(json!(3), "unknown field `extra`"));
        assert_eq!(
            run(r#"{"id":3,"principal":"x","action":"s3:GetObject","extra":1}"#),
            r#"{"id":3,"error":"unknown field `extra`"}"#
        );
        let e = error(r#"{"id":4,"principal":"a","principal":"b","action":"s3:GetObject"}"#);
        assert_eq!(e, BatchError::new(json!(4), "duplicate field `principal`"));
    }

    #[test]
    fn lines_that_are_not_objects() {
        for line in [
            r#"["x","arn:aws:iam::111122223333:role/Dev","s3:GetObject"]"#,
            "3",
            r#""x""#,
            "null",
        ] {
            assert_eq!(
                error(line),
                BatchError::new(Value::Null, "a request line must be a JSON object"),
                "{line}"
            );
        }
        // Invalid JSON wins over any other problem, and has no id.
        let e = error(r#"{"id":1,"principal":3,"action":"#);
        assert_eq!(e.id, Value::Null);
        assert_eq!(
            e.message,
            "invalid JSON: EOF while parsing a value at line 1 column 31"
        );
        let e = error(r#"{"id":9} trailing"#);
        assert_eq!(
            e.message,
            "invalid JSON: trailing characters at line 1 column 10"
        );
        let e = error("\u{feff}{}");
        assert!(e.message.starts_with("invalid JSON: "), "{}", e.message);
        let mut out = Vec::new();
        let e = Evaluator::new(named)
            .decide_into(b"{\"id\":\xff}", &mut out)
            .unwrap_err();
        assert!(e.message.starts_with("invalid UTF-8: "), "{}", e.message);
        assert_eq!(out, format!("{}\n", e.to_line()).into_bytes());
    }

    #[test]
    fn wrong_types_and_missing_fields() {
        let base =
            r#""id":5,"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject""#;
        for (fields, message) in [
            (
                r#""id":5,"action":"s3:GetObject""#.to_owned(),
                "missing `principal`",
            ),
            (
                r#""id":5,"principal":null,"action":"s3:GetObject""#.to_owned(),
                "missing `principal`",
            ),
            (r#""id":5,"principal":"x""#.to_owned(), "missing `action`"),
            (
                r#""id":5,"principal":3,"action":"s3:GetObject""#.to_owned(),
                "`principal` must be a string",
            ),
            (
                format!(r#"{base},"resource":["a"]"#),
                "`resource` must be a string",
            ),
            (
                format!(r#"{base},"resource_account":{{}}"#),
                "`resource_account` must be a string",
            ),
            (
                format!(r#"{base},"context":"x""#),
                "`context` must be an object",
            ),
            (
                format!(r#"{base},"context":[]"#),
                "`context` must be an object",
            ),
            (
                format!(r#"{base},"context":{{"k":{{"a":1}}}}"#),
                "context key `k` must hold strings, numbers or booleans",
            ),
            (
                format!(r#"{base},"context":{{"K\"y":[1,null]}}"#),
                "context key `K\"y` must hold strings, numbers or booleans",
            ),
            (
                format!(r#"{base},"context":{{"k":[[]]}}"#),
                "context key `k` must hold strings, numbers or booleans",
            ),
            (
                format!(r#"{base},"identity_policies":"FullAWSAccess""#),
                "`identity_policies` must be an array of policies",
            ),
            (
                format!(r#"{base},"identity_policies":[1]"#),
                "identity_policies[0] must be a policy object or a policy name",
            ),
            (
                format!(r#"{base},"scps":{{}}"#),
                "`scps` must be an array of levels, each an array of policies",
            ),
            (
                format!(r#"{base},"scps":[["FullAWSAccess"],3]"#),
                "`scps[1]` must be an array of policies",
            ),
            (
                format!(r#"{base},"rcps":[[true]]"#),
                "rcps[0][0] must be a policy object or a policy name",
            ),
            (
                format!(r#"{base},"resource_policy":3"#),
                "resource_policy must be a policy object or a policy name",
            ),
        ] {
            let line = format!("{{{fields}}}");
            assert_eq!(error(&line), BatchError::new(json!(5), message), "{line}");
            assert_eq!(
                run(&line),
                json!({"id": 5, "error": message}).to_string(),
                "{line}"
            );
        }
    }

    #[test]
    fn null_is_absent_and_removes_context_keys() {
        let r = parse(
            r#"{"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","resource":null,"context":{"k":"a","gone":null,"Twice":"x","twice":null,"late":null,"LATE":"y"},"scps":null,"rcps":null,"identity_policies":null,"resource_policy":null}"#,
        );
        assert_eq!(r.id, Value::Null);
        assert_eq!(r.request.resource, "*");
        assert_eq!(r.request.context.get("k"), single("a").as_ref());
        assert_eq!(r.request.context.get("gone"), None);
        assert_eq!(r.request.context.get("twice"), None);
        assert_eq!(r.request.context.get("late"), single("y").as_ref());
        assert_eq!(r.policies, PolicySet::default());
        let r = parse(
            r#"{"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","context":null}"#,
        );
        assert!(r.request.context.is_empty());
    }

    #[test]
    fn numbers_and_booleans_in_the_context() {
        let r = parse(
            r#"{"principal":"111122223333","action":"s3:GetObject","context":{"n":1.5e3,"m":-2,"z":0,"u":18446744073709551615,"big":123456789012345678901234,"f":0.1,"b":true,"c":false,"multi":[1,false,"x",-0.5],"none":[]}}"#,
        );
        let ctx = &r.request.context;
        for (key, text) in [
            ("n", "1500.0"),
            ("m", "-2"),
            ("z", "0"),
            ("u", "18446744073709551615"),
            ("big", "1.2345678901234567e+23"),
            ("f", "0.1"),
            ("b", "true"),
            ("c", "false"),
        ] {
            assert_eq!(ctx.get(key), single(text).as_ref(), "{key}");
        }
        assert_eq!(
            ctx.get("multi"),
            Some(&ContextValue::Multi(vec![
                "1".into(),
                "false".into(),
                "x".into(),
                "-0.5".into()
            ]))
        );
        assert_eq!(ctx.get("none"), Some(&ContextValue::Multi(Vec::new())));
        // As `serde_json::Number` prints them.
        for n in ["1.5e3", "-2", "123456789012345678901234", "0.1", "-0.5"] {
            let v: Value = serde_json::from_str(n).unwrap();
            let line = format!(r#"{{"principal":"x","action":"a:b","context":{{"k":{n}}}}}"#);
            assert_eq!(
                parse(&line).request.context.get("k"),
                single(&v.to_string()).as_ref()
            );
        }
    }

    #[test]
    fn policies_inline_or_by_name() {
        let full = std::fs::read_to_string(policies_dir().join("FullAWSAccess.json")).unwrap();
        let line = |identity: &str| {
            format!(
                r#"{{"id":1,"principal":"arn:aws:iam::111122223333:role/Dev","action":"ec2:RunInstances","identity_policies":[{identity}]}}"#
            )
        };
        let by_name = run(&line(r#""FullAWSAccess""#));
        let inline = run(&line(&full.replace('\n', " ")));
        assert_eq!(
            by_name,
            r#"{"id":1,"decision":"Allow","decisive":[{"policy":"FullAWSAccess","layer":"identity","level":0,"statement":0,"sid":null}]}"#
        );
        assert_eq!(
            inline,
            by_name.replace(r#""FullAWSAccess""#, r#""identity_policies[0]""#)
        );
        // An inline policy's `Id` is its name.
        let with_id = run(&line(
            r#"{"Id":"Mine","Statement":{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}}"#,
        ));
        assert!(
            with_id.contains(
                r#"{"policy":"Mine","layer":"identity","level":0,"statement":0,"sid":"All"}"#
            ),
            "{with_id}"
        );
        // An inline policy that is not valid says where.
        let e = error(&line(
            r#"{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}"#,
        ));
        assert!(
            e.message.starts_with("identity_policies[0]: 1 problem"),
            "{}",
            e.message
        );
        assert_eq!(e.id, json!(1));
    }

    #[test]
    fn a_named_policy_that_does_not_exist() {
        let mut evaluator = Evaluator::new(named);
        let mut out = Vec::new();
        for id in [1, 2] {
            let line = format!(
                r#"{{"id":{id},"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["FullAWSAccess","Nope"]}}"#
            );
            let e = evaluator
                .decide_into(line.as_bytes(), &mut out)
                .unwrap_err();
            assert_eq!(e, BatchError::new(json!(id), "unknown policy `Nope`"));
        }
        // The error is cached like a policy set, and each line keeps its own id.
        assert_eq!(evaluator.cache.len(), 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":1,\"error\":\"unknown policy `Nope`\"}\n{\"id\":2,\"error\":\"unknown policy `Nope`\"}\n"
        );
        // Without a resolver that knows names.
        let e = parse_line(
            r#"{"id":"n","principal":"x","action":"s3:GetObject","session_policy":"Full"}"#,
            &|name| Err(format!("no policy {name}")),
        )
        .unwrap_err();
        assert_eq!(e, BatchError::new(json!("n"), "no policy Full"));
    }

    #[test]
    fn ids_are_written_back_exactly() {
        let ids = [
            json!(null),
            json!(true),
            json!(0),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.0),
            json!(1e300),
            json!(-0.25),
            json!("plain"),
            json!("q\"uote\\ new\nline\ttab\r\u{1}\u{1f}\u{7f} é 日本 😀 </script>"),
            json!({"b": 1, "a": ["x", {"c": null}]}),
            json!([]),
        ];
        for id in ids {
            let line = format!(
                r#"{{"id":{id},"principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject"}}"#
            );
            let out = run(&line);
            let expected = format!(
                r#"{{"id":{},"decision":"ImplicitDeny","decisive":[{{"policy":null,"layer":"identity","level":0,"statement":null,"sid":null}}]}}"#,
                serde_json::to_string(&id).unwrap()
            );
            assert_eq!(out, expected);
            let back: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(back["id"], id);
            // Errors write the id back the same way.
            let bad = line.replace("s3:GetObject", "s3:GetObject\",\"extra\":\"1");
            assert_eq!(
                run(&bad),
                format!(
                    r#"{{"id":{},"error":"unknown field `extra`"}}"#,
                    serde_json::to_string(&id).unwrap()
                )
            );
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é日本😀\u{2028}\u{fffd}");
        for s in [all.as_str(), "", "\"", "\\", "plain", "\u{0}x\u{0}"] {
            let mut out = Vec::new();
            write_str(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
        let mut out = Vec::new();
        for n in [0, 7, 10, 65_535, u64::from(u32::MAX), u64::MAX] {
            out.clear();
            write_number(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
        for n in [0, -1, i64::MIN, i64::MAX] {
            out.clear();
            write_i64(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    #[test]
    fn cached_policy_sets_decide_as_fresh_ones() {
        let levels = [
            r#"[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess","RequireS3Encryption","DenyPublicS3"],["FullAWSAccess"]]"#,
            r#"[["FullAWSAccess","RegionDeny"]]"#,
            r#"[["FullAWSAccess"],["ProtectCloudTrail"]]"#,
            r#"[["FullAWSAccess"], ["FullAWSAccess"]]"#,
            "[]",
            "null",
        ];
        let actions = [
            "ec2:RunInstances",
            "s3:PutObject",
            "cloudtrail:StopLogging",
            "iam:CreateRole",
        ];
        let contexts = [
            r#"{"aws:RequestedRegion":"eu-west-1"}"#,
            r#"{"aws:RequestedRegion":"us-east-1","s3:x-amz-server-side-encryption":"AES256"}"#,
            r#"{"aws:RequestedRegion":"us-east-1"}"#,
        ];
        let mut lines = Vec::new();
        for (i, scps) in levels.iter().enumerate() {
            for (j, action) in actions.iter().enumerate() {
                for context in contexts {
                    let inline = format!(
                        r#"{{"Statement":{{"Effect":"Allow","Action":"{action}","Resource":"*"}}}}"#
                    );
                    let identity = if (i + j) % 2 == 0 {
                        r#""FullAWSAccess""#
                    } else {
                        &inline
                    };
                    lines.push(format!(
                        r#"{{"id":{},"principal":"arn:aws:iam::111122223333:role/Dev","action":"{action}","context":{context},"identity_policies":[{identity}],"scps":{scps},"rcps":[["DenyPublicS3"]]}}"#,
                        lines.len()
                    ));
                }
            }
        }
        // More distinct policy sets than the cache holds, to evict too.
        for i in 0..(CACHE_ENTRIES + 5) {
            lines.push(format!(
                r#"{{"id":"evict-{i}","principal":"arn:aws:iam::111122223333:role/Dev","action":"s3:GetObject","identity_policies":["FullAWSAccess"],"scps":[{}]}}"#,
                vec![r#"["FullAWSAccess"]"#; i + 1].join(",")
            ));
        }
        let mut evaluator = Evaluator::new(named);
        let mut decided = 0;
        for _ in 0..2 {
            for line in lines.iter().chain(lines.iter().rev()) {
                let mut cached = Vec::new();
                let mut fresh = Vec::new();
                evaluator.decide_into(line.as_bytes(), &mut cached).unwrap();
                Evaluator::new(named)
                    .decide_into(line.as_bytes(), &mut fresh)
                    .unwrap();
                assert_eq!(cached, fresh, "{line}");
                // And as the single-line functions see it.
                let r = evaluator.parse(line).unwrap();
                let f = parse(line);
                assert_eq!(
                    (&r.id, &r.request, &r.policies),
                    (&f.id, &f.request, &f.policies)
                );
                let d = f.policies.decide(&f.request);
                let line = format!("{}\n", decision_line(&f.id, &d, &f.policies));
                assert_eq!(line.as_bytes(), fresh);
                decided += 1;
            }
        }
        assert_eq!(decided, 4 * lines.len());
        assert_eq!(evaluator.cache.len(), CACHE_ENTRIES);
        // Lines with the same policy text share one entry.
        let mut evaluator = Evaluator::new(named);
        for line in lines.iter().take(contexts.len()) {
            evaluator
                .decide_into(line.as_bytes(), &mut Vec::new())
                .unwrap();
        }
        assert_eq!(evaluator.cache.len(), 1);
    }
}
