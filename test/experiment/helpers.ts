// Shared fixtures for the results-store tests: temp stores and child processes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import type { TestContext } from "node:test";

/** A fresh temp directory, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "xling-store-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an ES-module snippet in a separate node process. `onLine` sees each stdout line
 * as it arrives, so a test can act while the child is still running.
 */
export function runNode(code: string, args: string[] = [], onLine?: (line: string) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code, "--", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        onLine?.(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** URL of a compiled module under dist/src, from a test compiled to dist/test/experiment. */
export function distModule(path: string): string {
  return new URL(`../../src/${path}`, import.meta.url).href;
}
