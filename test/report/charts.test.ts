// Chart builders: every spec compiles with Vega-Lite without warnings, and the
// builders' own logic (colours, fits, escaping) does what the charts rely on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compile } from "vega-lite";
import { pearson } from "../../src/analysis/stats.js";
import { COLORBLIND_PALETTE, barChart, colorMapping, colorScale, fieldRef, heatmap, lineChart, scatterChart, type VegaLiteSpec } from "../../src/report/index.js";
import { LANGS, sampleReport, scatterRows } from "./fixture.js";

/** Compiles a spec to Vega and returns the warnings Vega-Lite raised. */
function compileWarnings(spec: VegaLiteSpec): string[] {
  const warnings: string[] = [];
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: (...m: unknown[]) => warnings.push(`error: ${m.join(" ")}`),
    warn: (...m: unknown[]) => warnings.push(m.join(" ")),
    info: () => logger,
    debug: () => logger,
  };
  compile(spec as unknown as Parameters<typeof compile>[0], { logger: logger as never });
  return warnings;
}

const allCharts = () => sampleReport().sections.flatMap((s) => s.charts ?? []);

test("every chart in the sample report compiles to Vega without warnings", () => {
  const charts = allCharts();
  assert.equal(charts.length, 6);
  for (const chart of charts) assert.deepEqual(compileWarnings(chart.spec as VegaLiteSpec), [], `chart ${chart.id}`);
});

test("a language keeps its colour across charts that show different subsets", () => {
  const colors = colorMapping(LANGS);
  const rows = (langs: string[]) => langs.map((language, i) => ({ language, step: i, loss: i }));
  const a = lineChart({ rows: rows(["en", "de", "fr"]), x: "step", y: "loss", color: "language", colors });
  const b = lineChart({ rows: rows(["fr", "sw"]), x: "step", y: "loss", color: "language", colors });
  const scale = (s: VegaLiteSpec) => (s.encoding as { color: { scale: { domain: string[]; range: string[] } } }).color.scale;
  const fr = (s: VegaLiteSpec) => scale(s).range[scale(s).domain.indexOf("fr")];
  assert.equal(fr(a), colors.fr);
  assert.equal(fr(b), colors.fr);
  assert.deepEqual(scale(b).domain, ["fr", "sw"]);
});

test("colour mapping is sorted, palette-based and independent of input order", () => {
  assert.deepEqual(colorMapping(["sw", "en", "de", "en"]), { de: COLORBLIND_PALETTE[0], en: COLORBLIND_PALETTE[1], sw: COLORBLIND_PALETTE[2] });
  assert.deepEqual(colorMapping(["b", "a"]), colorMapping(["a", "b"]));
  // Unmapped names avoid colours already taken by mapped ones.
  const s = colorScale(["x", "y"], { x: COLORBLIND_PALETTE[0] });
  assert.deepEqual(s, { domain: ["x", "y"], range: [COLORBLIND_PALETTE[0], COLORBLIND_PALETTE[1]] });
});

test("field names with dots are escaped so Vega-Lite reads them as flat columns", () => {
  assert.equal(fieldRef("tokens.per.word"), "tokens\\.per\\.word");
  assert.equal(fieldRef("a[0]"), "a\\[0\\]");
  assert.equal(fieldRef("plain"), "plain");
});


test("the scatter trendline passes through the least-squares fit and notes r", () => {
  const rows = [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }, { x: 3, y: 7.5 }];
  const spec = scatterChart({ rows, x: "x", y: "y", trendline: true });
  const layers = spec.layer as { data?: { values: Record<string, number | string>[] } }[];
  const line = layers[0].data!.values;
  // Least squares by hand: mean x 1.5, mean y 4.125, slope 2.15, intercept 0.9.
  assert.deepEqual(line.map((p) => p.x), [0, 3]);
  assert.ok(Math.abs((line[0].y as number) - 0.9) < 1e-12);
  assert.ok(Math.abs((line[1].y as number) - (0.9 + 3 * 2.15)) < 1e-12);
  const note = layers.at(-1)!.data!.values[0].note as string;
  assert.match(note, new RegExp(`^r = ${pearson([0, 1, 2, 3], [1, 3, 5, 7.5]).toFixed(3)}, n = 4$`));
  assert.equal(scatterChart({ rows: scatterRows, x: "tokens.per.word", y: "perplexity" }).layer instanceof Array, true);
});

test("builders reject fields no row has and half-given error bars", () => {
  const rows = [{ language: "en", ppl: 3 }];
  assert.throws(() => barChart({ rows, x: "language", y: "perplexity" }), /no row has field "perplexity"/);
  assert.throws(() => barChart({ rows, x: "language", y: "ppl", errorLow: "ppl" }), /go together/);
  assert.throws(() => heatmap({ rows, x: "language", y: "layer", value: "ppl" }), /"layer"/);
});

test("heatmap text switches to white below the middle of the colour domain", () => {
  const spec = heatmap({ rows: [{ l: 0, p: "a", v: 0.2 }, { l: 1, p: "a", v: 0.8 }], x: "p", y: "l", value: "v", domain: [0, 1] });
  const text = (spec.layer as { encoding: { color?: { condition?: { test: string } } } }[])[1];
  assert.equal(text.encoding.color?.condition?.test, 'datum["v"] < 0.5');
});
