// zstd, xz and Parquet inputs through the JSONL and text readers: fixtures made here with
// the zstd / xz command-line tools (Debian packages zstd, xz-utils) and hyparquet-writer,
// read back to the documents written; corrupt files are refused naming the file.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { parquetWriteFile } from "hyparquet-writer";

import { readJsonl, readTextDocuments } from "../../src/data/readers/index.js";
import { readLanguage } from "../../src/data/multilingual.js";

const dir = mkdtempSync(join(tmpdir(), "xling-compressed-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Enough text that the compressed streams span several read chunks (64 KiB).
const DOCS = Array.from({ length: 3000 }, (_, i) => ({ text: `Dokument ${i}: größer als ${i * 7} — ${"x".repeat(i % 50)} café`, lang: i % 3 === 0 ? "de" : "en" }));
const JSONL = DOCS.map((d) => JSON.stringify(d)).join("\n") + "\n";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function compress(tool: "zstd" | "xz", path: string): string {
  execFileSync(tool, tool === "zstd" ? ["-q", "-f", "-k", path] : ["-f", "-k", path]);
  return `${path}.${tool === "zstd" ? "zst" : "xz"}`;
}

describe("compressed and Parquet inputs", () => {
  const plain = join(dir, "docs.jsonl");
  writeFileSync(plain, JSONL);
  const zst = compress("zstd", plain);
  const xz = compress("xz", plain);
  const parquet = join(dir, "docs.parquet");

  it("reads .jsonl.zst and .jsonl.xz to the documents written", async () => {
    assert.ok(readFileSync(zst).length < JSONL.length / 3, "the fixture is compressed");
    for (const path of [zst, xz]) {
      const docs = await collect(readJsonl(path));
      assert.deepEqual(docs.map((d) => ({ text: d.text, lang: d.lang })), DOCS, path);
      assert.equal(docs.at(-1)!.line, DOCS.length);
    }
  });

  it("reads compressed plain text a document per line", async () => {
    const text = join(dir, "lines.txt");
    writeFileSync(text, DOCS.map((d) => d.text).join("\n") + "\n");
    for (const path of [compress("zstd", text), compress("xz", text)])
      assert.deepEqual((await collect(readTextDocuments(path))).map((d) => d.text), DOCS.map((d) => d.text));
  });

  it("reads a Parquet file's text and lang columns, a row per record", async () => {
    await parquetWriteFile({
      filename: parquet,
      columnData: [
        { name: "text", data: DOCS.map((d) => d.text), type: "STRING" },
        { name: "lang", data: DOCS.map((d) => d.lang), type: "STRING" },
        { name: "id", data: DOCS.map((_, i) => i), type: "INT32" },
      ],
      rowGroupSize: 1000,
    });
    const docs = await collect(readJsonl(parquet));
    assert.deepEqual(docs.map((d) => ({ text: d.text, lang: d.lang })), DOCS);
    assert.deepEqual([docs[0]!.line, docs[1500]!.line], [1, 1501]);
    // A multilingual corpus source picks its language out of the file.
    const de = await readLanguage({ lang: "de", corpus: "file", path: parquet } as Parameters<typeof readLanguage>[0]);
    assert.deepEqual(de, DOCS.filter((d) => d.lang === "de").map((d) => d.text));
  });

  it("refuses corrupt zstd, xz and Parquet files with the file's name", async () => {
    const cases: [string, Buffer][] = [];
    const z = readFileSync(zst);
    cases.push([join(dir, "bad.jsonl.zst"), Buffer.concat([z.subarray(0, 40), Buffer.alloc(40, 0xab), z.subarray(80)])]);
    const x = readFileSync(xz);
    cases.push([join(dir, "bad.jsonl.xz"), Buffer.concat([x.subarray(0, 60), Buffer.alloc(40, 0xab), x.subarray(100)])]);
    cases.push([join(dir, "truncated.jsonl.zst"), z.subarray(0, Math.floor(z.length / 2))]);
    cases.push([join(dir, "bad.parquet"), Buffer.from("PAR1 this is not a parquet file PAR1")]);
    for (const [path, bytes] of cases) {
      writeFileSync(path, bytes);
      await assert.rejects(collect(readJsonl(path)), (e: Error) => e.message.startsWith(path) && e.name === "DataError", path);
    }
  });
});
