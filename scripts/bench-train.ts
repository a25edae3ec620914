// npm run bench:train [-- --size tiny|medium] [--precision fp32|bf16] [--threads N] [--rounds R] [--steps S]
// Trains the same GPT with xling and with the project's PyTorch reference
// (scripts/reference/gpt_reference.py), alternating rounds at the same size, batch, thread
// count and precision (bf16: xling's autocast scope against torch.autocast); with bf16,
// each round also times xling in fp32. Prints one JSON line with the median rates and the
// model FLOP rate xling reaches (compare with npm run bench:peak).
import { parseArgs } from "node:util";
import { AdamW, manualSeed, randint, resolvePrecision, setNumThreads, tidy, type Precision } from "../src/torch/index.js";
import { GPT } from "../src/nn/gpt.js";
import { lmTrainStep } from "../src/train/step.js";
import { findReference, runReference } from "../src/train/reference.js";

const SIZES = {
  tiny: { vocab: 2048, d: 128, layers: 4, heads: 4, seq: 64, batch: 16 },
  medium: { vocab: 16384, d: 256, layers: 4, heads: 8, seq: 128, batch: 16 },
} as const;

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "tiny" },
    precision: { type: "string", default: "fp32" },
    threads: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    steps: { type: "string" },
  },
});
const size = values.size as keyof typeof SIZES;
const s = SIZES[size];
if (!s) throw new Error(`unknown size '${values.size}' (tiny or medium)`);
if (values.precision !== "fp32" && values.precision !== "bf16") throw new Error(`--precision: fp32 or bf16, got '${values.precision}'`);
const precision = resolvePrecision(values.precision as Precision, "--precision");
const threads = Number(values.threads);
const steps = Number(values.steps ?? (size === "tiny" ? 20 : 6));
const rounds = Number(values.rounds);
const warmup = 3;

/**
 * Multiply-add FLOPs of one training step per token: 6 per weight of every matrix product
 * (forward 2, backward 4: the linear layers and the output head), plus attention's two
 * [T, T] products per layer (scores and weighted values, computed over the full square as
 * the model does), also 3x for backward.
 */
function flopsPerToken(): number {
  const matrixWeights = s.layers * 12 * s.d * s.d + s.vocab * s.d;
  const attention = s.layers * 2 * 2 * s.seq * s.d;
  return 6 * matrixWeights + 3 * attention;
}

setNumThreads(threads);
manualSeed(0);
const model = new GPT({ vocabSize: s.vocab, dModel: s.d, layers: s.layers, heads: s.heads, seqLen: s.seq });
const opt = new AdamW(model.namedParameters(), { lr: 6e-4, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
const tokens = randint(0, s.vocab, [s.batch, s.seq + 1]);

function xlingRate(p: Precision): number {
  for (let i = 0; i < warmup; i++) lmTrainStep(model, opt, tokens, p);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) lmTrainStep(model, opt, tokens, p);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9 / steps;
  return (s.batch * s.seq) / dt;
}

const ref = findReference();
if (!ref) throw new Error("bench:train needs Debian's python3-torch (apt-get install python3-torch, or set XLING_PYTHON)");
function torchRate(): number {
  const out = runReference(ref!, ["speed", "--vocab", String(s.vocab), "--d-model", String(s.d), "--layers", String(s.layers),
    "--heads", String(s.heads), "--seq", String(s.seq), "--batch", String(s.batch), "--steps", String(steps),
    "--warmup", String(warmup), "--threads", String(threads), "--precision", precision]);
  return out.tokens_per_s as number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const xs: number[] = [];
const ts: number[] = [];
const fp32s: number[] = [];
for (let r = 0; r < rounds; r++) {
  xs.push(tidy(() => xlingRate(precision)));
  ts.push(torchRate());
  if (precision !== "fp32") fp32s.push(tidy(() => xlingRate("fp32")));
  console.error(`round ${r + 1}/${rounds}: xling ${precision} ${xs[r].toFixed(0)} tok/s, torch ${precision} ${ts[r].toFixed(0)} tok/s` +
    (precision !== "fp32" ? `, xling fp32 ${fp32s[r].toFixed(0)} tok/s` : ""));
}
const x = median(xs);
const t = median(ts);
const result: Record<string, unknown> = { size, precision, threads, xling_tokens_per_s: Math.round(x), torch_tokens_per_s: Math.round(t), ratio: Number((x / t).toFixed(3)) };
if (precision !== "fp32") {
  const f = median(fp32s);
  result.xling_fp32_tokens_per_s = Math.round(f);
  result.speedup_vs_fp32 = Number((x / f).toFixed(3));
}
result.model_gflops_per_s = Number(((flopsPerToken() * x) / 1e9).toFixed(1));
console.log(JSON.stringify(result));
