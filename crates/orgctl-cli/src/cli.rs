//! The command line, as clap reads it. No behaviour lives here.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// orgctl: an AWS organization as code, with guardrails you can prove.
#[derive(Debug, Parser)]
#[command(name = "orgctl", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide an AWS request against SCPs, RCPs and IAM policies, and say why.
    Simulate(SimulateArgs),
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
