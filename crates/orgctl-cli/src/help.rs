//! The examples and exit statuses `orgctl <command> --help` shows after the options.

/// `orgctl validate`.
pub const VALIDATE: &str = "\
Examples:
  orgctl validate examples/docustack
  orgctl validate . --format json

Exit status: 0 when the spec is valid (warnings allowed), 1 when it has an error.";

/// `orgctl show`.
pub const SHOW: &str = "\
Examples:
  orgctl show examples/docustack
  orgctl show examples/docustack --format mermaid > org.mmd
  orgctl show examples/docustack --format dot | dot -Tsvg > org.svg";

/// `orgctl plan`.
pub const PLAN: &str = "\
Examples:
  orgctl plan examples/docustack
  orgctl plan examples/docustack --out plan.json && orgctl apply examples/docustack --plan plan.json
  orgctl plan . --backend aws --profile management

Exit status: 0 no changes, 2 changes planned, 1 error (an invalid spec, or a plan the lockout
guard refuses).";

/// `orgctl apply`.
pub const APPLY: &str = "\
Examples:
  orgctl apply examples/docustack
  orgctl apply . --backend aws --profile management
  orgctl apply . --plan plan.json --yes

The guardrail tests of tests/ run first; a failing test, a plan that would lock the access role
or the management account out, or a stale saved plan stops apply before any change.
Exit status: 0 when the organization matches the spec, 1 on an error.";

/// `orgctl bootstrap`.
pub const BOOTSTRAP: &str = "\
Examples:
  orgctl bootstrap --dir examples/docustack
  orgctl bootstrap production staging --dir . --backend aws --yes";

/// `orgctl account create`.
pub const ACCOUNT_CREATE: &str = "\
Examples:
  orgctl account create Analytics --ou workloads --email aws-analytics@example.com
  orgctl account create Analytics --ou Workloads --email aws-analytics@example.com --backend aws

A rerun after an interruption finishes the same account; it never creates a second one.";

/// `orgctl import`.
pub const IMPORT: &str = "\
Examples:
  orgctl import --out imported --from examples/docustack
  orgctl import --out live --backend aws --profile management --name acme

`orgctl plan` on the written directory shows no changes.";

/// `orgctl test`.
pub const TEST: &str = "\
Examples:
  orgctl test examples/docustack
  orgctl test . --format junit > guardrails.xml

Exit status: 0 when every test passes, 1 otherwise. docs/testing.md describes test files.";

/// `orgctl completions`.
pub const COMPLETIONS: &str = "\
Examples:
  orgctl completions bash > /etc/bash_completion.d/orgctl
  orgctl completions zsh > \"${fpath[1]}/_orgctl\"
  orgctl completions fish > ~/.config/fish/completions/orgctl.fish";

/// `orgctl man`.
pub const MAN: &str = "\
Examples:
  orgctl man | man -l -
  orgctl man --out /usr/local/share/man/man1";

/// `orgctl init`.
pub const INIT: &str = "\
Examples:
  orgctl init acme --management-account-id 111122223333 --email-domain acme.example
  orgctl init . --name acme --region eu-west-1

The new directory validates, its guardrail tests pass and its properties hold; `orgctl apply`
builds it in the sandbox.";
