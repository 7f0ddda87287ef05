//! The spec reader never panics and always points inside the file: the DocuStack spec,
//! mutated at random (bytes cut, inserted and replaced), loads and validates to diagnostics
//! whose spans lie within the text, on char boundaries.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::{Path, PathBuf};

use proptest::prelude::*;

fn docustack_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack/org.hcl"),
    )
    .unwrap()
}

#[derive(Debug, Clone)]
enum Edit {
    Cut(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let fragments = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("\"".to_owned()),
        Just("=".to_owned()),
        Just("unit.".to_owned()),
        Just("account.x".to_owned()),
        Just("[".to_owned()),
        Just("${x}".to_owned()),
        Just("\n".to_owned()),
        Just("é".to_owned()),
        "[ -~]{0,8}",
    ];
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Cut(at, len)),
        (any::<usize>(), fragments).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), any::<char>()).prop_map(|(at, c)| Edit::Replace(at, c)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, e: &Edit) {
    match e {
        Edit::Cut(at, len) => {
            let start = boundary(text, *at);
            let end = boundary(text, (start + len).min(text.len()));
            if end > start {
                text.replace_range(start..end, "");
            }
        }
        Edit::Insert(at, s) => {
            let at = boundary(text, *at);
            text.insert_str(at, s);
        }
        Edit::Replace(at, c) => {
            let start = boundary(text, *at);
            if let Some(old) = text[start..].chars().next() {
                text.replace_range(start..start + old.len_utf8(), &c.to_string());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_specs_load_without_panics(edits in proptest::collection::vec(edit(), 1..6)) {
        let mut text = docustack_text();
        for e in &edits {
            apply(&mut text, e);
        }
        let (spec, mut diags) = orgctl_org::load_texts(Path::new("."), vec![(PathBuf::from("org.hcl"), text.clone())]);
        orgctl_org::validate(&spec, orgctl_catalog::Catalog::embedded().unwrap(), &mut diags);
        for d in &diags.items {
            let file = spec.sources.get(d.loc.file).unwrap();
            prop_assert!(d.loc.span.start <= d.loc.span.end, "{d:?}");
            prop_assert!(d.loc.span.end <= file.text.len(), "{d:?}");
            prop_assert!(file.text.is_char_boundary(d.loc.span.start), "{d:?}");
            prop_assert!(file.text.is_char_boundary(d.loc.span.end), "{d:?}");
            prop_assert!(!d.message.is_empty());
        }
    }
}

#[test]
fn the_unmutated_spec_has_no_errors_without_its_policy_files() {
    let (spec, diags) = orgctl_org::load_texts(
        Path::new("."),
        vec![(PathBuf::from("org.hcl"), docustack_text())],
    );
    assert!(!diags.has_errors(), "{:?}", diags.items);
    assert_eq!(spec.accounts.len(), 7);
}
