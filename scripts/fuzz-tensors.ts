// Fuzzes the tensor API: many random calls with random, often invalid, shapes, dtypes,
// indices and argument types. Every failure must be a JS exception; a crash of this
// process is the bug the fuzz test looks for. Prints {"calls":N,"errors":E,"ok":K}.
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
function randomShape(): number[] {
  const n = rng.int(5);
  return Array.from({ length: n }, () => (rng.float() < 0.05 ? -1 : rng.int(5)));
}

const pool: Tensor[] = [];
function randomTensor(): Tensor {
  if (pool.length > 0 && rng.float() < 0.7) return pick(pool);
  const shape = randomShape().map((d) => Math.max(0, d));
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => (rng.float() - 0.5) * 20);
  const t = tensor(data, { shape, dtype: pick(DTYPES) as never, requiresGrad: false });
  if (rng.float() < 0.2 && t.dtype.startsWith("float")) t.requiresGrad_(true);
  if (rng.float() < 0.02) t.dispose();
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
  return pick([NaN, Infinity, -Infinity, 2 ** 60, -0.5]);
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
    if (!(e instanceof Error)) throw new Error(`non-Error thrown: ${String(e)}`);
    errors++;
  }
}
console.log(JSON.stringify({ calls, errors, ok }));
