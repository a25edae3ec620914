// Commands of expert studies (methods.md §4): train (seed -> experts -> dense baseline ->
// ensemble evaluation -> report), add a language, show which runs are done, the
// internal per-run command each expert process (or Slurm array task) executes, and the
// partitioning and Slurm tools on their own.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "../../run/command-options.js";
import { exitCodeOfRun, required as str } from "../../run/command-options.js";
import { loadExpertStudy, type ExpertStudy } from "./spec.js";
import {
  addLanguage, evaluateStudy, expertsSlurmScript, isDone, planStudy, readStudy, studyCacheDir, studyStatus, trainRuns, trainStudy,
  writeExpertConfigs, writeStudyFiles, type PoolSummary, type StudyPlan,
} from "./btm.js";
import { executeExpertRun, type ExpertRunConfig } from "./run.js";
import { expertStudyReport, ruleOrder } from "./report.js";
import { ingestExpertStudy } from "./store.js";
import { writeReport } from "../../report/write.js";
import { createPartitioner } from "../../experts/partition.js";
import { loadLanguageFeatures } from "../../experts/typology.js";
import { listUdhrTranslations } from "../../data/corpora/udhr.js";
import { slurmArrayScript } from "../../experts/slurm.js";
import { formatNumber } from "../../report/html.js";

function printSummary(name: string, s: PoolSummary): void {
  process.stderr.write(`${name}: ${s.ran.length} run(s) trained, ${s.skipped.length} already finished, ${s.failed.length} failed\n`);
  for (const f of s.failed) process.stderr.write(`  ${f.name}: ${f.error}\n`);
}

/** Evaluates the finished experts, prints the perplexity table and writes the report. */
async function evaluateAndReport(study: ExpertStudy, plan: StudyPlan, cacheDir: string): Promise<void> {
  const ev = await evaluateStudy(study, plan, { cacheDir });
  const rules = ruleOrder(ev);
  const width = Math.max(8, ...rules.map((r) => r.length + 2));
  process.stdout.write(`${"language".padEnd(10)}${rules.map((r) => r.padStart(width)).join("")}\n`);
  for (const lang of ev.languages)
    process.stdout.write(`${lang.padEnd(10)}${rules.map((r) => formatNumber(ev.rows.find((x) => x.lang === lang && x.rule === r)?.ppl ?? NaN).padStart(width)).join("")}\n`);
  ingestExpertStudy(join(plan.dir, "results.sqlite"), study, plan, ev);
  const path = writeReport(join(plan.dir, "report.html"), expertStudyReport(study, plan, ev));
  process.stdout.write(`report: ${path}\nevaluation: ${join(plan.dir, "evaluation.json")}\n` +
    `results: ${join(plan.dir, "results.sqlite")} (query with: xling results ${study.name} --result ppl --group-by rule)\n`);
}

const cacheOption = { cache: { type: "string", description: "token cache directory", defaultText: "$XLING_CACHE or <study>/../.xling-cache" } } as const;

export const expertCommands: Record<string, Command> = {
  "experts train": {
    summary: "Branch-train-merge: seed, one expert per language cluster (N processes at a time), compute-matched dense baseline, ensemble evaluation and report",
    usage: "xling experts train <spec.json> [--out runs/<name>] [--parallel N] [--cache DIR] [--slurm job.sh [--time 24:00:00 --mem 32G --cpus <train.threads>]]",
    options: {
      out: { type: "string", description: "study directory", defaultText: "runs/<name>" },
      parallel: { type: "string", integer: { min: 1 }, description: "experts trained at once (one process each)" },
      slurm: { type: "string", description: "write a Slurm job-array script here instead of training" },
      time: { type: "string", description: "Slurm time limit", defaultText: "24:00:00" },
      mem: { type: "string", description: "Slurm memory per task", defaultText: "32G" },
      cpus: { type: "string", integer: { min: 1 }, description: "Slurm CPUs per task", defaultText: "train.threads" },
      ...cacheOption,
    },
    async run({ values, positionals }) {
      const specPath = positionals[0];
      if (!specPath) throw new Error("give the spec file: xling experts train <spec.json>");
      const study = loadExpertStudy(specPath);
      const dir = resolve((values.out as string | undefined) ?? join("runs", study.name));
      const opts = { parallel: values.parallel ? Number(values.parallel) : study.parallel, cacheDir: values.cache as string | undefined };
      const cacheDir = studyCacheDir(dir, opts);
      if (typeof values.slurm === "string") {
        // The seed is trained here; the experts become array tasks that share nothing.
        const plan = await planStudy(study, dir);
        writeStudyFiles(study, plan);
        const seed = await trainRuns([plan.seed], cacheDir, { ...opts, parallel: 1 });
        printSummary(study.name, seed);
        if (seed.failed.length) return 1;
        const initial = plan.experts.slice(0, study.experts.k);
        writeExpertConfigs({ ...plan, experts: initial });
        writeFileSync(values.slurm, expertsSlurmScript(plan, cacheDir, {
          time: (values.time as string | undefined) ?? "24:00:00", mem: (values.mem as string | undefined) ?? "32G",
          cpus: Number((values.cpus as string | undefined) ?? study.train.threads), count: initial.length,
        }), { mode: 0o755 });
        process.stdout.write(`${values.slurm}: sbatch it to train ${initial.length} experts; then run xling experts train ${specPath} --out ${dir} again for the added experts, the dense baseline and the report\n`);
        return 0;
      }
      const { plan, summary } = await trainStudy(study, dir, opts);
      printSummary(study.name, summary);
      // The trained runs are queryable before (and without) the evaluation.
      ingestExpertStudy(join(plan.dir, "results.sqlite"), study, plan, null);
      if (plan.experts.some(isDone)) await evaluateAndReport(study, plan, cacheDir);
      return summary.failed.length ? 1 : 0;
    },
  },

  "experts add": {
    summary: "Add a language to a trained expert study: a new expert branched from the most similar one; existing experts untouched",
    usage: "xling experts add <study-dir> --lang it [--steps N] [--no-eval] [--cache DIR]",
    options: {
      lang: { type: "string", description: "language to add" },
      steps: { type: "string", integer: { min: 1 }, description: "training steps of the new expert", defaultText: "the study's" },
      "no-eval": { type: "boolean", description: "skip the ensemble evaluation afterwards" },
      ...cacheOption,
    },
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the study directory, e.g. runs/experts-debian");
      const opts = { cacheDir: values.cache as string | undefined, steps: values.steps ? Number(values.steps) : undefined };
      const { plan, added, summary } = await addLanguage(resolve(dir), str(values.lang, "lang"), opts);
      process.stderr.write(`${added.language}: branched from ${plan.experts[added.parent]!.config.name} (distances ${added.distances.map((d) => d.toFixed(4)).join(", ")})\n`);
      printSummary(readStudy(plan.dir).name, summary);
      if (summary.failed.length) return 1;
      if (!values["no-eval"]) await evaluateAndReport(readStudy(plan.dir), plan, studyCacheDir(plan.dir, opts));
      process.stderr.write(`the dense baseline now needs ${plan.dense?.config.steps ?? "n/a"} steps to stay compute-matched: xling experts train ${join(plan.dir, "study.json")} --out ${plan.dir} trains it\n`);
    },
  },

  "experts status": {
    summary: "Show which runs of an expert study are done, started or waiting",
    usage: "xling experts status <study-dir>",
    async run({ positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the study directory");
      const study = readStudy(resolve(dir));
      for (const s of studyStatus(await planStudy(study, resolve(dir))))
        process.stdout.write(`${s.name.padEnd(12)} ${s.state.padEnd(12)} ${String(s.steps).padStart(7)} steps  ${s.languages.join(",")}${s.outcome ? `  ${Math.round(s.outcome.seconds)} s` : ""}\n`);
    },
  },

  "experts report": {
    summary: "Evaluate an expert study's finished runs (every ensemble rule per language) and rewrite its report",
    usage: "xling experts report <study-dir> [--cache DIR]",
    options: cacheOption,
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the study directory");
      const study = readStudy(resolve(dir));
      const cacheDir = studyCacheDir(resolve(dir), { cacheDir: values.cache as string | undefined });
      await evaluateAndReport(study, await planStudy(study, resolve(dir)), cacheDir);
    },
  },

  "experts _train": {
    summary: "(internal) train one run directory of an expert study",
    usage: "xling experts _train <run-dir> --cache <dir>",
    options: cacheOption,
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the run directory");
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as ExpertRunConfig;
      return exitCodeOfRun(() => executeExpertRun(config, dir, { cacheDir: str(values.cache, "cache") }));
    },
  },

  "experts partition": {
    summary: "Cluster languages into expert groups: typological (feature vectors) or geographic (UDHR coordinates)",
    usage: "xling experts partition --k 4 (--features feats.csv|json | --geographic) --langs en,es,de,...",
    options: {
      k: { type: "string", integer: { min: 1 }, description: "number of expert groups" },
      features: { type: "string", description: "language feature vectors (CSV or JSON)" },
      geographic: { type: "boolean", description: "cluster by UDHR coordinates instead of features" },
      langs: { type: "string", description: "comma-separated languages" },
    },
    async run({ values }) {
      const k = Number(str(values.k, "k"));
      const langs = str(values.langs, "langs").split(",");
      const partitioner = values.geographic
        ? createPartitioner({ name: "geographic", places: (await listUdhrTranslations()).filter((t) => t.latitude !== undefined && t.longitude !== undefined).map((t) => ({ code: t.code, latitude: t.latitude!, longitude: t.longitude! })) })
        : createPartitioner({ name: "typological", features: await loadLanguageFeatures(str(values.features, "features")) });
      const labels = partitioner.partition(langs.map((language) => ({ language })), k);
      const groups = new Map<number, string[]>();
      labels.forEach((c, i) => groups.set(c, [...(groups.get(c) ?? []), langs[i]]));
      for (const [c, ls] of [...groups].sort((x, y) => x[0] - y[0])) process.stdout.write(`expert ${c}: ${ls.join(" ")}\n`);
    },
  },

  "experts slurm": {
    summary: "Write a Slurm job-array script running one expert's training command per array task",
    usage: "xling experts slurm --experts K --command 'xling ... {expert} {checkpoint}' --checkpoints DIR --out job.sh [--time 24:00:00] [--mem 32G] [--cpus 8]",
    options: {
      experts: { type: "string", integer: { min: 1 }, description: "number of experts (array tasks)" },
      command: { type: "string", description: "training command; {expert} and {checkpoint} are filled in" },
      checkpoints: { type: "string", description: "directory of the experts' checkpoints" },
      out: { type: "string", description: "script to write" },
      time: { type: "string", description: "Slurm time limit", defaultText: "24:00:00" },
      mem: { type: "string", description: "Slurm memory per task", defaultText: "32G" },
      cpus: { type: "string", integer: { min: 1 }, description: "Slurm CPUs per task", defaultText: "8" },
      name: { type: "string", description: "Slurm job name", defaultText: "xling-experts" },
    },
    async run({ values }) {
      const script = slurmArrayScript({
        jobName: (values.name as string | undefined) ?? "xling-experts",
        experts: Number(str(values.experts, "experts")),
        commandTemplate: str(values.command, "command"),
        checkpointRoot: str(values.checkpoints, "checkpoints"),
        time: (values.time as string | undefined) ?? "24:00:00",
        mem: (values.mem as string | undefined) ?? "32G",
        cpusPerTask: Number((values.cpus as string | undefined) ?? 8),
      });
      writeFileSync(str(values.out, "out"), script, { mode: 0o755 });
      process.stderr.write(`${values.out}: sbatch it to train the experts\n`);
    },
  },
};
