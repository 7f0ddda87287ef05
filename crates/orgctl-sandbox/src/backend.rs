//! [`Backend`] for [`Sandbox`]: each mutating call in its own transaction via
//! `Sandbox::mutate`, recorded with its arguments.

use std::collections::BTreeMap;

use orgctl_org::{
    AggregatorState, Backend, BackendError, BootstrapProbe, BucketOwner, BucketState,
    CallerIdentity, CreateAccountStatus, PolicyKind, State, TableState, TrailState,
};
use serde_json::json;

use crate::db::Db;
use crate::{Sandbox, accounts, organizations, policies, read, resources, trails, units};

impl Backend for Sandbox {
    fn kind(&self) -> &'static str {
        "sandbox"
    }

    fn read_state(&self, _bootstrap: &[BootstrapProbe]) -> Result<State, BackendError> {
        read::state(&self.conn)
    }

    fn caller_identity(&self, account: Option<&str>) -> Result<CallerIdentity, BackendError> {
        organizations::caller_identity(&self.conn, &self.options, account)
    }

    fn create_organization(&mut self, management_account_id: &str) -> Result<(), BackendError> {
        self.mutate(
            "create_organization",
            json!({ "management_account_id": management_account_id }),
            |ctx| organizations::create(ctx, management_account_id),
        )
    }

    fn enable_policy_type(&mut self, root_id: &str, kind: PolicyKind) -> Result<(), BackendError> {
        self.mutate(
            "enable_policy_type",
            json!({ "root_id": root_id, "kind": kind }),
            |ctx| organizations::enable_policy_type(ctx, root_id, kind),
        )
    }

    fn create_unit(&mut self, parent_id: &str, name: &str) -> Result<String, BackendError> {
        self.mutate(
            "create_unit",
            json!({ "parent_id": parent_id, "name": name }),
            |ctx| units::create(ctx, parent_id, name),
        )
    }

    fn rename_unit(&mut self, id: &str, name: &str) -> Result<(), BackendError> {
        self.mutate("rename_unit", json!({ "id": id, "name": name }), |ctx| {
            units::rename(ctx, id, name)
        })
    }

    fn delete_unit(&mut self, id: &str) -> Result<(), BackendError> {
        self.mutate("delete_unit", json!({ "id": id }), |ctx| {
            units::delete(ctx, id)
        })
    }

    fn create_account(
        &mut self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<CreateAccountStatus, BackendError> {
        self.mutate(
            "create_account",
            json!({ "name": name, "email": email, "tags": tags }),
            |ctx| accounts::create(ctx, name, email, tags),
        )
    }

    fn describe_create_account(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, BackendError> {
        // A read in AWS: not a mutating call, though finishing a request writes the account.
        let tx = self.conn.unchecked_transaction().db()?;
        let status = accounts::describe(&tx, &self.options, request_id)?;
        tx.commit().db()?;
        Ok(status)
    }

    fn invite_account(
        &mut self,
        account_id: &str,
        name: &str,
        email: &str,
    ) -> Result<(), BackendError> {
        self.mutate(
            "invite_account",
            json!({ "account_id": account_id, "name": name, "email": email }),
            |ctx| accounts::invite(ctx, account_id, name, email),
        )
    }

    fn move_account(&mut self, account_id: &str, from: &str, to: &str) -> Result<(), BackendError> {
        self.mutate(
            "move_account",
            json!({ "account_id": account_id, "from": from, "to": to }),
            |ctx| accounts::move_to(ctx, account_id, from, to),
        )
    }

    fn tag_account(
        &mut self,
        account_id: &str,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), BackendError> {
        self.mutate(
            "tag_account",
            json!({ "account_id": account_id, "set": set, "remove": remove }),
            |ctx| accounts::tag(ctx, account_id, set, remove),
        )
    }

    fn create_policy(
        &mut self,
        kind: PolicyKind,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<String, BackendError> {
        self.mutate(
            "create_policy",
            json!({ "kind": kind, "name": name, "description": description, "content": content }),
            |ctx| policies::create(ctx, kind, name, description, content),
        )
    }

    fn update_policy(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), BackendError> {
        self.mutate(
            "update_policy",
            json!({ "id": id, "name": name, "description": description, "content": content }),
            |ctx| policies::update(ctx, id, name, description, content),
        )
    }

    fn delete_policy(&mut self, id: &str) -> Result<(), BackendError> {
        self.mutate("delete_policy", json!({ "id": id }), |ctx| {
            policies::delete(ctx, id)
        })
    }

    fn attach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.mutate(
            "attach_policy",
            json!({ "policy_id": policy_id, "target_id": target_id }),
            |ctx| policies::attach(ctx, policy_id, target_id),
        )
    }

    fn detach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.mutate(
            "detach_policy",
            json!({ "policy_id": policy_id, "target_id": target_id }),
            |ctx| policies::detach(ctx, policy_id, target_id),
        )
    }

    fn enable_service_access(&mut self, service_principal: &str) -> Result<(), BackendError> {
        self.mutate(
            "enable_service_access",
            json!({ "service_principal": service_principal }),
            |ctx| organizations::enable_service_access(ctx, service_principal),
        )
    }

    fn register_delegated_admin(
        &mut self,
        account_id: &str,
        service_principal: &str,
    ) -> Result<(), BackendError> {
        self.mutate(
            "register_delegated_admin",
            json!({ "account_id": account_id, "service_principal": service_principal }),
            |ctx| organizations::register_delegated_admin(ctx, account_id, service_principal),
        )
    }

    fn put_trail(&mut self, trail: &TrailState) -> Result<(), BackendError> {
        self.mutate("put_trail", json!(trail), |ctx| {
            trails::put_trail(ctx, trail)
        })
    }

    fn put_aggregator(&mut self, aggregator: &AggregatorState) -> Result<(), BackendError> {
        self.mutate("put_aggregator", json!(aggregator), |ctx| {
            trails::put_aggregator(ctx, aggregator)
        })
    }

    fn bucket_owner(&self, account_id: &str, name: &str) -> Result<BucketOwner, BackendError> {
        resources::bucket_owner(&self.conn, account_id, name)
    }

    fn put_bucket(&mut self, bucket: &BucketState) -> Result<(), BackendError> {
        self.mutate("put_bucket", json!(bucket), |ctx| {
            resources::put_bucket(ctx, bucket)
        })
    }

    fn put_table(&mut self, table: &TableState) -> Result<(), BackendError> {
        self.mutate("put_table", json!(table), |ctx| {
            resources::put_table(ctx, table)
        })
    }
}
