/**
 * The pages' one stylesheet, inlined by the layout (no external assets). Light and dark through
 * custom properties; controls at least 44 px tall for touch; one narrow column that fits Vercel's
 * popup window and a phone.
 */
export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --surface: #fff; --fg: #1a1d21; --muted: #5b6470; --border: #d5dae0;
  --accent: #0a58ca; --on-accent: #fff; --focus: #0a58ca;
  --error: #b42318; --error-bg: #fdeceb; --ok: #16794a; --ok-bg: #e7f5ee; --info-bg: #e8f0fc;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --surface: #161b22; --fg: #e6e9ed; --muted: #9aa4b1; --border: #30363d;
    --accent: #6ea8fe; --on-accent: #0e1116; --focus: #6ea8fe;
    --error: #ffa198; --error-bg: #3b1a19; --ok: #7ee2a8; --ok-bg: #12301f; --info-bg: #16243a;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
.site { max-width: 34rem; margin: 0 auto; padding: 2.5rem 1rem 3rem; }
.brand {
  display: flex; align-items: center; gap: .5rem; margin: 0 0 1.25rem;
  color: var(--muted); font-weight: 600; font-size: .9375rem; letter-spacing: .01em;
}
.brand::before {
  content: ""; width: .875rem; height: .875rem; border-radius: 3px; background: var(--accent);
}
.card {
  background: var(--surface); border: 1px solid var(--border); border-radius: 12px;
  padding: 1.75rem; box-shadow: 0 1px 2px rgb(0 0 0 / .04);
}
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .75rem; letter-spacing: -.01em; }
p { margin: 0 0 1rem; }
.card > :last-child { margin-bottom: 0; }
.lead { color: var(--muted); }
a { color: var(--accent); text-underline-offset: .15em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link {
  position: absolute; top: .5rem; left: .5rem; z-index: 10; padding: .625rem 1rem;
  background: var(--surface); color: var(--accent); font-weight: 600;
  border: 1px solid var(--border); border-radius: 8px; transform: translateY(calc(-100% - 1rem));
}
.skip-link:focus { transform: none; }
main:focus { outline: none; }
.field { margin: 0 0 1.25rem; }
.field label { display: block; font-weight: 600; margin: 0 0 .375rem; }
.hint { color: var(--muted); font-size: .875rem; margin: .375rem 0 0; }
input, select, textarea {
  display: block; width: 100%; min-height: 2.75rem; padding: .5rem .75rem;
  font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px;
}
input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] {
  border-color: var(--error); border-width: 2px;
}
.field-error { color: var(--error); font-size: .875rem; font-weight: 600; margin: .375rem 0 0; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1.25rem; background: var(--info-bg); }
.notice-error { background: var(--error-bg); color: var(--error); }
.notice-success { background: var(--ok-bg); color: var(--ok); }
.notice ul { margin: .25rem 0 0; padding-left: 1.25rem; }
.notice p { margin: 0; }
.button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 2.75rem;
  padding: .5rem 1.25rem; border: 1px solid var(--accent); border-radius: 8px;
  background: var(--accent); color: var(--on-accent); font: inherit; font-weight: 600;
  text-decoration: none; cursor: pointer;
}
.button-secondary { background: transparent; color: var(--fg); border-color: var(--border); }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1.5rem 0 0; }
.site-wide { max-width: 46rem; }
h2 { font-size: 1.125rem; margin: 1.75rem 0 .5rem; }
fieldset { border: 0; margin: 0 0 1.25rem; padding: 0; min-width: 0; }
legend { font-weight: 600; padding: 0; margin: 0 0 .375rem; }
.group { border: 1px solid var(--border); border-radius: 8px; padding: .5rem .75rem; margin: 0 0 .625rem; }
.group legend { float: left; width: 100%; margin: .25rem 0; }
.group legend + * { clear: left; }
.check { display: flex; align-items: flex-start; gap: .5rem; min-height: 2.25rem; padding: .25rem 0; }
.check input { display: inline; width: 1.125rem; height: 1.125rem; min-height: 0; margin: .2rem 0 0; flex: none; accent-color: var(--accent); }
.check label { font-weight: 400; margin: 0; overflow-wrap: anywhere; }
.check-all label { font-weight: 600; }
.checks { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); column-gap: 1rem; }
details > summary { cursor: pointer; color: var(--accent); min-height: 2.25rem; padding: .375rem 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875em; }
.secret { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875rem; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: .375rem 1rem; margin: 0 0 1rem; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; margin: 0 0 1rem; }
.live-new td { background: var(--info-bg); }
table { width: 100%; border-collapse: collapse; font-size: .875rem; }
th, td { text-align: left; padding: .5rem .5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.status { font-weight: 600; white-space: nowrap; }
.status-succeeded { color: var(--ok); }
.status-failed { color: var(--error); }
.status-pending { color: var(--muted); }
.empty { color: var(--muted); }
.button-danger { background: var(--error); border-color: var(--error); color: var(--on-accent); }
.danger-zone { border-top: 1px solid var(--border); margin-top: 2rem; padding-top: .5rem; }
form.inline { display: contents; }
.choices { padding-left: 1.625rem; }
.tag {
  display: inline-block; margin-left: .25rem; padding: 0 .5rem; border: 1px solid var(--border);
  border-radius: 999px; color: var(--muted); font-size: .75rem; font-weight: 600; white-space: nowrap;
}
.choice-row { display: flex; flex-wrap: wrap; column-gap: 1.25rem; }
.run-item .run-what { margin: 0 0 .25rem; }
.runs-intro { margin: 0 0 .75rem; }
.notice .error-code { margin-top: .25rem; font-size: .875rem; }
.topbar { background: var(--surface); border-bottom: 1px solid var(--border); }
.topbar-inner {
  max-width: 72rem; margin: 0 auto; padding: .5rem 1rem; display: flex; flex-wrap: wrap;
  align-items: center; gap: .5rem 1.5rem;
}
.brand-link { margin: 0; text-decoration: none; color: var(--fg); min-height: 2.75rem; }
.nav { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex: 1; }
.nav a {
  display: inline-flex; align-items: center; min-height: 2.75rem; padding: 0 .75rem;
  border-radius: 8px; color: var(--fg); text-decoration: none; font-weight: 500;
}
.nav a[aria-current="page"] { background: var(--info-bg); color: var(--accent); font-weight: 600; }
.sign-out { margin-left: auto; }
.button-small { min-height: 2.25rem; padding: .25rem .875rem; font-size: .875rem; }
.console { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.console > h1 { margin-top: .5rem; }
.panel {
  background: var(--surface); border: 1px solid var(--border); border-radius: 12px;
  padding: 1.25rem; margin: 0 0 1.25rem;
}
.panel > :last-child { margin-bottom: 0; }
.panel h2 { margin-top: 0; }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0 1rem; align-items: end; }
.filters .field { margin-bottom: .75rem; }
.filters .button { margin-bottom: .75rem; }
.pager { display: flex; justify-content: flex-end; gap: .75rem; }
pre.payload {
  margin: 0; padding: .75rem; overflow: auto; max-height: 32rem; background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px; font-size: .8125rem; line-height: 1.5;
}
.attempts { margin: .25rem 0 0; padding-left: 1.25rem; font-size: .8125rem; }
.attempts li { margin: 0 0 .25rem; }
.sign-in { max-width: 26rem; margin: 3rem auto 0; }
.page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem; }
.page-head h1, .page-head h2 { margin: .5rem 0; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0 1rem; }
.destination-form .form-group { margin: 0; }
.url-line { overflow-wrap: anywhere; margin: .125rem 0 0; }
.tag-runtime { color: var(--accent); }
.secret-once code.secret { display: block; padding: .5rem .75rem; background: var(--bg); border-radius: 8px; overflow-wrap: anywhere; user-select: all; }
.secret-once p + p { margin-top: .5rem; }
.status-dead { color: var(--error); }
.select-cell { width: 1%; }
.select-cell input { width: 1.25rem; height: 1.25rem; min-height: 0; margin: 0; accent-color: var(--accent); }
.last-answer { overflow-wrap: anywhere; }
.actions-row { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0 0; }
.confirm-count { font-size: 1.125rem; font-weight: 600; }
.died { white-space: nowrap; font-size: .8125rem; }
.narrow-only { display: none; }
.filter-text { overflow-wrap: anywhere; min-width: 14rem; }
.filter-help { margin: 0 0 1rem; }
.test-ask { grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.route-form > .panel > legend, .route-form fieldset.panel > legend { float: left; width: 100%; font-size: 1.125rem; margin: 0 0 .75rem; }
.route-form fieldset.panel > legend + * { clear: left; }
.route-form .actions { margin: 0 0 1.25rem; }
.route-choices legend { margin-bottom: .25rem; }
.filter-group-nested { border-left: 3px solid var(--accent); padding: .5rem 0 .25rem .75rem; margin: 0 0 .75rem; }
.filter-logic { max-width: 20rem; margin-bottom: .75rem; }
.filter-nodes { list-style: none; margin: 0; padding: 0; }
.filter-nodes > li { margin: 0 0 .75rem; }
.condition {
  display: grid; grid-template-columns: minmax(10rem, 2fr) minmax(8rem, 1fr) minmax(10rem, 2fr) auto;
  gap: 0 .75rem; align-items: end; padding: .625rem .75rem; border: 1px solid var(--border); border-radius: 8px;
}
.condition .field { margin: 0; }
.condition .field-error { grid-column: 1 / -1; }
.filter-buttons { display: flex; flex-wrap: wrap; gap: .5rem; }
textarea.code { font-size: .8125rem; line-height: 1.5; resize: vertical; }
.test-conditions td:nth-child(2) { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  .condition { grid-template-columns: 1fr 1fr; gap: .5rem .75rem; }
  .condition .field:first-child { grid-column: 1 / -1; }
  .condition-remove { grid-column: 1 / -1; }
  table.routes thead, table.test-conditions thead { display: none; }
  table.routes tr, table.test-conditions tr { display: block; padding: .5rem 0; border-bottom: 1px solid var(--border); }
  table.routes td, table.routes td:nth-child(4), table.test-conditions td {
    display: block; border: 0; padding: .125rem 0; min-width: 0;
  }
  table.routes td[data-label]::before, table.test-conditions td[data-label]::before {
    content: attr(data-label) ": "; color: var(--muted); font-weight: 600; font-family: system-ui, sans-serif;
  }
}
@media (max-width: 30rem) {
  .condition { grid-template-columns: 1fr; }
}
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
@media (max-width: 40rem) {
  .nav { order: 3; flex-basis: 100%; }
  .console { padding: 1rem .75rem 2rem; }
  .panel { padding: 1rem; }
  .hide-narrow { display: none; }
  .died { font-size: .75rem; }
  .died .day { display: block; }
  .narrow-only { display: block; }
}
@media (max-width: 30rem) {
  dl.settings { grid-template-columns: 1fr; gap: 0; }
  dl.settings dd { margin: 0 0 .625rem; }
  th:nth-child(4), td:nth-child(4) { display: none; }
  th, td { padding: .5rem .375rem; }
  .site { padding: 1.25rem .75rem 2rem; }
  .card { padding: 1.25rem; }
  .actions .button { flex: 1 1 100%; }
  .choice-row { flex-direction: column; }
}
.updated { margin: -.25rem 0 1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 1rem; margin: 0 0 1.25rem; }
.figure {
  background: var(--surface); border: 1px solid var(--border); border-radius: 12px; padding: 1rem 1.25rem;
}
.figure dt { color: var(--muted); font-size: .875rem; font-weight: 600; }
.figure dd { margin: .25rem 0 0; }
.figure-value { display: block; font-size: 1.75rem; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
.figure-value a { color: inherit; }
.figure .hint { display: block; margin: .25rem 0 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem 1.5rem; }
.chart-box { margin: 0; min-width: 0; }
.chart-box figcaption { font-weight: 600; font-size: .9375rem; margin: 0 0 .25rem; }
.chart { display: block; width: 100%; height: auto; font-size: 11px; font-variant-numeric: tabular-nums; }
.chart text { fill: var(--muted); }
.chart-grid line { stroke: var(--border); stroke-width: 1; }
.chart-tick line { stroke: var(--muted); stroke-width: 1; }
.bar-events { fill: var(--accent); }
.bar-succeeded { fill: var(--ok); }
.bar-failed { fill: var(--error); }
.legend { font-weight: 400; font-size: .8125rem; color: var(--muted); white-space: nowrap; margin-left: .25rem; }
.swatch { display: inline-block; width: .75rem; height: .75rem; border-radius: 2px; vertical-align: -.05rem; margin-left: .25rem; }
.swatch-succeeded { background: var(--ok); }
.swatch-failed { background: var(--error); }
.chart-data { margin: .75rem 0 0; }
.chart-table { font-variant-numeric: tabular-nums; }
.chart-table th[scope="row"] { color: var(--fg); font-weight: 500; white-space: nowrap; }
.overview-lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 1.25rem; }
.overview-lists .panel { min-width: 0; }
.circuits { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 0 1.5rem; }
.circuits li {
  display: flex; justify-content: space-between; align-items: baseline; gap: .75rem;
  padding: .5rem 0; border-bottom: 1px solid var(--border); font-size: .875rem;
}
.circuit-name { min-width: 0; }
.circuit-name .url-line { display: block; }
.circuit-state { white-space: nowrap; }
@media (max-width: 40rem) {
  .topbar nav { order: 3; flex-basis: 100%; }
  .nav { flex-wrap: wrap; }
  .nav a { padding: 0 .5rem; white-space: nowrap; }
}
@media (max-width: 30rem) {
  .chart-table th:nth-child(4), .chart-table td:nth-child(4) { display: table-cell; }
  .figures { grid-template-columns: 1fr 1fr; gap: .75rem; }
  .figure { padding: .75rem; }
  .figure-value { font-size: 1.375rem; }
  .overview-lists { grid-template-columns: 1fr; }
  .charts { grid-template-columns: 1fr; }
  .chart { font-size: 13px; }
}
`;
