//! Records per second through the whole per-record path: parsing, mapping, building the
//! request, deciding it against DocuStack's current and proposed policies, counting. The
//! input is the CloudTrail sample of `tests/fixtures/cloudtrail`, decompressed in memory.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench code")]

use std::hint::black_box;
use std::io::Read as _;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use orgctl_replay::evaluate::{Organization, Worker};
use orgctl_replay::read::{self, Buffer};
use orgctl_replay::{Maps, Settings, proposed};

fn sample() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("tests/fixtures/cloudtrail/invictus-ir_aws_dataset");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let mut bytes = Vec::new();
            read::open(f).unwrap().read_to_end(&mut bytes).unwrap();
            bytes
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (spec, _) = orgctl_org::load_dir(&root.join("examples/docustack")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let region_deny =
        std::fs::read_to_string(root.join("examples/docustack/policies/RegionDeny.json")).unwrap();
    let file = dir.path().join("RegionDeny.json");
    std::fs::write(&file, region_deny.replace("us-east-1", "eu-west-1")).unwrap();
    let (next, _) = proposed::with_policies(&spec, &[file]).unwrap();
    let maps = Maps::embedded().unwrap();
    let files = sample();
    let mut records = 0;
    for f in &files {
        records += read::read(&f[..], &mut Buffer::default(), |_| {})
            .unwrap()
            .records;
    }
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(records));
    for (name, proposed) in [("current", None), ("current+proposed", Some(&next))] {
        let org = Organization::new(&spec, proposed, Some("dev"), Settings::default()).unwrap();
        group.bench_function(format!("sample/{name}"), |b| {
            let mut buffer = Buffer::default();
            b.iter(|| {
                let mut worker = Worker::new(&org, maps);
                for (i, f) in files.iter().enumerate() {
                    read::read(&f[..], &mut buffer, |item| worker.item(i, item)).unwrap();
                }
                black_box(worker.tally.evaluated)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
