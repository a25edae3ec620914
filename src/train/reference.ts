// Locating and running xling's PyTorch reference (scripts/reference/gpt_reference.py, in
// the package) with Debian's python3-torch, for parity tests and speed benchmarks.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.js";

export interface ReferenceEnv {
  python: string;
  script: string;
}

/**
 * XLING_TORCH_REFERENCE and XLING_PYTHON override the defaults: the package's own
 * scripts/reference/gpt_reference.py, and Debian's /usr/bin/python3 (which has torch).
 */
export function findReference(): ReferenceEnv | null {
  const script = process.env.XLING_TORCH_REFERENCE ?? join(packageRoot(), "scripts", "reference", "gpt_reference.py");
  const python = process.env.XLING_PYTHON ?? "/usr/bin/python3";
  if (!existsSync(script) || !existsSync(python)) return null;
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  return probe.status === 0 ? { python, script } : null;
}

/** Runs the reference with args; returns its last stdout line parsed as JSON. */
export function runReference(ref: ReferenceEnv, args: string[]): Record<string, unknown> {
  const r = spawnSync(ref.python, [ref.script, ...args], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`reference ${args[0]} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}
