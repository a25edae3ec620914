import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type HeuristicRanking,
  type SourceSelectionData,
  candidateSets,
  evaluateHeuristics,
  rankSourceSets,
  setKey,
} from "../../src/transfer/source-selection.js";

const CANDIDATES = ["zh", "en", "ru", "de"]; // unsorted on purpose

function ranking(data: Omit<SourceSelectionData, "candidates" | "k">, k = 2): HeuristicRanking {
  const all = rankSourceSets({ candidates: CANDIDATES, k, ...data });
  assert.equal(all.length, 1);
  return all[0]!;
}

const keys = (r: HeuristicRanking) => r.sets.map((s) => s.key);

describe("candidate sets", () => {
  it("lists all k-subsets in lexicographic order", () => {
    assert.deepEqual(candidateSets(CANDIDATES, 2).map(setKey), ["de+en", "de+ru", "de+zh", "en+ru", "en+zh", "ru+zh"]);
    assert.equal(candidateSets(["a", "b", "c", "d", "e"], 3).length, 10);
    assert.deepEqual(candidateSets(["b", "a"], 2), [["a", "b"]]);
    assert.throws(() => candidateSets(["a", "a"], 1), /listed twice/);
    assert.throws(() => candidateSets(["a", "b"], 3), /k must be an integer in 1..2/);
    assert.throws(() => candidateSets(["a+b"], 1), /contains "\+"/);
  });
});

describe("source-selection heuristics", () => {
  it("linguistic diversity: mean masked cosine distance, ties broken lexicographically", () => {
    // The fourth feature is missing for en and ru, so de-en and de-ru compare only the first three:
    // 1 - 1/sqrt(2) (with de's 7 counted it would be 1 - 1/sqrt(51)). All other pairs are orthogonal: 1.
    const typology = new Map([
      ["en", Float64Array.of(1, 0, 0, NaN)],
      ["de", Float64Array.of(1, 1, 0, 7)],
      ["ru", Float64Array.of(0, 1, 0, NaN)],
      ["zh", Float64Array.of(0, 0, 1, 0)],
    ]);
    const r = ranking({ typology });
    assert.equal(r.heuristic, "linguistic");
    assert.deepEqual(keys(r), ["de+zh", "en+ru", "en+zh", "ru+zh", "de+en", "de+ru"]);
    assert.ok(Math.abs(r.sets[4]!.score - (1 - Math.SQRT1_2)) < 1e-12);
    // k = 3: {de, en, ru} has pairs de-en, de-ru (1 - 1/sqrt 2) and en-ru (1).
    const triples = ranking({ typology }, 3);
    const deEnRu = triples.sets.find((s) => s.key === "de+en+ru")!;
    assert.ok(Math.abs(deEnRu.score - (2 * (1 - Math.SQRT1_2) + 1) / 3) < 1e-12);
    assert.deepEqual(keys(triples)[0], "en+ru+zh");
  });

  it("geographic diversity: mean great-circle distance", () => {
    const coordinates = new Map([
      ["en", { latitude: 51.51, longitude: -0.13 }], // London
      ["de", { latitude: 52.52, longitude: 13.4 }], // Berlin
      ["ru", { latitude: 55.76, longitude: 37.62 }], // Moscow
      ["zh", { latitude: 39.9, longitude: 116.4 }], // Beijing
    ]);
    const r = ranking({ coordinates });
    assert.deepEqual(keys(r), ["en+zh", "de+zh", "ru+zh", "en+ru", "de+ru", "de+en"]);
    // London-Berlin is about 930 km.
    assert.ok(Math.abs(r.sets[5]!.score - 930) < 15, `London-Berlin ${r.sets[5]!.score} km`);
  });

  it("embedding diversity: mean cosine distance of mean embeddings", () => {
    // Angles 0, 30, 90 and 180 degrees: the set spanning 0-180 is the most diverse.
    const embeddings = new Map([["en", [1, 0]], ["de", [Math.sqrt(3) / 2, 0.5]], ["ru", [0, 1]], ["zh", [-1, 0]]]);
    const r = ranking({ embeddings });
    // Distances 1 - cos(angle): en-zh 180 -> 2, de-zh 150, ru-zh 90 and en-ru 90 (tie), de-ru 60, de-en 30.
    assert.deepEqual(keys(r), ["en+zh", "de+zh", "en+ru", "ru+zh", "de+ru", "de+en"]);
    assert.ok(Math.abs(r.sets[0]!.score - 2) < 1e-12);
  });

  it("vocabulary coverage of the targets' token types or occurrences", () => {
    // The target uses type 1 three times and types 2, 3, 4 once each.
    const tokens = new Map([
      ["xx", [1, 1, 1, 2, 3, 4]],
      ["en", [1, 2, 9]],
      ["de", [2, 3]],
      ["ru", [5, 6]],
      ["zh", [4, 4]],
    ]);
    const types = ranking({ tokens, targets: ["xx"] });
    assert.equal(types.heuristic, "coverage");
    // Types covered of {1,2,3,4}: de+en 3, de+zh 3, en+zh 3, de+ru 2, en+ru 2, ru+zh 1.
    assert.deepEqual(keys(types), ["de+en", "de+zh", "en+zh", "de+ru", "en+ru", "ru+zh"]);
    assert.deepEqual(types.sets.map((s) => s.score), [0.75, 0.75, 0.75, 0.5, 0.5, 0.25]);
    // Occurrences covered of 6: de+en 5, en+zh 5, en+ru 4, de+zh 3, de+ru 2, ru+zh 1.
    const occurrences = ranking({ tokens, targets: ["xx"], coverage: "occurrences" });
    assert.deepEqual(keys(occurrences), ["de+en", "en+zh", "en+ru", "de+zh", "de+ru", "ru+zh"]);
    assert.ok(Math.abs(occurrences.sets[2]!.score - 4 / 6) < 1e-12);
    // Without targets the reference is every candidate's types {1,2,3,4,5,6,9}: en+ru covers 5 of 7.
    const own = ranking({ tokens });
    assert.equal(own.sets[0]!.key, "en+ru");
    assert.ok(Math.abs(own.sets[0]!.score - 5 / 7) < 1e-12);
    assert.throws(() => ranking({ tokens, targets: ["yy"] }), /no entry for language "yy"/);
  });

  it("script diversity: distinct majority scripts of the samples", () => {
    const textSamples = new Map([
      ["en", "The river runs to the sea."],
      ["de", "Der Fluss fließt ins Meer."],
      ["ru", "Река течёт в море."],
      ["zh", "河流流入大海。"],
    ]);
    const r = ranking({ textSamples });
    // Every set has two scripts except {de, en}, both Latin.
    assert.deepEqual(keys(r), ["de+ru", "de+zh", "en+ru", "en+zh", "ru+zh", "de+en"]);
    assert.deepEqual(r.sets.map((s) => s.score), [2, 2, 2, 2, 2, 1]);
    assert.throws(() => ranking({ textSamples: new Map([...textSamples, ["zh", "1234"]]) }), /"zh" has no letters/);
  });

  it("data size: total examples", () => {
    const exampleCounts = new Map([["en", 100], ["de", 50], ["ru", 30], ["zh", 30]]);
    const r = ranking({ exampleCounts });
    assert.deepEqual(keys(r), ["de+en", "en+ru", "en+zh", "de+ru", "de+zh", "ru+zh"]);
    assert.deepEqual(r.sets.map((s) => s.score), [150, 130, 130, 80, 80, 60]);
  });

  it("ranks only the heuristics given data, and names missing languages", () => {
    const all = rankSourceSets({
      candidates: CANDIDATES,
      k: 2,
      exampleCounts: new Map([["en", 1], ["de", 1], ["ru", 1], ["zh", 1]]),
      textSamples: new Map([["en", "a"], ["de", "b"], ["ru", "в"], ["zh", "中"]]),
    });
    assert.deepEqual(all.map((r) => r.heuristic), ["script", "dataSize"]);
    assert.throws(() => rankSourceSets({ candidates: CANDIDATES, k: 2 }), /no heuristic/);
    assert.throws(() => rankSourceSets({ candidates: CANDIDATES, k: 2, exampleCounts: new Map([["en", 1]]) }), /example counts: no entry for language "de"/);
  });
});

describe("heuristics against measured transfer", () => {
  const coordinates = new Map([
    ["en", { latitude: 51.51, longitude: -0.13 }],
    ["de", { latitude: 52.52, longitude: 13.4 }],
    ["ru", { latitude: 55.76, longitude: 37.62 }],
    ["zh", { latitude: 39.9, longitude: 116.4 }],
  ]);
  const exampleCounts = new Map([["en", 100], ["de", 50], ["ru", 30], ["zh", 30]]);
  // Transfer that follows geographic spread exactly; language order in keys does not matter.
  const measured = new Map([
    ["zh+en", 0.9], ["de+zh", 0.8], ["ru+zh", 0.7], ["en+ru", 0.6], ["ru+de", 0.5], ["de+en", 0.4],
  ]);

  it("reports Spearman rho, the rank of the best set and the transfer rank of each pick", () => {
    const rankings = rankSourceSets({ candidates: CANDIDATES, k: 2, coordinates, exampleCounts });
    const [geo, size] = evaluateHeuristics(rankings, measured);
    assert.equal(geo!.heuristic, "geographic");
    assert.ok(Math.abs(geo!.spearman - 1) < 1e-12);
    assert.deepEqual([geo!.bestSet, geo!.bestSetRank, geo!.pick, geo!.pickTransferRank, geo!.measured], ["en+zh", 1, "en+zh", 1, 6]);
    // Data size ranks (ascending, ties averaged) vs transfer ranks, set by set:
    // de+en (6, 1), de+ru (2.5, 2), en+ru (4.5, 3), ru+zh (1, 4), de+zh (2.5, 5), en+zh (4.5, 6):
    // sum of products of deviations -5.5, sums of squares 16.5 and 17.5.
    assert.equal(size!.heuristic, "dataSize");
    assert.ok(Math.abs(size!.spearman - -5.5 / Math.sqrt(16.5 * 17.5)) < 1e-12);
    // Its pick {de, en} transferred worst; the best set {en, zh} is third by data size.
    assert.deepEqual([size!.pick, size!.pickTransferRank, size!.bestSetRank], ["de+en", 6, 3]);
  });

  it("works on a subset of measured sets and rejects unknown ones", () => {
    const rankings = rankSourceSets({ candidates: CANDIDATES, k: 2, exampleCounts });
    const [size] = evaluateHeuristics(rankings, new Map([["ru+zh", 0.2], ["en+de", 0.1], ["de+zh", 0.3]]));
    // Data size orders these three de+en (150), de+zh (80), ru+zh (60); transfer orders them de+zh, ru+zh, de+en.
    assert.equal(size!.measured, 3);
    assert.equal(size!.pick, "de+en");
    assert.equal(size!.pickTransferRank, 3);
    assert.equal(size!.bestSet, "de+zh");
    assert.equal(size!.bestSetRank, 5);
    assert.ok(Math.abs(size!.spearman - -0.5) < 1e-12);
    assert.throws(() => evaluateHeuristics(rankings, new Map([["en+fr", 1]])), /"en\+fr" is not one of the candidate sets/);
  });
});

describe("linguistic heuristics per feature family", () => {
  it("ranks every set by each family separately, by hand", () => {
    // syntax: a = (1,0), b = (0,1), c = (1,0): distances ab 1, ac 0, bc 1.
    // inventory: a = (1,0), b = (1,0), c = (0,1): distances ab 0, ac 1, bc 1.
    const v = (x: number, y: number) => Float64Array.from([x, y]);
    const rankings = rankSourceSets({
      candidates: ["a", "b", "c"], k: 2,
      typologyFamilies: new Map([
        ["syntax", new Map([["a", v(1, 0)], ["b", v(0, 1)], ["c", v(1, 0)]])],
        ["inventory", new Map([["a", v(1, 0)], ["b", v(1, 0)], ["c", v(0, 1)]])],
      ]),
    });
    assert.deepEqual(rankings.map((r) => r.heuristic), ["linguistic-syntax", "linguistic-inventory"]);
    const [syntax, inventory] = rankings;
    assert.deepEqual(syntax!.sets.map((s) => [s.key, s.score]), [["a+b", 1], ["b+c", 1], ["a+c", 0]]);
    assert.deepEqual(inventory!.sets.map((s) => [s.key, s.score]), [["a+c", 1], ["b+c", 1], ["a+b", 0]]);
  });
});
