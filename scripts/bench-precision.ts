// npm run bench:precision [-- --steps 500] [--threads 2]
// Does bf16 autocast train as well as fp32? Trains the demo's model (examples/demo.json)
// monolingually on the embedded King James Bible twice, fp32 then bf16, from the same
// seed (so the same initial weights and the same batches), and compares the held-out
// loss (mean next-token NLL on the test split). Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../src/util/package-root.js";
import { parseExperiment } from "../src/studies/clone-imbalance/spec.js";
import { executeCloneRun } from "../src/studies/clone-imbalance/run.js";

const { values } = parseArgs({ options: { steps: { type: "string", default: "500" }, threads: { type: "string", default: "2" } } });
const steps = Number(values.steps);
const demo = JSON.parse(readFileSync(join(packageRoot(), "examples", "demo.json"), "utf8")) as { base: Record<string, Record<string, unknown>> };
const dir = mkdtempSync(join(tmpdir(), "xling-bench-precision-"));

function validLoss(precision: "fp32" | "bf16"): Promise<{ nll: number; seconds: number }> {
  const base = {
    ...demo.base,
    train: { ...demo.base.train, steps, threads: Number(values.threads), checkpointEvery: steps, precision },
    data: { ratio: 0 },
    eval: { ...demo.base.eval, every: steps },
  };
  const [cfg] = parseExperiment({ name: `precision-${precision}`, base }, "bench:precision").runs;
  return executeCloneRun(cfg, join(dir, precision), { cacheDir: join(dir, "cache"), progress: false }).then((r) => {
    const row = r.results.find((x) => x.name === "nll" && x.lang === r.languages[0]);
    if (!row) throw new Error("bench:precision: the run reported no held-out nll");
    return { nll: row.value, seconds: r.seconds };
  });
}

try {
  const fp32 = await validLoss("fp32");
  // The first run's time includes preparing the corpus and tokenizer, which the second reuses.
  console.error(`fp32: held-out loss ${fp32.nll.toFixed(4)} in ${fp32.seconds.toFixed(0)} s (with corpus preparation)`);
  const bf16 = await validLoss("bf16");
  console.error(`bf16: held-out loss ${bf16.nll.toFixed(4)} in ${bf16.seconds.toFixed(0)} s`);
  console.log(JSON.stringify({
    steps, fp32_valid_loss: Number(fp32.nll.toFixed(5)), bf16_valid_loss: Number(bf16.nll.toFixed(5)),
    rel_diff: Number((Math.abs(bf16.nll - fp32.nll) / fp32.nll).toFixed(5)),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
