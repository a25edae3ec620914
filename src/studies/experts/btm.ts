// Branch-train-merge for cross-lingual experts (methods.md §4). A study directory holds
//   study.json              the validated spec (added languages appended by `experts add`)
//   plan.json               the expert groups and, for added languages, the parent chosen
//   seed/                   the seed model, trained on all initial languages (or loaded)
//   experts/expert-<i>/     one run per expert, branched from the seed (added ones from
//                           their most similar expert), each its own process and checkpoints
//   dense-<steps>/          the compute-matched dense baseline (seed + all expert steps)
//   evaluation.json, report.html
// Experts never communicate, so each is a child process (N at a time, or a Slurm array
// task); a failed or killed expert leaves the others running and resumes from its own
// checkpoint on the next invocation, finished runs are skipped.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tensor } from "../../torch/index.js";
import { GPT } from "../../nn/gpt.js";
import { prepareMultilingual, type PreparedMultilingual } from "../../data/multilingual.js";
import { listUdhrTranslations } from "../../data/corpora/udhr.js";
import { DATA_SPLIT_SEED } from "../../run/contract.js";
import { runXlingChild, xlingBin } from "../../run/child.js";
import { runPool } from "../../run/pool.js";
import { defaultCacheDir } from "../../run/run-dir.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { chooseBranchExpert } from "../../experts/adding.js";
import { averageParameters } from "../../experts/ensemble.js";
import { createPartitioner } from "../../experts/partition.js";
import { shellQuote, slurmArrayScript } from "../../experts/slurm.js";
import { geographyFeatures, loadLanguageFeatures, type LanguageFeatures, singleLinkDistance } from "../../experts/typology.js";
import { loadExpertStudy, parseExpertStudy, type ExpertStudy, type Similarity } from "./spec.js";
import {
  CHECKPOINT_FILE, executeExpertRun, expertRunIdentity, loadWeightsInto, readRunOutcome, studyModel, WEIGHTS_FILE,
  type ExpertRunConfig, type ExpertRunOutcome,
} from "./run.js";
import type { ContentClusterer } from "../../experts/content.js";
import { ensureContentPartition, loadContentClusterer, readContentPartition } from "./content-split.js";
import { evaluateEnsembles, fitExpertCentres, testSequences, type EnsembleEvaluation, type LanguageData } from "../../experts/evaluate.js";

export interface PlannedExpertRun {
  dir: string;
  config: ExpertRunConfig;
}

export interface AddedExpert {
  language: string;
  /** Index of the expert it branched from, and the similarity distance to every expert before it. */
  parent: number;
  distances: number[];
}

export interface StudyPlan {
  dir: string;
  seed: PlannedExpertRun;
  /** Initial experts first (index = cluster), then one per added language, in order. */
  experts: PlannedExpertRun[];
  added: AddedExpert[];
  /** Initial experts of later rounds (study.experts.rounds > 1): languages joined by "+", parent expert, distances to the earlier experts. */
  branched: AddedExpert[];
  dense: PlannedExpertRun | null;
}

export interface StudyOptions {
  parallel?: number;
  /** Train in this process instead of child processes (tests, debugging). */
  inProcess?: boolean;
  progress?: boolean;
  cacheDir?: string;
}

export function studyCacheDir(dir: string, opts: StudyOptions = {}): string {
  return opts.cacheDir ?? defaultCacheDir(dir);
}

/** Language features a similarity spec names, keyed by the study's language names. */
export async function similarityFeatures(sim: Similarity, study: ExpertStudy): Promise<LanguageFeatures> {
  if (sim.method === "typological") return loadLanguageFeatures(sim.features);
  // Geography: each language's UDHR code from `codes`, else its corpus code when the corpus is UDHR, else its name.
  const places = new Map((await listUdhrTranslations()).filter((t) => t.latitude !== undefined && t.longitude !== undefined).map((t) => [t.code, t]));
  const langs = study.corpus.languages.map((l) => l.lang);
  return geographyFeatures(langs.map((lang) => {
    const source = study.corpus.languages.find((l) => l.lang === lang)!;
    const code = sim.codes[lang] ?? (source.corpus === "udhr" ? source.code : undefined) ?? lang;
    const place = places.get(code);
    if (!place) throw new Error(`geographic similarity: no UDHR coordinates for '${lang}' (code '${code}'); map it in codes`);
    return { code: lang, latitude: place.latitude!, longitude: place.longitude! };
  }));
}

/** The initial experts' languages, cluster by cluster. */
export async function expertGroups(study: ExpertStudy): Promise<string[][]> {
  const p = study.experts.partition;
  if (p.method === "content") throw new Error("content experts are not groups of languages; see ensureContentPartition");
  const partitioner = p.method === "language-map"
    ? createPartitioner({ name: "language-map", map: p.map })
    : createPartitioner({ name: "typological", features: await similarityFeatures(p, study) });
  const langs = study.experts.languages;
  const labels = partitioner.partition(langs.map((language) => ({ language })), study.experts.k);
  return Array.from({ length: study.experts.k }, (_, c) => langs.filter((_, i) => labels[i] === c));
}

/** Dense baseline steps: the seed's plus every expert's, at the same batch size, so total tokens match. */
export function denseSteps(study: ExpertStudy): number {
  return study.seed.steps + study.experts.k * study.experts.steps + study.experts.add.reduce((s, a) => s + (a.steps ?? study.experts.steps), 0);
}

export async function planStudy(study: ExpertStudy, dir: string): Promise<StudyPlan> {
  dir = resolve(dir);
  const base = { corpus: { languages: study.corpus.languages, validFraction: study.corpus.validFraction, testFraction: study.corpus.testFraction }, tokenizer: study.tokenizer, model: study.model, train: study.train };
  const seed: PlannedExpertRun = {
    dir: join(dir, "seed"),
    config: { ...base, kind: "seed", name: "seed", languages: study.experts.languages, steps: study.seed.steps, init: study.seed.load ? { path: study.seed.load, from: study.seed.load } : null },
  };
  const expertRun = (i: number, languages: string[], steps: number, init: { path: string; from: string }): PlannedExpertRun => ({
    dir: join(dir, "experts", `expert-${i}`),
    config: { ...base, kind: "expert", name: `expert-${i}`, languages, steps, init },
  });
  const fromSeed = { path: join(seed.dir, WEIGHTS_FILE), from: "seed" };
  let experts: PlannedExpertRun[];
  if (study.experts.partition.method === "content") {
    const content = readContentPartition(dir);
    if (!content) throw new Error(`${dir}: the content partition is made when training starts (xling experts train)`);
    experts = content.caches.map((caches, i) => {
      const run = expertRun(i, study.experts.languages.filter((l) => caches[l] !== undefined), study.experts.steps, fromSeed);
      run.config.trainCaches = caches;
      return run;
    });
  } else experts = (await expertGroups(study)).map((langs, i) => expertRun(i, langs, study.experts.steps, fromSeed));
  const similarity = () => similarityFeatures(study.experts.similarity ?? (study.experts.partition as Similarity), study);
  const branched: AddedExpert[] = [];
  if (study.experts.rounds > 1) {
    // Hierarchical rounds for the initial experts: a later round's expert branches from
    // its nearest expert of the earlier rounds (the trainer runs it once that one is done).
    const features = await similarity();
    const k = experts.length;
    const roundOf = (i: number) => Math.floor((i * study.experts.rounds) / k);
    for (let i = 0; i < k; i++) {
      if (roundOf(i) === 0) continue;
      const earlier = experts.slice(0, i).filter((_, j) => roundOf(j) < roundOf(i));
      // Single-link distance between the expert's languages and each earlier expert's; ties to the lower index.
      const distances = earlier.map((e) => singleLinkDistance(experts[i]!.config.languages, e.config.languages, features));
      const parent = distances.reduce((best, d, j) => (d < distances[best]! ? j : best), 0);
      if (!Number.isFinite(distances[parent]!)) throw new Error(`experts.rounds: expert-${i} (${experts[i]!.config.languages.join(", ")}) shares no features with an earlier expert`);
      branched.push({ language: experts[i]!.config.languages.join("+"), parent, distances });
      experts[i]!.config.init = { path: join(experts[parent]!.dir, WEIGHTS_FILE), from: experts[parent]!.config.name };
    }
  }
  const added: AddedExpert[] = [];
  if (study.experts.add.length) {
    const features = await similarity();
    for (const a of study.experts.add) {
      // Hierarchical rounds: an added language may branch from an expert added before it.
      const choice = chooseBranchExpert(a.language, experts.map((e) => e.config.languages), features);
      const parent = experts[choice.expert]!;
      added.push({ language: a.language, parent: choice.expert, distances: choice.distances });
      experts.push(expertRun(experts.length, [a.language], a.steps ?? study.experts.steps, { path: join(parent.dir, WEIGHTS_FILE), from: parent.config.name }));
    }
  }
  const allLangs = [...new Set(experts.flatMap((e) => e.config.languages))];
  const steps = denseSteps(study);
  const dense = study.dense ? { dir: join(dir, `dense-${steps}`), config: { ...base, kind: "dense" as const, name: "dense", languages: allLangs, steps, init: null } } : null;
  return { dir, seed, experts, added, branched, dense };
}

/**
 * Writes a run's config.json when it differs, refusing to change the settings of a run
 * that already started. A started run whose study directory moved gets its parent's new path.
 */
function fixConfig(run: PlannedExpertRun): void {
  mkdirSync(run.dir, { recursive: true });
  const path = join(run.dir, "config.json");
  const text = JSON.stringify(run.config, null, 2);
  const old = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (old === text) return;
  if (old !== null && (existsSync(join(run.dir, CHECKPOINT_FILE)) || readRunOutcome(run.dir)) && JSON.stringify(expertRunIdentity(JSON.parse(old) as ExpertRunConfig)) !== JSON.stringify(expertRunIdentity(run.config)))
    throw new Error(`${run.dir}: the study changed this run's settings after it started; use a new output directory`);
  writeFileAtomic(path, text);
}

export function isDone(run: PlannedExpertRun): boolean {
  return readRunOutcome(run.dir) !== null;
}

export interface PoolSummary {
  ran: string[];
  skipped: string[];
  failed: { name: string; error: string }[];
}

/**
 * Trains runs, `parallel` at a time, each in its own process; one failing does not stop
 * the others. A run branched from another run of the list waits until that one has
 * finished (and fails if it failed); among the runs ready to go, list order decides.
 */
export async function trainRuns(runs: PlannedExpertRun[], cacheDir: string, opts: StudyOptions & { prepared?: PreparedMultilingual }): Promise<PoolSummary> {
  // Every run, finished or not, must still be the run the study asks for.
  runs.forEach(fixConfig);
  const summary: PoolSummary = { ran: [], skipped: runs.filter(isDone).map((r) => r.config.name), failed: [] };
  const pending = runs.filter((r) => !isDone(r));
  // In one process, runs would share libtorch's global generator: one at a time.
  const parallel = opts.inProcess ? 1 : (opts.parallel ?? 1);
  const pool = await runPool(pending.map((run) => ({
    name: run.config.name,
    after: run.config.init?.from,
    run: async () => {
      if (opts.inProcess) await executeExpertRun(run.config, run.dir, { cacheDir, progress: opts.progress, prepared: opts.prepared });
      else await runXlingChild(["experts", "_train", run.dir, "--cache", cacheDir], run.config.name);
    },
  })), parallel);
  summary.ran.push(...pool.ran);
  summary.failed.push(...pool.failed);
  return summary;
}

export function writeStudyFiles(study: ExpertStudy, plan: StudyPlan): void {
  mkdirSync(plan.dir, { recursive: true });
  writeFileAtomic(join(plan.dir, "study.json"), JSON.stringify(study, null, 2));
  writeFileAtomic(join(plan.dir, "plan.json"), JSON.stringify({
    experts: plan.experts.map((e) => ({ name: e.config.name, languages: e.config.languages, steps: e.config.steps, from: e.config.init?.from ?? null })),
    added: plan.added, dense: plan.dense && { dir: plan.dense.dir, steps: plan.dense.config.steps, languages: plan.dense.config.languages },
  }, null, 2));
}

export function readStudy(dir: string): ExpertStudy {
  const path = join(dir, "study.json");
  if (!existsSync(path)) throw new Error(`${dir} is not an expert study directory (no study.json)`);
  return loadExpertStudy(path);
}

async function prepare(study: ExpertStudy, cacheDir: string, progress?: boolean): Promise<PreparedMultilingual> {
  const log = (msg: string) => progress !== false && process.stderr.write(`${study.name}: ${msg}\n`);
  // Tokenize once, here, so parallel experts do not race to build the same cache.
  return prepareMultilingual(study.corpus, study.tokenizer, cacheDir, DATA_SPLIT_SEED, log);
}

/**
 * Seed, experts (initial and added) and the dense baseline, N processes at a time, each
 * run as soon as the run it branches from is done. Runs already finished are skipped;
 * interrupted ones resume from their checkpoints.
 */
export async function trainStudy(study: ExpertStudy, dir: string, opts: StudyOptions = {}): Promise<{ plan: StudyPlan; summary: PoolSummary }> {
  dir = resolve(dir);
  const cacheDir = studyCacheDir(dir, opts);
  const prepared = await prepare(study, cacheDir, opts.progress);
  if (study.experts.partition.method === "content") ensureContentPartition(study, dir, prepared);
  const plan = await planStudy(study, dir);
  writeStudyFiles(study, plan);
  // One pool: experts wait for the seed, added experts for their parents; the dense
  // baseline depends on nothing and fills a free slot.
  const summary = await trainRuns([plan.seed, ...plan.experts, ...(plan.dense ? [plan.dense] : [])], cacheDir, { ...opts, prepared });
  return { plan, summary };
}

/**
 * Adds a language to a trained study: plans a new expert branched from the most similar
 * existing expert and trains it. Existing experts' directories are not written to.
 */
export async function addLanguage(dir: string, language: string, opts: StudyOptions & { steps?: number } = {}): Promise<{ plan: StudyPlan; added: AddedExpert; summary: PoolSummary }> {
  const study = readStudy(dir);
  if (!study.corpus.languages.some((l) => l.lang === language))
    throw new Error(`'${language}' is not in the study's corpus (${study.corpus.languages.map((l) => l.lang).join(", ")}); the shared tokenizer must know it`);
  if (study.experts.languages.includes(language) || study.experts.add.some((a) => a.language === language))
    throw new Error(`'${language}' already has an expert`);
  const before = await planStudy(study, dir);
  const unfinished = before.experts.filter((e) => !isDone(e)).map((e) => e.config.name);
  if (unfinished.length) throw new Error(`train the existing experts first (${unfinished.join(", ")} not finished)`);
  study.experts.add.push(opts.steps ? { language, steps: opts.steps } : { language });
  // The same checks as a spec listing the language under experts.add (similarity features, content experts).
  parseExpertStudy(study, join(dir, "study.json"));
  const plan = await planStudy(study, dir);
  const cacheDir = studyCacheDir(plan.dir, opts);
  const prepared = await prepare(study, cacheDir, opts.progress);
  writeStudyFiles(study, plan);
  const run = plan.experts[plan.experts.length - 1]!;
  const summary = await trainRuns([run], cacheDir, { ...opts, parallel: 1, prepared });
  return { plan, added: plan.added[plan.added.length - 1]!, summary };
}

/** A Slurm array script training the experts of a study whose seed is trained. */
export function expertsSlurmScript(plan: StudyPlan, cacheDir: string, opts: { time: string; mem: string; cpus: number; count: number }): string {
  const bin = xlingBin();
  return slurmArrayScript({
    jobName: "xling-experts",
    experts: opts.count,
    commandTemplate: `node ${shellQuote(bin)} experts _train {checkpoint} --cache ${shellQuote(cacheDir)}`,
    checkpointRoot: join(plan.dir, "experts"),
    time: opts.time, mem: opts.mem, cpusPerTask: opts.cpus,
  });
}

/** Writes every expert's config so array tasks (or `experts _train`) can run them. */
export function writeExpertConfigs(plan: StudyPlan): void {
  plan.experts.forEach(fixConfig);
}

export interface RunStatus {
  name: string;
  kind: string;
  languages: string[];
  steps: number;
  state: "done" | "started" | "not started";
  outcome: ExpertRunOutcome | null;
}

export function studyStatus(plan: StudyPlan): RunStatus[] {
  return [plan.seed, ...plan.experts, ...(plan.dense ? [plan.dense] : [])].map((r) => {
    const outcome = readRunOutcome(r.dir);
    const state = outcome ? "done" : existsSync(join(r.dir, CHECKPOINT_FILE)) ? "started" : "not started";
    return { name: r.config.name, kind: r.config.kind, languages: r.config.languages, steps: r.config.steps, state, outcome };
  });
}

function loadRunModel(run: PlannedExpertRun, vocabSize: number): GPT {
  const model = studyModel(run.config.model, vocabSize);
  loadWeightsInto(model, join(run.dir, WEIGHTS_FILE));
  return model;
}

/** The parameter-averaging baseline: a GPT whose every tensor is the experts' mean. */
export function averagedModel(experts: GPT[]): GPT {
  const maps = experts.map((m) => Object.fromEntries(m.namedParameters().map(([n, p]) => [n, p.toArray() as Float32Array])));
  const mean = averageParameters(maps);
  const model = new GPT({ ...experts[0]!.config });
  const state = new Map(model.namedParameters().map(([n, p]) => [n, tensor(Float32Array.from(mean[n]!), { shape: p.shape })]));
  model.loadStateDict(state);
  for (const t of state.values()) t.dispose();
  return model;
}

export interface StudyEvaluation extends EnsembleEvaluation {
  experts: { name: string; languages: string[]; steps: number; from: string | null }[];
  languages: string[];
  denseSteps: number | null;
}

/** Per-language perplexity of every rule over the finished experts; written to evaluation.json. */
export async function evaluateStudy(study: ExpertStudy, plan: StudyPlan, opts: StudyOptions = {}): Promise<StudyEvaluation> {
  const prepared = await prepare(study, studyCacheDir(plan.dir, opts), opts.progress);
  const V = prepared.vocabSize;
  const done = plan.experts.filter(isDone);
  if (done.length === 0) throw new Error("no expert has finished training");
  const models = done.map((e) => loadRunModel(e, V));
  const singles: { name: string; model: GPT }[] = [];
  if (plan.dense && isDone(plan.dense)) singles.push({ name: "dense", model: loadRunModel(plan.dense, V) });
  singles.push({ name: "param-average", model: averagedModel(models) });
  const languages = [...new Set(done.flatMap((e) => e.config.languages))];
  const seqLen = study.model.seqLen;
  const read = (lang: string, split: "train" | "valid" | "test", tokens: number) => {
    const reader = prepared.language(lang).open(split);
    try {
      return testSequences(reader, seqLen, tokens);
    } finally {
      reader.close();
    }
  };
  const data: LanguageData[] = languages.map((lang) => ({
    lang, test: read(lang, "test", study.eval.tokens), valid: read(lang, "valid", study.eval.priorBatches * study.train.batchSize * (seqLen + 1)),
  }));
  const content = study.experts.partition.method === "content" ? readContentPartition(plan.dir) : null;
  let clusterer: ContentClusterer | null;
  if (content) {
    // Content experts: the clusterer that made them, when every expert is there to be weighed.
    clusterer = done.length === plan.experts.length ? loadContentClusterer(plan.dir) : null;
  } else {
    const perLanguage = 64 * (seqLen + 1);
    clusterer = fitExpertCentres(languages.map((l) => read(l, "train", perLanguage)), languages.map((l) => done.findIndex((e) => e.config.languages.includes(l))),
      { dimensions: study.eval.dimensions, seed: study.train.seed });
    writeFileAtomic(join(plan.dir, "tfidf-centres.json"), JSON.stringify(clusterer.toJSON()));
  }
  const ev = evaluateEnsembles(done.map((e, j) => ({ name: e.config.name, languages: e.config.languages, model: models[j]! })), singles, data, clusterer, {
    precision: study.train.precision, batch: study.eval.batch, priorBatches: study.eval.priorBatches, priorBatchSize: study.train.batchSize,
    alpha: study.eval.alpha, topK: study.eval.topK, tfidfTopK: study.eval.tfidfTopK, temperature: study.eval.temperature,
    expertOfLanguage: content && done.length === plan.experts.length ? content.expertOfLanguage : undefined,
  });
  [...models, ...singles.map((s) => s.model)].forEach((m) => m.dispose());
  const out: StudyEvaluation = {
    ...ev, languages,
    experts: done.map((e) => ({ name: e.config.name, languages: e.config.languages, steps: e.config.steps, from: e.config.init?.from ?? null })),
    denseSteps: plan.dense && isDone(plan.dense) ? plan.dense.config.steps : null,
  };
  writeFileAtomic(join(plan.dir, "evaluation.json"), JSON.stringify(out, null, 2));
  return out;
}
