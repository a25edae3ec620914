// Runs of a study execute in child processes of the xling command.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.js";
import { parentEnv } from "../util/parent-watch.js";

/** The xling command's entry script. */
export function xlingBin(): string {
  return join(packageRoot(), "bin", "xling.js");
}

/** The xling child processes now running, to pass signals on to. */
const activeChildren = new Set<ChildProcess>();

/** Passes a signal to every running xling child (each run checkpoints and stops). */
export function signalChildren(sig: NodeJS.Signals): void {
  for (const c of activeChildren) if (c.exitCode === null && c.signalCode === null) c.kill(sig);
}

/**
 * Runs `xling <args>` in a child process (stderr passed through) and resolves when it
 * exits 0; otherwise rejects with `what`, the exit code or signal and stderr's last lines.
 */
export function runXlingChild(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [xlingBin(), ...args], {
      stdio: ["ignore", "inherit", "pipe"],
      // The child stops when this process is gone, even killed with SIGKILL (src/util/parent-watch.ts).
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1", ...parentEnv() },
    });
    activeChildren.add(child);
    child.on("exit", () => activeChildren.delete(child));
    let tail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      process.stderr.write(chunk);
      tail = (tail + chunk).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} ${signal ? `killed by ${signal}` : `exited with ${code}`}: ${tail.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}
