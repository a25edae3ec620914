// The basic layers, with PyTorch's parameter names and semantics.
import { drawRows, inBatchShard } from "./batch-shard.js";
import { type DType, Tensor, dropout as dropoutFn, embedding, layerNorm, linear, ones, zeros, empty } from "../torch/index.js";
import { Module } from "./module.js";

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; std?: number; dtype?: DType } = {}) {
    super();
    const dtype = opts.dtype ?? "float32";
    this.weight = this.param("weight", empty([outFeatures, inFeatures], dtype).normal_(0, opts.std ?? 0.02));
    this.bias = opts.bias === false ? null : this.param("bias", zeros([outFeatures], dtype));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly count: number, readonly dim: number, opts: { std?: number; dtype?: DType } = {}) {
    super();
    this.weight = this.param("weight", empty([count, dim], opts.dtype ?? "float32").normal_(0, opts.std ?? 0.02));
  }
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly dim: number, readonly eps = 1e-5, dtype: DType = "float32") {
    super();
    this.weight = this.param("weight", ones([dim], dtype));
    this.bias = this.param("bias", zeros([dim], dtype));
  }
  forward(x: Tensor): Tensor {
    // Under autocast a bf16/fp16 activation can meet float32 weights; libtorch 1.13's CPU
    // layer_norm needs one dtype, and normalising in float32 is the accurate choice.
    const input = x.dtype !== this.weight.dtype && (x.dtype === "bfloat16" || x.dtype === "float16") ? x.toDtype(this.weight.dtype) : x;
    return layerNorm(input, [this.dim], this.weight, this.bias, this.eps);
  }
}

export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
    if (p < 0 || p >= 1) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    // No op (and no RNG draw) when off, so p = 0 models match dropout-free references.
    if (this.p === 0 || !this.training) return x;
    // A data-parallel rank draws its rows of the global batch's mask (batch-shard.ts).
    return inBatchShard() ? x.mul(drawRows(x.shape, (s) => dropoutFn(ones(s, x.dtype), this.p, true))) : dropoutFn(x, this.p, true);
  }
}
