//! What went wrong in one SDK call, taken apart: the service's error code, message, HTTP
//! status and Organizations' reason code, or why no answer came at all.
//!
//! Call sites look at a [`Fault`] when some answers are expected (`NoSuchBucket` on a read);
//! everything else becomes a `BackendError` in [`crate::mapping`].

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::counts::Op;
use crate::redact::Secrets;

/// A failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    /// The operation.
    pub(crate) op: Op,
    /// What it was called on, for messages (`bucket example`, `policy p-1234abcd`).
    pub(crate) resource: String,
    /// Why it failed.
    pub(crate) cause: Cause,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The service answered with an error.
    Service(Box<ServiceFault>),
    /// No credentials could be found or loaded.
    NoCredentials(String),
    /// The request never got an answer: connection refused, DNS, TLS.
    Unreachable(String),
    /// The request timed out.
    TimedOut(String),
    /// The SDK could not build the request or read the answer.
    Sdk(String),
}

/// An error answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServiceFault {
    /// The error code (`ConstraintViolationException`, `NoSuchBucket`); for answers without a
    /// body (`HeadBucket`), the HTTP status as text.
    pub(crate) code: String,
    /// The service's message.
    pub(crate) message: String,
    /// The HTTP status.
    pub(crate) status: u16,
    /// Organizations' `Reason` field (`OU_DEPTH_LIMIT_EXCEEDED`), when the body has one.
    pub(crate) reason: Option<String>,
    /// S3's `x-amz-bucket-region` header: where a bucket really is.
    pub(crate) bucket_region: Option<String>,
    /// The body of a successful status the SDK could not read (an emulator's variant of
    /// a document), for the few reads that can still make sense of it.
    pub(crate) unread_body: Option<String>,
}

impl Fault {
    /// A fault of `op` on `resource`.
    pub(crate) fn new(op: Op, resource: impl Into<String>, cause: Cause) -> Self {
        Self {
            op,
            resource: resource.into(),
            cause,
        }
    }

    /// Takes an SDK error apart.
    pub(crate) fn from_sdk<E>(op: Op, resource: &str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let cause = match &error {
            SdkError::ServiceError(service) => {
                let raw = service.raw();
                let status = raw.status().as_u16();
                let err = service.err();
                let code = err
                    .code()
                    .filter(|c| !c.is_empty())
                    .map_or_else(|| status.to_string(), str::to_owned);
                Cause::Service(Box::new(ServiceFault {
                    code,
                    message: err.message().unwrap_or_default().to_owned(),
                    status,
                    reason: raw.body().bytes().and_then(reason_in_body),
                    bucket_region: raw.headers().get("x-amz-bucket-region").map(str::to_owned),
                    unread_body: (200..300)
                        .contains(&status)
                        .then(|| raw.body().bytes())
                        .flatten()
                        .map(|b| String::from_utf8_lossy(b).into_owned()),
                }))
            }
            // An answer the SDK could not read, such as an emulator's HTML error page: its
            // status is what there is to go on.
            SdkError::ResponseError(response) if response.raw().status().as_u16() >= 400 => {
                let status = response.raw().status().as_u16();
                Cause::Service(Box::new(ServiceFault {
                    code: status.to_string(),
                    status,
                    ..ServiceFault::default()
                }))
            }
            SdkError::TimeoutError(_) => Cause::TimedOut(chain(&error)),
            SdkError::DispatchFailure(failure) => {
                let text = chain(&error);
                if failure.is_timeout() {
                    Cause::TimedOut(text)
                } else if mentions_credentials(&text) {
                    Cause::NoCredentials(text)
                } else {
                    Cause::Unreachable(text)
                }
            }
            _ => {
                let text = chain(&error);
                if mentions_credentials(&text) {
                    Cause::NoCredentials(text)
                } else {
                    Cause::Sdk(text)
                }
            }
        };
        Self::new(op, resource, cause)
    }

    /// Masks every credential in the text that came from outside: the service's words and
    /// the SDK's description of the failure. (The body a read parses stays as it came.)
    pub(crate) fn redact(&mut self, secrets: &Secrets) {
        match &mut self.cause {
            Cause::Service(s) => {
                secrets.redact_in(&mut s.code);
                secrets.redact_in(&mut s.message);
                if let Some(reason) = &mut s.reason {
                    secrets.redact_in(reason);
                }
            }
            Cause::NoCredentials(text)
            | Cause::Unreachable(text)
            | Cause::TimedOut(text)
            | Cause::Sdk(text) => secrets.redact_in(text),
        }
    }

    /// The service's answer, when there was one.
    pub(crate) fn service(&self) -> Option<&ServiceFault> {
        match &self.cause {
            Cause::Service(s) => Some(s),
            _ => None,
        }
    }

    /// The error code, when the service answered.
    pub(crate) fn code(&self) -> Option<&str> {
        self.service().map(|s| s.code.as_str())
    }

    /// Whether the service answered with one of `codes`.
    pub(crate) fn is(&self, codes: &[&str]) -> bool {
        self.code().is_some_and(|c| codes.contains(&c))
    }
}

/// The error and its causes on one line, each cause's own message once (no debug dumps).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        // Wrappers often repeat their cause's message: keep each text once.
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Whether an SDK failure is about finding or loading credentials.
fn mentions_credentials(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["credential", "no providers in chain"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Organizations' `Reason` from a JSON error body.
fn reason_in_body(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .get("Reason")
        .or_else(|| value.get("reason"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_organizations::error::ErrorMetadata;
    use aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    const OP: Op = Op::new("organizations", "CreateOrganizationalUnit");

    fn response(status: u16, body: &'static str) -> HttpResponse {
        Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
    }

    #[test]
    fn service_errors_are_taken_apart() {
        let body = r#"{"__type":"ConstraintViolationException","Message":"too deep","Reason":"OU_DEPTH_LIMIT_EXCEEDED"}"#;
        let err = SdkError::service_error(
            CreateOrganizationalUnitError::generic(
                ErrorMetadata::builder()
                    .code("ConstraintViolationException")
                    .message("too deep")
                    .build(),
            ),
            response(400, body),
        );
        let fault = Fault::from_sdk(OP, "OU `A`", err);
        assert_eq!(
            fault.service(),
            Some(&ServiceFault {
                code: "ConstraintViolationException".into(),
                message: "too deep".into(),
                status: 400,
                reason: Some("OU_DEPTH_LIMIT_EXCEEDED".into()),
                bucket_region: None,
                unread_body: None,
            })
        );
        let mapped = crate::mapping::to_backend_error(
            &fault,
            crate::mapping::Context {
                principal: "p",
                endpoint: None,
            },
        );
        assert!(matches!(
            mapped,
            orgctl_org::BackendError::ConstraintViolation { reason, .. } if reason == "OU_DEPTH_LIMIT_EXCEEDED"
        ));
    }

    #[test]
    fn errors_without_a_code_keep_their_status() {
        let err: SdkError<CreateOrganizationalUnitError, HttpResponse> = SdkError::service_error(
            CreateOrganizationalUnitError::generic(ErrorMetadata::builder().build()),
            response(404, ""),
        );
        assert_eq!(Fault::from_sdk(OP, "x", err).code(), Some("404"));
        // An HTML error page the SDK could not read.
        let err: SdkError<CreateOrganizationalUnitError, HttpResponse> =
            SdkError::response_error("malformed JSON error body", response(500, "<html>"));
        let fault = Fault::from_sdk(OP, "x", err);
        assert_eq!(fault.code(), Some("500"));
        assert!(fault.is(&["500"]));
    }

    #[test]
    fn reasons_come_from_json_bodies() {
        let body = br#"{"__type":"ConstraintViolationException","Message":"m","Reason":"OU_DEPTH_LIMIT_EXCEEDED"}"#;
        assert_eq!(
            reason_in_body(body).as_deref(),
            Some("OU_DEPTH_LIMIT_EXCEEDED")
        );
        assert_eq!(reason_in_body(b"<Error><Code>x</Code></Error>"), None);
        assert_eq!(reason_in_body(br#"{"Message":"m"}"#), None);
    }

    #[test]
    fn credential_failures_are_recognised() {
        assert!(mentions_credentials(
            "dispatch failure: other: no providers in chain provided credentials"
        ));
        assert!(mentions_credentials(
            "dispatch failure: other: an error occurred while loading credentials: failed to load IMDS session token"
        ));
        assert!(!mentions_credentials(
            "dispatch failure: io error: Connection refused (os error 111)"
        ));
    }
}
