//! The command line, as clap reads it. No behaviour lives here.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version line: the tool's version and the catalog data it embeds.
pub fn long_version() -> String {
    format!(
        "{} (AWS catalog: {})",
        env!("CARGO_PKG_VERSION"),
        orgctl_catalog::data_source_line()
    )
}

/// orgctl: an AWS organization as code, with guardrails you can prove.
#[derive(Debug, Parser)]
#[command(name = "orgctl", version)]
pub struct Cli {
    /// No progress and no notes on stderr: only results (stdout) and errors.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide an AWS request against SCPs, RCPs and IAM policies, and say why.
    Simulate(Box<SimulateArgs>),
    /// Replay CloudTrail logs against the spec's policies, or proposed ones: which past calls
    /// they would (newly) deny.
    Replay(ReplayArgs),
    /// Check policies for errors, security problems and guardrails that break organizations.
    Lint(LintArgs),
    /// List the AWS actions an action pattern matches, with their access levels.
    Expand(ExpandArgs),
    /// Check the organization spec and every policy it names; report every problem at once.
    Validate(ValidateArgs),
    /// Draw the organization: OUs, accounts, SCPs per node and each account's SCP chain.
    Show(ShowArgs),
    /// Compare the spec with the backend and print the changes apply would make.
    Plan(PlanArgs),
    /// Audit drift, the security of every Terraform state bucket and lock table, and which
    /// other accounts' state each account's credentials reach (per-account against centralized).
    Audit(AuditArgs),
    /// Make the changes: plan, then apply them in order, journaled and resumable.
    Apply(ApplyArgs),
    /// Create or repair accounts' Terraform state bucket and lock table, and their
    /// infrastructure-live configuration.
    Bootstrap(BootstrapArgs),
    /// Vend accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Write the spec of an existing organization: a plan right after shows no changes.
    Import(ImportArgs),
    /// Run the guardrail tests in the spec directory's `tests/` against its policies.
    Test(TestArgs),
    /// For each account and region, every catalog action allowed (with a witness), denied for
    /// every request (with the reason) or unknown; and the spec's properties checked.
    #[command(after_help = PROVE_AFTER_HELP)]
    Prove(ProveArgs),
    /// Write a new organization spec with example policies, guardrail tests and properties.
    #[command(after_help = crate::help::INIT)]
    Init(InitArgs),
    /// Print the shell completion script.
    #[command(after_help = crate::help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page, or write one page per command to a directory.
    #[command(after_help = crate::help::MAN)]
    Man(ManArgs),
    /// Write one self-contained HTML report: organization chart, effective guardrails, heat
    /// map of allowed actions, lint findings, test results, bootstrap status and cost.
    #[command(after_help = REPORT_AFTER_HELP)]
    Report(ReportArgs),
}

/// Output formats of `orgctl test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per test, failures explained.
    Human,
    /// Every result as JSON.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// `orgctl completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

/// `orgctl man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `orgctl.1` and a page per command (`orgctl-plan.1`, ...) to this directory
    /// instead of printing `orgctl.1`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `orgctl init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to write (created if missing; must not hold a spec).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The organization's name (default: the directory's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The management account's 12-digit id.
    #[arg(long, value_name = "ID", default_value = "111111111111")]
    pub management_account_id: String,

    /// The domain of the accounts' root email addresses (`aws-<account>@DOMAIN`).
    #[arg(long, value_name = "DOMAIN", default_value = "example.com")]
    pub email_domain: String,

    /// The home region, the one region the example region lock allows.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    pub region: String,
}

/// `orgctl test`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::TEST)]
pub struct TestArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
}

/// `orgctl prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Only this account (key, name or id); repeat for more. Default: every account.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Vec<String>,

    /// Only this region; repeat for more. Default: the home region and one other.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,

    /// Only actions matching this pattern (`s3:*`); repeat for more. Default: the catalog.
    #[arg(long, value_name = "PATTERN")]
    pub action: Vec<String>,

    /// Candidate requests one witness search may decide before answering unknown.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub budget: u32,

    /// List every action of each group, not the first few.
    #[arg(long)]
    pub all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

const PROVE_AFTER_HELP: &str = "\
Examples:
  orgctl prove examples/docustack
  orgctl prove examples/docustack --account production --region eu-west-1
  orgctl prove examples/docustack --action 's3:*' --format json

Exit status: 0 when every property of the spec holds or is unknown, 1 when one is violated
or on an error. docs/prove.md explains verdicts, properties and the JSON schema.";

/// `orgctl report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// The backend whose state the bootstrap section shows.
    #[command(flatten)]
    pub target: BackendArgs,
}

const REPORT_AFTER_HELP: &str = "\
Examples:
  orgctl report examples/docustack --out report.html
  orgctl report examples/docustack --out report.html --backend aws --profile management

The page is one file with inline styles and SVG: it fetches nothing and reads the same
without JavaScript. The bootstrap section shows the backend's state (only read; a sandbox
that does not exist is reported as not applied), the heat map and the guardrails come from
`orgctl prove` over the whole catalog, the findings from `orgctl lint` and the results
from `orgctl test`. Exit status: 0 once the file is written, 1 on an error. docs/report.md
describes each part.";

/// `orgctl import`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::IMPORT)]
pub struct ImportArgs {
    /// The new spec directory (must not hold a spec yet).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Where the organization is.
    #[command(flatten)]
    pub target: BackendArgs,

    /// With the sandbox backend: the spec directory whose sandbox to import.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub from: PathBuf,

    /// The organization's name in the spec.
    #[arg(long, value_name = "NAME", default_value = "organization")]
    pub name: String,

    /// The home region to write.
    #[arg(
        long = "home-region",
        value_name = "REGION",
        default_value = "us-east-1"
    )]
    pub home_region: String,
}

/// `orgctl account ...`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account end to end: create and wait, move to its OU, quarantine, verify the
    /// access role reaches it, bootstrap its state, write its infrastructure-live files, lift
    /// the quarantine, add it to the spec. A rerun after a crash finishes the job.
    Create(AccountCreateArgs),
}

/// `orgctl account create`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::ACCOUNT_CREATE)]
pub struct AccountCreateArgs {
    /// The account's name.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Its OU: a unit's key or name in the spec.
    #[arg(long, value_name = "OU")]
    pub ou: String,

    /// Its root user's email address.
    #[arg(long, value_name = "EMAIL")]
    pub email: String,

    /// The spec directory.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The backend.
    #[command(flatten)]
    pub target: BackendArgs,
}

/// `orgctl bootstrap`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::BOOTSTRAP)]
pub struct BootstrapArgs {
    /// Accounts to bootstrap, by spec key, name or id (all accounts when none is given).
    #[arg(value_name = "ACCOUNT")]
    pub accounts: Vec<String>,

    /// The spec directory.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The backend.
    #[command(flatten)]
    pub target: BackendArgs,

    /// Repair drifted buckets and tables without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `orgctl validate`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::VALIDATE)]
pub struct ValidateArgs {
    /// The spec directory (its top-level `*.hcl` files).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Output formats of `orgctl show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// A text tree, like the strategy's diagram.
    Tree,
    /// The tree as JSON.
    Json,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// `orgctl show`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::SHOW)]
pub struct ShowArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Tree)]
    pub format: ShowFormat,
}

/// Where the organization lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The embedded sandbox: a SQLite file in the spec directory's `.orgctl/`.
    Sandbox,
    /// AWS, through the official SDK, with the standard credential chain.
    Aws,
}

/// The backend and, for AWS, how to reach it (the AWS CLI's options).
#[derive(Debug, Clone, Args)]
pub struct BackendArgs {
    /// Where the organization lives.
    #[arg(long, value_enum, default_value_t = BackendArg::Sandbox, help_heading = "Backend")]
    pub backend: BackendArg,

    /// AWS: the shared-config profile to use (as `aws --profile`).
    #[arg(long, value_name = "PROFILE", help_heading = "Backend")]
    pub profile: Option<String>,

    /// AWS: the region of regional calls (default: the profile's, else the spec's home region).
    #[arg(long, value_name = "REGION", help_heading = "Backend")]
    pub region: Option<String>,

    /// AWS: send every call to this endpoint (an emulator such as moto).
    #[arg(long = "endpoint-url", value_name = "URL", help_heading = "Backend")]
    pub endpoint_url: Option<String>,
}

/// `orgctl plan`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::PLAN)]
pub struct PlanArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The backend to plan against.
    #[command(flatten)]
    pub target: BackendArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also save the plan to this file, for `orgctl apply --plan FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The lockout guard's override.
    #[command(flatten)]
    pub lockout: LockoutArgs,
}

/// The lockout guard's override, for `plan` and `apply`.
#[derive(Debug, Args)]
pub struct LockoutArgs {
    /// Go on with a plan that closes the access role's, the management account's or a
    /// delegated administrator's path (the guard refuses it otherwise); needs --reason.
    #[arg(long, requires = "reason")]
    pub force_lockout: bool,

    /// Why the lockout is meant; printed with the lockouts.
    #[arg(long, value_name = "TEXT", requires = "force_lockout")]
    pub reason: Option<String>,
}

const AUDIT_AFTER_HELP: &str = "\
Examples:
  orgctl audit examples/docustack
  orgctl audit examples/docustack --format json
  orgctl audit examples/docustack --central-account audit

Checks: drift between the spec and the backend; every state bucket and lock table
(owner, encryption, versioning, public access block, TLS only, same-account access);
and, for each account's administrator credentials, which other accounts' Terraform
state can be read or written, per-account next to a centralized variant of the same
organization. The backend is only read. docs/audit.md describes each check, the AWS
facts used and the JSON schema.

Exit status:
  0  no drift, and no finding of warning or critical severity
  4  drift, or a warning or critical finding
  1  error";

/// `orgctl audit`.
#[derive(Debug, Args)]
#[command(after_help = AUDIT_AFTER_HELP)]
pub struct AuditArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The backend to audit.
    #[command(flatten)]
    pub target: BackendArgs,

    /// The account that holds every account's state in the centralized variant (key, name
    /// or id) [default: the management account].
    #[arg(long = "central-account", value_name = "ACCOUNT")]
    pub central_account: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
    pub format: AuditFormat,
}

/// Output formats of `orgctl audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Drift, state storage, findings and the blast radius as text, readable without colour.
    Human,
    /// The whole report as one JSON object (docs/audit.md has its schema).
    Json,
}

/// `orgctl apply`.
#[derive(Debug, Args)]
#[command(after_help = crate::help::APPLY)]
pub struct ApplyArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The backend to apply to.
    #[command(flatten)]
    pub target: BackendArgs,

    /// Apply this saved plan instead of planning afresh; refused if the organization changed
    /// since it was made.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Allow deleting policies and OUs the spec no longer declares.
    #[arg(long)]
    pub allow_destroy: bool,

    /// Do not ask for confirmation (the sandbox never asks).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// The lockout guard's override.
    #[command(flatten)]
    pub lockout: LockoutArgs,
}

/// Output formats of `orgctl lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Each finding with its source line underlined, then a summary.
    Human,
    /// One JSON document with every file's findings and a summary.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// The kind of policy linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyTypeArg {
    /// Attached to a user, group or role (or a permissions boundary).
    Identity,
    /// Attached to a resource: bucket, key, queue, role trust policy.
    Resource,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
}

/// Finding types, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on security warnings and errors.
    SecurityWarning,
    /// Fail on warnings, security warnings and errors.
    Warning,
    /// Fail on any finding.
    Suggestion,
    /// Never fail because of findings.
    Never,
}

/// The SCP language to check against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// Since 19 September 2025: the full IAM language except `Principal`.
    Current,
    /// Before: `Condition`, `NotAction` and specific resources only in `Deny`, no `NotResource`.
    Legacy,
}

/// Organization quotas to check against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LimitsArg {
    /// 10,240 characters per SCP/RCP, 10 per target.
    Current,
    /// 5,120 characters per SCP/RCP, 5 per target.
    Legacy,
}

const LINT_AFTER_HELP: &str = "\
Examples:
  orgctl lint --type scp examples/docustack/policies
  orgctl lint --type identity --format sarif policies/ > orgctl.sarif
  orgctl lint --type scp --scp-dialect legacy --limits legacy old-scps/*.json
  orgctl lint --scp policies/scps --rcp policies/rcps --resource policies/buckets
  orgctl lint --explain region-deny

Directories are searched for *.json files. --identity, --resource, --scp and --rcp
lint policies of several types in one run, reported after the PATH arguments. Findings follow IAM Access Analyzer: type
(ERROR, SECURITY_WARNING, WARNING, SUGGESTION), issue code, message, hint, and the
file:line:column of the element.

Exit status:
  0  no finding reaches --fail-on (default: error)
  1  some finding does
  2  usage error or unreadable file";

/// Arguments of `orgctl lint`.
#[derive(Debug, Args)]
#[command(after_help = LINT_AFTER_HELP)]
pub struct LintArgs {
    /// Policy files, or directories to search for *.json files.
    #[arg(
        value_name = "PATH",
        required_unless_present_any = ["explain", "identity_paths", "resource_paths", "scp_paths", "rcp_paths"]
    )]
    pub paths: Vec<PathBuf>,

    /// The kind of policy the PATH arguments hold.
    #[arg(long = "type", value_name = "TYPE", value_enum, default_value_t = PolicyTypeArg::Identity)]
    pub policy_type: PolicyTypeArg,

    /// Identity policies to lint with the others, whatever --type says (repeatable).
    #[arg(
        long = "identity",
        value_name = "PATH",
        help_heading = "Policies of other types"
    )]
    pub identity_paths: Vec<PathBuf>,

    /// Resource policies to lint with the others (repeatable).
    #[arg(
        long = "resource",
        value_name = "PATH",
        help_heading = "Policies of other types"
    )]
    pub resource_paths: Vec<PathBuf>,

    /// Service control policies to lint with the others (repeatable).
    #[arg(
        long = "scp",
        value_name = "PATH",
        help_heading = "Policies of other types"
    )]
    pub scp_paths: Vec<PathBuf>,

    /// Resource control policies to lint with the others (repeatable).
    #[arg(
        long = "rcp",
        value_name = "PATH",
        help_heading = "Policies of other types"
    )]
    pub rcp_paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,

    /// The least serious finding type that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// The SCP language in force.
    #[arg(long, value_enum, default_value_t = DialectArg::Current)]
    pub scp_dialect: DialectArg,

    /// The Organizations quotas in force.
    #[arg(long, value_enum, default_value_t = LimitsArg::Current)]
    pub limits: LimitsArg,

    /// A role guardrails must never lock out (repeatable); OrganizationAccountAccessRole is
    /// always protected.
    #[arg(long = "protect-role", value_name = "NAME")]
    pub protect_roles: Vec<String>,

    /// Print a rule's documentation (or the list of rules with `all`) and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

const EXPAND_AFTER_HELP: &str = "\
Examples:
  orgctl expand 's3:Put*'
  orgctl expand '*:Delete*' --format json

Patterns match like IAM actions: without regard to case, `*` for any run of
characters, `?` for one.";

/// Arguments of `orgctl expand`.
#[derive(Debug, Args)]
#[command(after_help = EXPAND_AFTER_HELP)]
pub struct ExpandArgs {
    /// Action patterns such as `s3:Put*` or `*:Delete*`.
    #[arg(value_name = "PATTERN", required = true)]
    pub patterns: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Output formats for a single decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The decision and the statements (or missing allows) that decided it.
    Human,
    /// The batch output object, pretty-printed.
    Json,
}

const SIMULATE_AFTER_HELP: &str = "\
Examples:
  orgctl simulate --action ec2:RunInstances --scp FullAWSAccess.json,RegionDeny.json --region eu-west-1
  orgctl simulate examples/docustack --account production --action s3:PutObject --resource 'arn:aws:s3:::b/k'
  orgctl simulate --batch requests.jsonl --policies examples/docustack/policies

Context values:
  --context k=v sets a condition key. Repeating a key makes it multivalued
  (--context aws:TagKeys=a --context aws:TagKeys=b); `k=` sets the empty string.
  Keys are compared without regard to case. --region R is short for
  --context aws:RequestedRegion=R, unless --context sets that key. Multivalued
  keys with one value or none, numbers and booleans as JSON types: use --batch.

Policies:
  Each --scp (or --rcp) occurrence is one level of the organization, root first;
  the comma-separated files in it are the policies attached at that level. Without
  --scp no SCP applies (as for the management account). A policy's name in the
  output is its file stem. A file that is not a valid policy is reported with every
  problem at file:line:column, and nothing is decided.

Batch mode:
  --batch FILE.jsonl (or - for stdin) reads one request per line in the format of
  oracles/README.md and writes one JSON line per non-blank input line, in input
  order: {\"id\",\"decision\",\"decisive\"} or {\"id\",\"error\"}. A policy given by
  name is read from DIR/NAME.json (--policies DIR), once.

Exit status:
  0  a decision was produced (whatever it is); in batch mode, for every line
  1  batch mode: at least one line could not be read (its output line says why)
  2  usage error, unreadable file or invalid policy";

/// Arguments of `orgctl simulate`.
#[derive(Debug, Args)]
#[command(after_help = SIMULATE_AFTER_HELP)]
pub struct SimulateArgs {
    /// A spec directory: the SCP and RCP chains come from the organization it declares (with
    /// `--account`).
    #[arg(
        value_name = "DIR",
        requires = "account",
        help_heading = "Organization"
    )]
    pub dir: Option<PathBuf>,

    /// The account the request is made in: its key, name or id in the spec. The principal
    /// defaults to `role/Admin` there, with an identity policy allowing everything unless
    /// `--identity` is given.
    #[arg(
        long,
        value_name = "ACCOUNT",
        requires = "dir",
        help_heading = "Organization"
    )]
    pub account: Option<String>,

    /// The principal making the request: an IAM ARN, an account id, a service
    /// principal or `anonymous`.
    #[arg(
        long,
        value_name = "ARN",
        default_value = "arn:aws:iam::111122223333:role/Example",
        help_heading = "Request"
    )]
    pub principal: String,

    /// The action, such as `s3:GetObject`.
    #[arg(
        long,
        value_name = "ACTION",
        required_unless_present = "batch",
        help_heading = "Request"
    )]
    pub action: Option<String>,

    /// The resource ARN.
    #[arg(
        long,
        value_name = "ARN",
        default_value = "*",
        help_heading = "Request"
    )]
    pub resource: String,

    /// The account that owns the resource [default: from the resource ARN, else the
    /// principal's account].
    #[arg(long, value_name = "ID", help_heading = "Request")]
    pub resource_account: Option<String>,

    /// The region the request is made in: shorthand for `--context
    /// aws:RequestedRegion=REGION` (a `--context` for that key wins).
    #[arg(long, value_name = "REGION", help_heading = "Request")]
    pub region: Option<String>,

    /// A condition key and its value; repeat a key to make it multivalued.
    #[arg(
        long = "context",
        value_name = "KEY=VALUE",
        value_parser = parse_context,
        help_heading = "Request"
    )]
    pub context: Vec<(String, String)>,

    /// One SCP level, root first: the policy files attached at that level.
    #[arg(
        long = "scp",
        value_name = "FILE[,FILE...]",
        value_parser = parse_level,
        help_heading = "Policies"
    )]
    pub scps: Vec<Level>,

    /// One RCP level of the resource's account, root first (`RCPFullAWSAccess` is
    /// implied at every level).
    #[arg(
        long = "rcp",
        value_name = "FILE[,FILE...]",
        value_parser = parse_level,
        help_heading = "Policies"
    )]
    pub rcps: Vec<Level>,

    /// An identity-based policy of the principal.
    #[arg(long = "identity", value_name = "FILE", help_heading = "Policies")]
    pub identity: Vec<PathBuf>,

    /// The resource-based policy.
    #[arg(long, value_name = "FILE", help_heading = "Policies")]
    pub resource_policy: Option<PathBuf>,

    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE", help_heading = "Policies")]
    pub permissions_boundary: Option<PathBuf>,

    /// The session policy.
    #[arg(long, value_name = "FILE", help_heading = "Policies")]
    pub session_policy: Option<PathBuf>,

    /// Output format of a single decision (batch output is always JSON Lines).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Decide every request of a JSON Lines file (`-` for stdin) instead of one
    /// request from flags.
    #[arg(
        long,
        value_name = "FILE.jsonl",
        help_heading = "Batch",
        conflicts_with_all = [
            "principal", "action", "resource", "resource_account", "region", "context", "scps", "rcps", "identity",
            "resource_policy", "permissions_boundary", "session_policy",
        ]
    )]
    pub batch: Option<PathBuf>,

    /// Where batch lines find policies given by name: DIR/NAME.json.
    #[arg(long, value_name = "DIR", requires = "batch", help_heading = "Batch")]
    pub policies: Option<PathBuf>,

    /// Worker threads for batch mode [default: one per core].
    #[arg(long, value_name = "N", requires = "batch", help_heading = "Batch")]
    pub jobs: Option<NonZeroUsize>,
}

const REPLAY_AFTER_HELP: &str = "\
Examples:
  orgctl replay examples/docustack --logs AWSLogs/ --account dev
  orgctl replay examples/docustack --logs trail.jsonl.gz --proposed new-scps/ --format json

Logs: CloudTrail files (a JSON object with \"Records\", or one record per line),
gzip-compressed or not; directories are searched recursively for *.json, *.jsonl
and *.gz. Each event's IAM action comes from its eventSource and eventName; the
request gets its region, principal, source IP, MFA, time and resource from the
record. docs/replay.md has the rules and the JSON schema.

Proposed: a spec directory (with *.hcl files), or a policy JSON file or a
directory of them; each replaces the spec policy whose name or file stem it
bears, or is added as an SCP attached at the root.

Exit status:
  0  no call is newly denied (without --proposed: no call is denied)
  3  some calls would be newly denied (without --proposed: are denied)
  1  error, or a log file could not be read";

/// Output formats of `orgctl replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// The denied calls account by account, then the counts.
    Human,
    /// The whole report as one JSON object (schema in docs/replay.md).
    Json,
}

/// Arguments of `orgctl replay`.
#[derive(Debug, Args)]
#[command(after_help = REPLAY_AFTER_HELP)]
pub struct ReplayArgs {
    /// The spec directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// CloudTrail log files, or directories to search recursively.
    #[arg(long, value_name = "PATH", required = true, num_args = 1..)]
    pub logs: Vec<PathBuf>,

    /// Proposed policies: a spec directory, a policy file, or a directory of policy files.
    #[arg(long, value_name = "FILE-or-DIR")]
    pub proposed: Option<PathBuf>,

    /// Replay every event as if its principal were in this account (key, name or id);
    /// without it, events of accounts the spec does not list are skipped.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,

    /// The organization id, for `aws:PrincipalOrgID`.
    #[arg(long = "org-id", value_name = "ID")]
    pub org_id: Option<String>,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Human)]
    pub format: ReplayFormat,
}

/// The policy files attached at one SCP or RCP level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level(pub Vec<PathBuf>);

fn parse_level(s: &str) -> Result<Level, String> {
    let files: Vec<PathBuf> = s
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        return Err("expected at least one policy file".to_owned());
    }
    Ok(Level(files))
}

fn parse_context(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, _)) if key.trim().is_empty() => Err("the key before `=` is empty".to_owned()),
        Some((key, value)) => Ok((key.trim().to_owned(), value.to_owned())),
        None => Err(format!("expected KEY=VALUE, found `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn levels_and_context() {
        assert_eq!(
            parse_level("a.json, b.json,").unwrap(),
            Level(vec!["a.json".into(), "b.json".into()])
        );
        assert!(parse_level(",").is_err());
        assert_eq!(
            parse_context("k=a=b").unwrap(),
            ("k".to_owned(), "a=b".to_owned())
        );
        assert_eq!(
            parse_context("k=").unwrap(),
            ("k".to_owned(), String::new())
        );
        assert!(parse_context("k").is_err());
        assert!(parse_context("=v").is_err());
    }
}
