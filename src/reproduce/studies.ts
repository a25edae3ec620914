// Runs one checked-in reproduction spec (examples/reproduce/<scale>/<spec>.json) for one
// seed with the study runner its `study` field names, in its own directory:
//   <root>/<scale>/<spec>/seed-<s>/
// Every study runner skips what is finished and resumes what was interrupted, so running
// a finding again only trains what is missing. The seed is written into the spec (the
// training seed; for the transfer study also the fine-tuning seed), so each seed is an
// independent replicate of the whole study, monolingual curves and seed models included.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.js";
import { readSpecFile } from "../run/spec.js";
import { sweepStudy, type AnyExperiment } from "../studies/registry.js";
import { planRuns, type PlannedRun } from "../run/run-dir.js";
import { runExperiment } from "../studies/runner.js";
import { parseTransferSpec, type TransferConfig } from "../studies/transfer/spec.js";
import { runTransferStudy } from "../studies/transfer/run.js";
import { parseExpertStudy, type ExpertStudy } from "../studies/experts/spec.js";
import { evaluateStudy, isDone, trainStudy } from "../studies/experts/btm.js";
import { GPT_SIZES } from "../nn/gpt.js";
import { runSteps } from "../run/contract.js";

export type StudyKind = "clone-imbalance" | "real-imbalance" | "language-balance" | "translation-balance" | "transfer" | "experts";
export const SCALES = ["quick", "machine", "paper"] as const;
export type Scale = (typeof SCALES)[number];

export function specPath(scale: Scale, spec: string): string {
  return join(packageRoot(), "examples", "reproduce", scale, `${spec}.json`);
}

export function seedDir(root: string, scale: Scale, spec: string, seed: number): string {
  return join(root, scale, spec, `seed-${seed}`);
}

/** The study a raw spec names (clone-imbalance when it names none, as `xling run` reads it). */
export function studyKindOf(raw: unknown, source: string): StudyKind {
  // Expert study specs may leave out their study field; their `experts` section tells them apart.
  if (raw && typeof raw === "object" && "experts" in raw && !("study" in raw)) return "experts";
  const study = (raw as { study?: unknown }).study ?? "clone-imbalance";
  if (study === "clone-imbalance" || study === "real-imbalance" || study === "language-balance" || study === "translation-balance" || study === "transfer" || study === "experts") return study;
  throw new Error(`${source}: xling reproduce runs clone-imbalance, real-imbalance, language-balance, translation-balance, transfer and experts specs, not '${String(study)}'`);
}

/** The raw spec with its training seed set to `seed` (and any seed sweep removed). */
export function seededSpec(raw: unknown, seed: number, source: string): Record<string, unknown> {
  // A spec of any study kind, edited by field path before its schema validates it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spec = structuredClone(raw) as Record<string, any>;
  switch (studyKindOf(raw, source)) {
    case "clone-imbalance":
    case "real-imbalance":
    case "language-balance":
    case "translation-balance":
      spec.base = spec.base ?? {};
      spec.base.train = { ...(spec.base.train ?? {}), seed };
      spec.sweeps = (spec.sweeps ?? []).map((g: Record<string, unknown>) => Object.fromEntries(Object.entries(g).filter(([k]) => k !== "train.seed")));
      break;
    case "transfer":
      spec.pretrain = { ...(spec.pretrain ?? {}), seed };
      spec.finetune = { ...(spec.finetune ?? {}), seeds: [seed] };
      break;
    case "experts":
      spec.train = { ...(spec.train ?? {}), seed };
      break;
  }
  return spec;
}

/** A parsed, seeded spec of any study kind. */
export type LoadedSpec =
  | { kind: "clone-imbalance" | "real-imbalance" | "language-balance" | "translation-balance"; exp: AnyExperiment }
  | { kind: "transfer"; cfg: TransferConfig }
  | { kind: "experts"; study: ExpertStudy };

export function parseSeeded(raw: unknown, seed: number, source: string): LoadedSpec {
  const seeded = seededSpec(raw, seed, source);
  const kind = studyKindOf(raw, source);
  if (kind === "transfer") return { kind, cfg: parseTransferSpec(seeded, source) };
  if (kind === "experts") return { kind, study: parseExpertStudy(seeded, source, packageRoot()) };
  return { kind, exp: sweepStudy(kind).parse(seeded, source) };
}

export interface SeedRun {
  dir: string;
  /** null: every run finished; otherwise what failed. */
  error: string | null;
  interrupted?: boolean;
  /** Wall seconds from the directory's first start to its last result (wallTimeOf). */
  seconds: number;
}

export interface RunOptions {
  cacheDir: string;
  parallel?: number;
  log: (msg: string) => void;
}

/** Runs (or resumes) one spec for one seed in its directory. */
export async function runSeed(spec: LoadedSpec, dir: string, opts: RunOptions): Promise<SeedRun> {
  // The first start is kept: the wall time runs from it to the last result written. A
  // directory a study command made before has no start file; its creation time stands in.
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (fresh) writeFileSync(join(dir, "reproduce-start.json"), JSON.stringify({ startedAt: Date.now() }));
  let error: string | null = null;
  let interrupted = false;
  try {
    switch (spec.kind) {
      case "clone-imbalance":
      case "real-imbalance":
      case "language-balance":
      case "translation-balance": {
        const s = await runExperiment(spec.exp, dir, { cacheDir: opts.cacheDir, parallel: opts.parallel });
        interrupted = !!s.interrupted;
        if (s.failed.length) error = s.failed.map((f) => `${f.runId}: ${f.error}`).join("; ");
        break;
      }
      case "transfer":
        await runTransferStudy(spec.cfg, dir, { cacheDir: opts.cacheDir, log: opts.log, progress: false });
        break;
      case "experts": {
        const { plan, summary } = await trainStudy(spec.study, dir, { cacheDir: opts.cacheDir, parallel: opts.parallel ?? spec.study.parallel });
        if (summary.failed.length) error = summary.failed.map((f) => `${f.name}: ${f.error}`).join("; ");
        else if (plan.experts.every(isDone)) await evaluateStudy(spec.study, plan, { cacheDir: opts.cacheDir });
        break;
      }
    }
  } catch (e) {
    error = (e as Error).message;
  }
  return { dir, error, seconds: wallTimeOf(dir) ?? 0, ...(interrupted ? { interrupted } : {}) };
}

/** Files whose writing marks a finished run or study. */
const RESULT_FILES = new Set(["results.json", "evaluation.json"]);

function latestResult(dir: string, depth: number): number {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && RESULT_FILES.has(e.name)) latest = Math.max(latest, statSync(join(dir, e.name)).mtimeMs);
    else if (e.isDirectory() && depth > 0) latest = Math.max(latest, latestResult(join(dir, e.name), depth - 1));
  }
  return latest;
}

/**
 * Wall seconds of a seed directory: from its first start (reproduce-start.json, or the
 * directory's creation when a study command ran it) to the last result written. Pauses
 * between invocations count; null when nothing has finished.
 */
export function wallTimeOf(dir: string): number | null {
  if (!existsSync(dir)) return null;
  const startFile = join(dir, "reproduce-start.json");
  const started = existsSync(startFile) ? (JSON.parse(readFileSync(startFile, "utf8")) as { startedAt: number }).startedAt : statSync(dir).birthtimeMs;
  const end = latestResult(dir, 3);
  return end > 0 && started > 0 ? Math.max(0, (end - started) / 1000) : null;
}

/** The planned runs of a clone or balance spec in its seed directory. */
export function plannedRuns<C>(spec: LoadedSpec, dir: string): PlannedRun<C>[] {
  if (spec.kind === "transfer" || spec.kind === "experts") throw new Error(`${spec.kind} specs have no planned runs`);
  return planRuns<C>(spec.exp as unknown as { sweeps: Record<string, unknown[]>[]; runs: C[] }, dir);
}

// ---------------------------------------------------------------------------
// Scale: parameters and tokens

export interface SpecScale {
  /** Parameters of the (largest) model trained, counted from its dimensions. */
  parameters: number;
  /** Training tokens of the largest single run (steps x batch x sequence length). */
  tokensPerRun: number;
  /** Training tokens of every run of one seed together. */
  tokensPerSeed: number;
  /** 6 x parameters x tokens, summed over the runs of one seed: the training FLOPs. */
  flopsPerSeed: number;
  runsPerSeed: number;
}

/** Parameters of a GPT (untied embeddings, biases, learned positions) or a BERT-style encoder of the same shape. */
export function transformerParameters(vocab: number, dModel: number, layers: number, seqLen: number): number {
  const block = 12 * dModel * dModel + 13 * dModel;
  return vocab * dModel + seqLen * dModel + layers * block + 2 * dModel + vocab * dModel + vocab;
}

function dims(model: { size: string; dModel?: number; layers?: number }): { dModel: number; layers: number } {
  const preset = model.size === "custom" ? null : GPT_SIZES[model.size as keyof typeof GPT_SIZES];
  return { dModel: model.dModel ?? preset!.dModel, layers: model.layers ?? preset!.layers };
}

export function specScale(spec: LoadedSpec): SpecScale {
  const runs: { params: number; tokens: number }[] = [];
  if (spec.kind === "clone-imbalance" || spec.kind === "real-imbalance" || spec.kind === "language-balance" || spec.kind === "translation-balance") {
    // Any sweep kind's run config: only its model and train fields are read.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const r of spec.exp.runs as any[]) {
      const d = dims(r.model);
      // Clones multiply the vocabulary; two real languages with their own tokenizers join two (at most).
      const vocab = r.tokenizer.vocabSize * (spec.kind === "clone-imbalance" ? r.clones.languages : spec.kind === "real-imbalance" ? 2 : 1);
      const steps = spec.kind === "clone-imbalance" || spec.kind === "real-imbalance" ? runSteps(r) : r.train.steps;
      runs.push({ params: transformerParameters(vocab, d.dModel, d.layers, r.model.seqLen), tokens: steps * r.train.batchSize * r.model.seqLen });
    }
  } else if (spec.kind === "transfer") {
    const c = spec.cfg;
    const params = transformerParameters(c.tokenizer.vocabSize, c.encoder.hidden, c.encoder.layers, c.encoder.maxLen);
    runs.push({ params, tokens: c.pretrain.steps * c.pretrain.batchSize * c.encoder.maxLen });
    const conditions = c.conditions.length * c.realign.modes.length;
    for (let i = 0; i < conditions; i++) runs.push({ params, tokens: c.finetune.steps * c.finetune.batchSize * c.encoder.maxLen });
  } else if (spec.kind === "experts") {
    const s = spec.study;
    const d = dims(s.model);
    const params = transformerParameters(s.tokenizer.vocabSize, d.dModel, d.layers, s.model.seqLen);
    const perStep = s.train.batchSize * s.model.seqLen;
    const expertSteps = s.seed.steps + s.experts.k * s.experts.steps + s.experts.add.reduce((a, x) => a + (x.steps ?? s.experts.steps), 0);
    runs.push({ params, tokens: expertSteps * perStep }, { params, tokens: expertSteps * perStep });
  }
  return {
    parameters: Math.max(...runs.map((r) => r.params)),
    tokensPerRun: Math.max(...runs.map((r) => r.tokens)),
    tokensPerSeed: runs.reduce((a, r) => a + r.tokens, 0),
    flopsPerSeed: runs.reduce((a, r) => a + 6 * r.params * r.tokens, 0),
    runsPerSeed: runs.length,
  };
}

export function readRawSpec(scale: Scale, spec: string): unknown {
  const path = specPath(scale, spec);
  if (!existsSync(path)) throw new Error(`${path}: no such reproduction spec`);
  return readSpecFile(path);
}
