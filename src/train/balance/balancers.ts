// Language balancers (methods.md §5): what a training step does between the forward pass
// and the optimizer, given each sequence's loss and language. One interface, one small
// implementation per method, chosen by name from the experiment spec:
//
//   none      the mean over the batch's sequences (data-level balancing happens in the
//             sampler: proportional, temperature, uniform)
//   cats      each sequence's loss scaled by N alpha_n of its language; alpha updated every
//             k steps from per-language losses and gradients on held-out or training
//             sequences (cats.ts)
//   pcgrad    per-language gradients projected off conflicting ones (surgery.ts)
//   gradvac   per-language gradients moved toward EMA cosine targets (surgery.ts)
//   gradnorm  each sequence's loss scaled by its language's GradNorm weight (surgery.ts)
//
// Conventions that make the methods comparable with plain training:
//  - weights are per sequence, w_b = scale of lang(b), and the loss is sum_b w_b l_b / B,
//    so uniform CATS weights (alpha_n = 1/N) and GradNorm's initial weights (1) are
//    exactly the plain mean;
//  - surgery works on language n's share of the batch gradient, grad of
//    sum_{b in n} l_b / B, so with no conflicts the update is exactly the plain one;
//  - per-language gradients may be restricted to a parameter subset (memory: one copy
//    of the subset per language); parameters outside it get the plain gradient.
import { type Tensor, grad, noGrad, tensor } from "../../torch/index.js";
import { Rng, type RngState } from "../../util/rng.js";
import { CatsWeights, catsProblem, lookAheadCoefficients, type CatsOptions, type CatsState } from "./cats.js";
import { flattenGradients, setGradients, type ParameterSubset } from "./per-language-grads.js";
import { gradnorm, gradvac, initialGradNormState, initialGradVacState, pcgrad, type GradNormOptions, type GradNormState, type GradVacState } from "./surgery.js";

/** What a balancer sees of one training step. */
export interface BalanceStep {
  /** Loss of each sequence: a [B] tensor with its graph. */
  seqLoss: Tensor;
  /** Language index of each sequence. */
  langs: Int32Array;
  /** Training step being taken, counting from 1. */
  step: number;
}

/**
 * Held-out per-language losses at training step `step`, as graphs over the model (CATS's
 * held-out batches). A function of the step, so a resumed run sees the same batches.
 */
export type HeldOutLosses = (step: number) => Tensor[];

/** Per-language losses on a window of each language's training sequences at step `step` (CATS with source "training"). */
export type TrainingLosses = HeldOutLosses;

export interface LanguageBalancer {
  readonly method: BalanceMethod;
  /** Leaves the step's gradient in every parameter's .grad; returns the language weights used. */
  backward(s: BalanceStep): number[];
  state(): unknown;
  restore(state: unknown): void;
}

export type BalanceMethod = "none" | "cats" | "pcgrad" | "gradvac" | "gradnorm";

export interface BalancerConfig {
  method: BalanceMethod;
  languages: number;
  /** Per-language gradients are taken over these (CATS, surgery, GradNorm). */
  subset: ParameterSubset;
  seed: number;
  cats?: Partial<CatsOptions>;
  gradvac?: { beta: number };
  gradnorm?: GradNormOptions;
  /** CATS only: held-out losses per language, built on demand every update interval. */
  heldOut?: HeldOutLosses;
  /** CATS with source "training": training-sequence losses per language, built the same way. */
  training?: TrainingLosses;
}

export function makeBalancer(c: BalancerConfig): LanguageBalancer {
  switch (c.method) {
    case "none":
      return new MeanLoss(c.languages);
    case "cats":
      return new CatsBalancer(c.languages, c.subset, c.heldOut, c.training, c.cats ?? {});
    case "pcgrad":
    case "gradvac":
      return new SurgeryBalancer(c.method, c.languages, c.subset, c.seed, c.gradvac?.beta ?? 0.01);
    case "gradnorm":
      return new GradNormBalancer(c.languages, c.subset, c.gradnorm ?? { alpha: 1.5, learningRate: 0.025 });
    default:
      throw new Error(`unknown balance method '${String(c.method)}'`);
  }
}

/** sum_b weights[lang(b)] * l_b / B. */
export function weightedBatchLoss(seqLoss: Tensor, langs: Int32Array, weights: ArrayLike<number>): Tensor {
  const perRow = Float32Array.from(langs, (l) => weights[l]);
  return seqLoss.mul(tensor(perRow, { shape: [langs.length], dtype: seqLoss.dtype })).sum().div(langs.length);
}

/**
 * Each language's share of the batch loss, sum_{b in n} l_b / B, for the languages
 * present in the batch (others are null).
 */
export function languageShares(seqLoss: Tensor, langs: Int32Array, languages: number): (Tensor | null)[] {
  return Array.from({ length: languages }, (_, n) => {
    const mask = Float32Array.from(langs, (l) => (l === n ? 1 : 0));
    if (!mask.some((m) => m === 1)) return null;
    return seqLoss.mul(tensor(mask, { shape: [langs.length], dtype: seqLoss.dtype })).sum().div(langs.length);
  });
}

function gradientOf(loss: Tensor, subset: ParameterSubset): Float64Array {
  return flattenGradients(grad(loss, subset.params, { retainGraph: true, allowUnused: true }), subset.params);
}

class MeanLoss implements LanguageBalancer {
  readonly method = "none";
  constructor(private readonly languages: number) {}
  backward(s: BalanceStep): number[] {
    s.seqLoss.mean().backward();
    return new Array<number>(this.languages).fill(1);
  }
  state(): null {
    return null;
  }
  restore(): void {}
}

class CatsBalancer implements LanguageBalancer {
  readonly method = "cats";
  private readonly weights: CatsWeights;
  constructor(private readonly languages: number, private readonly subset: ParameterSubset, private readonly heldOut: HeldOutLosses | undefined,
    private readonly training: TrainingLosses | undefined, options: Partial<CatsOptions>) {
    this.weights = new CatsWeights(languages, options);
    const o = this.weights.options;
    if (o.source === "training" && !training) throw new Error("balance method 'cats' with source 'training' needs training batches");
    if ((o.source === "held-out" || o.objective === "look-ahead") && !heldOut) throw new Error("balance method 'cats' needs held-out batches");
  }

  /** Row scale N alpha_n: uniform alpha gives the plain mean. */
  private scales(): number[] {
    return this.weights.weights.map((a) => a * this.languages);
  }

  backward(s: BalanceStep): number[] {
    const used = this.scales();
    weightedBatchLoss(s.seqLoss, s.langs, used).backward();
    // The new weights apply from the next step on; this step's gradient is already taken.
    if (this.weights.isDue(s.step)) this.update(s.step);
    return used;
  }

  private update(step: number): void {
    const o = this.weights.options;
    const held = o.source === "held-out" || o.objective === "look-ahead" ? this.heldOut!(step) : null;
    const losses = o.source === "training" ? this.training!(step) : held!;
    const values = losses.map((l) => l.item());
    const grads = losses.map((l) => gradientOf(l, this.subset));
    const problem = catsProblem(values, grads);
    if (o.objective === "look-ahead") {
      const heldGrads = o.source === "held-out" ? grads : held!.map((l) => gradientOf(l, this.subset));
      problem.losses = lookAheadCoefficients(held!.map((l) => l.item()), heldGrads, grads, o.lookAheadStep);
    }
    this.weights.update(problem);
  }

  state(): CatsState {
    return this.weights.state();
  }
  restore(state: unknown): void {
    this.weights.restore(state as CatsState);
  }
}

class SurgeryBalancer implements LanguageBalancer {
  private rng: Rng;
  private vac: GradVacState;
  constructor(readonly method: "pcgrad" | "gradvac", private readonly languages: number, private readonly subset: ParameterSubset,
    seed: number, private readonly beta: number) {
    this.rng = new Rng(seed);
    this.vac = initialGradVacState(languages);
  }

  backward(s: BalanceStep): number[] {
    const shares = languageShares(s.seqLoss, s.langs, this.languages);
    const present = shares.flatMap((l, n) => (l ? [n] : []));
    // One language in the batch: nothing to operate on, the plain gradient it is.
    if (present.length < 2) {
      s.seqLoss.mean().backward();
      return new Array<number>(this.languages).fill(1);
    }
    const grads = present.map((n) => gradientOf(shares[n]!, this.subset));
    let combined: Float64Array;
    if (this.method === "pcgrad") combined = pcgrad(grads, this.rng).combined;
    else {
      // GradVac's targets are per language pair; batches without a language skip its pairs.
      const sub = { targets: present.map((i) => present.map((j) => this.vac.targets[i][j])) };
      const r = gradvac(grads, sub, { beta: this.beta }, this.rng);
      present.forEach((i, a) => present.forEach((j, b) => { this.vac.targets[i][j] = r.state.targets[a][b]; }));
      combined = r.combined;
    }
    // Only the parameters outside the subset still need the plain gradient.
    if (this.subset.rest.length) {
      const plain = grad(s.seqLoss.mean(), this.subset.rest, { retainGraph: true, allowUnused: true });
      this.subset.rest.forEach((p, k) => { p.grad = plain[k] ?? noGrad(() => p.zerosLike()); });
    }
    noGrad(() => setGradients(this.subset.params, combined));
    return new Array<number>(this.languages).fill(1);
  }

  state(): { rng: RngState; gradvac: GradVacState } {
    return { rng: this.rng.state(), gradvac: structuredClone(this.vac) };
  }
  restore(state: unknown): void {
    const s = state as { rng: RngState; gradvac: GradVacState };
    this.rng.restore(s.rng);
    this.vac = structuredClone(s.gradvac);
  }
}

class GradNormBalancer implements LanguageBalancer {
  readonly method = "gradnorm";
  private current: GradNormState;
  constructor(private readonly languages: number, private readonly subset: ParameterSubset, private readonly options: GradNormOptions) {
    this.current = initialGradNormState(languages);
  }

  backward(s: BalanceStep): number[] {
    const used = this.current.weights.slice();
    // GradNorm compares each language's (unweighted) mean loss and gradient norm; it
    // needs every language in the batch, so a batch missing one leaves the weights as they are.
    const shares = languageShares(s.seqLoss, s.langs, this.languages);
    if (shares.every((l) => l !== null)) {
      const counts = Array.from({ length: this.languages }, (_, n) => s.langs.filter((l) => l === n).length);
      const means = shares.map((l, n) => l!.item() * (s.langs.length / counts[n]));
      const grads = shares.map((l, n) => gradientOf(l!.mul(s.langs.length / counts[n]), this.subset));
      this.current = gradnorm(grads, means, this.current, this.options);
    }
    weightedBatchLoss(s.seqLoss, s.langs, used).backward();
    return used;
  }

  state(): GradNormState {
    return structuredClone(this.current);
  }
  restore(state: unknown): void {
    this.current = structuredClone(state as GradNormState);
  }
}
