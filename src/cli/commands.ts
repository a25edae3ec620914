// The subcommands. Each parses its options and calls the library.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "../run/command-options.js";
import { packageRoot } from "../util/package-root.js";
import { buildInfo, getNumThreads, cudaDeviceCount, cpuBf16Support, defaultPrecision } from "../torch/index.js";
import { loadAnyExperiment, studyCommands, sweepStudy } from "../studies/registry.js";
import { runExperiment, type RunnerSummary } from "../studies/runner.js";
import { listCorpora, openCorpus } from "../data/corpora/index.js";
import { DEBIAN_REFERENCE_LANGS, installDebianReference } from "../data/corpora/debian-reference.js";
import { SentencePieceTokenizer, trainTokenizer } from "../data/tokenizer.js";
import { countText } from "../data/manifest.js";
import { resultsCommand } from "../run/results-command.js";
import { alignCommands } from "./align-commands.js";
import { exitCodeOfRun, list, required as str } from "../run/command-options.js";
import { finishExperiment } from "../studies/finish.js";
import { acquireDirLock } from "../run/dir-lock.js";
import { corpusCommands } from "./corpus-commands.js";
import { hfCommands } from "./hf-commands.js";


async function runSpec(specPath: string, out: string | undefined, parallel: string | undefined): Promise<{ summary: RunnerSummary; expDir: string }> {
  const exp = loadAnyExperiment(specPath);
  const expDir = resolve(out ?? join("runs", exp.name));
  const summary = await runExperiment(exp, expDir, { parallel: parallel ? Number(parallel) : undefined });
  if (summary.interrupted) {
    process.stderr.write(`${exp.name}: interrupted; running runs saved checkpoints; run the same command again to resume\n`);
    return { summary, expDir };
  }
  process.stderr.write(`${exp.name}: ${summary.ran.length} run(s) trained, ${summary.skipped.length} already finished, ${summary.failed.length} failed\n`);
  for (const f of summary.failed) process.stderr.write(`  ${f.runId}: ${f.error}\n`);
  const report = finishExperiment(expDir);
  // The clone study's results have a known shape; other studies' result names vary, and a wrong --result lists them.
  const query = exp.study === "clone-imbalance" ? "--result ppl --lang clone1" : "--result <name> [--lang L] [--where field=value]";
  process.stdout.write(`report: ${report}\nresults: ${join(expDir, "results.sqlite")} (query with: xling results ${exp.name} ${query})\n`);
  return { summary, expDir };
}

export const commands: Record<string, Command> = {
  demo: {
    summary: "Run the demo imbalance study on the embedded corpus and write its report",
    usage: "xling demo [--out runs/demo] [--parallel N]",
    options: {
      out: { type: "string", description: "experiment directory", defaultText: "runs/demo" },
      parallel: { type: "string", integer: { min: 1 }, description: "runs trained at once (one process each)", defaultText: "the spec's parallel" },
    },
    async run({ values }) {
      const { summary } = await runSpec(join(packageRoot(), "examples", "demo.json"), values.out as string | undefined, values.parallel as string | undefined);
      return summary.failed.length ? 1 : 0;
    },
  },

  run: {
    summary: "Run an experiment spec (JSON): every run of its sweeps, resuming what was interrupted",
    usage: "xling run <spec.json> [--out runs/<name>] [--parallel N]",
    options: {
      out: { type: "string", description: "experiment directory", defaultText: "runs/<name>" },
      parallel: { type: "string", integer: { min: 1 }, description: "runs trained at once (one process each)", defaultText: "the spec's parallel" },
    },
    async run({ values, positionals }) {
      const spec = positionals[0];
      if (!spec) throw new Error("give the spec file: xling run <spec.json>");
      const { summary } = await runSpec(spec, values.out as string | undefined, values.parallel as string | undefined);
      return summary.interrupted ? 130 : summary.failed.length ? 1 : 0;
    },
  },

  _run: {
    summary: "(internal) train and evaluate one run directory",
    usage: "xling _run <run-dir> --study <study> --cache <dir>",
    options: { cache: { type: "string", description: "token cache directory" }, study: { type: "string", description: "the study the run belongs to", defaultText: "clone-imbalance" } },
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the run directory");
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as unknown;
      const driver = sweepStudy((values.study as string | undefined) ?? "clone-imbalance");
      // The writer owns the run directory (under `xling launch`, rank 0 only).
      const lock = (process.env.RANK ?? "0") === "0" ? acquireDirLock(dir) : null;
      try {
        return await exitCodeOfRun(() => driver.execute(config, dir, { cacheDir: str(values.cache, "cache"), label: dir.split("/").pop() }));
      } finally {
        lock?.release();
      }
    },
  },

  results: {
    summary: "Query an experiment's results store by config field, e.g. the clone's perplexity for every run with p = 0.1",
    usage: "xling results <experiment> --result ppl [--lang clone1] [--where data.ratio=0.1]... [--group-by data.ratio] [--format table|csv|json] [--store runs/<experiment>/results.sqlite]",
    ownArgs: true,
    async run({ raw }) {
      const experiment = raw.find((a, i) => !a.startsWith("--") && (i === 0 || !raw[i - 1].startsWith("--") || raw[i - 1].includes("=")));
      const store = experiment ? resolve("runs", experiment, "results.sqlite") : undefined;
      const out = resultsCommand(raw, { store });
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      return out.exitCode;
    },
  },

  report: {
    summary: "Analyse an experiment's finished runs, load them into its results store and write its HTML report",
    usage: "xling report <experiment-dir>",
    async run({ positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the experiment directory, e.g. runs/demo");
      const path = finishExperiment(resolve(dir));
      process.stdout.write(`${path}\n`);
    },
  },

  "corpus list": {
    summary: "List the embedded corpora",
    usage: "xling corpus list",
    async run() {
      for (const c of listCorpora()) process.stdout.write(`${c.name.padEnd(18)} ${c.description}\n`);
    },
  },

  "corpus stats": {
    summary: "Documents, lines, characters and whitespace tokens per language of an embedded corpus",
    usage: "xling corpus stats <bible|udhr|debian-reference> [--lang en,es]",
    options: { lang: { type: "string", description: "comma-separated languages", defaultText: "all" } },
    async run({ values, positionals }) {
      const name = positionals[0];
      if (!name) throw new Error("give a corpus name (xling corpus list)");
      const langs = list(values.lang);
      const stats = new Map<string, { documents: number; lines: number; characters: number; tokens: number }>();
      for await (const d of openCorpus(name, { langs }).documents()) {
        const s = stats.get(d.lang) ?? { documents: 0, lines: 0, characters: 0, tokens: 0 };
        const c = countText(d.text);
        s.documents += 1;
        s.lines += c.lines;
        s.characters += c.characters;
        s.tokens += c.tokens;
        stats.set(d.lang, s);
      }
      process.stdout.write(`${"lang".padEnd(10)}${"documents".padStart(12)}${"lines".padStart(12)}${"characters".padStart(14)}${"tokens".padStart(12)}\n`);
      for (const [lang, s] of [...stats].sort())
        process.stdout.write(`${lang.padEnd(10)}${String(s.documents).padStart(12)}${String(s.lines).padStart(12)}${String(s.characters).padStart(14)}${String(s.tokens).padStart(12)}\n`);
    },
  },

  "corpus build": {
    summary: "Write an embedded corpus as JSONL ({text, lang} per line), for any tool",
    usage: "xling corpus build <name> --out corpus.jsonl [--lang en,es]",
    options: { out: { type: "string", description: "JSONL file to write" }, lang: { type: "string", description: "comma-separated languages", defaultText: "all" } },
    async run({ values, positionals }) {
      const name = positionals[0];
      if (!name) throw new Error("give a corpus name (xling corpus list)");
      const langs = list(values.lang);
      const lines: string[] = [];
      for await (const d of openCorpus(name, { langs }).documents()) lines.push(JSON.stringify({ text: d.text, lang: d.lang, id: d.docId }));
      writeFileSync(str(values.out, "out"), lines.join("\n") + "\n");
      process.stderr.write(`${lines.length} documents written to ${values.out}\n`);
    },
  },

  "corpus debian-reference": {
    summary: "Install Debian's translated Debian Reference manuals and convert them to JSONL, one paragraph per line (GPL: built here, not shipped)",
    usage: `xling corpus debian-reference --out data-dir [--lang ${DEBIAN_REFERENCE_LANGS.join(",")}]`,
    options: { out: { type: "string", description: "directory for the JSONL files" }, lang: { type: "string", description: "comma-separated languages", defaultText: DEBIAN_REFERENCE_LANGS.join(",") } },
    async run({ values }) {
      const langs = list(values.lang) ?? [...DEBIAN_REFERENCE_LANGS];
      for (const m of await installDebianReference(langs, str(values.out, "out")))
        process.stdout.write(`${m.lang}: ${m.paragraphs} paragraphs -> ${m.path}\n`);
    },
  },

  "tokenizer train": {
    summary: "Train a SentencePiece tokenizer on an embedded corpus or a text file",
    usage: "xling tokenizer train (--corpus bible --lang en | --input file.txt) --vocab 2048 --out tok [--type unigram|bpe]",
    options: {
      corpus: { type: "string", description: "embedded corpus to train on (xling corpus list)" },
      lang: { type: "string", description: "comma-separated languages of the corpus", defaultText: "all" },
      input: { type: "string", description: "text file to train on instead, a sentence per line" },
      vocab: { type: "string", integer: { min: 1 }, description: "vocabulary size" },
      out: { type: "string", description: "output prefix: writes <out>.model and <out>.vocab" },
      type: { type: "string", choices: ["unigram", "bpe"], description: "SentencePiece model type", defaultText: "unigram" },
    },
    async run({ values }) {
      const prefix = str(values.out, "out");
      const vocabSize = Number(str(values.vocab, "vocab"));
      const modelType = (values.type as "unigram" | "bpe" | undefined) ?? "unigram";
      let tok: SentencePieceTokenizer;
      if (typeof values.input === "string") {
        tok = await SentencePieceTokenizer.train({ input: values.input, modelPrefix: prefix, vocabSize, modelType });
      } else {
        const corpus = openCorpus(str(values.corpus, "corpus"), { langs: list(values.lang) });
        async function* texts() { for await (const d of corpus.documents()) yield d.text; }
        tok = await trainTokenizer(texts(), { modelPrefix: prefix, vocabSize, modelType });
      }
      process.stderr.write(`${prefix}.model: vocabulary ${tok.vocabSize}\n`);
    },
  },

  "tokenizer encode": {
    summary: "Encode text (arguments or standard input, a line at a time) with a SentencePiece model",
    usage: "xling tokenizer encode --model tok.model [--pieces] [text ...]",
    options: { model: { type: "string", description: "SentencePiece .model file" }, pieces: { type: "boolean", description: "print pieces instead of ids" } },
    async run({ values, positionals }) {
      const tok = SentencePieceTokenizer.load(str(values.model, "model"));
      const lines = positionals.length ? positionals : readFileSync(0, "utf8").split("\n").filter((l) => l.length > 0);
      for (const line of lines)
        process.stdout.write((values.pieces ? tok.encodePieces(line).join(" ") : Array.from(tok.encode(line)).join(" ")) + "\n");
    },
  },

  info: {
    summary: "Show the libtorch build, threads and devices xling runs on",
    usage: "xling info",
    async run() {
      const b = buildInfo();
      process.stdout.write(`libtorch ${b.torchVersion}, CUDA ${b.cuda ? `yes (${cudaDeviceCount()} device(s))` : "no"}, intra-op threads ${getNumThreads()}\n`);
      process.stdout.write(`OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? "(unset)"}\n`);
      const cpu = cpuBf16Support();
      process.stdout.write(`CPU bf16: ${cpu.native ? `native (${cpu.flags.join(", ")})` : "no (neither avx512_bf16 nor amx_bf16)"}; default precision ${defaultPrecision()}\n`);
      if (existsSync(join(packageRoot(), "build", "Release", "xling.node"))) process.stdout.write(`addon: ${join(packageRoot(), "build", "Release", "xling.node")}\n`);
    },
  },
  ...alignCommands,
  ...studyCommands(),
  ...corpusCommands,
  ...hfCommands,
};
