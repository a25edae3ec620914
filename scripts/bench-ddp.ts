// npm run bench:ddp [-- --rounds R] [--steps S]
// Data-parallel throughput: 2 ranks x 1 thread (per-rank batch B, global 2B) against
// 1 rank x 1 thread (batch B) on the same GPT, alternating rounds; each measurement is
// a fresh process. Prints the communication cost per step (gradient allreduce inside the
// step, which includes waiting for the slower rank, and the same allreduce timed alone
// after a barrier; the stop agreement and loss all-gather of every trainer step) on
// stderr, and as its last line one JSON line:
//   {"world_size":2,"tokens_per_s":...,"single_tokens_per_s":...,"scaling":...}
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AdamW, manualSeed, randint, setNumThreads, tidy } from "../src/torch/index.js";
import { GPT } from "../src/nn/gpt.js";
import { DataParallel } from "../src/distributed/data-parallel.js";
import { sequenceLosses } from "../src/train/trainer.js";
import { freePort } from "../src/distributed/launcher.js";

/** bench:train's tiny GPT: 4 layers, d 128, vocabulary 2048, 64-token sequences, batch 16 per rank. */
const S = { vocab: 2048, d: 128, layers: 4, heads: 4, seq: 64, batch: 16 };
const WORLD = 2;
const WARMUP = 3;

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, steps: { type: "string", default: "20" }, worker: { type: "boolean" } } });
const steps = Number(values.steps);

interface WorkerResult {
  tokens_per_s: number;
  step_ms: number;
  allreduce_in_step_ms?: number;
  allreduce_alone_ms?: number;
  /** Stop agreement and the all-gather of per-sequence losses, per step. */
  small_collectives_ms?: number;
  gradient_mb?: number;
  buckets?: number;
}

/** One rank (or the single process): trains `steps` steps and reports its rates. */
function worker(): WorkerResult {
  setNumThreads(1);
  const dp = DataParallel.fromEnv();
  const rank = dp?.rank ?? 0;
  manualSeed(0);
  const model = new GPT({ vocabSize: S.vocab, dModel: S.d, layers: S.layers, heads: S.heads, seqLen: S.seq });
  const params = model.parameters();
  dp?.broadcastParameters(params);
  const opt = new AdamW(model.namedParameters(), { lr: 6e-4, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
  manualSeed(1 + rank);
  const tokens = randint(0, S.vocab, [S.batch, S.seq + 1]);
  const langs = new Int32Array(S.batch);
  // The collectives of a trainLanguageModel step: stop agreement, gradient averaging, loss gathering.
  const step = () => tidy(() => {
    dp?.agreeStop(false);
    opt.zeroGrad();
    const seqLoss = sequenceLosses(model, tokens);
    seqLoss.mean().backward();
    dp?.averageGradients(params);
    opt.step();
    dp?.gatherBatch(seqLoss.detach().toArray() as Float32Array, langs);
  });
  for (let i = 0; i < WARMUP; i++) step();
  dp?.group.barrier();
  const before = { gradientSeconds: 0, metricsSeconds: 0, stopSeconds: 0, ...dp?.comm };
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  const world = dp?.worldSize ?? 1;
  const result: WorkerResult = { tokens_per_s: (world * S.batch * S.seq * steps) / seconds, step_ms: (seconds * 1000) / steps };
  if (dp) {
    result.allreduce_in_step_ms = ((dp.comm.gradientSeconds - before.gradientSeconds) * 1000) / steps;
    result.small_collectives_ms = ((dp.comm.metricsSeconds - before.metricsSeconds + dp.comm.stopSeconds - before.stopSeconds) * 1000) / steps;
    // The allreduce alone: both ranks start together, so no time is spent waiting for the other's compute.
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) {
      dp.group.barrier();
      const a = performance.now();
      dp.averageGradients(params);
      alone.push(performance.now() - a);
    }
    result.allreduce_alone_ms = alone.sort((x, y) => x - y)[5];
    result.gradient_mb = params.reduce((s, p) => s + p.numel() * 4, 0) / 2 ** 20;
    result.buckets = dp.comm.buckets / dp.comm.steps;
    dp.close();
  }
  return result;
}

/** Runs one measurement: `world` fresh processes started together (ranks must rendezvous); rank 0's result. */
async function run(world: number): Promise<WorkerResult> {
  const port = world > 1 ? await freePort() : 0;
  const self = fileURLToPath(import.meta.url);
  const lines = await Promise.all(Array.from({ length: world }, (_, rank) => new Promise<string>((resolve, reject) => {
    const env = world > 1
      ? { ...process.env, MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port), RANK: String(rank), WORLD_SIZE: String(world), XLING_DIST_TIMEOUT: "120" }
      : { ...process.env, WORLD_SIZE: undefined };
    const child = spawn(process.execPath, [self, "--worker", "--steps", String(steps)], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(out.trim().split("\n").pop()!) : reject(new Error(`bench:ddp: rank ${rank} exited with ${code}`))));
  })));
  return JSON.parse(lines[0]) as WorkerResult;
}

if (values.worker) {
  console.log(JSON.stringify(worker()));
} else {
  const rounds = Number(values.rounds);
  const singles: WorkerResult[] = [];
  const ddps: WorkerResult[] = [];
  for (let r = 0; r < rounds; r++) {
    singles.push(await run(1));
    ddps.push(await run(WORLD));
    console.error(`round ${r + 1}/${rounds}: 1 rank ${singles[r].tokens_per_s.toFixed(0)} tok/s (${singles[r].step_ms.toFixed(1)} ms/step), ` +
      `2 ranks ${ddps[r].tokens_per_s.toFixed(0)} tok/s (${ddps[r].step_ms.toFixed(1)} ms/step, gradient allreduce ${ddps[r].allreduce_in_step_ms!.toFixed(2)} ms in step, ` +
      `${ddps[r].allreduce_alone_ms!.toFixed(2)} ms alone, other collectives ${ddps[r].small_collectives_ms!.toFixed(2)} ms)`);
  }
  const median = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
  const single = median(singles, (x) => x.tokens_per_s);
  const ddp = median(ddps, (x) => x.tokens_per_s);
  const med = (k: keyof WorkerResult) => median(ddps, (x) => x[k] as number)[k] as number;
  console.error(`communication per step (rank 0, median): gradient allreduce of ${ddp.gradient_mb!.toFixed(2)} MiB in ${ddp.buckets} bucket(s): ` +
    `${med("allreduce_in_step_ms").toFixed(2)} ms inside the step (incl. waiting for the other rank), ${med("allreduce_alone_ms").toFixed(2)} ms alone; ` +
    `stop agreement + loss all-gather ${med("small_collectives_ms").toFixed(2)} ms; ` +
    `step ${ddp.step_ms.toFixed(1)} ms with 2 ranks vs ${single.step_ms.toFixed(1)} ms alone`);
  console.log(JSON.stringify({
    world_size: WORLD, tokens_per_s: Math.round(ddp.tokens_per_s), single_tokens_per_s: Math.round(single.tokens_per_s),
    scaling: Number((ddp.tokens_per_s / single.tokens_per_s).toFixed(3)),
  }));
}
