// Builds the vendored parallel Bible corpus under data/bible/ from Debian's SWORD
// modules. Run by hand on a Debian machine (see data/bible/README.md):
//   apt-get install -y sword-text-kjv sword-text-web sword-text-sparv libsword-utils
//   npx tsc -p tsconfig.json && node dist/scripts/build-bible-corpus.js [outDir]
// Output: one gzip file per translation (one verse per line), refs.txt.gz with the
// OSIS reference of each line, and manifest.json with provenance and counts.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import {
  chapterBookId,
  parseImpEntries,
  parseVerseKey,
  stripOsisMarkup,
} from '../src/data/corpora/osis-text.js';
import { dataPath } from '../src/data/corpora/paths.js';

interface SourceSpec {
  id: string;
  debianPackage: string;
  module: string;
  expectedLang: string;
  // How this module's verse numbering is checked against the primary's (see alignmentRejects).
  alignmentCheck: 'primary' | 'strongs' | 'verse-numbers';
}

// The first source is the primary one: its verse order is the corpus order.
const SOURCES: SourceSpec[] = [
  { id: 'kjv', debianPackage: 'sword-text-kjv', module: 'engKJV2006eb', expectedLang: 'en', alignmentCheck: 'primary' },
  { id: 'sparv', debianPackage: 'sword-text-sparv', module: 'spaRV1909eb', expectedLang: 'es', alignmentCheck: 'strongs' },
  { id: 'web', debianPackage: 'sword-text-web', module: 'engWEB2015eb', expectedLang: 'en', alignmentCheck: 'verse-numbers' },
];

interface ModuleText {
  spec: SourceSpec;
  conf: Record<string, string>;
  debianVersion: string;
  verses: Map<string, string>; // OSIS ref -> plain text (non-empty only)
  strongs: Map<string, Set<string>>; // OSIS ref -> Strong's numbers tagged in the verse
  emptyVerses: number;
}

function readConf(spec: SourceSpec): Record<string, string> {
  const files = execFileSync('dpkg', ['-L', spec.debianPackage], { encoding: 'utf8' }).split('\n');
  const confPath = files.find((f) => f.endsWith(`/${spec.module}.conf`));
  if (confPath === undefined) {
    throw new Error(`package ${spec.debianPackage} has no ${spec.module}.conf`);
  }
  const conf: Record<string, string> = {};
  for (const line of readFileSync(confPath, 'utf8').split('\n')) {
    const m = /^([A-Za-z_0-9.]+)=(.*)$/.exec(line);
    // Repeated keys (e.g. GlobalOptionFilter) keep their first value; only scalar fields are used.
    if (m !== null && !(m[1]! in conf)) conf[m[1]!] = m[2]!.trim();
  }
  return conf;
}

function debianVersion(pkg: string): string {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

async function exportModule(spec: SourceSpec): Promise<ModuleText> {
  const conf = readConf(spec);
  if (conf.Lang !== spec.expectedLang) {
    throw new Error(`${spec.module}.conf says Lang=${conf.Lang}, expected ${spec.expectedLang}`);
  }
  const child = spawn('mod2imp', [spec.module], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const bookIds = new Map<string, string>();
  const verses = new Map<string, string>();
  const strongs = new Map<string, Set<string>>();
  let emptyVerses = 0;
  for await (const entry of parseImpEntries(lines)) {
    const key = parseVerseKey(entry.key);
    if (key === undefined) continue;
    const bookId = chapterBookId(entry.body);
    if (bookId !== undefined) bookIds.set(key.bookName, bookId);
    if (key.chapter === 0 || key.verse === 0) continue; // book and chapter introductions
    const text = stripOsisMarkup(entry.body);
    // Versification slots the translation leaves empty (whole books for WEB's
    // apocrypha in places, omitted verses elsewhere) carry no chapter markers.
    if (text === '') {
      emptyVerses++;
      continue;
    }
    const osisBook = bookIds.get(key.bookName);
    if (osisBook === undefined) {
      throw new Error(`${spec.module}: verse ${entry.key} comes before any chapter marker of its book`);
    }
    const ref = `${osisBook}.${key.chapter}.${key.verse}`;
    verses.set(ref, text);
    strongs.set(ref, strongsNumbers(entry.body));
  }
  const code = await exited;
  if (code !== 0) throw new Error(`mod2imp ${spec.module} exited with ${code}`);
  return { spec, conf, debianVersion: debianVersion(spec.debianPackage), verses, strongs, emptyVerses };
}

function chapterOf(ref: string): string {
  return ref.slice(0, ref.lastIndexOf('.'));
}

function verseNumbersByChapter(verses: Map<string, string>): Map<string, string> {
  const byChapter = new Map<string, string[]>();
  for (const ref of verses.keys()) {
    const chapter = chapterOf(ref);
    let list = byChapter.get(chapter);
    if (list === undefined) byChapter.set(chapter, (list = []));
    list.push(ref.slice(chapter.length + 1));
  }
  return new Map([...byChapter].map(([c, list]) => [c, list.join(',')]));
}

const STRONGS = /\bstrong:([HG])0*(\d+)/g;

function strongsNumbers(osis: string): Set<string> {
  return new Set([...osis.matchAll(STRONGS)].map((m) => m[1]! + m[2]!));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

// Below this Strong's-number overlap a verse pair is taken to be two different
// verses; aligned KJV/RV1909 verses mostly score 0.5-1, shifted ones under 0.2.
const MIN_STRONGS_OVERLAP = 0.2;
// A chapter with this many low-overlap verses is renumbered as a whole (e.g. RV1909's
// Num.13.1 is KJV's Num.12.16), so every verse of it goes, even the lucky matches.
const SHIFTED_CHAPTER_LOW_VERSES = 3;

/**
 * Chapters and single verses whose reference does not name the same verse in every
 * module. SpaRV declares KJV versification but keeps Hebrew numbering in places;
 * its Strong's tags reveal where. WEB follows NRSVA (its Strong's tags are on a
 * different numbering, so unusable): a chapter is kept only where WEB has exactly
 * the primary's verse numbers.
 */
function alignmentRejects(primary: ModuleText, modules: ModuleText[]): { chapters: Set<string>; verses: Set<string> } {
  const chapters = new Set<string>();
  const verses = new Set<string>();
  const primaryChapters = verseNumbersByChapter(primary.verses);
  for (const m of modules) {
    if (m.spec.alignmentCheck === 'verse-numbers') {
      const own = verseNumbersByChapter(m.verses);
      for (const [chapter, numbers] of primaryChapters) {
        if (own.get(chapter) !== numbers) chapters.add(chapter);
      }
    } else if (m.spec.alignmentCheck === 'strongs') {
      const lowByChapter = new Map<string, string[]>();
      for (const [ref, tags] of primary.strongs) {
        const other = m.strongs.get(ref);
        if (other === undefined || tags.size === 0 || other.size === 0) continue;
        if (jaccard(tags, other) >= MIN_STRONGS_OVERLAP) continue;
        const chapter = chapterOf(ref);
        lowByChapter.set(chapter, [...(lowByChapter.get(chapter) ?? []), ref]);
      }
      for (const [chapter, refs] of lowByChapter) {
        if (refs.length >= SHIFTED_CHAPTER_LOW_VERSES) chapters.add(chapter);
        else for (const ref of refs) verses.add(ref);
      }
    }
  }
  return { chapters, verses };
}

function whitespaceTokens(lines: string[]): number {
  let n = 0;
  for (const line of lines) n += line.split(/\s+/).filter((t) => t !== '').length;
  return n;
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? dataPath('bible'));
  mkdirSync(outDir, { recursive: true });
  const modules: ModuleText[] = [];
  for (const spec of SOURCES) modules.push(await exportModule(spec));

  const primary = modules[0]!;
  const rejected = alignmentRejects(primary, modules);
  const refs = [...primary.verses.keys()].filter(
    (ref) =>
      !rejected.chapters.has(chapterOf(ref)) &&
      !rejected.verses.has(ref) &&
      modules.every((m) => m.verses.has(ref)),
  );
  const kept = new Set(refs);

  const translations = modules.map((m) => {
    const lines = refs.map((ref) => m.verses.get(ref)!);
    const file = `${m.spec.id}.txt.gz`;
    writeFileSync(join(outDir, file), gzipSync(lines.join('\n') + '\n', { level: 9 }));
    const droppedRefs = [...m.verses.keys()].filter((ref) => !kept.has(ref));
    return {
      id: m.spec.id,
      lang: m.spec.expectedLang,
      file,
      name: m.conf.Description ?? m.spec.module,
      debianPackage: m.spec.debianPackage,
      debianVersion: m.debianVersion,
      swordModule: m.spec.module,
      moduleVersion: m.conf.Version ?? '',
      versification: m.conf.Versification ?? '',
      distributionLicense: m.conf.DistributionLicense ?? '',
      copyright: m.conf.Copyright ?? '',
      versesInModule: m.verses.size,
      emptyVersesInModule: m.emptyVerses,
      versesDropped: droppedRefs.length,
      droppedExamples: droppedRefs.slice(0, 10),
      whitespaceTokens: whitespaceTokens(lines),
    };
  });
  writeFileSync(join(outDir, 'refs.txt.gz'), gzipSync(refs.join('\n') + '\n', { level: 9 }));
  const manifest = {
    verses: refs.length,
    refsFile: 'refs.txt.gz',
    chaptersDroppedAsMisaligned: [...rejected.chapters],
    versesDroppedAsMisaligned: [...rejected.verses],
    translations,
  };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(JSON.stringify(manifest, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
