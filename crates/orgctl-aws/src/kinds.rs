//! Conversions between orgctl's and the SDK's enumerations.

use aws_sdk_organizations::types::{self as org};
use orgctl_org::{AccountStatus, CreateAccountState, PolicyKind};

/// The SDK's policy type of a kind.
pub(crate) fn policy_type(kind: PolicyKind) -> org::PolicyType {
    match kind {
        PolicyKind::Scp => org::PolicyType::ServiceControlPolicy,
        PolicyKind::Rcp => org::PolicyType::ResourceControlPolicy,
    }
}

/// The kind of an SDK policy type, for the types orgctl manages.
pub(crate) fn policy_kind(kind: &org::PolicyType) -> Option<PolicyKind> {
    match kind {
        org::PolicyType::ServiceControlPolicy => Some(PolicyKind::Scp),
        org::PolicyType::ResourceControlPolicy => Some(PolicyKind::Rcp),
        _ => None,
    }
}

/// An account's status, from the newer `State` when present, else the older `Status`.
pub(crate) fn account_status(
    state: Option<&org::AccountState>,
    status: Option<&org::AccountStatus>,
) -> AccountStatus {
    match (state, status) {
        (Some(org::AccountState::Suspended | org::AccountState::Closed), _)
        | (None, Some(org::AccountStatus::Suspended)) => AccountStatus::Suspended,
        (Some(org::AccountState::PendingClosure), _)
        | (None, Some(org::AccountStatus::PendingClosure)) => AccountStatus::PendingClosure,
        _ => AccountStatus::Active,
    }
}

/// Where a `CreateAccount` request stands.
pub(crate) fn request_state(state: Option<&org::CreateAccountState>) -> CreateAccountState {
    match state {
        Some(org::CreateAccountState::Succeeded) => CreateAccountState::Succeeded,
        Some(org::CreateAccountState::Failed) => CreateAccountState::Failed,
        _ => CreateAccountState::InProgress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in [PolicyKind::Scp, PolicyKind::Rcp] {
            assert_eq!(policy_kind(&policy_type(kind)), Some(kind));
            assert_eq!(policy_type(kind).as_str(), kind.api_name());
        }
        assert_eq!(policy_kind(&org::PolicyType::TagPolicy), None);
    }

    #[test]
    fn statuses() {
        assert_eq!(
            account_status(None, Some(&org::AccountStatus::Active)),
            AccountStatus::Active
        );
        assert_eq!(
            account_status(Some(&org::AccountState::PendingClosure), None),
            AccountStatus::PendingClosure
        );
        assert_eq!(
            account_status(
                Some(&org::AccountState::Closed),
                Some(&org::AccountStatus::Suspended)
            ),
            AccountStatus::Suspended
        );
        assert_eq!(
            request_state(Some(&org::CreateAccountState::Succeeded)),
            CreateAccountState::Succeeded
        );
        assert_eq!(request_state(None), CreateAccountState::InProgress);
    }
}
