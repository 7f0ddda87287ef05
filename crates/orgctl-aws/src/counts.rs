//! Counting API calls: every call the backend makes, by operation, and which of them change
//! something. Benchmarks read the totals; tests check that a second apply makes no mutating
//! call.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// One API operation: its service's IAM prefix and its name (`s3`, `PutBucketVersioning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Op {
    /// IAM prefix: `organizations`, `sts`, `s3`, `dynamodb`, `cloudtrail`, `config`.
    pub(crate) service: &'static str,
    /// The API name.
    pub(crate) name: &'static str,
}

impl Op {
    /// An operation of `service`.
    pub(crate) const fn new(service: &'static str, name: &'static str) -> Self {
        Self { service, name }
    }

    /// As IAM names it: `s3:PutBucketVersioning`.
    pub(crate) fn action(self) -> String {
        format!("{}:{}", self.service, self.name)
    }

    /// Whether the call changes something. Reads are `Describe*`, `List*`, `Get*` and
    /// `Head*`, and `AssumeRole`, which only hands out credentials.
    pub(crate) fn mutating(self) -> bool {
        !(["Describe", "List", "Get", "Head"]
            .iter()
            .any(|p| self.name.starts_with(p))
            || self.name == "AssumeRole")
    }
}

/// The API calls a backend made, by operation (`organizations:CreateAccount`). A paginated
/// listing counts one call per page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Every call, by operation.
    pub calls: BTreeMap<String, u64>,
    /// The calls that change something, by operation.
    pub mutating: BTreeMap<String, u64>,
}

impl CallCounts {
    /// All calls.
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }

    /// All mutating calls.
    pub fn mutating_total(&self) -> u64 {
        self.mutating.values().sum()
    }

    /// The calls made since `earlier`, a previous reading of the same backend.
    pub fn since(&self, earlier: &Self) -> Self {
        let diff = |now: &BTreeMap<String, u64>, then: &BTreeMap<String, u64>| {
            now.iter()
                .filter_map(|(op, n)| {
                    let d = n.saturating_sub(then.get(op).copied().unwrap_or_default());
                    (d > 0).then(|| (op.clone(), d))
                })
                .collect()
        };
        Self {
            calls: diff(&self.calls, &earlier.calls),
            mutating: diff(&self.mutating, &earlier.mutating),
        }
    }
}

/// The running counts, shared by every call.
#[derive(Debug, Default)]
pub(crate) struct Counter(Mutex<CallCounts>);

impl Counter {
    /// Records one call of `op`.
    pub(crate) fn record(&self, op: Op) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let action = op.action();
        if op.mutating() {
            *counts.mutating.entry(action.clone()).or_default() += 1;
        }
        *counts.calls.entry(action).or_default() += 1;
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> CallCounts {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_are_told_apart() {
        for read in [
            Op::new("organizations", "ListRoots"),
            Op::new("s3", "HeadBucket"),
            Op::new("s3", "GetBucketPolicy"),
            Op::new("sts", "AssumeRole"),
            Op::new("cloudtrail", "DescribeTrails"),
        ] {
            assert!(!read.mutating(), "{read:?}");
        }
        for write in [
            Op::new("organizations", "CreateAccount"),
            Op::new("organizations", "TagResource"),
            Op::new("s3", "PutBucketVersioning"),
            Op::new("cloudtrail", "StartLogging"),
            Op::new("dynamodb", "UpdateContinuousBackups"),
        ] {
            assert!(write.mutating(), "{write:?}");
        }
    }

    #[test]
    fn counts_add_up_and_subtract() {
        let counter = Counter::default();
        counter.record(Op::new("s3", "HeadBucket"));
        let before = counter.snapshot();
        counter.record(Op::new("s3", "HeadBucket"));
        counter.record(Op::new("s3", "CreateBucket"));
        let now = counter.snapshot();
        assert_eq!(now.total(), 3);
        assert_eq!(now.mutating_total(), 1);
        let since = now.since(&before);
        assert_eq!(since.total(), 2);
        assert_eq!(since.calls.get("s3:HeadBucket"), Some(&1));
        assert_eq!(since.mutating.get("s3:CreateBucket"), Some(&1));
    }
}
