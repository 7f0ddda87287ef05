//! Making one call: counting it, driving it on the runtime, and turning a failure into a
//! [`Fault`] or a [`BackendError`].

use std::future::Future;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use orgctl_org::BackendError;

use crate::AwsBackend;
use crate::counts::Op;
use crate::fault::{Cause, Fault};
use crate::mapping::{self, Context};
use crate::redact;
use crate::session::Session;

/// Most pages a listing may have: a guard against a service that never stops paging.
const MAX_PAGES: usize = 100_000;

impl AwsBackend {
    /// Counts and runs one call; a failure comes back as a [`Fault`] to look at.
    pub(crate) fn attempt<O, E>(
        &self,
        op: Op,
        resource: &str,
        call: impl Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    ) -> Result<O, Fault>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.counts.record(op);
        self.runtime.block_on(call).map_err(|e| {
            let mut fault = Fault::from_sdk(op, resource, e);
            fault.redact(&self.secrets);
            fault
        })
    }

    /// Counts and runs one call as `session` (`None`: the caller's own credentials); a
    /// failure comes back as a [`BackendError`].
    pub(crate) fn send<O, E>(
        &self,
        session: Option<&Session>,
        op: Op,
        resource: &str,
        call: impl Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    ) -> Result<O, BackendError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.attempt(op, resource, call)
            .map_err(|f| self.fail(&f, session))
    }

    /// The [`BackendError`] for a fault of a call made as `session`.
    pub(crate) fn fail(&self, fault: &Fault, session: Option<&Session>) -> BackendError {
        let denied = mapping::denies(fault);
        let principal = match session {
            Some(s) => s.identity.arn.clone(),
            None => self.known_principal().unwrap_or_else(|| {
                // Asked only for denials, and never about the identity call itself.
                let lookup = denied && fault.op != Op::new("sts", "GetCallerIdentity");
                lookup
                    .then(|| self.own_session().ok().map(|s| s.identity.arn.clone()))
                    .flatten()
                    .unwrap_or_else(|| "the caller".to_owned())
            }),
        };
        // An endpoint URL may carry a user and password: messages name it without them.
        let endpoint = self.options.endpoint_url.as_deref().map(redact::endpoint);
        mapping::to_backend_error(
            fault,
            Context {
                principal: &principal,
                endpoint: endpoint.as_deref(),
            },
        )
    }

    /// A call's output, `None` when it failed with one of `codes` (an unset configuration,
    /// a missing resource), else the error.
    pub(crate) fn absent<O>(
        &self,
        session: Option<&Session>,
        result: Result<O, Fault>,
        codes: &[&str],
    ) -> Result<Option<O>, BackendError> {
        match result {
            Ok(out) => Ok(Some(out)),
            Err(f) if f.is(codes) => Ok(None),
            Err(f) => Err(self.fail(&f, session)),
        }
    }

    /// Every page of a listing: `page` makes one call with the token so far and returns its
    /// items and the next token.
    pub(crate) fn paginate<T>(
        &self,
        mut page: impl FnMut(Option<String>) -> Result<(Vec<T>, Option<String>), BackendError>,
    ) -> Result<Vec<T>, BackendError> {
        let mut items = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let (mut batch, next) = page(token)?;
            items.append(&mut batch);
            match next.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(items),
            }
        }
        Err(self.fail(
            &Fault::new(
                Op::new("aws", "Paginate"),
                "a listing",
                Cause::Sdk(format!("more than {MAX_PAGES} pages")),
            ),
            None,
        ))
    }
}
