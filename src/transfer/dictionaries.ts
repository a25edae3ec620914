// A realignment dictionary named in a spec: "freedict" (the FreeDict English-X dictionary
// that `xling corpus freedict` fetched, read with dictd.ts), a dictd `.index` file (its
// `.dict.dz` or `.dict` beside it), or a MUSE text file (pivot word, then translation).
// Only single-word headwords and translations are kept from dictd dictionaries: pairs are
// matched on whole tokens of tokenizeWords, so multi-word entries could never match.
import { existsSync } from "node:fs";
import { freedictDir, freedictFiles } from "../data/corpora/freedict.js";
import { readDictdDictionary } from "./dictd.js";
import { normalizeDictionary, readMuseBilingualDictionary, type BilingualDictionary } from "./dictionary-pairs.js";

export async function loadRealignDictionary(value: string, lang: string, dir = freedictDir()): Promise<BilingualDictionary> {
  if (value === "freedict") {
    const f = freedictFiles(dir, lang);
    if (!existsSync(f.index) || !existsSync(f.dict)) throw new Error(`${f.index}: no FreeDict English-${lang} dictionary; fetch it with: xling corpus freedict --lang ${lang}`);
    return normalizeDictionary(readDictdDictionary(f.index, f.dict, { singleWords: true }));
  }
  if (value.endsWith(".index")) {
    const base = value.slice(0, -".index".length);
    const dict = [`${base}.dict.dz`, `${base}.dict`].find((p) => existsSync(p));
    if (!dict) throw new Error(`${value}: no ${base}.dict.dz or ${base}.dict beside the index`);
    return normalizeDictionary(readDictdDictionary(value, dict, { singleWords: true }));
  }
  if (!existsSync(value)) throw new Error(`${value}: dictionary file not found (for ${lang})`);
  return readMuseBilingualDictionary(value);
}
