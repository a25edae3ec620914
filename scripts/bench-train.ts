// npm run bench:train [-- --size tiny|medium] [--threads N] [--rounds R] [--steps S]
// Trains the same GPT with xling and with the PyTorch reference, alternating rounds at
// the same size, batch and thread count; prints one JSON line with the median rates.
import { parseArgs } from "node:util";
import { AdamW, manualSeed, randint, setNumThreads, tidy } from "../src/torch/index.js";
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
    threads: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    steps: { type: "string" },
  },
});
const size = values.size as keyof typeof SIZES;
const s = SIZES[size];
if (!s) throw new Error(`unknown size '${values.size}' (tiny or medium)`);
const threads = Number(values.threads);
const steps = Number(values.steps ?? (size === "tiny" ? 20 : 6));
const rounds = Number(values.rounds);
const warmup = 3;

setNumThreads(threads);
manualSeed(0);
const model = new GPT({ vocabSize: s.vocab, dModel: s.d, layers: s.layers, heads: s.heads, seqLen: s.seq });
const opt = new AdamW(model.namedParameters(), { lr: 6e-4, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
const tokens = randint(0, s.vocab, [s.batch, s.seq + 1]);

function xlingRate(): number {
  for (let i = 0; i < warmup; i++) lmTrainStep(model, opt, tokens);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) lmTrainStep(model, opt, tokens);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9 / steps;
  return (s.batch * s.seq) / dt;
}

const ref = findReference();
if (!ref) throw new Error("bench:train needs Debian's python3-torch and shared/bench/torch_gpt_reference.py");
function torchRate(): number {
  const out = runReference(ref!, ["speed", "--vocab", String(s.vocab), "--d-model", String(s.d), "--layers", String(s.layers),
    "--heads", String(s.heads), "--seq", String(s.seq), "--batch", String(s.batch), "--steps", String(steps),
    "--warmup", String(warmup), "--threads", String(threads)]);
  return out.tokens_per_s as number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const xs: number[] = [];
const ts: number[] = [];
for (let r = 0; r < rounds; r++) {
  xs.push(tidy(xlingRate));
  ts.push(torchRate());
  console.error(`round ${r + 1}/${rounds}: xling ${xs[r].toFixed(0)} tok/s, torch ${ts[r].toFixed(0)} tok/s`);
}
const x = median(xs);
const t = median(ts);
console.log(JSON.stringify({ size, threads, xling_tokens_per_s: Math.round(x), torch_tokens_per_s: Math.round(t), ratio: Number((x / t).toFixed(3)) }));
