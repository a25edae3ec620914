import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chapterBookId,
  parseImpEntries,
  parseVerseKey,
  stripOsisMarkup,
} from '../../../src/data/corpora/osis-text.js';

test('stripOsisMarkup keeps word text and drops Strong tags, notes and headings', () => {
  const osis =
    '<title type="x-section">A heading</title>In the <w lemma="strong:H7225">beginning</w> ' +
    '<w lemma="strong:H0430">God</w><note placement="foot"><reference>1:1 </reference>Heb. Elohim</note>' +
    '<w lemma="strong:H1254">created</w> <transChange type="added">it</transChange>.<note placement="foot">x</note>' +
    '<lb/>&amp; ¶ more';
  assert.equal(stripOsisMarkup(osis), 'In the beginning God created it. & more');
});

test('stripOsisMarkup keeps canonical psalm titles and separates lines', () => {
  const osis = '<title canonical="true" type="psalm">A <w>Psalm</w> of David.</title><l sID="a"/>Lord,<l eID="a"/><l sID="b"/>hear';
  assert.equal(stripOsisMarkup(osis), 'A Psalm of David. Lord, hear');
});

test('parseImpEntries groups bodies under their keys', async () => {
  const lines = ['$$$[ Module Heading ]', '', '$$$Genesis 1:0', '<chapter osisID="Gen.1" sID="Gen.1"/>', '$$$Genesis 1:1', 'a', 'b'];
  const entries = [];
  for await (const e of parseImpEntries(lines)) entries.push(e);
  assert.deepEqual(entries.map((e) => e.key), ['[ Module Heading ]', 'Genesis 1:0', 'Genesis 1:1']);
  assert.equal(entries[2]!.body, 'a\nb');
  assert.equal(chapterBookId(entries[1]!.body), 'Gen');
  assert.equal(chapterBookId(entries[2]!.body), undefined);
});

test('parseVerseKey handles numbered book names and rejects headings', () => {
  assert.deepEqual(parseVerseKey('I John 3:16'), { bookName: 'I John', chapter: 3, verse: 16 });
  assert.equal(parseVerseKey('[ Testament 1 Heading ]'), undefined);
});
