// The expert-study commands as a user runs them: a whole tiny study through child
// processes, its status, and clear errors for a bad spec or directory.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { tinyStudy } from "./helpers.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const cache = join(tmpdir(), "xling-test-cache");
const dir = mkdtempSync(join(tmpdir(), "xling-experts-cli-"));
const xling = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });

describe("xling experts commands", () => {
  it("train runs seed, experts, added expert and dense, prints the perplexity table and writes the report", () => {
    const spec = join(dir, "study.json");
    writeFileSync(spec, JSON.stringify(tinyStudy({ name: "cli", experts: { ...tinyStudy().experts, add: [{ language: "pt", steps: 2 }] }, parallel: 2 })));
    const out = join(dir, "run");
    const r = xling("experts", "train", spec, "--out", out, "--cache", cache);
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trim().split("\n");
    assert.match(header!, /^language\s+dense\s+param-average\s+top1-language\s+uniform\s+posterior\s+posterior-last-token\s+cached-prior\s+posterior\+cached-prior\s+tfidf-distance$/);
    assert.deepEqual(rows.slice(0, 4).map((l) => l.split(/\s+/)[0]), ["en", "fr", "es", "pt"]);
    for (const row of rows.slice(0, 4)) for (const v of row.split(/\s+/).slice(1)) assert.ok(Number(v.replace(",", "")) > 1, row);
    assert.ok(existsSync(join(out, "report.html")));
    // The results store answers queries on the study: each rule's perplexity per language, as evaluation.json has it.
    const evaluation = JSON.parse(readFileSync(join(out, "evaluation.json"), "utf8")) as { rows: { lang: string; rule: string; ppl: number }[] };
    const q = xling("results", "cli", "--store", join(out, "results.sqlite"), "--result", "ppl", "--where", "kind=ensemble", "--where", "rule=uniform", "--format", "json");
    assert.equal(q.status, 0, q.stderr);
    const got = (JSON.parse(q.stdout) as { lang: string; value: number }[]).map((r) => [r.lang, r.value]).sort();
    const want = evaluation.rows.filter((r) => r.rule === "uniform").map((r) => [r.lang, r.ppl]).sort();
    assert.equal(got.length, 4);
    assert.deepEqual(got, want);
    const trained = xling("results", "cli", "--store", join(out, "results.sqlite"), "--result", "valid_nll", "--where", "kind=expert", "--format", "json");
    assert.equal(trained.status, 0, trained.stderr);
    assert.ok((JSON.parse(trained.stdout) as unknown[]).length >= 3, trained.stdout);
    const status = xling("experts", "status", out);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /^expert-2\s+done\s+2 steps\s+pt\s/m);
    assert.match(status.stdout, /^dense\s+done\s+13 steps\s+en,fr,es,pt\s/m);
    // A second train redoes nothing.
    const again = xling("experts", "train", spec, "--out", out, "--cache", cache);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /0 run\(s\) trained, 5 already finished, 0 failed/);
    // A moved study directory is the same study: its experts' parent paths follow it, nothing retrains.
    const moved = join(dir, "moved");
    renameSync(out, moved);
    const afterMove = xling("experts", "train", spec, "--out", moved, "--cache", cache);
    assert.equal(afterMove.status, 0, afterMove.stderr);
    assert.match(afterMove.stderr, /0 run\(s\) trained, 5 already finished, 0 failed/);
    assert.ok((JSON.parse(readFileSync(join(moved, "experts", "expert-0", "config.json"), "utf8")) as { init: { path: string } }).init.path.startsWith(moved));
    // Changing a finished run's settings is refused rather than silently mixing old and new runs.
    writeFileSync(spec, JSON.stringify(tinyStudy({ name: "cli", experts: { ...tinyStudy().experts, steps: 5, add: [{ language: "pt", steps: 2 }] } })));
    const changed = xling("experts", "train", spec, "--out", moved, "--cache", cache);
    assert.equal(changed.status, 1);
    assert.match(changed.stderr, /expert-0: the study changed this run's settings after it started/);
  });

  it("refuses a bad spec with the field's path, and a directory that is not a study", () => {
    const spec = join(dir, "bad.json");
    writeFileSync(spec, JSON.stringify(tinyStudy({ experts: { ...tinyStudy().experts, k: 0 } })));
    const r = xling("experts", "train", spec, "--out", join(dir, "bad"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /experts\.k: /);
    const s = xling("experts", "status", mkdtempSync(join(tmpdir(), "xling-not-a-study-")));
    assert.equal(s.status, 1);
    assert.match(s.stderr, /not an expert study directory/);
  });
});
