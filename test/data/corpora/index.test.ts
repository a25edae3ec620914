import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, listCorpora, openCorpus, packageRoot } from '../../../src/data/corpora/index.js';

test('package root is found from the module, not the working directory', () => {
  const cwd = process.cwd();
  try {
    process.chdir('/');
    assert.ok(existsSync(join(packageRoot(), 'package.json')));
    assert.ok(existsSync(dataPath('bible', 'manifest.json')));
  } finally {
    process.chdir(cwd);
  }
});

test('listCorpora names the four corpora; unknown names throw', () => {
  assert.deepEqual(listCorpora().map((c) => c.name), ['udhr', 'bible', 'debian-reference', 'libreoffice-help']);
  assert.throws(() => openCorpus('nope'), /unknown corpus "nope"/);
});

test('bible corpus yields one document per book and language', async () => {
  const corpus = openCorpus('bible', { unit: 'book' });
  assert.deepEqual(await corpus.languages(), ['en', 'es']);
  const docs = [];
  for await (const d of corpus.documents()) docs.push(d);
  assert.equal(docs.length, 66 * 2);
  assert.deepEqual(docs.slice(0, 2).map((d) => [d.lang, d.docId]), [
    ['en', 'bible/kjv/Gen'],
    ['es', 'bible/sparv/Gen'],
  ]);
  assert.equal(docs[0]!.text.split('\n').length, docs[1]!.text.split('\n').length);
});

test('udhr corpus streams paragraphs of the chosen languages', async () => {
  const corpus = openCorpus('udhr', { langs: ['eng', 'deu_1996'] });
  assert.deepEqual((await corpus.languages()).sort(), ['deu_1996', 'eng']);
  const docs = [];
  for await (const d of corpus.documents()) docs.push(d);
  assert.deepEqual(new Set(docs.map((d) => d.lang)), new Set(['eng', 'deu_1996']));
  assert.ok(docs.some((d) => d.docId === 'udhr/eng/a0.p1' && d.text.startsWith('Whereas recognition')));
  assert.ok(docs.some((d) => d.docId === 'udhr/deu_1996/a1.p1' && d.text.startsWith('Alle Menschen')));
});
