//! `orgctl simulate DIR --account A --action X`: one request decided against the SCP and RCP
//! chains the organization spec gives the account, explained level by level from the root.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use orgctl_eval::{Outcome, PolicySet, Request};
use orgctl_org::PolicyKind;
use orgctl_org::guard::{Level, OrgPolicies, deciding};

use super::single::{Loader, context};
use crate::cli::{Format, SimulateArgs};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

/// The default of `--principal`, replaced by `role/Admin` in the account.
const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::111122223333:role/Example";

pub fn run(args: &SimulateArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let (Some(dir), Some(name)) = (&args.dir, &args.account) else {
        return Err(anyhow!("give a spec directory and --account").into());
    };
    let action = args
        .action
        .as_deref()
        .ok_or_else(|| anyhow!("--action is required"))?;
    let spec = org::load_spec(dir, printer)?;
    let account = spec.find_account(name).ok_or_else(|| {
        let keys: Vec<&str> = spec.accounts.iter().map(|a| a.key.as_str()).collect();
        anyhow!(
            "no account `{name}` in the spec (accounts: {})",
            keys.join(", ")
        )
    })?;
    let id = spec.account_id_or_placeholder(account);

    let policies = OrgPolicies::new(&spec);
    let identity = if args.identity.is_empty() {
        vec![OrgPolicies::administrator().map_err(|e| anyhow!("{e}"))?]
    } else {
        let mut loader = Loader::default();
        let files = loader.list(&args.identity);
        if !loader.errors.is_empty() {
            return Err(CliError::Policies(loader.errors));
        }
        files.iter().map(|f| f.compiled.clone()).collect()
    };
    let set = policies.policy_set(account, identity);
    let principal = if args.principal == DEFAULT_PRINCIPAL {
        format!("arn:aws:iam::{id}:role/Admin")
    } else if args.principal.starts_with("arn:") || !args.principal.contains('/') {
        args.principal.clone()
    } else {
        format!("arn:aws:iam::{id}:{}", args.principal)
    };
    let region = args
        .region
        .clone()
        .unwrap_or_else(|| spec.organization.home_region.clone());
    let request = Request::new(
        &principal,
        action,
        &args.resource,
        args.resource_account.as_deref(),
        context(&args.context, Some(&region)),
    );
    let decision = set.decide(&request);
    let levels = policies.levels(account, PolicyKind::Scp);

    let text = match args.format {
        Format::Human => {
            let mut out = render::decision::human(&decision, &set, &request, &|_| None);
            out.push_str(&walk(&spec, account, &id, &set, &request, &levels));
            out
        }
        Format::Json => {
            let chain: Vec<serde_json::Value> = levels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let (verdict, by) = level_verdict(&set, &request, i);
                    serde_json::json!({"level": i, "name": l.name, "scps": l.policies, "verdict": verdict, "by": by})
                })
                .collect();
            let doc = serde_json::json!({
                "account": {"key": account.key, "name": account.name, "id": id},
                "principal": principal,
                "action": action,
                "resource": args.resource,
                "region": region,
                "decision": decision.outcome.as_str(),
                "decided_by": deciding(&set, &decision, &levels),
                "scp_chain": if spec.is_management(account) { serde_json::Value::Null } else { serde_json::Value::Array(chain) },
            });
            serde_json::to_string_pretty(&doc).context("writing JSON")? + "\n"
        }
    };
    let mut out = printer.stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// What one SCP level alone says about the request: `denies`, `allows` or `allows nothing`,
/// with the policies that say so.
fn level_verdict(set: &PolicySet, request: &Request, level: usize) -> (&'static str, Vec<String>) {
    let Some(policies) = set.scps.as_ref().and_then(|l| l.get(level)) else {
        return ("not applicable", Vec::new());
    };
    let alone = PolicySet {
        identity: set.identity.clone(),
        scps: Some(vec![policies.clone()]),
        ..PolicySet::default()
    };
    let decision = alone.decide(request);
    let one = [Level {
        name: String::new(),
        policies: Vec::new(),
    }];
    let by: Vec<String> = deciding(&alone, &decision, &one)
        .into_iter()
        .map(|s| s.trim_end_matches(" at ").to_owned())
        .filter(|s| !s.starts_with("AdministratorAccess"))
        .collect();
    let verdict = match decision.outcome {
        Outcome::Allow => "allows",
        Outcome::ExplicitDeny => "denies",
        Outcome::ImplicitDeny => "allows nothing",
    };
    (verdict, by)
}

/// The SCP chain, root first, each level with its policies and its verdict.
fn walk(
    spec: &orgctl_org::Spec,
    account: &orgctl_org::AccountSpec,
    id: &str,
    set: &PolicySet,
    request: &Request,
    levels: &[Level],
) -> String {
    let mut out = String::new();
    if spec.is_management(account) {
        let _ = writeln!(
            out,
            "{} ({id}) is the management account: SCPs and RCPs never apply to it.",
            account.name
        );
        return out;
    }
    let _ = writeln!(
        out,
        "SCP chain of {} ({id}), root first; every level must allow:",
        account.name
    );
    let width = levels.iter().map(|l| l.name.len()).max().unwrap_or(0);
    for (i, level) in levels.iter().enumerate() {
        let (verdict, by) = level_verdict(set, request, i);
        let by = if by.is_empty() {
            String::new()
        } else {
            format!(" ({})", by.join("; "))
        };
        let _ = writeln!(
            out,
            "  {:width$}  [{}]  {verdict}{by}",
            level.name,
            level.policies.join(", ")
        );
    }
    out
}
