// Hierarchical multi-round planning of the initial experts: a later round's expert
// branches from its nearest expert of an earlier round.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { planStudy } from "../../src/studies/experts/btm.js";
import { parseExpertStudy } from "../../src/studies/experts/spec.js";
import { tinyStudy } from "./helpers.js";

describe("expert rounds", () => {
  const dir = mkdtempSync(join(tmpdir(), "xling-rounds-"));
  // en = (1,0,0), fr = (0,1,0), es = (0,1,1), pt = (0,0,1): es is nearest fr (cos distance 1 - 1/sqrt 2), then en (1).
  const features = join(dir, "features.csv");
  writeFileSync(features, "language,a,b,c\nen,1,0,0\nfr,0,1,0\nes,0,1,1\npt,0,0,1\n");
  const experts = (rounds: number) => ({
    k: 3, languages: ["en", "fr", "es"], partition: { method: "language-map", map: { en: 0, fr: 1, es: 2 } },
    similarity: { method: "typological", features }, steps: 4, rounds,
  });

  it("round 0 from the seed; expert-2 (round 1 of 2) from its nearest earlier expert, expert-1 (fr)", async () => {
    const plan = await planStudy(parseExpertStudy(tinyStudy({ experts: experts(2) })), join(dir, "two"));
    assert.deepEqual(plan.experts.map((e) => e.config.init?.from), ["seed", "seed", "expert-1"]);
    assert.equal(plan.experts[2]!.config.init!.path, join(plan.experts[1]!.dir, "model.safetensors"));
    assert.equal(plan.branched.length, 1);
    assert.equal(plan.branched[0]!.parent, 1);
    assert.ok(Math.abs(plan.branched[0]!.distances[1]! - (1 - Math.SQRT1_2)) < 1e-12);
    assert.equal(plan.branched[0]!.distances[0], 1);
  });

  it("three rounds chain: expert-1 from expert-0, expert-2 from the nearer of the two", async () => {
    const plan = await planStudy(parseExpertStudy(tinyStudy({ experts: experts(3) })), join(dir, "three"));
    assert.deepEqual(plan.experts.map((e) => e.config.init?.from), ["seed", "expert-0", "expert-1"]);
  });

  it("one round (the default) branches every initial expert from the seed; too many rounds are refused", async () => {
    const plan = await planStudy(parseExpertStudy(tinyStudy({ experts: experts(1) })), join(dir, "one"));
    assert.deepEqual(plan.experts.map((e) => e.config.init?.from), ["seed", "seed", "seed"]);
    assert.throws(() => parseExpertStudy(tinyStudy({ experts: experts(4) })), /experts\.rounds: 4 rounds for 3 experts/);
  });
});
