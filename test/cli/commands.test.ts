// The command line over the library: alignment, expert partitioning, Slurm scripts,
// and clear errors for bad input.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "xling-cli-"));
const xling = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("xling commands", () => {
  it("align writes one Pharaoh line per sentence pair", () => {
    const en = ["the house is small", "the house is big", "a small book", "the book is big"];
    const es = ["la casa es pequeña", "la casa es grande", "un libro pequeño", "el libro es grande"];
    writeFileSync(join(dir, "en.txt"), en.join("\n") + "\n");
    writeFileSync(join(dir, "es.txt"), es.join("\n") + "\n");
    const r = xling("align", "--src", join(dir, "en.txt"), "--tgt", join(dir, "es.txt"), "--out", join(dir, "out.align"), "--sym", "intersection");
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(join(dir, "out.align"), "utf8").trim().split("\n");
    assert.equal(lines.length, 4);
    for (const line of lines) assert.match(line, /^(\d+-\d+)( \d+-\d+)*$/);
    assert.ok(lines[0].includes("1-1"), `house-casa in ${lines[0]}`);
  });

  it("align refuses a parallel corpus with unequal line counts, naming the file", () => {
    writeFileSync(join(dir, "short.txt"), "one line\n");
    const r = xling("align", "--src", join(dir, "en.txt"), "--tgt", join(dir, "short.txt"), "--out", join(dir, "x.align"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /short\.txt|en\.txt/);
  });

  it("experts partition groups languages by geography", () => {
    const r = xling("experts", "partition", "--k", "2", "--geographic", "--langs", "eng,fra,spa,jpn,kor");
    assert.equal(r.status, 0, r.stderr);
    const groups = r.stdout.trim().split("\n").map((l) => l.split(": ")[1].split(" ").sort().join(","));
    assert.deepEqual(groups.sort(), ["eng,fra,spa", "jpn,kor"]);
  });

  it("experts slurm writes an array job with one task per expert", () => {
    const out = join(dir, "job.sh");
    const r = xling("experts", "slurm", "--experts", "3", "--command", "xling _run {checkpoint} --cache /c", "--checkpoints", join(dir, "ck"), "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const script = readFileSync(out, "utf8");
    assert.match(script, /#SBATCH --array=0-2/);
    assert.match(script, /OPENBLAS_NUM_THREADS=1/);
  });

  it("unknown commands and missing options fail with a message", () => {
    assert.equal(xling("nonsense").status, 1);
    const r = xling("experts", "slurm", "--experts", "2");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--command is required/);
  });
});
