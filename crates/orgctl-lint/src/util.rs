//! Helpers shared by rules.

/// Levenshtein distance over ASCII-lowercased bytes.
pub fn distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(!ca.eq_ignore_ascii_case(cb));
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 4).max(2);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the hopeless quickly.
        .filter(|c| c.len().abs_diff(name.len()) <= limit)
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Every string of a policy that can hold a value AWS interprets, with its span and the name
/// of its element: actions, resources, principals, condition keys and values.
pub fn policy_strings(
    policy: &orgctl_policy::Policy,
) -> Vec<(&str, orgctl_policy::Span, &'static str)> {
    use orgctl_policy::{ConditionValue, Principal};
    let mut out = Vec::new();
    for st in &policy.statements {
        let action = if st.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        out.extend(
            st.action
                .values
                .items
                .iter()
                .map(|i| (i.node.as_str(), i.span, action)),
        );
        if let Some(r) = &st.resource {
            let element = if r.negated { "NotResource" } else { "Resource" };
            out.extend(
                r.values
                    .items
                    .iter()
                    .map(|i| (i.node.as_str(), i.span, element)),
            );
        }
        if let Some(p) = &st.principal
            && let Principal::Typed(entries) = &p.value
        {
            let element = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            for (_, list) in entries {
                out.extend(
                    list.items
                        .iter()
                        .map(|i| (i.node.as_str(), i.span, element)),
                );
            }
        }
        for block in &st.condition {
            for entry in &block.entries {
                out.push((entry.key.node.as_str(), entry.key.span, "Condition"));
                for v in &entry.values {
                    if let ConditionValue::String(s) = &v.node {
                        out.push((s.as_str(), v.span, "Condition"));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let names = ["GetObject", "PutObject", "DeleteObject"];
        assert_eq!(closest("GetObjects", names), Some("GetObject"));
        assert_eq!(closest("getobject", names), Some("GetObject"));
        assert_eq!(closest("ListBuckets", names), None);
    }
}
