// Commands of the cross-lingual transfer study and the Hugging Face encoder layout.
import { join, resolve } from "node:path";
import type { Command } from "../../run/command-options.js";
import { loadTransferSpec } from "./spec.js";
import { ingestTransferStudy, runTransferStudy } from "./run.js";
import { transferStudyReport } from "./report.js";
import { writeReport } from "../../report/write.js";
import { defaultCacheDir } from "../../run/run-dir.js";
import { readConfigJson, loadHuggingFace } from "../../nn/huggingface.js";
import { loadGpt2 } from "../../nn/huggingface-gpt2.js";

export const transferCommands: Record<string, Command> = {
  transfer: {
    summary: "Run a cross-lingual transfer study: pretrain an encoder, fine-tune from source languages, zero-shot evaluation, realignment, alignment metrics, source selection, report",
    usage: "xling transfer <spec.json> [--out runs/<name>]\n" +
      "  Data-parallel pretraining: xling launch --nproc N -- transfer <spec.json> --out <dir> (pretrain.batchSize is the global batch; rank 0 runs the later stages).",
    options: { out: { type: "string", description: "study directory", defaultText: "runs/<name>" } },
    async run({ values, positionals }) {
      const spec = positionals[0];
      if (!spec) throw new Error("give the spec file: xling transfer <spec.json>");
      const cfg = loadTransferSpec(spec);
      const dir = resolve((values.out as string | undefined) ?? join("runs", cfg.name));
      const cacheDir = defaultCacheDir(dir);
      const results = await runTransferStudy(cfg, dir, { cacheDir, log: (m) => process.stderr.write(`${cfg.name}: ${m}\n`) });
      // Under `xling launch`, ranks other than 0 only pretrain.
      if (!results) return;
      ingestTransferStudy(join(dir, "results.sqlite"), cfg, results);
      const report = writeReport(join(dir, "report.html"), transferStudyReport(cfg, results));
      process.stdout.write(`report: ${report}\nresults: ${join(dir, "results.sqlite")} (query with: xling results ${cfg.name} --result accuracy --group-by sources)\n`);
    },
  },

  "encoder inspect": {
    summary: "Load a Hugging Face model directory (BERT, XLM-R, DistilBERT, GPT-2; config.json + model.safetensors) and describe it",
    usage: "xling encoder inspect <dir>",
    async run({ positionals }) {
      if (!positionals[0]) throw new Error("give the model directory: xling encoder inspect <dir>");
      if (readHfModelType(positionals[0]) === "gpt2") {
        const { model, unused } = loadGpt2(positionals[0]);
        const c = model.config;
        process.stdout.write(`gpt2: ${c.layers} layers, width ${c.dModel}, ${c.heads} heads, vocabulary ${c.vocabSize}, ${c.seqLen} positions, ${model.numParameters()} parameters (output embedding a copy of the input's)\n`
          + (unused.length ? `in the checkpoint but unused: ${unused.join(", ")}\n` : ""));
        model.dispose();
        return;
      }
      const loaded = loadHuggingFace(positionals[0]);
      const c = loaded.model.config;
      process.stdout.write(`${loaded.family}: ${c.layers} layers, hidden ${c.hidden}, ${c.heads} heads, vocabulary ${c.vocabSize}, ${c.maxPositions} positions, ${loaded.model.numParameters()} parameters\n`
        + `tokenizer: ${loaded.tokenizerPath ?? loaded.tokenizerJsonPath ?? "none (neither a SentencePiece model nor tokenizer.json)"}\n`
        + (loaded.missing.length ? `not in the checkpoint (left at initialisation): ${loaded.missing.join(", ")}\n` : "")
        + (loaded.unused.length ? `in the checkpoint but unused: ${loaded.unused.join(", ")}\n` : ""));
      loaded.model.dispose();
    },
  },
};

/** model_type of a directory's config.json (errors are left to the loaders, which name the file). */
function readHfModelType(dir: string): unknown {
  try {
    return readConfigJson(dir).raw.model_type;
  } catch {
    return undefined;
  }
}
