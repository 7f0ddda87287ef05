//! The embedded sandbox: an AWS organization kept in one SQLite file, behind orgctl's
//! [`Backend`](orgctl_org::Backend) trait.
//!
//! It behaves as AWS Organizations does where plan and apply can tell: ids of AWS's shapes
//! (derived deterministically, so repeated runs agree), the same refusals (duplicate names,
//! OU depth, the last SCP of a target, attachment quotas), asynchronous account creation, and
//! service control policies enforced, with the orgctl evaluator, on every call made inside a
//! member account.
//!
//! ```
//! use orgctl_org::{Backend, PolicyKind};
//! use orgctl_sandbox::{Sandbox, SandboxOptions};
//!
//! let mut sandbox = Sandbox::in_memory(SandboxOptions {
//!     management_account_id: "111111111111".into(),
//!     ..SandboxOptions::default()
//! })?;
//! sandbox.create_organization("111111111111")?;
//! let root = sandbox.read_state(&[])?.organization.map(|o| o.root_id).unwrap_or_default();
//! sandbox.enable_policy_type(&root, PolicyKind::Scp)?;
//! let ou = sandbox.create_unit(&root, "Workloads")?;
//! assert!(ou.starts_with("ou-"));
//! assert_eq!(sandbox.mutation_count()?, 3);
//! # Ok::<(), orgctl_org::BackendError>(())
//! ```
//!
//! Every mutating call runs in one SQLite transaction and, when it changed something, is
//! recorded in the `calls` table in that same transaction ([`Sandbox::mutation_count`]).
//! `read_state` ignores its bootstrap probes: it returns every bucket and lock table of the
//! organization's accounts (buckets of outside accounts, from
//! [`Sandbox::create_foreign_bucket`], show only through `bucket_owner`).
//! `describe_create_account` is a read, as in AWS, though the poll that finishes a request
//! writes the account. This crate never prints.

mod accounts;
mod backend;
mod db;
mod enforce;
mod ids;
mod organizations;
mod policies;
mod read;
mod resources;
mod schema;
mod snapshot;
mod trails;
mod units;

use std::path::Path;

use orgctl_org::{BackendError, BucketState};
use rusqlite::Connection;

use crate::db::Db;

/// How a sandbox behaves: whose organization it is, and the quotas it enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxOptions {
    /// The 12-digit account the sandbox's credentials belong to: the only account that may
    /// create the organization, and its management account.
    pub management_account_id: String,
    /// The role member-account calls run as (`OrganizationAccountAccessRole`).
    pub access_role_name: String,
    /// The Organizations quotas.
    pub quotas: SandboxQuotas,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            management_account_id: "111111111111".to_owned(),
            access_role_name: "OrganizationAccountAccessRole".to_owned(),
            quotas: SandboxQuotas::default(),
        }
    }
}

/// The Organizations quotas a sandbox enforces, AWS's defaults unless changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxQuotas {
    /// Policies of one type attached to one root, OU or account, the full-access policy
    /// included (10).
    pub max_policies_per_target: u32,
    /// Levels of OUs below the root; the root's children are at depth 1 (5).
    pub max_ou_depth: u32,
    /// Characters of a policy document as stored (10,240). AWS counts the document as sent
    /// through the API, whitespace included.
    pub max_policy_size: u32,
    /// Accounts in the organization, the management account included (10,000).
    pub max_accounts: u32,
}

impl Default for SandboxQuotas {
    fn default() -> Self {
        Self {
            max_policies_per_target: 10,
            max_ou_depth: 5,
            max_policy_size: 10_240,
            max_accounts: 10_000,
        }
    }
}

/// An AWS organization in one SQLite file. Implements [`orgctl_org::Backend`].
#[derive(Debug)]
pub struct Sandbox {
    conn: Connection,
    options: SandboxOptions,
    /// Mutating calls still allowed before an injected fault, when one is armed.
    fault: Option<u64>,
    policies: enforce::PolicyCache,
}

/// What a mutating call works with, inside its transaction.
pub(crate) struct Ctx<'a> {
    /// The transaction.
    pub(crate) db: &'a Connection,
    /// The sandbox's options.
    pub(crate) options: &'a SandboxOptions,
    /// Compiled policies, kept across calls.
    pub(crate) policies: &'a mut enforce::PolicyCache,
}

impl Sandbox {
    /// Opens the sandbox file at `path`, creating the file and its schema when absent.
    ///
    /// # Errors
    /// An invalid management account id, a file that is not a sandbox or is of another
    /// schema version, or SQLite failures.
    pub fn open(path: &Path, options: SandboxOptions) -> Result<Self, BackendError> {
        Self::with_connection(Connection::open(path).db()?, options)
    }

    /// A sandbox that lives in memory only, for tests.
    ///
    /// # Errors
    /// An invalid management account id.
    pub fn in_memory(options: SandboxOptions) -> Result<Self, BackendError> {
        Self::with_connection(Connection::open_in_memory().db()?, options)
    }

    fn with_connection(
        mut conn: Connection,
        options: SandboxOptions,
    ) -> Result<Self, BackendError> {
        if !ids::is_account_id(&options.management_account_id) {
            return Err(BackendError::InvalidInput {
                message: format!(
                    "management account id `{}` is not 12 digits",
                    options.management_account_id
                ),
            });
        }
        if options.access_role_name.is_empty() {
            return Err(BackendError::InvalidInput {
                message: "the access role name is empty".to_owned(),
            });
        }
        schema::prepare(&mut conn)?;
        Ok(Self {
            conn,
            options,
            fault: None,
            policies: enforce::PolicyCache::default(),
        })
    }

    /// The options the sandbox was opened with.
    pub fn options(&self) -> &SandboxOptions {
        &self.options
    }

    /// How many mutating calls changed something, since the file was created. Calls that
    /// failed or found nothing to change are not counted; reads never are.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn mutation_count(&self) -> Result<u64, BackendError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM calls", [], |row| row.get(0))
            .db()?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): the problems it finds,
    /// none when the database is sound.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn integrity_problems(&self) -> Result<Vec<String>, BackendError> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check").db()?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .db()?
            .collect::<Result<Vec<String>, _>>()
            .db()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Arms fault injection: the next `n` mutating calls run as usual, and the one after
    /// fails with [`BackendError::Backend`] (`injected fault ...`) without changing anything.
    /// Later calls run as usual again. Reads, including `describe_create_account`, do not
    /// count.
    pub fn fail_after(&mut self, n: u64) {
        self.fault = Some(n);
    }

    /// Creates a bucket owned by `owner_account_id`, an account outside the organization, to
    /// test name squatting. Its settings are S3's defaults.
    ///
    /// # Errors
    /// The name taken, an owner that is a member of the organization, or SQLite failures.
    pub fn create_foreign_bucket(
        &mut self,
        owner_account_id: &str,
        name: &str,
        region: &str,
    ) -> Result<(), BackendError> {
        resources::create_foreign_bucket(
            &self.conn,
            &BucketState {
                account_id: owner_account_id.to_owned(),
                name: name.to_owned(),
                region: region.to_owned(),
                versioning: false,
                encryption: None,
                public_access_block: false,
                policy: None,
                noncurrent_expiration_days: None,
                object_lock: false,
            },
        )
    }

    /// Loads a whole organization (read from another backend) into this sandbox, which must
    /// hold none, in one transaction: a copy to try changes on before they reach AWS.
    ///
    /// # Errors
    /// When the sandbox holds an organization already, the state has none, or SQLite fails.
    pub fn load_state(&mut self, state: &orgctl_org::State) -> Result<(), BackendError> {
        snapshot::load(&mut self.conn, state)
    }

    /// Runs one mutating call in one transaction, recording it in `calls` when it changed
    /// something; an error rolls everything back.
    fn mutate<T>(
        &mut self,
        call: &str,
        arguments: serde_json::Value,
        op: impl FnOnce(&mut Ctx<'_>) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        if let Some(left) = self.fault {
            if left == 0 {
                self.fault = None;
                return Err(db::backend(
                    format!("injected fault in `{call}` (Sandbox::fail_after)"),
                    "the sandbox was told to fail this call; nothing was changed",
                ));
            }
            self.fault = Some(left - 1);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .db()?;
        let before = tx.total_changes();
        let out = op(&mut Ctx {
            db: &tx,
            options: &self.options,
            policies: &mut self.policies,
        })?;
        if tx.total_changes() != before {
            tx.execute(
                "INSERT INTO calls (call, arguments) VALUES (?1, ?2)",
                (call, arguments.to_string()),
            )
            .db()?;
        }
        tx.commit().db()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Sandbox>();
    }

    #[test]
    fn defaults_are_aws_quotas() {
        let options = SandboxOptions::default();
        assert_eq!(options.access_role_name, "OrganizationAccountAccessRole");
        assert_eq!(
            options.quotas,
            SandboxQuotas {
                max_policies_per_target: 10,
                max_ou_depth: 5,
                max_policy_size: 10_240,
                max_accounts: 10_000,
            }
        );
    }
}
