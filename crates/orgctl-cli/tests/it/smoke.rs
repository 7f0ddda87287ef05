//! The oracles' smoke requests: every line gets a decision or a readable error, in order.

use std::path::Path;

use crate::common::orgctl;

#[test]
fn smoke_requests_all_decide_in_order() {
    let smoke = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../oracles/smoke.jsonl");
    let input = std::fs::read_to_string(&smoke).expect("smoke.jsonl is readable");
    let ids: Vec<serde_json::Value> = input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("smoke line is JSON")["id"].clone()
        })
        .collect();
    assert!(!ids.is_empty());

    let out = orgctl(
        smoke.parent().expect("oracles dir"),
        &["simulate", "--batch", "smoke.jsonl"],
        None,
    );
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), ids.len(), "{}", out.stdout);
    let mut errors = 0;
    for (line, id) in lines.iter().zip(&ids) {
        let v: serde_json::Value = serde_json::from_str(line).expect("output line is JSON");
        assert_eq!(&v["id"], id, "{line}");
        match (&v["decision"], &v["error"]) {
            (serde_json::Value::String(d), serde_json::Value::Null) => {
                assert!(
                    ["Allow", "ExplicitDeny", "ImplicitDeny"].contains(&d.as_str()),
                    "{line}"
                );
                assert!(v["decisive"].is_array(), "{line}");
            }
            (serde_json::Value::Null, serde_json::Value::String(e)) => {
                assert!(!e.trim().is_empty(), "{line}");
                errors += 1;
            }
            _ => panic!("neither a decision nor an error: {line}"),
        }
    }
    assert_eq!(out.code == 1, errors > 0, "{}", out.stderr);
}
