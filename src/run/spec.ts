// What every study's spec shares: a JSON file validated by a schema (zod), expanded into
// runs by sweeps; the tokenizer, model and training sections; errors naming the field.
// A bad spec is refused with the path of the offending field, before anything is trained.
// Each study kind's own run schema is in src/studies/<kind>/spec.ts.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { PRECISIONS, resolvePrecision, type Precision } from "../torch/index.js";
import { GPT_SIZES } from "../nn/gpt.js";

const positiveInt = z.number().int().positive();

export const TokenizerSpec = z.strictObject({
  vocabSize: positiveInt.default(2048),
  modelType: z.enum(["unigram", "bpe"]).default("unigram"),
  characterCoverage: z.number().min(0.9).max(1).default(0.9995),
});

export const ModelSpec = z.strictObject({
  size: z.enum(["tiny", "mini", "small", "medium", "custom"]).default("tiny"),
  dModel: positiveInt.optional(),
  layers: positiveInt.optional(),
  heads: positiveInt.optional(),
  seqLen: positiveInt.default(64),
  dropout: z.number().min(0).lt(1).default(0),
});

export const PrecisionSpec = z.enum(PRECISIONS);

export const TrainSpec = z.strictObject({
  /** Steps of a full run (data.fraction scales them). */
  steps: positiveInt,
  batchSize: positiveInt.default(16),
  lr: z.number().positive().default(6e-4),
  minLr: z.number().min(0).default(6e-6),
  warmup: z.number().int().min(0).default(200),
  clip: z.number().positive().nullable().default(1),
  seed: z.number().int().min(0).default(0),
  checkpointEvery: positiveInt.default(100),
  threads: positiveInt.default(1),
  /**
   * fp32, or bf16 / fp16 autocast over float32 weights. Absent: bf16 where the CPU has it
   * natively, else fp32; the parsed config records the choice.
   */
  precision: PrecisionSpec.optional(),
});

export type ModelSpecValue = z.output<typeof ModelSpec>;

/** Field path -> values; a sweep is the grid of all combinations. */
const Grid = z.record(z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z]+)+$/, "a field path such as data.ratio"), z.array(z.unknown()).min(1));

export const ExperimentSpec = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-'"),
  /** Which study the runs belong to (a kind in src/studies/registry.ts); it decides the run schema. */
  study: z.string().default("clone-imbalance"),
  description: z.string().optional(),
  base: z.unknown(),
  /** Union of grids: each grid's combinations are runs. None: the base alone. */
  sweeps: z.array(Grid).default([]),
  /** Processes running at once. */
  parallel: positiveInt.default(1),
});
/** An experiment whose sweeps are expanded into validated runs of config type C. */
export type ExperimentOf<C> = z.output<typeof ExperimentSpec> & { runs: C[] };

export class SpecError extends Error {
  constructor(source: string, readonly issues: { path: string; message: string }[]) {
    super(`${source}: invalid experiment spec\n${issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
    this.name = "SpecError";
  }
}

function issuesOf(err: z.ZodError, prefix: string): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join("."), message: i.message }));
}

/**
 * Validates the experiment's top level, merges each sweep combination into the base and
 * validates the result with the study's run schema; `check` may refuse or complete a run.
 */
export function expandExperiment<S extends z.ZodType>(raw: unknown, source: string, runSchema: S,
  check: (run: z.output<S>) => void, study: string): ExperimentOf<z.output<S>> {
  const top = ExperimentSpec.safeParse(raw);
  if (!top.success) throw new SpecError(source, issuesOf(top.error, ""));
  const spec = top.data;
  if (spec.study !== study) throw new SpecError(source, [{ path: "study", message: `expected '${study}', got '${spec.study}'` }]);
  const combos = spec.sweeps.length ? spec.sweeps.flatMap(expandGrid) : [{}];
  const runs: z.output<S>[] = [];
  const seen = new Set<string>();
  combos.forEach((overrides, index) => {
    const merged = structuredClone((spec.base ?? {}) as Record<string, unknown>);
    for (const [path, value] of Object.entries(overrides)) setPath(merged, path, value);
    const run = runSchema.safeParse(merged);
    if (!run.success) {
      const where = Object.keys(overrides).length ? `sweeps combination ${index + 1} (${JSON.stringify(overrides)})` : "base";
      throw new SpecError(source, issuesOf(run.error, "base").map((i) => ({ ...i, message: `${i.message} [${where}]` })));
    }
    check(run.data);
    const train = (run.data as { train?: { precision?: Precision } }).train;
    if (train) settlePrecision(train, source, "base.train.precision");
    const key = JSON.stringify(run.data);
    if (!seen.has(key)) runs.push(run.data);
    seen.add(key);
  });
  return { ...spec, runs };
}

/**
 * Replaces an absent precision by this machine's default and checks a requested one
 * (bf16 without native CPU support is refused, naming what is missing).
 */
export function settlePrecision(train: { precision?: Precision }, source: string, path: string): void {
  try {
    train.precision = resolvePrecision(train.precision, `${source}: ${path}`);
  } catch (e) {
    throw new SpecError(source, [{ path, message: (e as Error).message.replace(`${source}: ${path}: `, "") }]);
  }
}

/** Reads a JSON spec file; errors name the file. */
export function readSpecFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

export function checkModel(run: { model: ModelSpecValue }, source: string): void {
  const m = run.model;
  if (m.size === "custom" && (m.dModel === undefined || m.layers === undefined || m.heads === undefined))
    throw new SpecError(source, [{ path: "base.model", message: "size 'custom' needs dModel, layers and heads" }]);
  // Checked here, not after tokenization: attention splits dModel evenly over the heads.
  const preset = m.size === "custom" ? null : GPT_SIZES[m.size];
  const dModel = m.dModel ?? preset?.dModel;
  const heads = m.heads ?? preset?.heads;
  if (dModel !== undefined && heads !== undefined && dModel % heads !== 0)
    throw new SpecError(source, [{ path: "base.model.heads", message: `heads (${heads}) must divide dModel (${dModel})` }]);
}

function expandGrid(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [path, values] of Object.entries(grid)) out = out.flatMap((o) => values.map((v) => ({ ...o, [path]: v })));
  return out;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined) cur[k] = {};
    if (typeof cur[k] !== "object" || cur[k] === null) throw new Error(`sweep field ${path}: ${k} is not an object`);
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}
