//! The monthly cost estimate of per-account state bootstrap, from the strategy's cost table
//! (about $0.25 per state bucket and $0.25 per lock table a month), as settings.

use serde::Serialize;

use crate::spec::Spec;

/// What bootstrap costs a month, estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    /// Accounts bootstrapped.
    pub accounts: usize,
    /// USD a month for one state bucket.
    pub bucket_monthly_usd: f64,
    /// USD a month for one lock table (0 when locking needs none).
    pub table_monthly_usd: f64,
    /// USD a month for one account.
    pub per_account_usd: f64,
    /// USD a month for all of them.
    pub total_usd: f64,
}

/// Estimates the monthly cost of the spec's bootstrap.
pub fn estimate(spec: &Spec) -> CostEstimate {
    let b = &spec.bootstrap;
    let accounts = spec.accounts.iter().filter(|a| a.bootstrap).count();
    let table = if b.locking.needs_table() {
        b.table_monthly_usd
    } else {
        0.0
    };
    let per_account = b.bucket_monthly_usd + table;
    CostEstimate {
        accounts,
        bucket_monthly_usd: b.bucket_monthly_usd,
        table_monthly_usd: table,
        per_account_usd: per_account,
        #[expect(
            clippy::cast_precision_loss,
            reason = "account counts are far below 2^52"
        )]
        total_usd: per_account * accounts as f64,
    }
}

impl CostEstimate {
    /// One line for people: `State bootstrap: 7 accounts x $0.50 = ~$3.50 a month (estimate: ...)`.
    pub fn line(&self) -> String {
        format!(
            "State bootstrap: {} accounts x ${:.2} (bucket ${:.2} + lock table ${:.2}) = ~${:.2} a month, estimated",
            self.accounts,
            self.per_account_usd,
            self.bucket_monthly_usd,
            self.table_monthly_usd,
            self.total_usd
        )
    }
}
