//! `prove` over DocuStack: every account x two regions x the whole catalog, on one thread.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench code")]

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use orgctl_catalog::Catalog;
use orgctl_org::prove::{ProveOptions, prove};

fn docustack(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
    let (spec, _) = orgctl_org::load_dir(&dir).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let mut group = c.benchmark_group("prove");
    group.sample_size(10);
    group.bench_function("docustack_7_accounts_2_regions_catalog", |b| {
        b.iter(|| {
            let report = prove(&spec, catalog, &ProveOptions::default()).unwrap();
            assert_eq!(report.subjects.len(), 14);
            report
        });
    });
    group.finish();
}

criterion_group!(benches, docustack);
criterion_main!(benches);
