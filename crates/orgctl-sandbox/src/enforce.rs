//! Service (and resource) control policies, enforced on the calls the sandbox makes inside a
//! member account, with the orgctl evaluator.
//!
//! Calls run as the access role's session, whose identity policy is `AdministratorAccess`:
//! only the organization's policies can deny them. The SCP chain is the account's path from
//! the root: the root's policies, each OU's down to the account's parent, then the account's.
//! SCPs never apply to the management account.

use std::collections::HashMap;

use orgctl_eval::{
    CompiledPolicy, Context, ContextValue, Decision, Layer, Outcome, PolicySet, Request,
};
use orgctl_org::{BackendError, PolicyKind};
use orgctl_policy::Policy;
use rusqlite::Connection;

use crate::db::{Db, corrupt};
use crate::organizations::{self, Org};
use crate::{Ctx, accounts, units};

/// Compiled policies by id, reused while their name and document stay the same.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache {
    by_id: HashMap<String, Cached>,
}

#[derive(Debug)]
struct Cached {
    name: String,
    content: String,
    compiled: CompiledPolicy,
}

impl PolicyCache {
    fn compiled(
        &mut self,
        id: &str,
        name: &str,
        content: &str,
    ) -> Result<CompiledPolicy, BackendError> {
        if let Some(hit) = self.by_id.get(id)
            && hit.name == name
            && hit.content == content
        {
            return Ok(hit.compiled.clone());
        }
        let policy = Policy::parse(content).map_err(|e| {
            corrupt(format!(
                "stored policy `{name}` ({id}) no longer parses: {e}"
            ))
        })?;
        let compiled = CompiledPolicy::new(name, &policy);
        self.by_id.insert(
            id.to_owned(),
            Cached {
                name: name.to_owned(),
                content: content.to_owned(),
                compiled: compiled.clone(),
            },
        );
        Ok(compiled)
    }
}

/// One API action a call makes, on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action {
    /// `s3:CreateBucket`.
    pub(crate) name: &'static str,
    /// The resource's ARN.
    pub(crate) resource: String,
}

/// Checks that the access role in `account_id` may make every action in `region`, as the
/// organization's SCPs and RCPs decide; the first action denied fails the call.
///
/// # Errors
/// `AccessDenied` naming the deciding policy and statement, or SQLite failures.
pub(crate) fn authorize(
    ctx: &mut Ctx<'_>,
    account_id: &str,
    region: &str,
    actions: &[Action],
) -> Result<(), BackendError> {
    let db = ctx.db;
    let org = organizations::require(db)?;
    if account_id == org.management_account_id || actions.is_empty() {
        return Ok(());
    }
    let kinds = organizations::enabled_kinds(db)?;
    if kinds.is_empty() {
        return Ok(());
    }
    let chain = chain(db, &org, account_id)?;
    let mut set = PolicySet {
        identity: vec![administrator_access()?],
        ..PolicySet::default()
    };
    for kind in kinds {
        let mut levels = Vec::with_capacity(chain.len());
        for (target, _) in &chain {
            levels.push(attached(db, ctx.policies, kind, target)?);
        }
        match kind {
            PolicyKind::Scp => set.scps = Some(levels),
            PolicyKind::Rcp => set.rcps = levels,
        }
    }
    let principal = organizations::member_arn(ctx.options, account_id);
    for action in actions {
        let request = Request::new(
            &principal,
            action.name,
            &action.resource,
            Some(account_id),
            context(&org, region),
        );
        let decision = set.decide(&request);
        if decision.outcome != Outcome::Allow {
            let labels: Vec<&str> = chain.iter().map(|(_, label)| label.as_str()).collect();
            return Err(BackendError::AccessDenied {
                principal,
                action: action.name.to_owned(),
                resource: action.resource.clone(),
                reason: explain(&set, &decision, &labels),
            });
        }
    }
    Ok(())
}

/// The account's SCP levels, root first: each target's id and how messages name it.
fn chain(
    db: &Connection,
    org: &Org,
    account_id: &str,
) -> Result<Vec<(String, String)>, BackendError> {
    let parent = accounts::parent_of(db, account_id)?;
    let mut chain = Vec::new();
    for id in units::path(db, org, &parent)? {
        let label = if id == org.root_id {
            format!("the root {id}")
        } else {
            let (name, _) = units::unit(db, &id)?;
            format!("OU `{name}` ({id})")
        };
        chain.push((id, label));
    }
    chain.push((account_id.to_owned(), format!("account {account_id}")));
    Ok(chain)
}

/// The compiled policies of `kind` attached to `target`, by name.
fn attached(
    db: &Connection,
    cache: &mut PolicyCache,
    kind: PolicyKind,
    target: &str,
) -> Result<Vec<CompiledPolicy>, BackendError> {
    let mut stmt = db
        .prepare_cached(
            "SELECT p.id, p.name, p.content FROM attachments a JOIN policies p ON p.id = a.policy_id
             WHERE a.target_id = ?1 AND p.kind = ?2 ORDER BY p.name, p.id",
        )
        .db()?;
    let rows = stmt
        .query_map((target, kind.api_name()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .db()?
        .collect::<Result<Vec<_>, _>>()
        .db()?;
    rows.iter()
        .map(|(id, name, content)| cache.compiled(id, name, content))
        .collect()
}

/// The access role's identity policy.
fn administrator_access() -> Result<CompiledPolicy, BackendError> {
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let policy = Policy::parse(doc).map_err(|e| corrupt(format!("AdministratorAccess: {e}")))?;
    Ok(CompiledPolicy::new("AdministratorAccess", &policy))
}

/// The request context AWS supplies for an API call over TLS from the role session; the
/// evaluator derives the principal's own keys.
fn context(org: &Org, region: &str) -> Context {
    let mut ctx = Context::with_capacity(10);
    let single = |v: &str| ContextValue::Single(v.to_owned());
    ctx.insert("aws:RequestedRegion", single(region));
    ctx.insert("aws:PrincipalOrgID", single(&org.id));
    ctx.insert("aws:ResourceOrgID", single(&org.id));
    ctx.insert("aws:SecureTransport", single("true"));
    ctx.insert("aws:ViaAWSService", single("false"));
    ctx.insert("aws:PrincipalIsAWSService", single("false"));
    ctx
}

/// Why a request was denied, naming the policy by name and the statement by `Sid`.
fn explain(set: &PolicySet, decision: &Decision, levels: &[&str]) -> String {
    let Some(reason) = decision.reasons.first() else {
        return "denied without a reason".to_owned();
    };
    let layer = match reason.layer {
        Layer::Scp => "service control policy",
        Layer::Rcp => "resource control policy",
        Layer::Identity => "identity policy",
        Layer::Resource => "resource policy",
        Layer::Boundary => "permissions boundary",
        Layer::Session => "session policy",
    };
    let at = match reason.layer {
        Layer::Scp | Layer::Rcp => levels
            .get(usize::from(reason.level))
            .map_or_else(String::new, |label| format!(" attached to {label}")),
        _ => String::new(),
    };
    if decision.outcome == Outcome::ImplicitDeny {
        let at = match reason.layer {
            Layer::Scp | Layer::Rcp => levels
                .get(usize::from(reason.level))
                .map_or_else(String::new, |label| format!(" at {label}")),
            _ => String::new(),
        };
        return format!("no {layer}{at} allows it");
    }
    let Some(policy) = set.policy(reason) else {
        return format!("explicit deny in a {layer}{at}");
    };
    let statement = reason
        .statement
        .and_then(|i| policy.statements().iter().find(|s| s.index == i))
        .map_or_else(String::new, |s| match &s.sid {
            Some(sid) => format!(" statement `{sid}`"),
            None => format!(" statement at index {}", s.index),
        });
    let more = match decision.reasons.len() {
        0 | 1 => String::new(),
        n => format!("; {} more statement(s) deny it too", n - 1),
    };
    format!(
        "explicit deny in {layer} `{}`{statement}{at}{more}",
        policy.name()
    )
}
