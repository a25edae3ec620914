import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chooseBranchExpert,
  ContentPartitioner,
  createPartitioner,
  PARTITIONER_NAMES,
  type LanguageFeatures,
} from "../../src/experts/index.js";

const items = [
  { language: "en", text: "river boat water" },
  { language: "de", text: "code compiler bug" },
  { language: "es", text: "river fish water" },
  { language: "de", text: "code test bug" },
];

test("language-map partitioner validates its map", () => {
  const p = createPartitioner({ name: "language-map", map: { en: 0, es: 0, de: 1 } });
  assert.equal(p.name, "language-map");
  assert.deepEqual(p.partition(items, 2), [0, 1, 0, 1]);
  assert.throws(() => p.partition(items, 3), /cluster 2 has no language/);
  assert.throws(() => createPartitioner({ name: "language-map", map: { en: 0, es: 2, de: 1 } }).partition(items, 2), /"es" must be an integer in \[0, 2\)/);
  assert.throws(() => createPartitioner({ name: "language-map", map: { en: 0, de: 1 } }).partition(items, 2), /no cluster for language "es"/);
});

test("typological and geographic partitioners cluster languages, items follow", () => {
  const features: LanguageFeatures = new Map([
    ["en", Float64Array.of(1, 0, NaN)],
    ["es", Float64Array.of(0.9, 0.1, 1)],
    ["de", Float64Array.of(0, 1, 0)],
  ]);
  assert.deepEqual(createPartitioner({ name: "typological", features }).partition(items, 2), [0, 1, 0, 1]);
  // Lisbon-ish and Madrid-ish are close, Berlin far from both... in the 2-cluster sense.
  const geo = createPartitioner({
    name: "geographic",
    places: [
      { code: "en", latitude: 38.7, longitude: -9.1 },
      { code: "es", latitude: 40.4, longitude: -3.7 },
      { code: "de", latitude: 52.5, longitude: 13.4 },
    ],
  });
  assert.equal(geo.name, "geographic");
  assert.deepEqual(geo.partition(items, 2), [0, 1, 0, 1]);
});

test("content partitioner keeps its fitted clusterer", () => {
  const p = createPartitioner({ name: "content", seed: 1 }) as ContentPartitioner;
  const labels = p.partition(items, 2);
  assert.equal(labels[0], labels[2]);
  assert.equal(labels[1], labels[3]);
  assert.notEqual(labels[0], labels[1]);
  assert.equal(p.clusterer!.assign("boat on the water"), labels[0]);
  assert.throws(() => p.partition([{ language: "en" }, { language: "de" }], 2), /item 0 has no text/);
  assert.deepEqual([...PARTITIONER_NAMES], ["language-map", "typological", "geographic", "content"]);
  assert.throws(() => createPartitioner({ name: "nope" } as never), /unknown partitioner "nope"/);
});

test("a new language branches from the expert holding its nearest language", () => {
  // Plane angles: en 0, es 20, ar 100, fr 30, he 105 degrees.
  const deg = (a: number) => Float64Array.of(Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180));
  const features: LanguageFeatures = new Map([["en", deg(0)], ["es", deg(20)], ["ar", deg(100)], ["fr", deg(30)], ["he", deg(105)]]);
  // Expert 1 = {fr, ar}: single link uses ar (5 degrees), even though fr is far from he.
  const choice = chooseBranchExpert("he", [["en", "es"], ["fr", "ar"]], features);
  assert.equal(choice.expert, 1);
  assertClose(choice.distance, 1 - Math.cos((5 * Math.PI) / 180));
  // es is 85 degrees from he.
  assertClose(choice.distances[0]!, 1 - Math.cos((85 * Math.PI) / 180));
  // Equal distances: the lower expert index wins.
  assert.equal(chooseBranchExpert("he", [["ar"], ["ar", "en"]], features).expert, 0);
  features.set("xx", Float64Array.of(NaN, NaN));
  assert.throws(() => chooseBranchExpert("xx", [["en"]], features), /shares no features/);
  assert.throws(() => chooseBranchExpert("zz", [["en"]], features), /no features for language "zz"/);
});

function assertClose(a: number, b: number): void {
  assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
}
