//! Exhaustive questions about guardrails: can *any* request for an action be allowed in an
//! account and region, or is every one denied?
//!
//! A [`Prover`] looks at the SCP and RCP statements of one [`PolicySet`] that can apply to an
//! action and answers with a [`Verdict`]:
//!
//! - [`Verdict::Allowed`] with a witness: a concrete request that [`PolicySet::decide`]
//!   allowed. The search builds candidate requests from the values the policies compare
//!   with, so the witness is never a guess.
//! - [`Verdict::Denied`] with a proof: a `Deny` statement that applies to every request of
//!   the scope (its action matches, its resource is `*`, and each of its conditions is decided
//!   true by keys the scope fixes or the action cannot carry), or an SCP level where no `Allow`
//!   statement can apply.
//! - [`Verdict::Unknown`] when neither a proof nor, within the search budget, a witness is
//!   found.
//!
//! The request space is: principals of the scope's account (any role, user or root), the
//! action, the example resources the caller gives (the action's resource types in the
//! account and region, or `*`), and any values of the condition keys the action can carry,
//! with the scope's fixed keys (the region at least) held.

mod candidates;
mod proof;

use smallvec::SmallVec;

use crate::compile::CompiledStatement;
use crate::decide::{Layer, Outcome, PolicySet, RCP_SERVICES};
use crate::request::{Context, ContextValue, Request};

pub use proof::{Proof, ProofKind};

/// The requests a question ranges over, beyond the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The principal's account (and the resources').
    pub account_id: String,
    /// `aws`, or another partition.
    pub partition: String,
    /// The region every request is made in (`aws:RequestedRegion`).
    pub region: String,
    /// Keys every request carries with these values, beyond the region.
    pub fixed: Context,
    /// Keys (lower case) no request carries.
    pub absent: Vec<String>,
    /// When set, only these resources (ARNs, possibly with wildcards that any value may
    /// fill); else the action's example resources.
    pub resources: Option<Vec<String>>,
    /// When set, the one principal every request comes from (an ARN); else any principal of
    /// the account.
    pub principal: Option<String>,
    /// How many decisions a witness search may make.
    pub budget: u32,
}

impl Scope {
    /// A scope over every request of `account_id` in `region`, with the default budget.
    pub fn new(account_id: &str, region: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            partition: "aws".to_owned(),
            region: region.to_owned(),
            fixed: Context::new(),
            absent: Vec::new(),
            resources: None,
            principal: None,
            budget: 4096,
        }
    }

    /// Whether a key's value is the same in every request of the scope.
    fn fixes(&self, key_lower: &str) -> bool {
        key_lower == "aws:requestedregion"
            || key_lower == "aws:principalaccount"
            || (self.principal.is_some()
                && matches!(
                    key_lower,
                    "aws:principalarn" | "aws:principaltype" | "aws:username"
                ))
            || self.fixed.get(key_lower).is_some()
            || self.absent.iter().any(|k| k == key_lower)
    }

    /// The context every request starts from: the region and the fixed keys.
    fn base_context(&self) -> Context {
        let mut ctx = Context::with_capacity(self.fixed.len() + 6);
        ctx.insert(
            "aws:RequestedRegion",
            ContextValue::Single(self.region.clone()),
        );
        for (k, v) in self.fixed.iter() {
            ctx.insert(k, v.clone());
        }
        ctx
    }

    /// The principal a search starts with: the scope's, else a session of a role in the
    /// account.
    fn default_principal(&self) -> String {
        if let Some(p) = &self.principal {
            return p.clone();
        }
        format!(
            "arn:{}:sts::{}:assumed-role/Admin/orgctl-prove",
            self.partition, self.account_id
        )
    }
}

/// What the caller knows of an action, from the catalog.
pub struct ActionFacts<'a> {
    /// `service:Name`.
    pub action: &'a str,
    /// Example ARNs of the action's resource types in the scope's account and region; empty
    /// for an action without resource types (its requests name `*`).
    pub resources: &'a [String],
    /// The ARN formats of the action's resource types (`${...}` placeholders), to tell which
    /// resources named by policies the action can act on.
    pub formats: &'a [&'a str],
    /// Whether the action's requests can carry a condition key (given in lower case). Keys an
    /// action cannot carry are absent from every request.
    pub carries: &'a dyn Fn(&str) -> bool,
}

impl std::fmt::Debug for ActionFacts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionFacts")
            .field("action", &self.action)
            .field("resources", &self.resources)
            .field("formats", &self.formats)
            .finish_non_exhaustive()
    }
}

/// The answer for one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Some request is allowed: here is one, confirmed by the evaluator.
    Allowed(Witness),
    /// Every request is denied, for this reason.
    Denied(Proof),
    /// Neither proven nor witnessed.
    Unknown {
        /// Candidate requests decided without finding an allowed one.
        tried: u32,
    },
}

/// A request the evaluator allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Witness {
    /// The request.
    pub request: Request,
    /// Candidate requests decided before it (itself included).
    pub tried: u32,
}

/// One SCP or RCP statement and where it sits.
#[derive(Debug, Clone, Copy)]
struct Site<'s> {
    layer: Layer,
    level: u16,
    policy_name: &'s str,
    statement: &'s CompiledStatement,
}

/// Which of a prover's statements an action's `Action`/`NotAction` matches: one bit each.
/// Actions with equal signatures meet the same statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Signature {
    bits: SmallVec<[u64; 2]>,
}

impl Signature {
    fn has(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    fn set(&mut self, i: usize) {
        let word = i / 64;
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if let Some(w) = self.bits.get_mut(word) {
            *w |= 1u64 << (i % 64);
        }
    }
}

/// Answers questions about one policy set's guardrails.
#[derive(Debug)]
pub struct Prover<'s> {
    set: &'s PolicySet,
    sites: Vec<Site<'s>>,
}

impl<'s> Prover<'s> {
    /// A prover of `set`'s SCP and RCP statements.
    pub fn new(set: &'s PolicySet) -> Self {
        let mut sites = Vec::new();
        let mut add = |layer: Layer, levels: &'s [Vec<crate::CompiledPolicy>]| {
            for (level, policies) in (0u16..).zip(levels) {
                for p in policies {
                    for statement in p.statements() {
                        sites.push(Site {
                            layer,
                            level,
                            policy_name: p.name(),
                            statement,
                        });
                    }
                }
            }
        };
        if let Some(scps) = &set.scps {
            add(Layer::Scp, scps);
        }
        add(Layer::Rcp, &set.rcps);
        Self { set, sites }
    }

    /// The policy set.
    pub const fn set(&self) -> &'s PolicySet {
        self.set
    }

    /// Which statements the request's action matches.
    pub fn signature(&self, req: &Request) -> Signature {
        let mut sig = Signature::default();
        for (i, site) in self.sites.iter().enumerate() {
            if site.statement.matches_action(req) {
                sig.set(i);
            }
        }
        sig
    }

    /// The statements an action with this signature meets.
    fn relevant<'a>(&'a self, sig: &'a Signature) -> impl Iterator<Item = &'a Site<'s>> + 'a {
        self.sites
            .iter()
            .enumerate()
            .filter(|(i, _)| sig.has(*i))
            .map(|(_, s)| s)
    }

    /// The condition keys (lower case) of the statements an action with this signature meets:
    /// a verdict depends on the action only through them, the signature, and its resources.
    pub fn keys<'a>(&'a self, sig: &'a Signature) -> impl Iterator<Item = &'a str> + 'a {
        self.relevant(sig)
            .flat_map(|s| s.statement.conditions().iter().map(|c| c.key()))
    }

    /// Whether any statement an action with this signature meets names resources other than
    /// `*` (the verdict then depends on the action's resource types).
    pub fn resource_sensitive(&self, sig: &Signature) -> bool {
        self.relevant(sig).any(|s| !s.statement.any_resource())
    }

    /// Answers for one action of the scope.
    pub fn prove(&self, scope: &Scope, facts: &ActionFacts<'_>, sig: &Signature) -> Verdict {
        let service = facts
            .action
            .split_once(':')
            .map_or(facts.action, |(s, _)| s)
            .to_ascii_lowercase();
        let rcps_apply = RCP_SERVICES.binary_search(&service.as_str()).is_ok();
        let probe = Request::new(
            &scope.default_principal(),
            facts.action,
            "*",
            Some(&scope.account_id),
            scope.base_context(),
        );
        let no_permission = crate::decide::NEEDS_NO_PERMISSION
            .contains(&facts.action.to_ascii_lowercase().as_str());
        if !no_permission && let Some(p) = proof::find(self, scope, facts, sig, &probe, rcps_apply)
        {
            return Verdict::Denied(p);
        }
        candidates::search(self, scope, facts, sig)
    }

    /// Decides a candidate request.
    fn allows(&self, req: &Request) -> bool {
        self.set.decide(req).outcome == Outcome::Allow
    }
}

#[cfg(test)]
mod tests;
