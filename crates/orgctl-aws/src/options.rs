//! How to reach AWS: the options `orgctl --backend aws` passes on.

/// The role orgctl assumes in member accounts unless told otherwise; `CreateAccount` makes it
/// in every account it creates.
pub const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// Where and as whom the AWS backend calls AWS.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// The shared-config profile (`--profile`); `None` uses `AWS_PROFILE` or the default one.
    pub profile: Option<String>,
    /// The region of regional calls (`--region`). `None`: the standard chain's (`AWS_REGION`,
    /// the profile's); [`crate::AwsBackend::connect_with_fallback_region`] names the region to
    /// use when the chain has none either (the spec's home region).
    pub region: Option<String>,
    /// Sends every service's calls to this URL (`--endpoint-url`), with path-style S3
    /// addressing: for emulators such as moto.
    pub endpoint_url: Option<String>,
    /// The role assumed in member accounts (`OrganizationAccountAccessRole`).
    pub access_role_name: String,
    /// A fixed access key id and secret, for tests against an emulator; `None` uses the
    /// standard chain (environment, shared config and credentials files, SSO, instance
    /// roles).
    pub static_credentials: Option<(String, String)>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            access_role_name: DEFAULT_ACCESS_ROLE.to_owned(),
            static_credentials: None,
        }
    }
}

impl std::fmt::Debug for AwsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsOptions")
            .field("profile", &self.profile)
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("access_role_name", &self.access_role_name)
            .field(
                "static_credentials",
                &self
                    .static_credentials
                    .as_ref()
                    .map(|_| crate::redact::MASK),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_credentials() {
        let options = AwsOptions {
            static_credentials: Some(("AKIDEXAMPLE".into(), "very-secret".into())),
            ..AwsOptions::default()
        };
        let text = format!("{options:?}");
        assert!(!text.contains("AKIDEXAMPLE"), "{text}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(text.contains("static_credentials: Some(\"***\")"), "{text}");
        assert_eq!(options.access_role_name, "OrganizationAccountAccessRole");
    }
}
