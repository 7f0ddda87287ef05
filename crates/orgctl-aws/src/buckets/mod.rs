//! S3 buckets in member accounts: who owns a name, reading a bucket's settings, and creating
//! or repairing a bucket with only the calls that change something. Every call that takes
//! one carries `ExpectedBucketOwner`, so nothing is ever read from or written to a bucket
//! of another account.

mod diff;
mod read;
mod write;

use orgctl_org::{BackendError, BucketOwner, BucketState};

use crate::AwsBackend;
use crate::counts::Op;
use crate::fault::Fault;
use crate::session::Session;

pub(crate) use read::Current;

/// Where a bucket name stands, seen from one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// No bucket has the name.
    Absent,
    /// The account owns it, in this region.
    Owned(String),
    /// Another account owns it (or the caller may not even look at it).
    Other,
}

impl AwsBackend {
    /// `HeadBucket` with `ExpectedBucketOwner`, following S3's answer to the bucket's real
    /// region once.
    pub(crate) fn locate(
        &self,
        session: &Session,
        name: &str,
        region: &str,
    ) -> Result<Found, BackendError> {
        let mut region = region.to_owned();
        for _ in 0..2 {
            let owner = &session.identity.account_id;
            let result = self.attempt(
                Op::new("s3", "HeadBucket"),
                name,
                self.clients(session, &region)
                    .s3()
                    .head_bucket()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
            );
            match result {
                Ok(out) => {
                    return Ok(Found::Owned(
                        out.bucket_region().unwrap_or(&region).to_owned(),
                    ));
                }
                Err(fault) => match classify(&fault, &region) {
                    Some(Head::Absent) => return Ok(Found::Absent),
                    Some(Head::Other) => return Ok(Found::Other),
                    Some(Head::Elsewhere(there)) => region = there,
                    None => return Err(self.fail(&fault, Some(session))),
                },
            }
        }
        Ok(Found::Other)
    }

    /// Who owns `name`, seen from `account_id`.
    pub(crate) fn owner_of(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<BucketOwner, BackendError> {
        let session = self.session(account_id)?;
        Ok(match self.locate(&session, name, &self.region)? {
            Found::Absent => BucketOwner::Absent,
            Found::Owned(_) => BucketOwner::Caller,
            Found::Other => BucketOwner::Other { account_id: None },
        })
    }

    /// Creates `want` in its account, or brings the existing bucket's settings to it.
    pub(crate) fn put_bucket_state(&self, want: &BucketState) -> Result<(), BackendError> {
        if want.object_lock && !want.versioning {
            return Err(BackendError::InvalidInput {
                message: format!("bucket `{}`: Object Lock requires versioning", want.name),
            });
        }
        let session = self.session(&want.account_id)?;
        let squatted = || BackendError::BucketSquatted {
            bucket: want.name.clone(),
            owner: None,
        };
        match self.locate(&session, &want.name, &want.region)? {
            Found::Other => Err(squatted()),
            Found::Absent => {
                if self.create_bucket(&session, want)? {
                    self.write_new(&session, want)
                } else {
                    self.repair(&session, want, &want.region)
                }
            }
            Found::Owned(region) => self.repair(&session, want, &region),
        }
    }

    /// Brings an existing bucket, in `region`, to `want`.
    fn repair(
        &self,
        session: &Session,
        want: &BucketState,
        region: &str,
    ) -> Result<(), BackendError> {
        if region != want.region {
            return Err(BackendError::InvalidInput {
                message: format!(
                    "bucket `{}` is in {region}; a bucket cannot move to {}",
                    want.name, want.region
                ),
            });
        }
        let current = self.read_bucket(session, &want.name, region)?;
        self.write_changes(session, &current, want)
    }
}

/// What a failed `HeadBucket` says.
enum Head {
    Absent,
    Other,
    Elsewhere(String),
}

fn classify(fault: &Fault, region: &str) -> Option<Head> {
    let service = fault.service()?;
    if let Some(there) = service
        .bucket_region
        .as_ref()
        .filter(|r| r.as_str() != region)
    {
        if matches!(service.status, 301 | 307 | 400) {
            return Some(Head::Elsewhere(there.clone()));
        }
    }
    match service.status {
        404 => Some(Head::Absent),
        403 => Some(Head::Other),
        _ if fault.is(&["NoSuchBucket", "NotFound"]) => Some(Head::Absent),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::{Cause, ServiceFault};

    fn head(status: u16, bucket_region: Option<&str>) -> Fault {
        Fault::new(
            Op::new("s3", "HeadBucket"),
            "b",
            Cause::Service(Box::new(ServiceFault {
                code: status.to_string(),
                status,
                bucket_region: bucket_region.map(str::to_owned),
                ..ServiceFault::default()
            })),
        )
    }

    #[test]
    fn head_answers() {
        assert!(matches!(
            classify(&head(404, None), "us-east-1"),
            Some(Head::Absent)
        ));
        assert!(matches!(
            classify(&head(403, None), "us-east-1"),
            Some(Head::Other)
        ));
        assert!(matches!(
            classify(&head(301, Some("eu-west-1")), "us-east-1"),
            Some(Head::Elsewhere(r)) if r == "eu-west-1"
        ));
        assert!(matches!(
            classify(&head(403, Some("us-east-1")), "us-east-1"),
            Some(Head::Other)
        ));
        assert!(classify(&head(500, None), "us-east-1").is_none());
    }
}
