// The LibreOffice help (MPL-2.0) in 33 languages as a paragraph-parallel corpus. It is
// not vendored: buildLibreOfficeHelp() fetches the Debian packages libreoffice-help-<code>
// ("apt-get download" into a cache folder and "dpkg-deb -x", no installation), or reads
// an installed system's /usr/share/libreoffice/help/<Lang>/, and writes for each language
//   <out>/libreoffice-help.<code>.jsonl   one paragraph a line:
//       {"lang","page","id","module","tag","text","spans":[[start,end,label],...]}
//   <out>/libreoffice-help.<code>.json    that language's counts and package version
// and <out>/manifest.json over every language converted so far. A paragraph identical to
// the en-US paragraph of the same page and id is untranslated English: it is dropped and
// counted. A language whose two files exist with this converter's version is not redone,
// so a second run is a no-op and a failed run keeps every language finished before it.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../../util/atomic.js";
import { helpModule, helpPageParagraphs, type UiSpan } from "./libreoffice-html.js";
import { dataPath } from "./paths.js";
import { downloadAndUnpack, installedVersion } from "./debian-package.js";
import { languageMetadata, type LanguageMetadata } from "./language-metadata.js";

export const LIBREOFFICE_HELP_LANGS = [
  "ca", "cs", "da", "de", "dz", "el", "en-gb", "en-us", "es", "et", "eu", "fi", "fr", "gl", "hi", "hu", "id",
  "it", "ja", "km", "ko", "nl", "om", "pl", "pt", "pt-br", "ru", "sk", "sl", "sv", "tr", "vi", "zh-cn", "zh-tw",
] as const;

/** The nine help modules, the labels of the module classification task. */
export const LIBREOFFICE_HELP_MODULES = ["sbasic", "scalc", "schart", "sdatabase", "sdraw", "shared", "simpress", "smath", "swriter"] as const;

/** Bump when the conversion changes: earlier outputs are then redone. */
const CONVERTER_VERSION = 1;
export const INSTALLED_HELP_DIR = "/usr/share/libreoffice/help";

export interface HelpRecord {
  lang: string;
  page: string;
  id: string;
  module: string;
  tag: string;
  text: string;
  spans: UiSpan[];
}

export interface HelpLanguageStats {
  lang: string;
  package: string;
  version: string;
  /** "download" (apt-get download) or "installed". */
  source: string;
  converter: number;
  pages: number;
  paragraphs: number;
  chars: number;
  /** Words by Intl.Segmenter (word-like segments), so languages without spaces count too. */
  tokens: number;
  untranslatedDropped: number;
  /** The package ships no help of its own, only a link to this language's (kept empty). */
  aliasOf?: string;
  modules: Record<string, number>;
  spans: Record<string, number>;
  /** ISO codes, script of the text, UDHR location (language-metadata.ts). */
  metadata?: LanguageMetadata;
}

/** Paragraphs whose script decides the language's script. */
const SCRIPT_SAMPLE = 500;
function metadataOf(lang: string, texts: string[]): LanguageMetadata {
  return languageMetadata(lang, texts.length === 0 ? undefined : texts.slice(0, SCRIPT_SAMPLE).join(" "));
}

export interface LibreOfficeHelpOptions {
  /** Where downloaded packages and their extracted trees are kept (default <out>/cache). */
  cacheDir?: string;
  /** Read /usr/share/libreoffice/help/<Lang> when that language is installed (default true). */
  useInstalled?: boolean;
  /** The installed help's root, for tests. */
  installedDir?: string;
  log?: (msg: string) => void;
}

/** Where studies read the converted help: $XLING_LIBREOFFICE_HELP or data/libreoffice-help. */
export function libreOfficeHelpDir(): string {
  return process.env.XLING_LIBREOFFICE_HELP ?? dataPath("libreoffice-help");
}

export function libreOfficeHelpPackage(lang: string): string {
  return `libreoffice-help-${lang}`;
}

export function libreOfficeHelpJsonlPath(dir: string, lang: string): string {
  return join(dir, `libreoffice-help.${lang}.jsonl`);
}

function statsPath(dir: string, lang: string): string {
  return join(dir, `libreoffice-help.${lang}.json`);
}

/** "all" or a comma list, checked against the packaged languages. */
export function parseHelpLangs(spec: string): string[] {
  if (spec.trim() === "all") return [...LIBREOFFICE_HELP_LANGS];
  const langs = spec.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (langs.length === 0) throw new Error(`--lang is empty (have: all, ${LIBREOFFICE_HELP_LANGS.join(", ")})`);
  for (const l of langs) {
    if (!(LIBREOFFICE_HELP_LANGS as readonly string[]).includes(l)) {
      throw new Error(`no LibreOffice help package for "${l}" (libreoffice-help-${l}); have: ${LIBREOFFICE_HELP_LANGS.join(", ")}`);
    }
  }
  return [...new Set(langs)];
}

/** The folder holding the help's text/ tree inside a help root (de, en-US, zh-CN, ...). */
function languageFolder(helpRoot: string, lang: string): string | undefined {
  if (!existsSync(helpRoot)) return undefined;
  const name = readdirSync(helpRoot).find((d) => d.toLowerCase() === lang);
  return name === undefined ? undefined : join(helpRoot, name);
}

interface HelpSource {
  root: string;
  version: string;
  source: string;
  /** Set when the package's help folder is a link to another language's (bookworm: sk -> cs). */
  aliasOf?: string;
  /** The extracted package, removed once converted (the .deb stays cached: ~3 MB against ~35 MB unpacked). */
  extracted?: string;
}

/** The language a help folder links to, when it is a symbolic link. */
function linkedLanguage(folder: string): string | undefined {
  return lstatSync(folder).isSymbolicLink() ? readlinkSync(folder).replace(/\/+$/, "").split("/").pop()!.toLowerCase() : undefined;
}

/** The package's help tree: installed, or downloaded into the cache and extracted. */
function fetchHelp(lang: string, o: LibreOfficeHelpOptions, cacheDir: string): HelpSource {
  const pkg = libreOfficeHelpPackage(lang);
  if (o.useInstalled !== false) {
    const installed = languageFolder(o.installedDir ?? INSTALLED_HELP_DIR, lang);
    if (installed !== undefined && existsSync(join(installed, "text")) && linkedLanguage(installed) === undefined)
      return { root: installed, version: installedVersion(pkg), source: "installed" };
  }
  const { debPath, version, treeDir } = downloadAndUnpack(pkg, cacheDir, (tree) => languageFolder(join(tree, "usr/share/libreoffice/help"), lang) !== undefined, o.log);
  const helpRoot = join(treeDir, "usr/share/libreoffice/help");
  const root = languageFolder(helpRoot, lang);
  if (root !== undefined && linkedLanguage(root) !== undefined) return { root, version, source: "download", aliasOf: linkedLanguage(root), extracted: treeDir };
  if (root === undefined || !existsSync(join(root, "text"))) throw new Error(`${debPath}: no usr/share/libreoffice/help/<${lang}>/text in the package`);
  return { root, version, source: "download", extracted: treeDir };
}

function* htmlFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* htmlFiles(path);
    else if (name.endsWith(".html")) yield path;
  }
}

const segmenters = new Map<string, Intl.Segmenter>();
/** Word-like segments by the ICU word segmenter of the language. */
export function countWords(text: string, lang: string): number {
  let seg = segmenters.get(lang);
  if (seg === undefined) {
    seg = new Intl.Segmenter(lang, { granularity: "word" });
    segmenters.set(lang, seg);
  }
  let n = 0;
  for (const s of seg.segment(text)) if (s.isWordLike) n++;
  return n;
}

/** Every paragraph of one help tree, pages in path order. */
export function helpTreeParagraphs(root: string, lang: string): { records: HelpRecord[]; pages: number } {
  const records: HelpRecord[] = [];
  let pages = 0;
  for (const file of htmlFiles(join(root, "text"))) {
    const page = relative(root, file).split("\\").join("/");
    const module = helpModule(page);
    pages++;
    for (const p of helpPageParagraphs(readFileSync(file, "utf8"), file)) records.push({ lang, page, module, ...p });
  }
  return { records, pages };
}

const key = (r: { page: string; id: string }) => `${r.page}#${r.id}`;

/** The converted paragraphs of one language. */
export function readHelpRecords(path: string): HelpRecord[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist (convert it with: xling corpus libreoffice-help --lang <code> --out <dir>)`);
  const out: HelpRecord[] = [];
  readFileSync(path, "utf8").split("\n").forEach((line, i) => {
    if (line === "") return;
    try {
      out.push(JSON.parse(line) as HelpRecord);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
    }
  });
  return out;
}

let metadataAdded = false;

function readStats(dir: string, lang: string): HelpLanguageStats | undefined {
  const path = statsPath(dir, lang);
  if (!existsSync(path) || !existsSync(libreOfficeHelpJsonlPath(dir, lang))) return undefined;
  const s = JSON.parse(readFileSync(path, "utf8")) as HelpLanguageStats;
  if (s.converter !== CONVERTER_VERSION) return undefined;
  if (s.metadata === undefined) {
    // Written before metadata was recorded: add it from the converted text, once.
    s.metadata = metadataOf(lang, readHelpRecords(libreOfficeHelpJsonlPath(dir, lang)).map((r) => r.text));
    writeFileAtomic(path, JSON.stringify(s, null, 2) + "\n");
    metadataAdded = true;
  }
  return s;
}

function convertLanguage(lang: string, outDir: string, cacheDir: string, english: Map<string, string> | undefined, o: LibreOfficeHelpOptions): HelpLanguageStats {
  const src = fetchHelp(lang, o, cacheDir);
  if (src.aliasOf !== undefined) o.log?.(`${libreOfficeHelpPackage(lang)} ${src.version} has no help of its own: its folder links to ${src.aliasOf}'s; kept empty`);
  else o.log?.(`converting ${libreOfficeHelpPackage(lang)} ${src.version} (${src.source}) from ${src.root}`);
  const { records, pages } = src.aliasOf !== undefined ? { records: [], pages: 0 } : helpTreeParagraphs(src.root, lang);
  const stats: HelpLanguageStats = {
    lang, package: libreOfficeHelpPackage(lang), version: src.version, source: src.source, converter: CONVERTER_VERSION,
    pages, paragraphs: 0, chars: 0, tokens: 0, untranslatedDropped: 0, modules: {}, spans: {},
  };
  if (src.aliasOf !== undefined) stats.aliasOf = src.aliasOf;
  const lines: string[] = [];
  for (const r of records) {
    if (english !== undefined && english.get(key(r)) === r.text) {
      stats.untranslatedDropped++;
      continue;
    }
    stats.paragraphs++;
    stats.chars += [...r.text].length;
    stats.tokens += countWords(r.text, lang);
    stats.modules[r.module] = (stats.modules[r.module] ?? 0) + 1;
    for (const [, , label] of r.spans) stats.spans[label] = (stats.spans[label] ?? 0) + 1;
    lines.push(JSON.stringify(r));
  }
  stats.metadata = metadataOf(lang, records.filter((r) => english?.get(key(r)) !== r.text).map((r) => r.text));
  writeFileAtomic(libreOfficeHelpJsonlPath(outDir, lang), lines.length === 0 ? "" : lines.join("\n") + "\n");
  writeFileAtomic(statsPath(outDir, lang), JSON.stringify(stats, null, 2) + "\n");
  if (src.extracted !== undefined) rmSync(src.extracted, { recursive: true, force: true });
  return stats;
}

export interface LibreOfficeHelpManifest {
  corpus: "libreoffice-help";
  license: string;
  converter: number;
  languages: Record<string, HelpLanguageStats>;
}

/**
 * Converts the help of `langs` into `outDir` (see the top of this file); en-US is
 * converted too when a translation needs it (to find untranslated paragraphs).
 * Returns the stats of the languages asked for, in their order.
 */
export function buildLibreOfficeHelp(langs: string[], outDir: string, o: LibreOfficeHelpOptions = {}): HelpLanguageStats[] {
  for (const l of langs) parseHelpLangs(l);
  mkdirSync(outDir, { recursive: true });
  const cacheDir = o.cacheDir ?? join(outDir, "cache");
  const done = new Map<string, HelpLanguageStats>();
  const manifestPath = join(outDir, "manifest.json");
  const writeManifest = () => {
    const languages: Record<string, HelpLanguageStats> = {};
    for (const l of LIBREOFFICE_HELP_LANGS) {
      const s = readStats(outDir, l);
      if (s !== undefined) languages[l] = s;
    }
    const manifest: LibreOfficeHelpManifest = { corpus: "libreoffice-help", license: "MPL-2.0 (LibreOffice help, converted on demand)", converter: CONVERTER_VERSION, languages };
    writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  };
  let english: Map<string, string> | undefined;
  const englishTexts = () => {
    if (english !== undefined) return english;
    if (readStats(outDir, "en-us") === undefined) {
      convertLanguage("en-us", outDir, cacheDir, undefined, o);
      writeManifest();
    }
    english = new Map(readHelpRecords(libreOfficeHelpJsonlPath(outDir, "en-us")).map((r) => [key(r), r.text]));
    return english;
  };
  for (const lang of langs) {
    let stats = readStats(outDir, lang);
    if (stats === undefined) {
      stats = convertLanguage(lang, outDir, cacheDir, lang === "en-us" ? undefined : englishTexts(), o);
      writeManifest();
    } else {
      o.log?.(`${lang}: already converted (${stats.paragraphs} paragraphs)`);
    }
    done.set(lang, stats);
  }
  if (!existsSync(manifestPath) || metadataAdded) writeManifest();
  metadataAdded = false;
  return langs.map((l) => done.get(l)!);
}
