// The numeric precision a model trains and evaluates in. "fp32" is plain float32;
// "bf16" and "fp16" are autocast (src/torch/autocast.ts) over float32 master weights.
// bf16 is the default where the CPU does bf16 arithmetic natively (avx512_bf16 or AMX),
// where oneDNN runs matrix products several times faster than in float32.
import { readFileSync } from "node:fs";
import { autocast } from "./autocast.js";
import { native } from "./native.js";

export const PRECISIONS = ["fp32", "bf16", "fp16"] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface CpuBf16Support {
  /** True when the CPU has bf16 instructions (avx512_bf16 or amx_bf16). */
  native: boolean;
  /** Which of those flags the CPU reports. */
  flags: string[];
}

const BF16_FLAGS = ["avx512_bf16", "amx_bf16"];

/** Reads the bf16 flags from /proc/cpuinfo text (the first "flags" line). */
export function bf16SupportFromCpuinfo(cpuinfo: string): CpuBf16Support {
  const line = cpuinfo.split("\n").find((l) => /^flags\s*:/.test(l));
  const have = new Set(line ? line.slice(line.indexOf(":") + 1).trim().split(/\s+/) : []);
  const flags = BF16_FLAGS.filter((f) => have.has(f));
  return { native: flags.length > 0, flags };
}

let detected: CpuBf16Support | null = null;
/** This machine's CPU, detected once (no /proc/cpuinfo, e.g. macOS: no native bf16). */
export function cpuBf16Support(): CpuBf16Support {
  if (!detected) {
    let text: string;
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      text = "";
    }
    detected = bf16SupportFromCpuinfo(text);
  }
  return detected;
}

function libtorchHasOneDnn(): boolean {
  return /USE_MKLDNN=(ON|1)/.test(String(native.build_info().config));
}

let fallbackLogged = false;

/** bf16 on a CPU that has it natively (and a libtorch with oneDNN), else fp32, logging why once. */
export function defaultPrecision(): Precision {
  const cpu = cpuBf16Support();
  if (cpu.native && libtorchHasOneDnn()) return "bf16";
  if (!fallbackLogged) {
    fallbackLogged = true;
    const why = cpu.native ? "the linked libtorch was built without oneDNN (USE_MKLDNN)" : "this CPU has neither avx512_bf16 nor amx_bf16";
    process.stderr.write(`xling: training in fp32: ${why}\n`);
  }
  return "fp32";
}

/**
 * The precision to use: the requested one if this machine can do it (else an error naming
 * what is missing), or the default when none is requested. `where` names the setting in
 * errors (e.g. the spec file); `device` is where the model computes (studies: the CPU).
 */
export function resolvePrecision(requested: Precision | undefined | null, where = "precision", device: "cpu" | "cuda" = "cpu"): Precision {
  if (requested === undefined || requested === null) return defaultPrecision();
  if (!(PRECISIONS as readonly string[]).includes(requested))
    throw new Error(`${where}: unknown precision '${requested}' (fp32, bf16 or fp16)`);
  if (requested === "fp16") {
    // CPU autocast here has no fp16; on the CPU an fp16 setting would silently train in fp32.
    if (!native.build_info().cuda) throw new Error(`${where}: fp16 needs CUDA, and the linked libtorch is built without it (use bf16 or fp32)`);
    if (device !== "cuda") throw new Error(`${where}: fp16 needs CUDA, and this model computes on the CPU (use bf16 or fp32)`);
  }
  if (requested === "bf16") {
    const cpu = cpuBf16Support();
    if (!cpu.native) throw new Error(`${where}: bf16 needs a CPU with avx512_bf16 or amx_bf16, and this CPU has neither (use fp32)`);
    if (!libtorchHasOneDnn()) throw new Error(`${where}: bf16 needs a libtorch built with oneDNN (USE_MKLDNN), and the linked one is not (use fp32)`);
  }
  return requested;
}

/** Runs fn in the precision: plain for fp32, under CPU bf16 autocast for bf16. */
export function withPrecision<T>(precision: Precision, fn: () => T): T {
  if (precision === "fp32") return fn();
  if (precision === "bf16") return autocast({ device: "cpu", dtype: "bfloat16" }, fn);
  return autocast({ device: "cuda", dtype: "float16" }, fn);
}
