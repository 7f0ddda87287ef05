//! The strategy's attack scenario, computed: with one account's credentials, whose Terraform
//! state can be read or written?
//!
//! The credentials are an administrator's session in account X (AdministratorAccess: the
//! worst case of a compromised laptop). For every account Y that keeps state, the evaluator
//! decides X's requests on Y's state object (`s3:GetObject`, `s3:PutObject`,
//! `s3:DeleteObject`), bucket (`s3:ListBucket`) and lock table (`dynamodb:GetItem`,
//! `PutItem`, `DeleteItem`) with X's SCP chain, the RCP chain of the account owning the
//! resource, the resource's policy, and the cross-account rule that both the identity side
//! and the resource policy must allow. Requests are the ones Terraform's S3 backend sends:
//! over TLS, in the state's region, uploads with the server-side encryption header.
//!
//! Two layouts of the same organization are compared: per-account state (what orgctl builds:
//! each account's bucket and table in that account), and centralized state (one bucket and
//! table in one account, by default the management account as in the strategy's scenario,
//! holding `ACCOUNT_ID/terraform.tfstate` for everyone, with the grants every other account's
//! pipeline needs to use it). A third computation follows the one path the organization
//! itself opens: the access role Organizations creates in each member account, which trusts
//! the management account.

use std::collections::BTreeMap;

use serde::Serialize;

use orgctl_eval::CompiledPolicy;
use orgctl_org::guard::OrgPolicies;
use orgctl_org::{Spec, State};
use orgctl_policy::Policy;

use crate::scope::{self, Account};
use crate::verdict::{self, Judge, Verdict};
use crate::{AuditError, Finding, Severity};

/// The object key of per-account state the requests name.
const STATE_KEY: &str = "terraform.tfstate";

/// The access role's name when the spec leaves it empty.
const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// The two layouts compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Each account's state in its own bucket and table, in that account.
    PerAccount,
    /// Every account's state in one bucket and table.
    Centralized,
}

/// Where a bucket policy used in the computation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicySource {
    /// Read from the backend.
    Backend,
    /// The one orgctl writes (the bucket does not exist yet, or belongs to another account).
    Spec,
    /// The policy a centralized layout needs.
    Centralized,
    /// The backend's bucket has no policy.
    None,
}

/// Where one account's state lives in a layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateHome {
    /// The account whose state it is (spec key).
    pub account: String,
    /// The account holding the bucket and table.
    pub holder: String,
    /// The bucket.
    pub bucket: String,
    /// The state object's key.
    pub key: String,
    /// The lock table, with DynamoDB locking.
    pub table: Option<String>,
    /// Where the bucket policy came from.
    pub policy_from: PolicySource,
}

/// What one account's credentials can do to one account's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Whose credentials (spec key).
    pub from: String,
    /// Whose state (spec key).
    pub to: String,
    /// `s3:GetObject` allowed.
    pub read: bool,
    /// `s3:PutObject` allowed.
    pub write: bool,
    /// `s3:DeleteObject` allowed.
    pub delete: bool,
    /// `s3:ListBucket` allowed.
    pub list: bool,
    /// Any lock table action allowed.
    pub lock: bool,
    /// Every request and its decision.
    pub decisions: Vec<Verdict>,
}

impl Cell {
    /// Whether the state itself can be read, written or deleted.
    pub fn reaches_state(&self) -> bool {
        self.read || self.write || self.delete
    }

    /// Whether anything at all is allowed.
    pub fn any(&self) -> bool {
        self.reaches_state() || self.list || self.lock
    }

    /// The allowed kinds of access: `read`, `write`, `delete`, `list`, `lock`.
    pub fn allowed(&self) -> Vec<&'static str> {
        [
            (self.read, "read"),
            (self.write, "write"),
            (self.delete, "delete"),
            (self.list, "list"),
            (self.lock, "lock"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// One account's credentials, summed over the other accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The account (spec key).
    pub account: String,
    /// As shown.
    pub account_label: String,
    /// Other accounts whose state it can read.
    pub read: usize,
    /// Other accounts whose state it can write.
    pub write: usize,
    /// Other accounts whose state it can delete.
    pub delete: usize,
    /// Other accounts whose locks it can take or break.
    pub lock: usize,
    /// Other accounts whose state it can read, write or delete.
    pub reachable: usize,
    /// Other accounts that keep state.
    pub of: usize,
}

/// How often one cause decided the requests across accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub outcome: &'static str,
    /// The deciding causes, as one phrase.
    pub cause: String,
    /// How many requests.
    pub requests: usize,
}

/// One layout, computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    /// Per-account or centralized.
    pub layout: Layout,
    /// The layout in a sentence.
    pub description: String,
    /// Where each account's state lives.
    pub homes: Vec<StateHome>,
    /// One per account of the spec, in spec order.
    pub rows: Vec<Row>,
    /// Every (credentials, state) pair, the account's own state included.
    pub cells: Vec<Cell>,
    /// Pairs of different accounts where the credentials reach the state.
    pub reachable: usize,
    /// Pairs of different accounts.
    pub pairs: usize,
    /// What decided the requests across accounts, most frequent first.
    pub tallies: Vec<Tally>,
}

/// Reaching another account's state through the organization's access role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pivot {
    /// Whose credentials.
    pub from: String,
    /// Whose account and state.
    pub to: String,
    /// `sts:AssumeRole` on the access role of `to`.
    pub assume: Verdict,
    /// As that role: `s3:GetObject` on the state (when the role can be assumed).
    pub read: Option<Verdict>,
    /// As that role: `s3:PutObject` on the state (when the role can be assumed).
    pub write: Option<Verdict>,
}

impl Pivot {
    /// Whether the state can be read or written through the role.
    pub fn reaches_state(&self) -> bool {
        self.assume.allowed()
            && (self.read.as_ref().is_some_and(Verdict::allowed)
                || self.write.as_ref().is_some_and(Verdict::allowed))
    }
}

/// The access-role path, computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRole {
    /// The role's name.
    pub role: String,
    /// The account its trust policy names (the management account).
    pub trusted_account: String,
    /// Per account: how many member accounts' state it reaches through the role.
    pub rows: Vec<Row>,
    /// Every pair of an account and another member account that keeps state.
    pub pivots: Vec<Pivot>,
}

/// The blast radius of one account's credentials, per layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlastRadius {
    /// The credentials, with `ACCOUNT` for the account id.
    pub principal: String,
    /// Their identity policy.
    pub identity_policy: String,
    /// The request context every request carries.
    pub context: Vec<String>,
    /// Per-account state.
    pub per_account: Variant,
    /// Centralized state.
    pub centralized: Variant,
    /// Through the organization's access role.
    pub access_role: AccessRole,
}

impl BlastRadius {
    /// The findings of the per-account layout: any access across accounts.
    pub fn findings(&self) -> Vec<Finding> {
        let label = |key: &str| {
            self.per_account
                .rows
                .iter()
                .find(|r| r.account == key)
                .map_or_else(|| key.to_owned(), |r| r.account_label.clone())
        };
        self.per_account
            .cells
            .iter()
            .filter(|c| c.from != c.to && c.any())
            .map(|c| {
                let home = self.per_account.homes.iter().find(|h| h.account == c.to);
                let resource = home.map_or_else(
                    || format!("state of {}", label(&c.to)),
                    |h| format!("s3://{}", h.bucket),
                );
                let (severity, why) = if c.reaches_state() {
                    (
                        Severity::Critical,
                        "credentials stolen in one account reach another account's Terraform \
                         state and the secrets in it: exactly what per-account state is meant \
                         to prevent",
                    )
                } else {
                    (
                        Severity::Warning,
                        "another account can list the state's keys or hold and break its locks",
                    )
                };
                let mut by: Vec<String> = c
                    .decisions
                    .iter()
                    .filter(|v| v.allowed())
                    .map(cause_of)
                    .collect();
                by.dedup();
                Finding {
                    check: "blast-radius",
                    severity,
                    resource,
                    account: c.to.clone(),
                    account_label: label(&c.to),
                    what: format!(
                        "an administrator of {} can {} {}'s state, allowed by {}",
                        label(&c.from),
                        c.allowed().join(", "),
                        label(&c.to),
                        by.join("; ")
                    ),
                    why: why.to_owned(),
                    fix: "remove the allowing statements; orgctl's state bucket policy denies \
                          every other account, and orgctl apply puts it back"
                        .to_owned(),
                }
            })
            .collect()
    }
}

/// The state requests of one (credentials, state) pair.
struct Requests<'a> {
    principal: String,
    bucket: &'a str,
    key: &'a str,
    holder: &'a str,
    table: Option<&'a str>,
}

struct Computer<'a> {
    spec: &'a Spec,
    org: OrgPolicies<'a>,
    accounts: Vec<Account>,
    admin: CompiledPolicy,
    region: String,
    sse: Option<&'static str>,
}

/// Computes both layouts and the access-role path.
///
/// # Errors
/// When `central_account` is not in the spec, or a document the audit writes does not parse.
pub fn compute(
    spec: &Spec,
    state: &State,
    central_account: Option<&str>,
) -> Result<BlastRadius, AuditError> {
    let accounts = scope::accounts(spec, state);
    let c = Computer {
        spec,
        org: OrgPolicies::new(spec),
        accounts,
        admin: verdict::administrator()?,
        region: spec.bootstrap.region.clone(),
        sse: Some(spec.bootstrap.encryption.as_str()),
    };
    let holder = match central_account {
        None => c
            .accounts
            .iter()
            .find(|a| a.management)
            .or_else(|| c.accounts.first()),
        Some(name) => {
            let found = spec
                .find_account(name)
                .and_then(|s| c.accounts.iter().find(|a| a.key == s.key));
            Some(found.ok_or_else(|| AuditError::UnknownAccount {
                name: name.to_owned(),
            })?)
        }
    };
    let per_account = c.per_account(state);
    let centralized = match holder {
        Some(h) => c.centralized(h)?,
        None => c.empty(
            Layout::Centralized,
            "no account to hold the state".to_owned(),
        ),
    };
    let access_role = c.access_role(state)?;
    let mut context = vec![
        "aws:SecureTransport = true".to_owned(),
        format!("aws:RequestedRegion = {}", c.region),
    ];
    if let Some(sse) = c.sse {
        context.push(format!(
            "s3:x-amz-server-side-encryption = {sse} (s3:PutObject)"
        ));
    }
    Ok(BlastRadius {
        principal: verdict::admin_principal("ACCOUNT"),
        identity_policy: "AdministratorAccess".to_owned(),
        context,
        per_account,
        centralized,
        access_role,
    })
}

/// The phrase a decision is counted under.
fn cause_of(v: &Verdict) -> String {
    if v.allowed() {
        let resource: Vec<&str> = v
            .decided_by
            .iter()
            .filter(|c| c.layer == "resource")
            .map(|c| c.text.as_str())
            .collect();
        if resource.is_empty() {
            "the identity policy, within the account".to_owned()
        } else {
            resource.join(" + ")
        }
    } else {
        v.decided_by
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn tallies(cells: &[Cell]) -> Vec<Tally> {
    let mut counts: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for c in cells.iter().filter(|c| c.from != c.to) {
        for v in &c.decisions {
            *counts.entry((v.outcome, cause_of(v))).or_default() += 1;
        }
    }
    let mut out: Vec<Tally> = counts
        .into_iter()
        .map(|((outcome, cause), requests)| Tally {
            outcome,
            cause,
            requests,
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.requests));
    out
}

impl Computer<'_> {
    fn account_spec(&self, a: &Account) -> Option<&orgctl_org::AccountSpec> {
        self.spec.account(&a.key)
    }

    fn empty(&self, layout: Layout, description: String) -> Variant {
        Variant {
            layout,
            description,
            homes: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            reachable: 0,
            pairs: 0,
            tallies: Vec::new(),
        }
    }

    /// The decisions of one (credentials, state) pair.
    fn cell(
        &self,
        from: &Account,
        to: &Account,
        holder: &Account,
        bucket_policy: Option<&CompiledPolicy>,
        table_policy: Option<&CompiledPolicy>,
        r: &Requests<'_>,
    ) -> Cell {
        let judge = |resource: Option<&CompiledPolicy>, name| {
            Judge::across(
                &self.org,
                self.account_spec(from),
                self.account_spec(holder),
                vec![self.admin.clone()],
                resource.cloned(),
                name,
            )
        };
        let s3 = judge(bucket_policy, "bucket policy");
        let object = verdict::object_arn(r.bucket, r.key);
        let bucket = verdict::bucket_arn(r.bucket);
        let ask = |judge: &Judge, action: &str, resource: &str, sse| {
            judge.decide(
                &r.principal,
                action,
                resource,
                r.holder,
                verdict::context(&self.region, true, sse),
            )
        };
        let mut decisions = vec![
            ask(&s3, "s3:GetObject", &object, None),
            ask(&s3, "s3:PutObject", &object, self.sse),
            ask(&s3, "s3:DeleteObject", &object, None),
            ask(&s3, "s3:ListBucket", &bucket, None),
        ];
        let allowed = |i: usize| decisions.get(i).is_some_and(Verdict::allowed);
        let (read, write, delete, list) = (allowed(0), allowed(1), allowed(2), allowed(3));
        let mut lock = false;
        if let Some(table) = r.table {
            let ddb = judge(table_policy, "table policy");
            let arn = verdict::table_arn(&self.region, r.holder, table);
            for action in [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
            ] {
                let v = ask(&ddb, action, &arn, None);
                lock |= v.allowed();
                decisions.push(v);
            }
        }
        Cell {
            from: from.key.clone(),
            to: to.key.clone(),
            read,
            write,
            delete,
            list,
            lock,
            decisions,
        }
    }

    fn rows(&self, cells: &[Cell], targets: &[&Account]) -> Vec<Row> {
        self.accounts
            .iter()
            .map(|a| {
                let other: Vec<&Cell> = cells
                    .iter()
                    .filter(|c| c.from == a.key && c.to != a.key)
                    .collect();
                let count = |f: fn(&Cell) -> bool| other.iter().filter(|c| f(c)).count();
                Row {
                    account: a.key.clone(),
                    account_label: a.label(),
                    read: count(|c| c.read),
                    write: count(|c| c.write),
                    delete: count(|c| c.delete),
                    lock: count(|c| c.lock),
                    reachable: count(Cell::reaches_state),
                    of: targets.iter().filter(|t| t.key != a.key).count(),
                }
            })
            .collect()
    }

    fn variant(
        &self,
        layout: Layout,
        description: String,
        homes: Vec<StateHome>,
        cells: Vec<Cell>,
        targets: &[&Account],
    ) -> Variant {
        let rows = self.rows(&cells, targets);
        let off: Vec<&Cell> = cells.iter().filter(|c| c.from != c.to).collect();
        Variant {
            layout,
            description,
            homes,
            reachable: off.iter().filter(|c| c.reaches_state()).count(),
            pairs: off.len(),
            tallies: tallies(&cells),
            rows,
            cells,
        }
    }

    fn targets(&self) -> Vec<&Account> {
        self.accounts.iter().filter(|a| a.bootstrap).collect()
    }

    fn per_account(&self, state: &State) -> Variant {
        let template = scope::template(self.spec);
        let targets = self.targets();
        let mut homes = Vec::new();
        let mut policies = Vec::new();
        for t in &targets {
            let want = template.bucket(&t.id);
            let held = state
                .buckets
                .iter()
                .find(|b| b.name == want.name && b.account_id == t.id);
            let (text, from) = match held {
                Some(b) => match &b.policy {
                    Some(p) => (Some(p.clone()), PolicySource::Backend),
                    None => (None, PolicySource::None),
                },
                None => (want.policy.clone(), PolicySource::Spec),
            };
            // A policy that does not parse grants nothing; the storage check reports it.
            let compiled = text
                .as_deref()
                .and_then(|t| Policy::parse(t).ok())
                .map(|p| CompiledPolicy::new("bucket policy", &p));
            policies.push(compiled);
            homes.push(StateHome {
                account: t.key.clone(),
                holder: t.key.clone(),
                bucket: want.name,
                key: STATE_KEY.to_owned(),
                table: template.lock_table.clone(),
                policy_from: from,
            });
        }
        let mut cells = Vec::new();
        for from in &self.accounts {
            for ((to, home), policy) in targets.iter().zip(&homes).zip(&policies) {
                let r = Requests {
                    principal: verdict::admin_principal(&from.id),
                    bucket: &home.bucket,
                    key: &home.key,
                    holder: &to.id,
                    table: home.table.as_deref(),
                };
                cells.push(self.cell(from, to, to, policy.as_ref(), None, &r));
            }
        }
        self.variant(
            Layout::PerAccount,
            "each account's state in its own bucket and lock table, in that account, as orgctl \
             builds it"
                .to_owned(),
            homes,
            cells,
            &targets,
        )
    }

    fn centralized(&self, holder: &Account) -> Result<Variant, AuditError> {
        let template = scope::template(self.spec);
        let targets = self.targets();
        let bucket = template.bucket(&holder.id).name;
        let table = template.lock_table.clone();
        let members: Vec<&Account> = targets
            .iter()
            .copied()
            .filter(|t| t.key != holder.key)
            .collect();
        let bucket_policy = verdict::compile(
            "centralized bucket policy",
            &centralized_bucket_policy(&bucket, &members),
        )?;
        let table_policy = match &table {
            Some(t) if !members.is_empty() => Some(verdict::compile(
                "centralized table policy",
                &centralized_table_policy(
                    &verdict::table_arn(&self.region, &holder.id, t),
                    &members,
                ),
            )?),
            _ => None,
        };
        let homes: Vec<StateHome> = targets
            .iter()
            .map(|t| StateHome {
                account: t.key.clone(),
                holder: holder.key.clone(),
                bucket: bucket.clone(),
                key: format!("{}/{STATE_KEY}", t.id),
                table: table.clone(),
                policy_from: PolicySource::Centralized,
            })
            .collect();
        let mut cells = Vec::new();
        for from in &self.accounts {
            for (to, home) in targets.iter().zip(&homes) {
                let r = Requests {
                    principal: verdict::admin_principal(&from.id),
                    bucket: &home.bucket,
                    key: &home.key,
                    holder: &holder.id,
                    table: home.table.as_deref(),
                };
                cells.push(self.cell(
                    from,
                    to,
                    holder,
                    Some(&bucket_policy),
                    table_policy.as_ref(),
                    &r,
                ));
            }
        }
        let lock = table
            .as_ref()
            .map(|t| format!(" and lock table {t}"))
            .unwrap_or_default();
        Ok(self.variant(
            Layout::Centralized,
            format!(
                "every account's state in one bucket (s3://{bucket}, under \
                 ACCOUNT_ID/{STATE_KEY}){lock} in {}, with the grants each other account's \
                 pipeline needs to use them",
                holder.label()
            ),
            homes,
            cells,
            &targets,
        ))
    }

    fn access_role(&self, state: &State) -> Result<AccessRole, AuditError> {
        let role = if self.spec.organization.access_role_name.is_empty() {
            DEFAULT_ACCESS_ROLE.to_owned()
        } else {
            self.spec.organization.access_role_name.clone()
        };
        let trusted = self.spec.organization.management_account_id.clone();
        let trust = verdict::compile("trust policy", &trust_policy(&trusted))?;
        let template = scope::template(self.spec);
        let targets: Vec<&Account> = self
            .targets()
            .into_iter()
            .filter(|t| !t.management)
            .collect();
        let mut pivots = Vec::new();
        for from in &self.accounts {
            for to in targets.iter().filter(|t| t.key != from.key) {
                let assume = Judge::across(
                    &self.org,
                    self.account_spec(from),
                    self.account_spec(to),
                    vec![self.admin.clone()],
                    Some(trust.clone()),
                    "trust policy",
                )
                .decide(
                    &verdict::admin_principal(&from.id),
                    "sts:AssumeRole",
                    &format!("arn:aws:iam::{}:role/{role}", to.id),
                    &to.id,
                    verdict::context(&self.region, true, None),
                );
                let (mut read, mut write) = (None, None);
                if assume.allowed() {
                    let want = template.bucket(&to.id);
                    let text = state
                        .buckets
                        .iter()
                        .find(|b| b.name == want.name && b.account_id == to.id)
                        .map_or(want.policy.clone(), |b| b.policy.clone());
                    let policy = text
                        .as_deref()
                        .and_then(|t| Policy::parse(t).ok())
                        .map(|p| CompiledPolicy::new("bucket policy", &p));
                    // Organizations attaches AdministratorAccess to the role it creates.
                    let inside = Judge::across(
                        &self.org,
                        self.account_spec(to),
                        self.account_spec(to),
                        vec![self.admin.clone()],
                        policy,
                        "bucket policy",
                    );
                    let principal = verdict::role_session(&to.id, &role);
                    let object = verdict::object_arn(&want.name, STATE_KEY);
                    read = Some(inside.decide(
                        &principal,
                        "s3:GetObject",
                        &object,
                        &to.id,
                        verdict::context(&self.region, true, None),
                    ));
                    write = Some(inside.decide(
                        &principal,
                        "s3:PutObject",
                        &object,
                        &to.id,
                        verdict::context(&self.region, true, self.sse),
                    ));
                }
                pivots.push(Pivot {
                    from: from.key.clone(),
                    to: to.key.clone(),
                    assume,
                    read,
                    write,
                });
            }
        }
        let rows = self
            .accounts
            .iter()
            .map(|a| {
                let mine: Vec<&Pivot> = pivots.iter().filter(|p| p.from == a.key).collect();
                let count = |f: &dyn Fn(&Pivot) -> bool| mine.iter().filter(|p| f(p)).count();
                let reachable = count(&Pivot::reaches_state);
                Row {
                    account: a.key.clone(),
                    account_label: a.label(),
                    read: count(&|p| {
                        p.assume.allowed() && p.read.as_ref().is_some_and(Verdict::allowed)
                    }),
                    write: count(&|p| {
                        p.assume.allowed() && p.write.as_ref().is_some_and(Verdict::allowed)
                    }),
                    delete: 0,
                    lock: 0,
                    reachable,
                    of: mine.len(),
                }
            })
            .collect();
        Ok(AccessRole {
            role,
            trusted_account: trusted,
            rows,
            pivots,
        })
    }
}

/// The AWS principals of `accounts`' root users: each account's own policies then decide.
fn roots(accounts: &[&Account]) -> Vec<String> {
    accounts
        .iter()
        .map(|a| format!("arn:aws:iam::{}:root", a.id))
        .collect()
}

/// The centralized bucket's policy: TLS only, and each other account may read, write and
/// delete objects and list the bucket, as its pipeline must.
pub fn centralized_bucket_policy(bucket: &str, members: &[&Account]) -> String {
    let bucket_arn = verdict::bucket_arn(bucket);
    let objects = format!("{bucket_arn}/*");
    let mut statements = vec![serde_json::json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, objects],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })];
    if !members.is_empty() {
        statements.push(serde_json::json!({
            "Sid": "AccountPipelinesReadWriteState",
            "Effect": "Allow",
            "Principal": {"AWS": roots(members)},
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": objects
        }));
        statements.push(serde_json::json!({
            "Sid": "AccountPipelinesListState",
            "Effect": "Allow",
            "Principal": {"AWS": roots(members)},
            "Action": "s3:ListBucket",
            "Resource": bucket_arn
        }));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// The centralized lock table's resource policy: each other account may take and release
/// locks.
pub fn centralized_table_policy(table_arn: &str, members: &[&Account]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AccountPipelinesLocks",
            "Effect": "Allow",
            "Principal": {"AWS": roots(members)},
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            "Resource": table_arn
        }]
    })
    .to_string()
}

/// The trust policy of the role Organizations creates in the accounts it creates: the
/// management account may assume it.
pub fn trust_policy(management_account_id: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{management_account_id}:root")},
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;
    use crate::testing::{self, SAME_ACCOUNT_RCP};

    #[test]
    fn per_account_state_reaches_no_other_account() {
        let spec = testing::spec(None);
        let blast = compute(&spec, &State::default(), None).unwrap();
        let v = &blast.per_account;
        assert_eq!(v.pairs, 12);
        assert_eq!(v.reachable, 0);
        for r in &v.rows {
            assert_eq!((r.reachable, r.lock, r.of), (0, 0, 3), "{r:?}");
        }
        // Each account still reaches its own state: the denies are about other accounts.
        for c in v.cells.iter().filter(|c| c.from == c.to) {
            assert!(c.read && c.write && c.lock, "{c:?}");
        }
        // The bucket policy's explicit deny decides, and the lock table has no policy.
        let cell = v
            .cells
            .iter()
            .find(|c| c.from == "dev" && c.to == "prod")
            .unwrap();
        let read = cell.decisions.first().unwrap();
        assert_eq!(read.outcome, "ExplicitDeny");
        assert_eq!(
            read.decided_by.first().unwrap().text,
            "bucket policy statement DenyOtherAccounts"
        );
        let lock = cell
            .decisions
            .iter()
            .find(|d| d.action == "dynamodb:PutItem")
            .unwrap();
        assert_eq!(lock.outcome, "ImplicitDeny");
        assert_eq!(lock.decided_by.first().unwrap().layer, "resource");
        assert!(blast.findings().is_empty());
    }

    #[test]
    fn centralized_state_reaches_every_account() {
        let spec = testing::spec(None);
        let blast = compute(&spec, &State::default(), None).unwrap();
        let v = &blast.centralized;
        assert_eq!(v.reachable, v.pairs);
        assert_eq!(v.pairs, 12);
        for r in &v.rows {
            assert_eq!(r.reachable, r.of, "{r:?}");
            assert_eq!((r.read, r.write, r.lock), (3, 3, 3), "{r:?}");
        }
        let home = v.homes.iter().find(|h| h.account == "prod").unwrap();
        assert_eq!(
            home.bucket,
            format!("acme-terraform-state-{}", testing::MGMT)
        );
        assert_eq!(home.key, format!("{}/terraform.tfstate", testing::PROD));
        // The management account's own credentials read everything within the account; the
        // others through the grants the pipelines need.
        let cell = v
            .cells
            .iter()
            .find(|c| c.from == "dev" && c.to == "prod")
            .unwrap();
        assert_eq!(
            cell.decisions
                .first()
                .unwrap()
                .decided_by
                .last()
                .unwrap()
                .text,
            "centralized bucket policy statement AccountPipelinesReadWriteState"
        );
    }

    #[test]
    fn an_rcp_denying_other_accounts_protects_centralized_state_in_a_member_account() {
        let spec = testing::spec(Some(SAME_ACCOUNT_RCP));
        let blast = compute(&spec, &State::default(), Some("shared")).unwrap();
        let v = &blast.centralized;
        for r in &v.rows {
            let expected = if r.account == "shared" { r.of } else { 0 };
            assert_eq!(r.reachable, expected, "{r:?}");
            if r.account != "shared" {
                assert_eq!(r.lock, 0, "{r:?}");
            }
        }
        let cell = v
            .cells
            .iter()
            .find(|c| c.from == "dev" && c.to == "prod")
            .unwrap();
        let read = cell.decisions.first().unwrap();
        assert_eq!(read.outcome, "ExplicitDeny");
        let cause = read.decided_by.first().unwrap();
        assert_eq!(
            (cause.layer, cause.text.as_str()),
            ("rcp", "SameAccountOnly statement DenyOtherAccounts at Root")
        );
        // The per-account layout stays closed.
        assert_eq!(blast.per_account.reachable, 0);
    }

    #[test]
    fn rcps_do_not_protect_state_in_the_management_account() {
        let spec = testing::spec(Some(SAME_ACCOUNT_RCP));
        let blast = compute(&spec, &State::default(), None).unwrap();
        let v = &blast.centralized;
        assert_eq!(v.reachable, v.pairs);
    }

    #[test]
    fn only_the_management_account_reaches_state_through_the_access_role() {
        let spec = testing::spec(None);
        let blast = compute(&spec, &State::default(), None).unwrap();
        let role = &blast.access_role;
        assert_eq!(role.role, "OrganizationAccountAccessRole");
        for r in &role.rows {
            let expected = if r.account == "management" { 3 } else { 0 };
            assert_eq!(r.reachable, expected, "{r:?}");
        }
        let denied = role
            .pivots
            .iter()
            .find(|p| p.from == "dev" && p.to == "prod")
            .unwrap();
        assert_eq!(denied.assume.outcome, "ImplicitDeny");
        assert!(denied.read.is_none());
    }

    #[test]
    fn an_unknown_central_account_is_an_error() {
        let spec = testing::spec(None);
        let err = compute(&spec, &State::default(), Some("nope")).unwrap_err();
        assert!(matches!(err, AuditError::UnknownAccount { .. }), "{err}");
    }

    #[test]
    fn a_bucket_policy_granting_another_account_is_a_finding() {
        let spec = testing::spec(None);
        let mut state = State::default();
        let mut bucket = scope::template(&spec).bucket(testing::PROD);
        bucket.policy = Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{}/*"}}]}}"#,
            testing::DEV,
            bucket.name
        ));
        state.buckets.push(bucket);
        let blast = compute(&spec, &state, None).unwrap();
        assert_eq!(blast.per_account.reachable, 1);
        let home = blast
            .per_account
            .homes
            .iter()
            .find(|h| h.account == "prod")
            .unwrap();
        assert_eq!(home.policy_from, PolicySource::Backend);
        let findings = blast.findings();
        assert_eq!(findings.len(), 1);
        let f = findings.first().unwrap();
        assert_eq!((f.check, f.severity), ("blast-radius", Severity::Critical));
        assert!(
            f.what
                .ends_with("Dev (333333333333) can read Prod (444444444444)'s state, allowed by bucket policy statement #1"),
            "{}",
            f.what
        );
    }
}
