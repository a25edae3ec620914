import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fitPowerLaw,
  invertPowerLaw,
  powerLawValue,
  tokenEfficiency,
  tokenEfficiencyDetail,
} from "../../src/analysis/powerlaw.js";
import { Rng } from "../../src/util/rng.js";
import { assertNear, normal } from "./helpers.js";

const fractions = [1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1];

function curve(c: number, a: number, b: number, xs: number[]): number[] {
  return xs.map((x) => c - a * Math.pow(x, -b));
}

test("recovers exact parameters over data fractions and several exponents", () => {
  for (const [c, a, b] of [
    [0.06, 0.01, 0.35],
    [0.04, 0.002, 1],
    [0.05, 0.03, 0.1],
    [0.03, 1e-4, 2.5],
  ] as const) {
    const fit = fitPowerLaw(fractions, curve(c, a, b, fractions));
    assertNear(fit.c, c, 1e-7 * c, "c");
    assertNear(fit.a, a, 1e-6 * a, "a");
    assertNear(fit.b, b, 1e-6 * b, "b");
    assert.ok(fit.rss < 1e-20, `rss ${fit.rss}`);
    assertNear(fit.r2, 1, 1e-10, "r2");
    assert.equal(fit.converged, true);
    assert.equal(fit.tooFewPoints, false);
  }
});

test("recovers exact parameters when x is a token count", () => {
  const tokens = [1e7, 3e7, 1e8, 3e8, 1e9];
  const fit = fitPowerLaw(tokens, curve(0.05, 3, 0.3, tokens));
  assertNear(fit.c, 0.05, 1e-8, "c");
  assertNear(fit.a, 3, 1e-5, "a");
  assertNear(fit.b, 0.3, 1e-6, "b");
  assert.deepEqual(fit.xRange, [1e7, 1e9]);
  assert.equal(fit.illConditioned, false);
  assert.deepEqual(fit.warnings, []);
});

test("noisy data: truth within the standard errors, which match the spread over replicates", () => {
  const [c, a, b] = [0.05, 0.012, 0.4];
  const clean = curve(c, a, b, fractions);
  const noise = 2e-4;
  const rng = new Rng(5);
  const estimates: number[][] = [];
  const reportedSe: number[][] = [];
  for (let rep = 0; rep < 200; rep++) {
    const y = clean.map((v) => v + noise * normal(rng));
    const fit = fitPowerLaw(fractions, y);
    estimates.push([fit.c, fit.a, fit.b]);
    reportedSe.push([fit.stdErr.c, fit.stdErr.a, fit.stdErr.b]);
    if (rep === 0) {
      assert.ok(fit.r2 > 0.99 && fit.r2 < 1, `r2 ${fit.r2}`);
      assertNear(fit.rmse, Math.sqrt(fit.rss / fit.n), 1e-15);
      // Well inside 4 standard errors of the truth.
      assert.ok(Math.abs(fit.c - c) < 4 * fit.stdErr.c, "c outside 4 SE");
      assert.ok(Math.abs(fit.a - a) < 4 * fit.stdErr.a, "a outside 4 SE");
      assert.ok(Math.abs(fit.b - b) < 4 * fit.stdErr.b, "b outside 4 SE");
    }
  }
  for (let p = 0; p < 3; p++) {
    const vals = estimates.map((e) => e[p]!);
    const m = vals.reduce((s, v) => s + v, 0) / vals.length;
    const spread = Math.sqrt(vals.reduce((s, v) => s + (v - m) ** 2, 0) / (vals.length - 1));
    const se = reportedSe.map((s) => s[p]!).sort((u, v) => u - v)[100]!; // median reported SE
    assert.ok(se > spread / 1.6 && se < spread * 1.6, `parameter ${p}: median SE ${se} vs replicate spread ${spread}`);
    assert.ok(Math.abs(m - [c, a, b][p]!) < 3 * spread, `parameter ${p}: estimates centred on ${m}`);
  }
});

test("few points and narrow ranges are flagged, not silently accepted", () => {
  const four = [0.125, 0.25, 0.5, 1];
  const fit4 = fitPowerLaw(four, curve(0.05, 0.01, 0.5, four));
  assert.equal(fit4.tooFewPoints, true);
  assert.ok(fit4.warnings.some((w) => w.includes("4 points")));

  const three = [0.25, 0.5, 1];
  const fit3 = fitPowerLaw(three, curve(0.05, 0.01, 0.5, three));
  assert.ok(Number.isNaN(fit3.stdErr.b));

  const narrow = [1, 1.01, 1.02, 1.03, 1.04, 1.05];
  const fitNarrow = fitPowerLaw(narrow, curve(0.05, 0.01, 0.5, narrow));
  assert.equal(fitNarrow.illConditioned, true);
  assert.ok(fitNarrow.warnings.some((w) => w.startsWith("ill-conditioned")));
  // Noise on a narrow range leaves the exponent undetermined, and the fit says so.
  const noisy = curve(0.05, 0.01, 0.5, narrow).map((v, i) => v + (i % 2 ? 1e-5 : -1e-5));
  assert.ok(fitPowerLaw(narrow, noisy).warnings.some((w) => w.includes("poorly determined")));

  assert.throws(() => fitPowerLaw([1, 1, 2, 2], [0.1, 0.1, 0.2, 0.2]), /distinct/);
  assert.throws(() => fitPowerLaw([0, 1, 2], [0.1, 0.2, 0.3]), /positive/);
});

test("inversion round-trips and refuses values at or above the asymptote", () => {
  const p = { c: 0.05, a: 0.01, b: 0.4 };
  for (const x of [1e-3, 0.1, 1, 7, 1e4]) {
    const back = invertPowerLaw(p, powerLawValue(p, x));
    assertNear(back, x, 1e-9 * x, `x = ${x}`);
  }
  assert.ok(Number.isNaN(invertPowerLaw(p, 0.05)));
  assert.ok(Number.isNaN(invertPowerLaw(p, 0.06)));
});

test("token efficiency by hand", () => {
  // 1/PPL = 0.05 - 0.02 / sqrt(x): PPL 25 means 1/PPL = 0.04, reached at x = 4.
  const fit = { c: 0.05, a: 0.02, b: 0.5, xRange: [0.1, 1] as [number, number] };
  assertNear(tokenEfficiency(fit, 25, 2), 2, 1e-12);
  const detail = tokenEfficiencyDetail(fit, 25, 1e9, { tokensPerUnitX: 1e9 });
  assertNear(detail.equivalentX, 4, 1e-12);
  assertNear(detail.equivalentTokens, 4e9, 1e-3);
  assertNear(detail.teff, 4, 1e-12);
  assert.equal(detail.extrapolated, true);
  assert.equal(detail.outOfRange, false);
  // 1/PPL = 0.04 at x = 4, and x = 0.25 gives 0.05 - 0.04 = 0.01, PPL 100, inside the range.
  const inside = tokenEfficiencyDetail(fit, 100, 0.5);
  assertNear(inside.equivalentX, 0.25, 1e-12);
  assert.equal(inside.extrapolated, false);
  // PPL 20 means 1/PPL = 0.05 = c: no amount of monolingual data gets there.
  const beyond = tokenEfficiencyDetail(fit, 20, 1);
  assert.equal(beyond.outOfRange, true);
  assert.ok(Number.isNaN(beyond.teff));
});
