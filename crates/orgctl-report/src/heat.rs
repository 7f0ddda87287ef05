//! The heat map: for each region the prover checked, accounts by services, each cell the
//! share of the service's catalog actions the prover found allowed in that account (a
//! witness request the guardrails allow), coloured in twelve steps from none to all.
//!
//! About 400 services do not fit across a page, and most are allowed alike everywhere. The
//! maps show the services whose shares differ between accounts in some region, at most
//! [`MAX_SHOWN`] of them, chosen by [`relevance`], the same columns in every region's map so
//! that they compare; a note says how many services are the same in every account, and the
//! full table (every service) follows each map in a collapsed `<details>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orgctl_org::prove::{ProveReport, Status};

use crate::html::{count, esc, id_part, plural};

/// The most services one map shows.
pub const MAX_SHOWN: usize = 36;

/// The verdicts of one service's actions in one account and region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Actions with a witness request the guardrails allow.
    pub allowed: usize,
    /// Actions every request for which is denied.
    pub denied: usize,
    /// Actions neither proven nor witnessed.
    pub unknown: usize,
}

impl Cell {
    /// The service's actions.
    pub const fn total(self) -> usize {
        self.allowed + self.denied + self.unknown
    }

    /// The colour step: 0 none allowed, 1 to 10 a share in tenths (`[0, 0.1)` is 1), 11 all.
    pub fn step(self) -> usize {
        let total = self.total();
        if self.allowed == 0 || total == 0 {
            0
        } else if self.allowed == total {
            11
        } else {
            // Integer arithmetic: the tenth the share falls in.
            1 + (self.allowed * 10 / total).min(9)
        }
    }

    /// The share as the cell shows it: `0`, `100`, else a whole percentage kept off both
    /// ends (`<1` and `>99` when rounding would say none or all).
    pub fn label(self) -> String {
        let total = self.total();
        if self.allowed == 0 || total == 0 {
            return "0".to_owned();
        }
        if self.allowed == total {
            return "100".to_owned();
        }
        let pct = (self.allowed * 100 + total / 2) / total;
        match pct {
            0 => "<1".to_owned(),
            100 => ">99".to_owned(),
            p => p.to_string(),
        }
    }
}

/// An account, as a row of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// Its spec key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its id (a placeholder before it exists).
    pub id: String,
}

/// A service, as a column of the map: one cell per account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceColumn {
    /// Its prefix (`s3`).
    pub prefix: String,
    /// Its name (`Amazon S3`).
    pub name: String,
    /// One cell per account, in the map's account order.
    pub cells: Vec<Cell>,
}

impl ServiceColumn {
    /// Whether every account has the same verdicts for it.
    pub fn identical(&self) -> bool {
        self.cells.windows(2).all(|w| w.first() == w.get(1))
    }
}

/// One region's map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionMap {
    /// The region.
    pub region: String,
    /// Whether it is the organization's home region.
    pub home: bool,
    /// Rows: the accounts, in spec order.
    pub accounts: Vec<AccountRow>,
    /// Every service of the catalog the prover checked, by prefix.
    pub services: Vec<ServiceColumn>,
    /// The services the map shows (indices into `services`), by prefix: the same in every
    /// region's map.
    pub shown: Vec<usize>,
}

impl RegionMap {
    /// Services the same in every account.
    pub fn identical(&self) -> usize {
        self.services.iter().filter(|s| s.identical()).count()
    }

    /// Services that differ between accounts.
    pub fn differing(&self) -> usize {
        self.services.len() - self.identical()
    }

    /// Cells the map shows.
    pub fn cells(&self) -> usize {
        self.shown.len() * self.accounts.len()
    }
}

/// The maps of a prover's report, one per region in the report's order, each showing the
/// services [`select`] chooses over all of them.
pub fn maps(report: &ProveReport, home_region: &str) -> Vec<RegionMap> {
    let mut maps = region_maps(report, home_region);
    let shown = select(&maps);
    for map in &mut maps {
        map.shown.clone_from(&shown);
    }
    maps
}

/// One map per region, nothing chosen yet.
fn region_maps(report: &ProveReport, home_region: &str) -> Vec<RegionMap> {
    let mut regions: Vec<String> = Vec::new();
    for s in &report.subjects {
        if !regions.contains(&s.subject.region) {
            regions.push(s.subject.region.clone());
        }
    }
    regions
        .into_iter()
        .map(|region| {
            let subjects: Vec<_> = report
                .subjects
                .iter()
                .filter(|s| s.subject.region == region)
                .collect();
            let accounts = subjects
                .iter()
                .map(|s| AccountRow {
                    key: s.subject.key.clone(),
                    name: s.subject.name.clone(),
                    id: s.subject.id.clone(),
                })
                .collect::<Vec<_>>();
            let mut by_service: BTreeMap<&str, ServiceColumn> = BTreeMap::new();
            for (i, s) in subjects.iter().enumerate() {
                for v in &s.verdicts {
                    let service = v.action.service();
                    let column =
                        by_service
                            .entry(service.prefix())
                            .or_insert_with(|| ServiceColumn {
                                prefix: service.prefix().to_owned(),
                                name: service.name().to_owned(),
                                cells: vec![Cell::default(); subjects.len()],
                            });
                    if let Some(cell) = column.cells.get_mut(i) {
                        match v.status {
                            Status::Allowed(_) => cell.allowed += 1,
                            Status::Denied(_) => cell.denied += 1,
                            Status::Unknown { .. } => cell.unknown += 1,
                        }
                    }
                }
            }
            RegionMap {
                home: region == home_region,
                region,
                accounts,
                services: by_service.into_values().collect(),
                shown: Vec::new(),
            }
        })
        .collect()
}

/// How much a differing service tells, from its cells in every region's map, for choosing
/// what the maps show: first how many different counts of allowed actions its cells have,
/// then whether some cell has it partly allowed (a guardrail cutting through the service
/// rather than around it), then how many of its actions are denied over all cells.
pub fn relevance(cells: &[Cell]) -> (usize, bool, usize) {
    let mut shares: Vec<usize> = cells.iter().map(|c| c.allowed).collect();
    shares.sort_unstable();
    shares.dedup();
    let partial = cells.iter().any(|c| c.allowed > 0 && c.allowed < c.total());
    let denied = cells.iter().map(|c| c.denied + c.unknown).sum();
    (shares.len(), partial, denied)
}

/// The services the maps show (indices into each map's `services`, which list the same
/// services): those that differ between accounts in some region, the [`MAX_SHOWN`] most
/// relevant when there are more, in prefix order.
pub fn select(maps: &[RegionMap]) -> Vec<usize> {
    let count = maps.first().map_or(0, |m| m.services.len());
    let mut differing: Vec<(usize, (usize, bool, usize))> = (0..count)
        .filter(|&i| {
            maps.iter()
                .any(|m| m.services.get(i).is_some_and(|s| !s.identical()))
        })
        .map(|i| {
            let cells: Vec<Cell> = maps
                .iter()
                .filter_map(|m| m.services.get(i))
                .flat_map(|s| s.cells.iter().copied())
                .collect();
            (i, relevance(&cells))
        })
        .collect();
    if differing.len() > MAX_SHOWN {
        // Most relevant first; equal ones in prefix order, which is index order.
        differing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        differing.truncate(MAX_SHOWN);
    }
    let mut shown: Vec<usize> = differing.into_iter().map(|(i, _)| i).collect();
    shown.sort_unstable();
    shown
}

/// Services that differ between accounts in some region.
pub fn differing(maps: &[RegionMap]) -> usize {
    let count = maps.first().map_or(0, |m| m.services.len());
    (0..count)
        .filter(|&i| {
            maps.iter()
                .any(|m| m.services.get(i).is_some_and(|s| !s.identical()))
        })
        .count()
}

/// What the maps show and why, for the text above them.
pub fn selection_note(maps: &[RegionMap]) -> String {
    let total = maps.first().map_or(0, |m| m.services.len());
    let differ = differing(maps);
    let shown = maps.first().map_or(0, |m| m.shown.len());
    let regions: Vec<&str> = maps.iter().map(|m| m.region.as_str()).collect();
    let scope = if regions.len() > 1 {
        format!(
            "in {} or {}",
            regions
                .get(..regions.len() - 1)
                .unwrap_or_default()
                .join(", "),
            regions.last().copied().unwrap_or_default()
        )
    } else {
        format!("in {}", regions.first().copied().unwrap_or_default())
    };
    if differ == 0 {
        return format!(
            "Every one of the {} services is allowed alike in every account {scope}: there is nothing to map.",
            count(total)
        );
    }
    let which = if differ > shown {
        format!(
            "the maps show the {} most telling (most different counts of allowed actions, then partly allowed, then most actions denied), as the same columns in every region; the others are in the full tables",
            count(shown)
        )
    } else {
        "the maps show all of them, as the same columns in every region".to_owned()
    };
    format!(
        "{} of the {} checked {} between accounts {scope}: {which}.",
        plural(differ, "service", "services"),
        count(total),
        if differ == 1 { "differs" } else { "differ" }
    )
}

/// The legend: every colour step with what it means.
pub fn legend() -> String {
    let labels = [
        "none",
        "<10%",
        "10–20%",
        "20–30%",
        "30–40%",
        "40–50%",
        "50–60%",
        "60–70%",
        "70–80%",
        "80–90%",
        "90–<100%",
        "all",
    ];
    let mut out = String::from(
        "<div class=\"legend\" aria-label=\"Colour legend\"><span class=\"legend-title\">Share of the service's actions allowed:</span>",
    );
    for (step, label) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<span class=\"legend-item\"><span class=\"swatch s{step}\"></span>{}</span>",
            esc(label)
        );
    }
    out.push_str("</div>\n");
    out
}

/// A cell's tooltip.
fn tip(account: &AccountRow, service: &ServiceColumn, region: &str, cell: Cell) -> String {
    let mut text = format!(
        "{} · {} ({}) in {region}: {} of {} actions allowed, {} denied",
        account.name,
        service.prefix,
        service.name,
        count(cell.allowed),
        count(cell.total()),
        count(cell.denied)
    );
    if cell.unknown > 0 {
        let _ = write!(text, ", {} unknown", count(cell.unknown));
    }
    text
}

/// What the services the map leaves out have in common.
fn identical_note(map: &RegionMap) -> String {
    let same: Vec<&ServiceColumn> = map.services.iter().filter(|s| s.identical()).collect();
    if same.is_empty() {
        return "No service is allowed alike in every account.".to_owned();
    }
    let mut all = 0;
    let mut none = 0;
    let mut partly = 0;
    for s in &same {
        match s.cells.first().map_or(0, |c| c.step()) {
            0 => none += 1,
            11 => all += 1,
            _ => partly += 1,
        }
    }
    let mut kinds = Vec::new();
    if all > 0 {
        kinds.push(format!("{} wholly allowed", count(all)));
    }
    if none > 0 {
        kinds.push(format!("{} wholly denied", count(none)));
    }
    if partly > 0 {
        kinds.push(format!("{} partly allowed", count(partly)));
    }
    format!(
        "{} of the {} services {} the same in every account ({}).",
        count(same.len()),
        count(map.services.len()),
        if same.len() == 1 { "is" } else { "are" },
        kinds.join(", ")
    )
}

/// One region's map: the table of the services shown, the note, and every service in a
/// collapsed table.
pub fn render(map: &RegionMap) -> String {
    let mut out = String::new();
    let region = esc(&map.region);
    let _ = writeln!(
        out,
        "<figure class=\"heatmap\" id=\"heatmap-{}\" data-region=\"{region}\" data-accounts=\"{}\" data-services=\"{}\">",
        id_part(&map.region),
        map.accounts.len(),
        map.shown.len()
    );
    let _ = writeln!(
        out,
        "<figcaption><h3>{region}{}</h3></figcaption>",
        if map.home {
            " <span class=\"muted\">home region</span>"
        } else {
            ""
        }
    );
    let differing = map.differing();
    let note = format!(
        "In {}: {} between accounts. {}",
        map.region,
        if differing == 1 {
            "1 service differs".to_owned()
        } else {
            format!("{} services differ", count(differing))
        },
        identical_note(map)
    );
    let _ = writeln!(out, "<p class=\"note heat-note\">{}</p>", esc(&note));
    if !map.shown.is_empty() {
        out.push_str("<div class=\"scroll\"><table class=\"heat\">\n<thead><tr><th class=\"corner\" scope=\"col\">Account</th>");
        for &i in &map.shown {
            if let Some(s) = map.services.get(i) {
                let _ = write!(
                    out,
                    "<th class=\"svc\" scope=\"col\" data-service=\"{p}\" title=\"{name}\"><span>{p}</span></th>",
                    p = esc(&s.prefix),
                    name = esc(&s.name)
                );
            }
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (a, account) in map.accounts.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\" data-account=\"{}\" title=\"{}\">{}</th>",
                esc(&account.key),
                esc(&account.id),
                esc(&account.name)
            );
            for &i in &map.shown {
                let Some(s) = map.services.get(i) else {
                    continue;
                };
                let cell = s.cells.get(a).copied().unwrap_or_default();
                let _ = write!(
                    out,
                    "<td class=\"heat-cell s{}\" data-account=\"{}\" data-service=\"{}\" data-allowed=\"{}\" data-total=\"{}\" title=\"{}\">{}</td>",
                    cell.step(),
                    esc(&account.key),
                    esc(&s.prefix),
                    cell.allowed,
                    cell.total(),
                    esc(&tip(account, s, &map.region, cell)),
                    esc(&cell.label())
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table></div>\n");
    }
    full_table(&mut out, map);
    out.push_str("</figure>\n");
    out
}

/// Every service of a region, one row each, allowed and total actions per account.
fn full_table(out: &mut String, map: &RegionMap) {
    let _ = writeln!(
        out,
        "<details class=\"heat-all\"><summary>All {} services in {}: allowed of total actions per account</summary>",
        count(map.services.len()),
        esc(&map.region)
    );
    out.push_str("<div class=\"scroll\"><table class=\"heat-full\">\n<thead><tr><th scope=\"col\">Service</th>");
    for account in &map.accounts {
        let _ = write!(
            out,
            "<th scope=\"col\" data-account=\"{}\">{}</th>",
            esc(&account.key),
            esc(&account.name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for s in &map.services {
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\" title=\"{}\">{}</th>",
            if s.identical() {
                ""
            } else {
                " class=\"differs\""
            },
            esc(&s.name),
            esc(&s.prefix)
        );
        for cell in &s.cells {
            let _ = write!(
                out,
                "<td class=\"full-cell s{}\">{}/{}</td>",
                cell.step(),
                cell.allowed,
                cell.total()
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(allowed: usize, denied: usize) -> Cell {
        Cell {
            allowed,
            denied,
            unknown: 0,
        }
    }

    fn column(prefix: &str, cells: &[Cell]) -> ServiceColumn {
        ServiceColumn {
            prefix: prefix.to_owned(),
            name: prefix.to_uppercase(),
            cells: cells.to_vec(),
        }
    }

    #[test]
    fn steps_and_labels_keep_the_ends_exact() {
        assert_eq!(cell(0, 10).step(), 0);
        assert_eq!(cell(0, 10).label(), "0");
        assert_eq!(cell(10, 0).step(), 11);
        assert_eq!(cell(10, 0).label(), "100");
        assert_eq!(cell(1, 999).step(), 1);
        assert_eq!(cell(1, 999).label(), "<1");
        assert_eq!(cell(999, 1).step(), 10);
        assert_eq!(cell(999, 1).label(), ">99");
        assert_eq!(cell(5, 5).step(), 6);
        assert_eq!(cell(5, 5).label(), "50");
        assert_eq!(cell(187, 3).label(), "98");
    }

    fn map(region: &str, services: Vec<ServiceColumn>) -> RegionMap {
        RegionMap {
            region: region.to_owned(),
            home: false,
            accounts: Vec::new(),
            services,
            shown: Vec::new(),
        }
    }

    #[test]
    fn only_differing_services_are_shown_most_telling_first() {
        let home = vec![
            column("same", &[cell(5, 0), cell(5, 0)]),
            column("split", &[cell(5, 0), cell(0, 5)]),
            column("partly", &[cell(5, 0), cell(2, 3)]),
            column("elsewhere", &[cell(5, 0), cell(5, 0)]),
        ];
        let mut other = home.clone();
        if let Some(s) = other.get_mut(3) {
            s.cells = vec![cell(5, 0), cell(0, 5)];
        }
        let mut maps = vec![map("home", home), map("other", other)];
        // A service that differs in one region only is shown in both.
        assert_eq!(select(&maps), [1, 2, 3]);
        assert_eq!(differing(&maps), 3);
        // More differing services than the maps show: partly allowed ones win ties.
        for m in &mut maps {
            for i in 0..MAX_SHOWN {
                m.services
                    .push(column(&format!("x{i:02}"), &[cell(5, 0), cell(0, 5)]));
            }
        }
        let shown = select(&maps);
        assert_eq!(shown.len(), MAX_SHOWN);
        assert!(shown.contains(&2), "{shown:?}");
        assert!(!shown.contains(&0));
        assert!(shown.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_note_counts_what_is_left_out() {
        let map = RegionMap {
            region: "us-east-1".to_owned(),
            home: true,
            accounts: Vec::new(),
            services: vec![
                column("a", &[cell(5, 0), cell(5, 0)]),
                column("b", &[cell(0, 5), cell(0, 5)]),
                column("c", &[cell(5, 0), cell(0, 5)]),
            ],
            shown: vec![2],
        };
        assert_eq!(
            identical_note(&map),
            "2 of the 3 services are the same in every account (1 wholly allowed, 1 wholly denied)."
        );
    }
}
