// Commands over the word-alignment library.
import { writeFileSync } from "node:fs";
import type { Command } from "../run/command-options.js";
import { readParallelFiles, readParallelTsv } from "../data/readers/index.js";
import { alignBidirectional, trainBidirectional } from "../transfer/fast-align.js";
import { formatPharaoh, intersection, union, type Link } from "../transfer/symmetrize.js";
import { tokenizeWords, type TokenizedPair } from "../transfer/tokenize.js";
import { required as need } from "../run/command-options.js";
import { overlongMessage, splitOverlong } from "../transfer/align-limits.js";


export const alignCommands: Record<string, Command> = {
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
};
