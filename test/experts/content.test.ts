import { test } from "node:test";
import assert from "node:assert/strict";
import { symmetricEigenvalues } from "../../src/analysis/linalg.js";
import {
  balancedAssign,
  ContentClusterer,
  extractTerms,
  fitBalancedKMeans,
  fitTfIdf,
  tfIdfVector,
  truncatedSvd,
  type Matrix,
} from "../../src/experts/index.js";
import { Rng } from "../../src/util/rng.js";
import { assertAllNear, assertNear } from "./helpers.js";

function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => 2 * rng.float() - 1) };
}

function product(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++)
      for (let p = 0; p < a.cols; p++) data[i * b.cols + j]! += a.data[i * a.cols + p]! * b.data[p * b.cols + j]!;
  return { rows: a.rows, cols: b.cols, data };
}

/** Brute-force reference: singular values are the square roots of eig(A^T A), descending. */
function referenceSingularValues(a: Matrix): number[] {
  const ata = new Float64Array(a.cols * a.cols);
  for (let i = 0; i < a.cols; i++)
    for (let j = 0; j < a.cols; j++)
      for (let r = 0; r < a.rows; r++) ata[i * a.cols + j]! += a.data[r * a.cols + i]! * a.data[r * a.cols + j]!;
  return Array.from(symmetricEigenvalues(ata, a.cols)).map((e) => Math.sqrt(Math.max(e, 0))).sort((x, y) => y - x);
}

/** Checks orthonormal columns of U and V and A v_j = s_j u_j, A^T u_j = s_j v_j. */
function checkTriplets(a: Matrix, svd: ReturnType<typeof truncatedSvd>, tol: number): void {
  const k = svd.s.length;
  const col = (m: Matrix, j: number) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]!);
  for (let x = 0; x < k; x++) {
    for (let y = 0; y < k; y++) {
      const ux = col(svd.u, x), uy = col(svd.u, y), vx = col(svd.v, x), vy = col(svd.v, y);
      assertNear(ux.reduce((s, e, i) => s + e * uy[i]!, 0), x === y ? 1 : 0, tol, `u${x}.u${y}`);
      assertNear(vx.reduce((s, e, i) => s + e * vy[i]!, 0), x === y ? 1 : 0, tol, `v${x}.v${y}`);
    }
    const u = col(svd.u, x), v = col(svd.v, x);
    for (let i = 0; i < a.rows; i++) {
      let av = 0;
      for (let c = 0; c < a.cols; c++) av += a.data[i * a.cols + c]! * v[c]!;
      assertNear(av, svd.s[x]! * u[i]!, tol, `Av[${i}]`);
    }
    for (let c = 0; c < a.cols; c++) {
      let atu = 0;
      for (let i = 0; i < a.rows; i++) atu += a.data[i * a.cols + c]! * u[i]!;
      assertNear(atu, svd.s[x]! * v[c]!, tol, `A^Tu[${c}]`);
    }
  }
}

test("truncated SVD matches the brute-force SVD of small matrices", () => {
  const rng = new Rng(3);
  const a = randomMatrix(8, 6, rng);
  const full = truncatedSvd(a, 6, { seed: 1 });
  assertAllNear(full.s, referenceSingularValues(a), 1e-10, "singular values");
  checkTriplets(a, full, 1e-10);
  // Rank 2: only two singular values come back.
  const low = product(randomMatrix(9, 2, rng), randomMatrix(2, 7, rng));
  const svd = truncatedSvd(low, 5, { seed: 2 });
  assert.equal(svd.s.length, 2);
  assertAllNear(svd.s, referenceSingularValues(low).slice(0, 2), 1e-10);
  checkTriplets(low, svd, 1e-10);
});

test("truncated SVD finds the top singular values of a larger matrix", () => {
  const rng = new Rng(4);
  // Three strong rank-1 terms (weights 30, 20, 12) over uniform noise, whose singular values stay below about 7.
  const a = randomMatrix(40, 30, rng);
  for (const [w, seed] of [[30, 1], [20, 2], [12, 3]] as const) {
    const r = new Rng(seed);
    const u = Float64Array.from({ length: 40 }, () => r.float() - 0.5);
    const v = Float64Array.from({ length: 30 }, () => r.float() - 0.5);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 30; j++) a.data[i * 30 + j]! += w * u[i]! * v[j]!;
  }
  const svd = truncatedSvd(a, 3, { seed: 5, oversample: 5, powerIterations: 6 });
  assertAllNear(svd.s, referenceSingularValues(a).slice(0, 3), 1e-6, "top 3");
  checkTriplets(a, svd, 1e-6);
  // Same seed, same result.
  assert.deepEqual(truncatedSvd(a, 3, { seed: 5 }).s, truncatedSvd(a, 3, { seed: 5 }).s);
});

test("terms and idf by hand", () => {
  assert.deepEqual(extractTerms("Hello, WORLD 42!", { kind: "word" }), ["hello", "world", "42"]);
  // " ab c " padded: bigrams " a", "ab", "b ", " c", "c ".
  assert.deepEqual(extractTerms("Ab   c", { kind: "char", minN: 2, maxN: 2 }), [" a", "ab", "b ", " c", "c "]);
  // Documents "a b" and "a": idf(a) = ln(3/3) + 1 = 1, idf(b) = ln(3/2) + 1.
  const model = fitTfIdf(["a b", "a"]);
  assert.deepEqual(model.vocabulary, ["a", "b"]);
  assertAllNear(model.idf, [1, Math.log(1.5) + 1], 1e-15);
  // "a a b": (2*1, 1*idf(b)) normalised.
  const raw = [2, Math.log(1.5) + 1];
  const n = Math.hypot(...raw);
  assertAllNear(tfIdfVector(model, "a a b zzz"), raw.map((x) => x / n), 1e-15);
});

test("balanced assignment respects equal capacity", () => {
  // Five points near 0 and one near 10, two centres at 0 and 10: capacity 3 each.
  const points = [[0], [0.1], [0.2], [0.3], [0.4], [10]];
  const labels = balancedAssign(points, [[0], [10]]);
  // Greedy by distance: 0, 0.1, 0.2 fill centre 0; 10 goes to centre 1, then 0.3 and 0.4 overflow to it.
  assert.deepEqual(labels, [0, 0, 0, 1, 1, 1]);
  const fit = fitBalancedKMeans(points, 2, { seed: 1 });
  const sizes = [0, 1].map((c) => fit.labels.filter((l) => l === c).length);
  assert.deepEqual(sizes, [3, 3]);
});

const TOPICS = [
  ["river", "boat", "water", "fish", "bridge", "rain"],
  ["code", "compiler", "bug", "test", "function", "type"],
  ["bread", "flour", "oven", "butter", "sugar", "salt"],
];

function topicDocuments(rng: Rng, perTopic: number): { text: string; topic: number }[] {
  const docs: { text: string; topic: number }[] = [];
  for (let d = 0; d < perTopic; d++) {
    TOPICS.forEach((words, topic) => {
      const text = Array.from({ length: 12 }, () => words[rng.int(words.length)]!).join(" ");
      docs.push({ text, topic });
    });
  }
  return docs;
}

test("content clustering recovers topics, balanced, and round-trips through JSON", () => {
  const docs = topicDocuments(new Rng(11), 6);
  const { clusterer, labels } = ContentClusterer.fit(docs.map((d) => d.text), { clusters: 3, seed: 2 });
  // Each topic maps to exactly one cluster, each cluster has six documents.
  for (let topic = 0; topic < 3; topic++) {
    const ls = new Set(labels.filter((_, i) => docs[i]!.topic === topic));
    assert.equal(ls.size, 1, `topic ${topic} split over clusters ${[...ls]}`);
  }
  assert.equal(new Set(labels).size, 3);
  assert.ok(clusterer.dimensions <= 100 && clusterer.dimensions >= 3);
  const e = clusterer.embed("fish and water under the bridge");
  assertNear(Math.hypot(...e), 1, 1e-12);
  const riverCluster = labels[docs.findIndex((d) => d.topic === 0)]!;
  assert.equal(clusterer.assign("fish and water under the bridge"), riverCluster);
  const restored = ContentClusterer.fromJSON(JSON.parse(JSON.stringify(clusterer.toJSON())));
  assert.deepEqual(restored.embed("oven bread salt"), clusterer.embed("oven bread salt"));
  assert.deepEqual(restored.distances("compiler bug"), clusterer.distances("compiler bug"));
  assert.throws(() => ContentClusterer.fromJSON({ ...clusterer.toJSON(), dimensions: 1 }), /projection size/);
});

test("content clustering with character n-grams", () => {
  const docs = topicDocuments(new Rng(12), 4).map((d) => ({ ...d, text: d.text.replace(/ /g, "") }));
  const { labels } = ContentClusterer.fit(docs.map((d) => d.text), {
    clusters: 3, seed: 1, terms: { kind: "char", minN: 3, maxN: 3 },
  });
  for (let topic = 0; topic < 3; topic++) {
    assert.equal(new Set(labels.filter((_, i) => docs[i]!.topic === topic)).size, 1, `topic ${topic}`);
  }
});
