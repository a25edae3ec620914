// The GPT language model of the imbalance and expert studies (methods.md §1), with the
// parameter names of scripts/reference/gpt_reference.py (the PyTorch reference): pre-LayerNorm blocks, causal
// softmax attention, exact GELU MLP (4x), learned absolute positions, untied output
// embedding, N(0, 0.02) init with residual projections at 0.02/sqrt(2L).
import { type DType, Tensor, crossEntropy, full } from "../torch/index.js";
import { Dropout, Embedding, LayerNorm, Linear } from "./layers.js";
import { Module, ModuleList } from "./module.js";

export interface GPTConfig {
  vocabSize: number;
  dModel: number;
  layers: number;
  heads: number;
  /** Longest sequence (positions). */
  seqLen: number;
  dropout?: number;
  /** Parameter dtype; float32 unless a float64 model is wanted (e.g. gradient checks). */
  dtype?: DType;
  /** MLP activation: exact GELU (default, as the reference) or GPT-2's tanh approximation. */
  activation?: "gelu" | "gelu_tanh";
}

/** The sizes of methods.md §1 (vocab and sequence length are the caller's). */
export const GPT_SIZES = {
  tiny: { dModel: 128, layers: 4, heads: 4 },
  mini: { dModel: 512, layers: 4, heads: 8 },
  small: { dModel: 768, layers: 12, heads: 12 },
  medium: { dModel: 1024, layers: 24, heads: 16 },
} as const;

class Attention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  constructor(readonly d: number, readonly heads: number, projStd: number, dtype: DType) {
    super();
    if (d % heads !== 0) throw new Error(`dModel ${d} is not divisible by heads ${heads}`);
    this.qkv = this.child("qkv", new Linear(d, 3 * d, { dtype }));
    this.proj = this.child("proj", new Linear(d, d, { std: projStd, dtype }));
  }
  forward(x: Tensor, mask: Tensor): Tensor {
    const [b, t, d] = x.shape;
    const dh = d / this.heads;
    const [q, k, v] = this.qkv.forward(x).view([b, t, 3, this.heads, dh]).permute([2, 0, 3, 1, 4]).unbind(0);
    const att = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(dh))
      .maskedFill(mask.slice(0, 0, t).slice(1, 0, t), -Infinity)
      .softmax(-1);
    return this.proj.forward(att.matmul(v).transpose(1, 2).reshape([b, t, d]));
  }
}

class MLP extends Module {
  readonly fc: Linear;
  readonly proj: Linear;
  constructor(d: number, projStd: number, dtype: DType, private readonly approximate: "none" | "tanh") {
    super();
    this.fc = this.child("fc", new Linear(d, 4 * d, { dtype }));
    this.proj = this.child("proj", new Linear(4 * d, d, { std: projStd, dtype }));
  }
  forward(x: Tensor): Tensor {
    return this.proj.forward(this.fc.forward(x).gelu(this.approximate));
  }
}

class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: Attention;
  readonly ln2: LayerNorm;
  readonly mlp: MLP;
  readonly drop: Dropout;
  constructor(cfg: GPTConfig) {
    super();
    const projStd = 0.02 / Math.sqrt(2 * cfg.layers);
    const dtype = cfg.dtype ?? "float32";
    this.ln1 = this.child("ln1", new LayerNorm(cfg.dModel, 1e-5, dtype));
    this.attn = this.child("attn", new Attention(cfg.dModel, cfg.heads, projStd, dtype));
    this.ln2 = this.child("ln2", new LayerNorm(cfg.dModel, 1e-5, dtype));
    this.mlp = this.child("mlp", new MLP(cfg.dModel, projStd, dtype, cfg.activation === "gelu_tanh" ? "tanh" : "none"));
    this.drop = this.child("drop", new Dropout(cfg.dropout ?? 0));
  }
  forward(x: Tensor, mask: Tensor): Tensor {
    const h = x.add(this.drop.forward(this.attn.forward(this.ln1.forward(x), mask)));
    return h.add(this.drop.forward(this.mlp.forward(this.ln2.forward(h))));
  }
}

export interface GPTOutput {
  /** [B, T, V] next-token logits. */
  logits: Tensor;
  /** Each block's output (the residual stream before the final LayerNorm), when asked. */
  hidden?: Tensor[];
}

export class GPT extends Module {
  readonly tok_emb: Embedding;
  readonly pos_emb: Embedding;
  readonly blocks: ModuleList<Block>;
  readonly ln_f: LayerNorm;
  readonly lm_head: Linear;
  private readonly mask: Tensor;
  private readonly drop: Dropout;

  constructor(readonly config: GPTConfig) {
    super();
    const c = config;
    for (const k of ["vocabSize", "dModel", "layers", "heads", "seqLen"] as const)
      if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`GPT config: ${k} must be a positive integer, got ${c[k]}`);
    const dtype = c.dtype ?? "float32";
    this.tok_emb = this.child("tok_emb", new Embedding(c.vocabSize, c.dModel, { dtype }));
    this.pos_emb = this.child("pos_emb", new Embedding(c.seqLen, c.dModel, { dtype }));
    this.blocks = this.child("blocks", new ModuleList(Array.from({ length: c.layers }, () => new Block(c))));
    this.ln_f = this.child("ln_f", new LayerNorm(c.dModel, 1e-5, dtype));
    this.lm_head = this.child("lm_head", new Linear(c.dModel, c.vocabSize, { bias: false, dtype }));
    // True above the diagonal: positions a token may not attend to.
    this.mask = this.buffer("mask", full([c.seqLen, c.seqLen], 1, "bool").triu(1));
    this.drop = this.child("drop", new Dropout(c.dropout ?? 0));
  }

  /** ids: int64 [B, T] with T <= seqLen. */
  forward(ids: Tensor, opts: { hidden?: boolean } = {}): GPTOutput {
    const t = ids.shape[1];
    if (t > this.config.seqLen) throw new Error(`sequence of ${t} tokens exceeds the model's ${this.config.seqLen} positions`);
    let x = this.drop.forward(this.tok_emb.forward(ids).add(this.pos_emb.weight.narrow(0, 0, t)));
    const hidden: Tensor[] = [];
    for (const block of this.blocks.items) {
      x = block.forward(x, this.mask);
      if (opts.hidden) hidden.push(x);
    }
    const logits = this.lm_head.forward(this.ln_f.forward(x));
    return opts.hidden ? { logits, hidden } : { logits };
  }

  /** Mean next-token cross-entropy of tokens [B, T+1] (inputs [:, :-1], targets [:, 1:]). */
  loss(tokens: Tensor, opts: { ignoreIndex?: number } = {}): Tensor {
    const t = tokens.shape[1] - 1;
    const { logits } = this.forward(tokens.narrow(1, 0, t));
    const targets = tokens.narrow(1, 1, t);
    return crossEntropy(logits.reshape([-1, this.config.vocabSize]), targets.reshape([-1]), null, "mean", opts.ignoreIndex ?? -100);
  }
}
