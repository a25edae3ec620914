// Hostile inputs to the data commands end in errors naming the file (and line), or in a
// reported skip of the one bad record, never in a library assertion or a silent accept.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { SentencePieceTokenizer } from "../../src/data/tokenizer.js";
import { readConllu } from "../../src/data/readers/index.js";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { tinySpec } from "../experiment/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "xling-hostile-"));
const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));

describe("hostile inputs", () => {
  it("tokenizer training on an empty file or invalid UTF-8 is an error naming the file (and line)", async () => {
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "\n  \n");
    await assert.rejects(SentencePieceTokenizer.train({ input: empty, modelPrefix: join(dir, "t1"), vocabSize: 20 }),
      (e: Error) => e.message === `${empty}: no text to train a tokenizer on (the file is empty or blank)`);
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, Buffer.concat([Buffer.from("good line\nbad "), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]));
    await assert.rejects(SentencePieceTokenizer.train({ input: bad, modelPrefix: join(dir, "t2"), vocabSize: 20 }), new RegExp(`^DataError: ${bad.replace(/\./g, "\\.")}:2: invalid UTF-8`));
  });

  it("a CoNLL-U HEAD pointing past the sentence is rejected with file:line", async () => {
    const path = join(dir, "head.conllu");
    writeFileSync(path, ["# sent_id = 1", "1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_", "2\tB\tb\tNOUN\t_\t_\t7\tdep\t_\t_", ""].join("\n"));
    await assert.rejects(async () => { for await (const _ of readConllu(path)) { /* read */ } },
      (e: Error) => e.message === `${path}:3: HEAD 7 of word 2 points past the sentence's 2 words`);
  });

  it("a spec whose heads do not divide dModel is rejected at parse time with the field path", () => {
    const spec = tinySpec("heads");
    (spec.base.model as Record<string, unknown>).heads = 3;
    assert.throws(() => parseExperiment(spec, "spec.json"), /spec\.json: invalid experiment spec\n {2}base\.model\.heads: heads \(3\) must divide dModel \(32\)/);
    const preset = tinySpec("preset");
    preset.base.model = { size: "tiny", heads: 5 } as never;
    assert.throws(() => parseExperiment(preset, "p.json"), /heads \(5\) must divide dModel/);
  });

  it("align skips (and reports with file:line) one very long line instead of rejecting the corpus", () => {
    const src = join(dir, "a.txt");
    const tgt = join(dir, "b.txt");
    const long = Array.from({ length: 1500 }, () => "word").join(" ");
    writeFileSync(src, `the house\n${long}\na dog\n`);
    writeFileSync(tgt, `das haus\n${long}\nein hund\n`);
    const out = join(dir, "out.align");
    const r = spawnSync(process.execPath, [bin, "align", "--src", src, "--tgt", tgt, "--out", out], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${src.replace(/\./g, "\\.")}:2: skipped a sentence pair of 1500 x 1500 words`));
    const lines = readFileSync(out, "utf8").split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[1], "");
    assert.match(lines[0]!, /^\d+-\d+/);
    assert.match(lines[2]!, /^\d+-\d+/);
  });
});
