//! Building a plan: the spec against the state, in the order apply must run it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::plan::files::{account_hcl, log_bucket_policy, region_hcl, root_hcl, slug};
use crate::plan::{BootstrapTemplate, Change, FileContent, Plan, Ref};
use crate::spec::{Spec, Target};
use crate::state::{
    AggregatorState, BucketState, CreateAccountState, Encryption, PolicyKind, State, TrailState,
};

/// What a plan is built from.
#[derive(Clone, Copy)]
pub struct PlanInput<'a> {
    /// The validated spec.
    pub spec: &'a Spec,
    /// The backend's state.
    pub state: &'a State,
    /// The backend's kind, recorded in the plan.
    pub backend: &'a str,
    /// Reads a file under the spec directory (`None` when absent), to plan only the files
    /// whose contents change.
    pub read_file: &'a dyn Fn(&Path) -> Option<String>,
}

impl std::fmt::Debug for PlanInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanInput")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A state the spec cannot be planned against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    /// The backend's organization has another management account.
    #[error(
        "the {backend} organization is managed from account {actual}, the spec says {expected}"
    )]
    #[diagnostic(
        code(orgctl::wrong_organization),
        help(
            "point orgctl at the right credentials or sandbox file, or fix `management_account_id`"
        )
    )]
    WrongOrganization {
        /// Backend kind.
        backend: String,
        /// The spec's management account.
        expected: String,
        /// The backend's.
        actual: String,
    },
    /// A bucket exists in another region than the spec's: buckets cannot move.
    #[error("bucket `{bucket}` is in {actual}, the spec puts it in {expected}")]
    #[diagnostic(
        code(orgctl::bucket_region),
        help(
            "a bucket cannot move between regions: set the region back in the spec, or empty and delete the bucket (after moving its state) and plan again"
        )
    )]
    BucketRegion {
        /// The bucket.
        bucket: String,
        /// Where it is.
        actual: String,
        /// Where the spec wants it.
        expected: String,
    },
    /// An OU to delete still holds accounts the spec does not place elsewhere.
    #[error("OU `{unit}` is gone from the spec but still holds account {account}")]
    #[diagnostic(
        code(orgctl::unit_not_empty),
        help(
            "add the account to the spec in another unit (orgctl then moves it), or keep the unit"
        )
    )]
    UnitNotEmpty {
        /// The OU.
        unit: String,
        /// The account it holds.
        account: String,
    },
}

/// The AWS-managed full-access policy's id, the same in every organization.
fn default_policy_id(kind: PolicyKind) -> String {
    format!("p-{}", kind.default_policy())
}

/// Builds the plan that brings `state` to `spec`.
///
/// # Errors
/// When the state belongs to another organization, or a unit to delete is not empty.
pub fn build(input: &PlanInput<'_>) -> Result<Plan, PlanError> {
    Builder::new(input).run()
}

struct Builder<'a> {
    spec: &'a Spec,
    state: &'a State,
    input: &'a PlanInput<'a>,
    refs: HashMap<Target, Ref>,
    names: HashMap<Ref, String>,
    policy_refs: HashMap<String, Ref>,
    /// Targets that exist only from this plan on, or exist now; with their default
    /// policies auto-attached by Organizations.
    auto_attached: HashSet<(Ref, Ref)>,
    enabled: BTreeSet<PolicyKind>,
    changes: Vec<Change>,
    notes: Vec<String>,
}

impl<'a> Builder<'a> {
    fn new(input: &'a PlanInput<'a>) -> Self {
        Self {
            spec: input.spec,
            state: input.state,
            input,
            refs: HashMap::new(),
            names: HashMap::new(),
            policy_refs: HashMap::new(),
            auto_attached: HashSet::new(),
            enabled: BTreeSet::new(),
            changes: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Plan, PlanError> {
        self.organization()?;
        self.policy_types();
        self.policies();
        self.units();
        self.accounts();
        self.attachments();
        self.destroys()?;
        self.baseline();
        self.bootstrap()?;
        self.files();
        Ok(Plan {
            base: self.state.fingerprint(),
            backend: self.input.backend.to_owned(),
            changes: self.changes,
            notes: self.notes,
        })
    }

    fn name(&self, r: &Ref) -> String {
        self.names.get(r).cloned().unwrap_or_else(|| match r {
            Ref::Id(id) => self.target_name(id),
            Ref::New(k) => k.clone(),
        })
    }

    fn organization(&mut self) -> Result<(), PlanError> {
        let mgmt = &self.spec.organization.management_account_id;
        let root = match &self.state.organization {
            None => {
                self.changes.push(Change::CreateOrganization {
                    management_account_id: mgmt.clone(),
                });
                Ref::New("root".to_owned())
            }
            Some(org) if &org.management_account_id != mgmt => {
                return Err(PlanError::WrongOrganization {
                    backend: self.input.backend.to_owned(),
                    expected: mgmt.clone(),
                    actual: org.management_account_id.clone(),
                });
            }
            Some(org) => {
                self.enabled
                    .extend(org.enabled_policy_types.iter().copied());
                Ref::Id(org.root_id.clone())
            }
        };
        self.names.insert(root.clone(), "Root".to_owned());
        self.refs.insert(Target::Root, root);
        Ok(())
    }

    fn root(&self) -> Ref {
        self.refs
            .get(&Target::Root)
            .cloned()
            .unwrap_or_else(|| Ref::New("root".to_owned()))
    }

    /// Records that Organizations attaches the enabled types' full-access policies to a
    /// target as it comes into being.
    fn auto_attach(&mut self, target: &Ref) {
        for kind in self.enabled.clone() {
            self.auto_attached
                .insert((Ref::Id(default_policy_id(kind)), target.clone()));
        }
    }

    fn policy_types(&mut self) {
        let root = self.root();
        for kind in [PolicyKind::Scp, PolicyKind::Rcp] {
            if !self.spec.uses(kind) || self.enabled.contains(&kind) {
                continue;
            }
            self.changes.push(Change::EnablePolicyType { kind });
            self.enabled.insert(kind);
            // Enabling attaches the full-access policy to every node that exists.
            let policy = Ref::Id(default_policy_id(kind));
            let mut targets = vec![root.clone()];
            targets.extend(self.state.units.iter().map(|u| Ref::Id(u.id.clone())));
            targets.extend(self.state.accounts.iter().map(|a| Ref::Id(a.id.clone())));
            for t in targets {
                self.auto_attached.insert((policy.clone(), t));
            }
        }
        if self.state.organization.is_none() {
            // A new organization's root and management account get them when the types are
            // enabled, above.
            self.auto_attach(&root);
            let mgmt = Ref::Id(self.spec.organization.management_account_id.clone());
            self.auto_attach(&mgmt);
        }
    }

    fn policies(&mut self) {
        for p in &self.spec.policies {
            if p.aws_managed {
                let id = self
                    .state
                    .policies
                    .iter()
                    .find(|s| s.aws_managed && s.kind == p.kind && s.name == p.name)
                    .map_or_else(|| default_policy_id(p.kind), |s| s.id.clone());
                let r = Ref::Id(id);
                self.names.insert(r.clone(), p.name.clone());
                self.policy_refs.insert(p.key.clone(), r);
                continue;
            }
            let content = p
                .document
                .as_ref()
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            let existing = self
                .state
                .policies
                .iter()
                .find(|s| !s.aws_managed && s.kind == p.kind && s.name == p.name);
            let r = match existing {
                None => {
                    self.changes.push(Change::CreatePolicy {
                        key: p.key.clone(),
                        kind: p.kind,
                        name: p.name.clone(),
                        description: p.description.clone(),
                        content,
                    });
                    Ref::New(format!("policy.{}", p.key))
                }
                Some(s) => {
                    let mut diff = Vec::new();
                    if s.description != p.description {
                        diff.push(format!(
                            "description: {:?} -> {:?}",
                            s.description, p.description
                        ));
                    }
                    if !same_json(&s.content, &content) {
                        diff.extend(document_diff(&s.content, &content));
                    }
                    if !diff.is_empty() {
                        self.changes.push(Change::UpdatePolicy {
                            key: p.key.clone(),
                            id: s.id.clone(),
                            name: p.name.clone(),
                            description: p.description.clone(),
                            content,
                            diff,
                        });
                    }
                    Ref::Id(s.id.clone())
                }
            };
            self.names.insert(r.clone(), p.name.clone());
            self.policy_refs.insert(p.key.clone(), r);
        }
    }

    fn units(&mut self) {
        // Parents before children.
        let mut order: Vec<_> = self.spec.units.iter().collect();
        order.sort_by_key(|u| self.spec.ancestors(&Target::Unit(u.key.clone())).len());
        for unit in order {
            let Some(parent) = self.refs.get(&unit.parent).cloned() else {
                continue;
            };
            let existing = parent.id().and_then(|pid| {
                self.state
                    .units
                    .iter()
                    .find(|s| s.parent_id == pid && s.name == unit.name)
            });
            let r = match existing {
                Some(s) => Ref::Id(s.id.clone()),
                None => {
                    self.changes.push(Change::CreateUnit {
                        key: unit.key.clone(),
                        name: unit.name.clone(),
                        parent: parent.clone(),
                        parent_name: self.name(&parent),
                    });
                    let r = Ref::New(format!("unit.{}", unit.key));
                    self.auto_attach(&r);
                    r
                }
            };
            self.names.insert(r.clone(), unit.name.clone());
            self.refs.insert(Target::Unit(unit.key.clone()), r);
        }
    }

    fn accounts(&mut self) {
        let mgmt = self.spec.organization.management_account_id.clone();
        let root = self.root();
        let mut moves = Vec::new();
        let mut tags = Vec::new();
        for a in &self.spec.accounts {
            let target = Target::Account(a.key.clone());
            let by_id = a.id.as_ref().and_then(|id| self.state.account(id));
            let by_email = self
                .state
                .accounts
                .iter()
                .find(|s| s.email.eq_ignore_ascii_case(&a.email));
            let existing = by_id.or(if a.id.is_none() { by_email } else { None });
            let (r, current_parent, current_tags) = if let Some(s) = existing {
                (
                    Ref::Id(s.id.clone()),
                    Ref::Id(s.parent_id.clone()),
                    s.tags.clone(),
                )
            } else if a.id.as_deref() == Some(mgmt.as_str()) {
                // Created with the organization, at the root, untagged.
                (Ref::Id(mgmt.clone()), root.clone(), BTreeMap::new())
            } else if let Some(id) = &a.id {
                self.changes.push(Change::InviteAccount {
                    key: a.key.clone(),
                    id: id.clone(),
                    name: a.name.clone(),
                    email: a.email.clone(),
                });
                let r = Ref::Id(id.clone());
                self.auto_attach(&r);
                (r, root.clone(), BTreeMap::new())
            } else {
                let pending = self.state.account_requests.iter().find(|q| {
                    q.email.eq_ignore_ascii_case(&a.email)
                        && q.state == CreateAccountState::InProgress
                });
                match pending {
                    Some(q) => self.changes.push(Change::AwaitAccount {
                        key: a.key.clone(),
                        name: a.name.clone(),
                        request_id: q.request_id.clone(),
                    }),
                    None => self.changes.push(Change::CreateAccount {
                        key: a.key.clone(),
                        name: a.name.clone(),
                        email: a.email.clone(),
                        tags: a.tags.clone(),
                    }),
                }
                let r = Ref::New(format!("account.{}", a.key));
                self.auto_attach(&r);
                // Created with its tags.
                (r, root.clone(), a.tags.clone())
            };
            self.names.insert(r.clone(), a.name.clone());
            self.refs.insert(target, r.clone());
            if let Some(to) = self.refs.get(&a.parent).cloned() {
                if to != current_parent {
                    moves.push(Change::MoveAccount {
                        key: a.key.clone(),
                        account: r.clone(),
                        name: a.name.clone(),
                        from_name: self.name(&current_parent),
                        from: current_parent,
                        to_name: self.name(&to),
                        to,
                    });
                }
            }
            let set: BTreeMap<String, String> = a
                .tags
                .iter()
                .filter(|(k, v)| current_tags.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let remove: Vec<String> = current_tags
                .keys()
                .filter(|k| !a.tags.contains_key(*k))
                .cloned()
                .collect();
            if !set.is_empty() || !remove.is_empty() {
                tags.push(Change::TagAccount {
                    key: a.key.clone(),
                    account: r,
                    name: a.name.clone(),
                    set,
                    remove,
                });
            }
        }
        self.changes.extend(moves);
        self.changes.extend(tags);
        let declared: HashSet<&str> = self.refs.values().filter_map(Ref::id).collect();
        for s in &self.state.accounts {
            if !declared.contains(s.id.as_str()) {
                self.notes.push(format!(
                    "account {} ({}) is in the organization but not in the spec; orgctl never removes accounts",
                    s.name, s.id
                ));
            }
        }
    }

    /// Every (policy, target) pair the spec asks for.
    fn desired_attachments(&self) -> BTreeSet<(Ref, Ref)> {
        let mut out = BTreeSet::new();
        for p in &self.spec.policies {
            let Some(policy) = self.policy_refs.get(&p.key) else {
                continue;
            };
            for (target, _) in &p.attach {
                let targets = if *target == Target::Everywhere {
                    self.spec.all_targets()
                } else {
                    vec![target.clone()]
                };
                for t in targets {
                    if let Some(r) = self.refs.get(&t) {
                        out.insert((policy.clone(), r.clone()));
                    }
                }
            }
        }
        out
    }

    fn attachments(&mut self) {
        let desired = self.desired_attachments();
        let mut current: BTreeSet<(Ref, Ref)> = self
            .state
            .attachments
            .iter()
            .map(|a| (Ref::Id(a.policy_id.clone()), Ref::Id(a.target_id.clone())))
            .collect();
        current.extend(self.auto_attached.iter().cloned());
        let managed_targets: HashSet<&Ref> = self.refs.values().collect();
        let managed_policies: HashSet<&Ref> = self.policy_refs.values().collect();
        for (policy, target) in desired.difference(&current) {
            self.changes.push(Change::AttachPolicy {
                policy_name: self.name(policy),
                target_name: self.name(target),
                policy: policy.clone(),
                target: target.clone(),
            });
        }
        let detaches: Vec<Change> = current
            .difference(&desired)
            // Only what the spec manages: its policies on its targets. Policies gone from the
            // spec are detached with their deletion.
            .filter(|(p, t)| managed_policies.contains(p) && managed_targets.contains(t))
            .map(|(policy, target)| Change::DetachPolicy {
                policy_name: self.name(policy),
                target_name: self.name(target),
                policy: policy.clone(),
                target: target.clone(),
            })
            .collect();
        self.changes.extend(detaches);
    }

    fn destroys(&mut self) -> Result<(), PlanError> {
        let declared: HashSet<&Ref> = self.policy_refs.values().collect();
        let mut deletes = Vec::new();
        for s in &self.state.policies {
            let r = Ref::Id(s.id.clone());
            if s.aws_managed || declared.contains(&r) {
                continue;
            }
            for a in self
                .state
                .attachments
                .iter()
                .filter(|a| a.policy_id == s.id)
            {
                let target = Ref::Id(a.target_id.clone());
                deletes.push(Change::DetachPolicy {
                    policy: r.clone(),
                    policy_name: s.name.clone(),
                    target_name: self.target_name(&a.target_id),
                    target,
                });
            }
            deletes.push(Change::DeletePolicy {
                policy: Ref::Id(s.id.clone()),
                name: s.name.clone(),
            });
        }
        // Units gone from the spec, deepest first.
        let kept: HashSet<&str> = self.refs.values().filter_map(Ref::id).collect();
        let mut gone: Vec<(usize, &crate::state::UnitState)> = self
            .state
            .units
            .iter()
            .filter(|u| !kept.contains(u.id.as_str()))
            .map(|u| (self.state_depth(&u.id), u))
            .collect();
        gone.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        let moved_out: HashSet<String> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::MoveAccount {
                    account: Ref::Id(id),
                    ..
                } => Some(id.clone()),
                _ => None,
            })
            .collect();
        for (_, unit) in &gone {
            if let Some(a) = self
                .state
                .accounts
                .iter()
                .find(|a| a.parent_id == unit.id && !moved_out.contains(&a.id))
            {
                return Err(PlanError::UnitNotEmpty {
                    unit: unit.name.clone(),
                    account: format!("{} ({})", a.name, a.id),
                });
            }
            deletes.push(Change::DeleteUnit {
                id: unit.id.clone(),
                name: unit.name.clone(),
            });
        }
        self.changes.extend(deletes);
        Ok(())
    }

    fn state_depth(&self, id: &str) -> usize {
        let mut depth = 0;
        let mut current = id;
        while let Some(u) = self.state.unit(current) {
            depth += 1;
            current = &u.parent_id;
            if depth > self.state.units.len() {
                break;
            }
        }
        depth
    }

    fn target_name(&self, id: &str) -> String {
        if let Some(u) = self.state.unit(id) {
            return u.name.clone();
        }
        if let Some(a) = self.state.account(id) {
            return a.name.clone();
        }
        if self
            .state
            .organization
            .as_ref()
            .is_some_and(|o| o.root_id == id)
        {
            return "Root".to_owned();
        }
        id.to_owned()
    }

    fn account_ref(&self, target: &Target) -> Option<(Ref, String)> {
        let r = self.refs.get(target)?.clone();
        let name = self.name(&r);
        Some((r, name))
    }

    fn baseline(&mut self) {
        let spec = self.spec;
        let mgmt = spec.organization.management_account_id.clone();
        let region = spec.organization.home_region.clone();
        let mut services: BTreeSet<String> = BTreeSet::new();
        if spec.baseline.trail.is_some() {
            services.insert("cloudtrail.amazonaws.com".to_owned());
        }
        if spec.baseline.aggregator.is_some() {
            services.insert("config.amazonaws.com".to_owned());
        }
        for admin in &spec.baseline.delegated_admins {
            services.extend(admin.services.iter().cloned());
        }
        for s in services {
            if !self.state.trusted_services.contains(&s) {
                self.changes.push(Change::EnableServiceAccess {
                    service_principal: s,
                });
            }
        }
        for admin in &spec.baseline.delegated_admins {
            let Some((account, account_name)) = self.account_ref(&admin.account) else {
                continue;
            };
            for service in &admin.services {
                let registered = account.id().is_some_and(|id| {
                    self.state
                        .delegated_admins
                        .iter()
                        .any(|d| d.account_id == id && &d.service_principal == service)
                });
                if !registered {
                    self.changes.push(Change::RegisterDelegatedAdmin {
                        account: account.clone(),
                        account_name: account_name.clone(),
                        service_principal: service.clone(),
                    });
                }
            }
        }
        if let Some(trail) = &spec.baseline.trail {
            if let Some((account, account_name)) = self.account_ref(&trail.bucket_account) {
                let trail_arn = format!("arn:aws:cloudtrail:{region}:{mgmt}:trail/{}", trail.name);
                let want = BucketState {
                    account_id: account.id().unwrap_or_default().to_owned(),
                    name: trail.bucket.clone(),
                    region: region.clone(),
                    versioning: true,
                    encryption: Some(Encryption::Aes256),
                    public_access_block: true,
                    policy: Some(log_bucket_policy(&trail.bucket, &trail_arn)),
                    noncurrent_expiration_days: None,
                    object_lock: true,
                };
                let have = self.state.buckets.iter().find(|b| b.name == trail.bucket);
                let drift = have.map(|h| bucket_drift(h, &want)).unwrap_or_default();
                if have.is_none() || !drift.is_empty() {
                    self.changes.push(Change::PutLogBucket {
                        account,
                        account_name,
                        bucket: want,
                        drift,
                    });
                }
            }
            let want = TrailState {
                account_id: mgmt.clone(),
                name: trail.name.clone(),
                region: region.clone(),
                bucket: trail.bucket.clone(),
                organization_trail: true,
                multi_region: true,
                logging: true,
            };
            let have = self.state.trails.iter().find(|t| t.name == trail.name);
            if have != Some(&want) {
                let drift = have.map(|h| trail_drift(h, &want)).unwrap_or_default();
                self.changes.push(Change::PutTrail { trail: want, drift });
            }
        }
        if let Some(agg) = &spec.baseline.aggregator {
            let want = AggregatorState {
                account_id: mgmt,
                name: agg.name.clone(),
                region,
                organization_wide: true,
            };
            let have = self.state.aggregators.iter().find(|a| a.name == agg.name);
            if have != Some(&want) {
                let drift = have
                    .map(|h| {
                        let mut d = Vec::new();
                        if h.region != want.region {
                            d.push(format!("region: {} -> {}", h.region, want.region));
                        }
                        if !h.organization_wide {
                            d.push("organization_wide: false -> true".to_owned());
                        }
                        d
                    })
                    .unwrap_or_default();
                self.changes.push(Change::PutAggregator {
                    aggregator: want,
                    drift,
                });
            }
        }
    }

    fn template(&self) -> BootstrapTemplate {
        let b = &self.spec.bootstrap;
        BootstrapTemplate {
            bucket_prefix: b.bucket_prefix.clone(),
            region: b.region.clone(),
            encryption: b.encryption,
            noncurrent_days: b.noncurrent_days,
            lock_table: b.locking.needs_table().then(|| b.lock_table.clone()),
            account_regional_namespace: b.account_regional_namespace,
        }
    }

    fn bootstrap(&mut self) -> Result<(), PlanError> {
        let template = self.template();
        for a in &self.spec.accounts {
            if !a.bootstrap {
                continue;
            }
            let Some((account, account_name)) = self.account_ref(&Target::Account(a.key.clone()))
            else {
                continue;
            };
            let (bucket_exists, drift, table_change) = match account.id() {
                Some(id) => {
                    let want = template.bucket(id);
                    let have = self.state.buckets.iter().find(|b| b.name == want.name);
                    if let Some(h) = have.filter(|h| h.region != want.region) {
                        return Err(PlanError::BucketRegion {
                            bucket: h.name.clone(),
                            actual: h.region.clone(),
                            expected: want.region.clone(),
                        });
                    }
                    let drift = have.map(|h| bucket_drift(h, &want)).unwrap_or_default();
                    let table_change = template.table(id).is_some_and(|want| {
                        let have = self
                            .state
                            .tables
                            .iter()
                            .find(|t| t.account_id == id && t.name == want.name);
                        have != Some(&want)
                    });
                    (have.is_some(), drift, table_change)
                }
                None => (false, Vec::new(), template.lock_table.is_some()),
            };
            if !bucket_exists || !drift.is_empty() || table_change {
                self.changes.push(Change::Bootstrap {
                    account,
                    account_name,
                    template: template.clone(),
                    drift,
                    bucket_exists,
                    table_change,
                });
            }
        }
        Ok(())
    }

    fn files(&mut self) {
        let live = self.spec.bootstrap.live_dir.clone();
        let mut want: Vec<(String, FileContent)> = Vec::new();
        // Terragrunt configuration is for the accounts that keep their own state.
        if !self.spec.accounts.iter().any(|a| a.bootstrap) {
            return;
        }
        want.push((
            live.join("root.hcl").to_string_lossy().into_owned(),
            FileContent::Text(root_hcl(&self.spec.bootstrap)),
        ));
        for a in self.spec.accounts.iter().filter(|a| a.bootstrap) {
            let Some(r) = self.refs.get(&Target::Account(a.key.clone())) else {
                continue;
            };
            let dir = slug(&a.name);
            let region = &self.spec.organization.home_region;
            want.push((
                live.join(&dir)
                    .join(region)
                    .join("region.hcl")
                    .to_string_lossy()
                    .into_owned(),
                FileContent::Text(region_hcl(&dir, region)),
            ));
            let path = live
                .join(&dir)
                .join("account.hcl")
                .to_string_lossy()
                .into_owned();
            let content = match r.id() {
                Some(id) => FileContent::Text(account_hcl(&dir, id)),
                None => FileContent::AccountHcl {
                    account: r.clone(),
                    name: dir,
                },
            };
            want.push((path, content));
        }
        for (path, content) in want {
            let existing = (self.input.read_file)(Path::new(&path));
            if let (FileContent::Text(text), Some(have)) = (&content, &existing) {
                if text == have {
                    continue;
                }
            }
            self.changes.push(Change::WriteFile {
                path,
                content,
                exists: existing.is_some(),
            });
        }
    }
}

/// Whether two policy documents say the same as JSON values (formatting is no change).
pub(crate) fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The lines of the pretty-printed documents that differ, `-` before `+`.
fn document_diff(old: &str, new: &str) -> Vec<String> {
    let pretty = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| s.to_owned())
    };
    let (a, b) = (pretty(old), pretty(new));
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    // Longest common subsequence; policies are small enough for the table.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", b[j].trim_end()));
            j += 1;
        } else if i < a.len() {
            out.push(format!("- {}", a[i].trim_end()));
            i += 1;
        }
    }
    out
}

fn bucket_drift(have: &BucketState, want: &BucketState) -> Vec<String> {
    let mut d = Vec::new();
    if have.versioning != want.versioning {
        d.push(format!(
            "versioning: {} -> {}",
            have.versioning, want.versioning
        ));
    }
    if have.encryption != want.encryption {
        let show = |e: Option<Encryption>| e.map_or("none", Encryption::as_str);
        d.push(format!(
            "encryption: {} -> {}",
            show(have.encryption),
            show(want.encryption)
        ));
    }
    if have.public_access_block != want.public_access_block {
        d.push(format!(
            "public_access_block: {} -> {}",
            have.public_access_block, want.public_access_block
        ));
    }
    let same_policy = match (&have.policy, &want.policy) {
        (Some(a), Some(b)) => same_json(a, b),
        (None, None) => true,
        _ => false,
    };
    if !same_policy {
        d.push("bucket policy: replaced".to_owned());
    }
    if have.noncurrent_expiration_days != want.noncurrent_expiration_days {
        d.push(format!(
            "noncurrent version expiry: {:?} -> {:?} days",
            have.noncurrent_expiration_days, want.noncurrent_expiration_days
        ));
    }
    if have.object_lock != want.object_lock {
        d.push(format!(
            "object_lock: {} -> {}",
            have.object_lock, want.object_lock
        ));
    }
    if have.region != want.region {
        d.push(format!(
            "region: {} (a bucket cannot move; its region stays {})",
            want.region, have.region
        ));
    }
    d
}

fn trail_drift(have: &TrailState, want: &TrailState) -> Vec<String> {
    let mut d = Vec::new();
    if have.bucket != want.bucket {
        d.push(format!("bucket: {} -> {}", have.bucket, want.bucket));
    }
    if !have.organization_trail {
        d.push("organization_trail: false -> true".to_owned());
    }
    if !have.multi_region {
        d.push("multi_region: false -> true".to_owned());
    }
    if !have.logging {
        d.push("logging: off -> on".to_owned());
    }
    d
}

/// The probes for [`crate::Backend::read_state`]: the bootstrap resources of every account
/// of the spec whose id the state knows, and the log archive bucket.
pub fn probes(spec: &Spec, state: &State) -> Vec<crate::backend::BootstrapProbe> {
    let b = &spec.bootstrap;
    let mut out = Vec::new();
    for a in &spec.accounts {
        let id = a.id.clone().or_else(|| {
            state
                .accounts
                .iter()
                .find(|s| s.email.eq_ignore_ascii_case(&a.email))
                .map(|s| s.id.clone())
        });
        let Some(id) = id else { continue };
        if a.bootstrap {
            out.push(crate::backend::BootstrapProbe {
                bucket: b.bucket_name(&id),
                table: b.locking.needs_table().then(|| b.lock_table.clone()),
                region: b.region.clone(),
                account_id: id.clone(),
            });
        }
        if let Some(trail) = &spec.baseline.trail {
            if trail.bucket_account == Target::Account(a.key.clone()) {
                out.push(crate::backend::BootstrapProbe {
                    account_id: id,
                    bucket: trail.bucket.clone(),
                    table: None,
                    region: spec.organization.home_region.clone(),
                });
            }
        }
    }
    out
}
