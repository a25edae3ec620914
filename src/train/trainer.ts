// The language-model training loop: step budget, warm-up + cosine learning rate,
// gradient clipping, per-language training loss, periodic evaluation, checkpoints every
// N steps and on SIGINT/SIGTERM, and bit-exact resume from the last checkpoint.
import { AdamW, type Optimizer, type Precision, type Tensor, clipGradNorm, crossEntropy, tensor, tidy, warmupCosineLr, withPrecision, type WarmupCosine } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";
import type { Module } from "../nn/module.js";
import { ProgressBar } from "../util/progress.js";
import { hasCheckpoint, loadLatestCheckpoint, saveCheckpoint } from "./checkpoint.js";
import type { BatchSource } from "./clone-batches.js";
import type { LanguageBalancer } from "./balance/balancers.js";

/** The AdamW settings of every xling run (GPT-style betas, no weight decay); the PyTorch parity check uses them too. */
export const RUN_ADAMW: { betas: [number, number]; eps: number; weightDecay: number } = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 };

export interface StepRecord {
  step: number;
  lr: number;
  loss: number;
  /** Mean loss of the step's sequences per language (languages absent from the batch omitted). */
  langLoss: Record<string, number>;
  gradNorm: number | null;
  tokensPerSecond: number;
  /** Per-language loss scale the balancer used this step (absent without a balancer). */
  langWeight?: Record<string, number>;
}

export interface TrainerOptions {
  model: Module;
  /**
   * Each sequence's loss for a batch of tokens [B, T+1], a [B] tensor: what the step
   * minimises. Default: the GPT's next-token loss (sequenceLosses); a masked LM passes its own.
   */
  sequenceLoss?: (tokens: Tensor) => Tensor;
  batches: BatchSource;
  steps: number;
  schedule: WarmupCosine;
  adam: { betas: [number, number]; eps: number; weightDecay: number };
  clip: number | null;
  checkpointPath: string;
  checkpointEvery: number;
  evalEvery: number;
  /** Called after steps evalEvery, 2*evalEvery, ... and after the last step. */
  evaluate?: (step: number) => void;
  onStep?: (r: StepRecord) => void;
  /** Called before training with the step it starts from: the checkpoint's, or 0 (drop later records). */
  onResume?: (step: number) => void;
  progress?: boolean;
  /** Name shown on the progress bar. */
  label?: string;
  /** How the step's gradient is formed from per-language losses; default the plain mean. */
  balancer?: LanguageBalancer;
  /** Data parallelism (src/distributed): called after backward, before clipping, to average gradients over ranks. */
  afterBackward?: (params: Tensor[]) => void;
  /** Data parallelism: this rank's per-sequence losses and languages -> the global batch's, so records and token counts are global. */
  gatherBatch?: (perSequence: Float32Array, langs: Int32Array) => { perSequence: Float32Array; langs: Int32Array };
  /**
   * Precision of the forward pass and loss (default fp32): bf16 runs them under autocast;
   * weights, gradients, optimizer state and checkpoints stay float32 either way.
   */
  precision?: Precision;
  /** Whether this process writes checkpoints (default true; in a data-parallel job only rank 0 does). */
  writesCheckpoints?: boolean;
  /** Data parallelism: this rank's stop request -> whether any rank's, so all ranks stop after the same step. */
  agreeStop?: (requested: boolean) => boolean;
}

export interface TrainResult {
  steps: number;
  resumedFrom: number | null;
  interrupted: boolean;
  tokensSeen: Record<string, number>;
}

interface CheckpointExtra {
  batches: unknown;
  tokensSeen: Record<string, number>;
  balancer?: unknown;
}

export async function trainLanguageModel(o: TrainerOptions): Promise<TrainResult> {
  const { model, batches } = o;
  const optimizer: Optimizer = new AdamW(model.namedParameters(), { lr: o.schedule.maxLr, ...o.adam });
  const params = model.parameters();
  const lossOf = o.sequenceLoss ?? ((tokens: Tensor) => sequenceLosses(model as GPT, tokens));
  const tokensSeen: Record<string, number> = Object.fromEntries(batches.languages.map((l) => [l, 0]));
  let step = 0;
  let resumedFrom: number | null = null;
  if (hasCheckpoint(o.checkpointPath)) {
    const c = loadLatestCheckpoint(o.checkpointPath, model, optimizer, { maxStep: o.steps });
    const extra = c.extra as CheckpointExtra;
    batches.restore(extra.batches);
    Object.assign(tokensSeen, extra.tokensSeen);
    if (o.balancer) o.balancer.restore(extra.balancer);
    step = c.step;
    resumedFrom = step;
  }
  // Also without a checkpoint (step 0): records a run wrote before dying are dropped.
  o.onResume?.(step);
  const save = () => {
    if (o.writesCheckpoints !== false)
      saveCheckpoint(o.checkpointPath, model, optimizer, { step, extra: { batches: batches.state(), tokensSeen, balancer: o.balancer?.state() } satisfies CheckpointExtra });
  };

  // A signal asks for a checkpoint at the end of the current step, then a clean stop.
  let stopRequested = false;
  const onSignal = () => { stopRequested = true; };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const bar = new ProgressBar({ label: o.label ?? "train", total: o.steps, unit: "steps", enabled: o.progress ?? true });
  model.train();
  try {
    while (step < o.steps && !stopRequested) {
      // The loop is synchronous work; yielding once a step lets signal handlers run.
      await new Promise((r) => setImmediate(r));
      if (o.agreeStop) stopRequested = o.agreeStop(stopRequested);
      if (stopRequested) break;
      const t0 = performance.now();
      const batch = batches.next();
      const lr = warmupCosineLr(o.schedule, step);
      optimizer.lr = lr;
      const rows = batch.langs.length;
      const { perSequence, gradNorm, weights } = tidy(() => {
        optimizer.zeroGrad();
        const tokens = tensor(batch.tokens, { shape: [rows, batch.tokens.length / rows], dtype: "int64" });
        const seqLoss = withPrecision(o.precision ?? "fp32", () => lossOf(tokens));
        let used: number[] | null = null;
        // In a data-parallel job a balancer works on this rank's sequences; the result is then averaged.
        if (o.balancer) used = o.balancer.backward({ seqLoss, langs: batch.langs, step: step + 1 });
        else seqLoss.mean().backward();
        o.afterBackward?.(params);
        const norm = o.clip !== null ? clipGradNorm(params, o.clip) : null;
        optimizer.step();
        return { perSequence: seqLoss.detach().toArray() as Float32Array, gradNorm: norm, weights: used };
      });
      step += 1;
      const seqTokens = batch.tokens.length / rows - 1;
      const global = o.gatherBatch?.(perSequence, batch.langs) ?? { perSequence, langs: batch.langs };
      const globalRows = global.langs.length;
      const sums: Record<string, [number, number]> = {};
      let total = 0;
      for (let b = 0; b < globalRows; b++) {
        const lang = batches.languages[global.langs[b]];
        const s = (sums[lang] ??= [0, 0]);
        s[0] += global.perSequence[b];
        s[1] += 1;
        total += global.perSequence[b];
        tokensSeen[lang] += seqTokens;
      }
      const langLoss = Object.fromEntries(Object.entries(sums).map(([l, [sum, n]]) => [l, sum / n]));
      const seconds = (performance.now() - t0) / 1000;
      const record: StepRecord = { step, lr, loss: total / globalRows, langLoss, gradNorm, tokensPerSecond: (globalRows * seqTokens) / seconds };
      if (weights) record.langWeight = Object.fromEntries(batches.languages.map((l, k) => [l, weights[k]]));
      o.onStep?.(record);
      bar.update(step, `loss ${record.loss.toFixed(3)}`, `${Math.round(record.tokensPerSecond)} tok/s`);
      // The last step's evaluation comes before its checkpoint, like every other one, so a
      // run resumed from the final checkpoint has all its records and does not redo any.
      if (step % o.evalEvery === 0 || step === o.steps) o.evaluate?.(step);
      if (step % o.checkpointEvery === 0 || step === o.steps) save();
    }
    if (stopRequested && step < o.steps) save();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  bar.finish(stopRequested ? `stopped at step ${step} (checkpoint saved)` : "done");
  return { steps: step, resumedFrom, interrupted: stopRequested, tokensSeen };
}

/** Mean next-token cross-entropy of each sequence of tokens [B, T+1]: a [B] tensor. */
export function sequenceLosses(model: GPT, tokens: Tensor): Tensor {
  const [b, len] = tokens.shape;
  const t = len - 1;
  const { logits } = model.forward(tokens.narrow(1, 0, t));
  const nll = crossEntropy(logits.reshape([-1, model.config.vocabSize]), tokens.narrow(1, 1, t).reshape([-1]), null, "none");
  return nll.view([b, t]).mean([1]);
}

