// Module: a tree of named parameters. A parameter's name is its path in the tree
// (blocks.3.attn.qkv.weight), so checkpoints are named by construction.
import { Tensor, keep, noGrad } from "../torch/index.js";

export abstract class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable tensor; it outlives any tidy scope. */
  protected param(name: string, t: Tensor): Tensor {
    if (this.ownParams.has(name)) throw new Error(`parameter '${name}' registered twice`);
    keep(t);
    t.requiresGrad_(true);
    this.ownParams.set(name, t);
    return t;
  }

  /** Registers a non-trainable tensor (not saved in state dicts: it is derived). */
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.ownBuffers.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    if (this.children.has(name)) throw new Error(`submodule '${name}' registered twice`);
    this.children.set(name, m);
    return m;
  }

  /** Parameters with their dotted paths, in registration order. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.ownParams) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.numel(), 0);
  }

  train(on = true): this {
    this.training = on;
    for (const m of this.children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The parameters by name (the same tensors, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters());
  }

  /** Copies values into the existing parameters; names and shapes must match. */
  loadStateDict(state: Map<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !state.has(k));
      const unexpected = [...state.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length)
        throw new Error(`state dict mismatch: missing [${missing.slice(0, 5).join(", ")}], unexpected [${unexpected.slice(0, 5).join(", ")}]`);
    }
    noGrad(() => {
      for (const [name, p] of own) {
        const src = state.get(name);
        if (!src) continue;
        const a = p.shape.join("x");
        const b = src.shape.join("x");
        if (a !== b) throw new Error(`parameter ${name}: shape ${b} does not match the model's ${a}`);
        p.copy_(src);
      }
    });
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const t of this.ownParams.values()) t.dispose();
    for (const t of this.ownBuffers.values()) t.dispose();
    for (const m of this.children.values()) m.dispose();
  }
}

/** A numbered list of submodules (names 0, 1, 2, ...). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
}
