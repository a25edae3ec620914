// HTML output without a browser: escaping, number formatting, structure and validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeHtml, formatNumber, jsonForScript, renderReport, writeReport, type Report } from "../../src/report/index.js";
import { inlineScriptText } from "../../src/report/vendor.js";
import { INJECTION, sampleReport } from "./fixture.js";

test("escapeHtml neutralises every markup character", () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  assert.equal(escapeHtml("plain text"), "plain text");
});

test("formatNumber: grouped integers, 4 significant digits, exponents at the extremes", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "0"],
    [7, "7"],
    [950, "950"],
    [1234567, "1,234,567"],
    [-1234567, "-1,234,567"],
    [3.14159, "3.142"],
    [0.5, "0.5"],
    [2.5, "2.5"],
    [18.4567, "18.46"],
    [0.012345678, "0.01235"],
    [999.96, "1,000"],
    [12345.678, "12,346"],
    [0.0000123456, "1.235e-5"],
    [-0.0000123456, "-1.235e-5"],
    [2e-7, "2e-7"],
    [1.5e22, "1.5e22"],
    [NaN, "NaN"],
    [Infinity, "∞"],
    [-Infinity, "-∞"],
  ];
  for (const [value, expected] of cases) assert.equal(formatNumber(value), expected, `formatNumber(${value})`);
});

test("JSON and scripts for inline <script> elements cannot close the element", () => {
  const json = jsonForScript({ s: "</script><!-- & \u2028" });
  assert.doesNotMatch(json, /<|>|&|\u2028/);
  assert.deepEqual(JSON.parse(json), { s: "</script><!-- & \u2028" });
  const code = inlineScriptText(`const a = "</script>"; const b = /<script/i; // <!-- x`);
  assert.doesNotMatch(code, /<\/script|<script|<!--/i);
  // The escaped code means the same thing.
  assert.deepEqual(new Function(`${code}\nreturn [a, b.test("<SCRIPT"), b.test("script")];`)(), ["</script>", true, false]);
});

test("the rendered page escapes all report text and embeds charts as JSON", () => {
  const html = renderReport(sampleReport());
  assert.ok(!html.includes(INJECTION), "raw injected script found in the HTML");
  assert.ok(html.includes(escapeHtml(INJECTION)));
  assert.doesNotMatch(html, /<img src=x/);
  // Exactly the library scripts, the two JSON blocks and two small scripts.
  assert.equal(html.match(/<script\b/g)?.length, 3 + 2 + 2);
  for (const id of ["loss", "loss-facet", "ppl", "scatter", "align", "profile"]) assert.ok(html.includes(`data-chart-id="${id}"`), id);
  const specs = JSON.parse(html.match(/<script type="application\/json" id="xling-chart-specs">(.*?)<\/script>/s)![1]);
  assert.deepEqual(Object.keys(specs), ["loss", "loss-facet", "ppl", "scatter", "align", "profile"]);
  assert.equal(specs.ppl.data.values.length, 10);
  // Every TOC link points at an element that exists.
  for (const [, anchor] of html.matchAll(/<a href="#([^"]+)"/g)) assert.ok(html.includes(`id="${anchor}"`), anchor);
});

test("chart data that contains a closing script tag stays inside its JSON block", () => {
  const report: Report = {
    title: "t",
    sections: [{ heading: "h", charts: [{ id: "c", title: "c", spec: { mark: "point", data: { values: [{ a: "</script><script>alert(1)</script>" }] } } }] }],
  };
  const html = renderReport(report);
  assert.doesNotMatch(html, /alert\(1\)<\/script>/);
  const block = html.match(/id="xling-chart-specs">(.*?)<\/script>/s)![1];
  assert.equal(JSON.parse(block).c.data.values[0].a, "</script><script>alert(1)</script>");
});

test("renderReport rejects duplicate chart ids and ragged tables", () => {
  const chart = { id: "a", title: "A", spec: {} };
  assert.throws(() => renderReport({ title: "t", sections: [{ heading: "h", charts: [chart, chart] }] }), /used twice/);
  const table = { columns: ["x", "y"], rows: [[1, 2], [3]] };
  assert.throws(() => renderReport({ title: "t", sections: [{ heading: "h", tables: [table] }] }), /row 1 has 1 cells for 2 columns/);
});

test("table cells: numbers formatted with their raw value for sorting, nulls marked empty", () => {
  const html = renderReport({ title: "t", sections: [{ heading: "h", tables: [{ columns: ["n", "s"], rows: [[1234.5678, "<i>x</i>"], [null, "y"]] }] }] });
  assert.match(html, /<td class="num" data-sort="1234.5678" title="1234.5678">1,235<\/td>/);
  assert.match(html, /<td class="empty num" data-empty="">—<\/td>/);
  assert.match(html, /<td>&lt;i&gt;x&lt;\/i&gt;<\/td>/);
});

test("writeReport writes the page atomically into new folders and returns its path", () => {
  const dir = mkdtempSync(join(tmpdir(), "xling-write-"));
  try {
    const report = sampleReport();
    const path = writeReport(join(dir, "a", "b", "report.html"), report);
    assert.equal(path, join(dir, "a", "b", "report.html"));
    assert.equal(readFileSync(path, "utf8"), renderReport(report));
    assert.deepEqual(readdirSync(join(dir, "a", "b")), ["report.html"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
