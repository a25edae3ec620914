// GPT-2 checkpoints in the Hugging Face layout (config.json + model.safetensors) as
// xling GPTs. The architectures agree (pre-LayerNorm blocks, fused q/k/v projection in
// q, k, v order, learned positions, causal softmax attention) except in three places:
//  - GPT-2 stores its projections as Conv1D, weight [in, out]: the transpose of Linear's;
//  - its MLP uses the tanh approximation of GELU (xling's GPT: activation "gelu_tanh");
//  - its output embedding is the input embedding. A loaded GPT gets a copy in lm_head,
//    so it computes the same logits; fine-tuning then unties the two, and saving refuses
//    a model whose two embeddings differ, since GPT-2 readers would drop lm_head.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Tensor, loadSafetensors, noGrad, saveSafetensors } from "../torch/index.js";
import { GPT, type GPTConfig } from "./gpt.js";
import { checkConfigSizes } from "./config-size-check.js";
import { readConfigJson } from "./huggingface.js";

/** xling parameter name -> [GPT-2 name without the "transformer." prefix, stored transposed]. */
function gpt2Names(layers: number): Map<string, [string, boolean]> {
  const m = new Map<string, [string, boolean]>([
    ["tok_emb.weight", ["wte.weight", false]],
    ["pos_emb.weight", ["wpe.weight", false]],
    ["ln_f.weight", ["ln_f.weight", false]],
    ["ln_f.bias", ["ln_f.bias", false]],
  ]);
  for (let i = 0; i < layers; i++) {
    const ours = `blocks.${i}.`;
    const theirs = `h.${i}.`;
    for (const [a, b, transposed] of [
      ["ln1", "ln_1", false], ["ln2", "ln_2", false],
      ["attn.qkv", "attn.c_attn", true], ["attn.proj", "attn.c_proj", true],
      ["mlp.fc", "mlp.c_fc", true], ["mlp.proj", "mlp.c_proj", true],
    ] as const) {
      m.set(`${ours}${a}.weight`, [`${theirs}${b}.weight`, transposed]);
      m.set(`${ours}${a}.bias`, [`${theirs}${b}.bias`, false]);
    }
  }
  return m;
}

function readConfig(dir: string): GPTConfig {
  const { path, raw } = readConfigJson(dir);
  if (raw.model_type !== "gpt2") throw new Error(`${path}: model_type "${String(raw.model_type)}" is not gpt2`);
  const n = (k: string) => {
    const v = raw[k];
    if (typeof v !== "number") throw new Error(`${path}: "${k}" is missing or not a number`);
    return v;
  };
  const act = raw.activation_function ?? "gelu_new";
  if (act !== "gelu_new" && act !== "gelu_pytorch_tanh" && act !== "gelu") throw new Error(`${path}: activation_function "${String(act)}" is not supported`);
  if (raw.n_inner !== undefined && raw.n_inner !== null && raw.n_inner !== 4 * n("n_embd")) throw new Error(`${path}: n_inner other than 4 x n_embd is not supported`);
  if (typeof raw.layer_norm_epsilon === "number" && raw.layer_norm_epsilon !== 1e-5) throw new Error(`${path}: layer_norm_epsilon ${raw.layer_norm_epsilon} is not supported (1e-5 only)`);
  return {
    vocabSize: n("vocab_size"), dModel: n("n_embd"), layers: n("n_layer"), heads: n("n_head"), seqLen: n("n_positions"), dropout: 0,
    activation: act === "gelu" ? "gelu" : "gelu_tanh",
  };
}

/** Writes a GPT as a GPT2LMHeadModel directory (atomically). */
export function saveGpt2(dir: string, model: GPT): void {
  const c = model.config;
  const tied = noGrad(() => model.lm_head.weight.equal(model.tok_emb.weight));
  if (!tied) throw new Error("GPT-2 ties its output embedding to its input embedding, and this model's two embeddings differ");
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const names = gpt2Names(c.layers);
  const tensors = new Map<string, Tensor>();
  const params = new Map(model.namedParameters());
  noGrad(() => {
    for (const [ours, [theirs, transposed]] of names) {
      const p = params.get(ours)!;
      tensors.set(`transformer.${theirs}`, transposed ? p.t().contiguous() : p);
    }
  });
  saveSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" });
  writeFileSync(join(tmp, "config.json"), JSON.stringify({
    architectures: ["GPT2LMHeadModel"], model_type: "gpt2", vocab_size: c.vocabSize, n_embd: c.dModel, n_layer: c.layers, n_head: c.heads,
    n_positions: c.seqLen, n_inner: null, activation_function: c.activation === "gelu_tanh" ? "gelu_new" : "gelu", layer_norm_epsilon: 1e-5,
    tie_word_embeddings: true, torch_dtype: "float32",
  }, null, 2) + "\n");
  if (existsSync(dir)) renameSync(dir, `${dir}.old-${process.pid}`);
  renameSync(tmp, dir);
}

/** Loads a GPT-2 directory (GPT2LMHeadModel or a bare GPT2Model) into an xling GPT. */
export function loadGpt2(dir: string): { model: GPT; unused: string[] } {
  const config = readConfig(dir);
  const weights = join(dir, "model.safetensors");
  if (!existsSync(weights)) throw new Error(`${dir}: no model.safetensors (PyTorch .bin checkpoints are not read; convert them to safetensors first)`);
  checkConfigSizes(join(dir, "config.json"), weights, {
    vocabSize: config.vocabSize, hidden: config.dModel, layers: config.layers, intermediate: 4 * config.dModel, maxPositions: config.seqLen,
  });
  const { tensors } = loadSafetensors(weights);
  const prefix = [...tensors.keys()].some((k) => k.startsWith("transformer.")) ? "transformer." : "";
  const model = new GPT(config);
  const used = new Set<string>();
  try {
    const state = new Map<string, Tensor>();
    for (const [ours, [theirs, transposed]] of gpt2Names(config.layers)) {
      const t = tensors.get(prefix + theirs);
      if (!t) throw new Error(`${weights}: missing ${prefix + theirs}`);
      used.add(prefix + theirs);
      state.set(ours, transposed ? t.t() : t);
    }
    state.set("lm_head.weight", state.get("tok_emb.weight")!);
    used.add("lm_head.weight");
    model.loadStateDict(state);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  // Old checkpoints carry the attention mask as a buffer; it is rebuilt, not read.
  return { model, unused: [...tensors.keys()].filter((k) => !used.has(k)) };
}
