// One run of the real-language imbalance study (methods.md §1, real-language variant):
// two languages, each tokenized by its own SentencePiece model, joined in one model
// vocabulary (disjoint or anchored); each training sequence is in the second language
// with probability data.ratio. Evaluated per language on held-out paragraphs, and by the
// matched hidden-state cosine of held-out parallel paragraphs. Same run directory and
// run contract as the clone study (src/run/).
import { withPrecision, manualSeed } from "../../torch/index.js";
import { GPT } from "../../nn/gpt.js";
import { anchoredVocabulary, disjointVocabulary, toJoint, type JointVocabulary } from "../../data/clones.js";
import { PackedSequenceStream } from "../../data/pack.js";
import { makeSampler } from "../../data/samplers.js";
import { prepareParallelLanguages, type PreparedParallelLanguages } from "../../data/parallel-languages.js";
import { MultilingualBatchSource } from "../../train/multilingual-batches.js";
import { JointVocabularyBatchSource } from "../../train/joint-batches.js";
import { matchedHiddenCosineByLayer, slidingWindowPerplexity } from "../../analysis/lm-eval.js";
import { DATA_SPLIT_SEED, modelConfigFor, runSteps, type ResultRow, type RunOutcome } from "../../run/contract.js";
import type { MetricRow } from "../../run/metrics.js";
import { startRun } from "../../run/ranks.js";
import { trainRunModel } from "../../run/lm-training.js";
import { endRun } from "../../run/run-end.js";
import type { RealRunConfig } from "./spec.js";

export function prepareRealCorpus(cfg: RealRunConfig, cacheDir: string, log?: (msg: string) => void): Promise<PreparedParallelLanguages> {
  const c = cfg.corpus;
  return prepareParallelLanguages({ corpus: c.name, languages: c.languages, validFraction: c.validFraction, testFraction: c.testFraction }, cfg.tokenizer, cacheDir, DATA_SPLIT_SEED, log);
}

/** The model vocabulary of the two languages' own tokenizers. */
export function jointVocabularyOf(kind: RealRunConfig["vocabulary"], pieces1: readonly string[], pieces2: readonly string[]): JointVocabulary {
  return kind === "disjoint" ? disjointVocabulary(pieces1, pieces2) : anchoredVocabulary(pieces1, pieces2);
}

/**
 * Held-out parallel paragraphs as model inputs: each side encoded by its own language's
 * tokenizer, mapped into the joint vocabulary and cut to the model's positions; pairs
 * with a side shorter than 2 ids are left out.
 */
export function parallelInputs(prepared: PreparedParallelLanguages, vocab: JointVocabulary, maxPairs: number, seqLen: number): [Int32Array, Int32Array][] {
  const [t1, t2] = prepared.languages.map((l) => l.tokenizer());
  const out: [Int32Array, Int32Array][] = [];
  for (const p of prepared.testPairs()) {
    if (out.length === maxPairs) break;
    const a = toJoint(vocab, 1, t1!.encode(p.texts[0])).subarray(0, seqLen);
    const b = toJoint(vocab, 2, t2!.encode(p.texts[1])).subarray(0, seqLen);
    if (a.length >= 2 && b.length >= 2) out.push([a, b]);
  }
  return out;
}

export async function executeRealRun(cfg: RealRunConfig, runDir: string, opts: { cacheDir: string; progress?: boolean; label?: string }): Promise<RunOutcome> {
  const run = startRun(runDir, cfg, opts);
  const { started, ranks, writer, progress, precision, log } = run;
  opts = { ...opts, progress };
  const prepared = await ranks.prepare("corpus preparation", () => prepareRealCorpus(cfg, opts.cacheDir, log));
  const [l1, l2] = prepared.languages;
  const vocab = jointVocabularyOf(cfg.vocabulary, l1.pieces(), l2.pieces());
  const languages = [l1.lang, l2.lang];

  manualSeed(cfg.train.seed);
  const model = new GPT(modelConfigFor(cfg, vocab.size));
  ranks.startFrom(model.parameters());
  const steps = runSteps(cfg);
  const sampler = makeSampler({ kind: "fixed", probs: { [l1.lang]: 1 - cfg.data.ratio, [l2.lang]: cfg.data.ratio }, seed: cfg.train.seed });
  const trainCaches = prepared.languages.map((l) => l.open("train"));
  // One stream per language, seeded apart so the two languages' orders are independent.
  const streams = trainCaches.map((c, k) => new PackedSequenceStream(c, cfg.model.seqLen, cfg.train.seed * 2 + k));
  const batches = ranks.batches(new JointVocabularyBatchSource(new MultilingualBatchSource(streams, sampler, cfg.train.batchSize), vocab));

  // Held-out text of each language, in the joint vocabulary.
  const evalIds = prepared.languages.map((l, k) => {
    const cache = l.open("test");
    const ids = toJoint(vocab, k === 0 ? 1 : 2, cache.read(0, Math.min(cfg.eval.tokens, cache.count)));
    cache.close();
    return ids;
  });

  const perplexity = (k: number) => withPrecision(precision, () => slidingWindowPerplexity(model, evalIds[k]!, { stride: cfg.eval.stride }));
  const evaluate = (step: number): MetricRow[] => languages.map((lang, k) => ({ step, split: "eval", name: "ppl", lang, value: perplexity(k).ppl }));
  const result = await trainRunModel(run, runDir, { model, batches, steps, train: cfg.train, evalEvery: cfg.eval.every, evaluate, progress: opts.progress, label: opts.label });
  trainCaches.forEach((c) => c.close());
  return endRun(runDir, { started, writer }, result, {
    languages, steps, release: () => model.dispose(),
    results: () => {
      const results = finalResults(cfg, model, languages, perplexity, () => parallelInputs(prepared, vocab, cfg.eval.alignmentParagraphs, cfg.model.seqLen), vocab);
      for (const [lang, n] of Object.entries(result.tokensSeen)) results.push({ name: "tokens_seen", lang, layer: null, value: n });
      return results;
    },
  });
}

function finalResults(cfg: RealRunConfig, model: GPT, languages: string[], perplexity: (k: number) => { ppl: number; nll: number },
  pairs: () => [Int32Array, Int32Array][], vocab: JointVocabulary): ResultRow[] {
  const out: ResultRow[] = [];
  languages.forEach((lang, k) => {
    const r = perplexity(k);
    out.push({ name: "ppl", lang, layer: null, value: r.ppl }, { name: "nll", lang, layer: null, value: r.nll });
  });
  out.push({ name: "shared_ids", lang: null, layer: null, value: vocab.numShared });
  // Alignment only where both languages were trained on (in fp32, as the clone study's).
  if (cfg.data.ratio > 0 && cfg.data.ratio < 1) {
    const p = pairs();
    if (p.length) {
      matchedHiddenCosineByLayer(model, p).forEach((value, layer) => out.push({ name: "matched_hidden_cosine", lang: languages[1]!, layer: layer + 1, value }));
      // The baseline: the same measure on paragraphs that are NOT translations of each other
      // (each first-language paragraph against the next pair's second side). Hidden states of
      // a small model share a large common direction, so matched cosines are high for any text.
      if (p.length > 1) {
        const unpaired = p.map(([a], i): [Int32Array, Int32Array] => [a, p[(i + 1) % p.length]![1]]);
        matchedHiddenCosineByLayer(model, unpaired).forEach((value, layer) => out.push({ name: "matched_hidden_cosine_unpaired", lang: languages[1]!, layer: layer + 1, value }));
      }
      out.push({ name: "alignment_paragraphs", lang: null, layer: null, value: p.length });
    }
  }
  return out;
}
