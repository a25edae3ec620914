/**
 * Renders a report to one self-contained HTML file: stylesheet, Vega libraries, chart
 * specs and data all inline, so the file can be mailed, archived or opened from disk.
 */
import { EMBED_SCRIPT, SORT_SCRIPT } from "./client.js";
import { STYLESHEET } from "./style.js";
import { inlineScriptText, vegaScripts } from "./vendor.js";

export interface Fact {
  label: string;
  value: string;
}

export interface Chart {
  /** Unique within the report. */
  id: string;
  title: string;
  /** A Vega-Lite spec with its data inline (see charts.ts). */
  spec: object;
  caption?: string;
}

export type Cell = string | number | null;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
  caption?: string;
}

export interface Section {
  heading: string;
  /** Plain text; `backticks` mark code. */
  paragraphs?: string[];
  facts?: Fact[];
  charts?: Chart[];
  tables?: Table[];
}

export interface Report {
  title: string;
  subtitle?: string;
  /** Shown as given, e.g. an ISO timestamp. */
  generatedAt?: string;
  sections: Section[];
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Escaped text in which `code` spans become <code> elements. */
function richText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/**
 * JSON that can sit inside a <script> element: "<", ">" and "&" become \u escapes so no
 * string in the data can close the element or open a comment, and U+2028/2029 are
 * escaped for older parsers that treat them as line ends.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats a number for a table or fact: integers in full with thousands separators;
 * other numbers to 4 significant digits without trailing zeros (0.1235, 12.5);
 * non-integers of 1000 or more rounded to whole numbers (12,346), since the digits after
 * the point no longer matter at that size; very small or huge values in exponent form.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  if (Object.is(value, -0)) return "0";
  // ASCII minus so values pasted into a spreadsheet stay numbers.
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  if (abs >= 1e21 || (abs < 1e-4 && abs !== 0)) {
    const [mantissa, exponent] = abs.toExponential(3).split("e");
    return `${sign}${mantissa.replace(/\.?0+$/, "")}e${exponent.replace("+", "")}`;
  }
  // Rounding first catches values such as 999.96 that only reach 1000 once rounded.
  if (Number.isInteger(abs) || Number(abs.toPrecision(4)) >= 1000) return sign + groupThousands(Math.round(abs).toFixed(0));
  return sign + abs.toPrecision(4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** Options for vega-embed; the config gives every chart the report's look. */
const EMBED_OPTIONS = {
  mode: "vega-lite",
  renderer: "svg",
  // Only actions that work offline: the editor and source views would need the network.
  actions: { export: true, source: false, compiled: false, editor: false },
  config: {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    view: { stroke: null },
    axis: {
      labelColor: "#4a5263",
      titleColor: "#1d2330",
      titleFontWeight: 600,
      titleFontSize: 12,
      labelFontSize: 11,
      gridColor: "#eceef2",
      domainColor: "#9aa2b1",
      tickColor: "#9aa2b1",
    },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, labelColor: "#4a5263", titleColor: "#1d2330" },
    header: { labelColor: "#1d2330", titleColor: "#1d2330" },
  },
};

/** Blocks every network fetch, so a report that works here provably works offline. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // Vega compiles its expressions with Function(), which needs 'unsafe-eval'.
  "script-src 'unsafe-inline' 'unsafe-eval'",
  "style-src 'unsafe-inline'",
  "img-src data: blob:",
  "font-src data:",
].join("; ");

function validate(report: Report): void {
  const ids = new Set<string>();
  for (const section of report.sections) {
    for (const chart of section.charts ?? []) {
      if (chart.id === "") throw new Error(`chart "${chart.title}" has an empty id`);
      if (ids.has(chart.id)) throw new Error(`chart id "${chart.id}" is used twice`);
      if (chart.spec === null || typeof chart.spec !== "object") throw new Error(`chart "${chart.id}" has no spec object`);
      ids.add(chart.id);
    }
    for (const table of section.tables ?? []) {
      table.rows.forEach((row, i) => {
        if (row.length !== table.columns.length) {
          throw new Error(`table "${table.title ?? section.heading}": row ${i} has ${row.length} cells for ${table.columns.length} columns`);
        }
      });
    }
  }
}

/** Columns whose present values are all numbers are right-aligned. */
function numericColumns(table: Table): boolean[] {
  return table.columns.map((_, c) => {
    const present = table.rows.map((r) => r[c]).filter((v) => v !== null);
    return present.length > 0 && present.every((v) => typeof v === "number");
  });
}

function renderCell(value: Cell, numericColumn: boolean): string {
  if (value === null) return `<td class="empty${numericColumn ? " num" : ""}" data-empty="">—</td>`;
  if (typeof value === "number") {
    const shown = formatNumber(value);
    const raw = String(value);
    // The exact value stays readable on hover when formatting shortened it.
    const title = shown === raw ? "" : ` title="${escapeHtml(raw)}"`;
    return `<td class="num" data-sort="${escapeHtml(raw)}"${title}>${escapeHtml(shown)}</td>`;
  }
  return `<td>${escapeHtml(value)}</td>`;
}

function renderTable(table: Table, anchor: string): string {
  const numeric = numericColumns(table);
  const head = table.columns
    .map((col, c) => `<th scope="col"${numeric[c] ? ' class="num"' : ""}><button type="button">${escapeHtml(col)}</button></th>`)
    .join("");
  const body = table.rows.map((row) => `<tr>${row.map((v, c) => renderCell(v, numeric[c])).join("")}</tr>`).join("\n");
  return [
    `<figure class="table" id="${anchor}">`,
    table.title ? `<h3>${escapeHtml(table.title)}</h3>` : "",
    `<div class="table-scroll"><table class="sortable"><thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table></div>`,
    table.caption ? `<figcaption>${richText(table.caption)}</figcaption>` : "",
    `</figure>`,
  ].join("\n");
}

function renderChart(chart: Chart, anchor: string): string {
  return [
    `<figure class="chart" id="${anchor}">`,
    `<h3>${escapeHtml(chart.title)}</h3>`,
    `<div class="chart-view" data-chart-id="${escapeHtml(chart.id)}" role="img" aria-label="${escapeHtml(chart.title)}"></div>`,
    chart.caption ? `<figcaption>${richText(chart.caption)}</figcaption>` : "",
    `</figure>`,
  ].join("\n");
}

function renderFacts(facts: Fact[]): string {
  const items = facts.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd></div>`);
  return `<dl class="facts">${items.join("")}</dl>`;
}

const sectionAnchor = (s: number) => `s${s + 1}`;
const chartAnchor = (s: number, c: number) => `s${s + 1}-chart${c + 1}`;
const tableAnchor = (s: number, t: number) => `s${s + 1}-table${t + 1}`;

function renderSection(section: Section, s: number): string {
  return [
    `<section class="report-section" id="${sectionAnchor(s)}">`,
    `<h2>${escapeHtml(section.heading)}</h2>`,
    ...(section.paragraphs ?? []).map((p) => `<p>${richText(p)}</p>`),
    section.facts && section.facts.length > 0 ? renderFacts(section.facts) : "",
    ...(section.charts ?? []).map((c, i) => renderChart(c, chartAnchor(s, i))),
    ...(section.tables ?? []).map((t, i) => renderTable(t, tableAnchor(s, i))),
    `</section>`,
  ].join("\n");
}

function renderToc(report: Report): string {
  const items = report.sections.map((section, s) => {
    const sub = [
      ...(section.charts ?? []).map((c, i) => ({ href: chartAnchor(s, i), text: c.title })),
      ...(section.tables ?? []).flatMap((t, i) => (t.title ? [{ href: tableAnchor(s, i), text: t.title }] : [])),
    ];
    const subList = sub.length > 0 ? `<ol>${sub.map((x) => `<li><a href="#${x.href}">${escapeHtml(x.text)}</a></li>`).join("")}</ol>` : "";
    return `<li><a href="#${sectionAnchor(s)}">${escapeHtml(section.heading)}</a>${subList}</li>`;
  });
  return `<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>${items.join("")}</ol></nav>`;
}

/** The whole report as one HTML document. Throws on duplicate chart ids or ragged tables. */
export function renderReport(report: Report): string {
  validate(report);
  const specs: Record<string, object> = {};
  for (const section of report.sections) for (const chart of section.charts ?? []) specs[chart.id] = chart.spec;
  const libraries = vegaScripts().map((lib) => `<script data-library="${escapeHtml(lib.name)}">${lib.code}</script>`);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${STYLESHEET}</style>`,
    "</head>",
    "<body>",
    '<header class="report-head"><div>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    report.subtitle ? `<p class="subtitle">${richText(report.subtitle)}</p>` : "",
    report.generatedAt ? `<p class="generated">Generated ${escapeHtml(report.generatedAt)}</p>` : "",
    "</div></header>",
    "<main>",
    report.sections.length > 1 ? renderToc(report) : "",
    ...report.sections.map(renderSection),
    '<footer class="report-foot">Made with xling</footer>',
    "</main>",
    `<script type="application/json" id="xling-chart-specs">${jsonForScript(specs)}</script>`,
    `<script type="application/json" id="xling-embed-options">${jsonForScript(EMBED_OPTIONS)}</script>`,
    ...libraries,
    `<script>${inlineScriptText(SORT_SCRIPT)}</script>`,
    `<script>${inlineScriptText(EMBED_SCRIPT)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
