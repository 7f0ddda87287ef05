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

/// The first placeholder in `text`, if any. `known_prefix` says whether a `${prefix:...}` names a
/// real condition key namespace.
pub fn placeholder(text: &str, known_prefix: impl Fn(&str) -> bool) -> Option<&str> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        let inner = after.get(..end).unwrap_or_default();
        let key = inner.split(',').next().unwrap_or_default().trim();
        let is_variable = matches!(key, "*" | "?" | "$")
            || key.split_once(':').is_some_and(|(prefix, name)| {
                !name.is_empty() && !name.starts_with(':') && known_prefix(prefix)
            });
        if !is_variable {
            return rest.get(start..start + 3 + end);
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    for (open, close) in [("{{", "}}"), ("[", "]"), ("<", ">")] {
        let mut from = 0;
        while let Some(i) = text.get(from..).and_then(|t| t.find(open)) {
            let start = from + i;
            let body_start = start + open.len();
            let Some(len) = text.get(body_start..).and_then(|t| t.find(close)) else {
                break;
            };
            let body = text.get(body_start..body_start + len).unwrap_or_default();
            // `{{...}}` and `<...>` never appear in IAM values; `[...]` can (rarely), so only
            // an upper-case `[NAME]` counts.
            let looks_like_name = !body.is_empty()
                && (open == "{{" || !body.starts_with(' ') && !body.ends_with(' '))
                && body
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
                && (open != "["
                    || body.chars().any(|c| c.is_ascii_uppercase())
                        && !body.chars().any(|c| c.is_ascii_lowercase()));
            if looks_like_name {
                return text.get(start..body_start + len + close.len());
            }
            from = body_start;
        }
    }
    None
}

/// Whether `text` holds a template placeholder, for rules that leave such strings to
/// `template-placeholder` rather than report them a second time.
pub fn is_templated(catalog: &orgctl_catalog::Catalog, text: &str) -> bool {
    placeholder(text, |prefix| {
        prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some()
    })
    .is_some()
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
