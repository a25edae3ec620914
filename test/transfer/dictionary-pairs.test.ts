import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { decodeDictdNumber, parseDictdEntry, readDictdDictionary } from "../../src/transfer/dictd.js";
import { dictionaryWordPairs, normalizeDictionary, readMuseBilingualDictionary } from "../../src/transfer/dictionary-pairs.js";

const pair = (src: string, tgt: string) => ({ src: src.split(" "), tgt: tgt.split(" ") });

describe("dictionary word pairs", () => {
  const dict = normalizeDictionary(
    new Map([
      ["house", ["casa", "hogar"]],
      ["the", ["el", "la", "los"]],
      ["big", ["grande"]],
      ["great", ["grande"]],
      ["dog", ["perro"]],
      ["Israel", ["Israel"]],
    ]),
  );

  it("keeps only unambiguous one-to-one pairs", () => {
    // house -> casa (hogar absent): paired. "the" has two translations present (la, el): not paired.
    // big and great both translate to "grande": the target word has two source tokens, so neither pairs.
    // dog -> perro occurs twice in the target: not paired.
    const p = pair("the big house and the great dog", "la casa grande y el perro perro");
    assert.deepEqual(
      dictionaryWordPairs(p, dict, 7).map((w) => [w.sentence, w.srcIndex, w.tgtIndex, w.src, w.tgt]),
      [[7, 2, 1, "house", "casa"]],
    );
  });

  it("drops pairs spelled the same and matches case-insensitively", () => {
    const p = pair("The Dog of Israel", "El Perro de Israel");
    assert.deepEqual(dictionaryWordPairs(p, dict).map((w) => `${w.src}=${w.tgt}`), ["The=El", "Dog=Perro"]);
  });

  it("reads MUSE files through the existing reader", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-muse-"));
    const path = join(dir, "en-es.txt");
    writeFileSync(path, "House casa\nhouse hogar\n");
    assert.deepEqual([...(await readMuseBilingualDictionary(path))], [["house", ["casa", "hogar"]]]);
  });
});

describe("dictd reader", () => {
  it("decodes base-64 numbers", () => {
    // Digits A=0 .. Z=25, a=26 .. z=51, 0=52 .. 9=61, +=62, /=63, most significant first.
    assert.equal(decodeDictdNumber("A"), 0);
    assert.equal(decodeDictdNumber("B"), 1);
    assert.equal(decodeDictdNumber("BA"), 64);
    assert.equal(decodeDictdNumber("CCt"), 2 * 4096 + 2 * 64 + 45);
    assert.equal(decodeDictdNumber("//"), 63 * 64 + 63);
    assert.throws(() => decodeDictdNumber("A-"), /base-64 digit/);
  });

  it("parses entries: headword line, then translations split on commas and semicolons", () => {
    assert.deepEqual(parseDictdEntry("house /haus/\ncasa, hogar; 1. vivienda (formal)\n"), ["casa", "hogar", "vivienda"]);
  });

  it("reads an index and a gzipped dict written here", () => {
    // Entries laid out by hand: "00-database-info\nsample\n" is 24 bytes at offset 0,
    // "dog /dɔg/\nperro\n" (ɔ is 2 bytes in UTF-8) is 17 bytes at 24, "Dog\ncan\n" is 8 bytes at 41.
    const body = "00-database-info\nsample\ndog /dɔg/\nperro\nDog\ncan\n";
    assert.equal(Buffer.byteLength(body), 49);
    // 24 = Y, 17 = R, 41 = p, 8 = I.
    const index = "00databaseinfo\tA\tY\ndog\tY\tR\nDog\tp\tI\n";
    const dir = mkdtempSync(join(tmpdir(), "xling-dictd-"));
    writeFileSync(join(dir, "s.index"), index);
    writeFileSync(join(dir, "s.dict.dz"), gzipSync(Buffer.from(body)));
    writeFileSync(join(dir, "s.dict"), body);
    for (const file of ["s.dict.dz", "s.dict"]) {
      assert.deepEqual([...readDictdDictionary(join(dir, "s.index"), join(dir, file))], [["dog", ["perro", "can"]]]);
    }
    writeFileSync(join(dir, "bad.index"), "dog\tY\tBA\n");
    assert.throws(() => readDictdDictionary(join(dir, "bad.index"), join(dir, "s.dict")), /past the end/);
  });

  const INDEX = "/usr/share/dictd/freedict-eng-spa.index";
  const DICT = "/usr/share/dictd/freedict-eng-spa.dict.dz";
  const skip = existsSync(INDEX) && existsSync(DICT) ? false : `FreeDict English-Spanish not installed (${INDEX}); apt-get install dict-freedict-eng-spa`;

  it("reads FreeDict English-Spanish and pairs words of a Bible verse", { skip }, (t) => {
    const dict = readDictdDictionary(INDEX, DICT);
    t.diagnostic(`FreeDict eng-spa: ${dict.size} headwords`);
    assert.ok(dict.size > 4000, `only ${dict.size} headwords`);
    assert.ok(dict.get("god")?.includes("dios"));
    assert.ok(dict.get("house")?.includes("casa"));
    const verse = pair("But Noah found grace in the eyes of the LORD .", "Empero Noé halló gracia en los ojos de Jehová .");
    const found = dictionaryWordPairs(verse, dict).map((w) => `${w.src}=${w.tgt}`);
    t.diagnostic(`Gen.6.8 dictionary pairs: ${found.join(" ")}`);
    // Every pair found must be a real translation and one-to-one.
    for (const w of dictionaryWordPairs(verse, dict)) assert.ok(dict.get(w.src.toLowerCase())?.includes(w.tgt.toLowerCase()));
    // Plain prepositions with a single occurrence on each side must pair.
    for (const want of ["in=en", "of=de"]) assert.ok(found.includes(want), `${want} missing from ${found.join(" ")}`);
  });
});
