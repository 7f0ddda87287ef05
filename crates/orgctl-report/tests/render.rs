//! The report of DocuStack and of a spec whose names are markup: what the page holds,
//! counted, and that nothing from the spec reaches it unescaped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::Path;

use orgctl_catalog::Catalog;
use orgctl_org::prove::ProveOptions;
use orgctl_org::{Severity, Spec};
use orgctl_report::{ReportInput, render};

fn load(dir: &Path) -> Spec {
    let (spec, diags) = orgctl_org::load_dir(dir).unwrap();
    let errors: Vec<&str> = diags
        .items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    spec
}

fn docustack() -> Spec {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack"))
}

/// A few services, so that the prover is quick.
fn few_actions() -> ProveOptions {
    ProveOptions {
        actions: vec![
            "s3:*".to_owned(),
            "cloudtrail:*".to_owned(),
            "iam:CreateRole".to_owned(),
            "ec2:RunInstances".to_owned(),
        ],
        ..ProveOptions::default()
    }
}

fn input<'a>(spec: &'a Spec, prove: &'a ProveOptions) -> ReportInput<'a> {
    ReportInput {
        spec,
        catalog: Catalog::embedded().unwrap(),
        state: None,
        backend: "sandbox",
        tests: None,
        prove,
        version: "0.0.0-test",
    }
}

fn occurrences(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn docustack_before_apply() {
    let spec = docustack();
    let prove = few_actions();
    let report = render(&input(&spec, &prove)).unwrap();
    let html = &report.html;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(occurrences(html, "<g class=\"account\""), 7);
    assert_eq!(occurrences(html, "<g class=\"ou\""), 3);
    assert_eq!(report.summary.accounts, 7);
    assert_eq!(report.summary.units, 3);
    assert_eq!(report.summary.regions, 2);
    assert_eq!(
        occurrences(html, "<td class=\"heat-cell "),
        report.summary.heat_cells
    );
    // The guardrails cut CloudTrail and S3 in the home region, and EC2 too outside it (the
    // region lock); IAM is allowed everywhere. Both maps show the same three services.
    assert!(html.contains("data-region=\"us-east-1\" data-accounts=\"7\" data-services=\"3\""));
    assert!(html.contains("data-region=\"us-west-2\" data-accounts=\"7\" data-services=\"3\""));
    assert_eq!(report.summary.heat_cells, 2 * 7 * 3);
    for service in ["cloudtrail", "ec2", "s3"] {
        assert_eq!(
            occurrences(
                html,
                &format!("<th class=\"svc\" scope=\"col\" data-service=\"{service}\"")
            ),
            2
        );
    }
    assert!(!html.contains("<th class=\"svc\" scope=\"col\" data-service=\"iam\""));
    assert!(
        html.contains(
            "3 services of the 4 checked differ between accounts in us-east-1 or us-west-2"
        )
    );
    assert!(html.contains("<g class=\"ou\" data-ou=\"workloads\" data-id=\"\" data-scps=\"FullAWSAccess,RequireS3Encryption,DenyPublicS3\""));
    assert!(html.contains("Root SCPs: FullAWSAccess, RegionDeny,"));
    assert!(html.contains("Not applied"));
    assert!(html.contains(&orgctl_org::cost::estimate(&spec).line()));
    assert!(html.contains("data-issue=\"STALE_ENCRYPTION_HEADER_CHECK\""));
    assert!(html.contains("no <code>tests/</code>"));
    assert!(html.contains("RegionDeny statement DenyAllOutsideUsEast1 (SCP at Root) denies every request (aws:RequestedRegion is us-west-2)"));
    assert_eq!(
        occurrences(html, "<tr class=\"property holds\""),
        5,
        "{html}"
    );
    // Self-contained: nothing to fetch, no script.
    for needle in ["http://", "https://", "<script", "<link", "<img", "@import"] {
        assert!(!html.contains(needle), "the page holds `{needle}`");
    }
    assert_eq!(occurrences(html, "url("), occurrences(html, "url(#"));
    // The same inputs give the same page.
    assert_eq!(render(&input(&spec, &prove)).unwrap().html, *html);
}

#[test]
fn names_from_the_spec_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.hcl"),
        r#"
organization "acme<marquee>" {
  management_account_id = "123456789012"
  home_region           = "eu-west-1"
}

unit "team" {
  name = "Team <script>alert(1)</script>"
}

account "management" {
  name  = "Management"
  email = "root@acme.example"
  id    = "123456789012"
}

account "quote" {
  name  = "O'Brien & \"Co\""
  email = "quote@acme.example"
  unit  = unit.team
  tags  = { "x<y" = "a&b" }
}

policy "deny" {
  type        = "scp"
  name        = "Deny<img>"
  description = "denies"
  file        = "policies/deny.json"
  attach      = [unit.team]
}
"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/deny.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"No<Ec2>","Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let spec = load(dir.path());
    let prove = ProveOptions {
        actions: vec!["ec2:RunInstances".to_owned(), "s3:GetObject".to_owned()],
        ..ProveOptions::default()
    };
    let report = render(&input(&spec, &prove)).unwrap();
    let html = &report.html;
    for raw in [
        "<script>",
        "<marquee>",
        "<img>",
        "<Ec2>",
        "x<y",
        "a&b",
        "O'Brien",
        "\"Co\"",
    ] {
        assert!(!html.contains(raw), "`{raw}` is not escaped");
    }
    assert!(html.contains("Team &lt;script&gt;alert(1)&lt;/script&gt; OU"));
    assert!(html.contains("O&#39;Brien &amp; &quot;Co&quot;"));
    assert!(html.contains("<title>acme&lt;marquee&gt; — orgctl report</title>"));
    assert!(html.contains("data-scps=\"Deny&lt;img&gt;,FullAWSAccess\""));
    assert!(html.contains("Deny&lt;img&gt; statement No&lt;Ec2&gt;"));
    assert_eq!(report.summary.accounts, 2);
    assert_eq!(report.summary.units, 1);
}
