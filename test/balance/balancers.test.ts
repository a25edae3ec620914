// Language balancers inside a real step: each method's gradient against the same
// quantities computed independently (plain autograd of the per-language losses and the
// pure surgery/CATS functions), and a trainer with a balancer resuming bit for bit.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GPT } from "../../src/nn/gpt.js";
import { type Tensor, clearGrads, grad, manualSeed, tensor, tidy } from "../../src/torch/index.js";
import { makeBalancer, type BalanceMethod, type HeldOutLosses } from "../../src/train/balance/balancers.js";
import { PENALTY_CATS_OPTIONS, type CatsOptions, catsLagrangianUpdate, catsMetaUpdate, catsOptions, catsProblem, lookAheadCoefficients } from "../../src/train/balance/cats.js";
import { flattenGradients, selectParameters } from "../../src/train/balance/per-language-grads.js";
import { gradvac, initialGradVacState, pcgrad } from "../../src/train/balance/surgery.js";
import { sequenceLosses, trainLanguageModel, type StepRecord } from "../../src/train/trainer.js";
import type { BatchSource, LanguageBatch } from "../../src/train/clone-batches.js";
import { Rng, type RngState } from "../../src/util/rng.js";
import { assertClose } from "../helpers.js";

const V = 40;
const T = 8;
const ROWS = 6;

function model(seed = 1): GPT {
  manualSeed(seed);
  return new GPT({ vocabSize: V, dModel: 16, layers: 1, heads: 2, seqLen: T, dtype: "float64" });
}

function batchTokens(seed: number): Tensor {
  const rng = new Rng(seed);
  return tensor(Int32Array.from({ length: ROWS * (T + 1) }, () => rng.int(V)), { shape: [ROWS, T + 1], dtype: "int64" });
}

const LANGS = Int32Array.from([0, 1, 0, 2, 1, 0]);

function gradsOf(m: GPT): Float64Array {
  const ps = m.parameters();
  return flattenGradients(ps.map((p) => p.grad), ps);
}

/** Language n's share of the batch loss, computed directly. */
function share(seqLoss: Tensor, n: number): Tensor {
  const idx = [...LANGS.keys()].filter((b) => LANGS[b] === n);
  return seqLoss.indexSelect(0, tensor(idx, { dtype: "int64" })).sum().div(ROWS);
}

describe("language balancers in a step", () => {
  it("'none' leaves the gradient of the plain mean", () => {
    const m = model();
    const subset = selectParameters(m.namedParameters());
    tidy(() => {
      const tokens = batchTokens(3);
      const expected = flattenGradients(grad(sequenceLosses(m, tokens).mean(), m.parameters()), m.parameters());
      makeBalancer({ method: "none", languages: 3, subset, seed: 0 }).backward({ seqLoss: sequenceLosses(m, tokens), langs: LANGS, step: 1 });
      assertClose(gradsOf(m), expected, 1e-12, "grad");
    });
  });

  it("PCGrad and GradVac apply the surgery of the per-language shares; the shares sum to the plain gradient", () => {
    for (const method of ["pcgrad", "gradvac"] as const) {
      const m = model();
      const subset = selectParameters(m.namedParameters(), (name) => name.startsWith("blocks."));
      tidy(() => {
        const tokens = batchTokens(5);
        const seqLoss = sequenceLosses(m, tokens);
        const shares = [0, 1, 2].map((n) => flattenGradients(grad(share(seqLoss, n), subset.params, { retainGraph: true, allowUnused: true }), subset.params));
        const plainAll = flattenGradients(grad(seqLoss.mean(), m.parameters(), { retainGraph: true }), m.parameters());
        const summed = shares[0].map((x, i) => x + shares[1][i] + shares[2][i]);
        const expected = method === "pcgrad"
          ? pcgrad(shares, new Rng(9)).combined
          : gradvac(shares, initialGradVacState(3), { beta: 0.01 }, new Rng(9)).combined;
        // The three languages conflict somewhere, or the check below would be vacuous.
        assert.ok(expected.some((x, i) => Math.abs(x - summed[i]) > 1e-9), `${method}: surgery changed nothing`);

        makeBalancer({ method, languages: 3, subset, seed: 9 }).backward({ seqLoss: sequenceLosses(m, tokens), langs: LANGS, step: 1 });
        const got = flattenGradients(subset.params.map((p) => p.grad), subset.params);
        assertClose(got, expected, 1e-10, `${method} subset grad`);
        // Parameters outside the subset keep the plain gradient.
        const plainHead = flattenGradients(grad(seqLoss.mean(), [m.lm_head.weight], { retainGraph: true }), [m.lm_head.weight]);
        assertClose(flattenGradients([m.lm_head.weight.grad], [m.lm_head.weight]), plainHead, 1e-12, `${method} lm_head`);
        // Sum of shares = plain gradient over the subset.
        const names = m.namedParameters().map(([n]) => n);
        let offset = 0;
        const plainSubset: number[] = [];
        m.parameters().forEach((p, k) => {
          const n = p.numel();
          if (subset.names.includes(names[k])) plainSubset.push(...plainAll.subarray(offset, offset + n));
          offset += n;
        });
        assertClose(summed, plainSubset, 1e-10, "shares sum");
      });
      clearGrads(m.parameters());
    }
  });

  it("PCGrad over every parameter leaves the surgery's gradient everywhere", () => {
    const m = model();
    const subset = selectParameters(m.namedParameters());
    assert.equal(subset.rest.length, 0);
    tidy(() => {
      const tokens = batchTokens(5);
      const seqLoss = sequenceLosses(m, tokens);
      const shares = [0, 1, 2].map((n) => flattenGradients(grad(share(seqLoss, n), subset.params, { retainGraph: true, allowUnused: true }), subset.params));
      const expected = pcgrad(shares, new Rng(4)).combined;
      makeBalancer({ method: "pcgrad", languages: 3, subset, seed: 4 }).backward({ seqLoss: sequenceLosses(m, tokens), langs: LANGS, step: 1 });
      assertClose(gradsOf(m), expected, 1e-10, "all-parameter grad");
    });
  });

  it("CATS (penalty form) starts as the plain mean and updates alpha from held-out losses and gradients by the documented Lagrangian", () => {
    const m = model();
    const subset = selectParameters(m.namedParameters());
    const heldTokens = [11, 12, 13].map(batchTokens);
    const heldOut: HeldOutLosses = () => heldTokens.map((t) => sequenceLosses(m, t).mean());
    const options = { ...PENALTY_CATS_OPTIONS, updateInterval: 2, metaSteps: 3, metaLearningRate: 0.05, lambdaCurvature: 0.5 };
    const b = makeBalancer({ method: "cats", languages: 3, subset, seed: 0, cats: options, heldOut });
    tidy(() => {
      const tokens = batchTokens(3);
      const expected = flattenGradients(grad(sequenceLosses(m, tokens).mean(), m.parameters()), m.parameters());
      const w1 = b.backward({ seqLoss: sequenceLosses(m, tokens), langs: LANGS, step: 1 });
      assertClose(w1, [1, 1, 1], 1e-15, "uniform scales");
      assertClose(gradsOf(m), expected, 1e-12, "grad at uniform alpha");
    });
    clearGrads(m.parameters());
    // Step 2 ends an update interval: alpha moves as catsMetaUpdate says.
    const problem = tidy(() => {
      const losses = heldOut(2);
      return catsProblem(losses.map((l) => l.item()), losses.map((l) => flattenGradients(grad(l, subset.params, { retainGraph: true }), subset.params)));
    });
    const next = catsMetaUpdate([1 / 3, 1 / 3, 1 / 3], problem, { curvature: 0.5, floor: [0, 0, 0] }, catsOptions(options)).alpha;
    tidy(() => b.backward({ seqLoss: sequenceLosses(m, batchTokens(4)), langs: LANGS, step: 2 }));
    clearGrads(m.parameters());
    assert.ok(next.some((a) => Math.abs(a - 1 / 3) > 1e-6), "the update moved alpha");
    tidy(() => {
      const tokens = batchTokens(6);
      const w3 = b.backward({ seqLoss: sequenceLosses(m, tokens), langs: LANGS, step: 3 });
      assertClose(w3, next.map((a) => 3 * a), 1e-12, "scales after the update");
      const seqLoss = sequenceLosses(m, tokens);
      const rows = Float64Array.from(LANGS, (l) => 3 * next[l]);
      const expected = flattenGradients(grad(seqLoss.mul(tensor(rows, { dtype: "float64" })).sum().div(ROWS), m.parameters()), m.parameters());
      assertClose(gradsOf(m), expected, 1e-10, "weighted grad");
    });
  });

  it("CATS (Lagrangian form, look-ahead): training-sequence gradients against held-out ones, as computed independently", () => {
    const m = model();
    const subset = selectParameters(m.namedParameters());
    const heldTokens = [11, 12, 13].map(batchTokens);
    const trainTokens = [21, 22, 23].map(batchTokens);
    const heldOut: HeldOutLosses = () => heldTokens.map((t) => sequenceLosses(m, t).mean());
    const training: HeldOutLosses = () => trainTokens.map((t) => sequenceLosses(m, t).mean());
    const options: Partial<CatsOptions> = { form: "lagrangian", source: "training", objective: "look-ahead", lookAheadStep: 0.5, updateInterval: 1, metaSteps: 2, curvatureBudget: 0.5 };
    assert.throws(() => makeBalancer({ method: "cats", languages: 3, subset, seed: 0, cats: options, heldOut }), /training batches/);
    assert.throws(() => makeBalancer({ method: "cats", languages: 3, subset, seed: 0, cats: options, training }), /held-out batches/);
    const b = makeBalancer({ method: "cats", languages: 3, subset, seed: 0, cats: options, heldOut, training });
    const expected = tidy(() => {
      const flat = (l: Tensor) => flattenGradients(grad(l, subset.params, { retainGraph: true }), subset.params);
      const held = heldOut(1);
      const train = training(1);
      const trainGrads = train.map(flat);
      const problem = catsProblem(train.map((l) => l.item()), trainGrads);
      problem.losses = lookAheadCoefficients(held.map((l) => l.item()), held.map(flat), trainGrads, 0.5);
      return catsLagrangianUpdate(problem, { curvature: 1, floor: [0, 0, 0] }, catsOptions(options)).alpha;
    });
    tidy(() => b.backward({ seqLoss: sequenceLosses(m, batchTokens(4)), langs: LANGS, step: 1 }));
    clearGrads(m.parameters());
    const w2 = tidy(() => b.backward({ seqLoss: sequenceLosses(m, batchTokens(6)), langs: LANGS, step: 2 }));
    clearGrads(m.parameters());
    assertClose(w2, expected.map((a) => 3 * a), 1e-12, "scales after the update");
    assert.ok(expected.some((a) => Math.abs(a - 1 / 3) > 1e-3), `the update moved alpha: ${expected}`);
  });
});

/** A seeded synthetic batch source with resumable state. */
class SyntheticBatches implements BatchSource {
  readonly languages = ["a", "b", "c"];
  private rng = new Rng(21);
  next(): LanguageBatch {
    const tokens = Int32Array.from({ length: ROWS * (T + 1) }, () => this.rng.int(V));
    const langs = Int32Array.from({ length: ROWS }, () => this.rng.int(3));
    return { tokens, langs };
  }
  state(): RngState {
    return this.rng.state();
  }
  restore(s: unknown): void {
    this.rng.restore(s as RngState);
  }
}

async function train(method: BalanceMethod, dir: string, stops: number[], cats: Partial<CatsOptions> = {}): Promise<{ records: StepRecord[]; params: Float64Array }> {
  const m = model(4);
  const subset = selectParameters(m.namedParameters());
  const held = [31, 32, 33].map(batchTokens);
  // A different window of "training" sequences at every update, as the study's runs take them.
  const training = (step: number) => [0, 1, 2].map((n) => sequenceLosses(m, batchTokens(100 * step + n)).mean());
  const records: StepRecord[] = [];
  for (const steps of stops) {
    const balancer = makeBalancer({ method, languages: 3, subset, seed: 2, cats: { updateInterval: 2, ...cats }, heldOut: () => held.map((t) => sequenceLosses(m, t).mean()), training });
    await trainLanguageModel({
      model: m, batches: new SyntheticBatches(), steps, balancer, progress: false,
      schedule: { maxLr: 1e-2, minLr: 1e-3, warmupSteps: 1, totalSteps: 6 }, adam: { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 }, clip: 1,
      checkpointPath: join(dir, "ckpt.safetensors"), checkpointEvery: 100, evalEvery: 100,
      onStep: (r) => records.push(r), onResume: (s) => records.splice(s),
    });
  }
  const ps = m.parameters();
  return { records, params: flattenGradients(ps, ps) };
}

describe("trainer with a balancer", () => {
  for (const method of ["cats", "gradvac", "gradnorm"] as const) {
    it(`${method}: stopping at step 3 and resuming gives the uninterrupted run's weights and language weights`, async () => {
      const whole = await train(method, mkdtempSync(join(tmpdir(), "xling-bal-")), [6]);
      const resumed = await train(method, mkdtempSync(join(tmpdir(), "xling-bal-")), [3, 6]);
      assert.deepEqual(resumed.params, whole.params);
      assert.deepEqual(resumed.records.map((r) => r.langWeight), whole.records.map((r) => r.langWeight));
      assert.equal(whole.records.length, 6);
      if (method !== "gradvac") assert.ok(whole.records.some((r) => r.langWeight!.a !== 1), `${method} weights never moved`);
    });
  }
  for (const [name, cats] of [["penalty form", PENALTY_CATS_OPTIONS], ["Lagrangian form with look-ahead", { objective: "look-ahead" }]] as [string, Partial<CatsOptions>][]) {
    it(`cats (${name}): stopping at step 3 and resuming gives the uninterrupted run's weights, language weights and multiplier`, async () => {
      const whole = await train("cats", mkdtempSync(join(tmpdir(), "xling-bal-")), [6], cats);
      const resumed = await train("cats", mkdtempSync(join(tmpdir(), "xling-bal-")), [3, 6], cats);
      assert.deepEqual(resumed.params, whole.params);
      assert.deepEqual(resumed.records.map((r) => r.langWeight), whole.records.map((r) => r.langWeight));
      assert.ok(whole.records.some((r) => r.langWeight!.a !== 1), "weights never moved");
    });
  }
});
