//! The next step for each reason code Organizations gives with a
//! `ConstraintViolationException` or `HandshakeConstraintViolationException`.

/// What to do about a constraint violation with this reason code.
pub(crate) fn help(reason: &str) -> &'static str {
    match reason {
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED" => {
            "the organization holds as many accounts as its quota allows: ask AWS Support (Service Quotas, AWS Organizations) to raise it, or remove accounts from the spec"
        }
        "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED" => {
            "AWS limits how fast accounts can be created: run apply again later"
        }
        "ACCOUNT_CREATION_NOT_COMPLETE" => {
            "the account is still being set up: run apply again in a few minutes"
        }
        "ACCOUNT_CANNOT_LEAVE_ORGANIZATION" => {
            "the management account cannot leave its organization"
        }
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA" | "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION" => {
            "the account needs its own billing setup (agreement, phone verification) before it can stand alone: finish it in the account's console"
        }
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" => {
            "every root, OU and account keeps at least one policy of each enabled type: attach the replacement before detaching the last one (keep FullAWSAccess attached `everywhere`)"
        }
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" => {
            "the target has as many policies of this type as allowed (10 by default): merge policies, attach some higher in the tree, or lower the spec's `quotas.policies_per_target` to catch it at plan time"
        }
        "OU_DEPTH_LIMIT_EXCEEDED" => {
            "OUs nest at most five levels below the root: flatten the unit tree in the spec"
        }
        "OU_NUMBER_LIMIT_EXCEEDED" => {
            "the organization has as many OUs as its quota allows (1,000): remove OUs or ask AWS Support to raise the quota"
        }
        "POLICY_CONTENT_LIMIT_EXCEEDED" => {
            "the policy document is larger than allowed (5,120 characters for SCPs by default, 10,240 at most): minify it or split it into several policies"
        }
        "POLICY_NUMBER_LIMIT_EXCEEDED" => {
            "the organization has as many policies of this type as allowed (1,000): delete unused policies or merge them"
        }
        "MAX_TAG_LIMIT_EXCEEDED" => "a resource carries at most 50 tags: remove some from the spec",
        "TAG_POLICY_VIOLATION" => {
            "a tag policy of the organization rejects these tags: change the tags in the spec or the tag policy"
        }
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR" => {
            "the management account administers every service already: delegate the service to a member account"
        }
        "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR" => {
            "a suspended account cannot be a delegated administrator: choose an active account"
        }
        "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG" => {
            "deregister the account as delegated administrator before it leaves the organization"
        }
        "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE" => {
            "the service already has a delegated administrator: deregister it first, or delegate to that account in the spec"
        }
        "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED" => {
            "the service allows no more delegated administrators: deregister one first"
        }
        "SERVICE_ACCESS_NOT_ENABLED" | "TRUSTED_ACCESS_NOT_ENABLED" => {
            "enable trusted access for the service first (the plan's EnableAWSServiceAccess step), then run apply again"
        }
        "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE" => {
            "the organization has consolidated billing only: enable all features in the Organizations console, then run apply again"
        }
        "WAIT_PERIOD_ACTIVE" => {
            "AWS holds a waiting period after this account's last change: run apply again later"
        }
        "CREATE_ORGANIZATION_IN_BILLING_MODE_UNSUPPORTED_REGION" => {
            "create the organization from the us-east-1 (or the partition's main) region"
        }
        "INVALID_PAYMENT_INSTRUMENT"
        | "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"
        | "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"
        | "PAYMENT_INSTRUMENT_REQUIRED" => {
            "a valid payment method is missing: add one in the billing console, then run apply again"
        }
        "MASTER_ACCOUNT_ADDRESS_DOES_NOT_MATCH_MARKETPLACE"
        | "MASTER_ACCOUNT_MISSING_BUSINESS_LICENSE"
        | "MASTER_ACCOUNT_MISSING_CONTACT_INFO"
        | "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED" => {
            "the management account's billing details are incomplete: complete them in the billing console or with AWS Support"
        }
        "EMAIL_VERIFICATION_CODE_EXPIRED" => {
            "the email verification expired: verify the management account's email again in the console"
        }
        "HANDSHAKE_RATE_LIMIT_EXCEEDED" | "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED" => {
            "too many invitations or membership changes lately: run apply again later"
        }
        "ALREADY_IN_AN_ORGANIZATION" => {
            "the account belongs to another organization: it must leave that one before it can be invited"
        }
        "ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD" => {
            "the account and the organization have different AWS sellers of record (for example AWS Inc. and AISPL) and cannot be joined"
        }
        "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES" => {
            "the organization is switching to all features: finish that, then run apply again"
        }
        "CLOSE_ACCOUNT_QUOTA_EXCEEDED" | "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED" => {
            "too many accounts were closed lately: wait, then try again"
        }
        "POLICY_IN_USE" => "the policy is still attached somewhere: detach it first",
        "OU_NOT_EMPTY" => "the OU still holds accounts or OUs: move or delete them first",
        "POLICY_CHANGES_NOT_ALLOWED" => {
            "AWS-managed policies (FullAWSAccess) cannot be changed or deleted: create a policy of your own"
        }
        "POLICY_TYPE_NOT_ENABLED" => {
            "enable the policy type on the root first (the plan's EnablePolicyType step)"
        }
        "POLICY_TYPE_NOT_AVAILABLE" => {
            "the organization cannot use this policy type: enable all features, or remove the policies of this type from the spec"
        }
        _ => {
            "see `ConstraintViolationException` in the AWS Organizations API reference for this reason, change the spec or the organization, and run plan again"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_reasons_have_their_own_help() {
        let fallback = help("SOMETHING_NEW");
        for reason in [
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "OU_DEPTH_LIMIT_EXCEEDED",
            "OU_NUMBER_LIMIT_EXCEEDED",
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "POLICY_NUMBER_LIMIT_EXCEEDED",
            "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
            "ALREADY_IN_AN_ORGANIZATION",
            "POLICY_IN_USE",
        ] {
            assert_ne!(help(reason), fallback, "{reason}");
        }
        assert!(fallback.contains("ConstraintViolationException"));
    }
}
