//! The reader yields the same records whatever the layout: a `Records` document (compact or
//! formatted), JSON Lines, gzip-compressed or not, and whatever the buffer size.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::Write as _;

use orgctl_replay::read::{self, Buffer, Item};
use proptest::prelude::*;
use serde_json::{Value, json};

/// What a record looked like to the reader, owned.
type Seen = Vec<Option<String>>;

fn read_all(bytes: &[u8], initial: usize) -> Vec<Result<Seen, u64>> {
    let mut buf = Buffer::new(initial, 1 << 20);
    let mut out = Vec::new();
    let src: Box<dyn std::io::Read> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    read::read(src, &mut buf, |item| match item {
        Item::Record(_, r) => {
            let s = |v: &Option<orgctl_replay::record::Str<'_>>| {
                v.as_ref().map(|s| s.as_str().to_owned())
            };
            let u = r.user_identity.as_ref();
            out.push(Ok(vec![
                s(&r.event_source),
                s(&r.event_name),
                s(&r.aws_region),
                s(&r.event_time),
                s(&r.source_ip),
                s(&r.error_code),
                s(&r.resource.0),
                u.and_then(|u| u.arn.as_ref())
                    .map(|a| a.as_str().to_owned()),
                u.and_then(|u| u.session.as_ref())
                    .and_then(|s| s.attributes.as_ref())
                    .and_then(|a| a.mfa_authenticated)
                    .map(|f| f.0.to_string()),
            ]));
        }
        Item::Malformed(i, _) => out.push(Err(i)),
    })
    .unwrap();
    out
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:/._-]{0,24}",
        // Escapes, quotes, brackets and non-ASCII text inside strings.
        "[a-z\"\\\\{}\\[\\],:é\u{1F600}\n\t]{0,12}",
    ]
}

fn junk() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn record() -> impl Strategy<Value = Value> {
    (
        (text(), text(), text(), text()),
        (proptest::option::of(text()), proptest::option::of(text())),
        proptest::option::of(any::<bool>()),
        prop::collection::vec(text(), 0..3),
        junk(),
    )
        .prop_map(|((source, name, region, arn), (ip, error), mfa, resources, extra)| {
            let mut r = json!({
                "eventVersion": "1.08",
                "eventSource": source,
                "eventName": name,
                "awsRegion": region,
                "eventTime": "2023-07-10T11:42:36Z",
                "requestParameters": extra,
                "userIdentity": {"type": "IAMUser", "arn": arn},
                "resources": resources.iter().map(|a| json!({"type": "T", "ARN": a})).collect::<Vec<_>>(),
            });
            if let Some(ip) = ip {
                r["sourceIPAddress"] = json!(ip);
            }
            if let Some(e) = error {
                r["errorCode"] = json!(e);
            }
            if let Some(m) = mfa {
                r["userIdentity"]["sessionContext"] =
                    json!({"attributes": {"mfaAuthenticated": m.to_string()}});
            }
            r
        })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_layout_yields_the_same_records(
        records in prop::collection::vec(record(), 0..12),
        initial in 16usize..600,
    ) {
        let doc = json!({"Records": records});
        let compact = serde_json::to_vec(&doc).unwrap();
        let pretty = serde_json::to_vec_pretty(&doc).unwrap();
        let mut lines = Vec::new();
        for r in &records {
            lines.extend(serde_json::to_vec(r).unwrap());
            lines.push(b'\n');
        }
        let expected = read_all(&compact, 1 << 20);
        prop_assert_eq!(expected.len(), records.len());
        prop_assert!(expected.iter().all(Result::is_ok));
        for layout in [&compact, &pretty, &lines] {
            prop_assert_eq!(&read_all(layout, initial), &expected);
            prop_assert_eq!(&read_all(&gzip(layout), initial), &expected);
        }
    }
}
