// `xling translate`: a trained translation model (a translation-balance run directory)
// translates lines from a file or stdin into one target language.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "../../run/command-options.js";
import { Translator } from "./translator.js";
import { numberOr } from "../../run/command-options.js";

export const translateCommands: Record<string, Command> = {
  translate: {
    summary: "Translate lines with a trained translation model (a translation-balance run directory), greedy or beam search",
    usage: "xling translate <run-dir> --to <lang> [--beam N] [--length-penalty A] [--max-new N] [--in file --out file]  (default stdin/stdout)",
    options: {
      to: { type: "string", description: "target language tag (a language the model was trained to translate into)" },
      beam: { type: "string", integer: { min: 1 }, description: "beam width; 1 is greedy decoding", defaultText: "1" },
      "length-penalty": { type: "string", number: { min: 0 }, description: "length normalisation exponent for beam scores", defaultText: "1" },
      "max-new": { type: "string", integer: { min: 1 }, description: "most tokens generated per line", defaultText: "128" },
      in: { type: "string", description: "input file, one source sentence a line", defaultText: "stdin" },
      out: { type: "string", description: "output file", defaultText: "stdout" },
      batch: { type: "string", integer: { min: 1 }, description: "lines decoded together", defaultText: "16" },
    },
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new Error("give the model: xling translate <run-dir> --to <lang>");
      const to = values.to as string | undefined;
      if (!to) throw new Error("give the target language: --to <lang>");
      const lengthPenalty = numberOr(values["length-penalty"], 1);
      const input = values.in as string | undefined;
      const text = readFileSync(input ?? 0, "utf8");
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      const translator = Translator.load(dir);
      try {
        const out = translator.translate(lines, to, {
          beam: numberOr(values.beam, 1), lengthPenalty, maxNewTokens: numberOr(values["max-new"], 128),
          batchSize: numberOr(values.batch, 16),
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
