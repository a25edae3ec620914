// `xling translate`: a trained translation model (a translation-balance run directory)
// translates lines from a file or stdin into one target language.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "./main.js";
import { Translator } from "../experiment/translator.js";

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${String(value)}`);
  return n;
}

export const translateCommands: Record<string, Command> = {
  translate: {
    summary: "Translate lines with a trained translation model (a translation-balance run directory), greedy or beam search",
    usage: "xling translate <run-dir> --to <lang> [--beam N] [--length-penalty A] [--max-new N] [--in file --out file]  (default stdin/stdout)",
    options: {
      to: { type: "string" }, beam: { type: "string" }, "length-penalty": { type: "string" }, "max-new": { type: "string" },
      in: { type: "string" }, out: { type: "string" }, batch: { type: "string" },
    },
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the model: xling translate <run-dir> --to <lang>");
      const to = values.to as string | undefined;
      if (!to) throw new Error("give the target language: --to <lang>");
      const lengthPenalty = values["length-penalty"] === undefined ? 1 : Number(values["length-penalty"]);
      if (!(lengthPenalty >= 0)) throw new Error(`--length-penalty must be a number >= 0, got ${String(values["length-penalty"])}`);
      const input = values.in as string | undefined;
      const text = readFileSync(input ?? 0, "utf8");
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      const translator = Translator.load(dir);
      try {
        const out = translator.translate(lines, to, {
          beam: positiveInt(values.beam, "beam", 1), lengthPenalty, maxNewTokens: positiveInt(values["max-new"], "max-new", 128),
          batchSize: positiveInt(values.batch, "batch", 16),
        }, (i) => `${input ?? "stdin"}:${i + 1}`);
        const result = out.map((l) => `${l}\n`).join("");
        if (values.out) writeFileSync(values.out as string, result);
        else process.stdout.write(result);
      } finally {
        translator.dispose();
      }
    },
  },
};
