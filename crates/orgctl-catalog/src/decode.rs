//! Reading the catalog file (format documented in `scripts/gen-catalog.mjs`): a header of
//! counts, tables of fixed-size records of little-endian `u32`s, and the strings' text.
//!
//! Nothing is decoded into memory: records are read in place when asked for. Checking a file
//! makes sure that every read stays inside its table, so that the readers need no error paths.

use crate::CatalogError;

/// One table of the file: where it starts, how many records it has, and how many `u32`s
/// each record holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Table {
    at: usize,
    len: usize,
    width: usize,
}

impl Table {
    /// The number of records.
    pub const fn len(self) -> usize {
        self.len
    }

    /// Where the table starts in the file.
    pub const fn at(self) -> usize {
        self.at
    }
}

/// Where everything is in a checked file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// String indices of the package version and the data's date.
    pub version: u32,
    pub updated: u32,
    /// String offsets into the text: one more than there are strings.
    pub strings: Table,
    pub services: Table,
    pub resource_types: Table,
    pub condition_keys: Table,
    pub global_keys: Table,
    pub actions: Table,
    pub action_resources: Table,
    pub key_pool: Table,
    /// Hash tables: services by prefix, each service's actions by name (each a range of the
    /// table), condition keys by name.
    pub service_slots: Table,
    pub action_slots: Table,
    pub key_slots: Table,
    /// Keys with a variable part: key (global keys first), length of the prefix before it.
    pub key_prefixes: Table,
    /// Resource type indices, in the order actions first use them.
    pub arn_formats: Table,
    /// Per service, over the range of its actions: their offsets in the order of their
    /// lower-case names.
    pub action_order: Table,
    /// Where the text starts, and its length in bytes.
    pub text_at: usize,
    pub text_len: usize,
}

/// The fields of a service record.
pub mod service {
    pub const PREFIX: usize = 0;
    pub const NAME: usize = 1;
    pub const RCP: usize = 2;
    pub const FIRST_ACTION: usize = 3;
    pub const ACTION_COUNT: usize = 4;
    pub const FIRST_SLOT: usize = 5;
    pub const SLOT_COUNT: usize = 6;
}

/// The fields of a resource type record.
pub mod resource_type {
    pub const SERVICE: usize = 0;
    pub const NAME: usize = 1;
    pub const ARN: usize = 2;
    pub const FIRST_KEY: usize = 3;
    pub const KEY_COUNT: usize = 4;
}

/// The fields of a condition key record; global keys have the last two.
pub mod key {
    pub const NAME: usize = 1;
    pub const TYPE: usize = 2;
    pub const GLOBAL_NAME: usize = 0;
    pub const GLOBAL_TYPE: usize = 1;
}

/// The fields of an action record.
pub mod action {
    pub const SERVICE: usize = 0;
    pub const NAME: usize = 1;
    pub const ACCESS_LEVEL: usize = 2;
    pub const FIRST_RESOURCE: usize = 3;
    pub const RESOURCE_COUNT: usize = 4;
    pub const FIRST_KEY: usize = 5;
    pub const KEY_COUNT: usize = 6;
}

/// The fields of an action's resource record.
pub mod action_resource {
    pub const TYPE: usize = 0;
    pub const REQUIRED: usize = 1;
    pub const FIRST_KEY: usize = 2;
    pub const KEY_COUNT: usize = 3;
}

/// The `u32` at byte `at`, or 0 past the end.
#[inline]
pub fn word(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_le_bytes)
}

/// Field `field` of record `index` of `table`, or `None` past the table's end.
pub fn field(bytes: &[u8], table: Table, index: usize, field: usize) -> Option<u32> {
    (index < table.len && field < table.width)
        .then(|| word(bytes, table.at + (index * table.width + field) * 4))
}

const HEADER_WORDS: usize = 17;

/// Checks a catalog file and finds its tables.
pub fn layout(file: &[u8]) -> Result<Layout, CatalogError> {
    let body = file
        .strip_prefix(b"OCAT")
        .ok_or(CatalogError::Corrupt("not a catalog file"))?;
    let &format = body.first().ok_or(CatalogError::Truncated)?;
    if format != 2 {
        return Err(CatalogError::Corrupt("unknown catalog format version"));
    }
    let start = 5;
    if file.len() < start + HEADER_WORDS * 4 {
        return Err(CatalogError::Truncated);
    }
    let header = |i: usize| word(file, start + i * 4) as usize;
    let too_large = CatalogError::Corrupt("catalog too large");
    let mut at = start + HEADER_WORDS * 4;
    let mut table = |len: usize, width: usize| -> Result<Table, CatalogError> {
        let t = Table { at, len, width };
        at = len
            .checked_mul(width * 4)
            .and_then(|size| at.checked_add(size))
            .ok_or(too_large.clone())?;
        Ok(t)
    };
    let strings = table(header(2).checked_add(1).ok_or(too_large.clone())?, 1)?;
    let layout = Layout {
        version: header(0) as u32,
        updated: header(1) as u32,
        strings,
        services: table(header(3), 7)?,
        resource_types: table(header(4), 5)?,
        condition_keys: table(header(5), 3)?,
        global_keys: table(header(6), 2)?,
        actions: table(header(7), 7)?,
        action_resources: table(header(8), 4)?,
        key_pool: table(header(9), 1)?,
        service_slots: table(header(11), 2)?,
        action_slots: table(header(12), 2)?,
        key_slots: table(header(13), 2)?,
        key_prefixes: table(header(14), 2)?,
        arn_formats: table(header(15), 1)?,
        action_order: table(header(16), 1)?,
        text_at: at,
        text_len: header(10),
    };
    let end = at.checked_add(layout.text_len).ok_or(too_large)?;
    if file.len() < end {
        return Err(CatalogError::Truncated);
    }
    if file.len() > end {
        return Err(CatalogError::Corrupt("trailing bytes"));
    }
    Ok(layout)
}

/// The records of `table`, each as its bytes.
pub fn records(file: &[u8], table: Table) -> std::slice::ChunksExact<'_, u8> {
    let size = table.width * 4;
    file.get(table.at..table.at + table.len * size)
        .unwrap_or_default()
        .chunks_exact(size.max(1))
}

/// Field `field` of a record from [`records`].
pub fn at(record: &[u8], field: usize) -> u32 {
    word(record, field * 4)
}

/// Checks that the strings split `text` at character boundaries and that every index and
/// range of the tables stays inside the table it points into.
pub fn check(file: &[u8], layout: &Layout, text: &str) -> Result<(), CatalogError> {
    let l = layout;
    let strings = l.strings.len - 1;
    let mut previous = 0;
    for record in records(file, l.strings) {
        let offset = at(record, 0) as usize;
        if offset < previous || !text.is_char_boundary(offset) {
            return Err(CatalogError::Corrupt("a string is not UTF-8"));
        }
        previous = offset;
    }
    if previous != text.len() {
        return Err(CatalogError::Corrupt(
            "the string table does not cover the text",
        ));
    }
    let in_range = |v: u32, len: usize, what: &'static str| {
        if (v as usize) < len {
            Ok(())
        } else {
            Err(CatalogError::Corrupt(what))
        }
    };
    let string = |v: u32| in_range(v, strings, "string index out of range");
    let range = |record: &[u8], first: usize, len: usize| {
        let (first, count) = (at(record, first) as usize, at(record, first + 1) as usize);
        if first.saturating_add(count) <= len {
            Ok(())
        } else {
            Err(CatalogError::Corrupt("range out of bounds"))
        }
    };
    string(l.version)?;
    string(l.updated)?;
    // A hash table (`count` slots of `table` from `first`): a power-of-two number of slots,
    // each empty or holding a value below `len`.
    let hash_table = |table: Table, first: usize, count: usize, len: usize| {
        if count != 0 && !count.is_power_of_two() {
            return Err(CatalogError::Corrupt("a hash table is not a power of two"));
        }
        let part = Table {
            at: table.at + first * table.width * 4,
            len: count,
            width: table.width,
        };
        for r in records(file, part) {
            if at(r, 0) & 0xffff > len as u32 {
                return Err(CatalogError::Corrupt("hash table value out of range"));
            }
            let name = at(r, 1);
            if !text.is_char_boundary((name >> 12) as usize)
                || !text.is_char_boundary(((name >> 12) + (name & 0xfff)) as usize)
            {
                return Err(CatalogError::Corrupt("hash table name out of range"));
            }
        }
        Ok(())
    };
    for r in records(file, l.services) {
        string(at(r, service::PREFIX))?;
        string(at(r, service::NAME))?;
        range(r, service::FIRST_ACTION, l.actions.len)?;
        range(r, service::FIRST_SLOT, l.action_slots.len)?;
        hash_table(
            l.action_slots,
            at(r, service::FIRST_SLOT) as usize,
            at(r, service::SLOT_COUNT) as usize,
            at(r, service::ACTION_COUNT) as usize,
        )?;
    }
    hash_table(l.service_slots, 0, l.service_slots.len, l.services.len)?;
    let keys = l.global_keys.len + l.condition_keys.len;
    hash_table(l.key_slots, 0, l.key_slots.len, keys)?;
    for r in records(file, l.key_prefixes) {
        in_range(at(r, 0), keys, "key index out of range")?;
    }
    if l.action_order.len != l.actions.len {
        return Err(CatalogError::Corrupt(
            "the action order does not cover the actions",
        ));
    }
    for r in records(file, l.services) {
        let first = at(r, service::FIRST_ACTION) as usize;
        let count = at(r, service::ACTION_COUNT) as usize;
        let part = Table {
            at: l.action_order.at + first * 4,
            len: count,
            width: 1,
        };
        for o in records(file, part) {
            in_range(at(o, 0), count, "action order out of range")?;
        }
    }
    for r in records(file, l.arn_formats) {
        in_range(
            at(r, 0),
            l.resource_types.len,
            "resource type index out of range",
        )?;
    }
    for r in records(file, l.resource_types) {
        string(at(r, resource_type::NAME))?;
        string(at(r, resource_type::ARN))?;
        range(r, resource_type::FIRST_KEY, l.key_pool.len)?;
    }
    for r in records(file, l.condition_keys) {
        string(at(r, key::NAME))?;
        string(at(r, key::TYPE))?;
    }
    for r in records(file, l.global_keys) {
        string(at(r, key::GLOBAL_NAME))?;
        string(at(r, key::GLOBAL_TYPE))?;
    }
    for r in records(file, l.actions) {
        in_range(
            at(r, action::SERVICE),
            l.services.len,
            "service index out of range",
        )?;
        string(at(r, action::NAME))?;
        string(at(r, action::ACCESS_LEVEL))?;
        range(r, action::FIRST_RESOURCE, l.action_resources.len)?;
        range(r, action::FIRST_KEY, l.key_pool.len)?;
    }
    for r in records(file, l.action_resources) {
        range(r, action_resource::FIRST_KEY, l.key_pool.len)?;
    }
    for r in records(file, l.key_pool) {
        string(at(r, 0))?;
    }
    Ok(())
}
