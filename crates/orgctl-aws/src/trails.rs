//! The organization trail: reading the management account's trails, and creating or
//! repairing one.

use orgctl_org::{BackendError, TrailState};

use crate::AwsBackend;
use crate::counts::Op;
use crate::session::{self, Session};

impl AwsBackend {
    /// The trails whose home is `region` and that belong to `own`'s account, with whether
    /// each logs (`DescribeTrails`, then `GetTrailStatus` per trail).
    pub(crate) fn trails_in(
        &self,
        own: &Session,
        region: &str,
    ) -> Result<Vec<TrailState>, BackendError> {
        let client = self.clients(own, region).cloudtrail();
        let out = self.send(
            Some(own),
            Op::new("cloudtrail", "DescribeTrails"),
            &format!("trails in {region}"),
            client.describe_trails().include_shadow_trails(false).send(),
        )?;
        let mut trails = Vec::new();
        for trail in out.trail_list() {
            let home = trail.home_region().unwrap_or(region);
            let owner = trail.trail_arn().and_then(session::account_of);
            if home != region || owner.is_some_and(|a| a != own.identity.account_id) {
                continue;
            }
            let name = trail.name().unwrap_or_default().to_owned();
            let status = self.send(
                Some(own),
                Op::new("cloudtrail", "GetTrailStatus"),
                &format!("trail `{name}`"),
                client
                    .get_trail_status()
                    .name(trail.trail_arn().unwrap_or(&name))
                    .send(),
            )?;
            trails.push(TrailState {
                account_id: own.identity.account_id.clone(),
                name,
                region: home.to_owned(),
                bucket: trail.s3_bucket_name().unwrap_or_default().to_owned(),
                organization_trail: trail.is_organization_trail().unwrap_or(false),
                multi_region: trail.is_multi_region_trail().unwrap_or(false),
                logging: status.is_logging().unwrap_or(false),
            });
        }
        Ok(trails)
    }

    /// `CreateTrail` or `UpdateTrail`, then `StartLogging` (or `StopLogging`): only the calls
    /// that change something.
    pub(crate) fn put_trail_state(&self, want: &TrailState) -> Result<(), BackendError> {
        let own = self.own_session()?;
        in_management(&own, &want.account_id, "trail")?;
        let current = self
            .trails_in(&own, &want.region)?
            .into_iter()
            .find(|t| t.name == want.name);
        let client = self.clients(&own, &want.region).cloudtrail();
        let resource = format!("trail `{}`", want.name);
        match &current {
            None => {
                self.send(
                    Some(&own),
                    Op::new("cloudtrail", "CreateTrail"),
                    &resource,
                    client
                        .create_trail()
                        .name(&want.name)
                        .s3_bucket_name(&want.bucket)
                        .is_organization_trail(want.organization_trail)
                        .is_multi_region_trail(want.multi_region)
                        .include_global_service_events(true)
                        .send(),
                )?;
            }
            Some(have)
                if have.bucket != want.bucket
                    || have.organization_trail != want.organization_trail
                    || have.multi_region != want.multi_region =>
            {
                self.send(
                    Some(&own),
                    Op::new("cloudtrail", "UpdateTrail"),
                    &resource,
                    client
                        .update_trail()
                        .name(&want.name)
                        .s3_bucket_name(&want.bucket)
                        .is_organization_trail(want.organization_trail)
                        .is_multi_region_trail(want.multi_region)
                        .include_global_service_events(true)
                        .send(),
                )?;
            }
            Some(_) => {}
        }
        let logging = current.as_ref().is_some_and(|t| t.logging);
        if want.logging && !logging {
            self.send(
                Some(&own),
                Op::new("cloudtrail", "StartLogging"),
                &resource,
                client.start_logging().name(&want.name).send(),
            )?;
        } else if !want.logging && logging {
            self.send(
                Some(&own),
                Op::new("cloudtrail", "StopLogging"),
                &resource,
                client.stop_logging().name(&want.name).send(),
            )?;
        }
        Ok(())
    }
}

/// Trails and aggregators live in the management account: the caller's own.
pub(crate) fn in_management(
    own: &Session,
    account_id: &str,
    what: &str,
) -> Result<(), BackendError> {
    if own.identity.account_id == account_id {
        return Ok(());
    }
    Err(BackendError::InvalidInput {
        message: format!(
            "the organization's {what} lives in the management account {account_id}, but the credentials belong to {}",
            own.identity.account_id
        ),
    })
}
