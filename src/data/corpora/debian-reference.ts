// Debian Reference (the Debian project's user manual, GPL) in several languages.
// It is not vendored: installDebianReference() installs the Debian packages and
// converts their plain-text edition into one JSONL file per language.
//
// Cleaning rules (deliberately minimal):
//  - a paragraph is a run of non-blank lines; its lines are trimmed and joined with
//    a space (no space between two CJK characters, whose lines wrap mid-sentence);
//  - ASCII-art table lines are dropped: lines starting with "|" and rule lines made
//    only of "-", "=", "+" and "|" (e.g. "+-----+", "|---+---|", "-------");
//  - URL-only lines are dropped (a lone "https://...", optionally in <>);
//  - paragraphs left empty are dropped. Everything else, code examples included, stays.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readGzipLines } from './gzip-lines.js';

export const DEBIAN_REFERENCE_LANGS = ['en', 'de', 'fr', 'es', 'it', 'ja', 'pt', 'zh-cn', 'id'] as const;
export type DebianReferenceLang = (typeof DEBIAN_REFERENCE_LANGS)[number];

export const DEBIAN_REFERENCE_DIR = '/usr/share/debian-reference';

export interface ManualParagraph {
  section: string; // top-level chapter ("1", "A") or "front" before the first one
  text: string;
}

const TABLE_RULE = /^[-=+|]+$/;
const URL_ONLY = /^<?(?:https?|ftp):\/\/\S+?>?$/;
// Unindented "1.5. Title" or "A.3. Title" starts a section of the manual.
const SECTION_HEADING = /^([0-9]+|[A-Z])\.(?:[0-9]+\.)*\s+\S/;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

export function isTableLine(line: string): boolean {
  const t = line.trim();
  return t.startsWith('|') || (t.length > 0 && TABLE_RULE.test(t.replace(/\s+/g, '')) && /[-=]/.test(t));
}

export function isUrlOnlyLine(line: string): boolean {
  return URL_ONLY.test(line.trim());
}

function joinWrapped(lines: string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    else if (CJK.test(out.at(-1)!) && CJK.test(line[0]!)) out += line;
    else out += ' ' + line;
  }
  return out;
}

/** Splits the plain-text manual into cleaned paragraphs (rules at the top of this file). */
export async function* manualParagraphs(
  lines: Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<ManualParagraph> {
  let section = 'front';
  let block: string[] = [];
  const flush = function* (): Generator<ManualParagraph> {
    const kept = block.map((l) => l.trim()).filter((l) => l !== '');
    block = [];
    if (kept.length > 0) yield { section, text: joinWrapped(kept) };
  };
  for await (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') {
      yield* flush();
      continue;
    }
    if (isTableLine(line) || isUrlOnlyLine(line)) continue;
    const heading = SECTION_HEADING.exec(line);
    if (heading !== null) {
      yield* flush();
      section = heading[1]!;
    }
    block.push(line);
  }
  yield* flush();
}

export function debianReferencePackage(lang: DebianReferenceLang): string {
  return `debian-reference-${lang}`;
}

export function debianReferenceTextPath(lang: DebianReferenceLang, dir = DEBIAN_REFERENCE_DIR): string {
  return join(dir, `debian-reference.${lang}.txt.gz`);
}

function checkLang(lang: string): DebianReferenceLang {
  if (!(DEBIAN_REFERENCE_LANGS as readonly string[]).includes(lang)) {
    throw new Error(`no Debian Reference package for "${lang}" (have: ${DEBIAN_REFERENCE_LANGS.join(', ')})`);
  }
  return lang as DebianReferenceLang;
}

function ensureInstalled(langs: DebianReferenceLang[]): void {
  const missing = langs.filter((l) => !existsSync(debianReferenceTextPath(l)));
  if (missing.length === 0) return;
  const packages = missing.map(debianReferencePackage);
  const command = `apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`Debian Reference text missing for ${missing.join(', ')}; install it as root: ${command}`);
  }
  const result = spawnSync('apt-get', ['install', '-y', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? `exit status ${result.status}`;
    throw new Error(`"${command}" failed (${why}); run "apt-get update" first if the packages are unknown`);
  }
  for (const lang of missing) {
    if (!existsSync(debianReferenceTextPath(lang))) {
      throw new Error(`${debianReferencePackage(lang)} is installed but ${debianReferenceTextPath(lang)} is absent`);
    }
  }
}

export interface ConvertedManual {
  lang: DebianReferenceLang;
  source: string;
  path: string;
  paragraphs: number;
}

/** Converts one installed manual to JSONL lines {"text", "lang"}; returns the paragraph count. */
export async function convertDebianReference(
  lang: DebianReferenceLang,
  source: string,
  outPath: string,
): Promise<number> {
  const out: string[] = [];
  for await (const p of manualParagraphs(readGzipLines(source))) {
    out.push(JSON.stringify({ text: p.text, lang }));
  }
  await writeFile(outPath, out.length === 0 ? '' : out.join('\n') + '\n');
  return out.length;
}

/**
 * Installs debian-reference-<lang> where missing (as root; otherwise the error
 * names the apt-get command) and writes <outDir>/debian-reference.<lang>.jsonl.
 */
export async function installDebianReference(langs: string[], outDir: string): Promise<ConvertedManual[]> {
  const checked = langs.map(checkLang);
  ensureInstalled(checked);
  mkdirSync(outDir, { recursive: true });
  const results: ConvertedManual[] = [];
  for (const lang of checked) {
    const source = debianReferenceTextPath(lang);
    const path = join(outDir, `debian-reference.${lang}.jsonl`);
    results.push({ lang, source, path, paragraphs: await convertDebianReference(lang, source, path) });
  }
  return results;
}
