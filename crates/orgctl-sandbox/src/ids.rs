//! Deterministic ids: each derived from an FNV-1a hash of stable input, so repeated runs and
//! snapshot tests see the same ids. A collision moves on to the next probe.

use orgctl_org::{BackendError, PolicyKind};

/// How many probes to try before giving up on a free id.
const PROBES: u32 = 1_000;

/// FNV-1a (64 bit) over `parts`, each followed by a separator byte, then the probe number.
pub(crate) fn fnv1a(parts: &[&str], probe: u32) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for part in parts {
        part.bytes().for_each(&mut eat);
        eat(0xff);
    }
    probe.to_le_bytes().into_iter().for_each(&mut eat);
    hash
}

/// `len` characters of `[a-z0-9]` from `hash`, lowest digit first (`len` at most 12:
/// 36^12 < 2^64).
fn base36(mut hash: u64, len: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        let digit = usize::try_from(hash % 36).unwrap_or_default();
        out.push(char::from(DIGITS.get(digit).copied().unwrap_or(b'0')));
        hash /= 36;
    }
    out
}

/// `o-` and 10 characters, from the management account.
pub(crate) fn organization(management_account_id: &str) -> String {
    format!(
        "o-{}",
        base36(fnv1a(&["organization", management_account_id], 0), 10)
    )
}

/// `r-` and 4 characters, from the organization.
pub(crate) fn root(organization_id: &str) -> String {
    format!("r-{}", base36(fnv1a(&["root", organization_id], 0), 4))
}

/// `ou-<root's 4 characters>-<8 characters>`, from the parent and name.
pub(crate) fn unit(root_id: &str, parent_id: &str, name: &str, probe: u32) -> String {
    let root = root_id.strip_prefix("r-").unwrap_or(root_id);
    format!(
        "ou-{root}-{}",
        base36(fnv1a(&["unit", parent_id, name], probe), 8)
    )
}

/// The id of the AWS-managed full-access policy of a kind.
pub(crate) const fn managed_policy(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Scp => "p-FullAWSAccess",
        PolicyKind::Rcp => "p-RCPFullAWSAccess",
    }
}

/// `p-` and 8 characters, from the kind and name.
pub(crate) fn policy(kind: PolicyKind, name: &str, probe: u32) -> String {
    format!(
        "p-{}",
        base36(fnv1a(&["policy", kind.api_name(), name], probe), 8)
    )
}

/// 12 digits, from the email (in lower case: AWS compares emails without case).
pub(crate) fn account(email: &str, probe: u32) -> String {
    let hash = fnv1a(&["account", &email.to_ascii_lowercase()], probe);
    format!("{:012}", hash % 1_000_000_000_000)
}

/// `car-` and 32 hexadecimal digits, from the email and name.
pub(crate) fn create_request(email: &str, name: &str, probe: u32) -> String {
    let email = email.to_ascii_lowercase();
    let high = fnv1a(&["request", &email, name], probe);
    let low = fnv1a(&["request-low", &email, name], probe);
    format!("car-{high:016x}{low:016x}")
}

/// The first id `make(probe)` yields that `taken` says is free.
///
/// # Errors
/// `taken`'s errors, or a backend error when every probe collides.
pub(crate) fn first_free(
    mut make: impl FnMut(u32) -> String,
    mut taken: impl FnMut(&str) -> Result<bool, BackendError>,
) -> Result<String, BackendError> {
    for probe in 0..PROBES {
        let id = make(probe);
        if !taken(&id)? {
            return Ok(id);
        }
    }
    Err(crate::db::backend(
        format!("no free id after {PROBES} probes"),
        "the sandbox is unusually full; start from a fresh sandbox file",
    ))
}

/// Whether `id` is a 12-digit account id.
pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(id: &str, prefix: &str, len: usize) -> bool {
        id.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() == len
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        })
    }

    #[test]
    fn ids_have_aws_shapes() {
        let org = organization("111111111111");
        assert!(shape(&org, "o-", 10), "{org}");
        let root = root(&org);
        assert!(shape(&root, "r-", 4), "{root}");
        let ou = unit(&root, &root, "Workloads", 0);
        let suffix = root.strip_prefix("r-").unwrap();
        assert!(shape(&ou, &format!("ou-{suffix}-"), 8), "{ou}");
        assert!(shape(&policy(PolicyKind::Scp, "RegionDeny", 0), "p-", 8));
        let account = account("dev@example.com", 0);
        assert!(is_account_id(&account), "{account}");
        let car = create_request("dev@example.com", "dev", 0);
        assert_eq!(car.len(), 4 + 32);
        assert!(car[4..].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn ids_are_stable_and_probes_differ() {
        assert_eq!(account("Dev@Example.com", 0), account("dev@example.com", 0));
        assert_ne!(account("dev@example.com", 0), account("dev@example.com", 1));
        assert_ne!(
            policy(PolicyKind::Scp, "A", 0),
            policy(PolicyKind::Rcp, "A", 0)
        );
        assert_eq!(base36(35, 2), "z0");
        // Pinned: ids must not change between versions, or snapshots would.
        let org = organization("111111111111");
        let pinned = [
            org.clone(),
            root(&org),
            policy(PolicyKind::Scp, "RegionDeny", 0),
            account("dev@example.com", 0),
            create_request("dev@example.com", "dev", 0),
        ];
        assert_eq!(
            pinned,
            [
                "o-0zbdt9jumy",
                "r-vfdc",
                "p-4ksolkn1",
                "247987226086",
                "car-425506b9a83d9410223c6c22d759ebe5"
            ]
        );
    }

    #[test]
    fn first_free_probes_past_collisions() {
        let taken = [account("a@b.co", 0), account("a@b.co", 1)];
        let id = first_free(
            |p| account("a@b.co", p),
            |id| Ok(taken.iter().any(|t| t == id)),
        );
        assert_eq!(id.unwrap(), account("a@b.co", 2));
        let none = first_free(|_| "same".to_owned(), |_| Ok(true));
        assert!(matches!(none, Err(BackendError::Backend { .. })));
    }
}
