// One run of the language-balancing study (methods.md §5): an imbalanced mixture of real
// languages (each language's training data capped at its share of data.trainTokens), a
// sampler over languages, a balancing method in the training step, and measurements of
// per-language held-out loss, language weights, curvature and gradient cosines over
// time. Same directory contract as a clone run: config.json, checkpoint.safetensors,
// metrics.jsonl, results.json (written last).
import { join } from "node:path";
import { manualSeed, tensor, type Tensor, withPrecision } from "../../torch/index.js";
import { GPT } from "../../nn/gpt.js";
import { PackedSequenceStream } from "../../data/pack.js";
import { makeSampler, type SamplerSpec } from "../../data/samplers.js";
import { prepareMultilingual, type MultilingualChoice, type PreparedMultilingual } from "../../data/multilingual.js";
import type { TokenCacheReader } from "../../data/token-cache.js";
import { hashInts } from "../../util/hash.js";
import { curvatureRows } from "../balancing/measures.js";
import { runTrainingSettings, startRun } from "../../run/ranks.js";
import { endRun } from "../../run/run-end.js";
import { MultilingualBatchSource } from "../../train/multilingual-batches.js";
import { sequenceLosses, trainLanguageModel, type StepRecord } from "../../train/trainer.js";
import { makeBalancer } from "../../train/balance/balancers.js";
import { selectParameters } from "../../train/balance/per-language-grads.js";
import { slidingWindowPerplexity } from "../../analysis/lm-eval.js";
import { appendMetrics, trainMetricRows, truncateMetrics, type MetricRow } from "../../run/metrics.js";
import { DATA_SPLIT_SEED, modelConfigFor, type ResultRow, type RunOutcome } from "../../run/contract.js";
import { parameterFilter, type BalanceRunConfig } from "./spec.js";

export function multilingualChoice(cfg: BalanceRunConfig): MultilingualChoice {
  return {
    languages: cfg.corpus.languages.map(({ share: _share, ...source }) => source),
    validFraction: cfg.corpus.validFraction,
    testFraction: cfg.corpus.testFraction,
  };
}

export function prepareBalanceCorpus(cfg: BalanceRunConfig, cacheDir: string, log?: (msg: string) => void): Promise<PreparedMultilingual> {
  return prepareMultilingual(multilingualChoice(cfg), cfg.tokenizer, cacheDir, DATA_SPLIT_SEED, log);
}

/** Training sequences each language contributes: its share of data.trainTokens. */
export function languageSequences(cfg: BalanceRunConfig, prepared: PreparedMultilingual): number[] {
  const total = cfg.corpus.languages.reduce((s, l) => s + l.share, 0);
  const len = cfg.model.seqLen + 1;
  return cfg.corpus.languages.map((l) => {
    const wanted = Math.floor((cfg.data.trainTokens * l.share) / total / len);
    const available = Math.floor(prepared.language(l.lang).tokens.train / len);
    if (wanted < 1) throw new Error(`language '${l.lang}': its share of data.trainTokens is less than one sequence of ${len} tokens`);
    if (wanted > available)
      throw new Error(`language '${l.lang}': data.trainTokens and its share ask for ${wanted * len} training tokens, but the corpus has ${available * len}`);
    return wanted;
  });
}

/**
 * `count` consecutive sequences of a cache starting at sequence `first`, wrapping around
 * after `limit` sequences (the whole cache by default; a language's share for training data).
 */
function heldOutTokens(cache: TokenCacheReader, seqLen: number, first: number, count: number, limit = Infinity): Tensor {
  const len = seqLen + 1;
  const available = Math.min(limit, Math.floor(cache.count / len));
  if (available === 0) throw new Error(`${cache.path}: fewer than ${len} held-out tokens`);
  const ids = new Int32Array(count * len);
  for (let r = 0; r < count; r++) ids.set(cache.read(((first + r) % available) * len, len), r * len);
  return tensor(ids, { shape: [count, len], dtype: "int64" });
}

export async function executeBalanceRun(cfg: BalanceRunConfig, runDir: string, opts: { cacheDir: string; progress?: boolean; label?: string }): Promise<RunOutcome> {
  // One process, or one rank of a data-parallel job under `xling launch` (src/run/ranks.ts).
  const { started, ranks, writer, progress, precision, log } = startRun(runDir, cfg, opts);
  opts = { ...opts, progress };
  const prepared = await ranks.prepare("corpus preparation", () => prepareBalanceCorpus(cfg, opts.cacheDir, log));
  const languages = cfg.corpus.languages.map((l) => l.lang);
  const sequences = languageSequences(cfg, prepared);
  const seed = cfg.train.seed;
  const len = cfg.model.seqLen;

  manualSeed(seed);
  const model = new GPT(modelConfigFor(cfg, prepared.vocabSize));
  ranks.startFrom(model.parameters());
  const trainCaches = languages.map((l) => prepared.language(l).open("train"));
  const validCaches = languages.map((l) => prepared.language(l).open("valid"));
  const streams = trainCaches.map((c, n) => new PackedSequenceStream(c, len, hashInts(seed, n), sequences[n]));
  const sizes = Object.fromEntries(languages.map((l, n) => [l, sequences[n]]));
  const samplerSpec: SamplerSpec = cfg.data.sampling === "uniform" ? { kind: "uniform", languages, seed }
    : cfg.data.sampling === "temperature" ? { kind: "temperature", T: cfg.data.temperature, sizes, seed }
      : { kind: "proportional", sizes, seed };
  const sampler = makeSampler(samplerSpec);
  const batches = ranks.batches(new MultilingualBatchSource(streams, sampler, cfg.train.batchSize));

  // CATS's batches: the valid split (or the language's capped training sequences), a
  // different window of it at every update, a function of the step so a resume sees the same.
  const heldCount = cfg.balance.heldOutSequences;
  const window = (step: number) => (step / cfg.balance.cats.updateInterval) * heldCount;
  const heldOut = (step: number) => validCaches.map((c) => sequenceLosses(model, heldOutTokens(c, len, window(step), heldCount)).mean());
  const training = (step: number) => trainCaches.map((c, n) => sequenceLosses(model, heldOutTokens(c, len, window(step), heldCount, sequences[n])).mean());
  const balancer = makeBalancer({
    method: cfg.balance.method, languages: languages.length, seed,
    subset: selectParameters(model.namedParameters(), parameterFilter(cfg.balance.parameters)),
    cats: cfg.balance.cats, gradvac: cfg.balance.gradvac, gradnorm: cfg.balance.gradnorm, heldOut, training,
  });

  const testCaches = languages.map((l) => prepared.language(l).open("test"));
  const evalIds = testCaches.map((c) => c.read(0, Math.min(cfg.eval.tokens, c.count)));
  const metricsPath = join(runDir, "metrics.jsonl");
  const writeMetrics = (rows: MetricRow[]) => writer && appendMetrics(metricsPath, rows);
  const evaluate = (step: number) => writeMetrics(languages.map((lang, n): MetricRow => ({
    step, split: "eval", name: "ppl", lang, value: withPrecision(precision, () => slidingWindowPerplexity(model, evalIds[n], { stride: cfg.eval.stride })).ppl,
  })));

  const curvatureSubset = selectParameters(model.namedParameters(), parameterFilter(cfg.curvature.parameters));
  const curvatureBatches = validCaches.map((c) => heldOutTokens(c, len, 0, cfg.curvature.sequences));
  const measureCurvature = (step: number) => writeMetrics(curvatureRows(model, languages, curvatureBatches, curvatureSubset.params, step, cfg.curvature.iterations));
  const onStep = (r: StepRecord) => {
    writeMetrics([
      ...trainMetricRows(r),
      { step: r.step, split: "train", name: "step_seconds", lang: null, value: (cfg.train.batchSize * len) / r.tokensPerSecond },
      ...Object.entries(r.langWeight ?? {}).map(([lang, value]): MetricRow => ({ step: r.step, split: "train", name: "weight", lang, value })),
    ]);
    if (cfg.curvature.every > 0 && r.step % cfg.curvature.every === 0) measureCurvature(r.step);
  };

  const steps = cfg.train.steps;
  const result = await trainLanguageModel({
    model, batches, steps, balancer,
    ...runTrainingSettings(cfg.train, steps, join(runDir, "checkpoint.safetensors")),
    evalEvery: cfg.eval.every, evaluate, onStep, onResume: (step) => writer && truncateMetrics(metricsPath, step), progress: opts.progress, label: opts.label,
    precision,
    // Every rank evaluates (only rank 0 writes), so no rank waits in a collective for the
    // length of an evaluation. A balancer works on each rank's sequences and the ranks'
    // gradients are averaged: exact for the linear ones (none, CATS's loss weights).
    ...ranks.trainerHooks(),
  });
  ranks.close(log);
  for (const c of [...trainCaches, ...validCaches, ...testCaches]) c.close();
  if (!result.interrupted && cfg.curvature.every > 0 && steps % cfg.curvature.every !== 0) measureCurvature(steps);
  curvatureBatches.forEach((t) => t.dispose());
  return endRun(runDir, { started, writer }, result, {
    languages, steps, release: () => model.dispose(),
    results: () => languages.flatMap((lang, n): ResultRow[] => {
      const r = withPrecision(precision, () => slidingWindowPerplexity(model, evalIds[n], { stride: cfg.eval.stride }));
      return [
        { name: "ppl", lang, layer: null, value: r.ppl }, { name: "nll", lang, layer: null, value: r.nll },
        { name: "train_tokens_available", lang, layer: null, value: sequences[n] * (len + 1) },
        { name: "tokens_seen", lang, layer: null, value: result.tokensSeen[lang] },
      ];
    }),
  });
}
