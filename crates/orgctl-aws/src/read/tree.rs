//! The organization, its root, OUs and accounts (with tags), and `CreateAccount` requests.

use std::collections::VecDeque;

use aws_sdk_organizations::types::{OrganizationalUnit, PolicyTypeStatus};
use orgctl_org::{AccountState, BackendError, CreateAccountStatus, OrgState, UnitState};

use crate::AwsBackend;
use crate::counts::Op;
use crate::kinds;

const ORGS: &str = "organizations";

impl AwsBackend {
    /// `DescribeOrganization` and `ListRoots`; `None` when the caller's account is in no
    /// organization.
    pub(crate) fn read_organization(&self) -> Result<Option<OrgState>, BackendError> {
        let orgs = self.management().organizations();
        let described = self.attempt(
            Op::new(ORGS, "DescribeOrganization"),
            "the organization",
            orgs.describe_organization().send(),
        );
        let org = match described {
            Ok(out) => out.organization().cloned(),
            Err(f) if f.is(&["AWSOrganizationsNotInUseException"]) => None,
            Err(f) => return Err(self.fail(&f, None)),
        };
        let Some(org) = org else { return Ok(None) };
        let roots = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListRoots"),
                "the organization's root",
                orgs.list_roots().set_next_token(token).send(),
            )?;
            Ok((out.roots().to_vec(), out.next_token().map(str::to_owned)))
        })?;
        let Some(root) = roots.first() else {
            return Err(BackendError::NotFound {
                what: "the organization's root".to_owned(),
            });
        };
        Ok(Some(OrgState {
            id: org.id().unwrap_or_default().to_owned(),
            management_account_id: org.master_account_id().unwrap_or_default().to_owned(),
            root_id: root.id().unwrap_or_default().to_owned(),
            enabled_policy_types: root
                .policy_types()
                .iter()
                .filter(|t| t.status() == Some(&PolicyTypeStatus::Enabled))
                .filter_map(|t| t.r#type().and_then(kinds::policy_kind))
                .collect(),
        }))
    }

    /// The OUs directly under `parent_id`, every page of them.
    pub(crate) fn units_under(
        &self,
        parent_id: &str,
    ) -> Result<Vec<OrganizationalUnit>, BackendError> {
        let orgs = self.management().organizations();
        self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListOrganizationalUnitsForParent"),
                &format!("OUs under {parent_id}"),
                orgs.list_organizational_units_for_parent()
                    .parent_id(parent_id)
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((
                out.organizational_units().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })
    }

    /// Every OU, walking down from the root, and every account with its parent and tags.
    pub(crate) fn read_tree(
        &self,
        root_id: &str,
    ) -> Result<(Vec<UnitState>, Vec<AccountState>), BackendError> {
        let orgs = self.management().organizations();
        let mut units = Vec::new();
        let mut accounts = Vec::new();
        let mut parents = VecDeque::from([root_id.to_owned()]);
        while let Some(parent) = parents.pop_front() {
            for unit in self.units_under(&parent)? {
                let id = unit.id().unwrap_or_default().to_owned();
                parents.push_back(id.clone());
                units.push(UnitState {
                    id,
                    name: unit.name().unwrap_or_default().to_owned(),
                    parent_id: parent.clone(),
                });
            }
            let members = self.paginate(|token| {
                let out = self.send(
                    None,
                    Op::new(ORGS, "ListAccountsForParent"),
                    &format!("accounts under {parent}"),
                    orgs.list_accounts_for_parent()
                        .parent_id(&parent)
                        .set_next_token(token)
                        .send(),
                )?;
                Ok((out.accounts().to_vec(), out.next_token().map(str::to_owned)))
            })?;
            for account in members {
                let id = account.id().unwrap_or_default().to_owned();
                accounts.push(AccountState {
                    tags: self.read_tags(&id)?,
                    name: account.name().unwrap_or_default().to_owned(),
                    email: account.email().unwrap_or_default().to_owned(),
                    parent_id: parent.clone(),
                    status: kinds::account_status(account.state(), account.status()),
                    id,
                });
            }
        }
        Ok((units, accounts))
    }

    fn read_tags(
        &self,
        account_id: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, BackendError> {
        let orgs = self.management().organizations();
        let tags = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListTagsForResource"),
                &format!("account {account_id}"),
                orgs.list_tags_for_resource()
                    .resource_id(account_id)
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((out.tags().to_vec(), out.next_token().map(str::to_owned)))
        })?;
        Ok(tags
            .into_iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    /// Every `CreateAccount` request Organizations remembers, in any state. AWS reports no
    /// email: a finished request takes its account's, others the one this backend sent.
    pub(crate) fn read_requests(
        &self,
        accounts: &[AccountState],
    ) -> Result<Vec<CreateAccountStatus>, BackendError> {
        let orgs = self.management().organizations();
        let raw = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListCreateAccountStatus"),
                "create account requests",
                orgs.list_create_account_status()
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((
                out.create_account_statuses().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })?;
        raw.iter()
            .map(|r| {
                let email = r
                    .account_id()
                    .and_then(|id| accounts.iter().find(|a| a.id == id))
                    .map(|a| a.email.as_str());
                self.status_of(Some(r), email)
            })
            .collect()
    }
}
