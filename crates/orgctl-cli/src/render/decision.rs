//! A decision for people: the outcome, then the statements (or the missing allow) that
//! decided it.

use std::fmt::Write as _;

use orgctl_eval::{Decision, Layer, Outcome, PolicySet, Reason, Request};

/// The decision and its explanation, one reason per line.
///
/// `locate` gives `path:line:column` of a reason's statement, when known.
pub fn human(
    decision: &Decision,
    set: &PolicySet,
    req: &Request,
    locate: &dyn Fn(&Reason) -> Option<String>,
) -> String {
    let mut out = format!(
        "{}: {} on {} by {}\n",
        decision.outcome, req.action, req.resource, req.principal.arn
    );
    for reason in &decision.reasons {
        let line = match decision.outcome {
            Outcome::ExplicitDeny => statement("denied by", reason, set, locate),
            Outcome::Allow => statement("allowed by", reason, set, locate),
            Outcome::ImplicitDeny => missing_allow(reason, set, req),
        };
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// `denied by RegionDeny (scp, level 0), statement 0 `Sid` at path:4:5`
fn statement(
    verb: &str,
    reason: &Reason,
    set: &PolicySet,
    locate: &dyn Fn(&Reason) -> Option<String>,
) -> String {
    let policy = set.policy(reason);
    let name = policy.map_or("(unknown policy)", |p| p.name());
    let mut line = format!("{verb} {name} ({}", reason.layer);
    if is_chain(reason.layer) {
        let _ = write!(line, ", level {}", reason.level);
    }
    line.push(')');
    if let Some(index) = reason.statement {
        let _ = write!(line, ", statement {index}");
        let sid = policy.and_then(|p| {
            p.statements()
                .get(usize::try_from(index).ok()?)?
                .sid
                .clone()
        });
        if let Some(sid) = sid {
            let _ = write!(line, " `{sid}`");
        }
    }
    if let Some(at) = locate(reason) {
        let _ = write!(line, " at {at}");
    }
    line
}

/// Which layer (and level) had no matching allow.
fn missing_allow(reason: &Reason, set: &PolicySet, req: &Request) -> String {
    let action = &req.action;
    match reason.layer {
        Layer::Scp | Layer::Rcp => {
            let level = usize::from(reason.level);
            let attached: Vec<&str> = match reason.layer {
                Layer::Scp => set.scps.as_ref().and_then(|l| l.get(level)),
                _ => set.rcps.get(level),
            }
            .map(|ps| ps.iter().map(orgctl_eval::CompiledPolicy::name).collect())
            .unwrap_or_default();
            let attached = if attached.is_empty() {
                "no policy attached".to_owned()
            } else {
                format!("attached: {}", attached.join(", "))
            };
            let kind = if reason.layer == Layer::Scp {
                "SCP"
            } else {
                "RCP"
            };
            format!(
                "no {kind} at level {} ({}) allows {action} ({attached})",
                reason.level,
                from_root(reason.level)
            )
        }
        Layer::Identity if set.identity.is_empty() => {
            format!("no identity policy allows {action} (none was given)")
        }
        Layer::Identity => format!("no identity policy allows {action}"),
        Layer::Resource => {
            let why = if req.is_cross_account() {
                format!(
                    "a cross-account request (principal account {}, resource account {}) \
                     needs the resource policy to allow it",
                    req.principal.account, req.resource_account
                )
            } else {
                format!(
                    "`{}` requests need the resource policy to allow them, even within one account",
                    req.service()
                )
            };
            match &set.resource {
                None => format!("no resource policy allows {action}: {why}"),
                Some(p) => format!(
                    "the resource policy {} does not allow {action}: {why}",
                    p.name()
                ),
            }
        }
        Layer::Boundary => format!(
            "the permissions boundary {} does not allow {action}",
            set.boundary.as_ref().map_or("", |p| p.name())
        ),
        Layer::Session => format!(
            "the session policy {} does not allow {action}",
            set.session.as_ref().map_or("", |p| p.name())
        ),
    }
}

const fn is_chain(layer: Layer) -> bool {
    matches!(layer, Layer::Scp | Layer::Rcp)
}

/// `root`, `second from root`, ..., `11th from root`.
fn from_root(level: u16) -> String {
    const WORDS: [&str; 9] = [
        "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    ];
    if level == 0 {
        return "root".to_owned();
    }
    let n = usize::from(level) + 1;
    match WORDS.get(n - 2) {
        Some(word) => format!("{word} from root"),
        None => {
            let suffix = match (n % 10, n % 100) {
                (1, r) if r != 11 => "st",
                (2, r) if r != 12 => "nd",
                (3, r) if r != 13 => "rd",
                _ => "th",
            };
            format!("{n}{suffix} from root")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(from_root(0), "root");
        assert_eq!(from_root(1), "second from root");
        assert_eq!(from_root(9), "tenth from root");
        assert_eq!(from_root(10), "11th from root");
        assert_eq!(from_root(20), "21st from root");
        assert_eq!(from_root(111), "112th from root");
    }
}
