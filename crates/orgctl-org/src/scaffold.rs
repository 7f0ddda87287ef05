//! `orgctl init`: the files of a new organization spec that validates, passes its guardrail
//! tests and whose properties hold, ready to edit: a Security, Workloads and Sandbox OU, six
//! accounts, a region lock, CloudTrail and log protection, tests and properties.

/// What the new spec is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldOptions {
    /// The organization's name: lower-case letters, digits and hyphens (it starts bucket
    /// names).
    pub name: String,
    /// The management account's id.
    pub management_account_id: String,
    /// The domain of the accounts' root email addresses.
    pub email_domain: String,
    /// The home region.
    pub region: String,
}

/// Why the options cannot make a spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ScaffoldError {
    /// The name cannot start bucket names.
    #[error("`{0}` cannot name the organization")]
    #[diagnostic(help(
        "use 3 to 40 lower-case letters, digits and hyphens, starting with a letter (it starts the names of S3 buckets)"
    ))]
    Name(String),
    /// Not a 12-digit account id.
    #[error("`{0}` is not an AWS account id")]
    #[diagnostic(help("give the management account's 12-digit id"))]
    AccountId(String),
    /// Not a domain.
    #[error("`{0}` is not an email domain")]
    #[diagnostic(help("give a domain such as `example.com`"))]
    Domain(String),
    /// Not a region code.
    #[error("`{0}` is not a region")]
    #[diagnostic(help("give a region code such as `us-east-1`"))]
    Region(String),
}

const ORG: &str = include_str!("scaffold/org.hcl");
const PROPERTIES: &str = include_str!("scaffold/properties.hcl");
const TESTS: &str = include_str!("scaffold/tests/guardrails.hcl");
const REGION_LOCK: &str = include_str!("scaffold/policies/RegionLock.json");
const SECURITY_TOOLING: &str = include_str!("scaffold/policies/ProtectSecurityTooling.json");
const LOG_ARCHIVE: &str = include_str!("scaffold/policies/ProtectLogArchive.json");
const GITIGNORE: &str = include_str!("scaffold/gitignore");

/// The files to write, paths relative to the new directory.
///
/// # Errors
/// An option that cannot make a valid spec.
pub fn files(options: &ScaffoldOptions) -> Result<Vec<(&'static str, String)>, ScaffoldError> {
    let name = &options.name;
    let name_ok = (3..=40).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(ScaffoldError::Name(name.clone()));
    }
    let id = &options.management_account_id;
    if !crate::validate::is_account_id(id) {
        return Err(ScaffoldError::AccountId(id.clone()));
    }
    let domain = &options.email_domain;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !domain_ok {
        return Err(ScaffoldError::Domain(domain.clone()));
    }
    let region = &options.region;
    if !crate::validate::looks_like_region(region) {
        return Err(ScaffoldError::Region(region.clone()));
    }
    let other = if region == "us-west-2" {
        "us-east-1"
    } else {
        "us-west-2"
    };
    let fill = |t: &str| {
        t.replace("{{name}}", name)
            .replace("{{management}}", id)
            .replace("{{domain}}", domain)
            .replace("{{region}}", region)
            .replace("{{other_region}}", other)
    };
    Ok(vec![
        ("org.hcl", fill(ORG)),
        ("properties.hcl", fill(PROPERTIES)),
        ("policies/RegionLock.json", fill(REGION_LOCK)),
        (
            "policies/ProtectSecurityTooling.json",
            fill(SECURITY_TOOLING),
        ),
        ("policies/ProtectLogArchive.json", fill(LOG_ARCHIVE)),
        ("tests/guardrails.hcl", fill(TESTS)),
        (".gitignore", fill(GITIGNORE)),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    fn options() -> ScaffoldOptions {
        ScaffoldOptions {
            name: "acme".into(),
            management_account_id: "111122223333".into(),
            email_domain: "acme.example".into(),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        for (path, text) in files(&options()).unwrap() {
            assert!(!text.contains("{{"), "{path}");
        }
    }

    #[test]
    fn bad_options_are_refused() {
        let bad = |f: &dyn Fn(&mut ScaffoldOptions)| {
            let mut o = options();
            f(&mut o);
            files(&o).unwrap_err()
        };
        assert!(matches!(
            bad(&|o| o.name = "Acme Corp".into()),
            ScaffoldError::Name(_)
        ));
        assert!(matches!(
            bad(&|o| o.management_account_id = "1234".into()),
            ScaffoldError::AccountId(_)
        ));
        assert!(matches!(
            bad(&|o| o.email_domain = "nodot".into()),
            ScaffoldError::Domain(_)
        ));
        assert!(matches!(
            bad(&|o| o.region = "europe".into()),
            ScaffoldError::Region(_)
        ));
    }
}
