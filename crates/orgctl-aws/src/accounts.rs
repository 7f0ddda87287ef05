//! Accounts: creation and its polling, invitation, moves and tags.

use std::collections::BTreeMap;
use std::sync::PoisonError;

use aws_sdk_organizations::types::{self as org, HandshakeParty, HandshakePartyType, Tag};
use orgctl_org::{BackendError, CreateAccountStatus};

use crate::AwsBackend;
use crate::counts::Op;
use crate::kinds;

impl AwsBackend {
    /// `CreateAccount` with its tags, making the access role in the new account.
    pub(crate) fn request_account(
        &self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<CreateAccountStatus, BackendError> {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| BackendError::InvalidInput {
                message: format!("tags of account `{name}`: {e}"),
            })?;
        let orgs = self.management().organizations();
        let status = self.create_once(
            Op::new("organizations", "CreateAccount"),
            &format!("account `{name}` <{email}>"),
            || {
                orgs.create_account()
                    .account_name(name)
                    .email(email)
                    .role_name(&self.options.access_role_name)
                    .set_tags((!tags.is_empty()).then(|| tags.clone()))
                    .customize()
                    .config_override(crate::once::no_retries())
                    .send()
            },
            |out| self.status_of(out.create_account_status(), Some(email)),
            || self.find_request(name, email),
        )?;
        self.request_emails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(status.request_id.clone(), email.to_owned());
        Ok(status)
    }

    /// `DescribeCreateAccountStatus`.
    pub(crate) fn poll_account(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, BackendError> {
        let out = self.send(
            None,
            Op::new("organizations", "DescribeCreateAccountStatus"),
            &format!("create account request {request_id}"),
            self.management()
                .organizations()
                .describe_create_account_status()
                .create_account_request_id(request_id)
                .send(),
        )?;
        self.status_of(out.create_account_status(), None)
    }

    /// An SDK request status as orgctl's; the email from `email`, or from the requests this
    /// backend made (AWS does not report it).
    pub(crate) fn status_of(
        &self,
        status: Option<&org::CreateAccountStatus>,
        email: Option<&str>,
    ) -> Result<CreateAccountStatus, BackendError> {
        let Some(status) = status else {
            return Err(BackendError::Backend {
                backend: "aws".to_owned(),
                message: "Organizations returned no create account status".to_owned(),
                help: "run `orgctl plan` again".to_owned(),
            });
        };
        let request_id = status.id().unwrap_or_default().to_owned();
        let email = email.map(str::to_owned).unwrap_or_else(|| {
            self.request_emails
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&request_id)
                .cloned()
                .unwrap_or_default()
        });
        Ok(CreateAccountStatus {
            account_name: status.account_name().unwrap_or_default().to_owned(),
            email,
            state: kinds::request_state(status.state()),
            account_id: status.account_id().map(str::to_owned),
            failure_reason: status.failure_reason().map(|r| r.as_str().to_owned()),
            request_id,
        })
    }

    /// `InviteAccountToOrganization`, then `AcceptHandshake` as the access role in the
    /// invited account when that role exists there already; otherwise the invitation waits
    /// for the account's owner, and the error says so.
    pub(crate) fn invite(&self, account_id: &str, name: &str) -> Result<(), BackendError> {
        let target = HandshakeParty::builder()
            .id(account_id)
            .r#type(HandshakePartyType::Account)
            .build()
            .map_err(|e| BackendError::InvalidInput {
                message: format!("invitation of account {account_id}: {e}"),
            })?;
        let sent = self.attempt(
            Op::new("organizations", "InviteAccountToOrganization"),
            &format!("account {name} ({account_id})"),
            self.management()
                .organizations()
                .invite_account_to_organization()
                .target(target)
                .send(),
        );
        let handshake = match sent {
            Ok(out) => out
                .handshake()
                .and_then(|h| h.id())
                .unwrap_or_default()
                .to_owned(),
            Err(f) if f.is(&["DuplicateHandshakeException"]) => {
                return Err(pending(account_id, None));
            }
            Err(f) => return Err(self.fail(&f, None)),
        };
        let session = match self.session(account_id) {
            Ok(s) => s,
            Err(BackendError::AccessDenied { .. }) => {
                return Err(pending(account_id, Some(&handshake)));
            }
            Err(e) => return Err(e),
        };
        self.send(
            Some(&session),
            Op::new("organizations", "AcceptHandshake"),
            &format!("handshake {handshake}"),
            self.clients(&session, &self.region)
                .organizations()
                .accept_handshake()
                .handshake_id(&handshake)
                .send(),
        )?;
        Ok(())
    }

    /// `MoveAccount`.
    pub(crate) fn move_to(
        &self,
        account_id: &str,
        from: &str,
        to: &str,
    ) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "MoveAccount"),
            &format!("account {account_id} from {from} to {to}"),
            self.management()
                .organizations()
                .move_account()
                .account_id(account_id)
                .source_parent_id(from)
                .destination_parent_id(to)
                .send(),
        )?;
        Ok(())
    }

    /// `UntagResource` for the keys to remove, then `TagResource` for the tags to set.
    pub(crate) fn retag(
        &self,
        account_id: &str,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), BackendError> {
        let resource = format!("account {account_id}");
        let orgs = self.management().organizations();
        if !remove.is_empty() {
            self.send(
                None,
                Op::new("organizations", "UntagResource"),
                &resource,
                orgs.untag_resource()
                    .resource_id(account_id)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send(),
            )?;
        }
        if !set.is_empty() {
            let tags = set
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| BackendError::InvalidInput {
                    message: format!("tags of {resource}: {e}"),
                })?;
            self.send(
                None,
                Op::new("organizations", "TagResource"),
                &resource,
                orgs.tag_resource()
                    .resource_id(account_id)
                    .set_tags(Some(tags))
                    .send(),
            )?;
        }
        Ok(())
    }
}

/// An invitation that waits for the invited account's owner.
fn pending(account_id: &str, handshake: Option<&str>) -> BackendError {
    let (which, accept) = match handshake {
        Some(h) => (
            format!(" (handshake {h})"),
            format!("`aws organizations accept-handshake --handshake-id {h}`"),
        ),
        None => (
            String::new(),
            "`aws organizations accept-handshake` with the open handshake's id".to_owned(),
        ),
    };
    BackendError::ConstraintViolation {
        reason: "HANDSHAKE_PENDING".to_owned(),
        help: format!(
            "account {account_id} is invited{which}: its owner accepts the invitation in the Organizations console, or with {accept} using the account's own credentials; then run orgctl apply again"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_invitations_say_what_to_do() {
        let BackendError::ConstraintViolation { reason, help } =
            pending("222222222222", Some("h-abc"))
        else {
            panic!("not a constraint violation");
        };
        assert_eq!(reason, "HANDSHAKE_PENDING");
        assert!(help.contains("--handshake-id h-abc"), "{help}");
    }
}
