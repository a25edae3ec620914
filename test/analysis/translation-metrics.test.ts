// BLEU and chrF against NLTK (Debian's python3-nltk, through scripts/reference/) on the
// same tokens, hand-worked cases, 13a tokenisation, and the bootstrap's behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/util/package-root.js";
import {
  bootstrapMetric, corpusBleu, corpusBleuTokens, corpusChrf, pairedBootstrap, sentenceChrf, tokenize13a, translationStatistics,
} from "../../src/analysis/translation-metrics.js";
import { assertNear } from "./helpers.js";

const split = (s: string) => s.split(" ");

// Every hypothesis has at least 4 tokens (where NLTK's and sacrebleu's denominators agree).
const HYPS_A = [
  "the cat sat on the mat today", "a quick brown fox jumps over the lazy dog", "it is a guide to the debian system",
  "the package manager installs software for you", "please read the manual before you start",
].map(split);
const REFS_A = [
  "the cat is sitting on the mat today", "the quick brown fox jumped over the lazy dog", "this is a guide to the debian system",
  "the package manager installs the software", "read the manual first before starting",
].map(split);
// No 4-gram matches anywhere: smoothing decides the score.
const HYPS_B = ["one two three four five", "red green blue black white"].map(split);
const REFS_B = ["one two three five four six", "red green black blue white"].map(split);

const CHRF_HYPS = ["Das Haus ist groß und schön.", "le chat est assis", "El perro corre rápido", "ab", "völlig anders geschrieben"];
const CHRF_REFS = ["Das Haus ist sehr groß.", "le chat s'est assis sur le tapis", "El perro corre muy rápido", "abc", "nichts gemeinsam hier"];

function nltk(input: object): { bleu: Record<string, number>; sentenceChrf: number[]; corpusChrf: number } | null {
  const python = process.env.XLING_PYTHON ?? "/usr/bin/python3";
  if (!existsSync(python)) return null;
  const r = spawnSync(python, [join(packageRoot(), "scripts/reference/nltk_translation_metrics.py")], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`NLTK reference failed (install Debian's python3-nltk: scripts/setup.sh --tests): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test("corpus BLEU equals NLTK's corpus_bleu (smoothing none, floor, exp) on the same tokens", (t) => {
  for (const [hyps, refs] of [[HYPS_A, REFS_A], [HYPS_B, REFS_B]]) {
    const ref = nltk({ hyps, refs, chrfHyps: [], chrfRefs: [], beta: 2 });
    if (!ref) return t.skip("python3 absent: the NLTK comparison needs Debian's python3 and python3-nltk");
    for (const smoothing of ["none", "floor", "exp"] as const)
      assertNear(corpusBleuTokens(hyps, refs, { smoothing }).score, 100 * ref.bleu[smoothing], 1e-6, `BLEU ${smoothing}`);
  }
  // Corpus B really exercises smoothing: no 4-gram match, so "none" is 0 and the others are not.
  assert.equal(corpusBleuTokens(HYPS_B, REFS_B, { smoothing: "none" }).score, 0);
  assert.ok(corpusBleuTokens(HYPS_B, REFS_B, { smoothing: "exp" }).score > 1);
});

test("sentence and corpus chrF equal NLTK's sentence_chrf and corpus_chrf (beta 2 and 3)", (t) => {
  for (const beta of [2, 3]) {
    const ref = nltk({ hyps: [], refs: [], chrfHyps: CHRF_HYPS, chrfRefs: CHRF_REFS, beta });
    if (!ref) return t.skip("python3 absent: the NLTK comparison needs Debian's python3 and python3-nltk");
    CHRF_HYPS.forEach((h, i) => assertNear(sentenceChrf(h, CHRF_REFS[i], { beta }), 100 * ref.sentenceChrf[i], 1e-6, `chrF sentence ${i} beta ${beta}`));
    assertNear(corpusChrf(CHRF_HYPS, CHRF_REFS, { beta, average: "macro" }), 100 * ref.corpusChrf, 1e-6, `corpus chrF beta ${beta}`);
  }
});

test("BLEU by hand: precisions 5/6, 3/5, 1/4 and a smoothed 4-gram 1/(2*3); then a brevity penalty", () => {
  const one = corpusBleuTokens([split("the cat sat on the mat")], [split("the cat is on the mat")]);
  assertNear(one.score, 100 * (1 / 48) ** 0.25, 1e-9, "equal lengths");
  assert.equal(one.brevityPenalty, 1);
  // 5 tokens against 6: p = 5/5, 3/4, 1/3, 1/(2*2); BP = exp(1 - 6/5).
  const short = corpusBleuTokens([split("the cat on the mat")], [split("the cat is on the mat")]);
  assertNear(short.score, 100 * Math.exp(-0.2) * 0.5, 1e-9, "brevity");
  // Both as one corpus: the statistics are summed before the geometric mean.
  const both = corpusBleuTokens([split("the cat sat on the mat"), split("the cat on the mat")], [split("the cat is on the mat"), split("the cat is on the mat")]);
  const expected = 100 * Math.exp(1 - 12 / 11) * ((10 / 11) * (6 / 9) * (2 / 7) * (1 / 10)) ** 0.25;
  assertNear(both.score, expected, 1e-9, "corpus");
  assert.equal(corpusBleuTokens([split("a b c d")], [split("a b c d")]).score, 100);
  assert.equal(corpusBleuTokens([split("x y z w")], [split("a b c d")]).score, 0);
});

test("13a tokenisation splits punctuation, keeps numbers and hyphenated words, unescapes entities", () => {
  assert.deepEqual(tokenize13a("Hello, world."), ["Hello", ",", "world", "."]);
  assert.deepEqual(tokenize13a("It costs $3.50, ok?"), ["It", "costs", "$", "3.50", ",", "ok", "?"]);
  assert.deepEqual(tokenize13a("1990-2000 and e-mail"), ["1990", "-", "2000", "and", "e-mail"]);
  assert.deepEqual(tokenize13a("&quot;Yes&quot; &amp; no"), ['"', "Yes", '"', "&", "no"]);
  assert.deepEqual(tokenize13a("apt-get (install)"), ["apt-get", "(", "install", ")"]);
  // Detokenised BLEU is BLEU of the 13a tokens.
  assertNear(corpusBleu(["Hello, world."], ["Hello, world!"]).score, corpusBleuTokens([["Hello", ",", "world", "."]], [["Hello", ",", "world", "!"]]).score, 1e-12);
});

test("chrF ignores whitespace and is 100 for identical text; micro and macro differ on unequal sentences", () => {
  assert.equal(sentenceChrf("the cat sat", "thecatsat"), 100);
  // Orders longer than the text have no n-grams and score 0, as in NLTK (sacrebleu drops them).
  assert.equal(sentenceChrf("abc", "abc"), 50);
  const micro = corpusChrf(CHRF_HYPS, CHRF_REFS);
  const macro = corpusChrf(CHRF_HYPS, CHRF_REFS, { average: "macro" });
  assert.ok(micro > 0 && micro < 100 && Math.abs(micro - macro) > 1e-3);
  assert.throws(() => corpusChrf(["a"], []), /1 hypotheses but 0 references/);
});

test("bootstrap: intervals hold the estimate, are seeded, and a paired test tells a better system from a worse one", () => {
  const refs = Array.from({ length: 40 }, (_, i) => `sentence number ${i} says something about topic ${i % 7} here`);
  const good = refs.map((r, i) => (i % 5 === 0 ? r.replace("something", "anything") : r));
  const bad = refs.map((r, i) => (i % 2 === 0 ? "completely different words" : r.replace("about", "of")));
  const g = translationStatistics(good, refs);
  const b = translationStatistics(bad, refs);
  const ci = bootstrapMetric(g.bleu, { seed: 3, resamples: 300 });
  assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper && ci.upper - ci.lower > 0);
  assert.deepEqual(bootstrapMetric(g.bleu, { seed: 3, resamples: 300 }), ci);
  // (The good system's BLEU takes few distinct values; the bad one's chrF varies more.)
  assert.notDeepEqual(bootstrapMetric(b.chrf, { seed: 4, resamples: 300 }), bootstrapMetric(b.chrf, { seed: 3, resamples: 300 }));
  const cmp = pairedBootstrap(b.chrf, g.chrf, { seed: 1, resamples: 300 });
  assert.ok(cmp.delta > 0 && cmp.lower > 0 && cmp.pValue < 0.01, JSON.stringify(cmp));
  const same = pairedBootstrap(g.bleu, g.bleu, { seed: 1, resamples: 100 });
  assert.equal(same.delta, 0);
  assert.equal(same.pValue, 1);
});
