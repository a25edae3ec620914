// npm run parity: trains xling's GPT and the PyTorch reference from the same weights on
// the same batches and prints {"steps":20,"max_rel_diff":...}.
import { runParity } from "../src/train/parity.js";
import { setNumThreads } from "../src/torch/index.js";

setNumThreads(Number(process.env.XLING_THREADS ?? 1));
const r = runParity();
console.log(JSON.stringify({ steps: r.steps, max_rel_diff: r.max_rel_diff }));
