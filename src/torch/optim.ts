// Optimizers and learning-rate schedules. The update arithmetic runs in the addon
// (native/src/optim.cc), one call per step for the whole parameter list.
import { native } from "./native.js";
import type { Tensor } from "./tensor.js";
import { keep } from "./scope.js";

export type NamedParameters = [string, Tensor][];

/** Optimizer state as named tensors plus JSON-able scalars, for checkpoints. */
export interface OptimizerState {
  tensors: Map<string, Tensor>;
  meta: Record<string, number | boolean>;
}

export interface Optimizer {
  lr: number;
  step(): void;
  /** Drops every gradient (set_to_none). */
  zeroGrad(): void;
  state(): OptimizerState;
  loadState(s: OptimizerState): void;
}

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.AdamW (single-tensor path), with the reference's defaults for xling runs. */
export class AdamW implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private steps = 0;
  private readonly params: Tensor[];
  private readonly expAvg: Tensor[];
  private readonly expAvgSq: Tensor[];

  constructor(private readonly named: NamedParameters, opts: AdamWOptions = {}) {
    this.lr = opts.lr ?? 1e-3;
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.params = named.map(([, p]) => p);
    this.expAvg = this.params.map((p) => keep(p.zerosLike()));
    this.expAvgSq = this.params.map((p) => keep(p.zerosLike()));
  }

  step(): void {
    this.steps += 1;
    native.adamw_step(
      this.params.map((p) => p.handle), this.expAvg.map((t) => t.handle), this.expAvgSq.map((t) => t.handle),
      this.steps, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay);
  }

  zeroGrad(): void {
    native.clear_grads(this.params.map((p) => p.handle));
  }

  state(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    this.named.forEach(([name], i) => {
      tensors.set(`exp_avg.${name}`, this.expAvg[i]);
      tensors.set(`exp_avg_sq.${name}`, this.expAvgSq[i]);
    });
    return { tensors, meta: { step: this.steps, lr: this.lr } };
  }

  loadState(s: OptimizerState): void {
    this.named.forEach(([name], i) => {
      copyInto(this.expAvg[i], s.tensors.get(`exp_avg.${name}`), `exp_avg.${name}`);
      copyInto(this.expAvgSq[i], s.tensors.get(`exp_avg_sq.${name}`), `exp_avg_sq.${name}`);
    });
    this.steps = Number(s.meta.step);
    this.lr = Number(s.meta.lr);
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD. */
export class SGD implements Optimizer {
  lr: number;
  private readonly params: Tensor[];
  private readonly buffers: Tensor[];
  private steps = 0;
  constructor(private readonly named: NamedParameters, private readonly opts: SGDOptions) {
    this.lr = opts.lr;
    this.params = named.map(([, p]) => p);
    this.buffers = (opts.momentum ?? 0) !== 0 ? this.params.map((p) => keep(p.zerosLike())) : [];
  }
  step(): void {
    native.sgd_step(this.params.map((p) => p.handle), this.buffers.map((b) => b.handle), this.lr,
      this.opts.momentum ?? 0, this.opts.weightDecay ?? 0, this.opts.dampening ?? 0, this.opts.nesterov ?? false,
      this.steps === 0);
    this.steps += 1;
  }
  zeroGrad(): void {
    native.clear_grads(this.params.map((p) => p.handle));
  }
  state(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    this.buffers.forEach((b, i) => tensors.set(`momentum.${this.named[i][0]}`, b));
    return { tensors, meta: { step: this.steps, lr: this.lr } };
  }
  loadState(s: OptimizerState): void {
    this.buffers.forEach((b, i) => copyInto(b, s.tensors.get(`momentum.${this.named[i][0]}`), `momentum.${this.named[i][0]}`));
    this.steps = Number(s.meta.step);
    this.lr = Number(s.meta.lr);
  }
}

function copyInto(dst: Tensor, src: Tensor | undefined, name: string): void {
  if (!src) throw new Error(`optimizer state lacks '${name}'`);
  if (src.shape.join("x") !== dst.shape.join("x"))
    throw new Error(`optimizer state '${name}': shape ${src.shape} does not match ${dst.shape}`);
  dst.copy_(src);
}

/** Rescales gradients so their global norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native.clip_grad_norm(params.map((p) => p.handle), maxNorm, normType) as number;
}

export interface WarmupCosine {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/**
 * Linear warm-up to maxLr over warmupSteps, then cosine decay to minLr at totalSteps
 * (methods.md §1: 200 steps to 6e-4, decay to 6e-6). `step` counts from 0.
 */
export function warmupCosineLr(s: WarmupCosine, step: number): number {
  if (step < s.warmupSteps) return (s.maxLr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + 0.5 * (s.maxLr - s.minLr) * (1 + Math.cos(Math.PI * progress));
}
