//! The security of every Terraform state bucket and lock table: the ones the spec expects
//! (one each per bootstrapped account) and any other state bucket the backend holds.
//!
//! Bucket policies are judged by the evaluator, not by reading their text: a request over
//! plain HTTP from the owner's administrator must be denied by the bucket policy (TLS only),
//! and an administrator of any other account, or an anonymous caller, must not be allowed
//! through it (same-account access).

use std::collections::BTreeMap;

use serde::Serialize;

use orgctl_eval::CompiledPolicy;
use orgctl_org::{BucketState, Encryption, Spec, State, TableState};
use orgctl_policy::Policy;

use crate::scope::{self, Account, Expected, Ownership};
use crate::verdict::{self, Judge};
use crate::{AuditError, Finding, Severity};

/// The state object key the checks ask about.
const STATE_KEY: &str = "terraform.tfstate";

/// An account outside the organization, for the same-account check (AWS's documentation
/// example accounts, the first that is not a member).
const OUTSIDE_ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];

/// A bucket or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// An S3 state bucket.
    Bucket,
    /// A DynamoDB lock table.
    Table,
}

/// Where a resource stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ResourceStatus {
    /// It exists in the account that should own it; its checks ran.
    Present,
    /// It does not exist.
    Missing,
    /// Its account does not exist yet.
    AccountNotCreated,
    /// The name belongs to another account.
    Foreign {
        /// The owner, when the backend can tell.
        owner: Option<String>,
    },
    /// It exists but the spec does not expect it (a state bucket of an account the spec does
    /// not bootstrap).
    Unexpected,
}

/// One state bucket or lock table, and the checks it passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageResource {
    /// Bucket or table.
    pub kind: ResourceKind,
    /// Its name.
    pub name: String,
    /// The account that should own it (spec key; empty for an unexpected bucket).
    pub account: String,
    /// That account, as shown.
    pub account_label: String,
    /// Where it stands.
    #[serde(flatten)]
    pub status: ResourceStatus,
    /// How many checks ran on it (none unless it is present).
    pub checked: usize,
    /// The checks it passed (`owner`, `encryption aws:kms`, `TLS only`, ...).
    pub passed: Vec<String>,
}

/// The checks of a present bucket: owner, encryption, versioning, public access block, TLS
/// only, own account only.
pub const BUCKET_CHECKS: usize = 6;

/// The checks of a present lock table: owner, KMS encryption, point-in-time recovery.
pub const TABLE_CHECKS: usize = 3;

/// Every state bucket and lock table the audit looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Storage {
    /// In spec order, each account's bucket then its table; unexpected buckets last.
    pub resources: Vec<StorageResource>,
}

/// Checks every state bucket and lock table, adding findings to `findings`.
///
/// # Errors
/// When the audit's own administrator policy does not parse.
pub fn check(
    spec: &Spec,
    state: &State,
    owners: &BTreeMap<String, Ownership>,
    findings: &mut Vec<Finding>,
) -> Result<Storage, AuditError> {
    let accounts = scope::accounts(spec, state);
    let checker = Checker {
        accounts: &accounts,
        admin: verdict::administrator()?,
        region: &spec.bootstrap.region,
        prefix: format!("{}-terraform-state-", spec.bootstrap.bucket_prefix),
    };
    let mut resources = Vec::new();
    let expected = scope::expected(spec, state);
    for e in &expected {
        if !e.account.id_known {
            findings.push(Finding {
                check: "state-storage-missing",
                severity: Severity::Warning,
                resource: format!("state storage of {}", e.account.name),
                account: e.account.key.clone(),
                account_label: e.account.label(),
                what: format!(
                    "account {} does not exist yet, so neither do its state bucket and lock table",
                    e.account.name
                ),
                why: "its Terraform has nowhere to keep state until the account is bootstrapped"
                    .to_owned(),
                fix: "run orgctl apply: it creates the account and bootstraps it".to_owned(),
            });
            for (kind, name) in [
                (ResourceKind::Bucket, None),
                (ResourceKind::Table, e.table.as_ref()),
            ] {
                if kind == ResourceKind::Table && name.is_none() {
                    continue;
                }
                resources.push(StorageResource {
                    kind,
                    name: match name {
                        Some(t) => t.name.clone(),
                        // The id is a placeholder: name the bucket by its pattern.
                        None => scope::template(spec).bucket("<account id>").name,
                    },
                    account: e.account.key.clone(),
                    account_label: e.account.label(),
                    status: ResourceStatus::AccountNotCreated,
                    checked: 0,
                    passed: Vec::new(),
                });
            }
            continue;
        }
        resources.push(checker.bucket(e, state, owners, findings));
        if let Some(table) = &e.table {
            resources.push(checker.table(&e.account, table, state, findings));
        }
    }
    // State buckets the backend holds that no bootstrapped account of the spec expects.
    for b in &state.buckets {
        if !b.name.starts_with(&checker.prefix) || expected.iter().any(|e| e.bucket.name == b.name)
        {
            continue;
        }
        let owner = accounts.iter().find(|a| a.id == b.account_id);
        let (key, label) = owner.map_or_else(
            || (String::new(), format!("account {}", b.account_id)),
            |a| (a.key.clone(), a.label()),
        );
        findings.push(Finding {
            check: "state-bucket-unexpected",
            severity: Severity::Info,
            resource: format!("s3://{}", b.name),
            account: key.clone(),
            account_label: label.clone(),
            what: "a state bucket the spec does not bootstrap".to_owned(),
            why: "state nobody manages any more still holds secrets, and orgctl no longer keeps \
                  its settings"
                .to_owned(),
            fix: "move or delete the state it holds and then the bucket, or bootstrap the account \
                  in the spec again"
                .to_owned(),
        });
        let mut passed = Vec::new();
        checker.settings(b, None, &key, &label, &mut passed, findings);
        resources.push(StorageResource {
            kind: ResourceKind::Bucket,
            name: b.name.clone(),
            account: key,
            account_label: label,
            status: ResourceStatus::Unexpected,
            checked: BUCKET_CHECKS - 1,
            passed,
        });
    }
    Ok(Storage { resources })
}

struct Checker<'a> {
    accounts: &'a [Account],
    admin: CompiledPolicy,
    region: &'a str,
    prefix: String,
}

/// What a finding is about.
struct Subject<'a> {
    resource: String,
    key: &'a str,
    label: &'a str,
}

impl Subject<'_> {
    fn finding(
        &self,
        check: &'static str,
        severity: Severity,
        what: String,
        why: &str,
        fix: &str,
    ) -> Finding {
        Finding {
            check,
            severity,
            resource: self.resource.clone(),
            account: self.key.to_owned(),
            account_label: self.label.to_owned(),
            what,
            why: why.to_owned(),
            fix: fix.to_owned(),
        }
    }
}

impl Checker<'_> {
    fn bucket(
        &self,
        e: &Expected,
        state: &State,
        owners: &BTreeMap<String, Ownership>,
        findings: &mut Vec<Finding>,
    ) -> StorageResource {
        let name = &e.bucket.name;
        let (key, label) = (e.account.key.as_str(), e.account.label());
        let subject = Subject {
            resource: format!("s3://{name}"),
            key,
            label: &label,
        };
        let mut passed = Vec::new();
        let held = state.buckets.iter().find(|b| &b.name == name);
        let foreign = |owner: Option<String>, findings: &mut Vec<Finding>| {
            let by = owner
                .as_ref()
                .map_or_else(|| "another account".to_owned(), |o| format!("account {o}"));
            findings.push(subject.finding(
                "state-bucket-owner",
                Severity::Critical,
                format!("the bucket name is owned by {by}, not by {label}"),
                "Terraform in this account would keep its state in a bucket another account \
                 controls: that account could read every secret in the state and hand back a \
                 forged one (bucket name squatting)",
                "never point this account's state at the bucket; use names only the account can \
                 create (bootstrap { bucket_namespace = \"account-regional\" }) or another \
                 bucket_prefix, then run orgctl apply",
            ));
            ResourceStatus::Foreign { owner }
        };
        let status =
            match held {
                Some(b) if b.account_id == e.account.id => {
                    passed.push("owner".to_owned());
                    self.settings(b, Some(&e.bucket), key, &label, &mut passed, findings);
                    ResourceStatus::Present
                }
                Some(b) => foreign(Some(b.account_id.clone()), findings),
                None => match owners.get(name) {
                    Some(Ownership::Other { account_id }) => foreign(account_id.clone(), findings),
                    Some(Ownership::Expected) => {
                        passed.push("owner".to_owned());
                        findings.push(subject.finding(
                        "state-bucket-unread",
                        Severity::Warning,
                        "the bucket exists in the account, but the backend did not report its \
                         settings"
                            .to_owned(),
                        "its encryption, versioning, public access block and policy could not \
                         be checked",
                        "check that the access role can read the bucket's configuration, then \
                         audit again",
                    ));
                        ResourceStatus::Present
                    }
                    other => {
                        let unknown = match other {
                            Some(Ownership::Unknown { reason }) => {
                                format!(" (its owner could not be checked: {reason})")
                            }
                            _ => String::new(),
                        };
                        findings.push(subject.finding(
                            "state-bucket-missing",
                            Severity::Warning,
                            format!("the state bucket does not exist{unknown}"),
                            "the account's Terraform has nowhere to keep state, and until the \
                         account creates the name anyone can take it",
                            "run orgctl apply (or orgctl bootstrap ACCOUNT)",
                        ));
                        ResourceStatus::Missing
                    }
                },
            };
        let checked = match status {
            ResourceStatus::Present if held.is_some() => BUCKET_CHECKS,
            ResourceStatus::Present => 1,
            _ => 0,
        };
        StorageResource {
            kind: ResourceKind::Bucket,
            name: name.clone(),
            account: key.to_owned(),
            account_label: label,
            status,
            checked,
            passed,
        }
    }

    /// The checks of a bucket's own settings and policy.
    fn settings(
        &self,
        b: &BucketState,
        want: Option<&BucketState>,
        key: &str,
        label: &str,
        passed: &mut Vec<String>,
        findings: &mut Vec<Finding>,
    ) {
        let subject = Subject {
            resource: format!("s3://{}", b.name),
            key,
            label,
        };
        let mut push = |check, severity, what: String, why: &str, fix: &str| {
            findings.push(subject.finding(check, severity, what, why, fix));
        };
        match (b.encryption, want.and_then(|w| w.encryption)) {
            (None, _) => push(
                "state-bucket-encryption",
                Severity::Warning,
                "no default encryption".to_owned(),
                "state files hold secrets (database passwords, keys); objects written without \
                 encryption headers would be stored as the bucket defaults",
                "run orgctl apply to set the spec's default encryption",
            ),
            (Some(have), Some(want)) if have != want => {
                passed.push(format!("encryption {}", have.as_str()));
                push(
                    "state-bucket-encryption",
                    Severity::Info,
                    format!(
                        "default encryption is {}, the spec says {}",
                        have.as_str(),
                        want.as_str()
                    ),
                    if want == Encryption::Kms {
                        "with SSE-KMS, reading state also needs the KMS key, whose use is logged \
                         and can be revoked"
                    } else {
                        "the bucket differs from the spec"
                    },
                    "run orgctl apply to set the spec's default encryption",
                );
            }
            (Some(have), _) => passed.push(format!("encryption {}", have.as_str())),
        }
        if b.versioning {
            passed.push("versioning".to_owned());
        } else {
            push(
                "state-bucket-versioning",
                Severity::Warning,
                "versioning is off".to_owned(),
                "a corrupted, overwritten or deleted state file cannot be recovered; Terraform \
                 then no longer knows what it manages",
                "run orgctl apply to turn versioning on",
            );
        }
        if b.public_access_block {
            passed.push("public access block".to_owned());
        } else {
            push(
                "state-bucket-public-access-block",
                Severity::Warning,
                "not all four public access block settings are on".to_owned(),
                "without BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and \
                 RestrictPublicBuckets, one ACL or policy change can make state public",
                "run orgctl apply to turn all four on",
            );
        }
        let policy = match &b.policy {
            None => {
                push(
                    "state-bucket-policy",
                    Severity::Warning,
                    "the bucket has no policy".to_owned(),
                    "nothing denies plain-HTTP requests or other accounts' principals",
                    "run orgctl apply to set orgctl's state bucket policy",
                );
                None
            }
            Some(text) => match Policy::parse(text) {
                Ok(p) => Some(CompiledPolicy::new("bucket policy", &p)),
                Err(e) => {
                    push(
                        "state-bucket-policy",
                        Severity::Warning,
                        format!("the bucket policy cannot be read: {e}"),
                        "what it allows and denies cannot be decided",
                        "run orgctl apply to set orgctl's state bucket policy",
                    );
                    return;
                }
            },
        };
        self.tls(b, policy.clone(), passed, &mut push);
        self.same_account(b, policy, passed, &mut push);
    }

    /// A request over plain HTTP from the owner's administrator must be denied by the bucket
    /// policy.
    fn tls(
        &self,
        b: &BucketState,
        policy: Option<CompiledPolicy>,
        passed: &mut Vec<String>,
        push: &mut impl FnMut(&'static str, Severity, String, &str, &str),
    ) {
        let judge = Judge::resource_only(vec![self.admin.clone()], policy, "bucket policy");
        let principal = verdict::admin_principal(&b.account_id);
        let object = verdict::object_arn(&b.name, STATE_KEY);
        let bucket = verdict::bucket_arn(&b.name);
        let sse = b.encryption.map(Encryption::as_str);
        let open: Vec<String> = [
            ("s3:GetObject", &object, None),
            ("s3:PutObject", &object, sse),
            ("s3:ListBucket", &bucket, None),
        ]
        .into_iter()
        .filter_map(|(action, resource, sse)| {
            let v = judge.decide(
                &principal,
                action,
                resource,
                &b.account_id,
                verdict::context(self.region, false, sse),
            );
            let denied =
                v.outcome == "ExplicitDeny" && v.decided_by.iter().any(|c| c.layer == "resource");
            (!denied).then(|| format!("{action} is {}", v.outcome))
        })
        .collect();
        if open.is_empty() {
            passed.push("TLS only".to_owned());
        } else {
            push(
                "state-bucket-tls",
                Severity::Warning,
                format!(
                    "the bucket policy does not deny requests over plain HTTP \
                     (aws:SecureTransport false): {}",
                    open.join(", ")
                ),
                "state could be read or written unencrypted in transit",
                "deny s3:* when aws:SecureTransport is false, as orgctl's state bucket policy \
                 does: run orgctl apply",
            );
        }
    }

    /// No administrator of another account, and no anonymous caller, is allowed through the
    /// bucket policy; other accounts should be denied explicitly, not only for want of a grant.
    fn same_account(
        &self,
        b: &BucketState,
        policy: Option<CompiledPolicy>,
        passed: &mut Vec<String>,
        push: &mut impl FnMut(&'static str, Severity, String, &str, &str),
    ) {
        let judge = Judge::resource_only(vec![self.admin.clone()], policy.clone(), "bucket policy");
        // An anonymous caller has no identity policy: only the bucket policy can let it in.
        let anonymous = Judge::resource_only(Vec::new(), policy, "bucket policy");
        let object = verdict::object_arn(&b.name, STATE_KEY);
        let bucket = verdict::bucket_arn(&b.name);
        let sse = b.encryption.map(Encryption::as_str);
        let requests = [
            ("s3:GetObject", &object, None),
            ("s3:PutObject", &object, sse),
            ("s3:DeleteObject", &object, None),
            ("s3:ListBucket", &bucket, None),
        ];
        let outside = OUTSIDE_ACCOUNTS
            .iter()
            .find(|o| !self.accounts.iter().any(|a| a.id == **o))
            .copied()
            .unwrap_or(OUTSIDE_ACCOUNTS[0]);
        let mut others: Vec<(String, String)> = self
            .accounts
            .iter()
            .filter(|a| a.id != b.account_id)
            .map(|a| (verdict::admin_principal(&a.id), a.label()))
            .collect();
        others.push((
            verdict::admin_principal(outside),
            format!("{outside} (outside the organization)"),
        ));
        let mut allowed = Vec::new();
        let mut implicit = Vec::new();
        for (principal, who) in &others {
            let mut granted = Vec::new();
            for (action, resource, sse) in requests {
                let v = judge.decide(
                    principal,
                    action,
                    resource,
                    &b.account_id,
                    verdict::context(self.region, true, sse),
                );
                if v.allowed() {
                    granted.push(action);
                } else if v.outcome != "ExplicitDeny" && !implicit.contains(who) {
                    implicit.push(who.clone());
                }
            }
            if !granted.is_empty() {
                allowed.push(format!("{who}: {}", granted.join(", ")));
            }
        }
        let mut public = Vec::new();
        for (action, resource, sse) in requests {
            let v = anonymous.decide(
                "anonymous",
                action,
                resource,
                &b.account_id,
                verdict::context(self.region, true, sse),
            );
            if v.allowed() {
                public.push(action);
            }
        }
        if !public.is_empty() {
            let (severity, note) = if b.public_access_block {
                (
                    Severity::Warning,
                    " (the public access block stops it while all four settings stay on)",
                )
            } else {
                (Severity::Critical, "")
            };
            push(
                "state-bucket-public",
                severity,
                format!(
                    "the bucket policy allows anonymous callers {}{note}",
                    public.join(", ")
                ),
                "anyone on the internet could read or replace the state and the secrets in it",
                "remove the statements that grant Principal \"*\"; orgctl's state bucket policy \
                 grants nobody: run orgctl apply",
            );
        }
        if !allowed.is_empty() {
            push(
                "state-bucket-other-accounts",
                Severity::Critical,
                format!(
                    "the bucket policy lets other accounts' administrators in: {}",
                    allowed.join("; ")
                ),
                "credentials stolen in any of those accounts reach this account's state: the \
                 isolation per-account state exists for is gone",
                "remove the grants, and deny principals of other accounts (aws:PrincipalAccount), \
                 as orgctl's state bucket policy does: run orgctl apply",
            );
        } else if !implicit.is_empty() {
            passed.push("own account only".to_owned());
            push(
                "state-bucket-other-accounts",
                Severity::Info,
                format!(
                    "other accounts are kept out only because nothing grants them, not by a \
                     deny: {}",
                    implicit.join(", ")
                ),
                "one mistaken grant added later would open the state to another account",
                "deny every principal whose aws:PrincipalAccount is not the bucket's account, as \
                 orgctl's state bucket policy does: run orgctl apply",
            );
        } else if public.is_empty() {
            passed.push("own account only".to_owned());
        }
    }

    fn table(
        &self,
        account: &Account,
        want: &TableState,
        state: &State,
        findings: &mut Vec<Finding>,
    ) -> StorageResource {
        let label = account.label();
        let subject = Subject {
            resource: format!("dynamodb table {}", want.name),
            key: &account.key,
            label: &label,
        };
        let mut passed = Vec::new();
        let mut push = |check, severity, what: String, why: &str, fix: &str| {
            findings.push(subject.finding(check, severity, what, why, fix));
        };
        let have = state
            .tables
            .iter()
            .find(|t| t.account_id == account.id && t.name == want.name);
        let status = match have {
            None => {
                push(
                    "lock-table-missing",
                    Severity::Warning,
                    "the lock table does not exist".to_owned(),
                    "Terraform runs cannot take the state lock, so two runs can write the same \
                     state at once",
                    "run orgctl apply (or orgctl bootstrap ACCOUNT)",
                );
                ResourceStatus::Missing
            }
            Some(t) => {
                passed.push("owner".to_owned());
                if t.encrypted {
                    passed.push("encryption aws:kms".to_owned());
                } else {
                    push(
                        "lock-table-encryption",
                        Severity::Info,
                        "encrypted with an AWS owned key, not a KMS key".to_owned(),
                        "DynamoDB encrypts every table at rest; a KMS key adds logged, revocable \
                         use of the key",
                        "run orgctl apply to set server-side encryption with KMS",
                    );
                }
                if t.point_in_time_recovery {
                    passed.push("point-in-time recovery".to_owned());
                } else {
                    push(
                        "lock-table-recovery",
                        Severity::Info,
                        "point-in-time recovery is off".to_owned(),
                        "a deleted or damaged table, with the state digests Terraform keeps \
                         there, cannot be restored",
                        "run orgctl apply to turn point-in-time recovery on",
                    );
                }
                ResourceStatus::Present
            }
        };
        StorageResource {
            kind: ResourceKind::Table,
            name: want.name.clone(),
            account: account.key.clone(),
            account_label: label,
            checked: if have.is_some() { TABLE_CHECKS } else { 0 },
            status,
            passed,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;
    use crate::testing::{self, DEV, MGMT, PROD, SHARED};

    /// A state whose every account has the bucket and table orgctl creates.
    fn intact(spec: &Spec) -> State {
        let template = scope::template(spec);
        let mut state = State::default();
        for id in [MGMT, SHARED, DEV, PROD] {
            state.buckets.push(template.bucket(id));
            state.tables.extend(template.table(id));
        }
        state
    }

    fn run(
        spec: &Spec,
        state: &State,
        owners: &BTreeMap<String, Ownership>,
    ) -> (Storage, Vec<Finding>) {
        let mut findings = Vec::new();
        let storage = check(spec, state, owners, &mut findings).unwrap();
        (storage, findings)
    }

    fn bucket_mut<'a>(state: &'a mut State, id: &str) -> &'a mut BucketState {
        state
            .buckets
            .iter_mut()
            .find(|b| b.account_id == id)
            .unwrap()
    }

    #[test]
    fn buckets_and_tables_as_orgctl_creates_them_pass_every_check() {
        let spec = testing::spec(None);
        let (storage, findings) = run(&spec, &intact(&spec), &BTreeMap::new());
        assert!(findings.is_empty(), "{findings:#?}");
        assert_eq!(storage.resources.len(), 8);
        let bucket = storage.resources.first().unwrap();
        assert_eq!(bucket.status, ResourceStatus::Present);
        assert_eq!(bucket.checked, BUCKET_CHECKS);
        assert_eq!(bucket.passed.len(), BUCKET_CHECKS);
        assert_eq!(
            bucket.passed,
            [
                "owner",
                "encryption aws:kms",
                "versioning",
                "public access block",
                "TLS only",
                "own account only"
            ]
        );
    }

    #[test]
    fn a_bucket_without_a_tls_only_policy_is_flagged() {
        let spec = testing::spec(None);
        let mut state = intact(&spec);
        let bucket = bucket_mut(&mut state, DEV);
        // orgctl's policy without its first statement (DenyInsecureTransport).
        let mut policy: serde_json::Value =
            serde_json::from_str(bucket.policy.as_deref().unwrap()).unwrap();
        policy["Statement"].as_array_mut().unwrap().remove(0);
        bucket.policy = Some(policy.to_string());
        let (_, findings) = run(&spec, &state, &BTreeMap::new());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = findings.first().unwrap();
        assert_eq!(
            (f.check, f.severity),
            ("state-bucket-tls", Severity::Warning)
        );
        assert_eq!(f.account, "dev");
        assert!(f.what.contains("s3:GetObject is Allow"), "{}", f.what);
    }

    #[test]
    fn a_squatted_bucket_is_flagged() {
        let spec = testing::spec(None);
        let mut state = intact(&spec);
        let name = bucket_mut(&mut state, DEV).name.clone();
        state.buckets.retain(|b| b.name != name);
        let owners = BTreeMap::from([(
            name.clone(),
            Ownership::Other {
                account_id: Some("999988887777".to_owned()),
            },
        )]);
        let (storage, findings) = run(&spec, &state, &owners);
        let f = findings.first().unwrap();
        assert_eq!(
            (f.check, f.severity),
            ("state-bucket-owner", Severity::Critical)
        );
        assert!(f.what.contains("account 999988887777"), "{}", f.what);
        let r = storage.resources.iter().find(|r| r.name == name).unwrap();
        assert_eq!(
            r.status,
            ResourceStatus::Foreign {
                owner: Some("999988887777".to_owned())
            }
        );
        // Held by another account of the organization: the same finding.
        let mut state = intact(&spec);
        bucket_mut(&mut state, DEV).account_id = PROD.to_owned();
        let (_, findings) = run(&spec, &state, &BTreeMap::new());
        assert!(
            findings
                .iter()
                .any(|f| f.check == "state-bucket-owner" && f.account == "dev"),
            "{findings:#?}"
        );
    }

    #[test]
    fn a_bucket_open_to_another_account_or_to_anyone_is_critical() {
        let spec = testing::spec(None);
        let mut state = intact(&spec);
        let bucket = bucket_mut(&mut state, PROD);
        bucket.public_access_block = false;
        bucket.policy = Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[
              {{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::{0}/*","Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},
              {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{DEV}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{0}/*"}},
              {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{0}/*"}}]}}"#,
            bucket.name
        ));
        let (_, findings) = run(&spec, &state, &BTreeMap::new());
        let checks: Vec<(&str, Severity)> =
            findings.iter().map(|f| (f.check, f.severity)).collect();
        assert!(
            checks.contains(&("state-bucket-public", Severity::Critical)),
            "{checks:?}"
        );
        assert!(
            checks.contains(&("state-bucket-other-accounts", Severity::Critical)),
            "{checks:?}"
        );
        assert!(
            checks.contains(&("state-bucket-public-access-block", Severity::Warning)),
            "{checks:?}"
        );
        // ListBucket over plain HTTP is not denied: the deny names objects only.
        assert!(
            checks.contains(&("state-bucket-tls", Severity::Warning)),
            "{checks:?}"
        );
    }

    #[test]
    fn missing_settings_and_resources_are_reported() {
        let spec = testing::spec(None);
        let mut state = intact(&spec);
        let bucket = bucket_mut(&mut state, SHARED);
        bucket.versioning = false;
        bucket.encryption = None;
        bucket.policy = None;
        state.tables.retain(|t| t.account_id != DEV);
        if let Some(t) = state.tables.iter_mut().find(|t| t.account_id == PROD) {
            t.point_in_time_recovery = false;
        }
        let (storage, findings) = run(&spec, &state, &BTreeMap::new());
        let checks: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.check, f.account.as_str()))
            .collect();
        for want in [
            ("state-bucket-versioning", "shared"),
            ("state-bucket-encryption", "shared"),
            ("state-bucket-policy", "shared"),
            ("state-bucket-tls", "shared"),
            ("state-bucket-other-accounts", "shared"),
            ("lock-table-missing", "dev"),
            ("lock-table-recovery", "prod"),
        ] {
            assert!(checks.contains(&want), "{want:?} in {checks:?}");
        }
        // No policy grants nothing to anyone: only the missing denies are findings.
        assert!(
            !checks.iter().any(|(c, _)| *c == "state-bucket-public"),
            "{checks:?}"
        );
        let table = storage
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Table && r.account == "dev")
            .unwrap();
        assert_eq!(table.status, ResourceStatus::Missing);
    }

    #[test]
    fn state_buckets_the_spec_does_not_expect_are_reported() {
        let spec = testing::spec(None);
        let mut state = intact(&spec);
        let mut stray = scope::template(&spec).bucket("555555555555");
        stray.versioning = false;
        state.buckets.push(stray);
        let (storage, findings) = run(&spec, &state, &BTreeMap::new());
        assert!(
            findings
                .iter()
                .any(|f| f.check == "state-bucket-unexpected")
        );
        assert!(
            findings
                .iter()
                .any(|f| f.check == "state-bucket-versioning")
        );
        assert_eq!(
            storage.resources.last().unwrap().status,
            ResourceStatus::Unexpected
        );
    }
}
