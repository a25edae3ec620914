// metrics.jsonl: a torn last line is dropped with a warning naming the file; any other
// bad line is an error naming file:line; truncation keeps exactly the steps <= the given one.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { appendMetricsFile, readMetricsFile, truncateMetricsFile } from "../../src/run/metrics-file.js";

const dir = mkdtempSync(join(tmpdir(), "xling-metrics-"));
const line = (step: number) => JSON.stringify({ step, split: "train", name: "loss", lang: null, value: step / 10 });

describe("metrics.jsonl reading and truncation", () => {
  it("drops a torn last line on read and on truncation, with a warning naming file:line", () => {
    const path = join(dir, "torn.jsonl");
    writeFileSync(path, `${line(1)}\n${line(2)}\n{"step":3,"sp`);
    const warnings: string[] = [];
    assert.deepEqual(readMetricsFile<{ step: number }>(path, (m) => warnings.push(m)).map((r) => r.step), [1, 2]);
    assert.match(warnings[0], new RegExp(`^${path.replace(/\./g, "\\.")}:3: dropped a torn last line \\(13 bytes`));
    truncateMetricsFile(path, 2, (m) => warnings.push(m));
    assert.equal(readFileSync(path, "utf8"), `${line(1)}\n${line(2)}\n`);
    assert.equal(warnings.length, 2);
  });

  it("a malformed line before the end is an error naming file:line", () => {
    const path = join(dir, "bad.jsonl");
    writeFileSync(path, `${line(1)}\n{"step":2,"sp\n${line(3)}\n`);
    assert.throws(() => readMetricsFile(path), (e: Error) => e.message.startsWith(`${path}:2: malformed metrics line`));
    assert.throws(() => truncateMetricsFile(path, 1), new RegExp(`${path.replace(/\./g, "\\.")}:2:`));
    writeFileSync(path, `${line(1)}\n{"step":"abc"}\n`);
    assert.throws(() => readMetricsFile(path), /:2: a metrics line needs a non-negative integer "step", got "abc"/);
  });

  it("truncation keeps steps <= the checkpoint's, step 0 empties the file, and a whole unterminated last line is kept", () => {
    const path = join(dir, "cut.jsonl");
    writeFileSync(path, [1, 2, 3, 4, 5].map(line).join("\n"));
    truncateMetricsFile(path, 3);
    assert.equal(readFileSync(path, "utf8"), [1, 2, 3].map(line).join("\n") + "\n");
    truncateMetricsFile(path, 0);
    assert.equal(readFileSync(path, "utf8"), "");
    truncateMetricsFile(join(dir, "absent.jsonl"), 0);
  });

  it("appends name the file when the write fails", () => {
    assert.throws(() => appendMetricsFile(join(dir, "no", "such", "dir.jsonl"), [{ step: 1 }]), /no\/such\/dir\.jsonl: cannot append metrics: ENOENT/);
  });
});
