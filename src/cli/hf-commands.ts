// Commands that take xling's models to and from the Hugging Face layout, and the first
// two things anyone does with a language model: score text and sample from it.
import { resolve } from "node:path";
import type { Command } from "./main.js";
import { exportHf } from "../studies/export-hf.js";
import { importHf, listed, loadLanguageModel } from "../studies/language-model.js";
import { evaluateText } from "../studies/eval-text.js";
import { sampleTokens } from "../analysis/generate.js";
import { numberOr, required } from "../run/command-options.js";

const cacheOption = { type: "string", description: "token cache the run was prepared in (a run's tokenizer is read from it)", defaultText: "$XLING_CACHE or <experiment>/../.xling-cache" } as const;

export const hfCommands: Record<string, Command> = {
  export: {
    summary: "Export a finished run (or every finished run of an experiment) as a Hugging Face model directory: GPT2LMHeadModel or the encoder's class, tokenizer.json, model card",
    usage: "xling export <run-or-experiment-dir> --format hf --out <dir> [--cache <dir>]",
    options: {
      format: { type: "string", choices: ["hf"], description: "directory layout to write", defaultText: "hf" },
      out: { type: "string", description: "new directory to write (refused when it exists and is not empty)" },
      cache: cacheOption,
    },
    async run({ values, positionals }) {
      if (!positionals[0]) throw new Error("give the run or experiment directory: xling export <dir> --out <dir>");
      const written = await exportHf(resolve(positionals[0]), resolve(required(values.out, "out")), { cacheDir: values.cache as string | undefined });
      for (const dir of written) process.stdout.write(`${dir}\n`);
    },
  },

  import: {
    summary: "Import a Hugging Face model directory (GPT-2, BERT, XLM-R, DistilBERT) as an xling model directory for eval, sample and fine-tuning",
    usage: "xling import <hf-dir> --out <dir>",
    options: { out: { type: "string", description: "new directory to write (refused when it exists and is not empty)" } },
    async run({ values, positionals }) {
      if (!positionals[0]) throw new Error("give the Hugging Face model directory: xling import <dir> --out <dir>");
      const out = resolve(required(values.out, "out"));
      const r = importHf(resolve(positionals[0]), out);
      process.stdout.write(`${r.kind}, ${r.parameters} parameters -> ${out} (${listed(out)})\n`);
    },
  },

  eval: {
    summary: "Perplexity of a model (run, exported or imported directory) on a text file; per language for multilingual JSONL",
    usage: "xling eval <model-dir> --text <file> [--lang L] [--stride N] [--format table|json]",
    options: {
      text: { type: "string", description: "text file (a document per line) or JSONL with {text, lang} (.gz, .zst, .xz, .parquet read too)" },
      lang: { type: "string", description: "score only this language of a JSONL file (or name a plain text file's language)" },
      stride: { type: "string", integer: { min: 1 }, description: "sliding-window stride in tokens", defaultText: "a quarter of the context" },
      format: { type: "string", choices: ["table", "json"], description: "output format", defaultText: "table" },
      cache: cacheOption,
    },
    async run({ values, positionals }) {
      if (!positionals[0]) throw new Error("give the model directory: xling eval <dir> --text <file>");
      const lm = await loadLanguageModel(resolve(positionals[0]), { cacheDir: values.cache as string | undefined });
      try {
        const rows = await evaluateText(lm, required(values.text, "text"), { lang: values.lang as string | undefined, stride: values.stride ? Number(values.stride) : undefined });
        if (values.format === "json") {
          process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
          return;
        }
        process.stdout.write(`${"lang".padEnd(10)}${"documents".padStart(10)}${"tokens".padStart(10)}${"nll".padStart(10)}${"ppl".padStart(12)}\n`);
        for (const r of rows) process.stdout.write(`${r.lang.padEnd(10)}${String(r.documents).padStart(10)}${String(r.tokens).padStart(10)}${r.nll.toFixed(4).padStart(10)}${r.ppl.toFixed(3).padStart(12)}\n`);
      } finally {
        lm.model.dispose();
      }
    },
  },

  sample: {
    summary: "Sample a continuation of a prompt from a model (run, exported or imported directory)",
    usage: 'xling sample <model-dir> --prompt "..." [--max-tokens 50] [--temperature 1] [--top-k 0] [--top-p 1] [--seed 0]',
    options: {
      prompt: { type: "string", description: "text to continue" },
      "max-tokens": { type: "string", integer: { min: 1 }, description: "tokens to generate at most", defaultText: "50" },
      temperature: { type: "string", number: { min: 0 }, description: "softmax temperature; 0 is greedy", defaultText: "1" },
      "top-k": { type: "string", integer: { min: 0 }, description: "keep the k most likely tokens; 0 keeps all", defaultText: "0" },
      "top-p": { type: "string", number: { min: 0, max: 1 }, description: "nucleus: keep the most likely tokens up to this probability", defaultText: "1" },
      seed: { type: "string", integer: { min: 0 }, description: "random seed (the same seed gives the same sample)", defaultText: "0" },
      cache: cacheOption,
    },
    async run({ values, positionals }) {
      if (!positionals[0]) throw new Error('give the model directory: xling sample <dir> --prompt "..."');
      const prompt = required(values.prompt, "prompt");
      const lm = await loadLanguageModel(resolve(positionals[0]), { cacheDir: values.cache as string | undefined });
      try {
        const promptIds = lm.tokenizer.encode(prompt);
        const ids = sampleTokens(lm.model, promptIds, {
          maxTokens: numberOr(values["max-tokens"], 50), temperature: numberOr(values.temperature, 1), topK: numberOr(values["top-k"], 0),
          topP: numberOr(values["top-p"], 1), seed: numberOr(values.seed, 0), stopId: lm.eosId,
          // A clone-study model's vocabulary extends past the tokenizer's: only its ids are decodable.
          vocabLimit: lm.tokenizer.vocabSize,
        });
        // Decoded with the prompt, so a continuation inside a word joins it without a space.
        process.stdout.write(`${lm.tokenizer.decode(Int32Array.from([...promptIds, ...ids]))}\n`);
      } finally {
        lm.model.dispose();
      }
    },
  },
};
