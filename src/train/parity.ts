// Parity with PyTorch: xling and the reference train the same GPT from the same initial
// weights on the same batches; their per-step losses must agree.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdamW, manualSeed, randint, saveSafetensors, loadSafetensors, tidy } from "../torch/index.js";
import { GPT, type GPTConfig } from "../nn/gpt.js";
import { findReference, runReference } from "./reference.js";
import { lmTrainStep } from "./step.js";
import { RUN_ADAMW } from "./trainer.js";

export interface ParityOptions {
  config: GPTConfig;
  batch: number;
  steps: number;
  lr: number;
  seed: number;
  /** fp32 (default), or bf16: xling under autocast against the reference under torch.autocast. */
  precision?: "fp32" | "bf16";
}

export interface ParityResult {
  steps: number;
  precision: "fp32" | "bf16";
  max_rel_diff: number;
  xling: number[];
  torch: number[];
}

export const PARITY_DEFAULTS: ParityOptions = {
  config: { vocabSize: 2048, dModel: 128, layers: 4, heads: 4, seqLen: 64 },
  batch: 16,
  steps: 20,
  lr: 6e-4,
  seed: 1234,
};

export function runParity(o: ParityOptions = PARITY_DEFAULTS): ParityResult {
  const ref = findReference();
  if (!ref) throw new Error("parity needs Debian's python3-torch (apt-get install python3-torch, or set XLING_PYTHON)");
  const precision = o.precision ?? "fp32";
  const dir = mkdtempSync(join(tmpdir(), "xling-parity-"));
  try {
    manualSeed(o.seed);
    const weightsPath = join(dir, "init.safetensors");
    const batchesPath = join(dir, "batches.safetensors");
    const model = new GPT(o.config);
    saveSafetensors(weightsPath, model.stateDict());
    tidy(() => saveSafetensors(batchesPath, { tokens: randint(0, o.config.vocabSize, [o.steps, o.batch, o.config.seqLen + 1]) }));

    // Train from what was written, exactly as the reference reads it.
    const { tensors: init } = loadSafetensors(weightsPath);
    model.loadStateDict(init);
    for (const t of init.values()) t.dispose();
    const { tensors } = loadSafetensors(batchesPath);
    const batches = tensors.get("tokens")!;
    const opt = new AdamW(model.namedParameters(), { lr: o.lr, ...RUN_ADAMW });
    const xling: number[] = [];
    for (let s = 0; s < o.steps; s++) xling.push(tidy(() => lmTrainStep(model, opt, batches.select(0, s), precision)));
    model.dispose();
    batches.dispose();

    const out = runReference(ref, ["parity", "--weights", weightsPath, "--batches", batchesPath, "--lr", String(o.lr), "--heads", String(o.config.heads), "--precision", precision]);
    const torch = out.losses as number[];
    const maxRel = Math.max(...xling.map((l, i) => Math.abs(l - torch[i]) / Math.abs(torch[i])));
    return { steps: o.steps, precision, max_rel_diff: maxRel, xling, torch };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
