// FreeDict English-X dictionaries (dictd format, GPL) from Debian's packages
// dict-freedict-eng-<iso639-3>, fetched like the LibreOffice help: "apt-get download" into
// a cache folder and "dpkg-deb -x", no installation (or read from an installed
// /usr/share/dictd). For each language it writes
//   <out>/freedict-eng-<x>.index, <out>/freedict-eng-<x>.dict.dz   the package's two files
//   <out>/freedict-eng-<x>.json                                     package and version
// A language whose three files exist is not redone, so a second run is a no-op and a
// failed run keeps every language finished before it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic.js";
import { dataPath } from "./paths.js";
import { downloadAndUnpack, installedVersion } from "./debian-package.js";

/** xling language code (its primary subtag) -> the ISO 639-3 code of Debian's dict-freedict-eng-<code>. */
export const FREEDICT_ENGLISH_TO: Readonly<Record<string, string>> = {
  af: "afr", ar: "ara", bg: "bul", cs: "ces", cy: "cym", da: "dan", de: "deu", el: "ell", es: "spa", fi: "fin",
  fr: "fra", ga: "gle", hi: "hin", hr: "hrv", hu: "hun", id: "ind", it: "ita", ja: "jpn", la: "lat", lt: "lit",
  nl: "nld", no: "nor", pl: "pol", pt: "por", ru: "rus", sr: "srp", sv: "swe", sw: "swh", tr: "tur",
};

export const INSTALLED_DICTD_DIR = "/usr/share/dictd";

/** Where studies read the dictionaries: $XLING_FREEDICT or data/freedict. */
export function freedictDir(): string {
  return process.env.XLING_FREEDICT ?? dataPath("freedict");
}

/** The ISO 639-3 code of a language's English-X FreeDict dictionary ("pt-br" -> "por"); throws if there is none. */
export function freedictCode(lang: string): string {
  const code = FREEDICT_ENGLISH_TO[lang.toLowerCase().split(/[-_]/)[0]!];
  if (!code) throw new Error(`no FreeDict English-${lang} dictionary in Debian (have: ${Object.keys(FREEDICT_ENGLISH_TO).join(", ")}; none for Chinese)`);
  return code;
}

export function freedictPackage(lang: string): string {
  return `dict-freedict-eng-${freedictCode(lang)}`;
}

/** The index and dictionary files of a language's dictionary under `dir`. */
export function freedictFiles(dir: string, lang: string): { index: string; dict: string; info: string } {
  const base = join(dir, `freedict-eng-${freedictCode(lang)}`);
  return { index: `${base}.index`, dict: `${base}.dict.dz`, info: `${base}.json` };
}

/** A comma list of languages, each checked to have a dictionary. */
export function parseFreedictLangs(spec: string): string[] {
  const langs = spec.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (langs.length === 0) throw new Error(`--lang is empty (have: ${Object.keys(FREEDICT_ENGLISH_TO).join(", ")})`);
  for (const l of langs) freedictCode(l);
  return [...new Set(langs)];
}

export interface FreedictOptions {
  /** Where downloaded packages and their extracted trees are kept (default <out>/cache). */
  cacheDir?: string;
  /** Copy from /usr/share/dictd when the package is installed (default true). */
  useInstalled?: boolean;
  /** The installed dictd folder, for tests. */
  installedDir?: string;
  log?: (msg: string) => void;
}

export interface FreedictInfo {
  lang: string;
  package: string;
  version: string;
  /** "download" (apt-get download) or "installed". */
  source: string;
}

/** The folder holding freedict-eng-<x>.{index,dict.dz}: installed, or downloaded and extracted into the cache. */
function packageFiles(lang: string, cacheDir: string, o: FreedictOptions): { dir: string; version: string; source: string } {
  const pkg = freedictPackage(lang);
  const name = `freedict-eng-${freedictCode(lang)}`;
  const installed = o.installedDir ?? INSTALLED_DICTD_DIR;
  if (o.useInstalled !== false && existsSync(join(installed, `${name}.index`)) && existsSync(join(installed, `${name}.dict.dz`)))
    return { dir: installed, version: installedVersion(pkg), source: "installed" };
  const { debPath, version, treeDir } = downloadAndUnpack(pkg, cacheDir, (tree) => existsSync(join(tree, "usr/share/dictd", `${name}.index`)), o.log);
  const dir = join(treeDir, "usr/share/dictd");
  if (!existsSync(join(dir, `${name}.index`)) || !existsSync(join(dir, `${name}.dict.dz`))) throw new Error(`${debPath}: no usr/share/dictd/${name}.index and .dict.dz in the package`);
  return { dir, version, source: "download" };
}

/** Fetches (or finds) each language's English-X dictionary into `out`; languages already there are kept. */
export function fetchFreedict(langs: string[], out: string, o: FreedictOptions = {}): FreedictInfo[] {
  mkdirSync(out, { recursive: true });
  const cacheDir = o.cacheDir ?? join(out, "cache");
  return langs.map((lang) => {
    const files = freedictFiles(out, lang);
    if ([files.index, files.dict, files.info].every((f) => existsSync(f))) {
      o.log?.(`${lang}: already in ${out}`);
      return { lang, ...(JSON.parse(readFileSync(files.info, "utf8")) as Omit<FreedictInfo, "lang">) };
    }
    const src = packageFiles(lang, cacheDir, o);
    const name = `freedict-eng-${freedictCode(lang)}`;
    for (const [from, to] of [[`${name}.index`, files.index], [`${name}.dict.dz`, files.dict]] as const) {
      copyFileSync(join(src.dir, from), `${to}.tmp`);
      renameSync(`${to}.tmp`, to);
    }
    const info: FreedictInfo = { lang, package: freedictPackage(lang), version: src.version, source: src.source };
    writeFileAtomic(files.info, JSON.stringify({ package: info.package, version: info.version, source: info.source }, null, 2));
    o.log?.(`${lang}: ${info.package} ${info.version} (${info.source})`);
    return info;
  });
}
