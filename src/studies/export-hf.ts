// `xling export --format hf`: a finished run (or every finished run of a study) as a
// Hugging Face model directory that `GPT2LMHeadModel.from_pretrained` / the encoder's
// *ForMaskedLM class and `AutoTokenizer.from_pretrained` load:
//   config.json, generation_config.json (GPTs), model.safetensors, tokenizer.json (the
//   run's SentencePiece model converted), tokenizer.model (the SentencePiece model
//   itself, for xling and sentencepiece users), README.md (a model card).
// `xling import` reads such a directory back (language-model.ts).
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

import { loadSafetensors } from "../torch/index.js";
import { GPT } from "../nn/gpt.js";
import { saveGpt2 } from "../nn/huggingface-gpt2.js";
import { loadHuggingFace, saveHuggingFace } from "../nn/huggingface.js";
import { SentencePieceTokenizer } from "../data/tokenizer.js";
import { sentencePieceToHf } from "../data/spm-to-hf.js";
import { loadCheckpoint } from "../train/checkpoint.js";
import { defaultCacheDir } from "../run/run-dir.js";
import { modelConfigFor, type RunOutcome } from "../run/contract.js";
import { sweepStudy } from "./registry.js";

export interface ExportOptions {
  /** The token cache the run was prepared in; default the experiment's (as `xling run` uses). */
  cacheDir?: string;
}

/** Refuses a target that exists and holds anything: an export never overwrites. */
export function assertEmptyTarget(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out}: the export target exists and is not empty (choose a new directory)`);
}

/**
 * Exports `source` (a run directory, an experiment directory, or a directory holding a
 * pretrained encoder) to `out`; an experiment's runs go to `out/<run-id>`. Returns the
 * directories written.
 */
export async function exportHf(source: string, out: string, opts: ExportOptions = {}): Promise<string[]> {
  assertEmptyTarget(out);
  // The writers rename a finished temporary directory into place: an empty target goes first.
  if (existsSync(out)) rmdirSync(out);
  if (existsSync(join(source, "experiment.json")) && existsSync(join(source, "runs"))) {
    const runs = readdirSync(join(source, "runs")).filter((r) => existsSync(join(source, "runs", r, "results.json"))).sort();
    if (runs.length === 0) throw new Error(`${source}: no finished runs to export`);
    const written: string[] = [];
    for (const r of runs) written.push(await exportRun(join(source, "runs", r), join(out, r), opts.cacheDir ?? defaultCacheDir(source)));
    return written;
  }
  if (existsSync(join(source, "encoder", "config.json"))) return [exportEncoder(join(source, "encoder"), out, source)];
  if (existsSync(join(source, "config.json")) && existsSync(join(source, "model.safetensors"))) return [exportEncoder(source, out, source)];
  // A run directory sits at <experiment>/runs/<run-id>.
  return [await exportRun(source, out, opts.cacheDir ?? defaultCacheDir(join(source, "..", "..")))];
}

interface RunConfigShape {
  corpus: { name?: string; lang?: string; languages?: { lang: string }[] };
  tokenizer: { vocabSize: number; modelType?: "unigram" | "bpe" };
  model: { seqLen: number; dropout?: number };
  clones?: { languages: number };
  train: { steps: number; batchSize: number; lr?: number; seed?: number };
}

/** A finished run's GPT (from its last checkpoint) and SentencePiece tokenizer. */
export interface RunModel {
  model: GPT;
  tokenizer: SentencePieceTokenizer;
  cfg: RunConfigShape;
  study: string;
  step: number;
  outcome: RunOutcome | null;
  /** Id placed between documents in training: the end-of-text id. */
  separatorId: number;
}

/** Loads a run directory's model; the tokenizer comes from the (re-)prepared token cache. */
export async function loadRunModel(runDir: string, cacheDir = defaultCacheDir(join(runDir, "..", ".."))): Promise<RunModel> {
  const need = (f: string, why: string) => {
    if (!existsSync(join(runDir, f))) throw new Error(`${runDir}: no ${f} (${why})`);
    return join(runDir, f);
  };
  const cfg = JSON.parse(readFileSync(need("config.json", "not a run directory"), "utf8")) as RunConfigShape;
  const checkpoint = need("checkpoint.safetensors", "the run has not trained");
  const outcome = existsSync(join(runDir, "results.json")) ? (JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as RunOutcome) : null;
  // The study is read off the config: clone runs have clones, balance runs languages.
  const study = cfg.clones ? "clone-imbalance" : "language-balance";
  const prepared = (await sweepStudy(study).prepare(cfg, cacheDir, () => {})) as { tokenizerPath: string; separatorId: number };
  const tokenizer = SentencePieceTokenizer.load(prepared.tokenizerPath);
  const { tensors } = loadSafetensors(checkpoint);
  const vocabSize = tensors.get("model.tok_emb.weight")?.shape[0];
  for (const t of tensors.values()) t.dispose();
  if (vocabSize === undefined) throw new Error(`${checkpoint}: missing model.tok_emb.weight`);
  const model = new GPT(modelConfigFor(cfg as unknown as Parameters<typeof modelConfigFor>[0], vocabSize));
  try {
    const { step } = loadCheckpoint(checkpoint, model, null, { restoreRng: false });
    return { model: model.eval(), tokenizer, cfg, study, step, outcome, separatorId: prepared.separatorId };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

async function exportRun(runDir: string, out: string, cacheDir: string): Promise<string> {
  if (!existsSync(join(runDir, "results.json"))) throw new Error(`${runDir}: no results.json (the run has not finished)`);
  const run = await loadRunModel(runDir, cacheDir);
  const { model, tokenizer: spm, cfg } = run;
  try {
    const ids = { bos: spm.bosId >= 0 ? spm.bosId : null, eos: run.separatorId, pad: spm.padId >= 0 ? spm.padId : null };
    const card = modelCard({
      name: basename(runDir), kind: "gpt", study: run.study, cfg, outcome: run.outcome, step: run.step, vocabSize: model.config.vocabSize,
      tokenizerVocab: spm.vocabSize, params: model.numParameters(),
    });
    saveGpt2(out, model, {
      ids,
      extraFiles: {
        "tokenizer.json": JSON.stringify(sentencePieceToHf(spm)),
        "tokenizer_config.json": JSON.stringify(tokenizerConfig(spm, ids), null, 2) + "\n",
        "tokenizer.model": spm.serialize(),
        "README.md": card,
      },
    });
  } finally {
    model.dispose();
  }
  return out;
}

/** A pretrained encoder directory (xling's transfer study writes one) re-exported with tokenizer.json and a card. */
function exportEncoder(dir: string, out: string, source: string): string {
  const loaded = loadHuggingFace(dir);
  try {
    if (loaded.missing.length > 0) throw new Error(`${dir}: missing tensors ${loaded.missing.slice(0, 4).join(", ")}`);
    if (!loaded.tokenizerPath) throw new Error(`${dir}: no SentencePiece model to write tokenizer.json from`);
    saveHuggingFace(out, loaded.model, { tokenizerPath: loaded.tokenizerPath, family: loaded.family });
    const spm = SentencePieceTokenizer.load(loaded.tokenizerPath);
    writeFileSync(join(out, "tokenizer.json"), JSON.stringify(sentencePieceToHf(spm)));
    writeFileSync(join(out, "tokenizer_config.json"), JSON.stringify(tokenizerConfig(spm, { bos: spm.bosId, eos: spm.eosId, pad: spm.padId }), null, 2) + "\n");
    writeFileSync(join(out, "README.md"), modelCard({ name: basename(source), kind: loaded.family, study: "transfer", cfg: null, outcome: null, step: null, vocabSize: loaded.model.config.vocabSize, tokenizerVocab: spm.vocabSize, params: loaded.model.numParameters() }));
  } finally {
    loaded.model.dispose();
  }
  return out;
}

/** tokenizer_config.json: which tokenizer class and special tokens AutoTokenizer uses. */
function tokenizerConfig(spm: SentencePieceTokenizer, ids: { bos?: number | null; eos?: number | null; pad?: number | null }): Record<string, unknown> {
  const piece = (id: number | null | undefined) => (id === null || id === undefined || id < 0 ? null : spm.idToPiece(id));
  return {
    tokenizer_class: "PreTrainedTokenizerFast", bos_token: piece(ids.bos), eos_token: piece(ids.eos), pad_token: piece(ids.pad),
    unk_token: piece(spm.unkId), model_max_length: 1_000_000, clean_up_tokenization_spaces: false,
  };
}

interface CardFacts {
  name: string;
  kind: string;
  study: string;
  cfg: RunConfigShape | null;
  outcome: RunOutcome | null;
  step: number | null;
  vocabSize: number;
  tokenizerVocab: number;
  params: number;
}

/** README.md: what the model is, what it was trained on and how it scored. */
function modelCard(f: CardFacts): string {
  const langs = f.outcome?.languages ?? f.cfg?.corpus.languages?.map((l) => l.lang) ?? [];
  const isoLangs = [...new Set(f.cfg?.corpus.languages?.map((l) => l.lang) ?? (f.cfg?.corpus.lang ? [f.cfg.corpus.lang] : []))];
  const lines = [
    "---",
    "library_name: transformers",
    ...(isoLangs.length ? ["language:", ...isoLangs.map((l) => `- ${l}`)] : []),
    "tags:", "- xling", `- ${f.study}`,
    "---",
    "",
    `# ${f.name}`,
    "",
    `A ${f.kind === "gpt" ? "GPT-2-architecture causal language model (GPT2LMHeadModel, untied output layer)" : `${f.kind} masked language model`} trained with xling's ${f.study} study: ${f.params.toLocaleString("en")} parameters, vocabulary ${f.vocabSize}.`,
    "",
    "## Data",
    "",
  ];
  if (f.cfg) {
    const c = f.cfg.corpus;
    lines.push(c.languages ? `Corpus: ${c.name ?? "multilingual"}, languages ${c.languages.map((l) => l.lang).join(", ")}.` : `Corpus: ${c.name} (${c.lang}).`);
    if (f.cfg.clones && f.cfg.clones.languages > 1)
      lines.push("", `The model's vocabulary is ${f.cfg.clones.languages} copies of the tokenizer's ${f.tokenizerVocab} pieces: ids ${f.tokenizerVocab} and up are the synthetic clone languages (${langs.slice(1).join(", ")}) of the cloned-language study; tokenizer.json encodes the original language (ids below ${f.tokenizerVocab}).`);
    lines.push("", `Tokenizer: SentencePiece ${f.cfg.tokenizer.modelType ?? "unigram"}, ${f.tokenizerVocab} pieces (tokenizer.json for AutoTokenizer, tokenizer.model for sentencepiece).`);
  } else lines.push(`Tokenizer: SentencePiece, ${f.tokenizerVocab} pieces.`);
  if (f.cfg) {
    lines.push("", "## Training", "", `Steps: ${f.step ?? f.outcome?.steps}; batch ${f.cfg.train.batchSize} sequences of ${f.cfg.model.seqLen} tokens; peak learning rate ${f.cfg.train.lr ?? "default"}; seed ${f.cfg.train.seed ?? 0}.`);
    if (f.outcome) lines.push("", `Tokens seen: ${Object.entries(f.outcome.tokensSeen).map(([l, n]) => `${l} ${n}`).join(", ")}.`);
  }
  const ppl = f.outcome?.results.filter((r) => r.name === "ppl") ?? [];
  if (ppl.length) {
    lines.push("", "## Metrics", "", "Held-out perplexity (sliding window, xling's evaluation):", "", "| language | perplexity |", "|---|---|");
    for (const r of ppl) lines.push(`| ${r.lang} | ${r.value.toFixed(3)} |`);
  }
  lines.push("", "## Use", "", "```python", "from transformers import AutoTokenizer, " + (f.kind === "gpt" ? "GPT2LMHeadModel" : "AutoModelForMaskedLM"),
    `tok = AutoTokenizer.from_pretrained("path/to/this/directory")`,
    `model = ${f.kind === "gpt" ? "GPT2LMHeadModel" : "AutoModelForMaskedLM"}.from_pretrained("path/to/this/directory")`, "```", "");
  return lines.join("\n");
}

