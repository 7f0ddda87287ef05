//! The AWS Config aggregator of the organization: reading and writing it.

use aws_sdk_config::types::{AccountAggregationSource, OrganizationAggregationSource};
use orgctl_org::{AggregatorState, BackendError};

use crate::AwsBackend;
use crate::counts::Op;
use crate::session::Session;
use crate::trails::in_management;

/// The role an organization-wide aggregator uses to read the organization: it must exist in
/// the management account, trusted by `config.amazonaws.com`, with the AWS managed policy
/// `AWSConfigRoleForOrganizations` (AWS Config has no role of its own for this).
pub fn config_aggregator_role(management_account_id: &str) -> String {
    format!("arn:aws:iam::{management_account_id}:role/service-role/AWSConfigRoleForOrganizations")
}

impl AwsBackend {
    /// The aggregators of `own`'s account in `region` (`DescribeConfigurationAggregators`).
    pub(crate) fn aggregators_in(
        &self,
        own: &Session,
        region: &str,
    ) -> Result<Vec<AggregatorState>, BackendError> {
        let client = self.clients(own, region).config();
        self.paginate(|token| {
            let out = self.send(
                Some(own),
                Op::new("config", "DescribeConfigurationAggregators"),
                &format!("Config aggregators in {region}"),
                client
                    .describe_configuration_aggregators()
                    .set_next_token(token)
                    .send(),
            )?;
            let items = out
                .configuration_aggregators()
                .iter()
                .map(|a| AggregatorState {
                    account_id: own.identity.account_id.clone(),
                    name: a
                        .configuration_aggregator_name()
                        .unwrap_or_default()
                        .to_owned(),
                    region: region.to_owned(),
                    organization_wide: a
                        .organization_aggregation_source()
                        .is_some_and(|s| s.all_aws_regions()),
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        })
    }

    /// `PutConfigurationAggregator`, unless the aggregator is already as wanted.
    pub(crate) fn put_aggregator_state(&self, want: &AggregatorState) -> Result<(), BackendError> {
        let own = self.own_session()?;
        in_management(&own, &want.account_id, "Config aggregator")?;
        let current = self
            .aggregators_in(&own, &want.region)?
            .into_iter()
            .find(|a| a.name == want.name);
        if current.as_ref() == Some(want) {
            return Ok(());
        }
        let invalid = |e: aws_sdk_config::error::BuildError| BackendError::InvalidInput {
            message: format!("Config aggregator `{}`: {e}", want.name),
        };
        let request = self
            .clients(&own, &want.region)
            .config()
            .put_configuration_aggregator()
            .configuration_aggregator_name(&want.name);
        let request = if want.organization_wide {
            request.organization_aggregation_source(
                OrganizationAggregationSource::builder()
                    .role_arn(config_aggregator_role(&want.account_id))
                    .all_aws_regions(true)
                    .build()
                    .map_err(invalid)?,
            )
        } else {
            request.account_aggregation_sources(
                AccountAggregationSource::builder()
                    .account_ids(&want.account_id)
                    .all_aws_regions(true)
                    .build()
                    .map_err(invalid)?,
            )
        };
        self.send(
            Some(&own),
            Op::new("config", "PutConfigurationAggregator"),
            &format!("Config aggregator `{}`", want.name),
            request.send(),
        )?;
        Ok(())
    }
}
