import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bibleDir, readBibleManifest, readBibleVerses } from '../../../src/data/corpora/bible.js';
import { readGzipLines } from '../../../src/data/corpora/gzip-lines.js';

async function countLinesAndTokens(path: string): Promise<{ lines: number; tokens: number }> {
  let lines = 0;
  let tokens = 0;
  for await (const line of readGzipLines(path)) {
    lines++;
    tokens += line.split(/\s+/).filter((t) => t !== '').length;
  }
  return { lines, tokens };
}

test('Bible files have equal line counts and enough English tokens', async () => {
  const manifest = readBibleManifest();
  const refs = await countLinesAndTokens(join(bibleDir(), manifest.refsFile));
  assert.equal(refs.lines, manifest.verses);
  assert.equal(refs.tokens, refs.lines, 'one reference per line');
  assert.deepEqual(manifest.translations.map((t) => t.id).sort(), ['kjv', 'sparv', 'web']);
  for (const t of manifest.translations) {
    const counted = await countLinesAndTokens(join(bibleDir(), t.file));
    assert.equal(counted.lines, refs.lines, `${t.file} line count`);
    assert.equal(counted.tokens, t.whitespaceTokens, `${t.file} token count differs from manifest`);
    if (t.lang === 'en') assert.ok(counted.tokens >= 700_000, `${t.id}: only ${counted.tokens} tokens`);
  }
  const es = manifest.translations.find((t) => t.lang === 'es');
  // RV1909 is shorter in whitespace tokens (Spanish clitics and contractions).
  assert.ok(es !== undefined && es.whitespaceTokens >= 650_000);
});

test('Bible verses are aligned and carry book and chapter', async () => {
  const seen: string[] = [];
  const books = new Set<string>();
  for await (const v of readBibleVerses(['kjv', 'sparv', 'web'])) {
    if (v.index === 0) {
      assert.equal(v.ref, 'Gen.1.1');
      assert.equal(v.texts.kjv, 'In the beginning God created the heaven and the earth.');
      assert.equal(v.texts.sparv, 'EN el principio crió Dios los cielos y la tierra.');
      assert.equal(v.texts.web, 'In the beginning, God created the heavens and the earth.');
    }
    if (v.ref === 'John.11.35') assert.equal(v.texts.kjv, 'Jesus wept.');
    for (const text of Object.values(v.texts)) assert.ok(text.length > 0 && !/[<>]/.test(text), v.ref);
    assert.equal(v.chapter, v.ref.slice(0, v.ref.lastIndexOf('.')));
    books.add(v.book);
    seen.push(v.ref);
  }
  assert.equal(new Set(seen).size, seen.length, 'references are unique');
  assert.equal(books.size, 66);
  assert.equal(seen.at(-1), 'Rev.22.21');
});

test('Bible reading streams: the first 100 lines come without reading the rest', async () => {
  let start = performance.now();
  for await (const _ of readBibleVerses()) void _;
  const full = performance.now() - start;

  start = performance.now();
  const first: string[] = [];
  for await (const v of readBibleVerses()) {
    first.push(v.ref);
    if (first.length === 100) break;
  }
  const partial = performance.now() - start;
  assert.equal(first.length, 100);
  assert.ok(partial < full / 4, `first 100 lines took ${partial.toFixed(1)} ms, all took ${full.toFixed(1)} ms`);
});

test('readBibleVerses rejects an unknown translation', async () => {
  await assert.rejects(async () => {
    for await (const _ of readBibleVerses(['nope'])) void _;
  }, /unknown Bible translation "nope"/);
});
