import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  agglomerateSingleLink,
  FeatureFileError,
  geographyVector,
  greatCircleKm,
  loadLanguageFeatures,
  maskedCosineDistance,
  parseFeatureCsv,
  parseFeatureJson,
  singleLinkDistance,
  type LanguageFeatures,
} from "../../src/experts/index.js";
import { assertNear } from "./helpers.js";

/** Unit vectors in the plane at the given angles (degrees): distance is 1 - cos(angle difference). */
function atAngles(angles: Record<string, number>): LanguageFeatures {
  return new Map(Object.entries(angles).map(([l, a]) => [l, Float64Array.of(Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180))]));
}

test("masked cosine distance uses only dimensions present in both", () => {
  // Shared dimensions 0 and 2: (1, 0) vs (1, 1), cosine 1/sqrt2.
  assertNear(maskedCosineDistance([1, NaN, 0], [1, 5, 1]), 1 - 1 / Math.SQRT2, 1e-15);
  // Opposite on the shared dimension, the huge value on the unshared one is ignored.
  assertNear(maskedCosineDistance([1, 100], [-2, NaN]), 2, 1e-15);
  assert.ok(Number.isNaN(maskedCosineDistance([1, NaN], [NaN, 1])));
  assert.ok(Number.isNaN(maskedCosineDistance([0, 1], [1, NaN])));
});

test("single-link distance is the closest pair", () => {
  const f = atAngles({ a: 0, b: 90, c: 60, d: 180 });
  assertNear(singleLinkDistance(["a", "b"], ["c", "d"], f), 1 - Math.cos(Math.PI / 6), 1e-12); // b-c: 30 degrees
  f.set("x", Float64Array.of(NaN, NaN));
  assert.equal(singleLinkDistance(["x"], ["a", "b"], f), Infinity);
});

test("agglomeration merges disjoint closest pairs per round and stops at k", () => {
  const f = atAngles({ en: 0, es: 10, de: 40, el: 45, ja: 90, ko: 100 });
  const langs = ["en", "es", "de", "el", "ja", "ko"];
  // Round 1 pairs by distance: de-el 5deg, then en-es and ja-ko at 10deg (tie: en-es first by index).
  assert.deepEqual(agglomerateSingleLink(langs, f, 3), [0, 0, 1, 1, 2, 2]);
  // k = 4 stops after two merges: de+el, then en+es wins the tie over ja+ko.
  assert.deepEqual(agglomerateSingleLink(langs, f, 4), [0, 0, 1, 1, 2, 3]);
  // k = 2: round 2 joins {en,es} and {de,el} (es-de 30deg) before {de,el}-{ja,ko} (el-ja 45deg).
  assert.deepEqual(agglomerateSingleLink(langs, f, 2), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(agglomerateSingleLink(langs, f, 6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(agglomerateSingleLink(langs, f, 1), [0, 0, 0, 0, 0, 0]);
  assert.throws(() => agglomerateSingleLink(langs, f, 7), RangeError);
  assert.throws(() => agglomerateSingleLink(["en", "xx"], f, 1), /no features for language "xx"/);
});

test("a language sharing no features merges last", () => {
  const f = atAngles({ a: 0, b: 80, c: 170 });
  f.set("z", Float64Array.of(NaN, NaN));
  // a-b 80deg, b-c 90deg; z is at +Infinity from everything, so a+b merge first.
  assert.deepEqual(agglomerateSingleLink(["z", "a", "b", "c"], f, 3), [0, 1, 1, 2]);
  // For k = 2 the same round goes on with the disjoint pairs left: only z-c remains.
  assert.deepEqual(agglomerateSingleLink(["z", "a", "b", "c"], f, 2), [0, 1, 1, 0]);
});

test("geography vectors: cosine distance equals 1 - cos(great-circle angle)", () => {
  const paris = [48.8566, 2.3522] as const;
  const tokyo = [35.6762, 139.6503] as const;
  const km = greatCircleKm(paris[0], paris[1], tokyo[0], tokyo[1]);
  assert.ok(km > 9600 && km < 9800, `Paris-Tokyo is about 9700 km, got ${km}`);
  const d = maskedCosineDistance(geographyVector(...paris), geographyVector(...tokyo));
  assertNear(d, 1 - Math.cos(km / 6371), 1e-12);
  assertNear(Math.hypot(...geographyVector(-33.9, 18.4)), 1, 1e-15);
  assert.throws(() => geographyVector(91, 0), RangeError);
});

test("CSV features: missing cells and errors naming file and line", () => {
  const f = parseFeatureCsv("language,f1,f2,f3\n# comment\nen,1,,0\nde,0.5,NaN,null\n", "wals.csv");
  assert.deepEqual([...f.keys()], ["en", "de"]);
  assert.equal(f.get("en")![0], 1);
  assert.ok(Number.isNaN(f.get("en")![1]!));
  assert.ok(Number.isNaN(f.get("de")![2]!));
  assert.throws(() => parseFeatureCsv("language,f1\nen,1\nde,x\n", "a.csv"), (e: unknown) => e instanceof FeatureFileError && /a\.csv:3: feature "f1"/.test(e.message));
  assert.throws(() => parseFeatureCsv("language,f1\nen,1,2\n", "b.csv"), /b\.csv:2: expected 2 cells/);
  assert.throws(() => parseFeatureCsv("language,f1\nen,1\nen,2\n", "c.csv"), /c\.csv:3: language "en" appears twice/);
});

test("JSON features: null is missing, errors name file and line", async () => {
  const f = parseFeatureJson('{\n "en": [1, null],\n "es": [0.5, 2]\n}', "f.json");
  assert.ok(Number.isNaN(f.get("en")![1]!));
  assert.equal(f.get("es")![1], 2);
  assert.throws(() => parseFeatureJson('{\n "en": [1, 2],\n "es": [1]\n}', "g.json"), /g\.json:3: "es" has 1 features/);
  assert.throws(() => parseFeatureJson('{\n "en": [1, "x"]\n}', "h.json"), /h\.json:2: feature 1 of "en"/);
  assert.throws(() => parseFeatureJson('{\n "en": [1,\n }', "i.json"), /i\.json:\d+: invalid JSON/);
  const dir = await mkdtemp(join(tmpdir(), "xling-features-"));
  await writeFile(join(dir, "f.json"), '{"en": [1, 0]}');
  await writeFile(join(dir, "f.csv"), "language,a,b\nen,0,1\n");
  assert.deepEqual(Array.from((await loadLanguageFeatures(join(dir, "f.json"))).get("en")!), [1, 0]);
  assert.deepEqual(Array.from((await loadLanguageFeatures(join(dir, "f.csv"))).get("en")!), [0, 1]);
});
