//! Policy documents from arbitrary text: reading never panics, every problem points inside the
//! text on character boundaries, and a policy that reads prints (pretty and minified) and reads
//! back to the same model.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgctl_policy::{LineIndex, Policy, Span};

/// The model without the spans that only say where things were written.
fn unplaced(policy: &Policy) -> Policy {
    let mut p = policy.clone();
    p.span = Span::default();
    for st in &mut p.statements {
        st.span = Span::default();
        st.condition_span = st.condition_span.map(|_| Span::default());
        st.action.key_span = Span::default();
        st.action.values.span = Span::default();
        if let Some(r) = &mut st.resource {
            r.key_span = Span::default();
            r.values.span = Span::default();
        }
        if let Some(pr) = &mut st.principal {
            pr.key_span = Span::default();
            pr.span = Span::default();
            if let orgctl_policy::Principal::Typed(entries) = &mut pr.value {
                for (_, list) in entries {
                    list.span = Span::default();
                }
            }
        }
        for block in &mut st.condition {
            for entry in &mut block.entries {
                entry.span = Span::default();
            }
        }
    }
    p
}

fn check_span(src: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= src.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        src.len()
    );
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "{what}: span {span:?} not on character boundaries"
    );
}

fn round_trip(policy: &Policy, text: &str, form: &str) {
    let again = match Policy::parse(text) {
        Ok(p) => p,
        Err(e) => panic!("the {form} form does not read back: {e:?}\n{text}"),
    };
    assert_eq!(
        unplaced(&again),
        unplaced(policy),
        "the {form} form reads back to another policy:\n{text}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (policy, errors) = Policy::parse_with_errors(src);
    let index = LineIndex::new(src);
    for e in &errors {
        check_span(src, e.span(), e.code());
        let _ = index.line_col(src, e.span().start);
        let _ = (e.to_string(), e.help());
    }
    let Some(policy) = policy else {
        return;
    };
    check_span(src, policy.span, "policy");
    for st in &policy.statements {
        check_span(src, st.span, "statement");
        for item in &st.action.values.items {
            check_span(src, item.span, "action");
        }
    }
    if errors.is_empty() {
        round_trip(&policy, &policy.to_pretty_string(), "pretty");
        let minified = policy.to_minified_string();
        round_trip(&policy, &minified, "minified");
        assert_eq!(policy.minified_size().bytes, minified.len());
    }
});
