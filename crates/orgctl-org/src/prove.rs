//! `orgctl prove`: for each account and region, every action of the catalog classified as
//! allowed (with a witness request the evaluator confirms), denied for every request (with
//! the reason), or unknown; and the spec's properties checked the same way.
//!
//! The prover looks at the guardrails alone: the principal's identity policies and the
//! resource's own policy are taken to allow everything within the account, so a denial always
//! comes from an SCP or RCP. Actions whose statements, keys and resource shape are the same
//! share one search; each action's witness is still decided on its own.

use std::collections::HashMap;
use std::sync::Arc;

use orgctl_catalog::{ActionRef, Catalog};
use orgctl_eval::prove::{ActionFacts, Proof, ProofKind, Prover, Scope, Signature, Verdict};
use orgctl_eval::{CompiledPolicy, Context, ContextValue, Layer, Outcome, PolicySet, Request};
use orgctl_policy::Policy;

use crate::guard::{Level, OrgPolicies};
use crate::property::{Claim, PropertySpec};
use crate::spec::{AccountSpec, Spec};
use crate::state::PolicyKind;

/// What to prove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProveOptions {
    /// Accounts by key, name or id; empty: every account.
    pub accounts: Vec<String>,
    /// Regions; empty: [`default_regions`].
    pub regions: Vec<String>,
    /// Action patterns; empty: the whole catalog.
    pub actions: Vec<String>,
    /// Candidate requests one search may decide.
    pub budget: u32,
}

impl Default for ProveOptions {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            regions: Vec::new(),
            actions: Vec::new(),
            budget: 4096,
        }
    }
}

/// Why `prove` could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ProveError {
    /// An account the options name is not in the spec.
    #[error("no account `{0}` in the spec")]
    #[diagnostic(help("name an account by its key, name or id: {1}"))]
    UnknownAccount(String, String),
    /// A built-in policy did not parse.
    #[error("a built-in policy does not parse: {0}")]
    Policy(String),
    /// An action pattern matches nothing.
    #[error("`{0}` matches no action in the catalog")]
    #[diagnostic(help("`orgctl expand PATTERN` lists what a pattern matches"))]
    UnknownAction(String),
}

/// The home region and one other: the home region shows what the guardrails allow, the
/// other what a region lock leaves.
pub fn default_regions(spec: &Spec) -> Vec<String> {
    let home = if spec.organization.home_region.is_empty() {
        "us-east-1".to_owned()
    } else {
        spec.organization.home_region.clone()
    };
    let other = if home == "us-west-2" {
        "us-east-1"
    } else {
        "us-west-2"
    };
    vec![home, other.to_owned()]
}

/// An account and region the verdicts are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The account's key in the spec.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its id (a placeholder before it exists).
    pub id: String,
    /// The region.
    pub region: String,
}

/// The answer for one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// An allowed request, confirmed by the evaluator.
    Allowed(Arc<Request>),
    /// Every request is denied.
    Denied(Arc<Denial>),
    /// Neither.
    Unknown {
        /// Candidate requests decided.
        tried: u32,
    },
}

impl Status {
    /// `allowed`, `denied` or `unknown`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Allowed(_) => "allowed",
            Self::Denied(_) => "denied",
            Self::Unknown { .. } => "unknown",
        }
    }
}

/// A proof of denial and its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The proof.
    pub proof: Proof,
    /// In words: `RegionDeny statement DenyAllOutsideUsEast1 at Root denies every request
    /// (aws:RequestedRegion is us-west-2)`.
    pub reason: String,
}

/// One action's verdict.
#[derive(Debug, Clone)]
pub struct ActionVerdict {
    /// The action.
    pub action: ActionRef<'static>,
    /// The answer.
    pub status: Status,
}

/// Every verdict for one account and region.
#[derive(Debug, Clone)]
pub struct SubjectReport {
    /// The account and region.
    pub subject: Subject,
    /// One per action, in catalog order.
    pub verdicts: Vec<ActionVerdict>,
}

impl SubjectReport {
    /// How many verdicts are allowed, denied and unknown.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for v in &self.verdicts {
            match v.status {
                Status::Allowed(_) => c.0 += 1,
                Status::Denied(_) => c.1 += 1,
                Status::Unknown { .. } => c.2 += 1,
            }
        }
        c
    }
}

/// Whether a property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyStatus {
    /// For every account, region and action it covers.
    Holds,
    /// A counterexample exists.
    Violated,
    /// Not violated, but some case is unknown.
    Unknown,
}

impl PropertyStatus {
    /// `holds`, `violated` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::Violated => "violated",
            Self::Unknown => "unknown",
        }
    }
}

/// A case that breaks a property: an allowed request where every one must be denied, or a
/// proof of denial where some request must be allowed.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The account and region.
    pub subject: Subject,
    /// The action.
    pub action: String,
    /// The request or the proof.
    pub status: Status,
}

/// A property's result.
#[derive(Debug, Clone)]
pub struct PropertyReport {
    /// The property's key.
    pub key: String,
    /// Its description.
    pub description: String,
    /// What it claims.
    pub expect: Claim,
    /// The verdict.
    pub status: PropertyStatus,
    /// Account x region x action cases checked.
    pub cases: usize,
    /// Cases that break it.
    pub violations: usize,
    /// Cases neither proven nor witnessed.
    pub unknown: usize,
    /// The first few counterexamples.
    pub counterexamples: Vec<Counterexample>,
}

/// The whole answer.
#[derive(Debug, Clone)]
pub struct ProveReport {
    /// One per account and region, accounts in spec order.
    pub subjects: Vec<SubjectReport>,
    /// One per property of the spec.
    pub properties: Vec<PropertyReport>,
}

/// How many counterexamples a property report keeps.
const COUNTEREXAMPLES: usize = 5;

/// What the prover needs of a catalog action, computed once.
pub(crate) struct ActionInfo {
    action: ActionRef<'static>,
    name: String,
    pub(crate) formats: Vec<&'static str>,
    /// A request naming the action, for signatures (only its action is read).
    pub(crate) probe: Request,
}

impl ActionInfo {
    pub(crate) fn new(action: ActionRef<'static>) -> Self {
        let name = action.full_name();
        let mut formats: Vec<&'static str> =
            action.resources().filter_map(|r| r.arn_format()).collect();
        formats.dedup();
        // The plainest resource type first (a bucket's object before an access point's): its
        // example is the one witnesses show.
        formats.sort_by_key(|f| f.matches("${").count());
        let probe = Request::new("", &name, "*", None, Context::new());
        Self {
            action,
            name,
            formats,
            probe,
        }
    }

    /// Whether the action's requests can carry `key` (lower case): global keys always, except
    /// the tag keys, which like service keys need the catalog to list them for the action or
    /// its resource types.
    fn carries(&self, key: &str) -> bool {
        const TAG_KEYS: [&str; 3] = ["aws:requesttag/", "aws:tagkeys", "aws:resourcetag/"];
        if key.starts_with("aws:") && !TAG_KEYS.iter().any(|t| key.starts_with(t)) {
            return true;
        }
        let listed = |k: &str| key_matches(k, key);
        self.action.condition_keys().any(listed)
            || self
                .action
                .resources()
                .any(|r| r.condition_keys().any(listed) || r.type_condition_keys().any(listed))
    }

    /// Example ARNs of the action's resource types in an account and region.
    fn resources(&self, partition: &str, account: &str, region: &str) -> Vec<String> {
        self.formats
            .iter()
            .map(|f| instantiate(f, partition, account, region))
            .collect()
    }
}

/// A condition key as AWS spells it (`aws:RequestedRegion` for `aws:requestedregion`), the
/// catalog permitting; tag keys keep the policy's spelling of their variable part.
pub fn key_name(catalog: &Catalog, lower: &str) -> String {
    match catalog.condition_key(lower) {
        Some(k) => match k.name.find("${") {
            Some(i) => match (k.name.get(..i), lower.get(i..)) {
                (Some(head), Some(tail)) => format!("{head}{tail}"),
                _ => lower.to_owned(),
            },
            None if k.name.eq_ignore_ascii_case(lower) => k.name.to_owned(),
            None => lower.to_owned(),
        },
        None => lower.to_owned(),
    }
}

/// Whether a catalog key (`aws:RequestTag/${TagKey}`) names `key` (lower case).
fn key_matches(catalog_key: &str, key: &str) -> bool {
    match catalog_key.find("${") {
        Some(i) => match (catalog_key.get(..i), key.get(..i)) {
            (Some(a), Some(b)) => key.len() > i && a.eq_ignore_ascii_case(b),
            _ => false,
        },
        None => catalog_key.eq_ignore_ascii_case(key),
    }
}

/// An ARN format with its placeholders filled: partition, region, account, else `example`.
pub(crate) fn instantiate(format: &str, partition: &str, account: &str, region: &str) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(open) = rest.find("${") {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 2..).unwrap_or_default();
        let close = after.find('}').unwrap_or(after.len());
        out.push_str(match after.get(..close).unwrap_or_default() {
            "Partition" => partition,
            "Region" => region,
            "Account" => account,
            _ => "example",
        });
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// What makes two actions' verdicts the same: the statements they meet, whether they carry
/// the keys those statements read, the resource shape when a statement names resources, and
/// whether RCPs govern the service.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ShareKey {
    sig: Signature,
    carries: Vec<bool>,
    resource: Option<usize>,
    has_resources: bool,
    rcp: bool,
    no_permission: bool,
}

/// A search's result, reusable by actions with the same [`ShareKey`].
#[derive(Debug, Clone)]
pub(crate) enum Shared {
    Allowed { principal: String, context: Context },
    Denied(Arc<Denial>),
    Unknown(u32),
}

/// The policies, chains and resource policy of one account, ready for questions.
pub(crate) struct AccountProver {
    catalog: &'static Catalog,
    pub(crate) set: PolicySet,
    scp_levels: Vec<Level>,
    rcp_levels: Vec<Level>,
}

impl AccountProver {
    pub(crate) fn new(
        catalog: &'static Catalog,
        policies: &OrgPolicies<'_>,
        account: &AccountSpec,
        id: &str,
        admin: CompiledPolicy,
    ) -> Self {
        let mut set = policies.policy_set(account, vec![admin]);
        // The account's own resource policies are taken to allow its principals, so that
        // keys and roles (whose policies must allow even in-account calls) show the guardrails.
        let own = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{id}:root"}},"Action":"*","Resource":"*"}}]}}"#
        );
        set.resource = Policy::parse(&own)
            .ok()
            .map(|p| CompiledPolicy::new("AccountResourcePolicy", &p));
        Self {
            catalog,
            set,
            scp_levels: policies.levels(account, PolicyKind::Scp),
            rcp_levels: policies.levels(account, PolicyKind::Rcp),
        }
    }

    pub(crate) fn explain(&self, proof: Proof) -> Denial {
        let levels = match proof.layer {
            Layer::Rcp => &self.rcp_levels,
            _ => &self.scp_levels,
        };
        let at = levels
            .get(usize::from(proof.level))
            .map_or_else(|| format!("level {}", proof.level), |l| l.name.clone());
        let layer = proof.layer.as_str().to_ascii_uppercase();
        let reason = match &proof.kind {
            ProofKind::Deny {
                policy,
                sid,
                conditions,
                ..
            } => {
                let sid = sid
                    .as_ref()
                    .map(|s| format!(" statement {s}"))
                    .unwrap_or_default();
                let facts: Vec<String> = conditions
                    .iter()
                    .map(|(k, v)| {
                        let k = key_name(self.catalog, k);
                        match v {
                            Some(v) => format!("{k} is {v}"),
                            None => format!("{k} is absent"),
                        }
                    })
                    .collect();
                let when = if facts.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", facts.join(", "))
                };
                format!("{policy}{sid} ({layer} at {at}) denies every request{when}")
            }
            ProofKind::NoAllow { policies } => format!(
                "no {layer} at {at} allows it (attached there: {})",
                if policies.is_empty() {
                    "none".to_owned()
                } else {
                    policies.join(", ")
                }
            ),
        };
        Denial { proof, reason }
    }
}

/// Proves every action the options select, for every account and region they select, and
/// checks the spec's properties.
///
/// # Errors
/// An account or action pattern that names nothing.
pub fn prove(
    spec: &Spec,
    catalog: &'static Catalog,
    options: &ProveOptions,
) -> Result<ProveReport, ProveError> {
    prove_with_progress(spec, catalog, options, &mut |_, _, _| {})
}

/// [`prove`], calling `progress(done, total, what)` before each account and region and each
/// property (`total` counts both).
///
/// # Errors
/// An account or action pattern that names nothing.
pub fn prove_with_progress(
    spec: &Spec,
    catalog: &'static Catalog,
    options: &ProveOptions,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<ProveReport, ProveError> {
    let accounts = select_accounts(spec, &options.accounts)?;
    let regions = if options.regions.is_empty() {
        default_regions(spec)
    } else {
        options.regions.clone()
    };
    let actions = select_actions(catalog, &options.actions)?;
    let policies = OrgPolicies::new(spec);
    let admin = OrgPolicies::administrator().map_err(|e| ProveError::Policy(e.to_string()))?;

    let total = accounts.len() * regions.len() + spec.properties.len();
    let mut done = 0usize;
    let mut subjects = Vec::new();
    for account in &accounts {
        let id = spec.account_id_or_placeholder(account);
        let prover = AccountProver::new(catalog, &policies, account, &id, admin.clone());
        let p = Prover::new(&prover.set);
        let sigs: Vec<Signature> = actions.iter().map(|a| p.signature(&a.probe)).collect();
        for region in &regions {
            progress(done, total, &format!("{} in {region}", account.name));
            done += 1;
            let mut scope = Scope::new(&id, region);
            scope.budget = options.budget;
            let mut shared = HashMap::new();
            let verdicts = actions
                .iter()
                .zip(&sigs)
                .enumerate()
                .map(|(i, (info, sig))| ActionVerdict {
                    action: info.action,
                    status: decide_action(&prover, &p, &scope, info, i, sig, &mut shared),
                })
                .collect();
            subjects.push(SubjectReport {
                subject: Subject {
                    key: account.key.clone(),
                    name: account.name.clone(),
                    id: id.clone(),
                    region: region.clone(),
                },
                verdicts,
            });
        }
    }
    let properties = spec
        .properties
        .iter()
        .map(|prop| {
            progress(done, total, &format!("property {}", prop.key));
            done += 1;
            check_property(
                spec,
                catalog,
                &policies,
                &admin,
                prop,
                &regions,
                options.budget,
            )
        })
        .collect();
    Ok(ProveReport {
        subjects,
        properties,
    })
}

fn select_accounts<'s>(
    spec: &'s Spec,
    names: &[String],
) -> Result<Vec<&'s AccountSpec>, ProveError> {
    if names.is_empty() {
        return Ok(spec.accounts.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            spec.find_account(n).ok_or_else(|| {
                let keys: Vec<&str> = spec.accounts.iter().map(|a| a.key.as_str()).collect();
                ProveError::UnknownAccount(n.clone(), keys.join(", "))
            })
        })
        .collect()
}

fn select_actions(
    catalog: &'static Catalog,
    patterns: &[String],
) -> Result<Vec<ActionInfo>, ProveError> {
    if patterns.is_empty() {
        return Ok(catalog.actions().map(ActionInfo::new).collect());
    }
    let mut names = std::collections::BTreeSet::new();
    for p in patterns {
        let found = catalog.expand(p);
        if found.is_empty() {
            return Err(ProveError::UnknownAction(p.clone()));
        }
        names.extend(found.iter().map(ActionRef::full_name));
    }
    Ok(catalog
        .actions()
        .filter(|a| names.contains(&a.full_name()))
        .map(ActionInfo::new)
        .collect())
}

/// One action's verdict, sharing the search with actions alike.
fn decide_action(
    prover: &AccountProver,
    p: &Prover<'_>,
    scope: &Scope,
    info: &ActionInfo,
    index: usize,
    sig: &Signature,
    shared: &mut HashMap<ShareKey, Shared>,
) -> Status {
    let service = info.action.service().prefix();
    let key = ShareKey {
        sig: sig.clone(),
        carries: p.keys(sig).map(|k| info.carries(k)).collect(),
        resource: p.resource_sensitive(sig).then_some(index),
        has_resources: !info.formats.is_empty(),
        rcp: orgctl_eval::RCP_SERVICES.binary_search(&service).is_ok(),
        no_permission: orgctl_eval::NEEDS_NO_PERMISSION
            .contains(&info.name.to_ascii_lowercase().as_str()),
    };
    let first_resource = info.formats.first().map_or_else(
        || "*".to_owned(),
        |f| instantiate(f, &scope.partition, &scope.account_id, &scope.region),
    );
    match shared.get(&key) {
        Some(Shared::Allowed { principal, context }) => {
            let req = Request::new(
                principal,
                &info.name,
                &first_resource,
                None,
                context.clone(),
            );
            if prover.set.decide(&req).outcome == Outcome::Allow {
                return Status::Allowed(Arc::new(req));
            }
        }
        Some(Shared::Denied(d)) => return Status::Denied(Arc::clone(d)),
        Some(Shared::Unknown(tried)) => return Status::Unknown { tried: *tried },
        None => {}
    }
    let (status, share) = full_search(prover, p, scope, info, sig);
    shared.entry(key).or_insert(share);
    status
}

/// A search for one action on its own.
pub(crate) fn full_search(
    prover: &AccountProver,
    p: &Prover<'_>,
    scope: &Scope,
    info: &ActionInfo,
    sig: &Signature,
) -> (Status, Shared) {
    let resources = if scope.resources.is_some() {
        Vec::new()
    } else {
        info.resources(&scope.partition, &scope.account_id, &scope.region)
    };
    let carries = |k: &str| info.carries(k);
    let facts = ActionFacts {
        action: &info.name,
        resources: &resources,
        formats: &info.formats,
        carries: &carries,
    };
    match p.prove(scope, &facts, sig) {
        Verdict::Allowed(w) => {
            let share = Shared::Allowed {
                principal: w.request.principal.arn.clone(),
                context: w.request.context.clone(),
            };
            (Status::Allowed(Arc::new(w.request)), share)
        }
        Verdict::Denied(proof) => {
            let d = Arc::new(prover.explain(proof));
            (Status::Denied(Arc::clone(&d)), Shared::Denied(d))
        }
        Verdict::Unknown { tried } => (Status::Unknown { tried }, Shared::Unknown(tried)),
    }
}

/// Checks one property over its accounts, regions and actions.
fn check_property(
    spec: &Spec,
    catalog: &'static Catalog,
    policies: &OrgPolicies<'_>,
    admin: &CompiledPolicy,
    prop: &PropertySpec,
    regions: &[String],
    budget: u32,
) -> PropertyReport {
    let excluded: std::collections::BTreeSet<String> = prop
        .not_actions
        .iter()
        .flat_map(|(p, _)| catalog.expand(p))
        .map(|a| a.full_name())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let actions: Vec<ActionInfo> = prop
        .actions
        .iter()
        .flat_map(|(p, _)| catalog.expand(p))
        .filter(|a| {
            let name = a.full_name();
            !excluded.contains(&name) && seen.insert(name)
        })
        .map(ActionInfo::new)
        .collect();
    let regions = if prop.regions.is_empty() {
        regions.to_vec()
    } else {
        prop.regions.clone()
    };
    let mut report = PropertyReport {
        key: prop.key.clone(),
        description: prop.description.clone(),
        expect: prop.expect,
        status: PropertyStatus::Holds,
        cases: 0,
        violations: 0,
        unknown: 0,
        counterexamples: Vec::new(),
    };
    for account in prop.covered(spec) {
        let id = spec.account_id_or_placeholder(account);
        let prover = AccountProver::new(catalog, policies, account, &id, admin.clone());
        let p = Prover::new(&prover.set);
        let sigs: Vec<Signature> = actions.iter().map(|a| p.signature(&a.probe)).collect();
        for region in &regions {
            let mut scope = Scope::new(&id, region);
            scope.budget = budget;
            for (k, v) in &prop.context {
                scope.fixed.insert(k, ContextValue::Single(v.clone()));
            }
            scope.absent = prop.absent.iter().map(|k| k.to_ascii_lowercase()).collect();
            if !prop.resources.is_empty() {
                scope.resources = Some(
                    prop.resources
                        .iter()
                        .map(|r| r.replace("${Account}", &id).replace("${Region}", region))
                        .collect(),
                );
            }
            let mut shared = HashMap::new();
            for (i, (info, sig)) in actions.iter().zip(&sigs).enumerate() {
                let status = decide_action(&prover, &p, &scope, info, i, sig, &mut shared);
                report.cases += 1;
                let broken = match (&status, prop.expect) {
                    (Status::Allowed(_), Claim::Deny) | (Status::Denied(_), Claim::Allow) => true,
                    (Status::Unknown { .. }, _) => {
                        report.unknown += 1;
                        false
                    }
                    _ => false,
                };
                if broken {
                    report.violations += 1;
                    if report.counterexamples.len() < COUNTEREXAMPLES {
                        report.counterexamples.push(Counterexample {
                            subject: Subject {
                                key: account.key.clone(),
                                name: account.name.clone(),
                                id: id.clone(),
                                region: region.clone(),
                            },
                            action: info.name.clone(),
                            status,
                        });
                    }
                }
            }
        }
    }
    report.status = if report.violations > 0 {
        PropertyStatus::Violated
    } else if report.unknown > 0 {
        PropertyStatus::Unknown
    } else {
        PropertyStatus::Holds
    };
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fill_their_placeholders() {
        assert_eq!(
            instantiate(
                "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
                "aws",
                "111122223333",
                "eu-west-1"
            ),
            "arn:aws:ec2:eu-west-1:111122223333:instance/example"
        );
    }

    #[test]
    fn catalog_keys_with_variables_name_their_family() {
        assert!(key_matches(
            "aws:RequestTag/${TagKey}",
            "aws:requesttag/env"
        ));
        assert!(!key_matches("aws:RequestTag/${TagKey}", "aws:requesttag/"));
        assert!(key_matches("s3:x-amz-acl", "s3:x-amz-acl"));
        assert!(!key_matches("s3:x-amz-acl", "s3:x-amz-acl-x"));
    }
}
