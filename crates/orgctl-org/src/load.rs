//! Loading a spec directory: every `*.hcl` file at its top level, then the policy documents
//! the spec names. Problems are collected, never thrown: one run reports them all.

use std::path::{Path, PathBuf};

use hcl_edit::structure::{Block, Structure};

use crate::diag::{Diagnostic, Diagnostics, FileId, Loc};
use crate::hcl::{BodyReader, label_span};
use crate::spec::{
    AccountSpec, AggregatorSpec, DelegatedAdminSpec, Locking, OrganizationSpec, PolicySpec, Spec,
    Target, TrailSpec, UnitSpec,
};
use crate::state::{Encryption, PolicyKind};

/// A spec directory that could not be read at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// The directory or a file in it could not be read.
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(orgctl::io), help("check the path and its permissions"))]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory holds no `.hcl` file.
    #[error("no `.hcl` file in `{0}`")]
    #[diagnostic(
        code(orgctl::no_spec),
        help("point orgctl at a spec directory (see examples/docustack and docs/spec.md)")
    )]
    NoSpec(PathBuf),
}

/// Reads the spec in `dir`. Syntax and shape problems come back as diagnostics beside the
/// spec; only an unreadable directory is an error.
///
/// # Errors
/// When `dir` cannot be listed or holds no `.hcl` file.
pub fn load_dir(dir: &Path) -> Result<(Spec, Diagnostics), LoadError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(LoadError::NoSpec(dir.to_path_buf()));
    }
    let mut texts = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        texts.push((path, text));
    }
    let (mut spec, mut diags) = load_texts(dir, texts);
    read_policy_files(&mut spec, &mut diags);
    Ok((spec, diags))
}

/// Reads a spec from HCL texts already in memory (the policy files are not read).
pub fn load_texts(dir: &Path, texts: Vec<(PathBuf, String)>) -> (Spec, Diagnostics) {
    let mut spec = Spec {
        dir: dir.to_path_buf(),
        ..Spec::default()
    };
    let mut diags = Diagnostics::default();
    let mut seen_org: Option<Loc> = None;
    let mut seen_singletons: Vec<(String, Loc)> = Vec::new();
    let mut bodies = Vec::new();
    for (path, text) in texts {
        let id = spec.sources.add(path, text);
        let Some(file) = spec.sources.get(id) else {
            continue;
        };
        match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => bodies.push((id, body)),
            Err(e) => {
                let at = e.location().offset();
                diags.push(
                    Diagnostic::error("hcl-syntax", Loc::new(id, at..at), e.message().to_owned())
                        .with_help("fix the HCL syntax here; docs/spec.md has a complete example"),
                );
            }
        }
    }
    for (id, body) in &bodies {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let span = hcl_edit::Span::span(&a.key).unwrap_or(0..0);
                    diags.push(
                        Diagnostic::error(
                            "unknown-element",
                            Loc::new(*id, span),
                            format!("unexpected top-level attribute `{}`", a.key.as_str()),
                        )
                        .with_help("a spec has blocks only: organization, unit, account, policy, baseline, bootstrap, quotas, property"),
                    );
                }
                Structure::Block(block) => {
                    let loc = Loc::new(*id, label_span(block));
                    let ident = block.ident.as_str();
                    match ident {
                        "organization" | "baseline" | "bootstrap" | "quotas" => {
                            if let Some((_, first)) =
                                seen_singletons.iter().find(|(name, _)| name == ident)
                            {
                                diags.push(
                                    Diagnostic::error(
                                        "duplicate-block",
                                        loc.clone(),
                                        format!("a second `{ident}` block"),
                                    )
                                    .with_help("merge the two blocks into one")
                                    .with_related(first.clone(), "first one here"),
                                );
                                continue;
                            }
                            seen_singletons.push((ident.to_owned(), loc.clone()));
                        }
                        _ => {}
                    }
                    match ident {
                        "organization" => {
                            seen_org = Some(loc.clone());
                            read_organization(&mut spec, *id, block, loc, &mut diags);
                        }
                        "unit" => read_unit(&mut spec, *id, block, loc, &mut diags),
                        "account" => read_account(&mut spec, *id, block, loc, &mut diags),
                        "policy" => read_policy(&mut spec, *id, block, loc, &mut diags),
                        "baseline" => read_baseline(&mut spec, *id, block, loc, &mut diags),
                        "bootstrap" => read_bootstrap(&mut spec, *id, block, loc, &mut diags),
                        "quotas" => read_quotas(&mut spec, *id, block, loc, &mut diags),
                        "property" => {
                            crate::property::read(&mut spec, *id, block, loc, &mut diags);
                        }
                        other => {
                            let known = [
                                "organization",
                                "unit",
                                "account",
                                "policy",
                                "baseline",
                                "bootstrap",
                                "quotas",
                                "property",
                            ];
                            let help = orgctl_lint::closest(other, known).map_or_else(
                                || format!("known blocks: {}", known.join(", ")),
                                |c| format!("did you mean `{c}`?"),
                            );
                            diags.push(
                                Diagnostic::error(
                                    "unknown-element",
                                    Loc::new(
                                        *id,
                                        hcl_edit::Span::span(&block.ident).unwrap_or(0..0),
                                    ),
                                    format!("unknown block `{other}`"),
                                )
                                .with_help(help),
                            );
                        }
                    }
                }
            }
        }
    }
    if seen_org.is_none() && !bodies.is_empty() {
        diags.push(
            Diagnostic::error(
                "missing-organization",
                Loc::new(bodies[0].0, 0..0),
                "the spec has no `organization` block",
            )
            .with_help("add `organization \"NAME\" { management_account_id = \"...\" home_region = \"...\" }`"),
        );
    }
    add_implicit_full_access(&mut spec);
    if spec.bootstrap.region.is_empty() {
        spec.bootstrap
            .region
            .clone_from(&spec.organization.home_region);
    }
    if spec.bootstrap.bucket_prefix.is_empty() {
        spec.bootstrap
            .bucket_prefix
            .clone_from(&spec.organization.name);
    }
    (spec, diags)
}

/// The one label of a block (`account "dev"`), or an error.
fn one_label(block: &Block, loc: &Loc, diags: &mut Diagnostics) -> Option<String> {
    match block.labels.as_slice() {
        [label] => Some(label.as_str().to_owned()),
        _ => {
            diags.push(
                Diagnostic::error(
                    "block-label",
                    loc.clone(),
                    format!(
                        "a `{}` block takes one label, its key",
                        block.ident.as_str()
                    ),
                )
                .with_help(format!(
                    "write `{} \"key\" {{ ... }}`",
                    block.ident.as_str()
                )),
            );
            None
        }
    }
}

fn no_labels(block: &Block, loc: &Loc, diags: &mut Diagnostics) {
    if !block.labels.is_empty() {
        diags.push(
            Diagnostic::error(
                "block-label",
                loc.clone(),
                format!("a `{}` block takes no label", block.ident.as_str()),
            )
            .with_help(format!("write `{} {{ ... }}`", block.ident.as_str())),
        );
    }
}

fn read_organization(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    let name = one_label(block, &loc, d).unwrap_or_default();
    let mut r = BodyReader::new(
        file,
        &block.body,
        loc.clone(),
        format!("organization \"{name}\""),
    );
    let (mgmt, mgmt_loc) = r
        .required_string("management_account_id", d)
        .unwrap_or_else(|| (String::new(), loc.clone()));
    let home_region = r
        .required_string("home_region", d)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let access_role_name = r
        .string("access_role_name", d)
        .map_or_else(|| "OrganizationAccountAccessRole".to_owned(), |(v, _)| v);
    if let Some((dialect, dloc)) = r.string("scp_dialect", d) {
        match dialect.as_str() {
            "current" => {}
            "legacy" => spec.legacy_scp_dialect = true,
            other => d.push(
                Diagnostic::error(
                    "invalid-value",
                    dloc,
                    format!("unknown SCP dialect `{other}`"),
                )
                .with_help("write `current` (the language since 19 September 2025) or `legacy`"),
            ),
        }
    }
    r.finish(d);
    spec.organization = OrganizationSpec {
        name,
        management_account_id: mgmt,
        management_loc: mgmt_loc,
        home_region,
        access_role_name,
        loc,
    };
}

fn read_unit(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    let Some(key) = one_label(block, &loc, d) else {
        return;
    };
    let mut r = BodyReader::new(file, &block.body, loc.clone(), format!("unit \"{key}\""));
    let name = r
        .required_string("name", d)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let (parent, parent_loc) = r
        .target("parent", d)
        .unwrap_or_else(|| (Target::Root, loc.clone()));
    r.finish(d);
    spec.units.push(UnitSpec {
        key,
        name,
        parent,
        parent_loc,
        loc,
    });
}

fn read_account(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    let Some(key) = one_label(block, &loc, d) else {
        return;
    };
    let mut r = BodyReader::new(file, &block.body, loc.clone(), format!("account \"{key}\""));
    let name = r
        .required_string("name", d)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let (email, email_loc) = r
        .required_string("email", d)
        .unwrap_or_else(|| (String::new(), loc.clone()));
    let (id, id_loc) = match r.string("id", d) {
        Some((v, l)) => (Some(v), l),
        None => (None, loc.clone()),
    };
    let (parent, parent_loc) = r
        .target("unit", d)
        .unwrap_or_else(|| (Target::Root, loc.clone()));
    let tags = r.string_map("tags", d);
    let bootstrap = r.bool("bootstrap", d).unwrap_or(true);
    r.finish(d);
    spec.accounts.push(AccountSpec {
        key,
        name,
        email,
        email_loc,
        id,
        id_loc,
        parent,
        parent_loc,
        tags,
        bootstrap,
        loc,
    });
}

fn read_policy(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    let Some(key) = one_label(block, &loc, d) else {
        return;
    };
    let mut r = BodyReader::new(file, &block.body, loc.clone(), format!("policy \"{key}\""));
    let kind = match r.required_string("type", d) {
        Some((t, _)) if t == "scp" => PolicyKind::Scp,
        Some((t, _)) if t == "rcp" => PolicyKind::Rcp,
        Some((t, tloc)) => {
            d.push(
                Diagnostic::error("invalid-value", tloc, format!("unknown policy type `{t}`"))
                    .with_help("write `scp` or `rcp`"),
            );
            PolicyKind::Scp
        }
        None => PolicyKind::Scp,
    };
    let aws_managed = r.bool("aws_managed", d).unwrap_or(false);
    let name = match r.string("name", d) {
        Some((n, _)) => n,
        None if aws_managed => kind.default_policy().to_owned(),
        None => {
            d.push(
                Diagnostic::error(
                    "missing-attribute",
                    loc.clone(),
                    format!("policy \"{key}\" has no `name`"),
                )
                .with_help("add `name = \"...\"`: the policy's name in Organizations"),
            );
            String::new()
        }
    };
    let description = r
        .string("description", d)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let (file_path, file_loc) = match r.string("file", d) {
        Some((f, l)) => (PathBuf::from(f), l),
        None => {
            if !aws_managed {
                d.push(
                    Diagnostic::error(
                        "missing-attribute",
                        loc.clone(),
                        format!("policy \"{key}\" has no `file`"),
                    )
                    .with_help(
                        "add `file = \"policies/NAME.json\"`, relative to the spec directory",
                    ),
                );
            }
            (PathBuf::new(), loc.clone())
        }
    };
    let attach = r.targets("attach", d);
    r.finish(d);
    spec.policies.push(PolicySpec {
        key,
        name,
        kind,
        description,
        file: file_path,
        file_loc,
        document: None,
        aws_managed,
        attach,
        implicit: false,
        loc,
    });
}

fn read_baseline(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    no_labels(block, &loc, d);
    let mut r = BodyReader::new(file, &block.body, loc, "baseline".to_owned());
    for ident in ["organization_trail", "config_aggregator"] {
        let blocks: Vec<&Block> = block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == ident)
            .collect();
        if let [first, rest @ ..] = blocks.as_slice() {
            for extra in rest {
                d.push(
                    Diagnostic::error(
                        "duplicate-block",
                        Loc::new(file, label_span(extra)),
                        format!("a second `{ident}` block"),
                    )
                    .with_help("an organization has one; merge the two blocks")
                    .with_related(Loc::new(file, label_span(first)), "first one here"),
                );
            }
        }
    }
    for b in r.blocks("organization_trail") {
        let bloc = Loc::new(file, label_span(b));
        let mut t = BodyReader::new(file, &b.body, bloc.clone(), "organization_trail".to_owned());
        let name = t
            .required_string("name", d)
            .map(|(v, _)| v)
            .unwrap_or_default();
        let bucket = t
            .required_string("bucket", d)
            .map(|(v, _)| v)
            .unwrap_or_default();
        let (account, account_loc) = t
            .target("bucket_account", d)
            .unwrap_or_else(|| (Target::Root, bloc.clone()));
        t.finish(d);
        spec.baseline.trail = Some(TrailSpec {
            name,
            bucket,
            bucket_account: account,
            bucket_account_loc: account_loc,
            loc: bloc,
        });
    }
    for b in r.blocks("config_aggregator") {
        let bloc = Loc::new(file, label_span(b));
        let mut t = BodyReader::new(file, &b.body, bloc.clone(), "config_aggregator".to_owned());
        let name = t
            .required_string("name", d)
            .map(|(v, _)| v)
            .unwrap_or_default();
        t.finish(d);
        spec.baseline.aggregator = Some(AggregatorSpec { name, loc: bloc });
    }
    for b in r.blocks("delegated_admin") {
        let bloc = Loc::new(file, label_span(b));
        let mut t = BodyReader::new(file, &b.body, bloc.clone(), "delegated_admin".to_owned());
        let (account, account_loc) = t.target("account", d).unwrap_or_else(|| {
            d.push(
                Diagnostic::error(
                    "missing-attribute",
                    bloc.clone(),
                    "delegated_admin has no `account`",
                )
                .with_help("add `account = account.KEY`"),
            );
            (Target::Root, bloc.clone())
        });
        let services = t
            .strings("services", d)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        t.finish(d);
        spec.baseline.delegated_admins.push(DelegatedAdminSpec {
            account,
            account_loc,
            services,
            loc: bloc,
        });
    }
    r.finish(d);
}

fn read_bootstrap(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    no_labels(block, &loc, d);
    let mut r = BodyReader::new(file, &block.body, loc.clone(), "bootstrap".to_owned());
    let b = &mut spec.bootstrap;
    b.loc = loc;
    if let Some((v, _)) = r.string("bucket_prefix", d) {
        b.bucket_prefix = v;
    }
    if let Some((v, _)) = r.string("lock_table", d) {
        b.lock_table = v;
    }
    if let Some((v, l)) = r.string("locking", d) {
        match v.as_str() {
            "dynamodb" => b.locking = Locking::Dynamodb,
            "lockfile" => b.locking = Locking::Lockfile,
            "both" => b.locking = Locking::Both,
            other => d.push(
                Diagnostic::error("invalid-value", l, format!("unknown locking `{other}`"))
                    .with_help("write `dynamodb`, `lockfile` (S3 native locking) or `both`"),
            ),
        }
    }
    if let Some((v, l)) = r.string("encryption", d) {
        match v.as_str() {
            "aws:kms" => b.encryption = Encryption::Kms,
            "AES256" => b.encryption = Encryption::Aes256,
            other => d.push(
                Diagnostic::error("invalid-value", l, format!("unknown encryption `{other}`"))
                    .with_help("write `aws:kms` or `AES256`"),
            ),
        }
    }
    if let Some((v, _)) = r.string("region", d) {
        b.region = v;
    }
    if let Some(v) = r.u32("noncurrent_version_days", d) {
        b.noncurrent_days = v;
    }
    if let Some((v, l)) = r.string("bucket_namespace", d) {
        match v.as_str() {
            "global" => b.account_regional_namespace = false,
            "account-regional" => b.account_regional_namespace = true,
            other => d.push(
                Diagnostic::error("invalid-value", l, format!("unknown bucket namespace `{other}`"))
                    .with_help("write `global` (the default) or `account-regional` (names only the account can create)"),
            ),
        }
    }
    if let Some((v, _)) = r.string("live_dir", d) {
        b.live_dir = PathBuf::from(v);
    }
    if let Some(v) = r.f64("bucket_monthly_usd", d) {
        b.bucket_monthly_usd = v;
    }
    if let Some(v) = r.f64("table_monthly_usd", d) {
        b.table_monthly_usd = v;
    }
    r.finish(d);
}

fn read_quotas(spec: &mut Spec, file: FileId, block: &Block, loc: Loc, d: &mut Diagnostics) {
    no_labels(block, &loc, d);
    let mut r = BodyReader::new(file, &block.body, loc, "quotas".to_owned());
    let q = &mut spec.quotas;
    if let Some(v) = r.u32("policies_per_target", d) {
        q.policies_per_target = v;
    }
    if let Some(v) = r.u32("policy_size", d) {
        q.policy_size = v;
    }
    if let Some(v) = r.u32("ou_depth", d) {
        q.ou_depth = v;
    }
    if let Some(v) = r.u32("accounts", d) {
        q.accounts = v;
    }
    r.finish(d);
}

/// Reads each policy's JSON file into the spec's sources.
fn read_policy_files(spec: &mut Spec, diags: &mut Diagnostics) {
    for i in 0..spec.policies.len() {
        let (path, loc) = {
            let p = &spec.policies[i];
            if p.aws_managed {
                continue;
            }
            if p.file.as_os_str().is_empty() {
                continue;
            }
            (spec.dir.join(&p.file), p.file_loc.clone())
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let id = spec.sources.add(path, text.clone());
                spec.policies[i].document = Some((id, text));
            }
            Err(e) => diags.push(
                Diagnostic::error(
                    "policy-file",
                    loc,
                    format!("cannot read policy file `{}`: {e}", path.display()),
                )
                .with_help("the path is relative to the spec directory"),
            ),
        }
    }
}

/// For each policy type the spec uses without declaring its AWS-managed full-access policy,
/// adds that policy attached everywhere, as Organizations keeps it: the spec then manages
/// only what it names, and no plan ever detaches the default.
fn add_implicit_full_access(spec: &mut Spec) {
    for kind in [PolicyKind::Scp, PolicyKind::Rcp] {
        let used = spec.policies.iter().any(|p| p.kind == kind);
        let declared = spec
            .policies
            .iter()
            .any(|p| p.kind == kind && p.aws_managed);
        if used && !declared {
            let loc = spec.organization.loc.clone();
            spec.policies.push(PolicySpec {
                key: kind.default_policy().to_owned(),
                name: kind.default_policy().to_owned(),
                kind,
                description: String::new(),
                file: PathBuf::new(),
                file_loc: loc.clone(),
                document: None,
                aws_managed: true,
                attach: vec![(Target::Everywhere, loc.clone())],
                implicit: true,
                loc,
            });
        }
    }
}
