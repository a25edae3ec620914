// A small synthetic experiment report that uses every chart type and a table.
import { barChart, colorMapping, heatmap, layerProfile, lineChart, scatterChart, type Report, type Row } from "../../src/report/index.js";

export const LANGS = ["en", "de", "fr", "sw", "fi"];
export const CONFIGS = ["90/10", "50/50"];
export const STEPS = Array.from({ length: 21 }, (_, i) => i * 10);
export const LAYERS = [0, 1, 2, 3, 4, 5, 6];
export const PAIRS = ["en-de", "en-fr", "en-sw", "de-fr"];

/** Deterministic jitter in [-0.5, 0.5) so curves look measured, not drawn. */
function jitter(i: number): number {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

export const lossRows: Row[] = CONFIGS.flatMap((config, c) =>
  LANGS.flatMap((lang, l) =>
    STEPS.map((step, s) => ({ step, language: lang, config, loss: 2 + l * 0.3 + c * 0.2 + 6 * Math.exp(-step / 50) + 0.08 * jitter(s + 31 * l + 97 * c) })),
  ),
);

export const perplexityRows: Row[] = CONFIGS.flatMap((config, c) =>
  LANGS.map((lang, l) => {
    const ppl = 18 + l * 4 + c * 3 + 2 * jitter(l + 7 * c);
    return { language: lang, config, perplexity: ppl, low: ppl - 1.5 - l * 0.3, high: ppl + 1.5 + l * 0.3 };
  }),
);

export const scatterRows: Row[] = LANGS.map((lang, l) => ({
  language: lang,
  "tokens.per.word": 1.2 + l * 0.25 + 0.1 * jitter(l),
  perplexity: 15 + l * 5 + 2 * jitter(l + 3),
}));

export const heatmapRows: Row[] = LAYERS.flatMap((layer) =>
  PAIRS.map((pair, p) => ({ layer, pair, cosine: Math.min(1, 0.2 + 0.1 * layer - 0.06 * p + 0.05 * jitter(layer * 5 + p)) })),
);

export const profileRows: Row[] = ["90/10", "50/50"].flatMap((series, k) =>
  LAYERS.map((layer) => {
    const v = 0.3 + 0.5 * Math.sin((layer / 6) * Math.PI) * (k === 0 ? 0.7 : 1);
    return { series, layer, cosine: v, min: v - 0.05, max: v + 0.05 };
  }),
);

export const INJECTION = "<script>window.__xlingInjected = 1</script>";

export const tableRows: (string | number | null)[][] = [
  ["en", 1234567, 18.4567, 0.0000123456],
  ["de", 950, 22.1, null],
  ["<b>fr</b>", 12000, 9.87654, 0.5],
];

export function sampleReport(): Report {
  const colors = colorMapping(LANGS);
  return {
    title: `Cross-lingual transfer ${INJECTION}`,
    subtitle: "Synthetic data for the report test; `tiny-gpt` on five languages",
    generatedAt: "2025-01-01T00:00:00Z",
    sections: [
      {
        heading: "Training",
        paragraphs: ["Loss per language over training steps, for two sampling mixtures.", `A paragraph with markup that must stay text: <img src=x onerror="window.__xlingInjected = 2">`],
        facts: [
          { label: "Languages", value: String(LANGS.length) },
          { label: "Steps", value: "200" },
          { label: "Parameters", value: "1.2M" },
        ],
        charts: [
          { id: "loss", title: "Validation loss", spec: lineChart({ rows: lossRows, x: "step", y: "loss", color: "language", strokeDash: "config", colors }), caption: "Solid: 50/50, dashed: 90/10." },
          { id: "loss-facet", title: "Loss by mixture (log scale)", spec: lineChart({ rows: lossRows, x: "step", y: "loss", color: "language", facet: "config", logY: true, colors }) },
        ],
      },
      {
        heading: "Evaluation",
        charts: [
          { id: "ppl", title: "Perplexity with 95% intervals", spec: barChart({ rows: perplexityRows, x: "language", y: "perplexity", xOffset: "config", errorLow: "low", errorHigh: "high" }) },
          { id: "scatter", title: "Tokenizer fertility vs perplexity", spec: scatterChart({ rows: scatterRows, x: "tokens.per.word", y: "perplexity", color: "language", label: "language", trendline: true, colors }) },
        ],
        tables: [{ title: "Per-language results", columns: ["language", "tokens", "perplexity", "p-value"], rows: tableRows, caption: "Click a header to sort." }],
      },
      {
        heading: "Representations",
        charts: [
          { id: "align", title: "Alignment by layer", spec: heatmap({ rows: heatmapRows, x: "pair", y: "layer", value: "cosine", domain: [0, 1] }) },
          { id: "profile", title: "Hidden-state cosine by layer", spec: layerProfile({ rows: profileRows, layer: "layer", value: "cosine", series: "series", bandLow: "min", bandHigh: "max" }) },
        ],
      },
    ],
  };
}
