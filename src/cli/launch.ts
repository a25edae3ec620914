// `xling launch`: runs any xling training command as a data-parallel job (see
// src/distributed/launcher.ts).
import { parseArgs } from "node:util";
import type { Command } from "../run/command-options.js";
import { launch, parseMaster } from "../distributed/launcher.js";
import { optionsHelp, type OptionSpec } from "../run/command-options.js";

const LAUNCH_OPTIONS: Record<string, OptionSpec> = {
  nproc: { type: "string", integer: { min: 1 }, description: "ranks on this node" },
  nnodes: { type: "string", integer: { min: 1 }, description: "nodes in the job", defaultText: "1" },
  "node-rank": { type: "string", integer: { min: 0 }, description: "this node's rank", defaultText: "0" },
  master: { type: "string", description: "ADDR:PORT of rank 0's rendezvous", defaultText: "127.0.0.1 and a free port" },
  timeout: { type: "string", number: { min: 0 }, description: "collective timeout in seconds" },
  "max-restarts": { type: "string", integer: { min: 0 }, description: "restarts of a failed job from its checkpoint", defaultText: "0" },
};

function int(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${v}'`);
  return n;
}

export const launchCommand: Command = {
  summary: "Run an xling training command on N ranks (data-parallel over c10d/Gloo), like torchrun",
  usage: "xling launch --nproc N [--nnodes M --node-rank R --master ADDR:PORT] [--timeout S] [--max-restarts K] -- <xling command>\n" +
    "  e.g. xling launch --nproc 2 -- _run runs/exp/run-1 --cache ~/.cache/xling\n" +
    "       xling launch --nproc 2 -- experts _train runs/study/seed --cache ~/.cache/xling\n" +
    "       xling launch --nproc 2 -- transfer spec.json --out runs/transfer   (data-parallel pretraining; rank 0 runs the later stages)\n" +
    "  Each rank gets MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK; train.batchSize is the global batch.",
  ownArgs: true,
  async run({ raw }) {
    const sep = raw.indexOf("--");
    const own = sep < 0 ? raw : raw.slice(0, sep);
    const command = sep < 0 ? [] : raw.slice(sep + 1);
    if (own.includes("--help") || own.includes("-h")) {
      process.stdout.write(`${launchCommand.summary}\n\nUsage: ${launchCommand.usage}\n${optionsHelp(LAUNCH_OPTIONS)}`);
      return 0;
    }
    const values = parseArgs({
      args: own,
      options: LAUNCH_OPTIONS as NonNullable<Parameters<typeof parseArgs>[0]>["options"],
      strict: true,
    }).values as Record<string, string | undefined>;
    const nproc = int(values.nproc, "nproc");
    if (nproc === undefined) throw new Error("--nproc is required");
    if (command[0] === "run" || command[0] === "demo")
      throw new Error(`'${command[0]}' starts its runs itself; launch one run directory: xling launch --nproc ${nproc} -- _run <run-dir> --cache <dir>`);
    const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutS !== undefined && !(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
    return launch({
      nproc, nnodes: int(values.nnodes, "nnodes"), nodeRank: int(values["node-rank"], "node-rank"),
      master: values.master === undefined ? undefined : parseMaster(values.master),
      timeoutS, maxRestarts: int(values["max-restarts"], "max-restarts"), command,
    });
  },
};
