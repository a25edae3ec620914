// The models `xling eval`, `xling sample` and `xling import` work on, from any of the
// places one lives:
//   a run directory           config.json (xling's) + checkpoint.safetensors
//   an exported directory     Hugging Face GPT-2 layout (xling export, or any GPT-2)
//   an imported directory     xling-model.json + checkpoint.safetensors (xling import)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

import { GPT, type GPTConfig } from "../nn/gpt.js";
import { MaskedLM, type EncoderConfig } from "../nn/encoder.js";
import { loadGpt2 } from "../nn/huggingface-gpt2.js";
import { loadHuggingFace, readConfigJson } from "../nn/huggingface.js";
import { loadDirectoryTokenizer } from "../data/directory-tokenizer.js";
import type { HfTokenizer } from "../data/hf-tokenizer.js";
import type { SentencePieceTokenizer } from "../data/tokenizer.js";
import { loadCheckpoint, saveCheckpoint } from "../train/checkpoint.js";
import { writeFileAtomic } from "../util/atomic.js";
import { assertEmptyTarget, loadRunModel } from "./export-hf.js";

/** The file naming an imported model's kind and configuration. */
const MODEL_FILE = "xling-model.json";
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer.model", "sentencepiece.bpe.model", "spiece.model", "tokenizer_config.json"];

export interface LanguageModel {
  model: GPT;
  tokenizer: SentencePieceTokenizer | HfTokenizer;
  /** End-of-text id (what separates documents in training); null when unknown. */
  eosId: number | null;
}

interface ImportedModelFile {
  kind: "gpt" | "encoder";
  source: string;
  gpt?: GPTConfig;
  encoder?: EncoderConfig;
  family?: string;
  eosId?: number | null;
}

function hfModelType(dir: string): unknown {
  return existsSync(join(dir, "config.json")) ? readConfigJson(dir).raw.model_type : undefined;
}

/** Loads a causal language model from a run, exported or imported directory. */
export async function loadLanguageModel(dir: string, opts: { cacheDir?: string } = {}): Promise<LanguageModel> {
  if (!existsSync(dir)) throw new Error(`${dir}: no such model directory`);
  if (existsSync(join(dir, MODEL_FILE))) {
    const meta = JSON.parse(readFileSync(join(dir, MODEL_FILE), "utf8")) as ImportedModelFile;
    if (meta.kind !== "gpt" || !meta.gpt) throw new Error(`${join(dir, MODEL_FILE)}: ${meta.kind === "encoder" ? "an encoder" : `a ${meta.kind}`} model, not a causal language model`);
    const model = new GPT(meta.gpt);
    loadCheckpoint(join(dir, "checkpoint.safetensors"), model, null, { restoreRng: false });
    return { model: model.eval(), tokenizer: loadDirectoryTokenizer(dir), eosId: meta.eosId ?? null };
  }
  if (hfModelType(dir) === "gpt2") {
    const { model } = loadGpt2(dir);
    const eos = readConfigJson(dir).raw.eos_token_id;
    return { model: model.eval(), tokenizer: loadDirectoryTokenizer(dir), eosId: typeof eos === "number" ? eos : null };
  }
  if (existsSync(join(dir, "checkpoint.safetensors"))) {
    const run = await loadRunModel(dir, opts.cacheDir);
    return { model: run.model, tokenizer: run.tokenizer, eosId: run.separatorId };
  }
  throw new Error(`${dir}: not a run directory (checkpoint.safetensors), a Hugging Face GPT-2 directory (config.json) or an imported model (${MODEL_FILE})`);
}

/**
 * `xling import`: a Hugging Face directory (GPT-2, BERT, XLM-R, DistilBERT; what `xling
 * export` writes among them) as an xling model directory: xling-model.json, the weights
 * as an xling checkpoint under xling's parameter names, and the tokenizer files.
 */
export function importHf(hfDir: string, out: string): { kind: "gpt" | "encoder"; parameters: number } {
  assertEmptyTarget(out);
  const type = hfModelType(hfDir);
  if (type === undefined) throw new Error(`${hfDir}: no config.json (expected a Hugging Face model directory)`);
  let model: GPT | MaskedLM;
  let meta: ImportedModelFile;
  if (type === "gpt2") {
    const gpt = loadGpt2(hfDir).model;
    const eos = readConfigJson(hfDir).raw.eos_token_id;
    model = gpt;
    meta = { kind: "gpt", source: hfDir, gpt: { ...gpt.config }, eosId: typeof eos === "number" ? eos : null };
  } else {
    const loaded = loadHuggingFace(hfDir);
    if (loaded.missing.length > 0) {
      loaded.model.dispose();
      throw new Error(`${join(hfDir, "model.safetensors")}: missing tensors ${loaded.missing.slice(0, 4).join(", ")}`);
    }
    model = loaded.model;
    meta = { kind: "encoder", source: hfDir, encoder: { ...loaded.model.config }, family: loaded.family };
  }
  try {
    if (existsSync(out)) rmdirSync(out);
    mkdirSync(out, { recursive: true });
    saveCheckpoint(join(out, "checkpoint.safetensors"), model, null, { step: 0, extra: { importedFrom: hfDir } });
    for (const f of TOKENIZER_FILES) if (existsSync(join(hfDir, f))) copyFileSync(join(hfDir, f), join(out, f));
    writeFileAtomic(join(out, MODEL_FILE), JSON.stringify(meta, null, 2) + "\n");
    return { kind: meta.kind, parameters: model.numParameters() };
  } finally {
    model.dispose();
  }
}

/** The files an import wrote (for messages). */
export function listed(dir: string): string {
  return readdirSync(dir).sort().join(", ");
}
