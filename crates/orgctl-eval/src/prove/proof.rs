//! Proofs that every request of a scope is denied.
//!
//! Only facts that hold for every request count: a condition is decided when its key is fixed
//! by the scope (the region, the principal's account, keys the caller fixes or rules out) or
//! cannot be carried by the action; anything else could go either way.

use crate::condition::CompiledCondition;
use crate::decide::Layer;
use crate::request::Request;
use orgctl_policy::Effect;

use super::{ActionFacts, Prover, Scope, Signature, Site};

/// Why every request is denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The layer of the deciding policy or level.
    pub layer: Layer,
    /// The level (0 for the root).
    pub level: u16,
    /// What the proof rests on.
    pub kind: ProofKind,
}

/// The two ways every request ends denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofKind {
    /// A `Deny` statement applies to every request.
    Deny {
        /// The policy's name.
        policy: String,
        /// The statement's position.
        statement: u32,
        /// Its `Sid`.
        sid: Option<String>,
        /// The conditions it has, each with the value every request gives its key (`None`:
        /// absent).
        conditions: Vec<(String, Option<String>)>,
    },
    /// No `Allow` statement at the level can apply: the SCP chain breaks there.
    NoAllow {
        /// The policies attached at the level.
        policies: Vec<String>,
    },
}

/// Whether a condition is the same for every request of the scope; `Some(holds)` then.
pub(super) fn decided(
    c: &CompiledCondition,
    scope: &Scope,
    facts: &ActionFacts<'_>,
    probe: &Request,
) -> Option<bool> {
    if c.has_variables() {
        return None;
    }
    let key = c.key();
    // Keys set by the principal or resource chosen are not fixed (but the account is).
    let derived = matches!(
        key,
        "aws:principalarn" | "aws:principaltype" | "aws:username" | "aws:resourceaccount"
    );
    let fixed = scope.fixes(key) || (!derived && !(facts.carries)(key));
    fixed.then(|| c.holds(probe))
}

/// A proof that every request is denied, if one of the two kinds is found.
pub(super) fn find(
    prover: &Prover<'_>,
    scope: &Scope,
    facts: &ActionFacts<'_>,
    sig: &Signature,
    probe: &Request,
    rcps_apply: bool,
) -> Option<Proof> {
    for site in prover.relevant(sig) {
        if site.statement.effect != Effect::Deny
            || (site.layer == Layer::Rcp && !rcps_apply)
            || !covers_every_resource(site, scope, probe)
            || site.statement.names_principals()
        {
            continue;
        }
        let conditions: Option<Vec<(String, Option<String>)>> = site
            .statement
            .conditions()
            .iter()
            .map(|c| {
                (decided(c, scope, facts, probe) == Some(true)).then(|| {
                    let value = probe
                        .value(c.key())
                        .map(|v| v.iter().collect::<Vec<_>>().join(", "));
                    (c.key().to_owned(), value)
                })
            })
            .collect();
        if let Some(conditions) = conditions {
            return Some(Proof {
                layer: site.layer,
                level: site.level,
                kind: ProofKind::Deny {
                    policy: site.policy_name.to_owned(),
                    statement: site.statement.index,
                    sid: site.statement.sid.as_deref().map(str::to_owned),
                    conditions,
                },
            });
        }
    }
    let scps = prover.set.scps.as_ref()?;
    for (level, policies) in (0u16..).zip(scps) {
        let can_allow = prover.relevant(sig).any(|s| {
            s.layer == Layer::Scp
                && s.level == level
                && s.statement.effect == Effect::Allow
                && s.statement
                    .conditions()
                    .iter()
                    .all(|c| decided(c, scope, facts, probe) != Some(false))
        });
        if !can_allow {
            return Some(Proof {
                layer: Layer::Scp,
                level,
                kind: ProofKind::NoAllow {
                    policies: policies.iter().map(|p| p.name().to_owned()).collect(),
                },
            });
        }
    }
    None
}

/// Whether the statement's resource element covers every resource of the scope: `*`, or the
/// scope's own resources when they are literal ARNs the statement matches.
fn covers_every_resource(site: &Site<'_>, scope: &Scope, probe: &Request) -> bool {
    if site.statement.any_resource() {
        return true;
    }
    let Some(resources) = &scope.resources else {
        return false;
    };
    !resources.is_empty()
        && resources.iter().all(|r| {
            !crate::glob::has_wildcard(r) && {
                let mut req = probe.clone();
                req.resource.clone_from(r);
                site.statement.matches_resource(&req)
            }
        })
}
