import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { buildManifest, cachePathFor, countText, filterSplit, splitOf } from "../../src/data/manifest.js";
import { DataError } from "../../src/data/errors.js";
import { collect, tempDir } from "./helpers.js";

const tmp = tempDir();
after(() => tmp.cleanup());

test("countText counts lines, code points and whitespace tokens", () => {
  assert.deepEqual(countText("héllo  wörld\n\nsecond line 😀"), { documents: 1, lines: 2, characters: 27, tokens: 5 });
});

test("manifest counts per language across formats and totals them", async () => {
  const en = tmp.file("en.txt", "the cat sat\n\na dog\n");
  const mixed = tmp.file("mixed.jsonl", '{"text":"ein Hund","lang":"de"}\n{"text":"one two three","lang":"en"}\n');
  const blocks = tmp.file("fr.txt", "un\ndeux trois\n\nquatre\n");
  const m = await buildManifest([
    { path: en, format: "text", lang: "en" },
    { path: mixed, format: "jsonl" },
    { path: blocks, format: "text-blocks", lang: "fr" },
  ]);
  assert.deepEqual(m.sources[0]!.languages, { en: { documents: 2, lines: 2, characters: 16, tokens: 5 } });
  assert.deepEqual(m.languages["en"], { documents: 3, lines: 3, characters: 29, tokens: 8 });
  assert.deepEqual(m.languages["de"], { documents: 1, lines: 1, characters: 8, tokens: 2 });
  assert.deepEqual(m.languages["fr"], { documents: 2, lines: 3, characters: 19, tokens: 4 });
  assert.ok(m.sources.every((s) => !s.fromCache));
});

test("manifest cache is reused, and recomputed when size or mtime changes", async () => {
  const p = tmp.file("cached.txt", "a b\nc\n");
  const src = [{ path: p, format: "text" as const, lang: "xx" }];
  const first = await buildManifest(src);
  assert.equal(first.sources[0]!.fromCache, false);
  assert.ok(existsSync(cachePathFor(p)));
  const second = await buildManifest(src);
  assert.equal(second.sources[0]!.fromCache, true);
  assert.deepEqual(second.languages, first.languages);

  writeFileSync(p, "a b\nc\nd e f\n");
  const grown = await buildManifest(src);
  assert.equal(grown.sources[0]!.fromCache, false);
  assert.equal(grown.languages["xx"]!.tokens, 6);

  // Same size, different content: only the mtime tells the cache it is stale.
  writeFileSync(p, "a b\nc\nd e g\n");
  const t = new Date(Date.now() + 5000);
  utimesSync(p, t, t);
  const touched = await buildManifest(src);
  assert.equal(touched.sources[0]!.fromCache, false);

  const cache = JSON.parse(readFileSync(cachePathFor(p), "utf8"));
  assert.equal(cache.size, 12);
  const noCache = await buildManifest(src, { cache: false });
  assert.equal(noCache.sources[0]!.fromCache, false);
});

test("manifest propagates bad input as DataError, and counts skipped lines when asked", async () => {
  const p = tmp.file("bad.jsonl", '{"text":"a","lang":"en"}\n{oops\n');
  await assert.rejects(buildManifest([{ path: p, format: "jsonl" }]), (e: unknown) => e instanceof DataError && e.line === 2);
  const m = await buildManifest([{ path: p, format: "jsonl" }], { onBadLine: "skip" });
  assert.equal(m.sources[0]!.skippedLines, 1);
  const nolang = tmp.file("nolang.jsonl", '{"text":"a"}\n');
  await assert.rejects(buildManifest([{ path: nolang, format: "jsonl" }]), /nolang\.jsonl:1: record has no lang/);
});

test("splits are deterministic, order independent and near the requested fractions", async () => {
  const spec = { seed: 17, valid: 0.1, test: 0.05 };
  const n = 20_000;
  const splits = Array.from({ length: n }, (_, i) => splitOf(i, spec));
  const count = (s: string) => splits.filter((x) => x === s).length / n;
  assert.ok(Math.abs(count("valid") - 0.1) < 0.01, `valid ${count("valid")}`);
  assert.ok(Math.abs(count("test") - 0.05) < 0.01, `test ${count("test")}`);
  // Reverse order gives the same assignment per index.
  for (let i = n - 1; i >= n - 100; i--) assert.equal(splitOf(i, spec), splits[i]);
  const other = Array.from({ length: n }, (_, i) => splitOf(i, { ...spec, seed: 18 }));
  assert.notDeepEqual(other, splits);
  assert.throws(() => splitOf(0, { seed: 1, valid: 0.7, test: 0.5 }));

  const docs = Array.from({ length: 200 }, (_, i) => i);
  const valid = await collect(filterSplit(docs, "valid", spec));
  assert.deepEqual(valid, docs.filter((i) => splits[i] === "valid"));
});
