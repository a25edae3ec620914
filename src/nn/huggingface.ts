// Encoder checkpoints in the Hugging Face directory layout: config.json (their keys) plus
// model.safetensors (their parameter names), and the tokenizer beside them. Users bring
// the multilingual models they already have (BERT, XLM-R, DistilBERT families) from a
// local directory; nothing is downloaded. xling writes the same layout, so its own
// pretrained encoders open in other tools.
//
// The encoder's module tree already uses BERT's names; each family differs only in a
// prefix and in the names of a few submodules, which the rename tables below map.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Tensor, loadSafetensors, noGrad, saveSafetensors } from "../torch/index.js";
import { checkConfigSizes } from "./config-size-check.js";
import { MaskedLM, encoderConfig, type EncoderConfig, type EncoderFamily } from "./encoder.js";

/** The tokenizer file names a directory may hold, in the order they are tried. */
export const SENTENCEPIECE_FILES = ["sentencepiece.bpe.model", "spiece.model", "tokenizer.model"];

type HfFamily = EncoderFamily | "distilbert";

interface FamilyLayout {
  /** Prefix of the body's parameters in a *ForMaskedLM checkpoint. */
  prefix: string;
  architecture: string;
  /** xling name part -> the family's (applied to whole dotted segments, in order). */
  renames: [RegExp, string][];
}

const LAYOUTS: Record<HfFamily, FamilyLayout> = {
  bert: {
    prefix: "bert.",
    architecture: "BertForMaskedLM",
    renames: [[/^mlm\.transform\./, "cls.predictions.transform."], [/^mlm\.bias$/, "cls.predictions.bias"]],
  },
  "xlm-roberta": {
    prefix: "roberta.",
    architecture: "XLMRobertaForMaskedLM",
    renames: [[/^mlm\.transform\.dense\./, "lm_head.dense."], [/^mlm\.transform\.LayerNorm\./, "lm_head.layer_norm."], [/^mlm\.bias$/, "lm_head.bias"]],
  },
  distilbert: {
    prefix: "distilbert.",
    architecture: "DistilBertForMaskedLM",
    renames: [
      [/\.encoder\.layer\./, ".transformer.layer."],
      [/\.attention\.self\.query\./, ".attention.q_lin."], [/\.attention\.self\.key\./, ".attention.k_lin."],
      [/\.attention\.self\.value\./, ".attention.v_lin."], [/\.attention\.output\.dense\./, ".attention.out_lin."],
      [/\.attention\.output\.LayerNorm\./, ".sa_layer_norm."], [/\.intermediate\.dense\./, ".ffn.lin1."],
      [/\.output\.dense\./, ".ffn.lin2."], [/\.output\.LayerNorm\./, ".output_layer_norm."],
      [/^mlm\.transform\.dense\./, "vocab_transform."], [/^mlm\.transform\.LayerNorm\./, "vocab_layer_norm."], [/^mlm\.bias$/, "vocab_projector.bias"],
    ],
  },
};

/** The family's name for one of xling's MaskedLM parameter names. */
export function hfName(family: HfFamily, name: string): string {
  const layout = LAYOUTS[family];
  let out = name.startsWith("encoder.") ? layout.prefix + name.slice("encoder.".length) : name;
  for (const [re, to] of layout.renames) out = out.replace(re, to);
  return out;
}

/** config.json as the family writes it. */
function hfConfig(c: EncoderConfig, family: HfFamily): Record<string, unknown> {
  const common = { architectures: [LAYOUTS[family].architecture], model_type: family, vocab_size: c.vocabSize, max_position_embeddings: c.maxPositions, pad_token_id: c.padId, torch_dtype: "float32" };
  if (family === "distilbert")
    return { ...common, dim: c.hidden, n_layers: c.layers, n_heads: c.heads, hidden_dim: c.intermediate, dropout: c.dropout, attention_dropout: c.dropout, activation: "gelu", sinusoidal_pos_embds: false };
  return {
    ...common, hidden_size: c.hidden, num_hidden_layers: c.layers, num_attention_heads: c.heads, intermediate_size: c.intermediate,
    type_vocab_size: c.typeVocabSize, layer_norm_eps: c.layerNormEps, hidden_act: "gelu", hidden_dropout_prob: c.dropout, attention_probs_dropout_prob: c.dropout,
  };
}

function num(raw: Record<string, unknown>, key: string, path: string): number {
  const v = raw[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${path}: "${key}" is missing or not a number`);
  return v;
}

/** A model directory's config.json as parsed JSON, with its path; errors name the file. */
export function readConfigJson(dir: string): { path: string; raw: Record<string, unknown> } {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new Error(`${dir}: no config.json (expected a Hugging Face model directory)`);
  try {
    return { path, raw: JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown> };
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** Reads a family's config.json into an EncoderConfig. */
export function readHfConfig(dir: string): { config: EncoderConfig; family: HfFamily } {
  const { path, raw } = readConfigJson(dir);
  const type = raw.model_type;
  const family: HfFamily | null = type === "bert" ? "bert" : type === "xlm-roberta" || type === "roberta" ? "xlm-roberta" : type === "distilbert" ? "distilbert" : null;
  if (!family) throw new Error(`${path}: model_type "${String(type)}" is not an encoder xling loads (bert, roberta, xlm-roberta, distilbert)`);
  const act = raw.hidden_act ?? raw.activation ?? "gelu";
  if (act !== "gelu") throw new Error(`${path}: activation "${String(act)}" is not supported (exact gelu only)`);
  if (family === "distilbert") {
    if (raw.sinusoidal_pos_embds === true) throw new Error(`${path}: sinusoidal position embeddings are not supported`);
    return {
      family,
      config: encoderConfig({
        family: "bert", vocabSize: num(raw, "vocab_size", path), hidden: num(raw, "dim", path), layers: num(raw, "n_layers", path), heads: num(raw, "n_heads", path),
        intermediate: num(raw, "hidden_dim", path), maxPositions: num(raw, "max_position_embeddings", path), typeVocabSize: 1, layerNormEps: 1e-12,
        padId: typeof raw.pad_token_id === "number" ? raw.pad_token_id : 0, dropout: 0,
      }),
    };
  }
  return {
    family,
    config: encoderConfig({
      family, vocabSize: num(raw, "vocab_size", path), hidden: num(raw, "hidden_size", path), layers: num(raw, "num_hidden_layers", path),
      heads: num(raw, "num_attention_heads", path), intermediate: num(raw, "intermediate_size", path), maxPositions: num(raw, "max_position_embeddings", path),
      typeVocabSize: num(raw, "type_vocab_size", path), layerNormEps: typeof raw.layer_norm_eps === "number" ? raw.layer_norm_eps : 1e-12,
      padId: typeof raw.pad_token_id === "number" ? raw.pad_token_id : family === "xlm-roberta" ? 1 : 0, dropout: 0,
    }),
  };
}

/**
 * Writes `model` as a Hugging Face *ForMaskedLM directory (atomically: a temporary
 * directory renamed into place), with the SentencePiece model when given.
 */
export function saveHuggingFace(dir: string, model: MaskedLM, opts: { tokenizerPath?: string; family?: HfFamily } = {}): void {
  const family = opts.family ?? model.config.family;
  if (family === "distilbert" && (model.config.typeVocabSize !== 1 || model.encoder.embeddings.token_type_embeddings.weight.abs().maxAll().item() !== 0))
    throw new Error("a DistilBERT checkpoint has no token types: build the encoder with typeVocabSize 1 and a zero type embedding");
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const tensors = new Map<string, Tensor>();
  for (const [name, p] of model.namedParameters()) {
    if (family === "distilbert" && name.includes("token_type_embeddings")) continue;
    tensors.set(hfName(family, name), p);
  }
  saveSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" });
  writeFileSync(join(tmp, "config.json"), JSON.stringify(hfConfig(model.config, family), null, 2) + "\n");
  if (opts.tokenizerPath) copyFileSync(opts.tokenizerPath, join(tmp, family === "xlm-roberta" ? "sentencepiece.bpe.model" : "tokenizer.model"));
  if (existsSync(dir)) renameSync(dir, `${dir}.old-${process.pid}`);
  renameSync(tmp, dir);
}

export interface LoadedEncoder {
  model: MaskedLM;
  family: HfFamily;
  /** The SentencePiece model in the directory, if any. */
  tokenizerPath: string | null;
  /** The directory's tokenizer.json (BERT-family and GPT-2 directories ship one), if any. */
  tokenizerJsonPath: string | null;
  /** Checkpoint tensors with no place in the model (poolers, NSP heads, position-id buffers). */
  unused: string[];
  /** Model parameters the checkpoint lacks (left at initialisation, e.g. an absent MLM head). */
  missing: string[];
}

/** Loads a Hugging Face encoder directory (config.json + model.safetensors). */
export function loadHuggingFace(dir: string): LoadedEncoder {
  const { config, family } = readHfConfig(dir);
  const weights = join(dir, "model.safetensors");
  if (!existsSync(weights)) throw new Error(`${dir}: no model.safetensors (PyTorch .bin checkpoints are not read; convert them to safetensors first)`);
  checkConfigSizes(join(dir, "config.json"), weights, {
    vocabSize: config.vocabSize, hidden: config.hidden, layers: config.layers, intermediate: config.intermediate,
    maxPositions: config.maxPositions, typeVocabSize: config.typeVocabSize,
  });
  const { tensors } = loadSafetensors(weights);
  const model = new MaskedLM(config);
  // A checkpoint of the bare body (BertModel) has no prefix; one of *ForMaskedLM has it.
  const prefix = LAYOUTS[family].prefix;
  const hasPrefix = [...tensors.keys()].some((k) => k.startsWith(prefix));
  const state = new Map<string, Tensor>();
  const missing: string[] = [];
  const used = new Set<string>();
  for (const [name] of model.namedParameters()) {
    let key = hfName(family, name);
    if (!hasPrefix && key.startsWith(prefix)) key = key.slice(prefix.length);
    const t = tensors.get(key);
    if (t) {
      state.set(name, t);
      used.add(key);
    } else if (!(family === "distilbert" && name.includes("token_type_embeddings"))) missing.push(name);
  }
  if (missing.some((n) => n.startsWith("encoder."))) {
    for (const t of tensors.values()) t.dispose();
    model.dispose();
    throw new Error(`${weights}: missing encoder weights ${missing.filter((n) => n.startsWith("encoder.")).slice(0, 4).map((n) => hfName(family, n)).join(", ")}`);
  }
  try {
    model.loadStateDict(state, { strict: false });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  // DistilBERT has no token types: a zero type embedding adds nothing.
  if (family === "distilbert") noGrad(() => model.encoder.embeddings.token_type_embeddings.weight.zero_());
  return { model, family, tokenizerPath: sentencePiecePath(dir), tokenizerJsonPath: tokenizerJsonPath(dir), unused: [...tensors.keys()].filter((k) => !used.has(k)), missing };
}

export function sentencePiecePath(dir: string): string | null {
  return SENTENCEPIECE_FILES.map((f) => join(dir, f)).find(existsSync) ?? null;
}

export function tokenizerJsonPath(dir: string): string | null {
  const path = join(dir, "tokenizer.json");
  return existsSync(path) ? path : null;
}
