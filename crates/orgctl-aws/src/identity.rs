//! Who calls run as: the caller's own identity (asked once), and the access role's sessions
//! in member accounts (assumed once per account, renewed before they expire).

use std::sync::{Arc, PoisonError};
use std::time::SystemTime;

use aws_sdk_sts::config::Credentials;
use orgctl_org::{BackendError, CallerIdentity};

use crate::AwsBackend;
use crate::counts::Op;
use crate::session::{self, SESSION_NAME, Session};

const GET_CALLER_IDENTITY: Op = Op::new("sts", "GetCallerIdentity");
const ASSUME_ROLE: Op = Op::new("sts", "AssumeRole");

impl AwsBackend {
    /// The session of the caller's own credentials (`GetCallerIdentity` the first time).
    pub(crate) fn own_session(&self) -> Result<Arc<Session>, BackendError> {
        if let Some(own) = self
            .own
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            return Ok(Arc::clone(own));
        }
        let out = self.send(
            None,
            GET_CALLER_IDENTITY,
            "the caller",
            self.management().sts().get_caller_identity().send(),
        )?;
        let identity = CallerIdentity {
            account_id: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
        };
        let own = Arc::new(Session {
            config: self.base.clone(),
            identity,
            expires: None,
        });
        *self.own.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&own));
        Ok(own)
    }

    /// The caller's ARN if already known, without calling.
    pub(crate) fn known_principal(&self) -> Option<String> {
        self.own
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|s| s.identity.arn.clone())
    }

    /// The session calls inside `account` run as: the caller's own for its account, the
    /// access role's (assumed now, or cached) for any other.
    pub(crate) fn session(&self, account: &str) -> Result<Arc<Session>, BackendError> {
        let own = self.own_session()?;
        if own.identity.account_id == account {
            return Ok(own);
        }
        if let Some(cached) = self
            .members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(account)
            .filter(|s| s.fresh())
        {
            return Ok(Arc::clone(cached));
        }
        let role_arn = self.role_arn(account);
        let out = self.send(
            Some(&own),
            ASSUME_ROLE,
            &role_arn,
            self.management()
                .sts()
                .assume_role()
                .role_arn(&role_arn)
                .role_session_name(SESSION_NAME)
                .send(),
        )?;
        let Some(creds) = out.credentials() else {
            return Err(BackendError::Backend {
                backend: "aws".to_owned(),
                message: format!("sts:AssumeRole on {role_arn} returned no credentials"),
                help: crate::mapping::NETWORK_HELP.to_owned(),
            });
        };
        for secret in [
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token(),
        ] {
            self.secrets.add(secret);
        }
        let expires = SystemTime::try_from(*creds.expiration()).ok();
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            expires,
            "orgctl-assume-role",
        );
        // The identity STS vouches for: the role's session in `account`. (An emulator may
        // answer `GetCallerIdentity` with its default account whatever the credentials.)
        let arn = out.assumed_role_user().map_or_else(
            || {
                format!(
                    "arn:aws:sts::{account}:assumed-role/{}/{SESSION_NAME}",
                    self.options.access_role_name
                )
            },
            |u| u.arn().to_owned(),
        );
        let identity = CallerIdentity {
            account_id: session::account_of(&arn).unwrap_or(account).to_owned(),
            arn,
        };
        let member = Arc::new(Session {
            config: session::assumed(&self.base, credentials),
            identity,
            expires,
        });
        self.members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(account.to_owned(), Arc::clone(&member));
        Ok(member)
    }

    /// `arn:aws:iam::<account>:role/<access role>`.
    pub(crate) fn role_arn(&self, account: &str) -> String {
        format!(
            "arn:aws:iam::{account}:role/{}",
            self.options.access_role_name
        )
    }
}
