// Renders a report with every chart type and checks it in a real browser.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, allSettled, chartStates, openReport, skip } from "./browser.js";
import { chromium } from "playwright-core";
import { writeReport } from "../../src/report/index.js";
import { heatmapRows, LANGS, perplexityRows, sampleReport, scatterRows, tableRows } from "./fixture.js";

describe("report in a browser", { skip }, () => {
  let browser: Browser;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "xling-report-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every chart renders offline, text stays safe, tables sort", { timeout: 40_000 }, async (t) => {
    const file = writeReport(join(dir, "nested", "report.html"), sampleReport());
    const { page, charts: states, problems } = await openReport(browser, file);

    assert.deepEqual(states.map((s) => s.id), ["loss", "loss-facet", "ppl", "scatter", "align", "profile"]);
    for (const s of states) {
      assert.equal(s.error, null, `chart ${s.id} failed: ${s.error}`);
      assert.equal(s.rendered, "true", `chart ${s.id} not marked rendered`);
      assert.ok(s.width > 100 && s.height > 100, `chart ${s.id} is ${s.width}x${s.height}`);
    }
    const byId = Object.fromEntries(states.map((s) => [s.id, s.marks]));
    // One line per (language, config), and one hover point per data row.
    assert.equal(byId.loss.line, LANGS.length * 2, `marks: ${JSON.stringify(byId)}`);
    // Faceted: one line mark group per panel, each with one line per language.
    assert.equal(byId["loss-facet"].line, LANGS.length * 2, `marks: ${JSON.stringify(byId)}`);
    // A bar per row, and per error bar a rule plus two caps (caps are tick marks, drawn as rects).
    assert.equal(byId.ppl.rect, perplexityRows.length * 3, `marks: ${JSON.stringify(byId)}`);
    assert.equal(byId.ppl.rule, perplexityRows.length, `marks: ${JSON.stringify(byId)}`);
    assert.equal(byId.scatter.symbol, scatterRows.length, `marks: ${JSON.stringify(byId)}`);
    assert.ok(byId.scatter.line >= 1, "scatter trendline missing");
    assert.equal(byId.align.rect, heatmapRows.length, `marks: ${JSON.stringify(byId)}`);
    assert.equal(byId.profile.line, 2, `marks: ${JSON.stringify(byId)}`);
    assert.equal(byId.profile.area, 2, `marks: ${JSON.stringify(byId)}`);

    // Injected markup is shown as text and never runs.
    assert.equal(await page.evaluate(() => (window as unknown as { __xlingInjected?: number }).__xlingInjected), undefined);
    assert.match(await page.textContent("h1") ?? "", /<script>window\.__xlingInjected = 1<\/script>/);
    assert.equal(await page.locator("main img").count(), 0);
    assert.equal(await page.title(), "Cross-lingual transfer <script>window.__xlingInjected = 1</script>");

    // The table has one row per data row, numbers formatted, markup escaped.
    const cells = () => page.$$eval("table.sortable tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    const initial = await cells();
    assert.equal(initial.length, tableRows.length);
    assert.deepEqual(initial[0], ["en", "1,234,567", "18.46", "1.235e-5"]);
    assert.deepEqual(initial[2].slice(0, 2), ["<b>fr</b>", "12,000"]);

    // Sorting: numbers numerically, both directions, empty cells last.
    await page.click("table.sortable th:nth-child(2) button");
    assert.deepEqual((await cells()).map((r) => r[1]), ["950", "12,000", "1,234,567"]);
    await page.click("table.sortable th:nth-child(2) button");
    assert.deepEqual((await cells()).map((r) => r[1]), ["1,234,567", "12,000", "950"]);
    await page.click("table.sortable th:nth-child(4) button");
    assert.deepEqual((await cells()).map((r) => r[3]), ["1.235e-5", "0.5", "—"]);
    await page.click("table.sortable th:nth-child(4) button");
    assert.deepEqual((await cells()).map((r) => r[3]), ["0.5", "1.235e-5", "—"]);

    if (process.env.XLING_REPORT_SCREENSHOT) {
      await page.screenshot({ path: process.env.XLING_REPORT_SCREENSHOT, fullPage: true });
      t.diagnostic(`screenshot: ${process.env.XLING_REPORT_SCREENSHOT}`);
    }

    // Charts follow the page width.
    const wide = states.find((s) => s.id === "loss")!.width;
    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForFunction((w) => {
      const svg = document.querySelector('[data-chart-id="loss"] svg');
      return svg !== null && svg.getBoundingClientRect().width < w - 200;
    }, wide, { timeout: 5_000 });

    assert.deepEqual(problems, []);
  });

  test("a chart that cannot be drawn is marked with its error and the others still render", { timeout: 20_000 }, async () => {
    const file = writeReport(join(dir, "broken.html"), {
      title: "Broken",
      sections: [{
        heading: "Charts",
        charts: [
          { id: "bad", title: "Bad", spec: { data: { values: [{ a: 1 }] }, mark: "no-such-mark", encoding: { x: { field: "a", type: "quantitative" } } } },
          { id: "good", title: "Good", spec: { data: { values: [{ a: 1 }, { a: 2 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } } },
        ],
      }],
    });
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(allSettled, null, { timeout: 15_000 });
    const states = await chartStates(page);
    assert.equal(states[0].rendered, null);
    assert.ok((states[0].error ?? "").length > 0, "the failed chart carries no error message");
    assert.match(await page.textContent('[data-chart-id="bad"]') ?? "", /could not be drawn/);
    assert.equal(states[1].rendered, "true");
    assert.equal(states[1].marks.symbol, 2);
    await page.close();
  });
});
