// Commands over the word-alignment and expert libraries.
import { writeFileSync } from "node:fs";
import type { Command } from "./main.js";
import { readParallelFiles, readParallelTsv } from "../data/readers/index.js";
import { alignBidirectional, trainBidirectional } from "../transfer/fast-align.js";
import { formatPharaoh, intersection, union, type Link } from "../transfer/symmetrize.js";
import { tokenizeWords, type TokenizedPair } from "../transfer/tokenize.js";
import { createPartitioner } from "../experts/partition.js";
import { loadLanguageFeatures } from "../experts/typology.js";
import { listUdhrTranslations } from "../data/corpora/udhr.js";
import { slurmArrayScript } from "../experts/slurm.js";
import { required as need } from "./options.js";
import { overlongMessage, splitOverlong } from "../transfer/align-limits.js";
import { expertCommands } from "./experts-commands.js";


export const moreCommands: Record<string, Command> = {
  align: {
    summary: "Word-align a parallel corpus (FastAlign-style IBM Model 2, both directions, symmetrised); Pharaoh output",
    usage: "xling align (--src a.txt --tgt b.txt | --tsv pairs.tsv) --out out.align [--sym grow-diag-final-and|intersection|union|forward|reverse] [--iterations 5]",
    options: {
      src: { type: "string", description: "source-language text, a sentence per line" },
      tgt: { type: "string", description: "target-language text, line-parallel to --src" },
      tsv: { type: "string", description: "tab-separated sentence pairs instead of --src/--tgt" },
      out: { type: "string", description: "Pharaoh alignment file to write" },
      sym: { type: "string", choices: ["grow-diag-final-and", "intersection", "union", "forward", "reverse"], description: "symmetrisation", defaultText: "grow-diag-final-and" },
      iterations: { type: "string", integer: { min: 1 }, description: "EM iterations", defaultText: "5" },
    },
    async run({ values }) {
      const all: (TokenizedPair & { line: number })[] = [];
      const file = typeof values.tsv === "string" ? values.tsv : need(values.src, "src");
      const source = typeof values.tsv === "string" ? readParallelTsv(values.tsv) : readParallelFiles(need(values.src, "src"), need(values.tgt, "tgt"));
      for await (const p of source) all.push({ src: tokenizeWords(p.src), tgt: tokenizeWords(p.tgt), line: p.line });
      // Overlong pairs are reported and get empty lines; the rest are aligned.
      const { kept, skipped } = splitOverlong(all);
      for (const s of skipped) process.stderr.write(`xling align: ${overlongMessage(file, s)}\n`);
      const pairs: TokenizedPair[] = kept.map((k) => all[k]!);
      const models = trainBidirectional(pairs, values.iterations ? { iterations: Number(values.iterations) } : {});
      const a = alignBidirectional(models, pairs);
      const sym = (values.sym as string | undefined) ?? "grow-diag-final-and";
      const pick: Record<string, (k: number) => Link[]> = {
        "grow-diag-final-and": (k) => a.symmetric[k]!,
        forward: (k) => a.forward[k]!,
        reverse: (k) => a.reverse[k]!,
        intersection: (k) => intersection(a.forward[k]!, a.reverse[k]!),
        union: (k) => union(a.forward[k]!, a.reverse[k]!),
      };
      if (!pick[sym]) throw new Error(`--sym must be one of ${Object.keys(pick).join(", ")}`);
      const lines = all.map(() => "");
      kept.forEach((k, i) => (lines[k] = formatPharaoh(pick[sym](i))));
      writeFileSync(need(values.out, "out"), lines.join("\n") + "\n");
      process.stderr.write(`${pairs.length} sentence pairs aligned (${sym})${skipped.length ? `, ${skipped.length} too long skipped` : ""} -> ${values.out}\n`);
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
      const k = Number(need(values.k, "k"));
      const langs = need(values.langs, "langs").split(",");
      const partitioner = values.geographic
        ? createPartitioner({ name: "geographic", places: (await listUdhrTranslations()).filter((t) => t.latitude !== undefined && t.longitude !== undefined).map((t) => ({ code: t.code, latitude: t.latitude!, longitude: t.longitude! })) })
        : createPartitioner({ name: "typological", features: await loadLanguageFeatures(need(values.features, "features")) });
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
        experts: Number(need(values.experts, "experts")),
        commandTemplate: need(values.command, "command"),
        checkpointRoot: need(values.checkpoints, "checkpoints"),
        time: (values.time as string | undefined) ?? "24:00:00",
        mem: (values.mem as string | undefined) ?? "32G",
        cpusPerTask: Number((values.cpus as string | undefined) ?? 8),
      });
      writeFileSync(need(values.out, "out"), script, { mode: 0o755 });
      process.stderr.write(`${values.out}: sbatch it to train the experts\n`);
    },
  },
  ...expertCommands,
};
