//! Reading the embedded catalog file (format documented in `scripts/gen-catalog.mjs`).

use std::ops::Range;

use crate::{Action, ActionResource, CatalogError, Data, KeyType, ResourceType, Service, Str};

/// A cursor over the decompressed body.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u32, CatalogError> {
        let mut value: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.pos).ok_or(CatalogError::Truncated)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return u32::try_from(value).map_err(|_| CatalogError::Corrupt("varint overflow"));
            }
            shift += 7;
            if shift > 35 {
                return Err(CatalogError::Corrupt("varint too long"));
            }
        }
    }

    fn index(&mut self) -> Result<usize, CatalogError> {
        self.varint().map(|v| v as usize)
    }

    /// Reads a list of string indices into `pool`, returning where they landed.
    fn strings_into(
        &mut self,
        strings: &[Str],
        pool: &mut Vec<Str>,
    ) -> Result<Range<u32>, CatalogError> {
        let n = self.index()?;
        let start = pool.len();
        for _ in 0..n {
            let i = self.index()?;
            pool.push(
                *strings
                    .get(i)
                    .ok_or(CatalogError::Corrupt("string index out of range"))?,
            );
        }
        range(start, pool.len())
    }
}

fn range(start: usize, end: usize) -> Result<Range<u32>, CatalogError> {
    let conv = |v: usize| u32::try_from(v).map_err(|_| CatalogError::Corrupt("catalog too large"));
    Ok(conv(start)?..conv(end)?)
}

/// Decodes a catalog file.
pub fn decode(file: &[u8]) -> Result<Data, CatalogError> {
    let body = file
        .strip_prefix(b"OCAT")
        .ok_or(CatalogError::Corrupt("not a catalog file"))?;
    let (&format, compressed) = body.split_first().ok_or(CatalogError::Truncated)?;
    if format != 1 {
        return Err(CatalogError::Corrupt("unknown catalog format version"));
    }
    let bytes = miniz_oxide::inflate::decompress_to_vec(compressed)
        .map_err(|_| CatalogError::Corrupt("the compressed body does not inflate"))?;
    let mut r = Reader {
        bytes: &bytes,
        pos: 0,
    };

    // Strings go into one arena; each string is a range of it.
    let count = r.index()?;
    let mut text = String::with_capacity(bytes.len());
    let mut strings = Vec::with_capacity(count);
    for _ in 0..count {
        let len = r.index()?;
        let raw = bytes
            .get(r.pos..r.pos + len)
            .ok_or(CatalogError::Truncated)?;
        let s =
            std::str::from_utf8(raw).map_err(|_| CatalogError::Corrupt("a string is not UTF-8"))?;
        r.pos += len;
        let start =
            u32::try_from(text.len()).map_err(|_| CatalogError::Corrupt("catalog too large"))?;
        text.push_str(s);
        strings.push(Str {
            start,
            len: len as u32,
        });
    }
    let string = |i: u32| -> Result<Str, CatalogError> {
        strings
            .get(i as usize)
            .copied()
            .ok_or(CatalogError::Corrupt("string index out of range"))
    };
    let mut key_pool = Vec::new();

    let version = string(r.varint()?)?;
    let updated = string(r.varint()?)?;

    let n = r.index()?;
    let mut services = Vec::with_capacity(n);
    for _ in 0..n {
        services.push(Service {
            prefix: string(r.varint()?)?,
            name: string(r.varint()?)?,
            rcp: r.varint()? != 0,
            actions: 0..0,
        });
    }
    let n = r.index()?;
    let mut resource_types = Vec::with_capacity(n);
    for _ in 0..n {
        resource_types.push(ResourceType {
            service: r.varint()?,
            name: string(r.varint()?)?,
            arn: string(r.varint()?)?,
            condition_keys: r.strings_into(&strings, &mut key_pool)?,
        });
    }
    let n = r.index()?;
    let mut condition_keys = Vec::with_capacity(n);
    for _ in 0..n {
        let service = r.varint()?;
        let name = string(r.varint()?)?;
        let ty = string(r.varint()?)?;
        condition_keys.push((service, name, ty));
    }
    let n = r.index()?;
    let mut global_keys = Vec::with_capacity(n);
    for _ in 0..n {
        let name = string(r.varint()?)?;
        let ty = string(r.varint()?)?;
        global_keys.push((name, ty));
    }
    let n = r.index()?;
    let mut actions = Vec::with_capacity(n);
    let mut resource_pool = Vec::with_capacity(n * 2);
    for i in 0..n {
        let service = r.varint()?;
        let name = string(r.varint()?)?;
        let access_level = string(r.varint()?)?;
        let rn = r.index()?;
        let first = resource_pool.len();
        for _ in 0..rn {
            let ty = r.varint()?;
            let required = r.varint()? != 0;
            let keys = r.strings_into(&strings, &mut key_pool)?;
            resource_pool.push(ActionResource {
                resource_type: ty.checked_sub(1),
                required,
                condition_keys: keys,
            });
        }
        let resources = range(first, resource_pool.len())?;
        let keys = r.strings_into(&strings, &mut key_pool)?;
        let svc = services
            .get_mut(service as usize)
            .ok_or(CatalogError::Corrupt("service index out of range"))?;
        // Actions are stored grouped by service, in service order.
        if svc.actions.is_empty() {
            svc.actions = i..i;
        }
        svc.actions.end = i + 1;
        actions.push(Action {
            service,
            name,
            access_level,
            resources,
            condition_keys: keys,
        });
    }
    if r.pos != bytes.len() {
        return Err(CatalogError::Corrupt("trailing bytes"));
    }
    let typed = |(s, n, t): (u32, Str, Str)| (s, n, KeyType::from_name(t.get(&text)));
    let condition_keys = condition_keys.into_iter().map(typed).collect();
    let global_keys = global_keys
        .into_iter()
        .map(|(n, t)| (n, KeyType::from_name(t.get(&text))))
        .collect();
    Ok(Data {
        version,
        updated,
        services,
        resource_types,
        condition_keys,
        global_keys,
        actions,
        resource_pool,
        key_pool,
        text,
    })
}
