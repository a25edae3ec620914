// npm run bench:peak [-- --n 1024] [--threads 1,2] [--reps 10]
// The machine's matrix-product rate through xling's addon (libtorch, oneDNN for bf16):
// one n x n x n matmul in float32 and in bfloat16, per thread count. bench:train's
// model_gflops_per_s is read against these figures. Prints one JSON line.
import { parseArgs } from "node:util";
import { manualSeed, randn, setNumThreads, tidy, type Tensor } from "../src/torch/index.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1024" },
    threads: { type: "string", default: "1,2" },
    reps: { type: "string", default: "10" },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
const threadCounts = values.threads!.split(",").map(Number);

/** Best-of-reps GFLOP/s of a @ b (2 n^3 FLOPs), after two warm-up products. */
function rate(a: Tensor, b: Tensor): number {
  for (let i = 0; i < 2; i++) tidy(() => a.matmul(b).sum().item());
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    tidy(() => { a.matmul(b); });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (2 * n ** 3) / best / 1e9;
}

manualSeed(0);
const out: Record<string, unknown> = { n };
tidy(() => {
  const a = randn([n, n]);
  const b = randn([n, n]);
  const a16 = a.toDtype("bfloat16");
  const b16 = b.toDtype("bfloat16");
  for (const t of threadCounts) {
    setNumThreads(t);
    out[`fp32_gflops_per_s_${t}t`] = Number(rate(a, b).toFixed(1));
    out[`bf16_gflops_per_s_${t}t`] = Number(rate(a16, b16).toFixed(1));
    console.error(`${t} thread(s): fp32 ${out[`fp32_gflops_per_s_${t}t`]} GFLOP/s, bf16 ${out[`bf16_gflops_per_s_${t}t`]} GFLOP/s`);
  }
});
console.log(JSON.stringify(out));
