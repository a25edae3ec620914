// npm run bench:ensemble [-- --experts 4]: time to score the same text with a k-expert
// posterior ensemble against k times one expert alone; prints
// {"experts":k,"ensemble_s":...,"single_s":...,"ratio":...} (target ratio <= 1.2).
import { parseArgs } from "node:util";
import { manualSeed, randint, setNumThreads, tidy } from "../src/torch/index.js";
import { GPT } from "../src/nn/gpt.js";
import { sequenceLosses } from "../src/train/trainer.js";
import { expertTargetLogProbs, posteriorEnsembleNll } from "../src/experts/lm-ensemble.js";

const { values } = parseArgs({ options: { experts: { type: "string", default: "4" }, threads: { type: "string", default: "2" }, rounds: { type: "string", default: "5" } } });
const k = Number(values.experts);
setNumThreads(Number(values.threads));
manualSeed(0);
const config = { vocabSize: 2048, dModel: 128, layers: 4, heads: 4, seqLen: 64 };
const experts = Array.from({ length: k }, () => new GPT(config).eval());
const text = randint(0, 2048, [32, 65]);

const time = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
};
const single = () => tidy(() => { sequenceLosses(experts[0], text).mean().item(); });
const ensemble = () => tidy(() => { posteriorEnsembleNll(expertTargetLogProbs(experts, text)).mean().item(); });
single();
ensemble();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const singles: number[] = [];
const ensembles: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  singles.push(time(single));
  ensembles.push(time(ensemble));
}
const s = median(singles);
const e = median(ensembles);
console.log(JSON.stringify({ experts: k, ensemble_s: Number(e.toFixed(4)), single_s: Number(s.toFixed(4)), ratio: Number((e / (k * s)).toFixed(3)) }));
