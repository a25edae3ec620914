/**
 * Colour assignment for categorical series. Languages (and configurations) keep the
 * same colour in every chart of a report, so a reader can follow one language across
 * loss curves, bars and scatter plots without re-reading each legend.
 */

/**
 * Okabe–Ito colours (distinguishable under the common colour-vision deficiencies),
 * ordered so the first few are the most distinct on white; yellow and black come last
 * because thin yellow lines are hard to see and black reads as "reference".
 * Five darker colours from Paul Tol's muted scheme extend it for larger language sets.
 */
export const COLORBLIND_PALETTE: readonly string[] = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000", // black
  "#332288", // indigo
  "#117733", // green
  "#882255", // wine
  "#999933", // olive
  "#AA4499", // purple
];

/** Category name → CSS colour. */
export type ColorMap = Readonly<Record<string, string>>;

/** Sorts by code unit so the order (and so the colours) never depends on the locale. */
function sortedUnique(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A stable colour per name: names are sorted and take palette colours in order, so the
 * same set of languages always gets the same colours. Pass the full language list of an
 * experiment (not just the ones in one chart) to keep colours consistent across charts.
 * Past the palette's length colours repeat.
 */
export function colorMapping(names: Iterable<string>, palette: readonly string[] = COLORBLIND_PALETTE): Record<string, string> {
  if (palette.length === 0) throw new Error("colorMapping: empty palette");
  const out: Record<string, string> = {};
  sortedUnique(names).forEach((name, i) => {
    out[name] = palette[i % palette.length];
  });
  return out;
}

/**
 * A Vega-Lite scale (domain + range) for the categories present in a chart. Names found
 * in `fixed` keep their colour; the rest take palette colours not already in use, so a
 * partial mapping never makes two series share a colour while unused ones remain.
 */
export function colorScale(present: Iterable<string>, fixed?: ColorMap, palette: readonly string[] = COLORBLIND_PALETTE): { domain: string[]; range: string[] } {
  const domain = sortedUnique(present);
  if (!fixed) {
    const derived = colorMapping(domain, palette);
    return { domain, range: domain.map((d) => derived[d]) };
  }
  const used = new Set(domain.filter((d) => d in fixed).map((d) => fixed[d]));
  const spare = palette.filter((c) => !used.has(c));
  let next = 0;
  const range = domain.map((d) => {
    if (d in fixed) return fixed[d];
    const pool = spare.length > 0 ? spare : palette;
    return pool[next++ % pool.length];
  });
  return { domain, range };
}
