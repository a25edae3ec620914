// GPT-2 checkpoints in the Hugging Face layout (config.json + model.safetensors) as
// xling GPTs. The architectures agree (pre-LayerNorm blocks, fused q/k/v projection in
// q, k, v order, learned positions, causal softmax attention, dropout on the embeddings
// and on each residual branch) except in three places:
//  - GPT-2 stores its projections as Conv1D, weight [in, out]: the transpose of Linear's;
//  - its MLP uses the tanh approximation of GELU (xling's GPT: activation "gelu_tanh";
//    xling's default exact GELU is written as activation_function "gelu");
//  - OpenAI's GPT-2 ties its output embedding to the input embedding, xling's GPT does
//    not. A tied checkpoint loads with lm_head a copy of wte; xling writes its models
//    with `tie_word_embeddings: false` and an `lm_head.weight` tensor, which
//    GPT2LMHeadModel reads as a separate output layer.
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

function readConfig(dir: string): GPTConfig & { tied: boolean } {
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
    vocabSize: n("vocab_size"), dModel: n("n_embd"), layers: n("n_layer"), heads: n("n_head"), seqLen: n("n_positions"),
    dropout: typeof raw.resid_pdrop === "number" ? raw.resid_pdrop : 0,
    activation: act === "gelu" ? "gelu" : "gelu_tanh",
    tied: raw.tie_word_embeddings !== false,
  };
}

/** Token ids and generation settings config.json and generation_config.json carry. */
export interface Gpt2TokenIds {
  bos?: number | null;
  eos?: number | null;
  pad?: number | null;
}

/** config.json of a GPT as GPT2LMHeadModel, untied output layer included. */
export function gpt2Config(c: GPTConfig, ids: Gpt2TokenIds = {}): Record<string, unknown> {
  const dropout = c.dropout ?? 0;
  return {
    architectures: ["GPT2LMHeadModel"], model_type: "gpt2", vocab_size: c.vocabSize, n_embd: c.dModel, n_layer: c.layers, n_head: c.heads,
    n_positions: c.seqLen, n_ctx: c.seqLen, n_inner: null, activation_function: c.activation === "gelu_tanh" ? "gelu_new" : "gelu", layer_norm_epsilon: 1e-5,
    // xling drops out the embeddings and each residual branch, not attention probabilities.
    embd_pdrop: dropout, resid_pdrop: dropout, attn_pdrop: 0, summary_first_dropout: dropout,
    bos_token_id: ids.bos ?? null, eos_token_id: ids.eos ?? null, pad_token_id: ids.pad ?? null,
    tie_word_embeddings: false, torch_dtype: "float32",
  };
}

/** generation_config.json: the token ids generate() needs, and the context length. */
export function gpt2GenerationConfig(c: GPTConfig, ids: Gpt2TokenIds = {}): Record<string, unknown> {
  return { bos_token_id: ids.bos ?? null, eos_token_id: ids.eos ?? null, pad_token_id: ids.pad ?? ids.eos ?? null, max_length: c.seqLen, do_sample: true };
}

/**
 * Writes a GPT as a GPT2LMHeadModel directory (atomically: a temporary directory renamed
 * into place), its output layer as `lm_head.weight`. `extraFiles` (name -> content) are
 * written beside the weights, e.g. tokenizer.json and README.md.
 */
export function saveGpt2(dir: string, model: GPT, opts: { ids?: Gpt2TokenIds; extraFiles?: Record<string, string | Uint8Array> } = {}): void {
  const c = model.config;
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
  tensors.set("lm_head.weight", model.lm_head.weight);
  saveSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" });
  writeFileSync(join(tmp, "config.json"), JSON.stringify(gpt2Config(c, opts.ids), null, 2) + "\n");
  writeFileSync(join(tmp, "generation_config.json"), JSON.stringify(gpt2GenerationConfig(c, opts.ids), null, 2) + "\n");
  for (const [name, content] of Object.entries(opts.extraFiles ?? {})) writeFileSync(join(tmp, name), content);
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
  const { tied: _tied, ...gptConfig } = config;
  const model = new GPT(gptConfig);
  const used = new Set<string>();
  try {
    const state = new Map<string, Tensor>();
    for (const [ours, [theirs, transposed]] of gpt2Names(config.layers)) {
      const t = tensors.get(prefix + theirs);
      if (!t) throw new Error(`${weights}: missing ${prefix + theirs}`);
      used.add(prefix + theirs);
      state.set(ours, transposed ? t.t() : t);
    }
    // An untied checkpoint (xling's, tie_word_embeddings false) has its own output layer.
    const head = tensors.get("lm_head.weight");
    if (config.tied === false && !head) throw new Error(`${weights}: missing lm_head.weight (config.json says tie_word_embeddings is false)`);
    state.set("lm_head.weight", config.tied === false ? head! : state.get("tok_emb.weight")!);
    if (head) used.add("lm_head.weight");
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
