// npm run parity [-- --precision fp32|bf16]: trains xling's GPT and the PyTorch reference
// (scripts/reference/gpt_reference.py) from the same weights on the same batches and
// prints {"steps":20,"precision":...,"max_rel_diff":...}. bf16 runs both under autocast.
import { parseArgs } from "node:util";
import { PARITY_DEFAULTS, runParity } from "../src/train/parity.js";
import { setNumThreads } from "../src/torch/index.js";

const { values } = parseArgs({ options: { precision: { type: "string", default: "fp32" } } });
if (values.precision !== "fp32" && values.precision !== "bf16") throw new Error(`--precision: fp32 or bf16, got '${values.precision}'`);
setNumThreads(Number(process.env.XLING_THREADS ?? 1));
const r = runParity({ ...PARITY_DEFAULTS, precision: values.precision });
console.log(JSON.stringify({ steps: r.steps, precision: r.precision, max_rel_diff: r.max_rel_diff }));
