// The converted LibreOffice help (libreoffice-help.ts) as a corpus for openCorpus():
// one document per paragraph (unit "paragraph", the default) or per help page ("page").
import { existsSync } from "node:fs";
import { libreOfficeHelpDir, libreOfficeHelpJsonlPath, LIBREOFFICE_HELP_LANGS, readHelpRecords } from "./libreoffice-help.js";

export interface LibreOfficeCorpusDocument {
  lang: string;
  docId: string;
  text: string;
}

/** The languages converted into `dir` (in the packages' order), restricted to `langs`. */
export function convertedHelpLanguages(langs: string[] | undefined, dir = libreOfficeHelpDir()): string[] {
  return LIBREOFFICE_HELP_LANGS.filter((l) => (langs === undefined || langs.includes(l)) && existsSync(libreOfficeHelpJsonlPath(dir, l)));
}

export async function* libreOfficeHelpDocuments(langs: string[] | undefined, unit: "paragraph" | "page", dir = libreOfficeHelpDir()): AsyncGenerator<LibreOfficeCorpusDocument> {
  for (const lang of convertedHelpLanguages(langs, dir)) {
    const records = readHelpRecords(libreOfficeHelpJsonlPath(dir, lang));
    if (unit === "paragraph") {
      for (const r of records) yield { lang, docId: `libreoffice-help/${lang}/${r.page}#${r.id}`, text: r.text };
      continue;
    }
    let page: string | undefined;
    let texts: string[] = [];
    for (const r of records) {
      if (r.page !== page && texts.length > 0) {
        yield { lang, docId: `libreoffice-help/${lang}/${page}`, text: texts.join("\n") };
        texts = [];
      }
      page = r.page;
      texts.push(r.text);
    }
    if (texts.length > 0) yield { lang, docId: `libreoffice-help/${lang}/${page}`, text: texts.join("\n") };
  }
}
