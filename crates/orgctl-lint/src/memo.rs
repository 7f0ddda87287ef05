//! Per-thread memos of what rules conclude about one string of a policy.
//!
//! A run that lints many policies meets the same actions and ARNs again and again (the 1,641
//! AWS managed policies name 62,537 actions, 16,855 of them distinct). What a rule concludes
//! about such a string depends only on the string and the catalog, so each thread keeps it,
//! and the findings are built from the conclusion with the span of each occurrence.

use std::cell::RefCell;
use std::thread::LocalKey;

use orgctl_catalog::Catalog;

use crate::util::FxHashMap;

/// Past this many entries a memo starts afresh, to bound its memory.
const LIMIT: usize = 1 << 16;

/// The conclusions of one rule, for one catalog.
#[derive(Debug)]
pub struct Memo<V> {
    /// The [`Catalog::id`] of the catalog the conclusions were drawn from (0: none yet).
    catalog: u64,
    entries: FxHashMap<Box<str>, V>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Self {
            catalog: 0,
            entries: FxHashMap::default(),
        }
    }
}

/// The conclusion about `key` in the thread's memo `memo`, drawn by `conclude` when the memo
/// does not hold it yet for `catalog`.
pub fn recall<V: Clone + 'static>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    catalog: &Catalog,
    key: &str,
    conclude: impl FnOnce() -> V,
) -> V {
    let id = catalog.id();
    let known = memo.with_borrow(|m| {
        (m.catalog == id)
            .then(|| m.entries.get(key).cloned())
            .flatten()
    });
    if let Some(v) = known {
        return v;
    }
    // Drawn outside the borrow: `conclude` may consult other memos.
    let v = conclude();
    memo.with_borrow_mut(|m| {
        if m.catalog != id || m.entries.len() >= LIMIT {
            m.entries.clear();
            m.catalog = id;
        }
        m.entries.insert(key.into(), v.clone());
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static LENGTHS: RefCell<Memo<usize>> = RefCell::new(Memo::default());
    }

    #[test]
    fn recalls_per_key_and_catalog() {
        let catalog = Catalog::embedded().unwrap();
        let mut drawn = 0;
        for key in ["a", "bb", "a", "bb", "a"] {
            let v = recall(&LENGTHS, catalog, key, || {
                drawn += 1;
                key.len()
            });
            assert_eq!(v, key.len());
        }
        assert_eq!(drawn, 2, "each key concluded once");
        // Another catalog: concluded again.
        let other = Catalog::from_bytes(Catalog::embedded_bytes()).unwrap();
        let v = recall(&LENGTHS, &other, "a", || {
            drawn += 1;
            7
        });
        assert_eq!((v, drawn), (7, 3));
    }

    #[test]
    fn starts_afresh_past_its_limit() {
        let catalog = Catalog::embedded().unwrap();
        for n in 0..=LIMIT {
            recall(&LENGTHS, catalog, &n.to_string(), || n);
        }
        // The entry past the limit emptied the memo before going in.
        let held = LENGTHS.with_borrow(|m| m.entries.len());
        assert_eq!(held, 1);
        assert_eq!(recall(&LENGTHS, catalog, &LIMIT.to_string(), || 0), LIMIT);
    }
}
