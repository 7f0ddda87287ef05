//! The page's stylesheet, inlined in its `<head>`.

/// Layout, tables, the chart's boxes and text, and the heat map's twelve colour steps
/// (orange for denied through grey to blue for allowed, distinguishable with the common
/// colour-vision deficiencies).
pub const CSS: &str = r#"
:root {
  --ink: #1d2630; --muted: #5b6672; --line: #d5dbe1; --paper: #ffffff; --panel: #f5f7f9;
  --accent: #2c5f93; --ok: #22703a; --bad: #b3261e; --warn: #9a6500;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--paper);
  font: 14px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
header.top { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top h1 { margin: 0 0 4px; font-size: 24px; }
header.top nav { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
header.top nav a { color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1500px; }
section { margin-top: 28px; }
h2 { font-size: 19px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 14px 0 6px; }
h4 { font-size: 13px; margin: 10px 0 4px; }
p { margin: 6px 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.muted { color: var(--muted); font-weight: normal; }
.note { color: var(--muted); max-width: 900px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--panel); }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px;
  background: #e6e9ed; white-space: nowrap; }
.badge.pass, .badge.ok, .badge.holds { background: #d7efdd; color: var(--ok); }
.badge.fail, .badge.missing, .badge.violated, .badge.error { background: #f8dcda; color: var(--bad); }
.badge.partial, .badge.unknown, .badge.warning, .badge.security_warning { background: #fbecc9; color: var(--warn); }
.check { white-space: nowrap; font-size: 12px; }
.check.ok { color: var(--ok); }
.check.bad { color: var(--bad); }
.failure { color: var(--bad); }
.hint { color: var(--muted); font-size: 13px; }

/* summary tiles */
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
.tile { display: block; min-width: 150px; padding: 10px 14px; border: 1px solid var(--line);
  border-left: 5px solid var(--accent); border-radius: 6px; color: inherit; text-decoration: none; background: var(--paper); }
.tile .value { display: block; font-size: 22px; font-weight: 700; }
.tile .label { color: var(--muted); font-size: 13px; }
.tile.ok { border-left-color: var(--ok); }
.tile.bad { border-left-color: var(--bad); }
.tile.warn { border-left-color: var(--warn); }

/* organization chart */
.chart-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fbfcfd; }
svg.org-chart { display: block; max-width: none; }
svg.org-chart text { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; fill: var(--ink); white-space: pre; }
svg.org-chart .org-box { fill: #f1f4f7; stroke: #4d5b69; stroke-width: 1.5; }
svg.org-chart .ou-box { fill: #e8f0f9; stroke: #3d6fa6; stroke-width: 1.4; }
svg.org-chart .account-box { fill: #ffffff; stroke: #7a8ca0; stroke-width: 1.2; }
svg.org-chart .account-box.management { fill: #fff7e3; stroke: #b08026; stroke-width: 1.6; }
svg.org-chart .c-title { font-weight: 700; }
svg.org-chart .c-meta { fill: var(--muted); }
svg.org-chart .c-scp { fill: #8c2f1c; }
svg.org-chart .c-rcp { fill: #5b3f8f; }
svg.org-chart .c-duty { fill: #245c36; }
svg.org-chart .c-tag { fill: var(--muted); font-style: italic; }
svg.org-chart .connector { stroke: #4d5b69; stroke-width: 1.4; fill: none; }
svg.org-chart .arrowhead { fill: #4d5b69; }
svg.org-chart g.account:hover .account-box, svg.org-chart g.ou:hover > .ou-box { stroke-width: 2.6; }

/* guardrail cards */
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
article.guardrails { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 10px; background: var(--paper); }
article.guardrails h3 { margin-top: 10px; }
.chain { margin: 4px 0; font-size: 13px; }
.chain-label { font-weight: 700; margin-right: 6px; }
.chain ol { display: inline; padding: 0; margin: 0; list-style: none; }
.chain li { display: inline; }
.chain li + li::before { content: " › "; color: var(--muted); }
.chain-note { font-size: 13px; color: var(--muted); }
table.verdict-counts { width: 100%; font-size: 13px; }
table.verdict-counts td { padding: 2px 8px; }
.bar-cell { width: 40%; vertical-align: middle; }
.bar { display: flex; height: 10px; background: #e7a06b; border-radius: 3px; overflow: hidden; }
.bar-allowed { background: #4378b0; }
.bar-unknown { background: #c9ced4; }
ul.denials { margin: 2px 0 6px; padding-left: 18px; font-size: 13px; }
ul.denials li { margin: 3px 0; }
ul.denials .n { display: inline-block; min-width: 48px; font-weight: 700; font-variant-numeric: tabular-nums; }
ul.denials .examples { color: var(--muted); font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; }
.denials-none { font-size: 13px; color: var(--ok); }
tr.counterexample td { font-size: 12px; color: var(--bad); border-top: none; }

/* heat map */
.legend { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; margin: 8px 0 4px; font-size: 12px; }
.legend-title { font-weight: 700; }
.legend-item { display: inline-flex; align-items: center; gap: 4px; }
.swatch { display: inline-block; width: 18px; height: 14px; border: 1px solid #9aa5b0; }
figure.heatmap { margin: 14px 0 22px; }
figure.heatmap h3 { margin: 0; }
table.heat { border-collapse: separate; border-spacing: 2px; margin: 4px 0; }
table.heat th, table.heat td { border: none; }
table.heat th.svc { vertical-align: bottom; padding: 2px 0; background: none; }
table.heat th.svc span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  font-size: 11px; font-weight: normal; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
table.heat th.corner { vertical-align: bottom; background: none; font-size: 12px; color: var(--muted); }
table.heat tbody th { white-space: nowrap; font-size: 13px; background: none; padding: 0 8px 0 0; vertical-align: middle; }
td.heat-cell { width: 28px; min-width: 28px; height: 26px; padding: 0; text-align: center; vertical-align: middle;
  font-size: 10px; font-variant-numeric: tabular-nums; border-radius: 2px; }
table.heat-full { font-size: 12px; }
table.heat-full td, table.heat-full th { padding: 1px 6px; }
table.heat-full tr.differs th { font-weight: 700; }
td.full-cell { text-align: right; font-variant-numeric: tabular-nums; }
details.heat-all { margin-top: 6px; }
details.heat-all summary { cursor: pointer; color: var(--accent); }
.s0 { background: #a6461a; color: #fff; }
.s1 { background: #d0692a; color: #fff; }
.s2 { background: #ec8b4e; }
.s3 { background: #f5ab78; }
.s4 { background: #f8c8a5; }
.s5 { background: #f3e1d2; }
.s6 { background: #dde7f0; }
.s7 { background: #bcd3e8; }
.s8 { background: #94bbdc; }
.s9 { background: #6a9ecb; }
.s10 { background: #4378b0; color: #fff; }
.s11 { background: #24548c; color: #fff; }

/* findings, tests, bootstrap, cost */
table.findings, table.tests, table.bootstrap { width: 100%; font-size: 13px; }
tr.test-row.fail td { background: #fdf1f0; }
tr.bootstrap-row.missing td, tr.bootstrap-row.partial td { background: #fff8ec; }
.tests-summary, .bootstrap-summary, .findings-summary, .cost-line { font-weight: 700; }
.tests-summary.pass { color: var(--ok); }
.tests-summary.fail { color: var(--bad); }
.not-applied { color: var(--warn); }
table.cost td { padding: 3px 10px; }
table.cost tr.total td { font-weight: 700; }
footer { padding: 14px 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
@media print { header.top nav, details.heat-all { display: none; } .cards { display: block; } article.guardrails { break-inside: avoid; margin-bottom: 8px; } }
"#;
