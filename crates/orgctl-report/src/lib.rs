//! The organization report (`orgctl report`, docs/report.md): one self-contained HTML page
//! with the organization chart, each account's effective guardrails, a heat map of the
//! actions the guardrails allow per account and service, the policies' lint findings, the
//! guardrail tests' results, the bootstrap status and the cost estimate.
//!
//! Pure: the caller loads the spec, reads the backend's state (or not, when nothing was
//! applied) and runs the guardrail tests; [`render`] runs the prover and the linter and
//! returns the page as a string. The page fetches nothing: styles and the chart (SVG) are
//! inline, and it reads the same without JavaScript. Every string from the spec is escaped.
//!
//! - [`chart`]: the organization chart, drawn like the strategy's diagram.
//! - [`guardrails`]: each account's SCP and RCP chains and what the prover found they deny.
//! - [`heat`]: the share of each service's actions allowed, per account and region.
//! - [`findings`]: the linter's findings on every policy of the spec.
//! - [`status`]: guardrail tests, bootstrap status and the cost estimate.

pub mod chart;
pub mod findings;
pub mod guardrails;
pub mod heat;
pub mod html;
mod page;
pub mod status;
mod style;

use orgctl_catalog::Catalog;
use orgctl_org::guardtest::TestResult;
use orgctl_org::prove::{ProveError, ProveOptions};
use orgctl_org::{Spec, State};

/// What the report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The organization spec, validated.
    pub spec: &'a Spec,
    /// The AWS catalog the prover and the linter use.
    pub catalog: &'static Catalog,
    /// What the backend reports, or `None` when the organization was never applied.
    pub state: Option<&'a State>,
    /// The backend the state comes from (`sandbox`, `aws`), for the page's words.
    pub backend: &'a str,
    /// The guardrail tests' results, or `None` when the spec has no `tests/` directory.
    pub tests: Option<&'a [TestResult]>,
    /// What to prove for the heat map and the guardrails (the whole catalog by default).
    pub prove: &'a ProveOptions,
    /// The version of orgctl, for the page's footer.
    pub version: &'a str,
}

/// Why the report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The prover could not start (an account or action the options name is unknown).
    #[error("the prover could not run: {0}")]
    Prove(#[from] ProveError),
}

/// Counts that describe a report, for the line the CLI prints after writing it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Account boxes in the chart.
    pub accounts: usize,
    /// OU boxes in the chart.
    pub units: usize,
    /// Regions with a heat map.
    pub regions: usize,
    /// Heat-map cells, every region's map together (the full tables not counted).
    pub heat_cells: usize,
    /// Lint findings, every policy together.
    pub findings: usize,
    /// Guardrail tests that passed.
    pub tests_passed: usize,
    /// Guardrail tests that failed.
    pub tests_failed: usize,
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The page: one HTML document.
    pub html: String,
    /// What it shows, counted.
    pub summary: Summary,
}

/// Runs the prover and the linter over the spec and renders the page.
///
/// # Errors
/// When the prover cannot start: an account or action pattern of `input.prove` names
/// nothing.
pub fn render(input: &ReportInput<'_>) -> Result<Report, ReportError> {
    page::render(input)
}
