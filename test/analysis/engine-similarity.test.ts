// Linear CKA, word retrieval and the silhouette on libtorch (float64 products on tensors) against the
// hand-written versions they replaced (test references), on rows and on tensors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/torch/index.js";
import { linearCka, silhouetteScore } from "../../src/analysis/similarity.js";
import { retrievalAccuracy } from "../../src/analysis/retrieval.js";
import { Rng } from "../../src/util/rng.js";
import { referenceLinearCka, referenceRetrievalAccuracy, referenceSilhouetteScore } from "./similarity-reference.js";

function rows(n: number, d: number, rng: Rng): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rng.float() - 0.5));
}

function noisy(x: Float64Array[], scale: number, rng: Rng): Float64Array[] {
  return x.map((r) => r.map((v) => v + scale * (rng.float() - 0.5)));
}

function asTensor(x: Float64Array[]) {
  const flat = new Float32Array(x.length * x[0]!.length);
  x.forEach((r, i) => flat.set(r, i * r.length));
  return tensor(flat, { shape: [x.length, x[0]!.length] });
}

test("linear CKA on libtorch agrees with the hand-written one, both methods, rows or tensors", () => {
  const rng = new Rng(1);
  for (const [n, dx, dy] of [[50, 8, 12], [6, 40, 30], [20, 20, 20]] as const) {
    const x = rows(n, dx, rng);
    const y = noisy(rows(n, dy, rng), 0.1, rng);
    for (const method of ["features", "gram"] as const) {
      const want = referenceLinearCka(x, y, { method });
      assert.ok(Math.abs(linearCka(x, y, { method }) - want) <= 1e-12, `${n}x${dx}/${dy} ${method}`);
    }
    // A float32 tensor (as encoder states are): the same value as its float64 rows.
    const xt = asTensor(x);
    const x32 = Array.from({ length: n }, (_, i) => Float64Array.from((xt.toArray() as Float32Array).subarray(i * dx, (i + 1) * dx)));
    assert.ok(Math.abs(linearCka(xt, y) - referenceLinearCka(x32, y)) <= 1e-12);
    xt.dispose();
  }
});

test("retrieval on libtorch counts what the hand-written one counts, ties included", () => {
  const rng = new Rng(2);
  for (const noise of [0.2, 1, 3]) {
    const s = rows(40, 16, rng);
    const t = noisy(s, noise, rng);
    // Two identical target rows and source rows: exact ties, never a retrieval.
    t[5] = Float64Array.from(t[4]!);
    s[9] = Float64Array.from(s[8]!);
    const got = retrievalAccuracy(s, t);
    const want = referenceRetrievalAccuracy(s, t);
    for (const k of ["weakSourceToTarget", "weakTargetToSource", "strongSourceToTarget", "strongTargetToSource"] as const) assert.equal(got[k], want[k], `noise ${noise} ${k}`);
    const st = asTensor(s);
    const tt = asTensor(t);
    assert.ok(Math.abs(retrievalAccuracy(st, tt).weak - got.weak) <= 0.05, "float32 tensors: nearly the same");
    st.dispose();
    tt.dispose();
  }
  assert.throws(() => retrievalAccuracy([[0, 0], [1, 0]], [[1, 0], [0, 1]]), /row 0 is a zero vector/);
});

test("the silhouette on libtorch distances agrees with the hand-written one, rows or tensors", () => {
  const rng = new Rng(4);
  const x = [...rows(15, 6, rng).map((r) => r.map((v) => v + 1)), ...rows(15, 6, rng).map((r) => r.map((v) => v - 1))];
  const labels = x.map((_, i) => (i < 15 ? "a" : i % 2 ? "b" : "c"));
  for (const distance of ["cosine", "euclidean"] as const) {
    const got = silhouetteScore(x, labels, { distance });
    const want = referenceSilhouetteScore(x, labels, { distance });
    // The reference's Euclidean distances come from ‖x‖² + ‖y‖² − 2x·y; cdist takes exact differences.
    assert.ok(Math.abs(got.mean - want.mean) <= 1e-12, `${distance}: ${got.mean} vs ${want.mean}`);
    got.perSample.forEach((s, i) => assert.ok(Math.abs(s - want.perSample[i]!) <= 1e-10, `${distance} sample ${i}`));
  }
  const xt = asTensor(x);
  assert.ok(Math.abs(silhouetteScore(xt, labels).mean - silhouetteScore(x, labels).mean) <= 1e-6, "float32 tensor");
  xt.dispose();
});
