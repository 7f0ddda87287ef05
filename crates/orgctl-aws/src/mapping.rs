//! Faults to [`BackendError`]s: by error code, each with the next step to take. Never a raw
//! SDK dump.

use orgctl_org::BackendError;

use crate::fault::{Cause, Fault, ServiceFault};
use crate::reasons;

/// What the mapping needs besides the fault.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// Who made the call (an ARN), for access denials.
    pub(crate) principal: &'a str,
    /// `--endpoint-url`, when calls go somewhere other than AWS.
    pub(crate) endpoint: Option<&'a str>,
}

/// The help for failures to reach the service at all.
pub(crate) const NETWORK_HELP: &str =
    "check --endpoint-url / network / credentials (`aws sts get-caller-identity`)";

/// The help for throttling that outlasted the SDK's retries.
pub(crate) const THROTTLING_HELP: &str = "AWS is throttling: run again later";

/// The help for missing or rejected credentials.
pub(crate) const CREDENTIALS_HELP: &str = "orgctl uses the standard AWS credential chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile with the shared config and credentials files (for SSO, run `aws sso login --profile NAME` first), or the instance's or container's role; check it with `aws sts get-caller-identity`";

/// The help when the caller's account is not in an organization.
pub(crate) const NOT_IN_USE_HELP: &str =
    "create the organization (orgctl apply plans it) or use the management account's credentials";

const BACKEND: &str = "aws";

/// Maps a fault to the error plan and apply understand.
pub(crate) fn to_backend_error(fault: &Fault, ctx: Context<'_>) -> BackendError {
    let action = fault.op.action();
    let target = || ctx.endpoint.unwrap_or("AWS").to_owned();
    match &fault.cause {
        Cause::Service(service) => service_error(service, &action, &fault.resource, ctx),
        Cause::NoCredentials(detail) => backend(
            format!("no usable AWS credentials for {action}: {detail}"),
            CREDENTIALS_HELP,
        ),
        Cause::Unreachable(detail) => backend(
            format!("could not reach {} for {action}: {detail}", target()),
            NETWORK_HELP,
        ),
        Cause::TimedOut(detail) => backend(
            format!("{action} to {} timed out: {detail}", target()),
            NETWORK_HELP,
        ),
        Cause::Sdk(detail) => backend(
            format!(
                "{action} on {} failed in the AWS SDK: {detail}",
                fault.resource
            ),
            NETWORK_HELP,
        ),
    }
}

/// Whether the fault is an access denial (whose error names the principal).
pub(crate) fn denies(fault: &Fault) -> bool {
    fault.service().is_some_and(is_access_denied)
}

fn backend(message: String, help: &str) -> BackendError {
    BackendError::Backend {
        backend: BACKEND.to_owned(),
        message,
        help: help.to_owned(),
    }
}

fn constraint(reason: impl Into<String>, help: impl Into<String>) -> BackendError {
    BackendError::ConstraintViolation {
        reason: reason.into(),
        help: help.into(),
    }
}

/// The service's own words: the message, or the code when there is none.
fn said(s: &ServiceFault) -> String {
    if s.message.is_empty() {
        s.code.clone()
    } else {
        s.message.clone()
    }
}

fn service_error(s: &ServiceFault, action: &str, resource: &str, ctx: Context<'_>) -> BackendError {
    let code = s.code.as_str();
    if is_access_denied(s) {
        return BackendError::AccessDenied {
            principal: ctx.principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            reason: said(s),
        };
    }
    if code == "AWSOrganizationsNotInUseException" {
        return constraint(
            if s.message.is_empty() {
                "the caller's account is not a member of an organization".to_owned()
            } else {
                s.message.clone()
            },
            NOT_IN_USE_HELP,
        );
    }
    if let Some(error) = constraint_error(s) {
        return error;
    }
    if matches!(code, "MalformedPolicyDocumentException" | "MalformedPolicy") {
        return BackendError::InvalidInput {
            message: format!("MALFORMED_POLICY_DOCUMENT: {}", said(s)),
        };
    }
    if is_throttling(code) {
        return backend(
            format!("{action} was throttled: {}", said(s)),
            THROTTLING_HELP,
        );
    }
    if is_credentials(code) {
        return backend(
            format!("AWS rejected the credentials for {action}: {}", said(s)),
            CREDENTIALS_HELP,
        );
    }
    if code == "BucketAlreadyExists" {
        return BackendError::BucketSquatted {
            bucket: resource.to_owned(),
            owner: None,
        };
    }
    if [
        "Duplicate",
        "AlreadyExists",
        "AlreadyEnabled",
        "AlreadyRegistered",
        "AlreadyIn",
        "AlreadyOwnedByYou",
    ]
    .iter()
    .any(|w| code.contains(w))
    {
        return BackendError::AlreadyExists {
            what: resource.to_owned(),
        };
    }
    if is_not_found(s) {
        return BackendError::NotFound {
            what: resource.to_owned(),
        };
    }
    if is_invalid_input(code) {
        let reason = s
            .reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        return BackendError::InvalidInput {
            message: format!("{action} on {resource}: {code}{reason}: {}", said(s)),
        };
    }
    if s.status >= 500 {
        return server_error(s, action, ctx);
    }
    backend(
        format!("{action} on {resource} failed: {code}: {}", said(s)),
        &format!("see the AWS documentation of {action} for `{code}`"),
    )
}

fn is_access_denied(s: &ServiceFault) -> bool {
    matches!(
        s.code.as_str(),
        "AccessDenied"
            | "AccessDeniedException"
            | "AccessDeniedForDependencyException"
            | "OrganizationAccessDeniedException"
            | "UnauthorizedOperation"
            | "AuthorizationError"
            | "Forbidden"
    ) || (s.status == 403 && s.code == "403")
}

/// Refusals that are Organizations' (or CloudTrail's and Config's) rules rather than bad
/// input: a reason code and what to do.
fn constraint_error(s: &ServiceFault) -> Option<BackendError> {
    let reason_code = |fallback: &str| {
        s.reason
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let fixed = |reason: &str| Some(constraint(reason, reasons::help(reason)));
    match s.code.as_str() {
        "ConstraintViolationException" | "HandshakeConstraintViolationException" => {
            let reason = reason_code(&said(s));
            let help = reasons::help(&reason);
            Some(constraint(reason, help))
        }
        "PolicyInUseException" => fixed("POLICY_IN_USE"),
        "OrganizationalUnitNotEmptyException" => fixed("OU_NOT_EMPTY"),
        "PolicyChangesNotAllowedException" => fixed("POLICY_CHANGES_NOT_ALLOWED"),
        "PolicyTypeNotEnabledException" => fixed("POLICY_TYPE_NOT_ENABLED"),
        "PolicyTypeNotAvailableForOrganizationException" => fixed("POLICY_TYPE_NOT_AVAILABLE"),
        "CloudTrailAccessNotEnabledException" => fixed("TRUSTED_ACCESS_NOT_ENABLED"),
        "OrganizationNotInAllFeaturesModeException"
        | "OrganizationAllFeaturesNotEnabledException" => {
            fixed("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")
        }
        "AccountOwnerNotVerifiedException" => Some(constraint(
            "ACCOUNT_OWNER_NOT_VERIFIED",
            "the management account's email address is not verified: verify it, then run apply again",
        )),
        "FinalizingOrganizationException" => Some(constraint(
            "FINALIZING_ORGANIZATION",
            "AWS is still setting up the new organization: run apply again in an hour",
        )),
        "NotOrganizationMasterAccountException" | "NotOrganizationManagementAccountException" => {
            Some(constraint(
                "NOT_MANAGEMENT_ACCOUNT",
                "organization trails and aggregators are made from the management account: use its credentials",
            ))
        }
        "InsufficientS3BucketPolicyException" => Some(constraint(
            "INSUFFICIENT_S3_BUCKET_POLICY",
            "the log bucket's policy must let cloudtrail.amazonaws.com write to it: run the plan's log bucket step first, or fix the bucket policy",
        )),
        "InvalidRoleException" | "InsufficientPermissionsException" => Some(constraint(
            "CONFIG_AGGREGATOR_ROLE",
            format!(
                "the Config aggregator needs the role in its request: create it in the management account, trusted by config.amazonaws.com, with the AWS managed policy AWSConfigRoleForOrganizations ({})",
                said(s)
            ),
        )),
        "ContinuousBackupsUnavailableException" => Some(constraint(
            "CONTINUOUS_BACKUPS_UNAVAILABLE",
            "DynamoDB is still enabling backups for the new table: run apply again in a minute",
        )),
        _ => None,
    }
}

pub(crate) fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "TooManyRequestsException"
            | "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "RequestLimitExceeded"
            | "SlowDown"
            | "ProvisionedThroughputExceededException"
            | "PriorRequestNotComplete"
            | "LimitExceededException"
            | "TransactionInProgressException"
            | "ConcurrentModificationException"
    )
}

fn is_credentials(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidAccessKeyId"
            | "InvalidToken"
            | "RequestExpired"
            | "MissingAuthenticationToken"
            | "IncompleteSignature"
    )
}

fn is_not_found(s: &ServiceFault) -> bool {
    let code = s.code.as_str();
    code.contains("NotFound")
        || code.contains("DoesNotExist")
        || code.starts_with("NoSuch")
        || matches!(
            code,
            "PolicyNotAttachedException" | "AccountNotRegisteredException"
        )
        || (s.status == 404 && code == "404")
}

fn is_invalid_input(code: &str) -> bool {
    code.starts_with("Invalid")
        || code.starts_with("Illegal")
        || code.contains("Validation")
        || code.starts_with("Malformed")
        || matches!(code, "IncompatibleLocationConstraint" | "TooManyBuckets")
}

/// A 5xx after the SDK's retries: an emulator lacking the operation (no AWS error code, a
/// custom endpoint) or AWS failing.
fn server_error(s: &ServiceFault, action: &str, ctx: Context<'_>) -> BackendError {
    let coded = !s.code.is_empty() && !s.code.bytes().all(|b| b.is_ascii_digit());
    let unsupported = !coded
        || matches!(
            s.code.as_str(),
            "NotImplemented" | "NotImplementedException"
        );
    match ctx.endpoint {
        Some(url) if unsupported => backend(
            format!(
                "the endpoint {url} does not support {action}: it answered HTTP {}",
                s.status
            ),
            "the endpoint (an emulator?) lacks this operation: run this step against AWS, or change the spec so that the plan does not need it",
        ),
        _ => backend(
            format!(
                "AWS failed {action} (HTTP {}): {}",
                s.status,
                if coded {
                    format!("{}: {}", s.code, said(s))
                } else {
                    "no error code".to_owned()
                }
            ),
            "AWS had an internal error and the SDK's retries ran out: run again later",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::Op;

    const CTX: Context<'static> = Context {
        principal: "arn:aws:iam::111111111111:user/me",
        endpoint: None,
    };

    fn fault(code: &str, message: &str, status: u16) -> Fault {
        Fault::new(
            Op::new("organizations", "CreateOrganizationalUnit"),
            "organizational unit `Security` under r-abcd",
            Cause::Service(Box::new(ServiceFault {
                code: code.to_owned(),
                message: message.to_owned(),
                status,
                reason: None,
                bucket_region: None,
                unread_body: None,
            })),
        )
    }

    fn map(code: &str, message: &str, status: u16) -> BackendError {
        to_backend_error(&fault(code, message, status), CTX)
    }

    #[test]
    fn access_denied_names_principal_action_resource_and_reason() {
        let err = map("AccessDeniedException", "explicit deny in an SCP", 400);
        assert_eq!(
            err,
            BackendError::AccessDenied {
                principal: "arn:aws:iam::111111111111:user/me".into(),
                action: "organizations:CreateOrganizationalUnit".into(),
                resource: "organizational unit `Security` under r-abcd".into(),
                reason: "explicit deny in an SCP".into(),
            }
        );
        assert!(
            matches!(map("AccessDenied", "", 403), BackendError::AccessDenied { reason, .. } if reason == "AccessDenied")
        );
        assert!(matches!(
            map("403", "", 403),
            BackendError::AccessDenied { .. }
        ));
    }

    #[test]
    fn constraint_violations_carry_their_reason_and_a_next_step() {
        let mut f = fault("ConstraintViolationException", "too deep", 400);
        if let Cause::Service(s) = &mut f.cause {
            s.reason = Some("OU_DEPTH_LIMIT_EXCEEDED".into());
        }
        let BackendError::ConstraintViolation { reason, help } = to_backend_error(&f, CTX) else {
            panic!("not a constraint violation");
        };
        assert_eq!(reason, "OU_DEPTH_LIMIT_EXCEEDED");
        assert!(help.contains("five levels"), "{help}");
        // Without a reason code (moto sends none), the message stands in.
        let err = map(
            "ConstraintViolationException",
            "cannot register master",
            400,
        );
        assert!(
            matches!(err, BackendError::ConstraintViolation { reason, .. } if reason == "cannot register master")
        );
        let err = map(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
            400,
        );
        assert_eq!(
            err,
            BackendError::ConstraintViolation {
                reason: "Your account is not a member of an organization.".into(),
                help: NOT_IN_USE_HELP.into(),
            }
        );
        assert!(
            matches!(map("PolicyInUseException", "", 400), BackendError::ConstraintViolation { reason, .. } if reason == "POLICY_IN_USE")
        );
    }

    #[test]
    fn duplicates_and_missing_things() {
        for code in [
            "DuplicateOrganizationalUnitException",
            "DuplicatePolicyException",
            "DuplicatePolicyAttachmentException",
            "DuplicateAccountException",
            "PolicyTypeAlreadyEnabledException",
            "AccountAlreadyRegisteredException",
            "AlreadyInOrganizationException",
            "TrailAlreadyExistsException",
            "BucketAlreadyOwnedByYou",
        ] {
            assert!(
                matches!(map(code, "", 400), BackendError::AlreadyExists { .. }),
                "{code}"
            );
        }
        for code in [
            "PolicyNotFoundException",
            "OrganizationalUnitNotFoundException",
            "AccountNotFoundException",
            "CreateAccountStatusNotFoundException",
            "ParentNotFoundException",
            "TargetNotFoundException",
            "PolicyNotAttachedException",
            "NoSuchBucket",
            "ResourceNotFoundException",
            "TrailNotFoundException",
            "S3BucketDoesNotExistException",
            "404",
        ] {
            let status = if code == "404" { 404 } else { 400 };
            assert!(
                matches!(map(code, "", status), BackendError::NotFound { .. }),
                "{code}"
            );
        }
        assert_eq!(
            map("BucketAlreadyExists", "", 409),
            BackendError::BucketSquatted {
                bucket: "organizational unit `Security` under r-abcd".into(),
                owner: None
            }
        );
    }

    #[test]
    fn input_throttling_credentials_and_servers() {
        assert!(matches!(
            map("MalformedPolicyDocumentException", "bad json", 400),
            BackendError::InvalidInput { message } if message == "MALFORMED_POLICY_DOCUMENT: bad json"
        ));
        assert!(matches!(
            map("InvalidInputException", "name too long", 400),
            BackendError::InvalidInput { .. }
        ));
        for code in [
            "TooManyRequestsException",
            "ThrottlingException",
            "Throttling",
            "SlowDown",
        ] {
            assert!(
                matches!(map(code, "", 400), BackendError::Backend { help, .. } if help == THROTTLING_HELP),
                "{code}"
            );
        }
        assert!(
            matches!(map("UnrecognizedClientException", "", 400), BackendError::Backend { help, .. } if help == CREDENTIALS_HELP)
        );
        let moto = Context {
            endpoint: Some("http://127.0.0.1:5000"),
            ..CTX
        };
        let err = to_backend_error(&fault("500", "", 500), moto);
        assert!(
            matches!(&err, BackendError::Backend { message, .. } if message.contains("does not support organizations:CreateOrganizationalUnit")),
            "{err:?}"
        );
        let err = map("ServiceException", "try later", 500);
        assert!(
            matches!(&err, BackendError::Backend { message, help, .. } if message.contains("ServiceException") && help.contains("run again later")),
            "{err:?}"
        );
    }

    #[test]
    fn transport_failures_name_the_endpoint() {
        let f = Fault::new(
            Op::new("sts", "GetCallerIdentity"),
            "the caller",
            Cause::Unreachable("connection refused".into()),
        );
        let moto = Context {
            endpoint: Some("http://127.0.0.1:1"),
            ..CTX
        };
        let BackendError::Backend { message, help, .. } = to_backend_error(&f, moto) else {
            panic!("not a backend error");
        };
        assert!(message.contains("http://127.0.0.1:1"), "{message}");
        assert_eq!(help, NETWORK_HELP);
        let f = Fault::new(
            Op::new("sts", "GetCallerIdentity"),
            "the caller",
            Cause::NoCredentials("no providers in chain provided credentials".into()),
        );
        assert!(
            matches!(to_backend_error(&f, CTX), BackendError::Backend { help, .. } if help.contains("--profile"))
        );
    }
}
