//! The organization chart as inline SVG, drawn like the strategy's diagram: one box for the
//! organization holding the accounts at the root (the management account with the
//! organization's trail and Config aggregator), arrows down to one box per OU, each OU's
//! accounts stacked inside it and nested OUs side by side below them. Every box names the
//! SCPs and RCPs attached there; account boxes also name their baseline duties (trail
//! bucket, delegated administration) and tags.
//!
//! The chart's font is monospace, so a box's width follows from its longest line. Accounts
//! are `<g class="account" data-account="KEY">`, OUs `<g class="ou" data-ou="KEY">`, each
//! with a `<title>` (the browser's tooltip) saying the same in full.

use std::fmt::Write as _;

use orgctl_org::show::{NodeKind, OrgNode, OrgTree};
use orgctl_org::{Spec, Target};

use crate::html::esc;

/// Width of one character of the chart's font (monospace, 12 px), with a little room.
const CHAR: f64 = 7.4;
/// Height of one line of text.
const LINE: f64 = 16.0;
/// Padding inside a box.
const PAD: f64 = 10.0;
/// Horizontal gap between sibling boxes.
const GAP: f64 = 18.0;
/// Vertical gap between accounts stacked in an OU.
const STACK: f64 = 8.0;
/// Vertical room for the connectors between a level and the one below.
const DROP: f64 = 40.0;
/// Lists of policies wrap after about this many characters.
const WRAP: usize = 40;
/// The narrowest account box.
const MIN_ACCOUNT: f64 = 170.0;
/// Margin around the whole chart.
const MARGIN: f64 = 8.0;

/// The chart and what it drew.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The `<svg>` element.
    pub svg: String,
    /// Account boxes drawn.
    pub accounts: usize,
    /// OU boxes drawn.
    pub units: usize,
}

/// One line of text in a box, with its CSS class.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    class: &'static str,
}

impl Line {
    fn new(text: impl Into<String>, class: &'static str) -> Self {
        Self {
            text: text.into(),
            class,
        }
    }
}

/// Width and height of a box.
#[derive(Debug, Clone, Copy)]
struct Size {
    w: f64,
    h: f64,
}

/// A coordinate as written in the SVG: one decimal at most.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    format!("{r}")
}

/// `head` followed by `items` joined with `, `, wrapped after about [`WRAP`] characters;
/// continuation lines are indented to the first item.
fn wrap(head: &str, items: &[String], class: &'static str) -> Vec<Line> {
    let indent = " ".repeat(head.chars().count());
    let mut lines = Vec::new();
    let mut line = head.to_owned();
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            line.push_str(item);
        } else if line.chars().count() + 2 + item.chars().count() > WRAP {
            line.push(',');
            lines.push(Line::new(
                std::mem::replace(&mut line, format!("{indent}{item}")),
                class,
            ));
        } else {
            line.push_str(", ");
            line.push_str(item);
        }
    }
    lines.push(Line::new(line, class));
    lines
}

/// The width text lines need.
fn text_width(lines: &[Line]) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "line lengths are far below 2^52"
    )]
    let longest = lines
        .iter()
        .map(|l| l.text.chars().count())
        .max()
        .unwrap_or(0) as f64;
    longest * CHAR
}

/// The height of a box of `count` lines.
fn lines_height(count: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "line counts are small")]
    let c = count as f64;
    c * LINE + PAD + PAD / 2.0
}

/// Draws the chart of `tree`.
pub fn render(tree: &OrgTree, spec: &Spec) -> Chart {
    let drawer = Drawer { tree, spec };
    let size = drawer.org_size();
    let width = size.w + 2.0 * MARGIN;
    let height = size.h + 2.0 * MARGIN;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"org-chart\" role=\"img\" aria-labelledby=\"org-chart-title\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n<title id=\"org-chart-title\">Organization chart of {name}</title>\n",
        w = n(width),
        h = n(height),
        name = esc(&tree.name),
    );
    out.push_str(
        "<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>\n",
    );
    let mut counts = (0, 0);
    drawer.draw_org(MARGIN, MARGIN, &mut out, &mut counts);
    out.push_str("</svg>");
    Chart {
        svg: out,
        accounts: counts.0,
        units: counts.1,
    }
}

struct Drawer<'a> {
    tree: &'a OrgTree,
    spec: &'a Spec,
}

impl Drawer<'_> {
    /// The accounts and OUs directly under a node, in the tree's order.
    fn split(node: &OrgNode) -> (Vec<&OrgNode>, Vec<&OrgNode>) {
        let accounts = node
            .children
            .iter()
            .filter(|c| c.kind == NodeKind::Account)
            .collect();
        let units = node
            .children
            .iter()
            .filter(|c| c.kind == NodeKind::Unit)
            .collect();
        (accounts, units)
    }

    // ------------------------------------------------------------------ the organization

    fn org_lines(&self) -> Vec<Line> {
        let tree = self.tree;
        let mut lines = vec![Line::new(
            format!("AWS Organization {}", tree.name),
            "c-title",
        )];
        let mut ids = Vec::new();
        if let Some(id) = &tree.organization_id {
            ids.push(id.clone());
        }
        if let Some(id) = &tree.root.id {
            ids.push(format!("root {id}"));
        }
        if !tree.home_region.is_empty() {
            ids.push(format!("home region {}", tree.home_region));
        }
        if !ids.is_empty() {
            lines.push(Line::new(ids.join(" · "), "c-meta"));
        }
        if tree.root.scps.is_empty() {
            lines.push(Line::new("Root SCPs: none", "c-scp"));
        } else {
            lines.extend(wrap("Root SCPs: ", &tree.root.scps, "c-scp"));
        }
        if !tree.root.rcps.is_empty() {
            lines.extend(wrap("Root RCPs: ", &tree.root.rcps, "c-rcp"));
        }
        lines
    }

    fn org_size(&self) -> Size {
        let lines = self.org_lines();
        let (accounts, units) = Self::split(&self.tree.root);
        let head = lines_height(lines.len());
        let acc_sizes: Vec<Size> = accounts.iter().map(|a| self.account_size(a)).collect();
        let unit_sizes: Vec<Size> = units.iter().map(|u| self.unit_size(u)).collect();
        let (row_w, row_h) = row(&acc_sizes);
        let (units_w, units_h) = row(&unit_sizes);
        let inner = text_width(&lines).max(row_w).max(units_w);
        let mut h = head;
        if !accounts.is_empty() {
            h += row_h;
        }
        if !units.is_empty() {
            h += DROP + units_h;
        }
        Size {
            w: inner + 2.0 * PAD,
            h: h + PAD,
        }
    }

    fn draw_org(&self, x: f64, y: f64, out: &mut String, counts: &mut (usize, usize)) {
        let size = self.org_size();
        let lines = self.org_lines();
        let (accounts, units) = Self::split(&self.tree.root);
        let root_id = self.tree.root.id.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "<g class=\"organization\" data-root=\"{}\" data-scps=\"{}\" data-rcps=\"{}\">",
            esc(root_id),
            esc(&self.tree.root.scps.join(",")),
            esc(&self.tree.root.rcps.join(",")),
        );
        let _ = writeln!(
            out,
            "<title>{}</title>",
            esc(&lines
                .iter()
                .map(|l| l.text.trim())
                .collect::<Vec<_>>()
                .join("\n"))
        );
        rect(out, x, y, size.w, size.h, "org-box");
        texts(out, x + PAD, y, &lines);
        let head = lines_height(lines.len());
        let acc_sizes: Vec<Size> = accounts.iter().map(|a| self.account_size(a)).collect();
        let (row_w, row_h) = row(&acc_sizes);
        let center = x + size.w / 2.0;
        let mut top = y + head;
        let mut from = top - PAD / 2.0;
        if !accounts.is_empty() {
            let mut ax = center - row_w / 2.0;
            for (a, s) in accounts.iter().zip(&acc_sizes) {
                self.draw_account(a, ax, top, s.w, out, counts);
                ax += s.w + GAP;
            }
            top += row_h;
            from = top;
        }
        if !units.is_empty() {
            let sizes: Vec<Size> = units.iter().map(|u| self.unit_size(u)).collect();
            let (units_w, _) = row(&sizes);
            let mut ux = center - units_w / 2.0;
            let child_top = top + DROP;
            let mut centers = Vec::new();
            for (u, s) in units.iter().zip(&sizes) {
                centers.push(ux + s.w / 2.0);
                self.draw_unit(u, ux, child_top, out, counts);
                ux += s.w + GAP;
            }
            connectors(out, center, from, child_top, &centers);
        }
        out.push_str("</g>\n");
    }

    // ------------------------------------------------------------------ accounts

    fn account_lines(&self, node: &OrgNode) -> Vec<Line> {
        let mut lines = vec![Line::new(node.name.clone(), "c-title")];
        let id = node
            .id
            .clone()
            .unwrap_or_else(|| "id when created".to_owned());
        if node.management {
            lines.push(Line::new(format!("{id} · management"), "c-meta"));
            lines.push(Line::new("SCPs never apply here", "c-scp"));
        } else {
            lines.push(Line::new(id, "c-meta"));
            if node.scps.is_empty() {
                lines.push(Line::new("SCPs: none", "c-scp"));
            } else {
                lines.extend(wrap("SCPs: ", &node.scps, "c-scp"));
            }
        }
        if !node.rcps.is_empty() {
            lines.extend(wrap("RCPs: ", &node.rcps, "c-rcp"));
        }
        lines.extend(self.duties(node));
        if !node.tags.is_empty() {
            let tags: Vec<String> = node.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            lines.extend(wrap("tags: ", &tags, "c-tag"));
        }
        lines
    }

    /// What the baseline gives an account to do: the organization's trail and aggregator
    /// (the management account), the trail's bucket, delegated administration.
    fn duties(&self, node: &OrgNode) -> Vec<Line> {
        let baseline = &self.spec.baseline;
        let target = Target::Account(node.key.clone());
        let mut duties = Vec::new();
        let mut duty = |text: String| duties.push(Line::new(format!("• {text}"), "c-duty"));
        if node.management {
            duty("AWS Organizations".to_owned());
            if let Some(trail) = &baseline.trail {
                duty(format!("Organization trail {}", trail.name));
            }
            if let Some(aggregator) = &baseline.aggregator {
                duty(format!("Config aggregator {}", aggregator.name));
            }
        }
        if let Some(trail) = &baseline.trail {
            if trail.bucket_account == target {
                duty(format!("Trail logs: {}", trail.bucket));
            }
        }
        for admin in &baseline.delegated_admins {
            if admin.account == target {
                let services: Vec<String> = admin
                    .services
                    .iter()
                    .map(|s| s.trim_end_matches(".amazonaws.com").to_owned())
                    .collect();
                duties.extend(wrap("• Delegated admin: ", &services, "c-duty"));
            }
        }
        duties
    }

    fn account_size(&self, node: &OrgNode) -> Size {
        let lines = self.account_lines(node);
        Size {
            w: (text_width(&lines) + 2.0 * PAD).max(MIN_ACCOUNT),
            h: lines_height(lines.len()),
        }
    }

    /// An account's box, `w` wide.
    fn draw_account(
        &self,
        node: &OrgNode,
        x: f64,
        y: f64,
        w: f64,
        out: &mut String,
        counts: &mut (usize, usize),
    ) {
        counts.0 += 1;
        let lines = self.account_lines(node);
        let h = lines_height(lines.len());
        let _ = writeln!(
            out,
            "<g class=\"account\" data-account=\"{}\" data-id=\"{}\" data-scps=\"{}\" data-rcps=\"{}\"{}>",
            esc(&node.key),
            esc(node.id.as_deref().unwrap_or("")),
            esc(&node.scps.join(",")),
            esc(&node.rcps.join(",")),
            if node.management {
                " data-management=\"true\""
            } else {
                ""
            }
        );
        let mut tip = vec![match &node.id {
            Some(id) => format!("{} ({id})", node.name),
            None => node.name.clone(),
        }];
        if node.management {
            tip.push("The management account: SCPs never apply to it".to_owned());
        }
        if !node.chain.is_empty() {
            let chain: Vec<String> = node
                .chain
                .iter()
                .map(|l| format!("{} [{}]", l.name, l.scps.join(", ")))
                .collect();
            tip.push(format!("SCP chain: {}", chain.join(" > ")));
        }
        if !node.rcps.is_empty() {
            tip.push(format!("RCPs attached: {}", node.rcps.join(", ")));
        }
        let _ = writeln!(out, "<title>{}</title>", esc(&tip.join("\n")));
        let class = if node.management {
            "account-box management"
        } else {
            "account-box"
        };
        rect(out, x, y, w, h, class);
        texts(out, x + PAD, y, &lines);
        out.push_str("</g>\n");
    }

    // ------------------------------------------------------------------ OUs

    fn unit_lines(node: &OrgNode) -> Vec<Line> {
        let mut lines = vec![Line::new(format!("{} OU", node.name), "c-title")];
        if let Some(id) = &node.id {
            lines.push(Line::new(id.clone(), "c-meta"));
        }
        if node.scps.is_empty() {
            lines.push(Line::new("SCPs: none", "c-scp"));
        } else {
            lines.extend(wrap("SCPs: ", &node.scps, "c-scp"));
        }
        if !node.rcps.is_empty() {
            lines.extend(wrap("RCPs: ", &node.rcps, "c-rcp"));
        }
        lines
    }

    /// The width account boxes take in an OU: the widest of them, at least the header's.
    fn column_width(&self, node: &OrgNode, lines: &[Line]) -> f64 {
        let (accounts, _) = Self::split(node);
        accounts
            .iter()
            .map(|a| self.account_size(a).w)
            .fold(text_width(lines).max(MIN_ACCOUNT), f64::max)
    }

    fn unit_size(&self, node: &OrgNode) -> Size {
        let lines = Self::unit_lines(node);
        let (accounts, units) = Self::split(node);
        let column = self.column_width(node, &lines);
        let acc_h: f64 = accounts.iter().map(|a| self.account_size(a).h).sum::<f64>()
            + stack_gaps(accounts.len());
        let sizes: Vec<Size> = units.iter().map(|u| self.unit_size(u)).collect();
        let (row_w, row_h) = row(&sizes);
        let mut h = lines_height(lines.len());
        if !accounts.is_empty() {
            h += acc_h;
        }
        if !units.is_empty() {
            h += DROP + row_h;
        }
        Size {
            w: column.max(row_w) + 2.0 * PAD,
            h: h + PAD,
        }
    }

    fn draw_unit(
        &self,
        node: &OrgNode,
        x: f64,
        y: f64,
        out: &mut String,
        counts: &mut (usize, usize),
    ) {
        counts.1 += 1;
        let size = self.unit_size(node);
        let lines = Self::unit_lines(node);
        let (accounts, units) = Self::split(node);
        let _ = writeln!(
            out,
            "<g class=\"ou\" data-ou=\"{}\" data-id=\"{}\" data-scps=\"{}\" data-rcps=\"{}\">",
            esc(&node.key),
            esc(node.id.as_deref().unwrap_or("")),
            esc(&node.scps.join(",")),
            esc(&node.rcps.join(",")),
        );
        let mut tip = vec![format!("{} OU", node.name)];
        tip.push(format!("SCPs attached: {}", none_or(&node.scps)));
        if !node.rcps.is_empty() {
            tip.push(format!("RCPs attached: {}", node.rcps.join(", ")));
        }
        let _ = writeln!(out, "<title>{}</title>", esc(&tip.join("\n")));
        rect(out, x, y, size.w, size.h, "ou-box");
        texts(out, x + PAD, y, &lines);
        let column = self.column_width(node, &lines);
        let center = x + size.w / 2.0;
        let mut top = y + lines_height(lines.len());
        let mut from = top - PAD / 2.0;
        for a in &accounts {
            let h = self.account_size(a).h;
            self.draw_account(a, center - column / 2.0, top, column, out, counts);
            top += h + STACK;
            from = top - STACK;
        }
        if !accounts.is_empty() {
            top -= STACK;
        }
        if !units.is_empty() {
            let sizes: Vec<Size> = units.iter().map(|u| self.unit_size(u)).collect();
            let (row_w, _) = row(&sizes);
            let mut ux = center - row_w / 2.0;
            let child_top = top + DROP;
            let mut centers = Vec::new();
            for (u, s) in units.iter().zip(&sizes) {
                centers.push(ux + s.w / 2.0);
                self.draw_unit(u, ux, child_top, out, counts);
                ux += s.w + GAP;
            }
            connectors(out, center, from, child_top, &centers);
        }
        out.push_str("</g>\n");
    }
}

/// `none`, or the names joined.
fn none_or(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// The gaps between `count` stacked boxes.
fn stack_gaps(count: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "account counts are small")]
    let gaps = count.saturating_sub(1) as f64;
    gaps * STACK
}

/// The width and height of boxes side by side.
fn row(sizes: &[Size]) -> (f64, f64) {
    #[expect(clippy::cast_precision_loss, reason = "box counts are small")]
    let gaps = sizes.len().saturating_sub(1) as f64 * GAP;
    let w = sizes.iter().map(|s| s.w).sum::<f64>() + gaps;
    let h = sizes.iter().map(|s| s.h).fold(0.0, f64::max);
    (w, h)
}

fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, class: &str) {
    let _ = writeln!(
        out,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
        n(x),
        n(y),
        n(w),
        n(h)
    );
}

/// The lines of a box whose top is at `y`, starting at `x`.
fn texts(out: &mut String, x: f64, y: f64, lines: &[Line]) {
    let mut baseline = y + PAD + LINE - 4.0;
    for line in lines {
        let _ = writeln!(
            out,
            "<text class=\"{}\" x=\"{}\" y=\"{}\" xml:space=\"preserve\">{}</text>",
            line.class,
            n(x),
            n(baseline),
            esc(&line.text)
        );
        baseline += LINE;
    }
}

/// Lines from `(x, from)` down to a bus halfway, along it, and down with an arrow to the
/// top of each child (`to`) at `centers`.
fn connectors(out: &mut String, x: f64, from: f64, to: f64, centers: &[f64]) {
    let bus = from + (to - from) / 2.0;
    let first = centers.first().copied().unwrap_or(x).min(x);
    let last = centers.last().copied().unwrap_or(x).max(x);
    let _ = writeln!(
        out,
        "<path class=\"connector\" d=\"M{} {} V{} M{} {} H{}\"/>",
        n(x),
        n(from),
        n(bus),
        n(first),
        n(bus),
        n(last)
    );
    for c in centers {
        let _ = writeln!(
            out,
            "<path class=\"connector\" d=\"M{} {} V{}\" marker-end=\"url(#arrowhead)\"/>",
            n(*c),
            n(bus),
            n(to - 1.0)
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    #[test]
    fn lists_wrap_and_indent() {
        let items: Vec<String> = ["FullAWSAccess", "RegionDeny", "ProtectCloudTrail", "X"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let lines = wrap("SCPs: ", &items, "c-scp");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "SCPs: FullAWSAccess, RegionDeny,",
                "      ProtectCloudTrail, X"
            ]
        );
        assert!(texts.iter().all(|t| t.chars().count() <= WRAP));
    }

    #[test]
    fn coordinates_have_one_decimal() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(0.1 + 0.2), "0.3");
        assert_eq!(n(7.46), "7.5");
    }
}
