//! One request from flags: load the policy files, decide, explain.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context as _, anyhow};
use orgctl_eval::{CompiledPolicy, Context, ContextValue, Layer, PolicySet, Reason, Request};

use crate::cli::{Format, Level, SimulateArgs};
use crate::error::CliError;
use crate::policy_file::{self, LoadError, PolicyFile};
use crate::printer::Printer;
use crate::render;

pub fn run(args: &SimulateArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let action = args
        .action
        .as_deref()
        .ok_or_else(|| anyhow!("--action is required"))?;

    let mut loader = Loader::default();
    // Loaded (and reported) from the root of the organization down to the request.
    let files = Layers {
        scps: (!args.scps.is_empty()).then(|| loader.levels(&args.scps)),
        rcps: loader.levels(&args.rcps),
        identity: loader.list(&args.identity),
        resource: loader.optional(args.resource_policy.as_deref()),
        boundary: loader.optional(args.permissions_boundary.as_deref()),
        session: loader.optional(args.session_policy.as_deref()),
    };
    if !loader.errors.is_empty() {
        return Err(CliError::Policies(loader.errors));
    }
    let set = files.policy_set();

    let request = Request::new(
        &args.principal,
        action,
        &args.resource,
        args.resource_account.as_deref(),
        context(&args.context, args.region.as_deref()),
    );
    let decision = set.decide(&request);

    let text = match args.format {
        Format::Human => render::decision::human(&decision, &set, &request, &|reason| {
            files
                .file(reason)
                .and_then(|f| f.statement_location(reason.statement?))
        }),
        Format::Json => {
            let line = orgctl_eval::batch::decision_line(&serde_json::Value::Null, &decision, &set);
            let value: serde_json::Value =
                serde_json::from_str(&line).context("reading back the decision line")?;
            let mut pretty = serde_json::to_string_pretty(&value).context("writing JSON")?;
            pretty.push('\n');
            pretty
        }
    };
    let mut out = printer.stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// `--context` pairs as a request context: a key given more than once (in any case) is
/// multivalued, in the order given. `--region` sets `aws:RequestedRegion` unless a pair does.
pub(super) fn context(pairs: &[(String, String)], region: Option<&str>) -> Context {
    let mut keys: Vec<(&str, Vec<String>)> = Vec::new();
    for (key, value) in pairs {
        match keys.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some((_, values)) => values.push(value.clone()),
            None => keys.push((key, vec![value.clone()])),
        }
    }
    let mut ctx = Context::new();
    for (key, mut values) in keys {
        let value = match values.len() {
            1 => ContextValue::Single(values.remove(0)),
            _ => ContextValue::Multi(values),
        };
        ctx.insert(key, value);
    }
    if let Some(region) = region {
        ctx.insert_default("aws:RequestedRegion", || {
            ContextValue::Single(region.to_owned())
        });
    }
    ctx
}

/// Loads each file once, collecting every failure.
#[derive(Default)]
pub(super) struct Loader {
    seen: HashMap<PathBuf, Option<Rc<PolicyFile>>>,
    pub(super) errors: Vec<LoadError>,
}

impl Loader {
    fn load(&mut self, path: &Path) -> Option<Rc<PolicyFile>> {
        if let Some(done) = self.seen.get(path) {
            return done.clone();
        }
        let file = match policy_file::load(path) {
            Ok(f) => Some(Rc::new(f)),
            Err(e) => {
                self.errors.push(e);
                None
            }
        };
        self.seen.insert(path.to_owned(), file.clone());
        file
    }

    pub(super) fn list(&mut self, paths: &[PathBuf]) -> Vec<Rc<PolicyFile>> {
        paths.iter().filter_map(|p| self.load(p)).collect()
    }

    fn levels(&mut self, levels: &[Level]) -> Vec<Vec<Rc<PolicyFile>>> {
        levels.iter().map(|l| self.list(&l.0)).collect()
    }

    fn optional(&mut self, path: Option<&Path>) -> Option<Rc<PolicyFile>> {
        path.and_then(|p| self.load(p))
    }
}

/// The policy files by layer, shaped like [`PolicySet`] so a [`Reason`] finds its file.
struct Layers {
    identity: Vec<Rc<PolicyFile>>,
    scps: Option<Vec<Vec<Rc<PolicyFile>>>>,
    rcps: Vec<Vec<Rc<PolicyFile>>>,
    resource: Option<Rc<PolicyFile>>,
    boundary: Option<Rc<PolicyFile>>,
    session: Option<Rc<PolicyFile>>,
}

impl Layers {
    fn policy_set(&self) -> PolicySet {
        let compiled = |f: &Rc<PolicyFile>| -> CompiledPolicy { f.compiled.clone() };
        let list = |l: &[Rc<PolicyFile>]| l.iter().map(compiled).collect::<Vec<_>>();
        PolicySet {
            identity: list(&self.identity),
            scps: self
                .scps
                .as_ref()
                .map(|levels| levels.iter().map(|l| list(l)).collect()),
            rcps: self.rcps.iter().map(|l| list(l)).collect(),
            resource: self.resource.as_ref().map(compiled),
            boundary: self.boundary.as_ref().map(compiled),
            session: self.session.as_ref().map(compiled),
        }
    }

    /// The file a reason points at (the same indexing as [`PolicySet::policy`]).
    fn file(&self, reason: &Reason) -> Option<&PolicyFile> {
        let index = usize::try_from(reason.policy?).ok()?;
        let level = usize::from(reason.level);
        let file = match reason.layer {
            Layer::Scp => self.scps.as_ref()?.get(level)?.get(index),
            Layer::Rcp => self.rcps.get(level)?.get(index),
            Layer::Identity => self.identity.get(index),
            Layer::Resource => self.resource.as_ref(),
            Layer::Boundary => self.boundary.as_ref(),
            Layer::Session => self.session.as_ref(),
        };
        file.map(AsRef::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_multivalued() {
        let pairs = [
            ("aws:TagKeys".to_owned(), "a".to_owned()),
            ("aws:RequestedRegion".to_owned(), "us-east-1".to_owned()),
            ("AWS:tagkeys".to_owned(), "b".to_owned()),
            ("empty".to_owned(), String::new()),
        ];
        let ctx = context(&pairs, None);
        assert_eq!(
            ctx.get("aws:tagkeys"),
            Some(&ContextValue::Multi(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            ctx.get("aws:requestedregion"),
            Some(&ContextValue::Single("us-east-1".into()))
        );
        assert_eq!(ctx.get("empty"), Some(&ContextValue::Single(String::new())));
        // --region fills in the region, but not over a --context of the same key.
        let ctx = context(&pairs, Some("eu-west-1"));
        assert_eq!(
            ctx.get("aws:requestedregion"),
            Some(&ContextValue::Single("us-east-1".into()))
        );
        let ctx = context(&pairs[..1], Some("eu-west-1"));
        assert_eq!(
            ctx.get("AWS:RequestedRegion"),
            Some(&ContextValue::Single("eu-west-1".into()))
        );
    }
}
