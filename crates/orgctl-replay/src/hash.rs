//! A quick hasher for the per-thread tables (mapped events, tallies): their keys are short
//! strings and small tuples, and the standard SipHash showed in profiles. Not resistant to
//! chosen collisions; every table it serves is bounded in size.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`Quick`] hashing.
pub type QuickMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Quick>>;

/// Multiply-and-rotate hashing, eight bytes at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quick(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Quick {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // Fold the high bits down: hashbrown takes its buckets from the low ones.
        self.0 ^ (self.0 >> 29)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::*;

    #[test]
    fn different_keys_spread() {
        let build = BuildHasherDefault::<Quick>::default();
        let mut seen = std::collections::HashSet::new();
        for key in [
            "",
            "a",
            "ab",
            "s3.amazonaws.com\0ListBuckets",
            "s3.amazonaws.com\0ListBucket",
        ] {
            assert!(seen.insert(build.hash_one(key)), "{key}");
        }
        let low: std::collections::HashSet<u64> =
            (0u32..1024).map(|n| build.hash_one(n) & 1023).collect();
        assert!(low.len() > 600, "{}", low.len());
    }
}
