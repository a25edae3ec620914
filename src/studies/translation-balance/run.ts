// One run of the translation-balancing study (issue 19): a decoder-only GPT trained on
// `<2tgt> source <sep> target <eos>` examples of several directions (loss on target
// tokens only), a sampler over directions and a balancing method in the step (the
// directions are the balancer's tasks), held-out loss, weights and curvature per
// direction over training, and at the end each direction's test sentences translated and
// scored with BLEU and chrF (bootstrap intervals over sentences). Same directory contract
// as the other studies: config.json, checkpoint.safetensors, metrics.jsonl, results.json
// (written last); also translations.jsonl and, for `xling translate`, tokenizer.model and
// translator.json.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { manualSeed, noGrad, tensor, tidy, withPrecision, type Tensor } from "../../torch/index.js";
import { GPT, type GPTConfig } from "../../nn/gpt.js";
import { beamSearch, greedyDecode } from "../../nn/decoding.js";
import { makeSampler, type SamplerSpec } from "../../data/samplers.js";
import { SentencePieceTokenizer } from "../../data/tokenizer.js";
import { prepareTranslation, translationExample, translationPrompt, type EncodedPair, type PreparedTranslation } from "../../data/translation-data.js";
import { hashString } from "../../util/hash.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { padRows, TranslationBatchSource, translationSequenceLosses } from "../../train/translation-batches.js";
import { trainLanguageModel, type StepRecord } from "../../train/trainer.js";
import { runTrainingSettings, startRun } from "../../run/ranks.js";
import { endRun } from "../../run/run-end.js";
import { makeBalancer } from "../../train/balance/balancers.js";
import { selectParameters } from "../../train/balance/per-language-grads.js";
import { bootstrapMetric, translationStatistics } from "../../analysis/translation-metrics.js";
import { appendMetrics, trainMetricRows, truncateMetrics, type MetricRow } from "../../run/metrics.js";
import { DATA_SPLIT_SEED, modelConfigFor, type ResultRow, type RunOutcome } from "../../run/contract.js";
import { curvatureRows } from "../balancing/measures.js";
import { parameterFilter } from "../balancing/spec.js";
import type { TranslationRunConfig } from "./spec.js";

export function prepareTranslationCorpus(cfg: TranslationRunConfig, cacheDir: string, log?: (msg: string) => void): Promise<PreparedTranslation> {
  const { directions, validFraction, testFraction, maxChars } = cfg.corpus;
  return prepareTranslation({ directions, validFraction, testFraction, maxChars }, cfg.tokenizer, cacheDir, DATA_SPLIT_SEED, log);
}

export interface DirectionExamples {
  name: string;
  tgt: string;
  train: number[][];
  valid: number[][];
  /** The test pairs translated at the end: those whose example fits the model, a seeded choice. */
  test: EncodedPair[];
  /** Training pairs left out because their example is longer than the model's context. */
  tooLong: number;
}

/** Each direction's examples that fit seqLen + 1 tokens, and its evaluation sentences. */
export function directionExamples(cfg: TranslationRunConfig, prepared: PreparedTranslation): DirectionExamples[] {
  const width = cfg.model.seqLen + 1;
  return prepared.directions.map((d) => {
    const tag = prepared.tagIds[d.tgt];
    const example = (p: EncodedPair) => translationExample(tag, p.sourceIds, prepared.separatorId, p.targetIds, prepared.eosId);
    const fits = (p: EncodedPair) => p.sourceIds.length + p.targetIds.length + 3 <= width;
    const train = d.pairs.train.filter(fits).map(example);
    if (train.length === 0) throw new Error(`direction ${d.name}: no training pair fits model.seqLen ${cfg.model.seqLen}`);
    const valid = d.pairs.valid.filter(fits).map(example);
    if (valid.length === 0) throw new Error(`direction ${d.name}: no validation pair fits model.seqLen ${cfg.model.seqLen}`);
    const test = d.pairs.test.filter(fits).sort((a, b) => hashString(a.id) - hashString(b.id) || (a.id < b.id ? -1 : 1)).slice(0, cfg.eval.sentences);
    if (test.length === 0) throw new Error(`direction ${d.name}: no test pair fits model.seqLen ${cfg.model.seqLen}`);
    return { name: d.name, tgt: d.tgt, train, valid, test, tooLong: d.pairs.train.length - train.length };
  });
}

/** What `xling translate` needs besides the checkpoint and tokenizer.model. */
export interface TranslatorInfo {
  model: GPTConfig;
  separatorId: number;
  eosId: number;
  tagIds: Record<string, number>;
  directions: string[];
  /** Languages the model was trained to translate into. */
  targets?: string[];
}

/** `count` examples of a list starting at `first` (wrapping around), padded into a tensor. */
function window(examples: number[][], first: number, count: number, pad: number): Tensor {
  const rows = Array.from({ length: count }, (_, r) => examples[(first + r) % examples.length]);
  const flat = padRows(rows, pad);
  return tensor(flat, { shape: [count, flat.length / count], dtype: "int64" });
}

export async function executeTranslationRun(cfg: TranslationRunConfig, runDir: string, opts: { cacheDir: string; progress?: boolean; label?: string }): Promise<RunOutcome> {
  // One process, or one rank of a data-parallel job under `xling launch` (src/run/ranks.ts).
  const { started, ranks, writer, progress, precision, log } = startRun(runDir, cfg, opts);
  opts = { ...opts, progress };
  const prepared = await ranks.prepare("corpus preparation", () => prepareTranslationCorpus(cfg, opts.cacheDir, log));
  const data = directionExamples(cfg, prepared);
  const names = data.map((d) => d.name);
  const { separatorId: sep, eosId: eos } = prepared;
  const seed = cfg.train.seed;

  manualSeed(seed);
  const modelConfig = modelConfigFor(cfg, prepared.vocabSize);
  const model = new GPT(modelConfig);
  ranks.startFrom(model.parameters());
  const lossOf = (tokens: Tensor) => translationSequenceLosses(model, tokens, sep, eos);
  const sizes = Object.fromEntries(data.map((d) => [d.name, d.train.length]));
  const samplerSpec: SamplerSpec = cfg.data.sampling === "uniform" ? { kind: "uniform", languages: names, seed }
    : cfg.data.sampling === "temperature" ? { kind: "temperature", T: cfg.data.temperature, sizes, seed }
      : { kind: "proportional", sizes, seed };
  const globalBatches = new TranslationBatchSource(data.map((d) => d.train), makeSampler(samplerSpec), cfg.train.batchSize, eos, seed);
  const batches = ranks.batches(globalBatches);

  // CATS's batches: the valid examples (or, with source "training", the direction's
  // training examples), a different window at every update, a function of the step so a
  // resumed run sees the same.
  const heldCount = cfg.balance.heldOutSequences;
  const first = (step: number) => (step / cfg.balance.cats.updateInterval) * heldCount;
  const heldOut = (step: number) => data.map((d) => lossOf(window(d.valid, first(step), heldCount, eos)).mean());
  const training = (step: number) => data.map((d) => lossOf(window(d.train, first(step), heldCount, eos)).mean());
  const balancer = makeBalancer({
    method: cfg.balance.method, languages: names.length, seed,
    subset: selectParameters(model.namedParameters(), parameterFilter(cfg.balance.parameters)),
    cats: cfg.balance.cats, gradvac: cfg.balance.gradvac, gradnorm: cfg.balance.gradnorm, heldOut, training,
  });

  const metricsPath = join(runDir, "metrics.jsonl");
  const writeMetrics = (rows: MetricRow[]) => writer && appendMetrics(metricsPath, rows);
  const validBatches = data.map((d) => window(d.valid, 0, Math.min(cfg.eval.validExamples, d.valid.length), eos));
  const validLoss = () => validBatches.map((t) => {
    const wasTraining = model.training;
    model.eval();
    const v = tidy(() => noGrad(() => withPrecision(precision, () => lossOf(t).mean().item())));
    model.train(wasTraining);
    return v;
  });
  const evaluate = (step: number) => {
    const losses = validLoss();
    writeMetrics(names.map((lang, n): MetricRow => ({ step, split: "eval", name: "loss", lang, value: losses[n] })));
  };
  const curvatureSubset = selectParameters(model.namedParameters(), parameterFilter(cfg.curvature.parameters));
  const curvatureBatches = data.map((d) => window(d.valid, 0, cfg.curvature.sequences, eos));
  const measureCurvature = (step: number) => writeMetrics(curvatureRows(model, names, curvatureBatches, curvatureSubset.params, step, cfg.curvature.iterations, lossOf));
  const onStep = (r: StepRecord) => {
    writeMetrics([
      ...trainMetricRows(r),
      // The trainer counts each row's padded width less one as its tokens.
      { step: r.step, split: "train", name: "step_seconds", lang: null, value: (cfg.train.batchSize * (globalBatches.lastWidth - 1)) / r.tokensPerSecond },
      ...Object.entries(r.langWeight ?? {}).map(([lang, value]): MetricRow => ({ step: r.step, split: "train", name: "weight", lang, value })),
    ]);
    if (cfg.curvature.every > 0 && r.step % cfg.curvature.every === 0) measureCurvature(r.step);
  };

  const steps = cfg.train.steps;
  const result = await trainLanguageModel({
    model, batches, steps, balancer, sequenceLoss: lossOf,
    ...runTrainingSettings(cfg.train, steps, join(runDir, "checkpoint.safetensors")),
    evalEvery: cfg.eval.every, evaluate, onStep, onResume: (step) => writer && truncateMetrics(metricsPath, step), progress: opts.progress, label: opts.label,
    precision,
    ...ranks.trainerHooks(),
  });
  ranks.close(log);
  if (!result.interrupted && cfg.curvature.every > 0 && steps % cfg.curvature.every !== 0) measureCurvature(steps);
  curvatureBatches.forEach((t) => t.dispose());
  return endRun(runDir, { started, writer }, result, {
    languages: names, steps,
    release: () => {
      validBatches.forEach((t) => t.dispose());
      model.dispose();
    },
    results: () => {
      const finalLoss = validLoss();
      model.eval();
      const tokenizer = SentencePieceTokenizer.load(prepared.tokenizerPath);
      const results: ResultRow[] = [];
      const lines: string[] = [];
      data.forEach((d, n) => {
        log(`translating ${d.test.length} ${d.name} test sentences`);
        const hyps = withPrecision(precision, () => translate(model, d.test.map((p) => p.sourceIds), prepared.tagIds[d.tgt], sep, eos, cfg.eval)).map((ids) => tokenizer.decode(ids));
        const refs = d.test.map((p) => p.target);
        d.test.forEach((p, i) => lines.push(JSON.stringify({ direction: d.name, id: p.id, source: p.source, reference: p.target, hypothesis: hyps[i] })));
        const stats = translationStatistics(hyps, refs);
        const boot = { seed, resamples: cfg.eval.resamples };
        const bleu = bootstrapMetric(stats.bleu, boot);
        const chrf = bootstrapMetric(stats.chrf, boot);
        const row = (name: string, value: number): ResultRow => ({ name, lang: d.name, layer: null, value });
        results.push(row("bleu", bleu.estimate), row("bleu_lower", bleu.lower), row("bleu_upper", bleu.upper),
          row("chrf", chrf.estimate), row("chrf_lower", chrf.lower), row("chrf_upper", chrf.upper),
          row("nll", finalLoss[n]), row("train_pairs", d.train.length), row("test_sentences", d.test.length),
          row("tokens_seen", result.tokensSeen[d.name]));
      });
      writeFileAtomic(join(runDir, "translations.jsonl"), lines.join("\n") + "\n");
      copyFileSync(prepared.tokenizerPath, join(runDir, "tokenizer.model"));
      const info: TranslatorInfo = { model: modelConfig, separatorId: sep, eosId: eos, tagIds: prepared.tagIds, directions: names, targets: [...new Set(data.map((d) => d.tgt))] };
      writeFileAtomic(join(runDir, "translator.json"), JSON.stringify(info, null, 2));
      return results;
    },
  });
}

/** Translates token-id sources into a target language (greedy for beam 1). */
export function translate(model: GPT, sources: number[][], tagId: number, separatorId: number, eosId: number,
  o: { beam: number; lengthPenalty: number; maxNewTokens: number; batchSize: number }): number[][] {
  const prompts = sources.map((s) => translationPrompt(tagId, s, separatorId));
  const common = { eosId, maxNewTokens: o.maxNewTokens, batchSize: o.batchSize };
  return o.beam === 1 ? greedyDecode(model, prompts, common) : beamSearch(model, prompts, { ...common, beam: o.beam, lengthPenalty: o.lengthPenalty }).map((h) => h.tokens);
}
