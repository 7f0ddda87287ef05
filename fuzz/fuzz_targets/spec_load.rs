//! Spec directories from arbitrary text: loading and validating never panic, and every
//! diagnostic points at a file of the spec, inside its text, on character boundaries.
//!
//! The input is split at NUL bytes into up to eight files: the first is an `.hcl` file (a spec
//! directory has at least one), later pieces that start with `{` are the policy documents,
//! handed to the spec's policies in order, and the others more `.hcl` files.

#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use orgctl_org::diag::{Diagnostics, Loc};
use orgctl_org::spec::Spec;

fn check_loc(spec: &Spec, loc: &Loc, what: &str) {
    let Some(file) = spec.sources.get(loc.file) else {
        panic!("{what}: no file {:?}", loc.file);
    };
    let (text, span) = (&file.text, &loc.span);
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on character boundaries"
    );
    let _ = spec.sources.describe(loc);
}

fn check(spec: &Spec, diags: &Diagnostics) {
    for d in &diags.items {
        check_loc(spec, &d.loc, &d.code);
        for (loc, _) in &d.related {
            check_loc(spec, loc, &d.code);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut files = Vec::new();
    let mut documents = Vec::new();
    for (i, piece) in text.split('\0').take(8).enumerate() {
        if i > 0 && piece.trim_start().starts_with('{') {
            documents.push(piece.to_owned());
        } else {
            files.push((PathBuf::from(format!("spec/f{i}.hcl")), piece.to_owned()));
        }
    }
    let (mut spec, mut diags) = orgctl_org::load_texts(Path::new("spec"), files);
    check(&spec, &diags);
    let mut documents = documents.into_iter();
    for i in 0..spec.policies.len() {
        let wants = spec
            .policies
            .get(i)
            .is_some_and(|p| !p.aws_managed && !p.file.as_os_str().is_empty());
        if !wants {
            continue;
        }
        let Some(text) = documents.next() else {
            break;
        };
        let path = spec.dir.join(
            spec.policies
                .get(i)
                .map(|p| p.file.clone())
                .unwrap_or_default(),
        );
        let id = spec.sources.add(path, text.clone());
        if let Some(p) = spec.policies.get_mut(i) {
            p.document = Some((id, text));
        }
    }
    let catalog = match orgctl_catalog::Catalog::embedded() {
        Ok(c) => c,
        Err(e) => panic!("the embedded catalog: {e}"),
    };
    orgctl_org::validate(&spec, catalog, &mut diags);
    check(&spec, &diags);
});
