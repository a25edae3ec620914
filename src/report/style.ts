/** The report's stylesheet, inlined so the file needs nothing else to look right. */
export const STYLESHEET = `
:root {
  --ink: #1d2330;
  --muted: #5b6475;
  --line: #e3e6ec;
  --panel: #ffffff;
  --page: #f5f6f8;
  --accent: #0b62a4;
  --zebra: #f8f9fb;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--page);
  line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; }
main { max-width: 1080px; margin: 0 auto; padding: 0 24px 64px; }
header.report-head {
  background: var(--ink);
  color: #fff;
  padding: 36px 24px 28px;
  margin-bottom: 28px;
}
header.report-head > div { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
header.report-head h1 { margin: 0; font-size: 1.9rem; font-weight: 650; letter-spacing: -0.01em; overflow-wrap: anywhere; }
header.report-head .subtitle { margin: 6px 0 0; color: #c9d1de; font-size: 1.05rem; }
header.report-head code { background: rgba(255, 255, 255, 0.14); color: inherit; }
header.report-head .generated { margin: 12px 0 0; color: #98a3b5; font-size: 0.85rem; }
nav.toc {
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 14px 20px;
  margin-bottom: 28px;
}
nav.toc h2 { margin: 0 0 6px; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); }
nav.toc ol { margin: 0; padding-left: 1.3em; }
nav.toc > ol { columns: 2 260px; column-gap: 32px; }
nav.toc > ol > li { break-inside: avoid; }
nav.toc ol ol { padding-left: 1.1em; list-style: none; font-size: 0.9rem; }
nav.toc li { margin: 2px 0; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section.report-section { margin: 0 0 40px; }
section.report-section > h2 {
  font-size: 1.4rem;
  margin: 0 0 12px;
  padding-bottom: 6px;
  border-bottom: 2px solid var(--line);
}
p { margin: 0 0 12px; max-width: 78ch; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; background: #eceef2; padding: 1px 4px; border-radius: 3px; }
dl.facts {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
  gap: 10px;
  margin: 16px 0 20px;
}
dl.facts > div { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
dl.facts dt { font-size: 0.78rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
dl.facts dd { margin: 2px 0 0; font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
figure.chart, figure.table {
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: 8px;
  margin: 0 0 20px;
  padding: 16px 18px 12px;
}
figure h3 { margin: 0 0 10px; font-size: 1.05rem; font-weight: 600; }
figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 8px; }
.chart-view { width: 100%; min-height: 60px; }
.chart-view.vega-embed { display: block; }
.chart-error { color: #a11; background: #fff1f1; border: 1px solid #f3c4c4; border-radius: 6px; padding: 10px 12px; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: #a0a7b4; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody tr:hover { background: #eef4fb; }
thead th { border-bottom: 2px solid #cfd4dc; padding: 0; }
thead th button {
  all: unset;
  box-sizing: border-box;
  display: block;
  width: 100%;
  padding: 6px 10px;
  font-weight: 600;
  cursor: pointer;
  text-align: inherit;
}
thead th button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
thead th button::after { content: "\\2195"; color: #b3b9c4; margin-left: 6px; font-size: 0.8em; }
thead th[aria-sort="ascending"] button::after { content: "\\25B2"; color: var(--accent); }
thead th[aria-sort="descending"] button::after { content: "\\25BC"; color: var(--accent); }
footer.report-foot { color: var(--muted); font-size: 0.8rem; text-align: center; padding: 24px 0 0; }
@media print {
  :root { background: #fff; }
  header.report-head { background: #fff; color: var(--ink); padding-bottom: 0; }
  header.report-head .subtitle, header.report-head .generated { color: var(--muted); }
  nav.toc { display: none; }
  figure.chart, figure.table { break-inside: avoid; border: none; padding: 0; }
  .vega-embed details { display: none; }
}
`;
