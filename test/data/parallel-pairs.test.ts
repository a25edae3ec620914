// Translation pairs: splits keyed on the shared unit id (no test paragraph trained on in any
// direction), caps, the three file formats, the Bible and Debian Reference sources, and bad input.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { existsSync } from "node:fs";
import { loadDirections, pairSplit, paragraphCorpusReader, registerParallelCorpus } from "../../src/data/parallel-pairs.js";
import { debianReferenceTextPath } from "../../src/data/corpora/debian-reference.js";
import { tempDir } from "./helpers.js";

const SPLIT = { seed: 0, valid: 0.1, test: 0.2 };
const tmp = tempDir();
after(() => tmp.cleanup());

// A paragraph-parallel corpus in three languages where fr lacks some paragraphs.
registerParallelCorpus("toy", {
  languages: async () => ["en", "de", "fr"],
  async *units(langs) {
    for (let i = 0; i < 200; i++)
      for (const l of langs) if (l !== "fr" || i % 3 !== 0) yield { id: `toy/${i}`, lang: l, text: `${l} paragraph ${i}` };
  },
});

describe("translation pairs", () => {
  it("one-to-many and many-to-one: a unit is in the same split in every direction", async () => {
    const dirs = await loadDirections([
      { src: "en", tgt: "de", corpus: "toy" }, { src: "en", tgt: "fr", corpus: "toy" },
      { src: "de", tgt: "en", corpus: "toy" }, { src: "fr", tgt: "en", corpus: "toy" },
    ], SPLIT);
    const testIds = new Set(dirs.flatMap((d) => d.pairs.test.map((p) => p.id)));
    for (const d of dirs) {
      for (const p of d.pairs.train) assert.ok(!testIds.has(p.id), `${d.name} trains on test unit ${p.id}`);
      for (const p of d.pairs.train) assert.equal(p.source.split(" ")[2], p.target.split(" ")[2], "source and target are the same unit");
    }
    assert.equal(dirs[0].pairs.train.length + dirs[0].pairs.valid.length + dirs[0].pairs.test.length, 200);
    assert.equal(dirs[1].pairs.train.length + dirs[1].pairs.valid.length + dirs[1].pairs.test.length, 133, "fr lacks every third paragraph");
    assert.ok(dirs[0].pairs.test.length > 20 && dirs[0].pairs.test.length < 60);
  });

  it("a cap keeps that many training pairs, a seeded choice spread over the corpus; test pairs are untouched", async () => {
    const [full] = await loadDirections([{ src: "en", tgt: "de", corpus: "toy" }], SPLIT);
    const [capped] = await loadDirections([{ src: "en", tgt: "de", corpus: "toy", cap: 30 }], SPLIT);
    assert.equal(capped.pairs.train.length, 30);
    assert.equal(capped.available, full.pairs.train.length);
    assert.deepEqual(capped.pairs.test, full.pairs.test);
    const indices = capped.pairs.train.map((p) => Number(p.id.split("/")[1]));
    assert.ok(Math.max(...indices) > 150 && Math.min(...indices) < 50, "not just the first paragraphs");
    const [again] = await loadDirections([{ src: "en", tgt: "de", corpus: "toy", cap: 30 }], SPLIT);
    assert.deepEqual(again.pairs.train, capped.pairs.train);
  });

  it("reads TSV (with optional id), JSONL and line-aligned files; ids key the split", async () => {
    const lines = Array.from({ length: 50 }, (_, i) => [`src ${i}`, `tgt ${i}`]);
    const tsv = tmp.file("p.tsv", lines.map(([s, t], i) => (i % 2 ? `${s}\t${t}\tshared-${i}` : `${s}\t${t}`)).join("\n") + "\n");
    const jsonl = tmp.file("p.jsonl", lines.map(([s, t], i) => JSON.stringify({ source: s, target: t, id: `shared-${i}` })).join("\n"));
    const a = tmp.file("a.txt", lines.map(([s]) => s).join("\n"));
    const b = tmp.file("b.txt", lines.map(([, t]) => t).join("\n"));
    const [x, y, z] = await loadDirections([
      { src: "en", tgt: "de", corpus: "tsv", path: tsv }, { src: "en", tgt: "fr", corpus: "jsonl", path: jsonl },
      { src: "en", tgt: "es", corpus: "files", path: a, targetPath: b },
    ], SPLIT);
    for (const d of [x, y, z]) assert.equal(d.pairs.train.length + d.pairs.valid.length + d.pairs.test.length, 50);
    assert.deepEqual(y.pairs.test[0] && { source: y.pairs.test[0].source }, { source: `src ${y.pairs.test[0].id.slice(7)}` });
    assert.equal(x.pairs.train.find((p) => p.source === "src 1")?.id ?? x.pairs.test.find((p) => p.source === "src 1")?.id ?? x.pairs.valid.find((p) => p.source === "src 1")?.id, "shared-1");
    assert.equal(pairSplit("shared-7", SPLIT), pairSplit("shared-7", SPLIT));
  });

  it("bad input: unequal parallel files, a bad TSV or JSONL line, an empty direction, an unknown language", async () => {
    const a = tmp.file("u1.txt", "one\ntwo\nthree\n");
    const b = tmp.file("u2.txt", "eins\nzwei\n");
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "files", path: a, targetPath: b }], SPLIT), /unequal line counts.*u2\.txt has 2 lines.*u1\.txt has 3/);
    const tsv = tmp.file("bad.tsv", "a\tb\nonly one column\n");
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "tsv", path: tsv }], SPLIT), /bad\.tsv:2: expected source<TAB>target\[<TAB>id\], found 1 columns/);
    const jsonl = tmp.file("bad.jsonl", '{"source": "a", "target": "b"}\n{"source": "a"}\n');
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "jsonl", path: jsonl }], SPLIT), /bad\.jsonl:2: a pair needs string fields 'source' and 'target'/);
    const empty = tmp.file("empty.tsv", "\n");
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "tsv", path: empty }], SPLIT), /direction en-de: no pairs in .*empty\.tsv/);
    await assert.rejects(loadDirections([{ src: "en", tgt: "xx", corpus: "toy" }], SPLIT), /direction en-xx: corpus toy has no language 'xx' \(have: en, de, fr\)/);
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "nope" }], SPLIT), /direction en-de: unknown corpus 'nope'/);
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "toy" }, { src: "en", tgt: "de", corpus: "toy" }], SPLIT), /direction en-de is listed twice/);
    await assert.rejects(loadDirections([{ src: "en", tgt: "de", corpus: "toy" }], SPLIT, { maxChars: 3 }), /direction en-de: no pairs in toy \(200 pairs, all longer than 3 characters\)/);
  });

  it("real corpora: Bible verses en-es and Debian Reference paragraphs en-de pair translations of the same unit", async (t) => {
    const [bible] = await loadDirections([{ src: "en", tgt: "es", corpus: "bible", cap: 5 }], SPLIT);
    const gen11 = [...bible.pairs.test, ...bible.pairs.valid, ...bible.uncappedTrain].find((p) => p.id === "bible/Gen.1.1");
    assert.match(gen11?.source ?? "", /^In the beginning God created/);
    assert.match(gen11?.target ?? "", /^EN el principio crió Dios/i);
    if (!existsSync(debianReferenceTextPath("de"))) return t.skip("debian-reference-de is not installed (scripts/setup.sh --tests installs it)");
    const [de] = await loadDirections([{ src: "en", tgt: "de", corpus: "debian-reference" }], SPLIT);
    const heading = [...de.uncappedTrain, ...de.pairs.valid, ...de.pairs.test].find((p) => p.source.endsWith("How to shutdown the system"));
    assert.match(heading?.target ?? "", /^1\.1\.8\.\s+Wie Sie das System herunterfahren$/u);
    // The generic reader of a registry corpus (how the LibreOffice help plugs in) pairs the same paragraphs.
    registerParallelCorpus("debian-generic", paragraphCorpusReader("debian-reference"));
    const [generic] = await loadDirections([{ src: "en", tgt: "de", corpus: "debian-generic" }], SPLIT);
    const g = [...generic.uncappedTrain, ...generic.pairs.valid, ...generic.pairs.test];
    assert.equal(g.length, de.uncappedTrain.length + de.pairs.valid.length + de.pairs.test.length);
    assert.match(g.find((p) => p.source.endsWith("How to shutdown the system"))?.id ?? "", /^debian-reference\/1\/\d+$/);
  });
});
