//! Time to decode the embedded catalog and build its indexes (what `Catalog::embedded` does
//! once per process), and to expand wildcard patterns.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use orgctl_catalog::Catalog;

fn bench(c: &mut Criterion) {
    c.bench_function("catalog/load", |b| {
        b.iter(|| Catalog::from_bytes(black_box(Catalog::embedded_bytes())));
    });
    if let Ok(catalog) = Catalog::embedded() {
        c.bench_function("catalog/expand s3:Put*", |b| {
            b.iter(|| catalog.expand(black_box("s3:Put*")).len())
        });
        c.bench_function("catalog/expand *:Delete*", |b| {
            b.iter(|| catalog.expand(black_box("*:Delete*")).len())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
