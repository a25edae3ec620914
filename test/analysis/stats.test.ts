import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bootstrapSpearman,
  linearRegression,
  mean,
  meanConfidenceInterval,
  pearson,
  quantile,
  ranks,
  spearman,
  std,
  tCdf,
  tQuantile,
  variance,
} from "../../src/analysis/stats.js";
import { Rng } from "../../src/util/rng.js";
import { assertNear, normal } from "./helpers.js";

test("mean, variance and std by hand", () => {
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(mean(xs), 5);
  // Squared deviations 9+1+1+1+0+0+4+16 = 32 over n-1 = 7.
  assertNear(variance(xs), 32 / 7, 1e-12);
  assertNear(std(xs), Math.sqrt(32 / 7), 1e-12);
  assert.ok(Number.isNaN(std([1])));
  assert.ok(Number.isNaN(mean([])));
});

test("t distribution matches the closed forms for df = 1 and df = 2", () => {
  for (const t of [-30, -2.5, -0.3, 0, 0.7, 4, 100]) {
    // df = 1 is the Cauchy distribution.
    assertNear(tCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `tCdf(${t}, 1)`);
    // df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t²)).
    assertNear(tCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `tCdf(${t}, 2)`);
  }
  for (const p of [0.6, 0.9, 0.975, 0.995, 0.9995, 0.01]) {
    assertNear(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-8 * Math.max(1, Math.abs(Math.tan(Math.PI * (p - 0.5)))), `t(${p}, 1)`);
    const q2 = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    assertNear(tQuantile(p, 2), q2, 1e-9 * Math.max(1, Math.abs(q2)), `t(${p}, 2)`);
  }
});

test("t quantiles match printed tables", () => {
  const table: Array<[number, number, number]> = [
    [0.975, 5, 2.570582],
    [0.975, 10, 2.228139],
    [0.975, 30, 2.042272],
    [0.95, 4, 2.131847],
    [0.995, 20, 2.845340],
  ];
  for (const [p, df, expected] of table) assertNear(tQuantile(p, df), expected, 2e-6, `t(${p}, ${df})`);
  // Large df approaches the normal quantile 1.959964.
  assertNear(tQuantile(0.975, 1e7), 1.959964, 1e-5);
  assert.equal(tQuantile(0.5, 3), 0);
});

test("mean confidence interval by hand", () => {
  const ci = meanConfidenceInterval([1, 2, 3, 4, 5]);
  // sd = sqrt(2.5), se = sqrt(2.5)/sqrt(5) = sqrt(0.5); t(0.975, 4) = 2.776445.
  assert.equal(ci.mean, 3);
  assertNear(ci.stdErr, Math.sqrt(0.5), 1e-12);
  assertNear(ci.halfWidth, 2.776445 * Math.sqrt(0.5), 1e-5);
  assertNear(ci.lower, 3 - 2.776445 * Math.sqrt(0.5), 1e-5);
  const single = meanConfidenceInterval([7]);
  assert.ok(Number.isNaN(single.halfWidth));
  assert.throws(() => meanConfidenceInterval([]));
});

test("ranks average ties", () => {
  assert.deepEqual(Array.from(ranks([10, 20, 20, 30])), [1, 2.5, 2.5, 4]);
  assert.deepEqual(Array.from(ranks([3, 1, 3, 3, 2])), [4, 1, 4, 4, 2]);
});

test("Pearson and Spearman by hand", () => {
  const x = [1, 2, 3, 4, 5];
  const y = [2, 4, 5, 4, 5];
  // sxy = 6, sxx = 10, syy = 6.
  assertNear(pearson(x, y), 6 / Math.sqrt(60), 1e-12);
  // Ranks of y: [1, 2.5, 4.5, 2.5, 4.5]; sxy = 7, syy = 9, sxx = 10.
  assertNear(spearman(x, y), 7 / Math.sqrt(90), 1e-12);
  // No ties: rho = 1 - 6 Σd² / (n (n² - 1)) with Σd² = 4.
  assertNear(spearman(x, [2, 1, 4, 3, 5]), 1 - 24 / 120, 1e-12);
  // Monotone but nonlinear: rank correlation 1, linear correlation below 1.
  const cubes = x.map((v) => v ** 3);
  assertNear(spearman(x, cubes), 1, 1e-12);
  assert.ok(pearson(x, cubes) < 0.99);
  assert.ok(Number.isNaN(spearman(x, [1, 1, 1, 1, 1])));
});

test("quantile interpolates between order statistics", () => {
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  // Position 3 × 0.5 = 1.5: halfway between 2 and 3.
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assertNear(quantile([10, 20, 30, 40, 50], 0.1), 14, 1e-12);
});

test("linear regression by hand", () => {
  const fit = linearRegression([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
  assertNear(fit.slope, 0.6, 1e-12);
  assertNear(fit.intercept, 2.2, 1e-12);
  // Residuals -0.8, 0.6, 1, -0.6, -0.2: SS_res = 2.4 of SS_tot = 6.
  assertNear(fit.r2, 0.6, 1e-12);
  assert.throws(() => linearRegression([1, 1], [1, 2]));
});

test("bootstrap Spearman is reproducible and matches the Fisher-z width", () => {
  const rng = new Rng(11);
  const n = 200;
  const rho = 0.6;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = normal(rng);
    const v = normal(rng);
    x.push(u);
    y.push(rho * u + Math.sqrt(1 - rho * rho) * v);
  }
  const ci = bootstrapSpearman(x, y, { seed: 3 });
  assert.deepEqual(bootstrapSpearman(x, y, { seed: 3 }), ci);
  assert.notDeepEqual(bootstrapSpearman(x, y, { seed: 4 }), ci);
  assert.equal(ci.resamples, 2000);
  assert.equal(ci.degenerate, 0);
  assert.equal(ci.estimate, spearman(x, y));
  assert.ok(ci.lower < ci.estimate && ci.estimate < ci.upper);
  // Fieller et al.: atanh(r_s) has standard error about sqrt(1.06 / (n - 3)).
  const z = Math.atanh(ci.estimate);
  const half = 1.96 * Math.sqrt(1.06 / (n - 3));
  const expectedWidth = Math.tanh(z + half) - Math.tanh(z - half);
  const width = ci.upper - ci.lower;
  assert.ok(Math.abs(width - expectedWidth) < 0.25 * expectedWidth, `width ${width} vs ${expectedWidth}`);
});

test("bootstrap counts resamples where rho is undefined", () => {
  // With 3 pairs, a resample drawing one pair three times has constant x.
  const ci = bootstrapSpearman([1, 2, 3], [1, 2, 3], { resamples: 500, seed: 1 });
  assert.ok(ci.degenerate > 0 && ci.degenerate < 500);
  // Every non-degenerate resample of perfectly monotone data has rho = 1.
  assert.equal(ci.lower, 1);
  assert.equal(ci.upper, 1);
});
