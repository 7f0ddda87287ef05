//! Creating what must be created once: an OU, a policy, an account.
//!
//! The SDK retries a call whose answer never came (a dropped connection, a timeout, a 5xx
//! answer) as if it had not run. For these three calls that is not safe: the first request
//! may have run, and the retry then makes a second OU, fails as a duplicate of the first
//! policy, or requests a second account with the same email (which AWS fails only later,
//! asynchronously). So the SDK does not retry them; this module does: throttling (the
//! request did not run) is retried after a backoff, and after a failure that leaves the
//! outcome unknown, it first looks for what the earlier request may have made.

use std::future::Future;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_organizations::types::CreateAccountState as SdkState;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use orgctl_org::{BackendError, CreateAccountStatus, PolicyKind};

use crate::AwsBackend;
use crate::counts::Op;
use crate::fault::{Cause, Fault};
use crate::kinds;
use crate::session::{INITIAL_BACKOFF, MAX_ATTEMPTS};

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// What a failed attempt says about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// It did not run (throttling): try again.
    NotRun,
    /// It may have run (no answer, or a server error).
    Unknown,
    /// The name is taken: by the earlier attempt, if one may have run.
    Duplicate,
    /// Any other error: the answer stands.
    Failed,
}

fn outcome(fault: &Fault) -> Outcome {
    match &fault.cause {
        Cause::Service(s) if crate::mapping::is_throttling(&s.code) || s.status == 429 => {
            Outcome::NotRun
        }
        Cause::Service(s) if s.status >= 500 => Outcome::Unknown,
        Cause::Service(s)
            if matches!(
                s.code.as_str(),
                "DuplicateOrganizationalUnitException" | "DuplicatePolicyException"
            ) =>
        {
            Outcome::Duplicate
        }
        Cause::Unreachable(_) | Cause::TimedOut(_) | Cause::Sdk(_) => Outcome::Unknown,
        Cause::Service(_) | Cause::NoCredentials(_) => Outcome::Failed,
    }
}

/// The wait before attempt `attempt` (1-based after the first): doubling from the SDK's
/// initial backoff.
fn backoff(attempt: u32) -> Duration {
    INITIAL_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF)
}

/// Organizations' configuration for one call, without the SDK's retries.
pub(crate) fn no_retries() -> aws_sdk_organizations::config::Builder {
    aws_sdk_organizations::config::Builder::default().retry_config(RetryConfig::disabled())
}

impl AwsBackend {
    /// Runs a create call that `call` sends without the SDK's retries: `answer` reads its
    /// output; after an attempt whose outcome is unknown, `find` looks for what it may have
    /// made before the next attempt.
    pub(crate) fn create_once<O, E, F, T>(
        &self,
        op: Op,
        resource: &str,
        call: impl Fn() -> F,
        answer: impl Fn(O) -> Result<T, BackendError>,
        find: impl Fn() -> Result<Option<T>, BackendError>,
    ) -> Result<T, BackendError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    {
        let mut may_have_run = false;
        let mut attempt = 0;
        loop {
            if attempt > 0 {
                std::thread::sleep(backoff(attempt));
            }
            attempt += 1;
            let fault = match self.attempt(op, resource, call()) {
                Ok(out) => return answer(out),
                Err(fault) => fault,
            };
            match outcome(&fault) {
                Outcome::NotRun => {}
                Outcome::Unknown => {
                    may_have_run = true;
                    if let Some(found) = find()? {
                        return Ok(found);
                    }
                }
                Outcome::Duplicate if may_have_run => {
                    if let Some(found) = find()? {
                        return Ok(found);
                    }
                    return Err(self.fail(&fault, None));
                }
                Outcome::Duplicate | Outcome::Failed => return Err(self.fail(&fault, None)),
            }
            if attempt >= MAX_ATTEMPTS {
                return Err(self.fail(&fault, None));
            }
        }
    }

    /// The id of the OU named `name` under `parent_id`, if there is one.
    pub(crate) fn find_ou(
        &self,
        parent_id: &str,
        name: &str,
    ) -> Result<Option<String>, BackendError> {
        Ok(self
            .units_under(parent_id)?
            .iter()
            .find(|u| u.name() == Some(name))
            .and_then(|u| u.id())
            .map(str::to_owned))
    }

    /// The id of the policy of `kind` named `name`, if there is one.
    pub(crate) fn find_policy(
        &self,
        kind: PolicyKind,
        name: &str,
    ) -> Result<Option<String>, BackendError> {
        let orgs = self.management().organizations();
        let policies = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new("organizations", "ListPolicies"),
                &format!("{} policies", kind.short()),
                orgs.list_policies()
                    .filter(kinds::policy_type(kind))
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((out.policies().to_vec(), out.next_token().map(str::to_owned)))
        })?;
        Ok(policies
            .iter()
            .find(|p| p.name() == Some(name))
            .and_then(|p| p.id())
            .map(str::to_owned))
    }

    /// A `CreateAccount` request for `name` that is in progress, or that made an account
    /// with `email`, if there is one.
    pub(crate) fn find_request(
        &self,
        name: &str,
        email: &str,
    ) -> Result<Option<CreateAccountStatus>, BackendError> {
        let orgs = self.management().organizations();
        let requests = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new("organizations", "ListCreateAccountStatus"),
                "create account requests",
                orgs.list_create_account_status()
                    .states(SdkState::InProgress)
                    .states(SdkState::Succeeded)
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((
                out.create_account_statuses().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })?;
        for request in requests.iter().filter(|r| r.account_name() == Some(name)) {
            let ours = match request.account_id() {
                // Finished: the account it made must have this email.
                Some(id) => {
                    let out = self.send(
                        None,
                        Op::new("organizations", "DescribeAccount"),
                        &format!("account {id}"),
                        orgs.describe_account().account_id(id).send(),
                    )?;
                    out.account()
                        .and_then(|a| a.email())
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
                }
                None => request.state() == Some(&SdkState::InProgress),
            };
            if ours {
                return self.status_of(Some(request), Some(email)).map(Some);
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::ServiceFault;

    fn service(code: &str, status: u16) -> Fault {
        Fault::new(
            Op::new("organizations", "CreatePolicy"),
            "policy",
            Cause::Service(Box::new(ServiceFault {
                code: code.to_owned(),
                status,
                ..ServiceFault::default()
            })),
        )
    }

    #[test]
    fn only_throttling_is_known_not_to_have_run() {
        assert_eq!(
            outcome(&service("ThrottlingException", 400)),
            Outcome::NotRun
        );
        assert_eq!(
            outcome(&service("TooManyRequestsException", 400)),
            Outcome::NotRun
        );
        assert_eq!(outcome(&service("InternalFailure", 500)), Outcome::Unknown);
        assert_eq!(
            outcome(&service("ServiceUnavailable", 503)),
            Outcome::Unknown
        );
        assert_eq!(
            outcome(&service("DuplicatePolicyException", 400)),
            Outcome::Duplicate
        );
        assert_eq!(
            outcome(&service("ConstraintViolationException", 400)),
            Outcome::Failed
        );
        let dropped = Fault::new(
            Op::new("organizations", "CreateAccount"),
            "account",
            Cause::Unreachable("connection closed before message completed".to_owned()),
        );
        assert_eq!(outcome(&dropped), Outcome::Unknown);
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        assert_eq!(backoff(1), INITIAL_BACKOFF);
        assert_eq!(backoff(2), INITIAL_BACKOFF * 2);
        assert_eq!(backoff(4), INITIAL_BACKOFF * 8);
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
