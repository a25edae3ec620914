// npm run bench:cats [-- --interval 100 --steps 200]: the cost of CATS per training step,
// amortised over its update interval. The same model, batches and held-out batches are
// trained with the plain mean and with CATS in alternating rounds in one process; prints
// {"languages":N,"interval":k,"plain_step_s":...,"cats_step_s":...,"overhead":...,"update_s":...,"update_overhead":...}
// where overhead = cats_step_s / plain_step_s - 1 (end to end, noisy on a loaded machine),
// update_s is one CATS update alone and update_overhead = update_s / interval / plain_step_s
// (the update's cost spread over its interval, the less noisy figure).
import { parseArgs } from "node:util";
import { AdamW, manualSeed, randint, setNumThreads, tidy, type Tensor } from "../src/torch/index.js";
import { GPT } from "../src/nn/gpt.js";
import { sequenceLosses } from "../src/train/trainer.js";
import { makeBalancer, type BalanceMethod } from "../src/train/balance/balancers.js";
import { selectParameters } from "../src/train/balance/per-language-grads.js";

const { values } = parseArgs({ options: {
  interval: { type: "string", default: "100" }, steps: { type: "string", default: "200" }, rounds: { type: "string", default: "3" },
  threads: { type: "string", default: "1" }, languages: { type: "string", default: "3" }, held: { type: "string", default: "8" },
} });
const interval = Number(values.interval);
const steps = Number(values.steps);
const N = Number(values.languages);
setNumThreads(Number(values.threads));
manualSeed(0);
const config = { vocabSize: 4000, dModel: 64, layers: 2, heads: 4, seqLen: 64 };
const batches = Array.from({ length: 8 }, () => randint(0, config.vocabSize, [16, 65]));
const langs = Int32Array.from({ length: 16 }, (_, b) => b % N);
const held: Tensor[] = Array.from({ length: N }, () => randint(0, config.vocabSize, [Number(values.held), 65]));
// The default CATS (source "training", look-ahead objective) also takes per-language training sequences.
const trainHeld: Tensor[] = Array.from({ length: N }, () => randint(0, config.vocabSize, [Number(values.held), 65]));

function run(method: BalanceMethod): number {
  manualSeed(1);
  const model = new GPT(config);
  const optimizer = new AdamW(model.namedParameters(), { lr: 1e-3 });
  const balancer = makeBalancer({
    method, languages: N, seed: 0, subset: selectParameters(model.namedParameters()),
    cats: { updateInterval: interval }, heldOut: () => held.map((t) => sequenceLosses(model, t).mean()),
    training: () => trainHeld.map((t) => sequenceLosses(model, t).mean()),
  });
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    tidy(() => {
      optimizer.zeroGrad();
      balancer.backward({ seqLoss: sequenceLosses(model, batches[step % batches.length]), langs, step });
      optimizer.step();
    });
  }
  const seconds = (performance.now() - t0) / 1000 / steps;
  model.dispose();
  return seconds;
}

/** One CATS update alone: held-out forward passes and per-language gradients. */
function updateSeconds(): number {
  const model = new GPT(config);
  const subset = selectParameters(model.namedParameters());
  const balancer = makeBalancer({ method: "cats", languages: N, seed: 0, subset, cats: { updateInterval: 1 }, heldOut: () => held.map((t) => sequenceLosses(model, t).mean()),
    training: () => trainHeld.map((t) => sequenceLosses(model, t).mean()) });
  const plain = makeBalancer({ method: "none", languages: N, seed: 0, subset });
  const time = (b: typeof plain) => {
    const t0 = performance.now();
    tidy(() => b.backward({ seqLoss: sequenceLosses(model, batches[0]), langs, step: 1 }));
    return (performance.now() - t0) / 1000;
  };
  time(balancer);
  const d = time(balancer) - time(plain);
  model.dispose();
  return d;
}

run("none");
const plain: number[] = [];
const cats: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  plain.push(run("none"));
  cats.push(run("cats"));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p = median(plain);
const c = median(cats);
const update = updateSeconds();
console.log(JSON.stringify({
  languages: N, interval, plain_step_s: Number(p.toFixed(5)), cats_step_s: Number(c.toFixed(5)), overhead: Number((c / p - 1).toFixed(4)),
  update_s: Number(update.toFixed(4)), update_overhead: Number((update / interval / p).toFixed(4)),
}));
