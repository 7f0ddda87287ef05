//! One CloudTrail record, as far as replay needs it: the fields that say who called what,
//! where, when and on which resource. Every other field is skipped without being built.
//!
//! Strings borrow from the buffer the record was read from unless they hold escapes, so
//! reading a record allocates nothing in the usual case.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

pub mod fast;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string field: borrowed from the input unless it had escapes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Str<'a>(pub Cow<'a, str>);

impl Str<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A flag CloudTrail writes as a string (`"true"`) in some fields and as a boolean in others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or \"true\"/\"false\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                Ok(Flag(v.eq_ignore_ascii_case("true")))
            }
        }
        d.deserialize_any(V)
    }
}

/// The fields of a CloudTrail record that replay reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Record<'a> {
    /// `eventSource`: the service endpoint, such as `s3.amazonaws.com`.
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Option<Str<'a>>,
    /// `eventName`: the API operation.
    #[serde(rename = "eventName", borrow)]
    pub event_name: Option<Str<'a>>,
    /// `eventType`: `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ...
    #[serde(rename = "eventType", borrow)]
    pub event_type: Option<Str<'a>>,
    /// `eventTime`: ISO 8601 in UTC, such as `2023-07-10T11:42:36Z`.
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Option<Str<'a>>,
    /// `eventID`.
    #[serde(rename = "eventID", borrow)]
    pub event_id: Option<Str<'a>>,
    /// `awsRegion`: the region the call was made to.
    #[serde(rename = "awsRegion", borrow)]
    pub aws_region: Option<Str<'a>>,
    /// `sourceIPAddress`: an IP address, or a service name for calls services make.
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip: Option<Str<'a>>,
    /// `userIdentity`: who called.
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    /// `recipientAccountId`: the account that received the call.
    #[serde(rename = "recipientAccountId", borrow)]
    pub recipient_account: Option<Str<'a>>,
    /// The ARN of the first element of `resources`, when there is one.
    #[serde(rename = "resources", borrow, default)]
    pub resource: FirstResource<'a>,
    /// `errorCode`, for calls that failed.
    #[serde(rename = "errorCode", borrow)]
    pub error_code: Option<Str<'a>>,
    /// `vpcEndpointId`, for calls made through a VPC endpoint.
    #[serde(rename = "vpcEndpointId", borrow)]
    pub vpc_endpoint: Option<Str<'a>>,
    /// Whether `tlsDetails` is present (the call came over TLS).
    #[serde(rename = "tlsDetails", default, deserialize_with = "present")]
    pub tls: bool,
}

/// `userIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserIdentity<'a> {
    /// `type`: `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSService`, `AWSAccount`...
    #[serde(rename = "type", borrow)]
    pub kind: Option<Str<'a>>,
    /// `arn`.
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
    /// `accountId`: the principal's account.
    #[serde(rename = "accountId", borrow)]
    pub account_id: Option<Str<'a>>,
    /// `invokedBy`: the service that made the call for the principal, or `AWS Internal`.
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Option<Str<'a>>,
    /// `sessionContext`.
    #[serde(rename = "sessionContext", borrow)]
    pub session: Option<SessionContext<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SessionContext<'a> {
    /// `attributes`.
    pub attributes: Option<SessionAttributes>,
    /// `sessionIssuer`: the role (or user) the session came from.
    #[serde(rename = "sessionIssuer", borrow)]
    pub issuer: Option<SessionIssuer<'a>>,
}

/// `userIdentity.sessionContext.attributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SessionAttributes {
    /// `mfaAuthenticated`.
    #[serde(rename = "mfaAuthenticated")]
    pub mfa_authenticated: Option<Flag>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SessionIssuer<'a> {
    /// `arn`: the role's ARN, with its path.
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
}

/// The ARN of a record's first resource; the rest of the array is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirstResource<'a>(pub Option<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstResource<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Resource<'a> {
            #[serde(rename = "ARN", borrow)]
            arn: Option<Str<'a>>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstResource<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of resources")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<Resource<'de>>()?.and_then(|r| r.arn);
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstResource(first))
            }
        }
        d.deserialize_any(V)
    }
}

/// Deserializes any value and says that it was there.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(true)
        }
    }
    d.deserialize_any(V)
}

impl Record<'_> {
    /// The principal's ARN, if the record names one.
    pub fn principal_arn(&self) -> Option<&str> {
        self.user_identity
            .as_ref()
            .and_then(|u| u.arn.as_ref())
            .map(Str::as_str)
    }

    /// The `errorCode`, if the call failed.
    pub fn error(&self) -> Option<&str> {
        self.error_code.as_ref().map(Str::as_str)
    }

    /// Whether the call was refused for lack of permission when it was made.
    pub fn was_denied(&self) -> bool {
        self.error().is_some_and(is_access_denied)
    }
}

/// Whether an `errorCode` says authorization failed: `AccessDenied`,
/// `AccessDeniedException`, `Client.UnauthorizedOperation`, `UnauthorizedAccess` and the
/// like.
pub fn is_access_denied(code: &str) -> bool {
    let code = code.strip_prefix("Client.").unwrap_or(code);
    code.starts_with("AccessDenied")
        || code.starts_with("UnauthorizedOperation")
        || code.starts_with("UnauthorizedAccess")
        || code == "Unauthorized"
        || code == "NotAuthorized"
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;

    #[test]
    fn reads_the_fields_it_needs_and_borrows_them() {
        let text = br#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole",
            "arn":"arn:aws:sts::111122223333:assumed-role/Dev/alice","accountId":"111122223333",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/team/Dev"},
            "attributes":{"creationDate":"2023-07-10T11:42:31Z","mfaAuthenticated":"true"}},
            "invokedBy":"cloudformation.amazonaws.com"},
            "eventTime":"2023-07-10T11:42:36Z","eventSource":"s3.amazonaws.com",
            "eventName":"GetBucketAcl","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9",
            "requestParameters":{"bucketName":"b","nested":[{"x":[1,2,{"y":null}]}]},
            "responseElements":null,"eventID":"e-1","readOnly":true,
            "resources":[{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"},
                         {"ARN":"arn:aws:s3:::other"}],
            "errorCode":"AccessDenied","recipientAccountId":"111122223333",
            "vpcEndpointId":"vpce-1","tlsDetails":{"tlsVersion":"TLSv1.3"}}"#;
        let r: Record<'_> = serde_json::from_slice(text).unwrap();
        assert!(matches!(
            r.event_source.as_ref().unwrap().0,
            Cow::Borrowed("s3.amazonaws.com")
        ));
        assert_eq!(r.event_name.unwrap().as_str(), "GetBucketAcl");
        assert_eq!(r.resource.0.unwrap().as_str(), "arn:aws:s3:::b");
        let u = r.user_identity.unwrap();
        assert_eq!(u.kind.unwrap().as_str(), "AssumedRole");
        let s = u.session.unwrap();
        assert_eq!(s.attributes.unwrap().mfa_authenticated, Some(Flag(true)));
        assert_eq!(
            s.issuer.unwrap().arn.unwrap().as_str(),
            "arn:aws:iam::111122223333:role/team/Dev"
        );
        assert!(r.tls);
        assert_eq!(r.vpc_endpoint.unwrap().as_str(), "vpce-1");
        assert!(is_access_denied(r.error_code.unwrap().as_str()));
    }

    #[test]
    fn escapes_make_owned_strings_and_absent_fields_stay_empty() {
        let r: Record<'_> = serde_json::from_slice(
            br#"{"eventName":"A\u0042","resources":null,"tlsDetails":null}"#,
        )
        .unwrap();
        assert_eq!(r.event_name.unwrap().as_str(), "AB");
        assert_eq!(r.resource, FirstResource(None));
        assert!(!r.tls);
        assert!(r.user_identity.is_none());
        let flag: Flag = serde_json::from_str("false").unwrap();
        assert_eq!(flag, Flag(false));
    }

    #[test]
    fn denial_codes() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "Client.UnauthorizedOperation",
            "UnauthorizedAccess",
        ] {
            assert!(is_access_denied(code), "{code}");
        }
        for code in [
            "ThrottlingException",
            "NoSuchBucketPolicy",
            "Client.InvalidVolume.NotFound",
        ] {
            assert!(!is_access_denied(code), "{code}");
        }
    }
}
