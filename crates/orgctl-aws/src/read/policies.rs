//! Policies of the enabled types, their documents and their attachments.

use orgctl_org::{Attachment, BackendError, PolicyKind, PolicyState};

use crate::AwsBackend;
use crate::counts::Op;
use crate::kinds;

const ORGS: &str = "organizations";

impl AwsBackend {
    /// `ListPolicies` per enabled type, then `DescribePolicy` and `ListTargetsForPolicy` per
    /// policy.
    pub(crate) fn read_policies(
        &self,
        enabled: &[PolicyKind],
    ) -> Result<(Vec<PolicyState>, Vec<Attachment>), BackendError> {
        let orgs = self.management().organizations();
        let mut policies = Vec::new();
        let mut attachments = Vec::new();
        for kind in enabled {
            let summaries = self.paginate(|token| {
                let out = self.send(
                    None,
                    Op::new(ORGS, "ListPolicies"),
                    &format!("{} policies", kind.short()),
                    orgs.list_policies()
                        .filter(kinds::policy_type(*kind))
                        .set_next_token(token)
                        .send(),
                )?;
                Ok((out.policies().to_vec(), out.next_token().map(str::to_owned)))
            })?;
            for summary in summaries {
                let id = summary.id().unwrap_or_default().to_owned();
                let resource = format!("policy {id}");
                let described = self.send(
                    None,
                    Op::new(ORGS, "DescribePolicy"),
                    &resource,
                    orgs.describe_policy().policy_id(&id).send(),
                )?;
                let targets = self.paginate(|token| {
                    let out = self.send(
                        None,
                        Op::new(ORGS, "ListTargetsForPolicy"),
                        &resource,
                        orgs.list_targets_for_policy()
                            .policy_id(&id)
                            .set_next_token(token)
                            .send(),
                    )?;
                    Ok((out.targets().to_vec(), out.next_token().map(str::to_owned)))
                })?;
                attachments.extend(targets.iter().filter_map(|t| {
                    t.target_id().map(|target| Attachment {
                        policy_id: id.clone(),
                        target_id: target.to_owned(),
                    })
                }));
                policies.push(PolicyState {
                    name: summary.name().unwrap_or_default().to_owned(),
                    description: summary.description().unwrap_or_default().to_owned(),
                    kind: *kind,
                    content: described
                        .policy()
                        .and_then(|p| p.content())
                        .unwrap_or_default()
                        .to_owned(),
                    aws_managed: summary.aws_managed(),
                    id,
                });
            }
        }
        Ok((policies, attachments))
    }
}
