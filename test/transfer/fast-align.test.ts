import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readBibleVerses } from "../../src/data/corpora/bible.js";
import { corpusAlignmentErrorRate, parseGoldAlignments } from "../../src/transfer/aer.js";
import { alignBidirectional, alignerWordPairs, trainBidirectional, trainFastAlign } from "../../src/transfer/fast-align.js";
import { intersection, union, type Link } from "../../src/transfer/symmetrize.js";
import { tokenizeWords, type TokenizedPair } from "../../src/transfer/tokenize.js";
import { packageRoot } from "../../src/util/package-root.js";
import { Rng } from "../../src/util/rng.js";

/** Toy corpus: target word k translates source word k; word order kept, one random swap in half the sentences. */
function toyCorpus(sentences: number, seed: number): TokenizedPair[] {
  const rng = new Rng(seed);
  const out: TokenizedPair[] = [];
  for (let k = 0; k < sentences; k++) {
    const words = Array.from({ length: 3 + rng.int(6) }, () => rng.int(30));
    const tgt = words.map((w) => `t${w}`);
    if (rng.float() < 0.5 && tgt.length > 2) {
      const i = rng.int(tgt.length - 1);
      [tgt[i], tgt[i + 1]] = [tgt[i + 1]!, tgt[i]!];
    }
    out.push({ src: words.map((w) => `s${w}`), tgt });
  }
  return out;
}

describe("FastAlign-style aligner", () => {
  it("EM never lowers the likelihood (maximum-likelihood updates)", () => {
    const model = trainFastAlign(toyCorpus(300, 1), { iterations: 8, variationalBayes: false });
    const ll = model.history.map((h) => h.logLikelihood);
    for (let i = 1; i < ll.length; i++) assert.ok(ll[i]! >= ll[i - 1]! - 1e-6 * Math.abs(ll[i - 1]!), `iteration ${i + 1}: ${ll[i]} < ${ll[i - 1]}`);
    assert.ok(model.tension > 0);
  });

  it("recovers the toy lexicon and aligns a new sentence", () => {
    const models = trainBidirectional(toyCorpus(400, 2));
    for (const w of [0, 7, 29]) {
      const p = models.forward.translationProbability(`s${w}`, `t${w}`);
      assert.ok(p > 0.5, `t(t${w} | s${w}) = ${p}`);
    }
    const sentence = { src: ["s3", "s11", "s5", "s20"], tgt: ["t3", "t5", "t11", "t20"] };
    const { symmetric } = alignBidirectional(models, [sentence]);
    assert.deepEqual(symmetric[0], [[0, 0], [1, 2], [2, 1], [3, 3]]);
    // Identical strings are dropped from word pairs; distinct ones kept.
    const pairs = alignerWordPairs(models, [sentence, { src: ["s1", "s2"], tgt: ["s1", "t2"] }]);
    assert.ok(pairs.every((p) => p.src !== p.tgt));
    assert.equal(pairs.filter((p) => p.sentence === 0).length, 4);
  });

  // Training on the first 20,000 KJV - Reina Valera 1909 verses (Genesis to Psalms,
  // which hold every hand-aligned verse) takes about 25 s on one core; all 30,642
  // take about 50 s, over the time this test may use.
  const TRAIN_VERSES = 20000;

  it("reaches a low alignment error rate on hand-aligned Bible verses", async (t) => {
    const gold = parseGoldAlignments(readFileSync(join(packageRoot(), "test/transfer/fixtures/kjv-rv1909-gold.txt"), "utf8"));
    assert.ok(gold.length >= 20);
    const corpus: TokenizedPair[] = [];
    const byRef = new Map<string, TokenizedPair>();
    for await (const v of readBibleVerses(["kjv", "sparv"])) {
      if (corpus.length >= TRAIN_VERSES) break;
      const p = { src: tokenizeWords(v.texts.kjv!), tgt: tokenizeWords(v.texts.sparv!) };
      corpus.push(p);
      byRef.set(v.ref, p);
    }
    for (const g of gold) {
      // The gold tokens must be what the tokenizer makes of the corpus text, or indices would drift.
      const p = byRef.get(g.ref);
      assert.ok(p, `${g.ref} is not among the training verses`);
      assert.deepEqual(p.src, g.src, `${g.ref} source tokens`);
      assert.deepEqual(p.tgt, g.tgt, `${g.ref} target tokens`);
    }
    const started = Date.now();
    const models = trainBidirectional(corpus);
    t.diagnostic(`trained both directions on ${corpus.length} verse pairs in ${((Date.now() - started) / 1000).toFixed(1)} s; tension ${models.forward.tension.toFixed(2)} / ${models.reverse.tension.toFixed(2)}`);
    const aligned = alignBidirectional(models, gold);
    const aer = (links: Link[][]) => corpusAlignmentErrorRate(links, gold);
    const forward = aer(aligned.forward);
    const reverse = aer(aligned.reverse);
    const gdfa = aer(aligned.symmetric);
    const inter = aer(aligned.forward.map((f, k) => intersection(f, aligned.reverse[k]!)));
    const uni = aer(aligned.forward.map((f, k) => union(f, aligned.reverse[k]!)));
    // Baseline with no training: every target token linked to the source token on the diagonal.
    const diagonal = aer(gold.map((g) => g.tgt.map((_, j) => [Math.min(g.src.length - 1, Math.floor(((j + 0.5) * g.src.length) / g.tgt.length)), j] as Link)));
    t.diagnostic(`AER forward ${forward.toFixed(4)} reverse ${reverse.toFixed(4)} grow-diag-final-and ${gdfa.toFixed(4)} intersection ${inter.toFixed(4)} union ${uni.toFixed(4)} diagonal baseline ${diagonal.toFixed(4)}`);
    // Measured (20,000 verses, defaults): forward 0.109, reverse 0.105, grow-diag-final-and 0.110,
    // intersection 0.073, union 0.135, diagonal baseline far higher. The bounds leave room for
    // small changes but fail if training or symmetrisation breaks:
    assert.ok(gdfa < 0.15, `grow-diag-final-and AER ${gdfa}`);
    assert.ok(gdfa < diagonal - 0.2, `no better than the diagonal: ${gdfa} vs ${diagonal}`);
    // On this set grow-diag-final-and is level with the single directions (within 0.01 of the
    // worse one), clearly below the union, and the intersection (high precision) beats both directions.
    assert.ok(gdfa <= Math.max(forward, reverse) + 0.01, `grow-diag-final-and ${gdfa} vs directions ${forward}, ${reverse}`);
    assert.ok(gdfa < uni, `grow-diag-final-and ${gdfa} vs union ${uni}`);
    assert.ok(inter < Math.min(forward, reverse), `intersection ${inter} vs directions ${forward}, ${reverse}`);
  });
});
