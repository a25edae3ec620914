// Turns a SWORD module exported by `mod2imp` (the "imp" format: a `$$$key` line,
// then the entry's OSIS markup) into plain verse text. Pure functions, so the
// Bible build script and its tests share one definition of the cleaning rules.
import { decodeEntities } from './entities.js';

/** One entry of an imp export: its key (e.g. "Genesis 1:1") and raw OSIS body. */
export interface ImpEntry {
  key: string;
  body: string;
}

/** A verse key split into its parts; chapter or verse 0 marks book/chapter intros. */
export interface VerseKey {
  bookName: string;
  chapter: number;
  verse: number;
}

const ENTRY_MARK = '$$$';

/** Groups imp lines into entries; lines before the first `$$$` key are ignored. */
export async function* parseImpEntries(
  lines: Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<ImpEntry> {
  let key: string | undefined;
  let body: string[] = [];
  for await (const line of lines) {
    if (line.startsWith(ENTRY_MARK)) {
      if (key !== undefined) yield { key, body: body.join('\n') };
      key = line.slice(ENTRY_MARK.length).trim();
      body = [];
    } else if (key !== undefined) {
      body.push(line);
    }
  }
  if (key !== undefined) yield { key, body: body.join('\n') };
}

const VERSE_KEY = /^(.+?) (\d+):(\d+)$/;

/** Parses "1 John 3:16"; returns undefined for headings such as "[ Module Heading ]". */
export function parseVerseKey(key: string): VerseKey | undefined {
  const m = VERSE_KEY.exec(key);
  if (m === null) return undefined;
  return { bookName: m[1]!, chapter: Number(m[2]), verse: Number(m[3]) };
}

const CHAPTER_OSIS_ID = /<chapter\b[^>]*\bosisID="([^".]+)\.\d+"/;

/** The OSIS book id (e.g. "Gen") named by a chapter marker in an entry, if any. */
export function chapterBookId(body: string): string | undefined {
  return CHAPTER_OSIS_ID.exec(body)?.[1];
}

// Footnotes and cross-references are editorial, not verse text.
const NOTE = /<note\b[^>]*\/>|<note\b[^>]*>[\s\S]*?<\/note>/g;
// Section headings and acrostic letters are editorial; canonical titles (psalm
// superscriptions) are kept because some translations print them inside verse 1.
const EDITORIAL_TITLE = /<title\b(?![^>]*\bcanonical="true")[^>]*\/>|<title\b(?![^>]*\bcanonical="true")[^>]*>[\s\S]*?<\/title>/g;
// Elements that separate words (lines, paragraphs, breaks) become a space; all
// other tags (<w> with Strong's numbers, <transChange>, <divineName>, <q>, ...)
// are removed, keeping their text, so "word</w>." stays "word.".
const SEPARATING_ELEMENTS = new Set([
  'l', 'lg', 'lb', 'div', 'p', 'chapter', 'milestone', 'title', 'list', 'item', 'speaker', 'br',
]);
const TAG = /<\/?([A-Za-z][\w:-]*)\b[^>]*>/g;
// A removed note leaves this mark: between two words it becomes a space
// ("God<note/>created" -> "God created"), elsewhere nothing ("word<note/>.").
// NUL marks removed notes: it cannot occur in OSIS text (stripped first below).
/* eslint-disable no-control-regex */
const NOTE_MARK = '\u0000';
const NOTE_BETWEEN_WORDS = /(?<=[\p{L}\p{N}])\u0000+(?=[\p{L}\p{N}])/gu;
// The KJV marks paragraph starts with a pilcrow; it is layout, not text.
const PILCROW = /\u00b6/g;

/** Plain text of an OSIS fragment: notes and headings dropped, tags removed, spaces collapsed. */
export function stripOsisMarkup(osis: string): string {
  const text = osis
    .replace(/\u0000/g, '')
    .replace(NOTE, NOTE_MARK)
    .replace(EDITORIAL_TITLE, ' ')
    .replace(TAG, (_tag, name: string) => (SEPARATING_ELEMENTS.has(name.toLowerCase()) ? ' ' : ''))
    .replace(NOTE_BETWEEN_WORDS, ' ')
    .replace(/\u0000/g, '')
    .replace(PILCROW, ' ');
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
/* eslint-enable no-control-regex */
}
