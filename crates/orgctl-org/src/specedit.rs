//! Editing the spec file in place: a vended account is added as a block of its own after the
//! last account block, written in the spec's style; every other byte (comments, layout) stays.

use hcl_edit::Span as _;
use hcl_edit::structure::Structure;

/// Why the spec file could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum SpecEditError {
    /// The file is not valid HCL.
    #[error("the spec file does not parse: {0}")]
    #[diagnostic(
        code(orgctl::spec_edit),
        help("fix the file (`orgctl validate`), then run the command again")
    )]
    Parse(String),
    /// A block with that key exists.
    #[error("the spec already has `account \"{0}\"`")]
    #[diagnostic(code(orgctl::spec_edit), help("choose another name for the account"))]
    Exists(String),
}

/// An account block to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount<'a> {
    /// Block key.
    pub key: &'a str,
    /// Account name.
    pub name: &'a str,
    /// Email.
    pub email: &'a str,
    /// Its 12-digit id.
    pub id: &'a str,
    /// The unit's key.
    pub unit: &'a str,
}

/// `s` as an HCL string literal: quotes, backslashes and newlines escaped, `${` and `%{`
/// doubled so they stay literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // `${` and `%{` open templates; doubled, they are literal.
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The spec text with the account block added.
///
/// # Errors
/// When the text does not parse or already has a block with that key.
pub fn add_account(text: &str, account: &NewAccount<'_>) -> Result<String, SpecEditError> {
    let body =
        hcl_edit::parser::parse_body(text).map_err(|e| SpecEditError::Parse(e.to_string()))?;
    let mut insert_at = None;
    for structure in body.iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        if block.ident.as_str() != "account" {
            continue;
        }
        if block
            .labels
            .first()
            .is_some_and(|l| l.as_str() == account.key)
        {
            return Err(SpecEditError::Exists(account.key.to_owned()));
        }
        if let Some(span) = block.span() {
            insert_at = Some(span.end);
        }
    }
    let block = format!(
        "account {} {{\n  name  = {}\n  email = {}\n  id    = {}\n  unit  = unit.{}\n}}\n",
        quote(account.key),
        quote(account.name),
        quote(account.email),
        quote(account.id),
        account.unit
    );
    let mut out = String::with_capacity(text.len() + block.len() + 2);
    match insert_at {
        Some(end) => {
            let (before, after) = text.split_at(end.min(text.len()));
            out.push_str(before.trim_end_matches('\n'));
            out.push_str("\n\n");
            out.push_str(&block);
            let rest = after.trim_start_matches('\n');
            if !rest.is_empty() {
                out.push('\n');
            }
            out.push_str(rest);
        }
        None => {
            out.push_str(text.trim_end_matches('\n'));
            out.push_str("\n\n");
            out.push_str(&block);
        }
    }
    // What was written must read back as HCL with the new block in it.
    let check =
        hcl_edit::parser::parse_body(&out).map_err(|e| SpecEditError::Parse(e.to_string()))?;
    if !check.blocks().any(|b| {
        b.ident.as_str() == "account" && b.labels.first().is_some_and(|l| l.as_str() == account.key)
    }) {
        return Err(SpecEditError::Parse(
            "the new block did not read back".to_owned(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "# The org.\norganization \"x\" {\n  management_account_id = \"111111111111\" # mgmt\n}\n\n# Accounts\naccount \"dev\" {\n  name  = \"Dev\"\n  email = \"dev@example.com\"\n}\n\n# Policies follow\npolicy \"p\" {\n  type = \"scp\"\n}\n";

    fn new() -> NewAccount<'static> {
        NewAccount {
            key: "qa",
            name: "QA",
            email: "qa@example.com",
            id: "123456789012",
            unit: "workloads",
        }
    }

    #[test]
    fn the_block_goes_after_the_last_account_and_nothing_else_moves() {
        let out = add_account(SPEC, &new()).unwrap();
        insta::assert_snapshot!(out);
        // Every original line is still there, in order.
        let mut lines = out.lines();
        for line in SPEC.lines() {
            assert!(lines.any(|l| l == line), "lost {line:?}");
        }
    }

    #[test]
    fn a_second_block_with_the_key_is_refused() {
        let once = add_account(SPEC, &new()).unwrap();
        assert_eq!(
            add_account(&once, &new()),
            Err(SpecEditError::Exists("qa".into()))
        );
    }

    #[test]
    fn values_are_quoted_safely() {
        let odd = NewAccount {
            name: "Q\"A ${x}",
            ..new()
        };
        let out = add_account(SPEC, &odd).unwrap();
        assert!(out.contains(r#"name  = "Q\"A $${x}""#), "{out}");
    }

    #[test]
    fn a_spec_without_accounts_gets_the_block_at_the_end() {
        let out = add_account("organization \"x\" {\n}\n", &new()).unwrap();
        assert!(out.ends_with("unit  = unit.workloads\n}\n"), "{out}");
    }
}
