// npm run bench:memory [-- --steps 5000]: trains the tiny GPT for many steps and prints
// resident memory at step 500 and at the end. Temporaries are freed by tidy scopes each
// step, so the growth between the two should stay small (target < 50 MB).
import { parseArgs } from "node:util";
import { AdamW, manualSeed, randint, setNumThreads, tidy } from "../src/torch/index.js";
import { GPT } from "../src/nn/gpt.js";
import { lmTrainStep } from "../src/train/step.js";

const { values } = parseArgs({ options: { steps: { type: "string", default: "5000" }, threads: { type: "string", default: "2" } } });
const steps = Number(values.steps);
setNumThreads(Number(values.threads));
manualSeed(0);
// tiny: vocab 2048, d 128, 4 layers, 4 heads, seq 64, batch 16
const model = new GPT({ vocabSize: 2048, dModel: 128, layers: 4, heads: 4, seqLen: 64 });
const opt = new AdamW(model.namedParameters(), { lr: 6e-4, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
let at500 = NaN;
const t0 = Date.now();
for (let s = 1; s <= steps; s++) {
  // Fresh batches each step, as in training, so allocation patterns are realistic. Like
  // the trainer, the loop yields to the event loop every step: Node runs the finalizers
  // of collected tensor handles there, and a loop that never yields defers them all.
  tidy(() => lmTrainStep(model, opt, randint(0, 2048, [16, 65])));
  await new Promise((r) => setImmediate(r));
  if (s === Math.min(500, steps)) at500 = rssMb();
  if (s % 500 === 0) process.stderr.write(`step ${s}: rss ${rssMb().toFixed(1)} MB (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
const end = rssMb();
console.log(JSON.stringify({ steps, rss_mb_step_500: Number(at500.toFixed(1)), [`rss_mb_step_${steps}`]: Number(end.toFixed(1)), growth_mb: Number((end - at500).toFixed(1)) }));
