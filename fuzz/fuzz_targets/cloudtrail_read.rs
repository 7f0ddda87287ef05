//! CloudTrail logs from arbitrary bytes: reading never panics, hands over records in order
//! whatever the size of the read buffer, reads the same records from the gzip-compressed
//! bytes, and the fast record parser agrees with serde wherever it answers.

#![no_main]

use std::io::Write as _;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use orgctl_replay::read::{self, Buffer, Item};
use orgctl_replay::record::Record;
use orgctl_replay::record::fast::{self, Fast};

/// The largest record the buffers here hold; inputs are smaller.
const MAX: usize = 1 << 20;

/// Every item the reader hands over, as text, with the outcome.
fn items(src: impl std::io::Read, initial: usize) -> (Vec<String>, Option<u64>) {
    let mut buf = Buffer::new(initial, MAX);
    let mut out = Vec::new();
    let outcome = read::read(src, &mut buf, |item| match item {
        Item::Record(i, r) => out.push(format!("{i} {r:?}")),
        Item::Malformed(i, m) => out.push(format!("{i} malformed: {m}")),
    });
    match outcome {
        Ok(o) => {
            assert_eq!(o.records, out.len() as u64, "records counted");
            // Reading to the end (no early stop) reads every byte, whatever the buffer.
            let stopped = out.iter().any(|i| i.contains("malformed: reading stopped"));
            (out, (!stopped).then_some(o.bytes))
        }
        Err(e) => (vec![format!("error: {e}")], None),
    }
}

/// At every `{` of the input: a record the fast parser finishes is serde's record of the same
/// bytes, and where it says the input ends inside the record, serde says so too.
fn fast_against_serde(data: &[u8]) {
    for (at, _) in data
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'{')
        .take(16)
    {
        let Some(rest) = data.get(at..) else {
            continue;
        };
        match fast::parse(rest) {
            Fast::Done(record, used) => {
                let Some(taken) = rest.get(..used) else {
                    panic!("fast parser used {used} of {} bytes", rest.len());
                };
                match serde_json::from_slice::<Record<'_>>(taken) {
                    Ok(theirs) => assert_eq!(record, theirs, "fast and serde records differ"),
                    Err(e) => panic!("fast parser read a record serde rejects: {e}"),
                }
            }
            Fast::Eof => {
                let mut stream =
                    serde_json::Deserializer::from_slice(rest).into_iter::<Record<'_>>();
                if let Some(Ok(_)) = stream.next() {
                    panic!("fast parser wants more bytes, serde read a record");
                }
            }
            Fast::Fallback => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (small, bytes_small) = items(data, 16);
    let (large, bytes_large) = items(data, 1 << 16);
    assert_eq!(small, large, "the read buffer's size changed what was read");
    for bytes in [bytes_small, bytes_large].into_iter().flatten() {
        assert_eq!(bytes, data.len() as u64, "bytes counted");
    }

    // Through the decoder: gzip when the bytes start with its magic, as they are otherwise.
    let decoded = match read::decode(data) {
        Ok(src) => items(src, 64).0,
        Err(e) => vec![format!("error: {e}")],
    };
    if !data.starts_with(&[0x1f, 0x8b]) {
        assert_eq!(decoded, large, "the decoder changed plain text");
        // The same text compressed reads the same.
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        if gz.write_all(data).is_ok()
            && let Ok(compressed) = gz.finish()
            && let Ok(src) = read::decode(compressed.as_slice())
        {
            assert_eq!(items(src, 64).0, large, "gzip changed what was read");
        }
    }
    fast_against_serde(data);
});
