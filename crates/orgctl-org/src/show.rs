//! `orgctl show`: the organization as a tree, with the policies attached at each node and
//! each member account's effective SCP chain.
//!
//! [`build`] turns a spec (and, when given, the state a backend reports, for the ids the spec
//! does not write) into an [`OrgTree`]; [`render_tree`], [`render_json`], [`render_mermaid`]
//! and [`render_dot`] turn that into text. Nothing here prints.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::spec::{AccountSpec, Spec, Target, UnitSpec};
use crate::state::{PolicyKind, State};

/// Text lines wrap, where they can, so as not to run past this many columns.
const WIDTH: usize = 100;

/// Why the management account has no SCP chain.
const MANAGEMENT_NOTE: &str = "SCPs never apply to the management account";

/// Why an account or OU outside the tree has no chain.
const UNPLACED_NOTE: &str = "not under the root: its parent is unknown or part of a cycle";

/// Why accounts have no chain when the spec has no SCPs.
const NO_SCPS_NOTE: &str = "the spec has no SCPs: none caps this account";

/// What a node of the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The organization root.
    Root,
    /// An organizational unit.
    Unit,
    /// An account.
    Account,
}

/// One level of an account's effective SCP chain: the root, an OU, or the account itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainLevel {
    /// What the level is.
    pub kind: NodeKind,
    /// Its spec key (`root` for the root).
    pub key: String,
    /// Its name (`Root` for the root).
    pub name: String,
    /// The SCPs attached there, implicit full-access policies included, in spec order.
    pub scps: Vec<String>,
}

/// A node of the tree: the root, an OU or an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgNode {
    /// What the node is.
    pub kind: NodeKind,
    /// Its spec key (`root` for the root).
    pub key: String,
    /// Its name (`Root` for the root).
    pub name: String,
    /// Its id (`r-...`, `ou-...`, 12 digits), from the spec or the state, when known.
    pub id: Option<String>,
    /// Names of the SCPs attached to it, implicit full-access policies included.
    pub scps: Vec<String>,
    /// Names of the RCPs attached to it, implicit full-access policies included.
    pub rcps: Vec<String>,
    /// Tags (accounts only).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Whether it is the management account.
    pub management: bool,
    /// For a member account: the SCPs at each level from the root down to the account, all
    /// of which must allow an action. Empty for the root, OUs and the management account.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainLevel>,
    /// Why an account has no chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Accounts directly in it, then OUs directly in it, each in spec order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<OrgNode>,
}

/// The organization as `orgctl show` presents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgTree {
    /// The organization's name in the spec.
    pub name: String,
    /// `o-...`, from the state when given.
    pub organization_id: Option<String>,
    /// The management account's id.
    pub management_account_id: String,
    /// The organization's home region.
    pub home_region: String,
    /// The root, with every OU and account under it.
    pub root: OrgNode,
    /// OUs and accounts whose parent chain does not reach the root (an invalid spec), flat.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unplaced: Vec<OrgNode>,
}

/// Builds the tree of a spec. With `state`, ids the spec does not write are taken from it:
/// the root's from the organization, an OU's by its parent's id and its name, an account's
/// by its email (case-insensitively).
pub fn build(spec: &Spec, state: Option<&State>) -> OrgTree {
    let org = state.and_then(|s| s.organization.as_ref());
    let mut builder = Builder {
        spec,
        state,
        scps_in_use: spec.policies.iter().any(|p| p.kind == PolicyKind::Scp),
        placed_units: HashSet::new(),
        placed_accounts: HashSet::new(),
    };
    let root_id = org.map(|o| o.root_id.clone()).filter(|id| !id.is_empty());
    let scps = builder.names(&Target::Root, PolicyKind::Scp);
    let level = ChainLevel {
        kind: NodeKind::Root,
        key: "root".to_owned(),
        name: "Root".to_owned(),
        scps: scps.clone(),
    };
    let children = builder.children(&Target::Root, root_id.as_deref(), &[level]);
    let root = OrgNode {
        kind: NodeKind::Root,
        key: "root".to_owned(),
        name: "Root".to_owned(),
        id: root_id,
        scps,
        rcps: builder.names(&Target::Root, PolicyKind::Rcp),
        tags: BTreeMap::new(),
        management: false,
        chain: Vec::new(),
        note: None,
        children,
    };
    let unplaced = builder.unplaced();
    OrgTree {
        name: spec.organization.name.clone(),
        organization_id: org.map(|o| o.id.clone()).filter(|id| !id.is_empty()),
        management_account_id: spec.organization.management_account_id.clone(),
        home_region: spec.organization.home_region.clone(),
        root,
        unplaced,
    }
}

/// Walks the spec from the root down, remembering what it placed.
struct Builder<'a> {
    spec: &'a Spec,
    state: Option<&'a State>,
    scps_in_use: bool,
    placed_units: HashSet<usize>,
    placed_accounts: HashSet<usize>,
}

impl Builder<'_> {
    /// The names of the policies of a type attached to a target.
    fn names(&self, target: &Target, kind: PolicyKind) -> Vec<String> {
        self.spec
            .effective_policies(target, kind)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// The nodes directly under `parent`: accounts, then OUs. `path` is the chain down to
    /// and including `parent`.
    fn children(
        &mut self,
        parent: &Target,
        parent_id: Option<&str>,
        path: &[ChainLevel],
    ) -> Vec<OrgNode> {
        let spec = self.spec;
        let mut nodes = Vec::new();
        for (i, account) in spec.accounts.iter().enumerate() {
            if account.parent == *parent && self.placed_accounts.insert(i) {
                nodes.push(self.account(account, Some(path)));
            }
        }
        for (i, unit) in spec.units.iter().enumerate() {
            // Each unit is expanded once, so duplicate keys cannot make the walk loop.
            if unit.parent == *parent && self.placed_units.insert(i) {
                let target = Target::Unit(unit.key.clone());
                let id = self.unit_id(unit, parent_id);
                let scps = self.names(&target, PolicyKind::Scp);
                let mut below = path.to_vec();
                below.push(ChainLevel {
                    kind: NodeKind::Unit,
                    key: unit.key.clone(),
                    name: unit.name.clone(),
                    scps: scps.clone(),
                });
                let children = self.children(&target, id.as_deref(), &below);
                nodes.push(OrgNode {
                    kind: NodeKind::Unit,
                    key: unit.key.clone(),
                    name: unit.name.clone(),
                    id,
                    scps,
                    rcps: self.names(&target, PolicyKind::Rcp),
                    tags: BTreeMap::new(),
                    management: false,
                    chain: Vec::new(),
                    note: None,
                    children,
                });
            }
        }
        nodes
    }

    /// An account's node; `path` is the chain down to its parent, `None` when unplaced.
    fn account(&self, account: &AccountSpec, path: Option<&[ChainLevel]>) -> OrgNode {
        let target = Target::Account(account.key.clone());
        let id = self.account_id(account);
        let management_id = self.spec.organization.management_account_id.as_str();
        let management =
            !management_id.is_empty() && id.as_deref().is_some_and(|id| id == management_id);
        let scps = self.names(&target, PolicyKind::Scp);
        let (chain, note) = match path {
            None => (Vec::new(), Some(UNPLACED_NOTE)),
            Some(_) if management => (Vec::new(), Some(MANAGEMENT_NOTE)),
            Some(_) if !self.scps_in_use => (Vec::new(), Some(NO_SCPS_NOTE)),
            Some(path) => {
                let mut chain = path.to_vec();
                chain.push(ChainLevel {
                    kind: NodeKind::Account,
                    key: account.key.clone(),
                    name: account.name.clone(),
                    scps: scps.clone(),
                });
                (chain, None)
            }
        };
        OrgNode {
            kind: NodeKind::Account,
            key: account.key.clone(),
            name: account.name.clone(),
            id,
            scps,
            rcps: self.names(&target, PolicyKind::Rcp),
            tags: account.tags.clone(),
            management,
            chain,
            note: note.map(str::to_owned),
            children: Vec::new(),
        }
    }

    /// The spec's id, or the state's account with the same email.
    fn account_id(&self, account: &AccountSpec) -> Option<String> {
        if let Some(id) = account.id.as_deref().filter(|id| !id.is_empty()) {
            return Some(id.to_owned());
        }
        if account.email.is_empty() {
            return None;
        }
        self.state?
            .accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(&account.email))
            .map(|a| a.id.clone())
    }

    /// The state's OU with this name under the parent's id.
    fn unit_id(&self, unit: &UnitSpec, parent_id: Option<&str>) -> Option<String> {
        let parent_id = parent_id?;
        self.state?
            .units
            .iter()
            .find(|u| u.parent_id == parent_id && u.name == unit.name)
            .map(|u| u.id.clone())
    }

    /// Every OU and account the walk from the root did not reach, as leaves.
    fn unplaced(&self) -> Vec<OrgNode> {
        let mut nodes = Vec::new();
        for (i, unit) in self.spec.units.iter().enumerate() {
            if !self.placed_units.contains(&i) {
                let target = Target::Unit(unit.key.clone());
                nodes.push(OrgNode {
                    kind: NodeKind::Unit,
                    key: unit.key.clone(),
                    name: unit.name.clone(),
                    id: None,
                    scps: self.names(&target, PolicyKind::Scp),
                    rcps: self.names(&target, PolicyKind::Rcp),
                    tags: BTreeMap::new(),
                    management: false,
                    chain: Vec::new(),
                    note: Some(UNPLACED_NOTE.to_owned()),
                    children: Vec::new(),
                });
            }
        }
        for (i, account) in self.spec.accounts.iter().enumerate() {
            if !self.placed_accounts.contains(&i) {
                nodes.push(self.account(account, None));
            }
        }
        nodes
    }
}

/// The characters a text tree is drawn with.
struct Glyphs {
    /// Connector of a node with siblings after it.
    tee: &'static str,
    /// Connector of a last node.
    elbow: &'static str,
    /// Prefix below a node with siblings after it.
    bar: &'static str,
    /// Prefix below a last node.
    blank: &'static str,
    /// The vertical line alone.
    vertical: char,
}

const UNICODE: Glyphs = Glyphs {
    tee: "├── ",
    elbow: "└── ",
    bar: "│   ",
    blank: "    ",
    vertical: '│',
};

const ASCII: Glyphs = Glyphs {
    tee: "|-- ",
    elbow: "`-- ",
    bar: "|   ",
    blank: "    ",
    vertical: '|',
};

/// Renders the tree as text: one line per node with its kind, name, id when known and SCPs,
/// and under each member account its SCP chain from the root. Box-drawing characters when
/// `unicode`, ASCII otherwise; long lines wrap at about 100 columns; no colour.
pub fn render_tree(tree: &OrgTree, unicode: bool) -> String {
    let g = if unicode { &UNICODE } else { &ASCII };
    let mut lines = vec![header(tree)];
    render_node(&tree.root, "", "", g, &mut lines);
    if !tree.unplaced.is_empty() {
        lines.push(String::new());
        lines.push(format!("{UNPLACED_NOTE}:"));
        render_children(&tree.unplaced, "", g, &mut lines);
    }
    let mut out = String::new();
    for line in &lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The first line: the organization itself.
fn header(tree: &OrgTree) -> String {
    let mut line = format!("organization {}", tree.name);
    if let Some(id) = &tree.organization_id {
        line.push_str(&format!(" ({id})"));
    }
    if !tree.management_account_id.is_empty() {
        line.push_str(&format!(
            "  management account {}",
            tree.management_account_id
        ));
    }
    if !tree.home_region.is_empty() {
        line.push_str(&format!("  home region {}", tree.home_region));
    }
    line
}

fn render_children(nodes: &[OrgNode], prefix: &str, g: &Glyphs, lines: &mut Vec<String>) {
    for (i, node) in nodes.iter().enumerate() {
        let last = i + 1 == nodes.len();
        let first = format!("{prefix}{}", if last { g.elbow } else { g.tee });
        let rest = format!("{prefix}{}", if last { g.blank } else { g.bar });
        render_node(node, &first, &rest, g, lines);
    }
}

/// One node: `first` prefixes its own line, `rest` every line below it.
fn render_node(node: &OrgNode, first: &str, rest: &str, g: &Glyphs, lines: &mut Vec<String>) {
    let has_children = !node.children.is_empty();
    // Lines about the node itself sit where its children's connectors do, or aligned with
    // its title when it has none.
    let body = if has_children {
        format!("{rest}{}", g.bar)
    } else {
        rest.to_owned()
    };
    let title = format!("{first}{}", node_title(node));
    if node.management {
        lines.push(format!("{title}  {MANAGEMENT_NOTE}"));
        if !node.scps.is_empty() {
            list(lines, format!("{body}attached SCPs: "), &body, &node.scps);
        }
    } else if node.scps.is_empty() {
        lines.push(format!("{title}  SCPs: none"));
    } else {
        // Continuation lines keep the vertical line down to the children, if any.
        let mut indent = rest.to_owned();
        if has_children {
            indent.push(g.vertical);
        }
        list(lines, format!("{title}  SCPs: "), &indent, &node.scps);
    }
    if !node.rcps.is_empty() {
        list(lines, format!("{body}RCPs: "), &body, &node.rcps);
    }
    if !node.chain.is_empty() {
        let levels: Vec<String> = node
            .chain
            .iter()
            .map(|l| format!("{} [{}]", l.name, l.scps.join(", ")))
            .collect();
        let one_line = format!("{body}chain: {}", levels.join(" > "));
        if width(&one_line) <= WIDTH {
            lines.push(one_line);
        } else {
            // Too long for one line: one level a line, each under the one above.
            for (i, level) in levels.iter().enumerate() {
                lines.push(if i == 0 {
                    format!("{body}chain: {level}")
                } else {
                    format!("{body}       > {level}")
                });
            }
        }
    } else if let Some(note) = node.note.as_deref().filter(|_| !node.management) {
        lines.push(format!("{body}note: {note}"));
    }
    render_children(&node.children, rest, g, lines);
}

/// `OU Security (ou-...)`.
fn node_title(node: &OrgNode) -> String {
    let mut title = match node.kind {
        NodeKind::Root => node.name.clone(),
        NodeKind::Unit => format!("OU {}", node.name),
        NodeKind::Account => format!("account {}", node.name),
    };
    if let Some(id) = &node.id {
        title.push_str(&format!(" ({id})"));
    }
    title
}

/// Columns a line takes (one per character: the box-drawing set is single-width).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Pushes `head` followed by `items` joined with `, `, greedily wrapped at [`WIDTH`];
/// continuation lines start with `prefix` padded to align with the first item.
fn list(lines: &mut Vec<String>, head: String, prefix: &str, items: &[String]) {
    let mut indent = prefix.to_owned();
    while width(&indent) < width(&head) {
        indent.push(' ');
    }
    let mut line = head;
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            line.push_str(item);
        } else if width(&line) + 2 + width(item) > WIDTH {
            line.push(',');
            lines.push(std::mem::replace(&mut line, format!("{indent}{item}")));
        } else {
            line.push_str(", ");
            line.push_str(item);
        }
    }
    lines.push(line);
}

/// Renders the tree as pretty-printed JSON.
pub fn render_json(tree: &OrgTree) -> String {
    let mut text = serde_json::to_string_pretty(tree).unwrap_or_default();
    text.push('\n');
    text
}

/// The lines of a node's label in a diagram: title, then SCPs, then RCPs when any.
fn label_lines(tree: &OrgTree, node: &OrgNode) -> Vec<String> {
    let title = match node.kind {
        NodeKind::Root => format!("Organization {}", tree.name),
        NodeKind::Unit => format!("OU {}", node.name),
        NodeKind::Account => node.name.clone(),
    };
    let title = match &node.id {
        Some(id) => format!("{title} ({id})"),
        None => title,
    };
    let scps = if node.management {
        "SCPs never apply (management account)".to_owned()
    } else if node.scps.is_empty() {
        "SCPs: none".to_owned()
    } else {
        format!("SCPs: {}", node.scps.join(", "))
    };
    let mut lines = vec![title, scps];
    if !node.rcps.is_empty() {
        lines.push(format!("RCPs: {}", node.rcps.join(", ")));
    }
    lines
}

/// Diagram node ids, derived from spec keys and unique.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    fn of(&mut self, node: &OrgNode) -> String {
        let base = match node.kind {
            NodeKind::Root => "org".to_owned(),
            NodeKind::Unit => format!("unit_{}", safe(&node.key)),
            NodeKind::Account => format!("account_{}", safe(&node.key)),
        };
        let mut id = base.clone();
        let mut n = 2usize;
        while !self.used.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }
}

/// A key with everything but ASCII letters, digits and `_` replaced by `_`.
fn safe(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Renders the tree as a Mermaid `flowchart TD`: the organization (its root), OUs as boxes
/// and accounts as rounded boxes, each label with its SCPs on a second line.
pub fn render_mermaid(tree: &OrgTree) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut ids = Ids::default();
    let mut management = Vec::new();
    mermaid_node(tree, &tree.root, None, &mut ids, &mut management, &mut out);
    for node in &tree.unplaced {
        mermaid_node(tree, node, None, &mut ids, &mut management, &mut out);
    }
    if !management.is_empty() {
        out.push_str("    classDef management stroke-width:3px,stroke-dasharray:5 5\n");
        for id in management {
            out.push_str(&format!("    class {id} management\n"));
        }
    }
    out
}

fn mermaid_node(
    tree: &OrgTree,
    node: &OrgNode,
    parent: Option<&str>,
    ids: &mut Ids,
    management: &mut Vec<String>,
    out: &mut String,
) {
    let id = ids.of(node);
    let label = label_lines(tree, node)
        .iter()
        .map(|l| mermaid_escape(l))
        .collect::<Vec<_>>()
        .join("<br/>");
    let (open, close) = match node.kind {
        NodeKind::Root | NodeKind::Unit => ("[", "]"),
        NodeKind::Account => ("(", ")"),
    };
    out.push_str(&format!("    {id}{open}\"{label}\"{close}\n"));
    if let Some(parent) = parent {
        out.push_str(&format!("    {parent} --> {id}\n"));
    }
    if node.management {
        management.push(id.clone());
    }
    for child in &node.children {
        mermaid_node(tree, child, Some(&id), ids, management, out);
    }
}

/// Label text safe inside a quoted Mermaid label (entity codes for markup characters).
fn mermaid_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders the tree as a Graphviz `digraph`, top to bottom: the organization (its root) and
/// OUs as boxes, accounts as ellipses (the management account doubled), labels with SCPs.
pub fn render_dot(tree: &OrgTree) -> String {
    let mut out = String::from("digraph organization {\n");
    out.push_str("    rankdir=TB;\n");
    out.push_str("    node [fontname=\"Helvetica\"];\n");
    let mut ids = Ids::default();
    dot_node(tree, &tree.root, None, &mut ids, &mut out);
    for node in &tree.unplaced {
        dot_node(tree, node, None, &mut ids, &mut out);
    }
    out.push_str("}\n");
    out
}

fn dot_node(tree: &OrgTree, node: &OrgNode, parent: Option<&str>, ids: &mut Ids, out: &mut String) {
    let id = ids.of(node);
    let label = label_lines(tree, node)
        .iter()
        .map(|l| dot_escape(l))
        .collect::<Vec<_>>()
        .join("\\n");
    let shape = match node.kind {
        NodeKind::Root => "shape=box, style=bold",
        NodeKind::Unit => "shape=box",
        NodeKind::Account if node.management => "shape=ellipse, peripheries=2",
        NodeKind::Account => "shape=ellipse",
    };
    out.push_str(&format!("    {id} [{shape}, label=\"{label}\"];\n"));
    if let Some(parent) = parent {
        out.push_str(&format!("    {parent} -> {id};\n"));
    }
    for child in &node.children {
        dot_node(tree, child, Some(&id), ids, out);
    }
}

/// Text safe inside a quoted DOT string.
fn dot_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use std::path::{Path, PathBuf};

    use super::*;
    use crate::diag::Severity;
    use crate::state::{AccountState, AccountStatus, OrgState, UnitState};

    fn docustack() -> Spec {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
        let (spec, diags) = crate::load_dir(&dir).unwrap();
        let errors: Vec<&str> = diags
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        spec
    }

    fn find<'t>(node: &'t OrgNode, key: &str) -> Option<&'t OrgNode> {
        if node.key == key {
            return Some(node);
        }
        node.children.iter().find_map(|c| find(c, key))
    }

    fn assert_clean(text: &str) {
        for line in text.lines() {
            assert_eq!(line, line.trim_end(), "trailing whitespace: {line:?}");
        }
    }

    #[test]
    fn tree_unicode() {
        let text = render_tree(&build(&docustack(), None), true);
        assert_clean(&text);
        assert!(text.lines().all(|l| width(l) <= WIDTH), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn tree_ascii() {
        let text = render_tree(&build(&docustack(), None), false);
        assert_clean(&text);
        assert!(text.is_ascii());
        insta::assert_snapshot!(text);
    }

    #[test]
    fn json() {
        insta::assert_snapshot!(render_json(&build(&docustack(), None)));
    }

    #[test]
    fn mermaid() {
        let text = render_mermaid(&build(&docustack(), None));
        assert_clean(&text);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn dot() {
        let text = render_dot(&build(&docustack(), None));
        assert_clean(&text);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn management_has_no_chain_and_members_start_at_root() {
        let spec = docustack();
        let tree = build(&spec, None);
        let management = find(&tree.root, "management").unwrap();
        assert!(management.management);
        assert!(management.chain.is_empty());
        assert_eq!(management.note.as_deref(), Some(MANAGEMENT_NOTE));
        for account in spec.accounts.iter().filter(|a| a.key != "management") {
            let node = find(&tree.root, &account.key).unwrap();
            assert!(!node.management);
            let first = node.chain.first().unwrap();
            assert_eq!(first.kind, NodeKind::Root);
            assert_eq!(
                first.scps,
                ["FullAWSAccess", "RegionDeny", "ProtectCloudTrail"]
            );
            let last = node.chain.last().unwrap();
            assert_eq!(last.key, account.key);
            assert_eq!(last.scps, ["FullAWSAccess"]);
        }
        let log_archive = find(&tree.root, "log_archive").unwrap();
        let names: Vec<&str> = log_archive.chain.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Root", "Security", "Log Archive"]);
        assert_eq!(
            log_archive.chain.get(1).unwrap().scps,
            ["FullAWSAccess", "ProtectLogArchive"]
        );
        assert!(tree.unplaced.is_empty());
    }

    #[test]
    fn ids_come_from_the_state() {
        let spec = docustack();
        let account = |id: &str, email: &str, parent: &str| AccountState {
            id: id.into(),
            name: id.into(),
            email: email.into(),
            parent_id: parent.into(),
            status: AccountStatus::Active,
            tags: BTreeMap::new(),
        };
        let unit = |id: &str, name: &str, parent: &str| UnitState {
            id: id.into(),
            name: name.into(),
            parent_id: parent.into(),
        };
        let state = State {
            organization: Some(OrgState {
                id: "o-docu1234".into(),
                management_account_id: "348665872333".into(),
                root_id: "r-ab12".into(),
                enabled_policy_types: vec![PolicyKind::Scp],
            }),
            units: vec![
                unit("ou-ab12-sec00001", "Security", "r-ab12"),
                // Same name, wrong parent: must not be taken for the top-level Security OU.
                unit("ou-ab12-nested01", "Workloads", "ou-ab12-sec00001"),
                unit("ou-ab12-wrk00001", "Workloads", "r-ab12"),
            ],
            accounts: vec![
                account("348665872333", "aws-management@docustack.example", "r-ab12"),
                account(
                    "111111111111",
                    "AWS-Log-Archive@DocuStack.example",
                    "ou-ab12-sec00001",
                ),
                account(
                    "222222222222",
                    "aws-staging@docustack.example",
                    "ou-ab12-wrk00001",
                ),
            ],
            ..State::default()
        };
        let tree = build(&spec, Some(&state));
        assert_eq!(tree.organization_id.as_deref(), Some("o-docu1234"));
        assert_eq!(tree.root.id.as_deref(), Some("r-ab12"));
        let id = |key: &str| find(&tree.root, key).unwrap().id.clone();
        assert_eq!(id("security").as_deref(), Some("ou-ab12-sec00001"));
        assert_eq!(id("workloads").as_deref(), Some("ou-ab12-wrk00001"));
        assert_eq!(id("sandbox"), None);
        assert_eq!(id("log_archive").as_deref(), Some("111111111111"));
        assert_eq!(id("staging").as_deref(), Some("222222222222"));
        assert_eq!(id("dev").as_deref(), Some("216482851263"));
        assert_eq!(id("audit"), None);

        let text = render_tree(&tree, true);
        assert!(
            text.starts_with("organization docustack (o-docu1234)"),
            "{text}"
        );
        assert!(text.contains("\nRoot (r-ab12)  SCPs: "), "{text}");
        assert!(
            text.contains("OU Security (ou-ab12-sec00001)  SCPs: "),
            "{text}"
        );
        assert!(
            text.contains("account Log Archive (111111111111)  SCPs: "),
            "{text}"
        );
        assert!(
            text.contains("account Staging (222222222222)  SCPs: "),
            "{text}"
        );
        let mermaid = render_mermaid(&tree);
        assert!(
            mermaid.contains("OU Workloads (ou-ab12-wrk00001)"),
            "{mermaid}"
        );
        let dot = render_dot(&tree);
        assert!(dot.contains("Log Archive (111111111111)"), "{dot}");
    }

    #[test]
    fn labels_are_escaped_and_broken_parents_are_kept() {
        let hcl = r#"
organization "acme" {
  management_account_id = "123456789012"
  home_region           = "eu-west-1"
}

unit "team-a" {
  name = "Team \"A\" <core>"
}

account "lost" {
  name  = "Lost # \\ one"
  email = "lost@acme.example"
  unit  = unit.nowhere
}
"#;
        let (spec, _) = crate::load_texts(
            Path::new("/spec"),
            vec![(PathBuf::from("/spec/org.hcl"), hcl.to_owned())],
        );
        let tree = build(&spec, None);
        assert_eq!(tree.unplaced.len(), 1);
        assert_eq!(tree.unplaced.first().unwrap().key, "lost");

        let mermaid = render_mermaid(&tree);
        assert!(
            mermaid.contains("unit_team_a[\"OU Team #quot;A#quot; #lt;core#gt;<br/>SCPs: none\"]"),
            "{mermaid}"
        );
        assert!(
            mermaid.contains("account_lost(\"Lost #35; \\ one<br/>"),
            "{mermaid}"
        );
        let dot = render_dot(&tree);
        assert!(
            dot.contains("label=\"OU Team \\\"A\\\" <core>\\nSCPs: none\""),
            "{dot}"
        );
        assert!(dot.contains("Lost # \\\\ one"), "{dot}");

        let text = render_tree(&tree, false);
        assert_clean(&text);
        assert!(text.contains(UNPLACED_NOTE), "{text}");
        assert!(
            text.contains("`-- account Lost # \\ one  SCPs: none"),
            "{text}"
        );
    }
}
