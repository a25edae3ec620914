/**
 * Per-sequence language samplers. Each draw picks the language of one
 * training sequence. All samplers are seeded and expose state()/restore() so
 * a resumed run draws exactly the same languages as an uninterrupted one.
 *
 * Specs are plain JSON, built with makeSampler():
 *   { kind: "fixed", probs: { en: 0.9, de: 0.1 }, seed }
 *   { kind: "clone", numLanguages: K, p, seed }          methods §1: p -> a clone, uniform over the K-1 clones
 *   { kind: "proportional", sizes: { en: 1e9, sw: 1e7 }, seed }
 *   { kind: "temperature", T: 5, sizes: {...}, seed }    methods §5: p_n ∝ D_n^(1/T)
 *   { kind: "uniform", languages: ["en", "de"], seed }
 *   { kind: "schedule", schedule: "0.1_0.9", total: S, numLanguages: K, seed, sequencesPerStep? }
 */
import { Rng, type RngState } from "../util/rng.js";

export interface SamplerState {
  kind: SamplerSpec["kind"];
  /** Canonical description of the sampler; restore() refuses a state from a different one. */
  config: string;
  draws: number;
  rng: RngState;
}

export interface Sampler {
  readonly kind: SamplerSpec["kind"];
  /** Outcome names; next() returns an index into this list. */
  readonly languages: readonly string[];
  /** Draws made so far. */
  readonly draws: number;
  /** The distribution the next draw comes from. */
  probabilities(): number[];
  next(): number;
  state(): SamplerState;
  restore(state: SamplerState): void;
}

export type SamplerSpec =
  | { kind: "fixed"; probs: Record<string, number>; seed: number }
  | { kind: "clone"; numLanguages: number; p: number; seed: number }
  | { kind: "proportional"; sizes: Record<string, number>; seed: number }
  | { kind: "temperature"; T: number; sizes: Record<string, number>; seed: number }
  | { kind: "uniform"; languages: string[]; seed: number }
  | { kind: "schedule"; schedule: string; total: number; numLanguages: number; seed: number; sequencesPerStep?: number };

abstract class BaseSampler implements Sampler {
  protected rng: Rng;
  protected drawCount = 0;

  constructor(
    readonly kind: SamplerSpec["kind"],
    readonly languages: readonly string[],
    seed: number,
    private readonly config: string,
  ) {
    this.rng = new Rng(seed);
  }

  get draws(): number {
    return this.drawCount;
  }

  abstract probabilities(): number[];
  protected abstract draw(): number;

  next(): number {
    const v = this.draw();
    this.drawCount++;
    return v;
  }

  state(): SamplerState {
    return { kind: this.kind, config: this.config, draws: this.drawCount, rng: this.rng.state() };
  }

  restore(state: SamplerState): void {
    if (state.kind !== this.kind || state.config !== this.config) {
      throw new Error(`sampler state is for ${state.kind} ${state.config}, not ${this.kind} ${this.config}`);
    }
    if (!Number.isSafeInteger(state.draws) || state.draws < 0) throw new RangeError(`invalid draw count ${state.draws}`);
    this.rng.restore(state.rng);
    this.drawCount = state.draws;
  }
}

function normalise(weights: number[], what: string): number[] {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${what}: weights must be finite and non-negative, got ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError(`${what}: weights sum to zero`);
  return weights.map((w) => w / total);
}

/** Draws from a fixed categorical distribution over named languages. */
class CategoricalSampler extends BaseSampler {
  private readonly probs: number[];
  constructor(kind: SamplerSpec["kind"], names: string[], probs: number[], seed: number) {
    if (names.length === 0) throw new RangeError(`${kind} sampler needs at least one language`);
    super(kind, names, seed, JSON.stringify({ names, probs }));
    this.probs = probs;
  }
  probabilities(): number[] {
    return this.probs.slice();
  }
  protected draw(): number {
    return this.rng.choice(this.probs);
  }
}

/** p_n ∝ D_n^(1/T): T = 1 is proportional, T -> Infinity uniform. */
export function temperatureProbabilities(sizes: readonly number[], T: number): number[] {
  if (!(T > 0)) throw new RangeError(`temperature must be positive, got ${T}`);
  for (const d of sizes) if (!(d > 0) || !Number.isFinite(d)) throw new RangeError(`data sizes must be positive and finite, got ${d}`);
  // Work in log space: D^(1/T) overflows for large corpora and small T.
  const logs = sizes.map((d) => Math.log(d) / T);
  const max = Math.max(...logs);
  return normalise(logs.map((l) => Math.exp(l - max)), "temperature");
}

function cloneNames(K: number): string[] {
  return Array.from({ length: K }, (_, k) => (k === 0 ? "original" : `clone${k}`));
}

function checkCloneP(p: number, K: number): void {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`numLanguages must be a positive integer, got ${K}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`clone probability must be in [0, 1], got ${p}`);
  if (K === 1 && p > 0) throw new RangeError("a clone probability above 0 needs at least one clone (numLanguages >= 2)");
}

/** Language 0 with probability 1-p, else one of the K-1 clones uniformly. */
function drawClone(rng: Rng, p: number, K: number): number {
  return rng.float() < p ? 1 + rng.int(K - 1) : 0;
}

function cloneProbabilities(p: number, K: number): number[] {
  return Array.from({ length: K }, (_, k) => (k === 0 ? 1 - p : p / (K - 1)));
}

class CloneSampler extends BaseSampler {
  constructor(private readonly K: number, private readonly p: number, seed: number) {
    checkCloneP(p, K);
    super("clone", cloneNames(K), seed, JSON.stringify({ K, p }));
  }
  probabilities(): number[] {
    return cloneProbabilities(this.p, this.K);
  }
  protected draw(): number {
    return drawClone(this.rng, this.p, this.K);
  }
}

/** Parses "p1_p2_..._pn" into the per-episode clone probabilities. */
export function parseSchedule(schedule: string): number[] {
  const parts = schedule.split("_");
  const ps = parts.map((s) => (/^\d*\.?\d+$/.test(s) ? Number(s) : NaN));
  if (ps.length === 0 || ps.some((p) => !(p >= 0 && p <= 1))) {
    throw new RangeError(`schedule "${schedule}" must be probabilities in [0, 1] joined by "_", e.g. "0.1_0.9"`);
  }
  return ps;
}

/**
 * Episode of `position` when `total` positions are split into `n` equal
 * episodes: floor(position * n / total). Positions at or past the end stay in
 * the last episode, so a run that overshoots by a partial batch keeps the
 * final ratio instead of failing.
 */
export function episodeOf(position: number, total: number, n: number): number {
  if (!Number.isSafeInteger(total) || total < n) throw new RangeError(`schedule total must be an integer >= the number of episodes (${n}), got ${total}`);
  return Math.min(n - 1, Math.floor((position * n) / total));
}

class ScheduleSampler extends BaseSampler {
  private readonly ps: number[];
  constructor(
    schedule: string,
    private readonly total: number,
    private readonly K: number,
    private readonly perStep: number,
    seed: number,
  ) {
    const ps = parseSchedule(schedule);
    for (const p of ps) checkCloneP(p, K);
    if (!Number.isInteger(perStep) || perStep < 1) throw new RangeError(`sequencesPerStep must be a positive integer, got ${perStep}`);
    episodeOf(0, total, ps.length);
    super("schedule", cloneNames(K), seed, JSON.stringify({ ps, total, K, perStep }));
    this.ps = ps;
  }
  /** The position (sequence, or step when sequencesPerStep > 1) of the next draw. */
  get position(): number {
    return Math.floor(this.drawCount / this.perStep);
  }
  get episode(): number {
    return episodeOf(this.position, this.total, this.ps.length);
  }
  /** Clone probability in effect for the next draw. */
  currentP(): number {
    return this.ps[this.episode]!;
  }
  probabilities(): number[] {
    return cloneProbabilities(this.currentP(), this.K);
  }
  protected draw(): number {
    return drawClone(this.rng, this.currentP(), this.K);
  }
}

function entries(record: Record<string, number>, what: string): [string[], number[]] {
  if (record === null || typeof record !== "object") throw new TypeError(`${what} must be an object of language -> number`);
  const names = Object.keys(record);
  return [names, names.map((k) => record[k]!)];
}

function checkSeed(spec: { seed: unknown }): number {
  const seed = spec.seed;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) throw new TypeError(`sampler spec needs a non-negative integer seed, got ${String(seed)}`);
  return seed;
}

export function makeSampler(spec: SamplerSpec): Sampler {
  const seed = checkSeed(spec);
  switch (spec.kind) {
    case "fixed": {
      const [names, w] = entries(spec.probs, "probs");
      return new CategoricalSampler("fixed", names, normalise(w, "fixed"), seed);
    }
    case "clone":
      return new CloneSampler(spec.numLanguages, spec.p, seed);
    case "proportional": {
      const [names, sizes] = entries(spec.sizes, "sizes");
      return new CategoricalSampler("proportional", names, temperatureProbabilities(sizes, 1), seed);
    }
    case "temperature": {
      const [names, sizes] = entries(spec.sizes, "sizes");
      return new CategoricalSampler("temperature", names, temperatureProbabilities(sizes, spec.T), seed);
    }
    case "uniform": {
      if (!Array.isArray(spec.languages)) throw new TypeError("uniform sampler needs a languages array");
      return new CategoricalSampler("uniform", spec.languages.slice(), spec.languages.map(() => 1 / spec.languages.length), seed);
    }
    case "schedule":
      return new ScheduleSampler(spec.schedule, spec.total, spec.numLanguages, spec.sequencesPerStep ?? 1, seed);
    default:
      throw new TypeError(`unknown sampler kind ${String((spec as { kind: unknown }).kind)}`);
  }
}
