//! The backend conformance suite: one list of checks of the [`Backend`] contract, run against
//! every backend (the sandbox, and the AWS backend against moto), so that a plan means the
//! same thing whichever backend carries it out.
//!
//! Each check states what AWS Organizations, S3 and DynamoDB do. Where an emulator is known
//! not to do it, the backend's test passes a [`Gaps`] entry naming the check, and the suite
//! records it as skipped with the reason instead of asserting, so every gap is visible.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orgctl_org::{
    Backend, BackendError, BucketOwner, BucketState, CreateAccountState, Encryption, PolicyKind,
    State, TableState,
};

/// Checks a backend is known to fail, each with the reason.
#[derive(Debug, Clone, Default)]
pub struct Gaps {
    /// Check name, reason.
    pub skipped: Vec<(&'static str, &'static str)>,
}

impl Gaps {
    fn reason(&self, check: &str) -> Option<&'static str> {
        self.skipped
            .iter()
            .find(|(c, _)| *c == check)
            .map(|(_, r)| *r)
    }
}

/// What the suite found.
#[derive(Debug, Default)]
pub struct Report {
    /// Checks passed.
    pub passed: Vec<&'static str>,
    /// Checks skipped as known gaps, with the reason.
    pub skipped: Vec<(&'static str, &'static str)>,
    /// Checks failed, with what went wrong.
    pub failed: Vec<(&'static str, String)>,
}

impl Report {
    /// One line per check, for a test's failure message.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for p in &self.passed {
            let _ = writeln!(s, "ok    {p}");
        }
        for (c, r) in &self.skipped {
            let _ = writeln!(s, "gap   {c}: {r}");
        }
        for (c, e) in &self.failed {
            let _ = writeln!(s, "FAIL  {c}: {e}");
        }
        s
    }
}

/// The fixed inputs of a run.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The management account the backend's caller is.
    pub management_account_id: String,
    /// The region of buckets and tables.
    pub region: String,
}

/// The second version of the test policy.
const DOC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:DeleteBucket","s3:DeleteObject"],"Resource":"*"}]}"#;

type Check = fn(&mut dyn Backend, &Setup, &mut Ctx) -> Result<(), String>;

/// Ids learned along the way, shared by the checks (they run in order).
#[derive(Debug, Default)]
struct Ctx {
    root: String,
    unit: String,
    account: String,
    policy: String,
}

fn state(b: &dyn Backend) -> Result<State, String> {
    b.read_state(&[]).map_err(|e| format!("read_state: {e}"))
}

fn expect_err(
    what: &str,
    r: Result<impl std::fmt::Debug, BackendError>,
    ok: fn(&BackendError) -> bool,
) -> Result<(), String> {
    match r {
        Err(e) if ok(&e) => Ok(()),
        Err(e) => Err(format!("{what}: wrong error {e:?}")),
        Ok(v) => Err(format!("{what}: succeeded ({v:?}) but AWS refuses it")),
    }
}

fn ensure(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.into()) }
}

const CHECKS: &[(&str, Check)] = &[
    ("no organization at first", |b, _, _| {
        ensure(
            state(b)?.organization.is_none(),
            "an organization exists before it was created",
        )
    }),
    ("create organization", |b, s, c| {
        b.create_organization(&s.management_account_id)
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        let org = st.organization.ok_or("no organization after creating it")?;
        ensure(
            org.management_account_id == s.management_account_id,
            "wrong management account",
        )?;
        ensure(
            org.root_id.starts_with("r-"),
            format!("root id {}", org.root_id),
        )?;
        ensure(
            st.accounts
                .iter()
                .any(|a| a.id == s.management_account_id && a.parent_id == org.root_id),
            "the management account is not at the root",
        )?;
        c.root = org.root_id;
        Ok(())
    }),
    ("a second organization is refused", |b, s, _| {
        expect_err(
            "create_organization twice",
            b.create_organization(&s.management_account_id),
            |e| {
                matches!(
                    e,
                    BackendError::AlreadyExists { .. } | BackendError::ConstraintViolation { .. }
                )
            },
        )
    }),
    (
        "enabling SCPs attaches FullAWSAccess everywhere",
        |b, s, c| {
            b.enable_policy_type(&c.root, PolicyKind::Scp)
                .map_err(|e| e.to_string())?;
            let st = state(b)?;
            let org = st.organization.as_ref().ok_or("no organization")?;
            ensure(
                org.enabled_policy_types.contains(&PolicyKind::Scp),
                "SCPs not enabled",
            )?;
            let full = st
                .policies
                .iter()
                .find(|p| p.aws_managed && p.name == "FullAWSAccess")
                .ok_or("no FullAWSAccess")?;
            for target in [&c.root, &s.management_account_id] {
                ensure(
                    st.attachments
                        .iter()
                        .any(|a| a.policy_id == full.id && &a.target_id == target),
                    format!("FullAWSAccess not attached to {target}"),
                )?;
            }
            Ok(())
        },
    ),
    ("create an OU", |b, _, c| {
        c.unit = b
            .create_unit(&c.root, "Workloads")
            .map_err(|e| e.to_string())?;
        ensure(c.unit.starts_with("ou-"), format!("OU id {}", c.unit))?;
        let st = state(b)?;
        ensure(
            st.units
                .iter()
                .any(|u| u.id == c.unit && u.parent_id == c.root && u.name == "Workloads"),
            "OU not read back",
        )
    }),
    ("a duplicate OU name is refused", |b, _, c| {
        expect_err("duplicate OU", b.create_unit(&c.root, "Workloads"), |e| {
            matches!(e, BackendError::AlreadyExists { .. })
        })
    }),
    ("create an account and poll it", |b, _, c| {
        let tags = BTreeMap::from([("team".to_owned(), "platform".to_owned())]);
        let mut status = b
            .create_account("Dev", "aws-dev@conformance.example", &tags)
            .map_err(|e| e.to_string())?;
        for _ in 0..20 {
            if status.state != CreateAccountState::InProgress {
                break;
            }
            status = b
                .describe_create_account(&status.request_id)
                .map_err(|e| e.to_string())?;
        }
        ensure(
            status.state == CreateAccountState::Succeeded,
            format!("creation ended {:?}", status.state),
        )?;
        c.account = status.account_id.ok_or("no account id")?;
        ensure(
            c.account.len() == 12 && c.account.bytes().all(|d| d.is_ascii_digit()),
            format!("account id {}", c.account),
        )?;
        let st = state(b)?;
        let a = st.account(&c.account).ok_or("account not read back")?;
        ensure(a.parent_id == c.root, "a new account is not at the root")?;
        ensure(
            a.tags.get("team").map(String::as_str) == Some("platform"),
            format!("tags {:?}", a.tags),
        )?;
        ensure(
            st.account_requests
                .iter()
                .any(|r| r.account_id.as_deref() == Some(c.account.as_str())),
            "the creation request is not listed",
        )
    }),
    ("move an account", |b, _, c| {
        b.move_account(&c.account, &c.root, &c.unit)
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        ensure(
            st.account(&c.account)
                .is_some_and(|a| a.parent_id == c.unit),
            "account not moved",
        )
    }),
    ("a move from the wrong parent is refused", |b, _, c| {
        expect_err(
            "move from the wrong parent",
            b.move_account(&c.account, &c.root, &c.unit),
            |e| {
                matches!(
                    e,
                    BackendError::NotFound { .. }
                        | BackendError::AlreadyExists { .. }
                        | BackendError::ConstraintViolation { .. }
                )
            },
        )
    }),
    ("tag an account", |b, _, c| {
        let set = BTreeMap::from([("env".to_owned(), "dev".to_owned())]);
        b.tag_account(&c.account, &set, &["team".to_owned()])
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        let tags = &st.account(&c.account).ok_or("account gone")?.tags;
        ensure(
            tags.get("env").map(String::as_str) == Some("dev") && !tags.contains_key("team"),
            format!("tags {tags:?}"),
        )
    }),
    ("create, update and attach a policy", |b, _, c| {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;
        c.policy = b
            .create_policy(PolicyKind::Scp, "NoBucketDeletion", "test", doc)
            .map_err(|e| e.to_string())?;
        b.update_policy(&c.policy, "NoBucketDeletion", "updated", DOC2)
            .map_err(|e| e.to_string())?;
        b.attach_policy(&c.policy, &c.unit)
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        let p = st.policy(&c.policy).ok_or("policy not read back")?;
        ensure(p.description == "updated", "description not updated")?;
        let same = serde_json::from_str::<serde_json::Value>(&p.content).ok()
            == serde_json::from_str::<serde_json::Value>(DOC2).ok();
        ensure(same, format!("document not updated: {}", p.content))?;
        ensure(
            st.attachments
                .iter()
                .any(|a| a.policy_id == c.policy && a.target_id == c.unit),
            "attachment not read back",
        )
    }),
    ("a duplicate policy name is refused", |b, _, _| {
        expect_err(
            "duplicate policy name",
            b.create_policy(PolicyKind::Scp, "NoBucketDeletion", "test", DOC2),
            |e| matches!(e, BackendError::AlreadyExists { .. }),
        )
    }),
    ("a policy attached twice is refused", |b, _, c| {
        expect_err("attach twice", b.attach_policy(&c.policy, &c.unit), |e| {
            matches!(e, BackendError::AlreadyExists { .. })
        })
    }),
    ("an attached policy cannot be deleted", |b, _, c| {
        expect_err(
            "delete an attached policy",
            b.delete_policy(&c.policy),
            |e| matches!(e, BackendError::ConstraintViolation { .. }),
        )
    }),
    ("detach and delete a policy", |b, _, c| {
        b.detach_policy(&c.policy, &c.unit)
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        ensure(
            !st.attachments.iter().any(|a| a.policy_id == c.policy),
            "still attached",
        )?;
        b.delete_policy(&c.policy).map_err(|e| e.to_string())?;
        ensure(state(b)?.policy(&c.policy).is_none(), "policy not deleted")
    }),
    (
        "a policy that is not attached cannot be detached",
        |b, _, c| {
            expect_err(
                "detach FullAWSAccess from nowhere",
                b.detach_policy(&c.policy, &c.unit),
                |e| matches!(e, BackendError::NotFound { .. }),
            )
        },
    ),
    ("the last SCP of a node cannot be detached", |b, _, c| {
        expect_err(
            "detach FullAWSAccess from its only node",
            b.detach_policy("p-FullAWSAccess", &c.unit),
            |e| matches!(e, BackendError::ConstraintViolation { .. }),
        )
    }),
    ("delegated administrators", |b, s, c| {
        b.enable_service_access("guardduty.amazonaws.com")
            .map_err(|e| e.to_string())?;
        b.register_delegated_admin(&c.account, "guardduty.amazonaws.com")
            .map_err(|e| e.to_string())?;
        let st = state(b)?;
        ensure(
            st.trusted_services
                .iter()
                .any(|t| t == "guardduty.amazonaws.com"),
            "trusted access not read back",
        )?;
        ensure(
            st.delegated_admins
                .iter()
                .any(|d| d.account_id == c.account),
            "delegated admin not read back",
        )?;
        expect_err(
            "the management account as delegated admin",
            b.register_delegated_admin(&s.management_account_id, "guardduty.amazonaws.com"),
            |e| matches!(e, BackendError::ConstraintViolation { .. }),
        )
    }),
    (
        "caller identity in the management and a member account",
        |b, s, c| {
            let own = b.caller_identity(None).map_err(|e| e.to_string())?;
            ensure(
                own.account_id == s.management_account_id,
                format!("caller is {}", own.account_id),
            )?;
            let member = b
                .caller_identity(Some(&c.account))
                .map_err(|e| e.to_string())?;
            ensure(
                member.account_id == c.account,
                format!("the access role reached {}", member.account_id),
            )
        },
    ),
    ("a state bucket, created once", |b, s, c| {
        let name = format!("conformance-terraform-state-{}", c.account);
        ensure(
            b.bucket_owner(&c.account, &name)
                .map_err(|e| e.to_string())?
                == BucketOwner::Absent,
            "bucket exists before creation",
        )?;
        let bucket = BucketState {
            account_id: c.account.clone(),
            name: name.clone(),
            region: s.region.clone(),
            versioning: true,
            encryption: Some(Encryption::Aes256),
            public_access_block: true,
            policy: None,
            noncurrent_expiration_days: Some(90),
            object_lock: false,
        };
        b.put_bucket(&bucket).map_err(|e| e.to_string())?;
        ensure(
            b.bucket_owner(&c.account, &name)
                .map_err(|e| e.to_string())?
                == BucketOwner::Caller,
            "not owned by the account",
        )?;
        let probe = orgctl_org::BootstrapProbe {
            account_id: c.account.clone(),
            bucket: name.clone(),
            table: None,
            region: s.region.clone(),
        };
        let st = b.read_state(&[probe]).map_err(|e| e.to_string())?;
        let got = st
            .buckets
            .iter()
            .find(|x| x.name == name)
            .ok_or("bucket not read back")?;
        ensure(got == &bucket, format!("bucket read back as {got:?}"))
    }),
    ("a lock table", |b, s, c| {
        let table = TableState {
            account_id: c.account.clone(),
            name: "conformance-locks".to_owned(),
            region: s.region.clone(),
            hash_key: "LockID".to_owned(),
            on_demand: true,
            point_in_time_recovery: true,
            encrypted: true,
        };
        b.put_table(&table).map_err(|e| e.to_string())?;
        let probe = orgctl_org::BootstrapProbe {
            account_id: c.account.clone(),
            bucket: format!("conformance-terraform-state-{}", c.account),
            table: Some(table.name.clone()),
            region: s.region.clone(),
        };
        let st = b.read_state(&[probe]).map_err(|e| e.to_string())?;
        let got = st
            .tables
            .iter()
            .find(|t| t.name == table.name)
            .ok_or("table not read back")?;
        ensure(got == &table, format!("table read back as {got:?}"))
    }),
    ("an OU holding an account cannot be deleted", |b, _, c| {
        expect_err(
            "delete an OU holding an account",
            b.delete_unit(&c.unit),
            |e| matches!(e, BackendError::ConstraintViolation { .. }),
        )
    }),
    ("delete an empty OU", |b, _, c| {
        let spare = b.create_unit(&c.root, "Spare").map_err(|e| e.to_string())?;
        b.delete_unit(&spare).map_err(|e| e.to_string())?;
        ensure(state(b)?.unit(&spare).is_none(), "OU not deleted")
    }),
];

/// Runs every check in order against a backend with no organization yet.
pub fn run(backend: &mut dyn Backend, setup: &Setup, gaps: &Gaps) -> Report {
    let mut report = Report::default();
    let mut ctx = Ctx::default();
    for (name, check) in CHECKS {
        if let Some(reason) = gaps.reason(name) {
            report.skipped.push((name, reason));
            continue;
        }
        match check(backend, setup, &mut ctx) {
            Ok(()) => report.passed.push(name),
            Err(e) => report.failed.push((name, e)),
        }
    }
    report
}

/// The names of every check, in order.
pub fn checks() -> Vec<&'static str> {
    CHECKS.iter().map(|(n, _)| *n).collect()
}
