//! Loading the SDK configuration, and building each service's client from it: one
//! configuration for the caller's own account, one per member account from the role orgctl
//! assumes there.

use std::time::{Duration, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use orgctl_org::CallerIdentity;

use crate::options::AwsOptions;

/// How many times the SDK tries a call, throttled or failing, before giving up.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

/// The first retry's delay; each next one doubles it (with jitter), up to the SDK's cap.
pub(crate) const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// Assumed credentials are renewed when they have less than this left.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// The session name of every `AssumeRole`.
pub(crate) const SESSION_NAME: &str = "orgctl";

/// Credentials for one account, and who they are.
pub(crate) struct Session {
    /// The SDK configuration with these credentials.
    pub(crate) config: SdkConfig,
    /// The principal.
    pub(crate) identity: CallerIdentity,
    /// When assumed credentials expire.
    pub(crate) expires: Option<SystemTime>,
}

/// Who and until when, never the credentials (the SDK's own `Debug` of its configuration
/// shows the access key id).
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("identity", &self.identity)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Whether the credentials are still good for a while.
    pub(crate) fn fresh(&self) -> bool {
        self.expires.is_none_or(|at| {
            at.duration_since(SystemTime::now())
                .is_ok_and(|left| left > RENEW_BEFORE)
        })
    }
}

/// Loads the configuration the options describe: profile, region (`fallback_region` when
/// neither the options nor the chain name one), endpoint, credentials, adaptive retries.
pub(crate) async fn load(options: &AwsOptions, fallback_region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(
        RetryConfig::adaptive()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_initial_backoff(INITIAL_BACKOFF),
    );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    } else if let Some(fallback) = fallback_region {
        let chain = aws_config::meta::region::RegionProviderChain::default_provider()
            .or_else(Region::new(fallback.to_owned()));
        loader = loader.region(chain);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some((id, secret)) = &options.static_credentials {
        loader =
            loader.credentials_provider(Credentials::new(id, secret, None, None, "orgctl-static"));
    }
    loader.load().await
}

/// `base` with the credentials of an assumed role.
pub(crate) fn assumed(base: &SdkConfig, credentials: Credentials) -> SdkConfig {
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// Service clients, for one account's configuration and one region.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clients<'a> {
    /// The account's configuration.
    pub(crate) config: &'a SdkConfig,
    /// The region of regional calls.
    pub(crate) region: &'a str,
    /// S3 path-style addressing (custom endpoints).
    pub(crate) path_style: bool,
}

impl Clients<'_> {
    fn region(&self) -> Region {
        Region::new(self.region.to_owned())
    }

    /// AWS Organizations (a global service: the region only picks the partition).
    pub(crate) fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(self.config)
    }

    /// STS.
    pub(crate) fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(self.config)
    }

    /// S3 in the region.
    pub(crate) fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(self.config)
            .region(self.region())
            .force_path_style(self.path_style)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// DynamoDB in the region.
    pub(crate) fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(self.config)
            .region(self.region())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// CloudTrail in the region.
    pub(crate) fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        let config = aws_sdk_cloudtrail::config::Builder::from(self.config)
            .region(self.region())
            .build();
        aws_sdk_cloudtrail::Client::from_conf(config)
    }

    /// AWS Config in the region.
    pub(crate) fn config(&self) -> aws_sdk_config::Client {
        let config = aws_sdk_config::config::Builder::from(self.config)
            .region(self.region())
            .build();
        aws_sdk_config::Client::from_conf(config)
    }
}

/// The account of an IAM or STS ARN (`arn:aws:sts::123456789012:assumed-role/...`).
pub(crate) fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_come_out_of_arns() {
        assert_eq!(
            account_of("arn:aws:sts::123456789012:assumed-role/R/orgctl"),
            Some("123456789012")
        );
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("nonsense"), None);
    }

    #[test]
    fn debug_output_shows_no_credentials() {
        let credentials = Credentials::new(
            "ASIAORGCTLDEBUGTEST1",
            "debug-secret-access-key",
            Some("debug-session-token".into()),
            None,
            "test",
        );
        let session = Session {
            config: assumed(&SdkConfig::builder().build(), credentials),
            identity: CallerIdentity {
                account_id: "1".into(),
                arn: "a".into(),
            },
            expires: None,
        };
        let text = format!("{session:?}");
        for secret in ["ASIAORGCTLDEBUGTEST1", "debug-secret", "debug-session"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn sessions_without_expiry_stay_fresh() {
        let session = |expires| Session {
            config: SdkConfig::builder().build(),
            identity: CallerIdentity {
                account_id: "1".into(),
                arn: "a".into(),
            },
            expires,
        };
        assert!(session(None).fresh());
        assert!(session(Some(SystemTime::now() + Duration::from_secs(3600))).fresh());
        assert!(!session(Some(SystemTime::now() + Duration::from_secs(10))).fresh());
    }
}
