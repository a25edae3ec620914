/**
 * Typological distances between languages (methods.md §4): language feature
 * vectors in the lang2vec style, where a feature may be missing, compared by a
 * cosine distance over the dimensions both languages have; and agglomerative
 * clustering with single-link distances between clusters.
 */
import { readFile } from "node:fs/promises";

/** Language -> feature vector; a missing feature is NaN. */
export type LanguageFeatures = Map<string, Float64Array>;

/** Error in a feature file: the message names the file and (1-based) line. */
export class FeatureFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = "FeatureFileError";
  }
}

// Spellings of "no value" accepted in CSV cells.
const MISSING_CELLS = new Set(["", "nan", "null", "na", "--", "?"]);

function parseCell(cell: string, file: string, line: number, column: string): number {
  const trimmed = cell.trim();
  if (MISSING_CELLS.has(trimmed.toLowerCase())) return NaN;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) {
    throw new FeatureFileError(file, line, `feature "${column}" is not a number: ${JSON.stringify(cell)}`);
  }
  return value;
}

/**
 * Parses a CSV of features: a header `language,<feature>,...` and one row per
 * language. Empty cells and NaN/null/NA/--/? mean missing. Cells are plain
 * comma-separated values (no quoting); blank lines and lines starting with # are skipped.
 */
export function parseFeatureCsv(text: string, file = "features.csv"): LanguageFeatures {
  const lines = text.split(/\r?\n/);
  const features: LanguageFeatures = new Map();
  let header: string[] | undefined;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const cells = raw.split(",");
    if (header === undefined) {
      if (cells.length < 2) throw new FeatureFileError(file, line, "header needs a language column and at least one feature");
      header = cells.map((c) => c.trim());
      return;
    }
    if (cells.length !== header.length) {
      throw new FeatureFileError(file, line, `expected ${header.length} cells as in the header, got ${cells.length}`);
    }
    const language = cells[0]!.trim();
    if (language === "") throw new FeatureFileError(file, line, "empty language name");
    if (features.has(language)) throw new FeatureFileError(file, line, `language "${language}" appears twice`);
    const vector = new Float64Array(cells.length - 1);
    for (let i = 1; i < cells.length; i++) vector[i - 1] = parseCell(cells[i]!, file, line, header[i]!);
    features.set(language, vector);
  });
  if (header === undefined) throw new FeatureFileError(file, 1, "no header line");
  return features;
}

/** The 1-based line on which `"key"` first appears, for error messages about JSON. */
function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}

/**
 * Parses JSON features: an object `{ "<language>": [number | null, ...] }`;
 * null (or the string "NaN") means missing. All vectors must have one length.
 */
export function parseFeatureJson(text: string, file = "features.json"): LanguageFeatures {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // V8 reports "at position N"; turn that into a line.
    const match = /position (\d+)/.exec(String(err));
    const line = match ? text.slice(0, Number(match[1])).split("\n").length : 1;
    throw new FeatureFileError(file, line, `invalid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new FeatureFileError(file, 1, "expected an object mapping languages to feature arrays");
  }
  const features: LanguageFeatures = new Map();
  let length: number | undefined;
  for (const [language, values] of Object.entries(data as Record<string, unknown>)) {
    const line = lineOfKey(text, language);
    if (!Array.isArray(values)) throw new FeatureFileError(file, line, `features of "${language}" are not an array`);
    if (length !== undefined && values.length !== length) {
      throw new FeatureFileError(file, line, `"${language}" has ${values.length} features, earlier languages ${length}`);
    }
    length = values.length;
    const vector = new Float64Array(values.length);
    values.forEach((v, i) => {
      if (v === null || v === "NaN") vector[i] = NaN;
      else if (typeof v === "number" && Number.isFinite(v)) vector[i] = v;
      else throw new FeatureFileError(file, line, `feature ${i} of "${language}" is not a number or null: ${JSON.stringify(v)}`);
    });
    features.set(language, vector);
  }
  return features;
}

/** Reads a feature file; `.json` files are parsed as JSON, anything else as CSV. */
export async function loadLanguageFeatures(path: string): Promise<LanguageFeatures> {
  const text = await readFile(path, "utf8");
  return path.toLowerCase().endsWith(".json") ? parseFeatureJson(text, path) : parseFeatureCsv(text, path);
}

/**
 * 1 - cosine over the dimensions present (not NaN) in both vectors. NaN when
 * no dimension is shared or either vector is zero on the shared dimensions:
 * such languages have no measurable similarity.
 */
export function maskedCosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maskedCosineDistance: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return NaN;
  return 1 - dot / Math.sqrt(na * nb);
}

/**
 * A point on the unit sphere from latitude/longitude in degrees. The cosine
 * distance between two such vectors is 1 - cos(central angle), which orders
 * pairs exactly as great-circle distance does, so geography can use the same
 * clustering as typological features.
 */
export function geographyVector(latitude: number, longitude: number): Float64Array {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90) {
    throw new RangeError(`geographyVector: invalid coordinates (${latitude}, ${longitude})`);
  }
  const lat = (latitude * Math.PI) / 180;
  const lon = (longitude * Math.PI) / 180;
  return Float64Array.of(Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat));
}

/** Great-circle distance in kilometres (haversine, mean Earth radius 6371 km). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Geography features for languages with coordinates (e.g. from listUdhrTranslations()). */
export function geographyFeatures(
  places: Iterable<{ code: string; latitude: number; longitude: number }>,
): LanguageFeatures {
  const features: LanguageFeatures = new Map();
  for (const p of places) features.set(p.code, geographyVector(p.latitude, p.longitude));
  return features;
}

/** Looks up a language's features, with an error naming what is missing. */
export function featuresOf(features: LanguageFeatures, language: string): Float64Array {
  const v = features.get(language);
  if (v === undefined) throw new RangeError(`no features for language "${language}"`);
  return v;
}

/**
 * Single-link distance: the smallest distance between a member of one group
 * and a member of the other. Pairs with no measurable distance (NaN) are
 * skipped; if every pair is NaN the result is +Infinity, so such groups are
 * merged only after all measurable ones.
 */
export function singleLinkDistance(
  groupA: readonly string[],
  groupB: readonly string[],
  features: LanguageFeatures,
): number {
  let best = Infinity;
  for (const a of groupA) {
    const va = featuresOf(features, a);
    for (const b of groupB) {
      const d = maskedCosineDistance(va, featuresOf(features, b));
      if (d < best) best = d;
    }
  }
  return best;
}

/**
 * Agglomerative single-link clustering of `languages` into `k` clusters.
 *
 * Each round computes the single-link distance of every pair of current
 * clusters, sorts the pairs by (distance, first cluster, second cluster) and
 * walks that list merging every pair whose two clusters have not yet taken part
 * in a merge this round, so one round merges disjoint closest pairs (16
 * languages become 8 pairs in one round). The walk stops as soon as k clusters
 * remain. Clusters are numbered by their first language in the input order,
 * which is therefore also the tie-break among equal distances; a merged
 * cluster's languages keep input order. Returns the cluster index of each language.
 */
export function agglomerateSingleLink(languages: readonly string[], features: LanguageFeatures, k: number): number[] {
  const n = languages.length;
  if (new Set(languages).size !== n) throw new RangeError("agglomerateSingleLink: duplicate languages");
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`agglomerateSingleLink: k must be an integer in [1, ${n}], got ${k}`);
  }
  for (const l of languages) featuresOf(features, l);
  // Clusters as lists of input indices, kept sorted by their smallest index.
  let clusters: number[][] = languages.map((_, i) => [i]);
  while (clusters.length > k) {
    const names = clusters.map((c) => c.map((i) => languages[i]!));
    const pairs: { d: number; a: number; b: number }[] = [];
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) pairs.push({ d: singleLinkDistance(names[a]!, names[b]!, features), a, b });
    }
    pairs.sort((x, y) => x.d - y.d || x.a - y.a || x.b - y.b || 0);
    const used = new Set<number>();
    const mergedInto = new Map<number, number>(); // b -> a
    let count = clusters.length;
    for (const { a, b } of pairs) {
      if (count === k) break;
      if (used.has(a) || used.has(b)) continue;
      used.add(a);
      used.add(b);
      mergedInto.set(b, a);
      count--;
    }
    const next: number[][] = [];
    const slot = new Map<number, number[]>();
    clusters.forEach((members, idx) => {
      const target = mergedInto.get(idx);
      if (target === undefined) {
        const copy = [...members];
        slot.set(idx, copy);
        next.push(copy);
      }
    });
    for (const [b, a] of mergedInto) slot.get(a)!.push(...clusters[b]!);
    for (const c of next) c.sort((x, y) => x - y);
    next.sort((x, y) => x[0]! - y[0]!);
    clusters = next;
  }
  const labels = new Array<number>(n);
  clusters.forEach((members, c) => members.forEach((i) => (labels[i] = c)));
  return labels;
}
