import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  detectScript,
  listUdhrTranslations,
  loadUdhrParallel,
  loadUdhrParagraphs,
  parseUdhrHtml,
} from '../../../src/data/corpora/udhr.js';

test('UDHR lists at least 300 translations with metadata', async () => {
  const list = await listUdhrTranslations();
  assert.ok(list.length >= 300, `only ${list.length} translations`);
  const eng = list.find((t) => t.code === 'eng');
  assert.ok(eng !== undefined);
  assert.equal(eng.bcp47, 'en');
  assert.equal(eng.iso6393, 'eng');
  assert.equal(eng.script, 'Latn');
  assert.ok(Math.abs(eng.latitude) <= 90 && Math.abs(eng.longitude) <= 180);
  assert.equal(list.find((t) => t.code === 'arb')?.script, 'Arab');
  assert.equal(list.find((t) => t.code === 'rus')?.script, 'Cyrl');
  assert.equal(list.find((t) => t.code === 'jpn')?.script, 'Jpan');
});

test('detectScript picks the majority script', () => {
  assert.equal(detectScript('Всеобщая декларация, UN'), 'Cyrl');
  assert.equal(detectScript('Ελληνικά'), 'Grek');
  assert.equal(detectScript('123'), undefined);
});

test('UDHR English first paragraph and article 1', async () => {
  const paragraphs = await loadUdhrParagraphs('eng');
  assert.match(paragraphs[0]!.text, /^Whereas recognition of the inherent dignity/);
  const art1 = paragraphs.find((p) => p.article === 1);
  assert.match(art1!.text, /^All human beings are born free and equal in dignity and rights\./);
});

test('UDHR parallel units are aligned across languages', async () => {
  const codes = ['eng', 'spa', 'fra', 'cmn_hans', 'rus'];
  const units = await loadUdhrParallel(codes);
  assert.ok(units.length >= 30 && units.length <= 100, `${units.length} units`);
  assert.equal(new Set(units.map((u) => u.id)).size, units.length);
  for (const u of units) {
    assert.deepEqual(Object.keys(u.texts), codes);
    for (const c of codes) assert.ok(u.texts[c]!.length > 0, `${u.id} empty in ${c}`);
  }
  const art1 = units.find((u) => u.id === 'a1.p1');
  assert.match(art1!.texts.spa!, /Todos los seres humanos nacen libres/);
  assert.match(art1!.texts.fra!, /Tous les êtres humains naissent libres/);
});

test('UDHR parallel merges an article split differently', async () => {
  // Preamble paragraph counts differ between English and Chinese in the package.
  const [eng, cmn] = await Promise.all([loadUdhrParagraphs('eng'), loadUdhrParagraphs('cmn_hans')]);
  const count = (ps: typeof eng) => ps.filter((p) => p.article === 0).length;
  assert.notEqual(count(eng), count(cmn));
  const units = await loadUdhrParallel(['eng', 'cmn_hans']);
  const preamble = units.filter((u) => u.id.startsWith('a0'));
  assert.deepEqual(preamble.map((u) => u.id), ['a0']);
  assert.equal(preamble[0]!.texts.eng!.split('\n').length, count(eng));
});

test('parseUdhrHtml reads header and articles', () => {
  const html =
    '<header><h2>P</h2><p>one &amp; two</p></header>' +
    '<article data-number="1"><h2>A1</h2><ol><li><p>x</p></li><li><p> y <em>z</em></p></li></ol></article>';
  assert.deepEqual(parseUdhrHtml(html), [
    { article: 0, paragraph: 1, text: 'one & two' },
    { article: 1, paragraph: 1, text: 'x' },
    { article: 1, paragraph: 2, text: 'y z' },
  ]);
});
