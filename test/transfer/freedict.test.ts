// FreeDict dictionaries: the dictd entry cleanup that keeps translations only, the
// single-word filter, fetching into a folder (from an "installed" dictd folder written
// here, so no network) with its resume, and the spec value "freedict".
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { fetchFreedict, freedictCode, freedictFiles, parseFreedictLangs } from "../../src/data/corpora/freedict.js";
import { parseDictdEntry, readDictdDictionary } from "../../src/transfer/dictd.js";
import { loadRealignDictionary } from "../../src/transfer/dictionaries.js";

/** A dictd pair of files from entries (headword, body), base-64 offsets written by hand. */
function writeDictd(dir: string, name: string, entries: [string, string][]): void {
  const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const b64 = (n: number): string => (n < 64 ? DIGITS[n]! : b64(Math.floor(n / 64)) + DIGITS[n % 64]);
  let offset = 0;
  const index: string[] = [];
  for (const [head, body] of entries) {
    const len = Buffer.byteLength(body);
    index.push(`${head}\t${b64(offset)}\t${b64(len)}`);
    offset += len;
  }
  writeFileSync(join(dir, `${name}.index`), index.join("\n") + "\n");
  writeFileSync(join(dir, `${name}.dict.dz`), gzipSync(Buffer.from(entries.map(([, b]) => b).join(""))));
}

// The shapes of FreeDict eng-deu entries: grammar in <>, domains in [], indented examples,
// notes, synonyms and cross-references.
const ENTRIES: [string, string][] = [
  ["house", "house /hˈaʊs/\nHaus <neut>\n      \"build a house\"  - ein Haus bauen\n see: {houses}, {open house}\n\n"],
  ["house", "house /hˈaʊs/\nHouse-Musik <fem>, House <fem> [mus.]\n   Synonym: {house music}\n\n"],
  ["book", "book /bˈʊk/ <v>\nverwarnen <v, trans> [sport]\n         Note: Fußballspieler\n"],
  ["open house", "open house\nTag der offenen Tür\n"],
];

describe("FreeDict entries", () => {
  it("keeps unindented translation lines and strips grammar and domain marks", () => {
    assert.deepEqual(parseDictdEntry(ENTRIES[0]![1]), ["Haus"]);
    assert.deepEqual(parseDictdEntry(ENTRIES[1]![1]), ["House-Musik", "House"]);
    assert.deepEqual(parseDictdEntry(ENTRIES[2]![1]), ["verwarnen"]);
  });

  it("keeps only single words when asked", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-fd-"));
    writeDictd(dir, "d", ENTRIES);
    const all = readDictdDictionary(join(dir, "d.index"), join(dir, "d.dict.dz"));
    assert.deepEqual(all.get("house"), ["haus", "house-musik", "house"]);
    assert.deepEqual(all.get("open house"), ["tag der offenen tür"]);
    const single = readDictdDictionary(join(dir, "d.index"), join(dir, "d.dict.dz"), { singleWords: true });
    assert.deepEqual([...single], [["house", ["haus", "house"]], ["book", ["verwarnen"]]]);
  });
});

describe("xling corpus freedict", () => {
  it("maps language codes to Debian's packages and refuses languages without one", () => {
    assert.equal(freedictCode("de"), "deu");
    assert.equal(freedictCode("pt-br"), "por");
    assert.equal(freedictCode("el"), "ell");
    assert.throws(() => parseFreedictLangs("de,zh-cn"), /no FreeDict English-zh-cn.*none for Chinese/);
  });

  it("copies an installed dictionary, records its source, and does not redo it", () => {
    const installed = mkdtempSync(join(tmpdir(), "xling-dictd-"));
    writeDictd(installed, "freedict-eng-deu", ENTRIES);
    const out = join(mkdtempSync(join(tmpdir(), "xling-fdout-")), "freedict");
    const [info] = fetchFreedict(["de"], out, { installedDir: installed });
    assert.equal(info!.source, "installed");
    assert.equal(info!.package, "dict-freedict-eng-deu");
    const f = freedictFiles(out, "de");
    assert.ok(existsSync(f.index) && existsSync(f.dict) && existsSync(f.info));
    assert.deepEqual(readFileSync(f.index), readFileSync(join(installed, "freedict-eng-deu.index")));
    const before = statSync(f.dict).mtimeMs;
    // A second run with nothing installed must not need apt: the files are there.
    const [again] = fetchFreedict(["de"], out, { installedDir: join(installed, "none") });
    assert.equal(again!.source, "installed");
    assert.equal(statSync(f.dict).mtimeMs, before);
  });

  it("a spec's \"freedict\" reads the fetched dictionary, and names the command when it is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-fdspec-"));
    writeDictd(dir, "freedict-eng-deu", ENTRIES);
    const d = await loadRealignDictionary("freedict", "de", dir);
    assert.deepEqual(d.get("book"), ["verwarnen"]);
    mkdirSync(join(dir, "empty"));
    await assert.rejects(loadRealignDictionary("freedict", "el", join(dir, "empty")), /xling corpus freedict --lang el/);
  });
});
