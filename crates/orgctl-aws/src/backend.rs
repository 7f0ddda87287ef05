//! [`AwsBackend`]: the runtime, the SDK configuration and the caches every call shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use orgctl_org::{BackendError, CallerIdentity};

use crate::counts::{CallCounts, Counter};
use crate::mapping::{CREDENTIALS_HELP, NETWORK_HELP};
use crate::options::AwsOptions;
use crate::redact::Secrets;
use crate::session::{self, Clients, Session};

/// An AWS organization, reached through the official AWS SDK. Implements
/// [`orgctl_org::Backend`].
///
/// Calls for the management account (the credentials' own account) use the credentials as
/// they are; calls inside member accounts assume `access_role_name` there and keep the
/// credentials for the backend's life. Each trait method drives its calls to completion on
/// the backend's own single-threaded runtime.
pub struct AwsBackend {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) base: SdkConfig,
    pub(crate) options: AwsOptions,
    pub(crate) region: String,
    pub(crate) counts: Counter,
    /// The caller's identity, asked once.
    pub(crate) own: Mutex<Option<Arc<Session>>>,
    /// Assumed-role sessions by account.
    pub(crate) members: Mutex<HashMap<String, Arc<Session>>>,
    /// Emails of the `CreateAccount` requests this backend made (AWS does not report them).
    pub(crate) request_emails: Mutex<HashMap<String, String>>,
    /// The credentials in play, kept out of every error message.
    pub(crate) secrets: Secrets,
}

impl std::fmt::Debug for AwsBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsBackend")
            .field("options", &self.options)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl AwsBackend {
    /// Loads the SDK configuration `options` describe. Nothing is called yet: the first
    /// call finds out whether the credentials work.
    ///
    /// # Errors
    /// When the runtime cannot start, or no region is configured anywhere (pass `--region`
    /// or use [`AwsBackend::connect_with_fallback_region`]).
    pub fn connect(options: AwsOptions) -> Result<Self, BackendError> {
        Self::open(options, None)
    }

    /// Like [`AwsBackend::connect`], with the region to use when neither `options.region`
    /// nor the standard chain (`AWS_REGION`, the profile) names one: the spec's home region.
    ///
    /// # Errors
    /// When the runtime cannot start.
    pub fn connect_with_fallback_region(
        options: AwsOptions,
        fallback_region: &str,
    ) -> Result<Self, BackendError> {
        Self::open(options, Some(fallback_region))
    }

    fn open(options: AwsOptions, fallback_region: Option<&str>) -> Result<Self, BackendError> {
        if options.access_role_name.is_empty() {
            return Err(BackendError::InvalidInput {
                message: "the access role name is empty".to_owned(),
            });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| BackendError::Backend {
                backend: "aws".to_owned(),
                message: format!("cannot start the runtime for AWS calls: {e}"),
                help: NETWORK_HELP.to_owned(),
            })?;
        let secrets = Secrets::of_process(
            options
                .static_credentials
                .iter()
                .flat_map(|(id, secret)| [id.as_str(), secret.as_str()]),
        );
        let base = runtime.block_on(session::load(&options, fallback_region));
        let Some(region) = base.region().map(ToString::to_string) else {
            return Err(BackendError::Backend {
                backend: "aws".to_owned(),
                message: "no AWS region is configured".to_owned(),
                help: format!(
                    "pass --region, set AWS_REGION, or give the profile a region; {CREDENTIALS_HELP}"
                ),
            });
        };
        Ok(Self {
            runtime,
            base,
            options,
            region,
            counts: Counter::default(),
            own: Mutex::new(None),
            members: Mutex::new(HashMap::new()),
            request_emails: Mutex::new(HashMap::new()),
            secrets,
        })
    }

    /// The API calls made so far: totals, mutating calls, by operation.
    pub fn call_counts(&self) -> CallCounts {
        self.counts.snapshot()
    }

    /// The region regional calls of the management account go to (trails, aggregators).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Clients with `session`'s credentials in `region`.
    pub(crate) fn clients<'a>(&'a self, session: &'a Session, region: &'a str) -> Clients<'a> {
        Clients {
            config: &session.config,
            region,
            path_style: self.options.endpoint_url.is_some(),
        }
    }

    /// Clients with the caller's own credentials, in the backend's region.
    pub(crate) fn management(&self) -> Clients<'_> {
        Clients {
            config: &self.base,
            region: &self.region,
            path_style: self.options.endpoint_url.is_some(),
        }
    }

    /// The caller's identity.
    pub(crate) fn own_identity(&self) -> Result<CallerIdentity, BackendError> {
        Ok(self.own_session()?.identity.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<AwsBackend>();
    }

    #[test]
    fn an_empty_role_name_is_refused() {
        let err = AwsBackend::connect(AwsOptions {
            access_role_name: String::new(),
            region: Some("us-east-1".into()),
            ..AwsOptions::default()
        })
        .unwrap_err();
        assert!(matches!(err, BackendError::InvalidInput { .. }));
    }
}
