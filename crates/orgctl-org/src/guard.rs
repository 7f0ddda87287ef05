//! The organization's policies as the evaluator sees them: for any account of the spec, the
//! SCP chain (root first, the account last) and RCP chain from what the spec attaches where,
//! compiled once.

use std::collections::HashMap;

use orgctl_eval::{CompiledPolicy, Decision, Layer, PolicySet};
use orgctl_policy::Policy;

use crate::spec::{AccountSpec, Spec, Target};
use crate::state::PolicyKind;

/// The AWS-managed full-access SCP's document.
const FULL_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Compiled policies of a spec, and the chains of its accounts.
#[derive(Debug)]
pub struct OrgPolicies<'a> {
    spec: &'a Spec,
    compiled: HashMap<String, CompiledPolicy>,
}

/// One level of a chain, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// `Root`, the OU's name or the account's.
    pub name: String,
    /// The policy names attached there.
    pub policies: Vec<String>,
}

impl<'a> OrgPolicies<'a> {
    /// Compiles every policy the spec names whose document parses.
    pub fn new(spec: &'a Spec) -> Self {
        let mut compiled = HashMap::new();
        for p in &spec.policies {
            let text = if p.aws_managed {
                if p.kind == PolicyKind::Rcp {
                    // RCPFullAWSAccess is implicit in the evaluator.
                    continue;
                }
                FULL_ACCESS.to_owned()
            } else {
                match &p.document {
                    Some((_, t)) => t.clone(),
                    None => continue,
                }
            };
            if let Ok(policy) = Policy::parse(&text) {
                compiled.insert(p.key.clone(), CompiledPolicy::new(p.name.as_str(), &policy));
            }
        }
        Self { spec, compiled }
    }

    /// The levels from the root down to the account: root, each OU, the account.
    pub fn chain(&self, account: &AccountSpec) -> Vec<Target> {
        let target = Target::Account(account.key.clone());
        let mut levels = self.spec.ancestors(&target);
        levels.push(target);
        levels
    }

    fn level_name(&self, t: &Target) -> String {
        match t {
            Target::Root | Target::Everywhere => "Root".to_owned(),
            Target::Unit(k) => self
                .spec
                .unit(k)
                .map_or_else(|| k.clone(), |u| u.name.clone()),
            Target::Account(k) => self
                .spec
                .account(k)
                .map_or_else(|| k.clone(), |a| a.name.clone()),
        }
    }

    /// The chain of `kind` for an account, level by level, with names.
    pub fn levels(&self, account: &AccountSpec, kind: PolicyKind) -> Vec<Level> {
        self.chain(account)
            .iter()
            .map(|t| Level {
                name: self.level_name(t),
                policies: self
                    .spec
                    .effective_policies(t, kind)
                    .iter()
                    .filter(|p| !(kind == PolicyKind::Rcp && p.aws_managed))
                    .map(|p| p.name.clone())
                    .collect(),
            })
            .collect()
    }

    /// The policy set of a principal in `account` whose identity policies are `identity`:
    /// the account's SCP chain (none for the management account) and RCP chain.
    pub fn policy_set(&self, account: &AccountSpec, identity: Vec<CompiledPolicy>) -> PolicySet {
        let mut set = PolicySet {
            identity,
            ..PolicySet::default()
        };
        if self.spec.is_management(account) {
            return set;
        }
        let compiled = |kind: PolicyKind| -> Vec<Vec<CompiledPolicy>> {
            self.chain(account)
                .iter()
                .map(|t| {
                    self.spec
                        .effective_policies(t, kind)
                        .iter()
                        .filter_map(|p| self.compiled.get(&p.key).cloned())
                        .collect()
                })
                .collect()
        };
        if self.spec.uses(PolicyKind::Scp) {
            set.scps = Some(compiled(PolicyKind::Scp));
        }
        if self.spec.uses(PolicyKind::Rcp) {
            set.rcps = compiled(PolicyKind::Rcp);
        }
        set
    }

    /// An identity policy allowing everything (AdministratorAccess), so that a guardrail test
    /// sees the guardrails and nothing else.
    ///
    /// # Errors
    /// Never in practice: the document is a constant.
    pub fn administrator() -> Result<CompiledPolicy, orgctl_policy::ParseErrors> {
        Ok(CompiledPolicy::new(
            "AdministratorAccess",
            &Policy::parse(FULL_ACCESS)?,
        ))
    }
}

/// The names of the policies that decided, for messages: `RegionDeny (statement
/// DenyAllOutsideUsEast1) at Root`.
pub fn deciding(set: &PolicySet, decision: &Decision, levels: &[Level]) -> Vec<String> {
    decision
        .reasons
        .iter()
        .map(|r| {
            let at = levels
                .get(usize::from(r.level))
                .map_or_else(String::new, |l| format!(" at {}", l.name));
            match set.policy(r) {
                Some(p) => {
                    let sid = r
                        .statement
                        .and_then(|i| p.statements().get(i as usize))
                        .and_then(|s| s.sid.as_ref())
                        .map(|s| format!(" statement {s}"))
                        .unwrap_or_default();
                    match r.layer {
                        Layer::Scp | Layer::Rcp => format!("{}{sid}{at}", p.name()),
                        _ => format!("{}{sid}", p.name()),
                    }
                }
                None => format!("no {} allows it{at}", r.layer.as_str().to_ascii_uppercase()),
            }
        })
        .collect()
}
