/**
 * Vega-Lite spec builders for the plots xling's reports need. Each takes plain row
 * objects (one per data point) and field names, and returns a self-contained spec with
 * the data inline, ready for `renderReport`.
 *
 * Chart titles are shown by the report as HTML headings, so builders put `title` in the
 * spec's `description` (read out as the chart's accessible label) rather than drawing it.
 */
import { pearson } from "../analysis/stats.js";
import { type ColorMap, colorScale } from "./colors.js";

export type Row = Readonly<Record<string, unknown>>;
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const DEFAULT_HEIGHT = 260;
/** Width of one panel in a faceted chart; Vega-Lite cannot size facets to the container. */
const FACET_WIDTH = 270;

/**
 * Vega-Lite reads dots and brackets in field names as nested access ("a.b" is a.b);
 * escaping them lets columns such as "loss.val" be used as they are.
 */
export function fieldRef(name: string): string {
  return name.replace(/([.[\]\\])/g, "\\$1");
}

/** A Vega expression that reads field `name` of the current datum. */
function datumExpr(name: string): string {
  return `datum[${JSON.stringify(name)}]`;
}

function isNumeric(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** True when every present (non-null) value of the field is a number. */
function allNumeric(rows: readonly Row[], field: string): boolean {
  let seen = false;
  for (const r of rows) {
    const v = r[field];
    if (v === null || v === undefined) continue;
    if (typeof v !== "number") return false;
    seen = true;
  }
  return seen;
}

function distinctStrings(rows: readonly Row[], field: string): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    const v = r[field];
    if (v !== null && v !== undefined) out.add(String(v));
  }
  return [...out];
}

function requireFields(kind: string, rows: readonly Row[], fields: (string | undefined)[]): void {
  if (rows.length === 0) return;
  const known = new Set(rows.flatMap((r) => Object.keys(r)));
  for (const f of fields) {
    if (f !== undefined && !known.has(f)) throw new Error(`${kind}: no row has field "${f}"`);
  }
}

/**
 * A nominal colour encoding with the report's stable colours. Category values are
 * stringified so numeric series names (e.g. layer sizes) map the same way as strings.
 */
function colorEncoding(rows: readonly Row[], field: string, colors: ColorMap | undefined): Record<string, unknown> {
  return {
    field: fieldRef(field),
    type: "nominal",
    scale: colorScale(distinctStrings(rows, field), colors),
    // Full-strength swatches even when the first layer is a faint band.
    legend: { title: field, symbolOpacity: 1 },
  };
}

function tooltipFor(fields: (string | undefined)[], rows: readonly Row[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const f of fields) {
    if (f === undefined || seen.has(f)) continue;
    seen.add(f);
    const numeric = allNumeric(rows, f);
    out.push({ field: fieldRef(f), type: numeric ? "quantitative" : "nominal", title: f, ...(numeric ? { format: ",.4~g" } : {}) });
  }
  return out;
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Single-view charts fill their container's width (axes and legend included), so they
 * follow the page width; faceted charts use fixed panel sizes instead.
 */
const FILL_WIDTH = { width: "container", autosize: { type: "fit-x", contains: "padding" } };

function base(rows: readonly Row[], title: string | undefined): VegaLiteSpec {
  return withoutUndefined({ $schema: SCHEMA, description: title, data: { values: rows } });
}

// ---------------------------------------------------------------------------

export interface LineChartOptions {
  rows: readonly Row[];
  x: string;
  y: string;
  /** Series field, e.g. language. */
  color?: string;
  /** Second series field drawn as dash patterns, e.g. configuration. */
  strokeDash?: string;
  /** One small panel per value of this field. */
  facet?: string;
  facetColumns?: number;
  logY?: boolean;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  colors?: ColorMap;
  height?: number;
}

/** Curves over a quantitative x (loss per language over steps), with hover tooltips. */
export function lineChart(o: LineChartOptions): VegaLiteSpec {
  requireFields("lineChart", o.rows, [o.x, o.y, o.color, o.strokeDash, o.facet]);
  const xNumeric = allNumeric(o.rows, o.x);
  const encoding = withoutUndefined({
    x: { field: fieldRef(o.x), type: xNumeric ? "quantitative" : "ordinal", title: o.xTitle ?? o.x },
    y: {
      field: fieldRef(o.y),
      type: "quantitative",
      title: o.yTitle ?? o.y,
      // No rounding out to whole decades: loss rarely spans one, and it wastes the plot.
      scale: o.logY ? { type: "log", nice: false } : { zero: false },
    },
    color: o.color ? colorEncoding(o.rows, o.color, o.colors) : undefined,
  });
  // Invisible points that light up at the step nearest the pointer carry the tooltips,
  // so long curves stay clean lines but every value can still be read off.
  const hover = {
    params: [{ name: "hover", select: { type: "point", fields: [fieldRef(o.x)], nearest: true, on: "pointerover", clear: "pointerout" } }],
    mark: { type: "point", filled: true, size: 45 },
    encoding: {
      opacity: { condition: { param: "hover", empty: false, value: 1 }, value: 0 },
      tooltip: tooltipFor([o.facet, o.color, o.strokeDash, o.x, o.y], o.rows),
    },
  };
  const line = {
    mark: { type: "line", strokeWidth: 2 },
    // Colour and dash are both grouping channels, so each (language, config) pair is its own line.
    encoding: withoutUndefined({
      strokeDash: o.strokeDash ? { field: fieldRef(o.strokeDash), type: "nominal", legend: { title: o.strokeDash } } : undefined,
    }),
  };
  const layered = withoutUndefined({
    // A log axis cannot show zero or negative values; drop them rather than fail to draw.
    transform: o.logY ? [{ filter: `isValid(${datumExpr(o.y)}) && ${datumExpr(o.y)} > 0` }] : undefined,
    encoding,
    layer: [line, hover],
  });
  const height = o.height ?? (o.facet ? 180 : DEFAULT_HEIGHT);
  if (o.facet) {
    return {
      ...base(o.rows, o.title),
      facet: { field: fieldRef(o.facet), type: "nominal", title: null, header: { labelFontWeight: "bold", labelFontSize: 12 } },
      columns: o.facetColumns ?? 3,
      spec: { width: FACET_WIDTH, height, ...layered },
    };
  }
  return { ...base(o.rows, o.title), ...FILL_WIDTH, height, ...layered };
}

// ---------------------------------------------------------------------------

export interface BarChartOptions {
  rows: readonly Row[];
  /** Category on the axis, e.g. language. */
  x: string;
  y: string;
  /** Bar colour field; defaults to `xOffset` so grouped bars are told apart by colour. */
  color?: string;
  /** Field that splits each x category into side-by-side bars, e.g. configuration. */
  xOffset?: string;
  /** Fields holding the lower and upper ends of an error bar (e.g. a 95% interval). */
  errorLow?: string;
  errorHigh?: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  colors?: ColorMap;
  height?: number;
}

/** Grouped bars with optional error bars (perplexity per language per configuration). */
export function barChart(o: BarChartOptions): VegaLiteSpec {
  if ((o.errorLow === undefined) !== (o.errorHigh === undefined)) {
    throw new Error("barChart: errorLow and errorHigh go together");
  }
  requireFields("barChart", o.rows, [o.x, o.y, o.color, o.xOffset, o.errorLow, o.errorHigh]);
  const colorField = o.color ?? o.xOffset;
  const yTitle = o.yTitle ?? o.y;
  const encoding = withoutUndefined({
    // Explicit sorts: the error-bar layer's own data would otherwise leave the shared
    // scales with conflicting sort settings.
    x: { field: fieldRef(o.x), type: "nominal", sort: "ascending", title: o.xTitle ?? o.x, axis: { labelAngle: 0 } },
    xOffset: o.xOffset ? { field: fieldRef(o.xOffset), type: "nominal", sort: "ascending" } : undefined,
  });
  const bars = {
    mark: { type: "bar", cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
    encoding: withoutUndefined({
      y: { field: fieldRef(o.y), type: "quantitative", title: yTitle },
      color: colorField ? colorEncoding(o.rows, colorField, o.colors) : { value: "#0072B2" },
      tooltip: tooltipFor([o.x, o.xOffset, o.color, o.y, o.errorLow, o.errorHigh], o.rows),
    }),
  };
  const layer: Record<string, unknown>[] = [bars];
  if (o.errorLow !== undefined && o.errorHigh !== undefined) {
    layer.push({
      mark: { type: "errorbar", ticks: { size: 6 }, color: "#222", thickness: 1.3 },
      encoding: {
        y: { field: fieldRef(o.errorLow), type: "quantitative", title: yTitle },
        y2: { field: fieldRef(o.errorHigh) },
      },
    });
  }
  return { ...base(o.rows, o.title), ...FILL_WIDTH, height: o.height ?? DEFAULT_HEIGHT, encoding, layer };
}

// ---------------------------------------------------------------------------


export interface ScatterChartOptions {
  rows: readonly Row[];
  x: string;
  y: string;
  color?: string;
  /** Field drawn as a text label next to each point (e.g. language code). */
  label?: string;
  /** Adds a least-squares line and the correlation r in the corner. */
  trendline?: boolean;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  colors?: ColorMap;
  height?: number;
}

/** Least-squares line y = intercept + slope * x; undefined when x does not vary. */
function leastSquares(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } | undefined {
  const n = xs.length;
  if (n < 2) return undefined;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Correlation scatter, optionally labelled and with a regression line. */
export function scatterChart(o: ScatterChartOptions): VegaLiteSpec {
  requireFields("scatterChart", o.rows, [o.x, o.y, o.color, o.label]);
  // Padding keeps edge points and their labels off the axes and legend.
  const encoding = {
    x: { field: fieldRef(o.x), type: "quantitative", title: o.xTitle ?? o.x, scale: { zero: false, padding: 18 } },
    y: { field: fieldRef(o.y), type: "quantitative", title: o.yTitle ?? o.y, scale: { zero: false, padding: 18 } },
  };
  const color = o.color ? colorEncoding(o.rows, o.color, o.colors) : undefined;
  const layer: Record<string, unknown>[] = [];
  const pairs = o.rows.filter((r) => isNumeric(r[o.x]) && isNumeric(r[o.y]));
  const xs = pairs.map((p) => p[o.x] as number);
  const ys = pairs.map((p) => p[o.y] as number);
  const fit = o.trendline ? leastSquares(xs, ys) : undefined;
  if (fit) {
    // The fitted line is computed here rather than with Vega-Lite's regression
    // transform, which cannot address field names containing dots.
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const point = (x: number) => ({ [o.x]: x, [o.y]: fit.intercept + fit.slope * x });
    layer.push({
      data: { values: [point(x0), point(x1)] },
      mark: { type: "line", color: "#777", strokeDash: [5, 4], strokeWidth: 1.5 },
    });
  }
  layer.push({
    mark: { type: "point", filled: true, size: 70, opacity: 0.9 },
    encoding: withoutUndefined({
      color: color ?? { value: "#0072B2" },
      tooltip: tooltipFor([o.label, o.color, o.x, o.y], o.rows),
    }),
  });
  if (o.label) {
    layer.push({
      mark: { type: "text", align: "left", baseline: "bottom", dx: 5, dy: -3, fontSize: 11, color: "#333" },
      encoding: { text: { field: fieldRef(o.label), type: "nominal" } },
    });
  }
  if (o.trendline) {
    const r = pearson(xs, ys);
    const text = `r = ${Number.isNaN(r) ? "n/a" : r.toFixed(3)}, n = ${pairs.length}`;
    // Its own one-row dataset and pixel position, so the note is drawn once in the corner.
    layer.push({
      data: { values: [{ note: text }] },
      mark: { type: "text", align: "left", baseline: "top", fontSize: 12, fontWeight: "bold", color: "#444" },
      encoding: { text: { field: "note", type: "nominal" }, x: { value: 8 }, y: { value: 6 } },
    });
  }
  return { ...base(o.rows, o.title), ...FILL_WIDTH, height: o.height ?? 300, encoding, layer };
}

// ---------------------------------------------------------------------------

export interface HeatmapOptions {
  rows: readonly Row[];
  /** Column field, e.g. language pair. */
  x: string;
  /** Row field, e.g. layer. */
  y: string;
  value: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  valueTitle?: string;
  /** d3-format for the numbers printed in cells. */
  format?: string;
  /** Fixed colour domain, e.g. [0, 1] for cosine similarity, so reports compare. */
  domain?: [number, number];
}

/** A grid of cells coloured by value (alignment by layer × language pair). */
export function heatmap(o: HeatmapOptions): VegaLiteSpec {
  requireFields("heatmap", o.rows, [o.x, o.y, o.value]);
  const values = o.rows.map((r) => r[o.value]).filter(isNumeric);
  const [lo, hi] = o.domain ?? [Math.min(...values), Math.max(...values)];
  // Viridis runs dark → light, so cells below the midpoint get white text.
  const mid = (lo + hi) / 2;
  const axis = (field: string, title: string | undefined) => ({
    field: fieldRef(field),
    // Numbers (layers) keep numeric order; names sort alphabetically.
    type: allNumeric(o.rows, field) ? "ordinal" : "nominal",
    title: title ?? field,
  });
  // Slanted labels only when there are too many columns for level ones to fit.
  const crowded = distinctStrings(o.rows, o.x).length > 8;
  const x = { ...axis(o.x, o.xTitle), axis: crowded ? { labelAngle: -40, labelAlign: "right", labelLimit: 120 } : { labelAngle: 0 } };
  const y = axis(o.y, o.yTitle);
  return {
    ...base(o.rows, o.title),
    ...FILL_WIDTH,
    // A fixed height rather than a per-row step: Vega-Lite cannot fit the width to the
    // container while the height is set by steps.
    height: Math.max(120, 26 * distinctStrings(o.rows, o.y).length),
    encoding: { x, y },
    layer: [
      {
        mark: { type: "rect", stroke: "white", strokeWidth: 1 },
        encoding: {
          color: {
            field: fieldRef(o.value),
            type: "quantitative",
            title: o.valueTitle ?? o.value,
            scale: withoutUndefined({ scheme: "viridis", domain: o.domain }),
          },
          tooltip: tooltipFor([o.y, o.x, o.value], o.rows),
        },
      },
      {
        mark: { type: "text", fontSize: 10.5 },
        encoding: {
          text: { field: fieldRef(o.value), type: "quantitative", format: o.format ?? ".2f" },
          color: { condition: { test: `${datumExpr(o.value)} < ${Number.isFinite(mid) ? mid : 0}`, value: "white" }, value: "black" },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------

export interface LayerProfileOptions {
  rows: readonly Row[];
  /** Layer index field (0 = embeddings). */
  layer: string;
  value: string;
  /** One line per value of this field, e.g. "90/10" vs "50/50". */
  series: string;
  /** Optional band around each line, e.g. min/max over seeds. */
  bandLow?: string;
  bandHigh?: string;
  title?: string;
  layerTitle?: string;
  valueTitle?: string;
  colors?: ColorMap;
  height?: number;
}

/** A value per layer, one line per series (hidden-state cosine by layer per mixture). */
export function layerProfile(o: LayerProfileOptions): VegaLiteSpec {
  if ((o.bandLow === undefined) !== (o.bandHigh === undefined)) {
    throw new Error("layerProfile: bandLow and bandHigh go together");
  }
  requireFields("layerProfile", o.rows, [o.layer, o.value, o.series, o.bandLow, o.bandHigh]);
  const encoding = {
    x: { field: fieldRef(o.layer), type: "quantitative", title: o.layerTitle ?? o.layer, axis: { tickMinStep: 1, format: "d" } },
    color: colorEncoding(o.rows, o.series, o.colors),
  };
  const valueY = { field: fieldRef(o.value), type: "quantitative", title: o.valueTitle ?? o.value, scale: { zero: false } };
  const layer: Record<string, unknown>[] = [];
  if (o.bandLow !== undefined && o.bandHigh !== undefined) {
    layer.push({
      mark: { type: "area", opacity: 0.18 },
      encoding: { y: { ...valueY, field: fieldRef(o.bandLow) }, y2: { field: fieldRef(o.bandHigh) } },
    });
  }
  layer.push({
    mark: { type: "line", strokeWidth: 2, point: { filled: true, size: 40 } },
    encoding: { y: valueY, tooltip: tooltipFor([o.series, o.layer, o.value, o.bandLow, o.bandHigh], o.rows) },
  });
  return { ...base(o.rows, o.title), ...FILL_WIDTH, height: o.height ?? DEFAULT_HEIGHT, encoding, layer };
}
