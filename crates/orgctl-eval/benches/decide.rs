//! Decisions per second of the compiled evaluator on the DocuStack SCP chain: root
//! (FullAWSAccess, RegionDeny, ProtectCloudTrail), Workloads OU (FullAWSAccess,
//! RequireS3Encryption, DenyPublicS3), account (FullAWSAccess), with an admin identity policy.

#![expect(
    clippy::expect_used,
    reason = "setup reads the example policies, which are known good"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use orgctl_eval::{CompiledPolicy, Context, ContextValue, PolicySet, Request};
use orgctl_policy::Policy;

fn load(name: &str) -> CompiledPolicy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/docustack/policies")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("example policy");
    CompiledPolicy::new(name, &Policy::parse(&text).expect("valid policy"))
}

fn docustack() -> PolicySet {
    PolicySet {
        identity: vec![load("FullAWSAccess")],
        scps: Some(vec![
            vec![
                load("FullAWSAccess"),
                load("RegionDeny"),
                load("ProtectCloudTrail"),
            ],
            vec![
                load("FullAWSAccess"),
                load("RequireS3Encryption"),
                load("DenyPublicS3"),
            ],
            vec![load("FullAWSAccess")],
        ]),
        ..PolicySet::default()
    }
}

fn requests() -> Vec<Request> {
    let actions = [
        ("s3:PutObject", "arn:aws:s3:::docustack-data/report.pdf"),
        ("s3:GetObject", "arn:aws:s3:::docustack-data/report.pdf"),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:us-east-1:216482851263:instance/*",
        ),
        ("iam:CreateRole", "arn:aws:iam::216482851263:role/app"),
        (
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:us-east-1:216482851263:trail/org",
        ),
        (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:216482851263:table/locks",
        ),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:216482851263:key/1234"),
        ("sts:AssumeRole", "arn:aws:iam::216482851263:role/deploy"),
    ];
    let regions = ["us-east-1", "eu-west-1", "us-west-2"];
    let mut out = Vec::new();
    for (i, (action, resource)) in actions.iter().enumerate() {
        for (j, region) in regions.iter().enumerate() {
            let mut ctx = Context::new();
            ctx.insert(
                "aws:RequestedRegion",
                ContextValue::Single((*region).into()),
            );
            if (i + j) % 2 == 0 {
                ctx.insert(
                    "s3:x-amz-server-side-encryption",
                    ContextValue::Single("aws:kms".into()),
                );
            }
            out.push(Request::new(
                "arn:aws:sts::216482851263:assumed-role/Developer/alice",
                action,
                resource,
                None,
                ctx,
            ));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let set = docustack();
    let reqs = requests();
    let mut group = c.benchmark_group("docustack");
    group.throughput(Throughput::Elements(reqs.len() as u64));
    group.bench_function("decide", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(set.decide(black_box(r)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
