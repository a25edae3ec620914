import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  arange, cat, eye, full, getRngState, manualSeed, ones, rand, randint, randn, scopeSize, setRngState, stack, tensor,
  tidy, where, zeros, keep,
} from "../../src/torch/index.js";
import { assertClose, seeded } from "../helpers.js";

describe("tensor creation and data transfer", () => {
  it("round-trips typed arrays of every dtype", () => {
    const f64 = seeded(6, 1);
    const t = tensor(f64, { shape: [2, 3] });
    assert.equal(t.dtype, "float64");
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(Array.from(t.toArray() as Float64Array), Array.from(f64));
    assert.deepEqual(Array.from(tensor(new Int32Array([1, -2, 3])).toArray() as Int32Array), [1, -2, 3]);
    assert.deepEqual(Array.from(tensor(new BigInt64Array([5n, -7n])).toArray() as BigInt64Array), [5n, -7n]);
    assert.deepEqual(tensor([true, false, true]).tolist(), [true, false, true]);
    assert.deepEqual(tensor([[1, 2], [3, 4]], { dtype: "int64" }).tolist(), [[1, 2], [3, 4]]);
    const half = tensor([0.5, 1.25, -2], { dtype: "bfloat16" });
    assert.equal(half.dtype, "bfloat16");
    assert.deepEqual(Array.from(half.toArray() as Float32Array), [0.5, 1.25, -2]);
  });

  it("refuses ragged nested arrays and bad shapes with JS errors", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
    assert.throws(() => tensor(new Float32Array(5), { shape: [2, 3] }), /byte length/);
  });

  it("makes zeros, ones, full, arange, eye", () => {
    assert.deepEqual(zeros([2, 2]).tolist(), [[0, 0], [0, 0]]);
    assert.deepEqual(ones([3], "int32").tolist(), [1, 1, 1]);
    assert.deepEqual(full([2], 7.5).tolist(), [7.5, 7.5]);
    assert.deepEqual(arange(2, 10, 3).tolist(), [2, 5, 8]);
    assert.deepEqual(eye(2).tolist(), [[1, 0], [0, 1]]);
  });

  it("seeds rand, randn, randint reproducibly, and restores the generator state", () => {
    manualSeed(42);
    const a = randn([5]).toArray();
    const state = getRngState();
    const b = rand([5]).toArray();
    const c = randint(0, 100, [5]).toArray();
    manualSeed(42);
    assert.deepEqual(randn([5]).toArray(), a);
    setRngState(state);
    assert.deepEqual(rand([5]).toArray(), b);
    assert.deepEqual(randint(0, 100, [5]).toArray(), c);
  });
});

describe("tensor math against float64 computed in JS", () => {
  const x = seeded(12, 2);
  const y = seeded(12, 3);
  const X = () => tensor(x, { shape: [3, 4] });
  const Y = () => tensor(y, { shape: [3, 4] });

  it("broadcasting elementwise ops", () => {
    const row = seeded(4, 4);
    const got = X().add(tensor(row, { shape: [4] })).mul(Y()).sub(1).div(2).toArray() as Float64Array;
    assertClose(got, x.map((v, i) => ((v + row[i % 4]) * y[i] - 1) / 2), 1e-15);
    assertClose(X().pow(2).toArray() as Float64Array, x.map((v) => v * v), 1e-15);
    assertClose(X().exp().toArray() as Float64Array, x.map(Math.exp), 1e-15);
  });

  it("reductions along dims", () => {
    const rowSums = [0, 1, 2].map((r) => x.slice(r * 4, r * 4 + 4).reduce((a, b) => a + b));
    assertClose(X().sum([1]).toArray() as Float64Array, rowSums, 1e-15);
    assertClose(X().mean([1], true).reshape([-1]).toArray() as Float64Array, rowSums.map((s) => s / 4), 1e-15);
    const lse = [0, 1, 2].map((r) => Math.log(x.slice(r * 4, r * 4 + 4).reduce((a, b) => a + Math.exp(b), 0)));
    assertClose(X().logsumexp([1]).toArray() as Float64Array, lse, 1e-14);
    const [vals, idx] = X().max(1);
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.slice(r * 4, r * 4 + 4));
      assert.equal((vals.toArray() as Float64Array)[r], Math.max(...row));
      assert.equal(Number((idx.toArray() as BigInt64Array)[r]), row.indexOf(Math.max(...row)));
    }
    assert.equal(X().norm().item(), Math.sqrt(x.reduce((a, b) => a + b * b, 0)));
  });

  it("matmul and bmm", () => {
    const got = X().matmul(Y().t()).toArray() as Float64Array;
    const want: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += x[i * 4 + k] * y[j * 4 + k];
      want.push(s);
    }
    assertClose(got, want, 1e-14);
    assert.deepEqual(X().reshape([1, 3, 4]).bmm(Y().reshape([1, 4, 3])).shape, [1, 3, 3]);
  });

  it("softmax, log_softmax and cross_entropy", () => {
    const p = X().softmax(1).toArray() as Float64Array;
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.slice(r * 4, r * 4 + 4));
      const z = row.reduce((a, b) => a + Math.exp(b), 0);
      assertClose(p.slice(r * 4, r * 4 + 4), row.map((v) => Math.exp(v) / z), 1e-14);
    }
    const targets = tensor([1, 3, 0], { dtype: "int64" });
    const ce = tidy(() => X().logSoftmax(1).gather(1, targets.unsqueeze(1)).mean().neg().item());
    assert.ok(Math.abs(ce - tidy(() => crossEntropyOf(X(), targets))) < 1e-15);
    // ignore_index drops a row from the mean.
    const ig = tensor([1, -100, 0], { dtype: "int64" });
    const lsm = X().logSoftmax(1).toArray() as Float64Array;
    assert.ok(Math.abs(crossEntropyOf(X(), ig) - -(lsm[1] + lsm[8]) / 2) < 1e-15);
  });

  it("shape ops: permute, transpose, narrow, cat, stack, expand, squeeze", () => {
    const t = arange(0, 24).reshape([2, 3, 4]);
    assert.deepEqual(t.permute([2, 0, 1]).shape, [4, 2, 3]);
    assert.equal(t.transpose(0, 2).contiguous().view([-1]).toArray()[1], 12n);
    assert.deepEqual(t.narrow(2, 1, 2).shape, [2, 3, 2]);
    assert.deepEqual(cat([t, t], 1).shape, [2, 6, 4]);
    assert.deepEqual(stack([t, t], 0).shape, [2, 2, 3, 4]);
    assert.deepEqual(ones([1, 3]).expand([5, 3]).shape, [5, 3]);
    assert.deepEqual(ones([1, 3, 1]).squeeze().shape, [3]);
    assert.deepEqual(ones([3]).unsqueeze(0).shape, [1, 3]);
  });

  it("comparisons, where, masked_fill, index_select, scatter_add", () => {
    const a = tensor([1, 5, 3]);
    assert.deepEqual(a.gt(2).tolist(), [false, true, true]);
    assert.deepEqual(where(a.gt(2), a, 0).tolist(), [0, 5, 3]);
    assert.deepEqual(a.maskedFill(a.eq(5), -1).tolist(), [1, -1, 3]);
    assert.deepEqual(a.indexSelect(0, tensor([2, 0], { dtype: "int64" })).tolist(), [3, 1]);
    assert.deepEqual(zeros([3]).scatterAdd(0, tensor([0, 0, 2], { dtype: "int64" }), a).tolist(), [6, 0, 3]);
  });
});

describe("errors and memory", () => {
  it("turns libtorch errors into JS errors with libtorch's message", () => {
    assert.throws(() => ones([2, 3]).matmul(ones([2, 3])), /matmul: mat1 and mat2 shapes cannot be multiplied/);
    assert.throws(() => ones([3]).indexSelect(0, tensor([7], { dtype: "int64" })), /index_select/);
    assert.throws(() => ones([3]).add(ones([4])), /size of tensor a/);
    assert.throws(() => ones([3]).reshape([1.5]), /must be an array of integers/);
    assert.throws(() => zeros([2], "complex" as never), /unknown dtype/);
  });

  it("tidy disposes temporaries and keeps what it returns", () => {
    const before = scopeSize();
    let inner = ones([1]);
    const out = tidy(() => {
      inner = ones([4]);
      const kept = keep(ones([2]));
      void kept;
      return inner.mul(2);
    });
    assert.equal(inner.isDisposed, true);
    assert.equal(out.isDisposed, false);
    assert.deepEqual(out.tolist(), [2, 2, 2, 2]);
    assert.equal(scopeSize(), before);
    assert.throws(() => inner.add(1), /disposed/);
  });

  it("disposes the scope's tensors when the function throws", () => {
    let leaked = ones([1]);
    assert.throws(() => tidy(() => {
      leaked = ones([3]);
      throw new Error("boom");
    }), /boom/);
    assert.equal(leaked.isDisposed, true);
  });
});

import { crossEntropy } from "../../src/torch/index.js";
import type { Tensor } from "../../src/torch/index.js";
function crossEntropyOf(logits: Tensor, targets: Tensor): number {
  return crossEntropy(logits, targets).item();
}
