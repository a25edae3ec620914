import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  debianReferenceTextPath,
  installDebianReference,
  isTableLine,
  isUrlOnlyLine,
  manualParagraphs,
} from '../../../src/data/corpora/debian-reference.js';

const SAMPLE = `Debian Reference

    This book is free; you may redistribute it
    under the GPL.

1.1. Console basics

    +---------------------+
    |package|popcon|size  |
    |-------+------+------|
    |mc     |V:50  |1542  |
    +---------------------+

        https://www.debian.org/doc/

    See the manual
    for details.
    ---------------

    日本語の文章は行の途中で
    折り返されます。

A.1. Appendix
    $ man man
`;

test('manualParagraphs joins wrapped lines and drops tables and URL-only lines', async () => {
  const out = [];
  for await (const p of manualParagraphs(SAMPLE.split('\n'))) out.push(p);
  assert.deepEqual(out, [
    { section: 'front', text: 'Debian Reference' },
    { section: 'front', text: 'This book is free; you may redistribute it under the GPL.' },
    { section: '1', text: '1.1. Console basics' },
    { section: '1', text: 'See the manual for details.' },
    { section: '1', text: '日本語の文章は行の途中で折り返されます。' },
    { section: 'A', text: 'A.1. Appendix $ man man' },
  ]);
});

test('table and URL line predicates', () => {
  assert.ok(isTableLine('    |-----------+-------|'));
  assert.ok(isTableLine('+------+'));
  assert.ok(isTableLine('------'));
  assert.ok(!isTableLine('  - an item'));
  assert.ok(!isTableLine('a | b'));
  assert.ok(isUrlOnlyLine('   <https://example.org/x>'));
  assert.ok(!isUrlOnlyLine('see https://example.org/x'));
});

test('installDebianReference rejects unknown languages before installing anything', async () => {
  await assert.rejects(installDebianReference(['xx'], tmpdir()), /no Debian Reference package for "xx"/);
});

const installed = existsSync(debianReferenceTextPath('en'));
test(
  'installDebianReference converts the installed English manual',
  { skip: installed ? false : `${debianReferenceTextPath('en')} absent (apt-get install debian-reference-en)` },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xling-debref-'));
    try {
      const [result] = await installDebianReference(['en'], dir);
      const lines = readFileSync(result!.path, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, result!.paragraphs);
      assert.ok(lines.length > 1000, `only ${lines.length} paragraphs`);
      const records = lines.map((l) => JSON.parse(l) as { text: string; lang: string });
      assert.ok(records.every((r) => r.lang === 'en' && r.text.trim() !== '' && !r.text.includes('\n')));
      assert.ok(!records.some((r) => r.text.startsWith('|') || /^https?:\/\/\S+$/.test(r.text)));
      assert.equal(records[0]!.text, 'Debian Reference');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
