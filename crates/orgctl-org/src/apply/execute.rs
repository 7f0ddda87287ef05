//! Carrying out the journal's plan, one step at a time.

use std::path::Path;

use crate::apply::journal::{Event, Journal};
use crate::apply::{ApplyError, ApplyOptions, ApplyReport, Observer, Workspace};
use crate::backend::{Backend, BucketOwner};
use crate::error::BackendError;
use crate::plan::files::account_hcl;
use crate::plan::{Change, FileContent, Ref};
use crate::state::CreateAccountState;

/// Runs every step the journal does not mark done, then removes the journal.
pub(crate) fn run(
    backend: &mut dyn Backend,
    workspace: &Workspace,
    mut journal: Journal,
    options: &ApplyOptions,
    observer: &mut dyn Observer,
) -> Result<ApplyReport, ApplyError> {
    let mut report = ApplyReport::default();
    let changes = journal.plan.changes.clone();
    let total = changes.len();
    for (index, change) in changes.iter().enumerate() {
        if journal.done.get(index).copied().unwrap_or(false) {
            report.skipped += 1;
            continue;
        }
        observer.step(index, total, change);
        journal.record(&Event::Started { step: index })?;
        let mut step = Step {
            backend: &mut *backend,
            workspace,
            journal: &mut journal,
            options,
            observer: &mut *observer,
            index,
        };
        let created = step.run(change)?;
        if let (
            Change::CreateAccount { name, .. } | Change::AwaitAccount { name, .. },
            Some((_, id)),
        ) = (change, &created)
        {
            report.created_accounts.push((name.clone(), id.clone()));
        }
        journal.record(&Event::Done {
            step: index,
            created,
        })?;
        report.applied += 1;
    }
    journal.close()?;
    Ok(report)
}

/// Waits for the account creations the journal shows requested and unfinished, then removes
/// the journal.
pub(crate) fn settle(
    backend: &mut dyn Backend,
    workspace: &Workspace,
    mut journal: Journal,
    options: &ApplyOptions,
    observer: &mut dyn Observer,
) -> Result<ApplyReport, ApplyError> {
    let mut report = ApplyReport {
        skipped: journal.finished(),
        ..ApplyReport::default()
    };
    let in_flight: Vec<(usize, String)> = journal
        .requests
        .iter()
        .filter(|(step, _)| !journal.done.get(**step).copied().unwrap_or(true))
        .map(|(step, id)| (*step, id.clone()))
        .collect();
    for (index, request_id) in in_flight {
        let Some(change) = journal.plan.changes.get(index).cloned() else {
            continue;
        };
        let Change::CreateAccount { key, name, .. } = &change else {
            continue;
        };
        observer.step(index, journal.plan.changes.len(), &change);
        let mut step = Step {
            backend: &mut *backend,
            workspace,
            journal: &mut journal,
            options,
            observer: &mut *observer,
            index,
        };
        let id = match step.await_account(name, &request_id) {
            Ok(id) => id,
            Err(StepError::Backend(e)) => return Err(step.fail(&change, e)),
            Err(StepError::Apply(e)) => return Err(e),
        };
        journal.record(&Event::Done {
            step: index,
            created: Some((format!("account.{key}"), id.clone())),
        })?;
        report.applied += 1;
        report.created_accounts.push((name.clone(), id));
    }
    journal.close()?;
    Ok(report)
}

struct Step<'a> {
    backend: &'a mut dyn Backend,
    workspace: &'a Workspace,
    journal: &'a mut Journal,
    options: &'a ApplyOptions,
    observer: &'a mut dyn Observer,
    index: usize,
}

/// Treats "already done" answers as success: a retried step after a crash meets its own
/// earlier effect.
fn idempotent(
    result: Result<(), BackendError>,
    tolerate: fn(&BackendError) -> bool,
) -> Result<(), BackendError> {
    match result {
        Err(e) if tolerate(&e) => Ok(()),
        other => other,
    }
}

fn exists(e: &BackendError) -> bool {
    matches!(e, BackendError::AlreadyExists { .. })
}

fn gone(e: &BackendError) -> bool {
    matches!(e, BackendError::NotFound { .. })
}

impl Step<'_> {
    fn fail(&self, change: &Change, source: BackendError) -> ApplyError {
        ApplyError::Step {
            step: self.index + 1,
            what: crate::plan::render::line(change).1,
            source: Box::new(source),
        }
    }

    fn resolve(&self, r: &Ref) -> Result<String, ApplyError> {
        match r {
            Ref::Id(id) => Ok(id.clone()),
            Ref::New(key) => {
                self.journal
                    .ids
                    .get(key)
                    .cloned()
                    .ok_or_else(|| ApplyError::Unresolved {
                        step: self.index + 1,
                        key: key.clone(),
                    })
            }
        }
    }

    /// Runs one step; returns the plan key and id of what it created.
    fn run(&mut self, change: &Change) -> Result<Option<(String, String)>, ApplyError> {
        let result = self.call(change);
        match result {
            Ok(created) => Ok(created),
            Err(StepError::Backend(e)) => Err(self.fail(change, e)),
            Err(StepError::Apply(e)) => Err(e),
        }
    }

    fn call(&mut self, change: &Change) -> Result<Option<(String, String)>, StepError> {
        let b = &mut *self.backend;
        match change {
            Change::CreateOrganization {
                management_account_id,
            } => {
                idempotent(b.create_organization(management_account_id), exists)?;
                let state = b.read_state(&[])?;
                let root = state.organization.map(|o| o.root_id).ok_or_else(|| {
                    BackendError::NotFound {
                        what: "the new organization's root".to_owned(),
                    }
                })?;
                Ok(Some(("root".to_owned(), root)))
            }
            Change::EnablePolicyType { kind } => {
                let root = self.resolve(&Ref::New("root".to_owned())).or_else(|_| {
                    let state = self.backend.read_state(&[]).map_err(StepError::Backend)?;
                    state
                        .organization
                        .map(|o| o.root_id)
                        .ok_or(StepError::Backend(BackendError::NotFound {
                            what: "the organization".to_owned(),
                        }))
                })?;
                idempotent(self.backend.enable_policy_type(&root, *kind), exists)?;
                Ok(None)
            }
            Change::CreatePolicy {
                key,
                kind,
                name,
                description,
                content,
            } => {
                let id = b.create_policy(*kind, name, description, content)?;
                Ok(Some((format!("policy.{key}"), id)))
            }
            Change::UpdatePolicy {
                id,
                name,
                description,
                content,
                ..
            } => {
                b.update_policy(id, name, description, content)?;
                Ok(None)
            }
            Change::CreateUnit {
                key, name, parent, ..
            } => {
                let parent = self.resolve(parent)?;
                let b = &mut *self.backend;
                let id = b.create_unit(&parent, name)?;
                Ok(Some((format!("unit.{key}"), id)))
            }
            Change::CreateAccount {
                key,
                name,
                email,
                tags,
            } => {
                // Journaled the moment it is sent: a rerun after a crash waits for this
                // request (`settle`) instead of creating a second account.
                let request_id = b.create_account(name, email, tags)?.request_id;
                self.journal
                    .record(&Event::Requested {
                        step: self.index,
                        request_id: request_id.clone(),
                    })
                    .map_err(StepError::Apply)?;
                let id = self.await_account(name, &request_id)?;
                Ok(Some((format!("account.{key}"), id)))
            }
            Change::AwaitAccount {
                key,
                name,
                request_id,
            } => {
                let id = self.await_account(name, request_id)?;
                Ok(Some((format!("account.{key}"), id)))
            }
            Change::InviteAccount {
                id, name, email, ..
            } => {
                idempotent(b.invite_account(id, name, email), exists)?;
                Ok(None)
            }
            Change::MoveAccount {
                account, from, to, ..
            } => {
                let (account, from, to) = (
                    self.resolve(account)?,
                    self.resolve(from)?,
                    self.resolve(to)?,
                );
                let b = &mut *self.backend;
                b.move_account(&account, &from, &to)?;
                Ok(None)
            }
            Change::TagAccount {
                account,
                set,
                remove,
                ..
            } => {
                let account = self.resolve(account)?;
                self.backend.tag_account(&account, set, remove)?;
                Ok(None)
            }
            Change::AttachPolicy { policy, target, .. } => {
                let (policy, target) = (self.resolve(policy)?, self.resolve(target)?);
                idempotent(self.backend.attach_policy(&policy, &target), exists)?;
                Ok(None)
            }
            Change::DetachPolicy { policy, target, .. } => {
                let (policy, target) = (self.resolve(policy)?, self.resolve(target)?);
                idempotent(self.backend.detach_policy(&policy, &target), gone)?;
                Ok(None)
            }
            Change::DeletePolicy { policy, .. } => {
                let id = self.resolve(policy)?;
                idempotent(self.backend.delete_policy(&id), gone)?;
                Ok(None)
            }
            Change::AwaitAccess {
                account,
                account_name,
            } => {
                let id = self.resolve(account)?;
                self.await_access(&id, account_name)?;
                Ok(None)
            }
            Change::AddToSpec {
                file,
                key,
                name,
                email,
                unit,
                account,
            } => {
                let id = self.resolve(account)?;
                let path = Path::new(file);
                let text = self
                    .workspace
                    .read_file(path)
                    .ok_or_else(|| ApplyError::Io {
                        path: path.to_path_buf(),
                        message: "the spec file is gone".to_owned(),
                    })?;
                let new = crate::specedit::NewAccount {
                    key,
                    name,
                    email,
                    id: &id,
                    unit,
                };
                let edited = crate::specedit::add_account(&text, &new).map_err(|e| {
                    StepError::Apply(ApplyError::Io {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    })
                })?;
                self.workspace
                    .write_file(path, &edited)
                    .map_err(StepError::Apply)?;
                Ok(None)
            }
            Change::DeleteUnit { id, .. } => {
                idempotent(b.delete_unit(id), gone)?;
                Ok(None)
            }
            Change::EnableServiceAccess { service_principal } => {
                b.enable_service_access(service_principal)?;
                Ok(None)
            }
            Change::RegisterDelegatedAdmin {
                account,
                service_principal,
                ..
            } => {
                let account = self.resolve(account)?;
                idempotent(
                    self.backend
                        .register_delegated_admin(&account, service_principal),
                    exists,
                )?;
                Ok(None)
            }
            Change::PutLogBucket {
                account, bucket, ..
            } => {
                let account = self.resolve(account)?;
                let mut bucket = bucket.clone();
                bucket.account_id = account;
                self.backend.put_bucket(&bucket)?;
                Ok(None)
            }
            Change::PutTrail { trail, .. } => {
                b.put_trail(trail)?;
                Ok(None)
            }
            Change::PutAggregator { aggregator, .. } => {
                b.put_aggregator(aggregator)?;
                Ok(None)
            }
            Change::Bootstrap {
                account,
                account_name,
                template,
                ..
            } => {
                let id = self.resolve(account)?;
                let b = &mut *self.backend;
                // The seed's step 2: the credentials must reach this very account.
                let identity = b.caller_identity(Some(&id))?;
                if identity.account_id != id {
                    return Err(StepError::Apply(ApplyError::WrongAccount {
                        account: format!("{account_name} ({id})"),
                        actual: identity.account_id,
                    }));
                }
                let bucket = template.bucket(&id);
                if let BucketOwner::Other { account_id } = b.bucket_owner(&id, &bucket.name)? {
                    return Err(BackendError::BucketSquatted {
                        bucket: bucket.name,
                        owner: account_id,
                    }
                    .into());
                }
                b.put_bucket(&bucket)?;
                if let Some(table) = template.table(&id) {
                    b.put_table(&table)?;
                }
                Ok(None)
            }
            Change::WriteFile { path, content, .. } => {
                let text = match content {
                    FileContent::Text(t) => t.clone(),
                    FileContent::AccountHcl { account, name } => {
                        account_hcl(name, &self.resolve(account)?)
                    }
                    FileContent::WithAccountId { account, template } => {
                        template.replace("{account_id}", &self.resolve(account)?)
                    }
                };
                self.workspace
                    .write_file(Path::new(path), &text)
                    .map_err(StepError::Apply)?;
                Ok(None)
            }
        }
    }

    /// Waits until the access role can be assumed in `id` and reaches that very account
    /// (a new account may take minutes before its role works).
    fn await_access(&mut self, id: &str, name: &str) -> Result<(), StepError> {
        let mut last = None;
        for poll in 0..=self.options.max_polls {
            match self.backend.caller_identity(Some(id)) {
                Ok(identity) if identity.account_id == id => return Ok(()),
                Ok(identity) => {
                    return Err(StepError::Apply(ApplyError::WrongAccount {
                        account: format!("{name} ({id})"),
                        actual: identity.account_id,
                    }));
                }
                Err(e @ BackendError::AccessDenied { .. })
                | Err(e @ BackendError::NotFound { .. }) => {
                    last = Some(e);
                    if poll < self.options.max_polls {
                        self.observer
                            .waiting(&format!("the access role does not reach {name} yet"));
                        std::thread::sleep(self.options.poll_interval);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.map_or_else(
            || {
                StepError::Apply(ApplyError::StillCreating {
                    name: name.to_owned(),
                    request_id: id.to_owned(),
                })
            },
            StepError::Backend,
        ))
    }

    /// Polls a `CreateAccount` request until it ends; returns the new account's id.
    fn await_account(&mut self, name: &str, request_id: &str) -> Result<String, StepError> {
        for poll in 0..=self.options.max_polls {
            let status = self.backend.describe_create_account(request_id)?;
            match status.state {
                CreateAccountState::Succeeded => {
                    return status.account_id.ok_or_else(|| {
                        StepError::Backend(BackendError::NotFound {
                            what: format!("the id of account {name}"),
                        })
                    });
                }
                CreateAccountState::Failed => {
                    let reason = status
                        .failure_reason
                        .unwrap_or_else(|| "UNKNOWN".to_owned());
                    return Err(StepError::Apply(ApplyError::AccountFailed {
                        name: name.to_owned(),
                        help: create_account_help(&reason).to_owned(),
                        reason,
                    }));
                }
                CreateAccountState::InProgress => {
                    if poll < self.options.max_polls {
                        self.observer
                            .waiting(&format!("account {name} is being created ({request_id})"));
                        std::thread::sleep(self.options.poll_interval);
                    }
                }
            }
        }
        Err(StepError::Apply(ApplyError::StillCreating {
            name: name.to_owned(),
            request_id: request_id.to_owned(),
        }))
    }
}

/// The next step for each `CreateAccount` failure reason Organizations reports.
pub fn create_account_help(reason: &str) -> &'static str {
    match reason {
        "EMAIL_ALREADY_EXISTS" => {
            "another AWS account uses this email: choose another address (a +tag works) in the spec"
        }
        "ACCOUNT_LIMIT_EXCEEDED" => {
            "the organization is at its account quota: ask AWS Support to raise it"
        }
        "INVALID_EMAIL" => "the email address is not valid: fix it in the spec",
        "INVALID_ADDRESS" => {
            "the management account's address is not valid: fix it in the billing console"
        }
        "CONCURRENT_ACCOUNT_MODIFICATION" => "another account change was running: run apply again",
        "INTERNAL_FAILURE" => "AWS failed internally: run apply again later",
        "GOVCLOUD_ACCOUNT_ALREADY_EXISTS" => {
            "a GovCloud account is already linked: remove it from the spec"
        }
        "INVALID_PAYMENT_INSTRUMENT" => {
            "the management account's payment method was declined: update it in the billing console"
        }
        "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION" => {
            "AWS could not verify the identity behind the management account: contact AWS Support"
        }
        "MISSING_BUSINESS_VALIDATION" | "MISSING_PAYMENT_INSTRUMENT" => {
            "the management account's billing setup is incomplete: finish it in the billing console"
        }
        "FAILED_BUSINESS_VALIDATION"
        | "PENDING_BUSINESS_VALIDATION"
        | "UNKNOWN_BUSINESS_VALIDATION" => {
            "AWS has not validated the management account's business details: contact AWS Support"
        }
        "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED" => {
            "create the account without tags, then tag it"
        }
        _ => "see the AWS Organizations CreateAccountStatus documentation for this reason",
    }
}

/// Every `CreateAccountStatus` failure reason AWS documents.
pub const CREATE_ACCOUNT_FAILURE_REASONS: &[&str] = &[
    "ACCOUNT_LIMIT_EXCEEDED",
    "CONCURRENT_ACCOUNT_MODIFICATION",
    "EMAIL_ALREADY_EXISTS",
    "FAILED_BUSINESS_VALIDATION",
    "GOVCLOUD_ACCOUNT_ALREADY_EXISTS",
    "INTERNAL_FAILURE",
    "INVALID_ADDRESS",
    "INVALID_EMAIL",
    "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION",
    "INVALID_PAYMENT_INSTRUMENT",
    "MISSING_BUSINESS_VALIDATION",
    "MISSING_PAYMENT_INSTRUMENT",
    "PENDING_BUSINESS_VALIDATION",
    "UNKNOWN_BUSINESS_VALIDATION",
    "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED",
];

enum StepError {
    Backend(BackendError),
    Apply(ApplyError),
}

impl From<BackendError> for StepError {
    fn from(e: BackendError) -> Self {
        Self::Backend(e)
    }
}

impl From<ApplyError> for StepError {
    fn from(e: ApplyError) -> Self {
        Self::Apply(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_failure_reason_has_its_own_next_step() {
        let fallback = create_account_help("SOMETHING_NEW");
        for reason in CREATE_ACCOUNT_FAILURE_REASONS {
            assert_ne!(create_account_help(reason), fallback, "{reason}");
        }
    }
}
