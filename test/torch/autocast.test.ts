// The autocast scope and the precision setting: what runs in bf16, what stays float32,
// that the previous state always comes back, and how the CPU's bf16 support is read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  autocast, autocastState, bf16SupportFromCpuinfo, buildInfo, cpuBf16Support, crossEntropy, layerNorm, linear, manualSeed, randn,
  resolvePrecision, tensor, tidy, withPrecision,
} from "../../src/torch/index.js";

const bf16 = { dtype: "bfloat16" } as const;

describe("autocast", () => {
  it("runs linear and matmul in bf16 inside the scope, float32 outside, and losses in float32", () => tidy(() => {
    manualSeed(1);
    const x = randn([4, 8]);
    const w = randn([16, 8]);
    assert.equal(linear(x, w, null).dtype, "float32");
    autocast(bf16, () => {
      assert.deepEqual(autocastState(), { enabled: true, dtype: "bfloat16" });
      const y = linear(x, w, null);
      assert.equal(y.dtype, "bfloat16");
      assert.equal(x.matmul(w.t()).dtype, "bfloat16");
      // cross_entropy is on the policy's float32 list: bf16 logits, float32 loss.
      assert.equal(crossEntropy(y, tensor([0, 1, 2, 3], { dtype: "int64" })).dtype, "float32");
      // A float32 input to LayerNorm stays float32 (not on the lower-precision list).
      assert.equal(layerNorm(x, [8], null, null, 1e-5).dtype, "float32");
    });
    assert.deepEqual(autocastState(), { enabled: false, dtype: "bfloat16" });
    assert.equal(linear(x, w, null).dtype, "float32");
  }));

  it("bf16 products are those of bf16-rounded inputs, rounded to bf16", () => tidy(() => {
    manualSeed(2);
    const x = randn([8, 32]);
    const w = randn([8, 32]);
    const got = autocast(bf16, () => linear(x, w, null)).toDtype("float32");
    const want = linear(x.toDtype("bfloat16").toDtype("float64"), w.toDtype("bfloat16").toDtype("float64"), null);
    // Products of bf16 values are exact in float32 accumulation; the output is rounded to bf16 (8 bits).
    const rel = got.toDtype("float64").sub(want).abs().amax([0, 1]).item() / want.abs().amax([0, 1]).item();
    assert.ok(rel < 2 ** -7, `relative error ${rel}`);
    assert.ok(!got.toDtype("float64").equal(linear(x.toDtype("float64"), w.toDtype("float64"), null)), "the result is not the float64 product");
  }));

  it("restores the previous state when the body throws, and when scopes nest", () => {
    assert.throws(() => autocast(bf16, () => { throw new Error("boom"); }), /boom/);
    assert.equal(autocastState().enabled, false);
    autocast(bf16, () => {
      autocast({ dtype: "bfloat16", enabled: false }, () => assert.equal(autocastState().enabled, false));
      assert.equal(autocastState().enabled, true);
      assert.throws(() => autocast({ dtype: "bfloat16", enabled: false }, () => { throw new Error("inner"); }), /inner/);
      assert.equal(autocastState().enabled, true);
    });
    assert.equal(autocastState().enabled, false);
  });

  it("refuses what this libtorch cannot do, naming it", () => {
    assert.throws(() => autocast({ dtype: "float16" }, () => 0), /CPU autocast supports bfloat16 only/);
    if (!buildInfo().cuda) assert.throws(() => autocast({ device: "cuda", dtype: "float16" }, () => 0), /CUDA autocast needs a libtorch built with CUDA/);
    assert.equal(autocastState().enabled, false);
    assert.throws(() => autocast(bf16, () => Promise.resolve(1)), /synchronous/);
    assert.equal(autocastState().enabled, false);
  });
});

describe("precision", () => {
  it("reads bf16 support from /proc/cpuinfo flags", () => {
    const line = (flags: string) => `processor\t: 0\nmodel name\t: x\nflags\t\t: fpu sse ${flags}\nbugs\t\t: none\n`;
    assert.deepEqual(bf16SupportFromCpuinfo(line("avx512f avx512_bf16 avx2")), { native: true, flags: ["avx512_bf16"] });
    assert.deepEqual(bf16SupportFromCpuinfo(line("avx512_bf16 amx_bf16 amx_tile")), { native: true, flags: ["avx512_bf16", "amx_bf16"] });
    assert.deepEqual(bf16SupportFromCpuinfo(line("avx512f avx512bw avx2")), { native: false, flags: [] });
    // avx512_bf16 must be a whole flag, not a prefix of another.
    assert.deepEqual(bf16SupportFromCpuinfo(line("avx512_bf16x")), { native: false, flags: [] });
    assert.deepEqual(bf16SupportFromCpuinfo(""), { native: false, flags: [] });
  });

  it("defaults to bf16 exactly where the CPU has it, refuses fp16 without CUDA and unknown names", () => {
    assert.equal(resolvePrecision(undefined), cpuBf16Support().native ? "bf16" : "fp32");
    assert.equal(resolvePrecision("fp32"), "fp32");
    if (cpuBf16Support().native) assert.equal(resolvePrecision("bf16"), "bf16");
    else assert.throws(() => resolvePrecision("bf16", "spec.json: train.precision"), /spec\.json: train\.precision: bf16 needs a CPU with avx512_bf16 or amx_bf16/);
    assert.throws(() => resolvePrecision("fp16", "x.json: train.precision"), /x\.json: train\.precision: fp16 needs CUDA/);
    assert.throws(() => resolvePrecision("fp8" as never), /unknown precision 'fp8'/);
  });

  it("withPrecision: fp32 leaves autocast off, bf16 turns it on for the body only", () => {
    withPrecision("fp32", () => assert.equal(autocastState().enabled, false));
    withPrecision("bf16", () => assert.deepEqual(autocastState(), { enabled: true, dtype: "bfloat16" }));
    assert.equal(autocastState().enabled, false);
  });
});
