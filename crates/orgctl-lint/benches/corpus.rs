//! Time to lint the AWS managed policies (tests/fixtures/policies/aws-managed, 1,641 identity
//! policies) in-process, one after another: the linter's own cost, without process start-up,
//! file reading, threads or output. Also the SCP/RCP/endpoint examples as SCPs, and the first
//! lint of a process (catalog decode and the indexes the rules build on first use).

#![expect(
    clippy::expect_used,
    reason = "setup reads the fixture corpus, which is known to be there"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use orgctl_catalog::Catalog;
use orgctl_lint::{LintOptions, PolicyType, lint_with};

/// Every `*.json` file under the fixture folder `sub`, sorted, with its text.
fn corpus(sub: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixture folder") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/policies")
        .join(sub);
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    paths
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).expect("fixture file")).into_owned())
        .collect()
}

fn lint_all(files: &[String], options: &LintOptions, catalog: &Catalog) -> usize {
    files
        .iter()
        .map(|src| lint_with(black_box(src), options, catalog).findings.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let mut group = c.benchmark_group("lint");
    group.sample_size(20);
    for (name, sub, policy_type) in [
        ("aws-managed", "aws-managed", PolicyType::Identity),
        ("scp", "scp", PolicyType::Scp),
    ] {
        let files = corpus(sub);
        let options = LintOptions::new(policy_type);
        // Warm the indexes the rules build on first use, so the samples time the linting.
        lint_all(&files, &options, catalog);
        group.throughput(Throughput::Elements(files.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| lint_all(&files, &options, catalog));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
