// One run of the cloned-language imbalance study (methods.md §1), from config to
// results: prepare the corpus, build clones and the sampler, train with checkpoints,
// evaluate per language, and measure alignment. A run lives in its own directory:
//   config.json, checkpoint.safetensors, metrics.jsonl, results.json (written last).
import { manualSeed, tidy, type Tensor, withPrecision, type Precision } from "../../torch/index.js";
import { GPT } from "../../nn/gpt.js";
import { CloneMapping, cloneExclusions } from "../../data/clones.js";
import { PackedSequenceStream } from "../../data/pack.js";
import { makeSampler, type SamplerSpec } from "../../data/samplers.js";
import { prepareCorpus } from "../../data/prepare.js";
import { Rng } from "../../util/rng.js";
import { CloneBatchSource } from "../../train/clone-batches.js";
import { sequenceLosses } from "../../train/trainer.js";
import { cloneEmbeddingSimilarity, gradientCosine, hiddenStateCosineByLayer, slidingWindowPerplexity } from "../../analysis/lm-eval.js";
import type { RunConfig } from "./spec.js";
import { DATA_SPLIT_SEED, modelConfigFor, runSteps, type ResultRow, type RunOutcome } from "../../run/contract.js";
import type { MetricRow } from "../../run/metrics.js";
import { startRun } from "../../run/ranks.js";
import { trainRunModel } from "../../run/lm-training.js";
import { endRun } from "../../run/run-end.js";


export async function executeCloneRun(cfg: RunConfig, runDir: string, opts: { cacheDir: string; progress?: boolean; label?: string }): Promise<RunOutcome> {
  // One process, or one rank of a data-parallel job under `xling launch` (src/run/ranks.ts).
  const run = startRun(runDir, cfg, opts);
  const { started, ranks, writer, progress, precision, log } = run;
  opts = { ...opts, progress };
  const prepared = await ranks.prepare("corpus preparation", () => prepareCorpus(cfg.corpus, cfg.tokenizer, opts.cacheDir, DATA_SPLIT_SEED, log));
  const V = prepared.vocabSize;
  const K = cfg.clones.languages;
  const mapping = new CloneMapping({ vocabSize: V, numLanguages: K, fracClone: cfg.clones.fracClone, seed: cfg.clones.seed, exclude: cloneExclusions(prepared.specialIds, prepared.padId, cfg.clones.anchors) });

  manualSeed(cfg.train.seed);
  const model = new GPT(modelConfigFor(cfg, K * V));
  ranks.startFrom(model.parameters());
  const steps = runSteps(cfg);
  const samplerSpec: SamplerSpec = cfg.data.schedule
    ? { kind: "schedule", schedule: cfg.data.schedule, total: steps, numLanguages: K, seed: cfg.train.seed, sequencesPerStep: cfg.train.batchSize }
    : { kind: "clone", numLanguages: K, p: cfg.data.ratio, seed: cfg.train.seed };
  const sampler = makeSampler(samplerSpec);
  const trainCache = prepared.open("train");
  const stream = new PackedSequenceStream(trainCache, cfg.model.seqLen, cfg.train.seed);
  const globalBatches = new CloneBatchSource(stream, sampler, mapping, cfg.train.batchSize);
  const batches = ranks.batches(globalBatches);
  const languages = [...sampler.languages];

  // Held-out text: the start of the test split, rendered in every language.
  const testCache = prepared.open("test");
  const evalIds = testCache.read(0, Math.min(cfg.eval.tokens, testCache.count));
  const rendered = languages.map((_, k) => (k === 0 ? evalIds : mapping.render(evalIds, k)));

  const evaluate = (step: number): MetricRow[] => languages.map((lang, k) => ({
    step, split: "eval", name: "ppl", lang, value: withPrecision(precision, () => slidingWindowPerplexity(model, rendered[k], { stride: cfg.eval.stride })).ppl,
  }));
  const result = await trainRunModel(run, runDir, { model, batches, steps, train: cfg.train, evalEvery: cfg.eval.every, evaluate, progress: opts.progress, label: opts.label });
  trainCache.close();
  testCache.close();
  return endRun(runDir, { started, writer }, result, {
    languages, steps, release: () => model.dispose(),
    results: () => {
      const results = finalResults(cfg, model, mapping, languages, rendered, evalIds, precision);
      for (const [lang, n] of Object.entries(result.tokensSeen)) results.push({ name: "tokens_seen", lang, layer: null, value: n });
      return results;
    },
  });
}

function finalResults(cfg: RunConfig, model: GPT, mapping: CloneMapping, languages: string[], rendered: Int32Array[], evalIds: Int32Array, precision: Precision): ResultRow[] {
  const out: ResultRow[] = [];
  // Perplexity in the training precision; the alignment analyses below stay in fp32.
  languages.forEach((lang, k) => {
    const r = withPrecision(precision, () => slidingWindowPerplexity(model, rendered[k], { stride: cfg.eval.stride }));
    out.push({ name: "ppl", lang, layer: null, value: r.ppl }, { name: "nll", lang, layer: null, value: r.nll });
  });
  // Alignment of the original and each clone on the same held-out sequences.
  const len = cfg.model.seqLen;
  const rows = Math.min(cfg.eval.alignmentSequences, Math.floor(evalIds.length / (len + 1)));
  if (rows === 0) return out;
  const base = evalIds.subarray(0, rows * (len + 1));
  const inputsOf = (ids: Int32Array) => {
    const x = new Int32Array(rows * len);
    for (let r = 0; r < rows; r++) x.set(ids.subarray(r * (len + 1), r * (len + 1) + len), r * len);
    return x;
  };
  const V = mapping.vocabSize;
  const cloned = Array.from({ length: V }, (_, i) => i).filter((i) => mapping.isCloned(i));
  const rng = new Rng(cfg.train.seed + 17);
  const randomPairs: [number, number][] = cloned.map(() => [rng.int(V * mapping.numLanguages), rng.int(V * mapping.numLanguages)]);
  for (let k = 1; k < languages.length; k++) {
    const other = mapping.render(base, k);
    hiddenStateCosineByLayer(model, inputsOf(base), inputsOf(other), rows).forEach((value, layer) =>
      out.push({ name: "hidden_cosine", lang: languages[k], layer: layer + 1, value }));
    const grads = gradientCosine(model, base, other, rows, (m: GPT, t: Tensor) => sequenceLosses(m, t).mean());
    const finite = [...grads.values()].filter(Number.isFinite);
    out.push({ name: "grad_cosine_mean", lang: languages[k], layer: null, value: finite.reduce((a, b) => a + b, 0) / finite.length });
    for (const [name, value] of grads) if (Number.isFinite(value)) out.push({ name: `grad_cosine:${name}`, lang: languages[k], layer: null, value });
    if (cloned.length > 0) {
      for (const [which, weight] of [["tok_emb", model.tok_emb.weight], ["lm_head", model.lm_head.weight]] as const) {
        const s = tidy(() => cloneEmbeddingSimilarity(weight, V, k, cloned, randomPairs));
        out.push({ name: `emb_cosine_clone:${which}`, lang: languages[k], layer: null, value: s.clonePairs });
        out.push({ name: `emb_cosine_random:${which}`, lang: languages[k], layer: null, value: s.randomPairs });
      }
    }
  }
  return out;
}
