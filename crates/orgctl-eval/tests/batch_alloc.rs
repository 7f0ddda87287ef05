//! What one batch line costs in allocations once the evaluator has the line's policy set:
//! the request's own strings and nothing for reading the line or writing the decision.

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

/// Allocations to decide `line` with a warm evaluator, its output going to a buffer with
/// room to spare.
fn allocations(line: &str) -> usize {
    let mut evaluator = Evaluator::new(named);
    let mut out = Vec::with_capacity(1 << 16);
    evaluator.decide_into(line.as_bytes(), &mut out).unwrap();
    out.clear();
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let result = evaluator.decide_into(line.as_bytes(), &mut out);
    COUNTING.store(false, Ordering::SeqCst);
    assert!(result.is_ok(), "{}", String::from_utf8_lossy(&out));
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn a_line_allocates_only_its_request() {
    let scps = r#"[["FullAWSAccess","RegionDeny","ProtectCloudTrail"],["FullAWSAccess","RequireS3Encryption","DenyPublicS3"],["FullAWSAccess"]]"#;
    let line = |principal: &str, context: &str| {
        format!(
            r#"{{"id":1,"principal":"{principal}","action":"s3:PutObject","resource":"*","context":{context},"identity_policies":["FullAWSAccess"],"scps":{scps}}}"#
        )
    };
    let role = "arn:aws:iam::216482851263:role/Deployer";
    // The principal's ARN and account, the action twice, the resource, the resource account,
    // and serde_json's scratch buffer for the nested arrays of `scps`; the derived keys
    // (`aws:PrincipalArn` and the like) are computed on demand, not stored.
    let base = allocations(&line(role, "{}"));
    assert!(base <= 8, "{base}");
    // Each context key adds its key and its value.
    let one = allocations(&line(role, r#"{"aws:RequestedRegion":"eu-west-1"}"#));
    assert_eq!(one, base + 2);
    let four = allocations(&line(
        role,
        r#"{"aws:RequestedRegion":"eu-west-1","s3:x-amz-server-side-encryption":"aws:kms","aws:SecureTransport":true,"aws:MultiFactorAuthPresent":"false"}"#,
    ));
    assert_eq!(four, base + 8);
}
