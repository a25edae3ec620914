// Fuzzes the tensor API: many random calls with random, often invalid, shapes, dtypes,
// indices and argument types. Every failure must be a JS exception; a crash of this
// process is the bug the fuzz test looks for. Prints {"calls":N,"errors":E,"ok":K,"edgeTensors":T}.
// Tensors are filled with ordinary values or with edge values (integer extremes, +-Infinity,
// NaN); shapes include empty and impossibly large ones; some pooled tensors are disposed.
import { parseArgs } from "node:util";
import { Rng } from "../src/util/rng.js";
import { native } from "../src/torch/native.js";
import { type Tensor, tensor, tidy, manualSeed } from "../src/torch/index.js";
import { TensorOps } from "../src/torch/generated/ops.js";
import * as torch from "../src/torch/index.js";

const { values } = parseArgs({ options: { calls: { type: "string", default: "10000" }, seed: { type: "string", default: "1" } } });
const calls = Number(values.calls);
const rng = new Rng(Number(values.seed));
manualSeed(Number(values.seed));

const DTYPES = ["float32", "float64", "int64", "int32", "bool", "uint8", "bfloat16", "float16", "int8"];
// Process-wide settings are left alone: they are not tensor calls. Nor are process
// groups, which open network connections and wait for peers.
const SKIP = new Set(["set_num_threads", "manual_seed", "rng_set_state", "set_grad_enabled", "build_info", "TensorHandle", "ProcessGroup"]);
const methodNames = Object.getOwnPropertyNames(TensorOps.prototype).filter((n) => n !== "constructor");
const nativeNames = Object.keys(native).filter((n) => !SKIP.has(n) && typeof native[n] === "function");

const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
const smallInt = () => rng.int(16) - 5;
// Shapes whose allocation must fail cleanly on any machine (at least 2^40 elements, or
// a size that overflows int64): never sizes a machine could actually fill.
const HUGE_SHAPES = [[2 ** 20, 2 ** 20], [2 ** 40], [2 ** 31, 2 ** 31, 2 ** 31], [1, 2 ** 45], [0, 2 ** 50]];
function randomShape(): number[] {
  if (rng.float() < 0.03) return [...pick(HUGE_SHAPES)];
  const n = rng.int(5);
  return Array.from({ length: n }, () => (rng.float() < 0.05 ? -1 : rng.int(5)));
}

// Edge values for tensor contents: the integer extremes (whose division by -1 traps in
// C++), the non-finite floats (undefined when converted to integers), -1, 0.
const INT64_EDGES = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n];
const INT32_EDGES = [-(2 ** 31), 2 ** 31 - 1, -1, 0, 1];
const FLOAT_EDGES = [Infinity, -Infinity, NaN, -1, 0, 1e30, -1e30, 2 ** 63];
let edgeTensors = 0;

function edgeTensor(shape: number[], dtype: string): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  edgeTensors++;
  if (dtype === "int64") return tensor(BigInt64Array.from({ length: n }, () => pick(INT64_EDGES)), { shape });
  if (dtype === "int32") return tensor(Int32Array.from({ length: n }, () => pick(INT32_EDGES)), { shape });
  return tensor(Float64Array.from({ length: n }, () => pick(FLOAT_EDGES)), { shape, dtype: dtype.startsWith("float") || dtype === "bfloat16" ? dtype as never : "float64" });
}

const pool: Tensor[] = [];
function randomTensor(): Tensor {
  if (pool.length > 0 && rng.float() < 0.7) return pick(pool);
  let shape = randomShape().map((d) => Math.max(0, d));
  if (shape.reduce((a, b) => a * b, 1) > 4096) shape = [0, ...shape.slice(1)];
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = pick(DTYPES);
  let t: Tensor;
  if (rng.float() < 0.3) t = edgeTensor(shape, dtype);
  else {
    // Values that every dtype can hold (negative floats have no uint8 value).
    const data = Float64Array.from({ length: n }, () => (rng.float() - (dtype === "uint8" ? 0 : 0.5)) * 20);
    t = tensor(data, { shape, dtype: dtype as never, requiresGrad: false });
  }
  if (rng.float() < 0.2 && t.dtype.startsWith("float")) t.requiresGrad_(true);
  // Disposed tensors stay in the pool: every use of one must raise.
  if (rng.float() < 0.05) t.dispose();
  torch.keep(t);
  pool.push(t);
  if (pool.length > 40) pool.shift()!.dispose();
  return t;
}

function randomArg(): unknown {
  const r = rng.float();
  if (r < 0.35) return randomTensor();
  if (r < 0.55) return smallInt();
  if (r < 0.65) return randomShape();
  if (r < 0.72) return rng.float() * 4 - 2;
  if (r < 0.78) return rng.float() < 0.5;
  if (r < 0.84) return pick(DTYPES);
  if (r < 0.87) return pick(["mean", "sum", "none", "cpu", "tanh", "bogus"]);
  if (r < 0.9) return [randomTensor(), randomTensor()];
  if (r < 0.93) return null;
  if (r < 0.95) return undefined;
  if (r < 0.97) return { not: "a tensor" };
  // Integers whose ranges would fit in memory (arange(-(2 ** 31), 0) is 16 GB) are left
  // out: the fuzz looks for crashes, not for how much a machine can allocate.
  return pick([NaN, Infinity, -Infinity, 2 ** 60, -0.5, -1, -1, 0, -(2 ** 63), 2 ** 63, 2 ** 53]);
}

let errors = 0;
let ok = 0;
for (let i = 0; i < calls; i++) {
  const nargs = rng.int(6);
  const args = Array.from({ length: nargs }, randomArg);
  try {
    tidy(() => {
      if (rng.float() < 0.5) {
        const name = pick(methodNames);
        if (process.env.XLING_FUZZ_TRACE) process.stderr.write(`method ${name}\n`);
        const self = randomTensor();
        (self as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
      } else {
        const name = pick(nativeNames);
        if (process.env.XLING_FUZZ_TRACE) process.stderr.write(`native ${name}\n`);
        const raw = args.map((a) => (a instanceof TensorOps ? (a as Tensor).handle : Array.isArray(a) ? a.map((x) => (x instanceof TensorOps ? (x as Tensor).handle : x)) : a));
        const out = native[name](...raw);
        // Asynchronous calls (tokenizer training) must reject, not crash.
        if (out instanceof Promise) out.catch(() => undefined);
        // Results the addon hands back are disposed right away.
        if (out && typeof out.dispose === "function") out.dispose();
        if (Array.isArray(out)) for (const o of out) if (o && typeof o.dispose === "function") o.dispose();
      }
    });
    ok++;
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`non-Error thrown: ${String(e)}`, { cause: e });
    errors++;
  }
}
console.log(JSON.stringify({ calls, errors, ok, edgeTensors }));
