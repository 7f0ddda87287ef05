//! A restatement of orgctl's layered decision (`PolicySet::decide`) built from its public
//! statement matcher, with switches that reproduce iam-simulate's known departures from the
//! AWS documentation in how layers combine.
//!
//! With every switch off, [`decide`] must agree with `PolicySet::decide` on every request;
//! the runner checks this on every case, so the model cannot drift from orgctl unnoticed. A
//! disagreement with the oracle counts as a known deviation only when turning on the
//! switches (and rewriting the condition constructs of `deviations`) reproduces the
//! oracle's answer exactly.

use orgctl_eval::{
    CompiledPolicy, Grant, NEEDS_NO_PERMISSION, Outcome, PolicySet, PrincipalKind, RCP_SERVICES,
    Request,
};
use orgctl_policy::Effect;

/// iam-simulate's layering departures, each off by default (= orgctl, = AWS docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// (b) SCPs and RCPs also apply to service-linked roles.
    pub slr_governed: bool,
    /// (b) RCPs apply to every service, not only those RCPs support.
    pub rcp_all_services: bool,
    /// (l) A session policy that does not allow denies, even when a same-account resource
    /// policy names the role session directly. (The classifier turns this on only for
    /// role-session requesters.)
    pub session_first: bool,
}

impl Quirks {
    /// Every switch on.
    pub const ALL: Self = Self {
        slr_governed: true,
        rcp_all_services: true,
        session_first: true,
    };

    /// The switches that are on, by name.
    pub fn names(self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.slr_governed {
            v.push("b:slr-governed");
        }
        if self.rcp_all_services {
            v.push("b:rcp-all-services");
        }
        if self.session_first {
            v.push("l:session-policy-first");
        }
        v
    }

    /// Each switch on its own.
    pub fn singles() -> [Self; 3] {
        let off = Self::default();
        [
            Self {
                slr_governed: true,
                ..off
            },
            Self {
                rcp_all_services: true,
                ..off
            },
            Self {
                session_first: true,
                ..off
            },
        ]
    }
}

fn allows(policies: &[CompiledPolicy], req: &Request) -> bool {
    policies.iter().any(|p| {
        p.statements()
            .iter()
            .any(|st| st.effect == Effect::Allow && st.applies(req).is_some())
    })
}

fn denies(policies: &[CompiledPolicy], req: &Request) -> bool {
    policies.iter().any(|p| {
        p.statements()
            .iter()
            .any(|st| st.effect == Effect::Deny && st.applies(req).is_some())
    })
}

/// "A Deny with NotPrincipal will always deny any IAM principal that has a permissions
/// boundary policy attached" (IAM User Guide, permissions boundaries), as orgctl decides it.
fn not_principal_boundary_deny(ps: &PolicySet, req: &Request) -> bool {
    ps.boundary.is_some()
        && ps.resource.as_ref().is_some_and(|r| {
            r.statements().iter().any(|st| {
                st.effect == Effect::Deny
                    && st.has_not_principal()
                    && st.applies_to_anyone(req)
                    && st.applies(req).is_none()
            })
        })
}

/// How the resource policy's allowing statements name the principal, at best.
pub fn resource_grant(policy: Option<&CompiledPolicy>, req: &Request) -> Option<Grant> {
    policy?
        .statements()
        .iter()
        .filter(|st| st.effect == Effect::Allow)
        .filter_map(|st| st.applies(req))
        .max()
}

/// The decision, with `quirks` applied.
pub fn decide(ps: &PolicySet, req: &Request, quirks: Quirks) -> Outcome {
    let action = req.action.to_ascii_lowercase();
    if NEEDS_NO_PERMISSION.contains(&action.as_str()) {
        return Outcome::Allow;
    }
    let slr = req.principal.is_service_linked_role();
    let exempt = slr && !quirks.slr_governed;
    let scps_apply = ps.scps.is_some()
        && !matches!(
            req.principal.kind,
            PrincipalKind::Service | PrincipalKind::Anonymous
        )
        && !exempt;
    let rcps_apply = (quirks.rcp_all_services || RCP_SERVICES.contains(&req.service())) && !exempt;

    let scp_levels: &[Vec<CompiledPolicy>] = ps.scps.as_deref().unwrap_or_default();
    let denied = (scps_apply && scp_levels.iter().any(|l| denies(l, req)))
        || (rcps_apply && ps.rcps.iter().any(|l| denies(l, req)))
        || denies(&ps.identity, req)
        || not_principal_boundary_deny(ps, req)
        || denies(ps.resource.as_slice(), req)
        || denies(ps.boundary.as_slice(), req)
        || denies(ps.session.as_slice(), req);
    if denied {
        return Outcome::ExplicitDeny;
    }
    if scps_apply && !scp_levels.iter().all(|l| allows(l, req)) {
        return Outcome::ImplicitDeny;
    }
    let grant = resource_grant(ps.resource.as_ref(), req);
    // The root user's identity side allows without a statement.
    let identity = req.principal.kind == PrincipalKind::Root || allows(&ps.identity, req);
    let boundary = ps
        .boundary
        .as_ref()
        .is_none_or(|b| allows(std::slice::from_ref(b), req));
    // A federation token without a session policy has no permissions.
    let session = match &ps.session {
        Some(s) => allows(std::slice::from_ref(s), req),
        None => req.principal.kind != PrincipalKind::FederatedUser,
    };
    let verdict = |ok: bool| {
        if ok {
            Outcome::Allow
        } else {
            Outcome::ImplicitDeny
        }
    };
    if quirks.session_first && !session {
        return Outcome::ImplicitDeny;
    }
    if req.is_cross_account() {
        return verdict(identity && boundary && session && grant.is_some());
    }
    if orgctl_eval::decide::resource_policy_required(req) && grant.is_none() {
        return Outcome::ImplicitDeny;
    }
    match grant {
        Some(Grant::Direct) => Outcome::Allow,
        Some(Grant::Role) => verdict(boundary && session),
        _ => verdict(identity && boundary && session),
    }
}
