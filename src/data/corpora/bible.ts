// Loader for the vendored parallel Bible (data/bible/, built by
// scripts/build-bible-corpus.ts). Files are read by streaming, one verse per
// line, so callers can stop early without decompressing everything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGzipLines } from './gzip-lines.js';
import { dataPath } from './paths.js';

export interface BibleTranslation {
  id: string; // "kjv", "sparv", "web"
  lang: string; // ISO 639-1 from the module's conf
  name: string;
  file: string;
  whitespaceTokens: number;
}

export interface BibleManifest {
  verses: number;
  refsFile: string;
  translations: BibleTranslation[];
}

/** One aligned line: the same verse in every requested translation. */
export interface BibleVerse {
  index: number; // 0-based line number
  ref: string; // OSIS reference, e.g. "Gen.1.1"
  book: string; // "Gen"
  chapter: string; // "Gen.1"
  texts: Record<string, string>; // translation id -> verse text
}

export function bibleDir(): string {
  return dataPath('bible');
}

export function readBibleManifest(dir = bibleDir()): BibleManifest {
  const path = join(dir, 'manifest.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BibleManifest;
  } catch (err) {
    throw new Error(`cannot read Bible manifest ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Book and chapter of an OSIS verse reference ("1Sam.3.4" -> "1Sam", "1Sam.3"). */
export function splitRef(ref: string, where = 'reference'): { book: string; chapter: string } {
  const parts = ref.split('.');
  if (parts.length !== 3) throw new Error(`${where}: malformed verse reference "${ref}"`);
  return { book: parts[0]!, chapter: `${parts[0]}.${parts[1]}` };
}

/**
 * Streams verse-aligned lines of the chosen translations (default: all), checking
 * that every file has exactly as many lines as the reference file.
 */
export async function* readBibleVerses(
  translationIds?: string[],
  dir = bibleDir(),
): AsyncGenerator<BibleVerse> {
  const manifest = readBibleManifest(dir);
  const chosen = (translationIds ?? manifest.translations.map((t) => t.id)).map((id) => {
    const t = manifest.translations.find((x) => x.id === id);
    if (t === undefined) {
      const known = manifest.translations.map((x) => x.id).join(', ');
      throw new Error(`unknown Bible translation "${id}" (have: ${known})`);
    }
    return t;
  });
  const refsPath = join(dir, manifest.refsFile);
  const refs = readGzipLines(refsPath);
  const texts = chosen.map((t) => ({ t, path: join(dir, t.file), lines: readGzipLines(join(dir, t.file)) }));
  let index = 0;
  try {
    for (;;) {
      const ref = await refs.next();
      const lines = await Promise.all(texts.map((x) => x.lines.next()));
      for (const [i, line] of lines.entries()) {
        if (line.done !== ref.done) {
          const shorter = line.done ? texts[i]!.path : refsPath;
          throw new Error(`${shorter} ends at line ${index + 1} but the other Bible files go on`);
        }
      }
      if (ref.done) return;
      const where = `${refsPath}:${index + 1}`;
      const record: Record<string, string> = {};
      chosen.forEach((t, i) => (record[t.id] = lines[i]!.value as string));
      yield { index, ref: ref.value, ...splitRef(ref.value, where), texts: record };
      index++;
    }
  } finally {
    await refs.return(undefined);
    for (const x of texts) await x.lines.return(undefined);
  }
}
