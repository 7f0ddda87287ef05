//! What one batch line costs in allocations once the evaluator has decided one like it:
//! nothing, for lines of the common shape (reading the line, building the request in the
//! memory of the previous one, deciding and writing the decision).

#![allow(clippy::unwrap_used, reason = "test setup")]
#![allow(
    unsafe_code,
    reason = "a counting global allocator is the one way to observe allocations"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use orgctl_eval::CompiledPolicy;
use orgctl_eval::batch::Evaluator;
use orgctl_policy::Policy;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn named(name: &str) -> Result<CompiledPolicy, String> {
    let path = format!(
        "{}/../../examples/docustack/policies/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok(CompiledPolicy::new(name, &Policy::parse(&text).unwrap()))
}

/// Allocations to decide `line` with an evaluator that has decided `warm` twice (the first
/// time compiles the policy set, the second fills the memory kept for reuse), its output going
/// to a buffer with room to spare.
fn allocations(warm: &str, line: &str) -> usize {
    let mut evaluator = Evaluator::new(named);
    let mut out = Vec::with_capacity(1 << 16);
    for _ in 0..2 {
        evaluator.decide_into(warm.as_bytes(), &mut out).unwrap();
    }
    out.clear();
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let result = evaluator.decide_into(line.as_bytes(), &mut out);
    COUNTING.store(false, Ordering::SeqCst);
    assert!(result.is_ok(), "{}", String::from_utf8_lossy(&out));
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn a_line_allocates_nothing_once_warm() {
    let scps = r#"[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess","RequireS3Encryption","DenyPublicS3"],["FullAWSAccess"]]"#;
    let line = |id: u32, principal: &str, resource: &str, context: &str| {
        format!(
            r#"{{"id": {id}, "principal": "{principal}", "action": "s3:PutObject", "resource": "{resource}", "context": {context}, "identity_policies": ["FullAWSAccess"], "scps": {scps}}}"#
        )
    };
    let four = r#"{"aws:RequestedRegion": "eu-west-1", "s3:x-amz-server-side-encryption": "aws:kms", "aws:SecureTransport": true, "aws:MultiFactorAuthPresent": "false"}"#;
    let other_four = r#"{"aws:RequestedRegion": "eu-west-1", "s3:x-amz-server-side-encryption": "AES256", "aws:SecureTransport": false, "aws:MultiFactorAuthPresent": "true"}"#;
    for principal in [
        "arn:aws:iam::216482851263:role/Deployer",
        "arn:aws:sts::216482851263:assumed-role/Deployer/alice",
        "216482851263",
    ] {
        for context in ["{}", r#"{"aws:RequestedRegion": "eu-west-1"}"#, four] {
            let warm = line(1, principal, "arn:aws:s3:::docs/a", context);
            assert_eq!(allocations(&warm, &warm), 0, "{warm}");
        }
        // Other values in the same shape and with the same decision: another id, resource and
        // context values (the strings reuse the memory of the previous line's, which were as
        // long).
        let warm = line(1, principal, "arn:aws:s3:::docs/a/longer/key", four);
        let next = line(123_456, principal, "arn:aws:s3:::docs/b", other_four);
        assert_eq!(allocations(&warm, &next), 0, "{next}");
    }
}
