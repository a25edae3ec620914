// `xling reproduce`: runs findings (findings.ts) at a scale, seed by seed, through the
// study runners (studies.ts), turns each seed's runs into one effect, and records one
// entry per finding: claim, the paper's figure, xling's figure with its 95% interval over
// seeds, the verdict (verdict.ts), the scale, the wall time and the exact command.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { packageRoot } from "../util/package-root.js";
import { FINDINGS, type Finding, type SeedData } from "./findings.js";
import { effectInterval, verdictAtScale, type EffectInterval, type Verdict } from "./verdict.js";
import { parseSeeded, readRawSpec, runSeed, seedDir, specPath, specScale, wallTimeOf, type LoadedSpec, type Scale, type SeedRun } from "./studies.js";

export const DEFAULT_SEEDS: Record<Scale, number> = { quick: 2, machine: 3, paper: 3 };

export interface FindingEntry {
  name: string;
  group: string;
  claim: string;
  paper: string;
  effect: string;
  verdict: Verdict;
  /** Why it failed or was not run. */
  note: string | null;
  scale: {
    name: Scale;
    parameters: number | null;
    tokensPerRun: number | null;
    tokensPerSeed: number | null;
    seeds: number;
    specs: string[];
  } | null;
  xling: (EffectInterval & { detail: Record<string, number> }) | null;
  /** Wall seconds of the runs behind the entry, summed over specs and seeds (resumed invocations added up). */
  wallSeconds: number | null;
  /** Training FLOPs per second achieved (6 x parameters x tokens over wall time). */
  flopsPerSecond: number | null;
  /** The methods' own sizes (examples/reproduce/paper), with the time they would take here at the measured rate. */
  paperScale: {
    parameters: number; tokensPerRun: number; flopsPerSeed: number; seeds: number; estimatedHoursHere: number | null;
    /** Whose measured rate the estimate divides by. */
    rateFrom?: "this finding's machine runs" | "the median of the other findings' machine runs";
  } | null;
  requires: string | null;
  command: string;
  ranAt: string | null;
  /**
   * The same finding at a smaller size of the same scale (`<spec>-small.json` beside the
   * finding's specs): the second point of a size trend, analysed exactly as the main size.
   */
  smallerSize?: { mean: number; lower: number | null; upper: number | null; seeds: number; verdict: Verdict; parameters: number; tokensPerRun: number; specs: string[] } | { note: string } | null;
  /** The same finding at a smaller scale (a scale trend), when it was run there under the same root. */
  smallerScale?: { scale: Scale; mean: number; lower: number | null; upper: number | null; seeds: number; parameters: number | null; tokensPerRun: number | null } | null;
}

export interface ReproduceOptions {
  scale: Scale;
  seeds?: number;
  /** Root of the run directories (default runs/reproduce). */
  root: string;
  cacheDir?: string;
  parallel?: number;
  /** The command line that produced the entries, as recorded in them. */
  command: string;
  log: (msg: string) => void;
}

export function resolveFindings(names: string[]): Finding[] {
  if (names.length === 0) throw new Error(`name the findings to reproduce, or all; the findings are: ${FINDINGS.map((f) => f.name).join(", ")}`);
  if (names.includes("all")) return FINDINGS;
  const unknown = names.filter((n) => !FINDINGS.some((f) => f.name === n));
  if (unknown.length) throw new Error(`unknown finding${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `'${n}'`).join(", ")}; the findings are: ${FINDINGS.map((f) => f.name).join(", ")}`);
  return FINDINGS.filter((f) => names.includes(f.name));
}

/** The command that reproduces `finding` at `scale` (shown for findings not run). */
export function commandFor(finding: string, scale: Scale): string {
  return `node bin/xling.js reproduce ${finding} --scale ${scale} --docs docs`;
}

function paperScaleOf(finding: Finding, seeds: number, flopsPerSecond: number | null): FindingEntry["paperScale"] {
  try {
    const scales = finding.specs.map((s) => specScale(parseSeeded(readRawSpec("paper", s), 0, `examples/reproduce/paper/${s}.json`)));
    const flopsPerSeed = scales.reduce((a, s) => a + s.flopsPerSeed, 0);
    return {
      parameters: Math.max(...scales.map((s) => s.parameters)),
      tokensPerRun: Math.max(...scales.map((s) => s.tokensPerRun)),
      flopsPerSeed,
      seeds,
      estimatedHoursHere: flopsPerSecond ? (flopsPerSeed * seeds) / flopsPerSecond / 3600 : null,
      ...(flopsPerSecond ? { rateFrom: "this finding's machine runs" as const } : {}),
    };
  } catch {
    return null;
  }
}

/** The suffix of a spec's smaller size at the same scale: the second point of a size trend. */
export const SMALLER_SUFFIX = "-small";

/**
 * The finding's specs with each one that has a smaller size at `scale` replaced by it, or
 * null when none has one. The analysis reads them under the main specs' names.
 */
export function smallerSpecs(f: Finding, scale: Scale): Map<string, string> | null {
  const swap = new Map(f.specs.map((s) => [s, existsSync(specPath(scale, s + SMALLER_SUFFIX)) ? s + SMALLER_SUFFIX : s]));
  return [...swap].some(([a, b]) => a !== b) ? swap : null;
}

/** An entry for a finding that was not run at all. */
const NOT_RUN_NOTE = "not run at this scale yet";

/** Training FLOPs of one seed of a finding's machine-scale specs; null if a spec cannot be read. */
function machineFlops(f: Finding): number | null {
  try {
    return f.specs.reduce((a, s) => a + specScale(parseSeeded(readRawSpec("machine", s), 0, `examples/reproduce/machine/${s}.json`)).flopsPerSeed, 0);
  } catch {
    return null;
  }
}

export function notRunEntry(f: Finding, scale: Scale, note = NOT_RUN_NOTE): FindingEntry {
  return {
    name: f.name, group: f.group, claim: f.claim, paper: f.paper, effect: f.effect, verdict: "not run", note,
    scale: null, xling: null, wallSeconds: null, flopsPerSecond: null, paperScale: paperScaleOf(f, DEFAULT_SEEDS.paper, null),
    requires: f.requires ?? null, command: commandFor(f.name, scale), ranAt: null,
  };
}

/** Runs the findings' specs (each spec-seed once, however many findings share it) and analyses them. */
export async function reproduce(findings: Finding[], opts: ReproduceOptions): Promise<FindingEntry[]> {
  const seeds = opts.seeds ?? DEFAULT_SEEDS[opts.scale];
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a positive whole number, got ${opts.seeds}`);
  const cacheDir = opts.cacheDir ?? process.env.XLING_CACHE ?? join(opts.root, ".xling-cache");
  // Parse every spec first: a bad spec stops before anything trains.
  const specs = new Map<string, LoadedSpec[]>();
  for (const f of findings)
    for (const s of [...f.specs, ...(smallerSpecs(f, opts.scale)?.values() ?? [])])
      if (!specs.has(s)) {
        const raw = readRawSpec(opts.scale, s);
        const source = `examples/reproduce/${opts.scale}/${s}.json`;
        specs.set(s, Array.from({ length: seeds }, (_, seed) => parseSeeded(raw, seed, source)));
      }

  const runs = new Map<string, SeedRun>();
  let interrupted = false;
  const onSignal = () => { interrupted = true; };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const entries: FindingEntry[] = [];
  try {
    for (const f of findings) {
      const started = new Date().toISOString();
      const smaller = smallerSpecs(f, opts.scale);
      const smallOnly = smaller ? [...new Set(smaller.values())].filter((s) => !f.specs.includes(s)) : [];
      // Runs (or reuses) every seed of `group`; returns what failed or was not run.
      const runGroup = async (group: string[]): Promise<string[]> => {
        const failures: string[] = [];
        for (const s of group)
          for (let seed = 0; seed < seeds; seed++) {
            const key = `${s}/${seed}`;
            if (!runs.has(key) && !interrupted) {
              opts.log(`${f.name}: ${s} seed ${seed} (${opts.scale})`);
              runs.set(key, await runSeed(specs.get(s)![seed]!, seedDir(opts.root, opts.scale, s, seed), { cacheDir, parallel: opts.parallel, log: opts.log }));
            }
            const r = runs.get(key);
            if (!r) failures.push(`${s} seed ${seed}: not started (interrupted)`);
            else if (r.interrupted) { interrupted = true; failures.push(`${s} seed ${seed}: interrupted`); }
            else if (r.error) failures.push(`${s} seed ${seed}: ${r.error}`);
          }
        return failures;
      };
      const mainFailures = await runGroup(f.specs);
      const smallFailures = await runGroup(smallOnly);
      if (interrupted && (mainFailures.length || smallFailures.length)) {
        entries.push({ ...notRunEntry(f, opts.scale, `interrupted; run the same command again to resume (${[...mainFailures, ...smallFailures].join("; ")})`), command: opts.command });
        continue;
      }
      const entry = analyseFinding(f, opts, seeds, specs, mainFailures, started);
      if (smaller) entry.smallerSize = smallFailures.length ? { note: `runs failed: ${smallFailures.join("; ")}` } : analyseSmallerSize(f, opts, seeds, specs, smaller);
      entries.push(entry);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return entries;
}

function analyseFinding(f: Finding, opts: ReproduceOptions, seeds: number, specs: Map<string, LoadedSpec[]>, failures: string[], ranAt: string): FindingEntry {
  const scales = f.specs.map((s) => specScale(specs.get(s)![0]!));
  const wall = f.specs.flatMap((s) => Array.from({ length: seeds }, (_, seed) => wallTimeOf(seedDir(opts.root, opts.scale, s, seed)) ?? 0)).reduce((a, b) => a + b, 0);
  const flops = scales.reduce((a, s) => a + s.flopsPerSeed, 0) * seeds;
  const flopsPerSecond = wall > 0 ? flops / wall : null;
  const base: FindingEntry = {
    name: f.name, group: f.group, claim: f.claim, paper: f.paper, effect: f.effect, verdict: "failed", note: null,
    scale: {
      name: opts.scale, seeds, specs: f.specs.map((s) => relative(packageRoot(), join(packageRoot(), "examples", "reproduce", opts.scale, `${s}.json`))),
      parameters: Math.max(...scales.map((s) => s.parameters)), tokensPerRun: Math.max(...scales.map((s) => s.tokensPerRun)),
      tokensPerSeed: scales.reduce((a, s) => a + s.tokensPerSeed, 0),
    },
    xling: null, wallSeconds: wall, flopsPerSecond, // Quick runs are dominated by start-up and evaluation: their rate would mislead the extrapolation.
    paperScale: paperScaleOf(f, DEFAULT_SEEDS.paper, opts.scale === "quick" ? null : flopsPerSecond),
    requires: f.requires ?? null, command: opts.command, ranAt,
  };
  // A finding whose runs failed is reported as failed, never given a verdict.
  if (failures.length) return { ...base, note: `runs failed: ${failures.join("; ")}` };
  const effects = analyseSeeds(f, opts, seeds, specs, new Map(f.specs.map((s) => [s, s])));
  if ("error" in effects) return { ...base, note: effects.error };
  return { ...base, verdict: verdictAtScale(effects.interval, opts.scale), xling: { ...effects.interval, detail: effects.detail } };
}

/** The finding's effect at its specs' smaller size (`smaller` maps each spec to the one run in its place). */
function analyseSmallerSize(f: Finding, opts: ReproduceOptions, seeds: number, specs: Map<string, LoadedSpec[]>, smaller: Map<string, string>): FindingEntry["smallerSize"] {
  const effects = analyseSeeds(f, opts, seeds, specs, smaller);
  if ("error" in effects) return { note: effects.error };
  const scales = [...new Set(smaller.values())].map((s) => specScale(specs.get(s)![0]!));
  return {
    mean: effects.interval.mean, lower: effects.interval.lower, upper: effects.interval.upper, seeds, verdict: verdictAtScale(effects.interval, opts.scale),
    parameters: Math.max(...scales.map((s) => s.parameters)), tokensPerRun: Math.max(...scales.map((s) => s.tokensPerRun)),
    specs: [...new Set(smaller.values())].map((s) => `examples/reproduce/${opts.scale}/${s}.json`),
  };
}

/** Each seed's effect (the analysis reads spec `s` from the runs of `runOf.get(s)`), their interval and mean detail. */
function analyseSeeds(f: Finding, opts: ReproduceOptions, seeds: number, specs: Map<string, LoadedSpec[]>, runOf: Map<string, string>): { interval: EffectInterval; detail: Record<string, number> } | { error: string } {
  const values: number[] = [];
  const details: Record<string, number>[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const data: SeedData = { specs: Object.fromEntries(f.specs.map((s) => { const r = runOf.get(s)!; return [s, { spec: specs.get(r)![seed]!, dir: seedDir(opts.root, opts.scale, r, seed) }]; })) };
    try {
      const e = f.analyse(data);
      if (!Number.isFinite(e.value)) throw new Error(`the effect is not finite (${e.value})`);
      values.push(e.value);
      details.push(e.detail);
    } catch (err) {
      return { error: `analysis of seed ${seed}${runOf.get(f.specs[0]!) !== f.specs[0] ? " (smaller size)" : ""} failed: ${(err as Error).message}` };
    }
  }
  const detail: Record<string, number> = {};
  for (const k of Object.keys(details[0] ?? {})) detail[k] = details.reduce((a, d) => a + (d[k] ?? NaN), 0) / details.length;
  return { interval: effectInterval(values), detail };
}

/** Merges new entries into those of an earlier findings.json (by finding name), in FINDINGS order; findings in neither are "not run". */
export function mergeEntries(previous: FindingEntry[], fresh: FindingEntry[], scale: Scale): FindingEntry[] {
  return fillPaperEstimates(FINDINGS.map((f) => fresh.find((e) => e.name === f.name) ?? previous.find((e) => e.name === f.name) ?? notRunEntry(f, scale)));
}

/**
 * Findings without a machine-scale rate of their own get their paper-scale time from the
 * median training FLOP/s of the findings that have one (the model shapes differ, so this is rougher).
 */
export function fillPaperEstimates(entries: FindingEntry[]): FindingEntry[] {
  const rates = entries.filter((e) => e.scale?.name === "machine" && e.flopsPerSecond && e.verdict !== "failed").map((e) => e.flopsPerSecond!).sort((a, b) => a - b);
  if (!rates.length) return entries;
  const median = rates.length % 2 ? rates[(rates.length - 1) / 2]! : (rates[rates.length / 2 - 1]! + rates[rates.length / 2]!) / 2;
  return entries.map((e) => {
    let out = e;
    if (out.paperScale && out.paperScale.estimatedHoursHere === null)
      out = { ...out, paperScale: { ...out.paperScale, estimatedHoursHere: (out.paperScale.flopsPerSeed * out.paperScale.seeds) / median / 3600, rateFrom: "the median of the other findings' machine runs" } };
    // A finding not run says what its machine-scale run would cost here.
    if (out.verdict === "not run" && out.note === NOT_RUN_NOTE) {
      const f = FINDINGS.find((x) => x.name === out.name);
      const hours = f ? machineFlops(f) : null;
      if (hours !== null) out = { ...out, note: `${NOT_RUN_NOTE}: its ${DEFAULT_SEEDS.machine} seeds at machine scale would take about ${((hours * DEFAULT_SEEDS.machine) / median / 3600).toFixed(1)} hours of wall time here at the median rate of the findings that ran` };
    }
    return out;
  });
}

/** Attaches each entry's figure at `smaller` scale (from that scale's findings.json), for the scale trend. */
export function withSmallerScale(entries: FindingEntry[], smaller: FindingEntry[], scale: Scale): FindingEntry[] {
  return entries.map((e) => {
    const s = smaller.find((x) => x.name === e.name && x.scale?.name === scale && x.xling);
    if (!s || !e.xling || e.scale?.name === scale) return e;
    return { ...e, smallerScale: { scale, mean: s.xling!.mean, lower: s.xling!.lower, upper: s.xling!.upper, seeds: s.xling!.values.length, parameters: s.scale!.parameters, tokensPerRun: s.scale!.tokensPerRun } };
  });
}

export function readEntries(path: string): FindingEntry[] {
  if (!existsSync(path)) return [];
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { findings: FindingEntry[] }).findings ?? [];
  } catch (e) {
    throw new Error(`${path}: not a findings file (${(e as Error).message})`, { cause: e });
  }
}
