// `xling reproduce` end to end on one quick finding (the cloned-language study at toy
// size, one seed): runs in child processes, findings.json/.md/.html written with every
// field, a second invocation resumes (trains nothing), a finding whose analysis fails is
// reported as failed with no figure, and unknown names list the valid ones.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { TEST_CACHE } from "../experiment/fixtures.js";
import { FINDINGS, middleLayers, type Finding } from "../../src/reproduce/findings.js";
import { mergeEntries, reproduce, resolveFindings, type FindingEntry } from "../../src/reproduce/reproduce.js";
import { README_TABLE_END, README_TABLE_START, updateReadmeTable } from "../../src/reproduce/report.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", XLING_CACHE: TEST_CACHE };

function xling(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env, timeout: 600_000 });
}

describe("xling reproduce", () => {
  const root = mkdtempSync(join(tmpdir(), "xling-reproduce-"));
  let first: ReturnType<typeof xling>;
  before(() => {
    first = xling(["reproduce", "imbalance-hidden-alignment", "--scale", "quick", "--seeds", "1", "--out", root]);
  });

  it("lists at least 11 findings, each with its claim, paper figure and specs", () => {
    const r = xling(["reproduce", "--list"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(FINDINGS.length >= 11);
    for (const f of FINDINGS) {
      assert.match(r.stdout, new RegExp(`^${f.name}  \\[`, "m"));
      for (const s of f.specs) for (const scale of ["quick", "machine", "paper"])
        assert.ok(existsSync(fileURLToPath(new URL(`../../../examples/reproduce/${scale}/${s}.json`, import.meta.url))), `${scale}/${s}.json`);
    }
  });

  it("runs one quick finding and writes the findings table with every field", () => {
    assert.equal(first.status, 0, first.stderr.slice(-2000));
    const json = JSON.parse(readFileSync(join(root, "quick", "findings.json"), "utf8")) as { findings: FindingEntry[] };
    assert.equal(json.findings.length, FINDINGS.length);
    const e = json.findings.find((x) => x.name === "imbalance-hidden-alignment")!;
    assert.equal(e.verdict, "no verdict at quick scale");
    assert.equal(e.xling!.values.length, 1);
    assert.ok(Number.isFinite(e.xling!.values[0]));
    // One seed: a mean but no interval.
    assert.equal(e.xling!.lower, null);
    assert.ok(e.xling!.detail.cosine_90_10 > -1 && e.xling!.detail.cosine_90_10 <= 1);
    assert.ok(Math.abs(e.xling!.values[0]! - (e.xling!.detail.cosine_90_10! - e.xling!.detail.cosine_50_50!)) < 1e-12);
    assert.deepEqual(e.scale, { name: "quick", seeds: 1, specs: ["examples/reproduce/quick/clones.json"], parameters: e.scale!.parameters, tokensPerRun: 60 * 8 * 16, tokensPerSeed: e.scale!.tokensPerSeed });
    assert.ok(e.scale!.parameters! > 10_000 && e.wallSeconds! > 0);
    assert.match(e.command, /reproduce imbalance-hidden-alignment --scale quick --seeds 1/);
    // quick/clones-small.json sits beside quick/clones.json: the same analysis at the smaller size.
    const small = e.smallerSize as { mean: number; seeds: number; parameters: number; tokensPerRun: number; specs: string[] };
    assert.ok(small && "mean" in small, JSON.stringify(e.smallerSize));
    assert.deepEqual(small.specs, ["examples/reproduce/quick/clones-small.json"]);
    assert.ok(small.parameters < e.scale!.parameters! && small.tokensPerRun === 30 * 8 * 16 && small.seeds === 1);
    assert.ok(Number.isFinite(small.mean) && small.mean !== e.xling!.mean);
    assert.ok(e.paperScale !== null && e.paperScale.parameters > 1e8);
    // The findings not run say so, with the command that runs them.
    const other = json.findings.find((x) => x.name === "balancing-cats")!;
    assert.equal(other.verdict, "not run");
    assert.equal(other.xling, null);
    assert.match(other.command, /reproduce balancing-cats --scale/);
    const md = readFileSync(join(root, "quick", "findings.md"), "utf8");
    assert.match(md, /\| imbalance-hidden-alignment \|.*\| \*\*no verdict at quick scale\*\* \|/);
    assert.match(md, /- \*\*At a smaller size\*\* \([\d,]+ parameters, 3,840 tokens per run, 1 seeds; `examples\/reproduce\/quick\/clones-small\.json`\): [+-]/);
    const html = readFileSync(join(root, "quick", "findings.html"), "utf8");
    assert.match(html, /xling findings/);
    assert.match(html, /imbalance-hidden-alignment/);
  });

  it("resumes: a second run reuses the finished runs", () => {
    const again = xling(["reproduce", "imbalance-hidden-alignment", "--scale", "quick", "--seeds", "1", "--out", root]);
    assert.equal(again.status, 0, again.stderr.slice(-2000));
    assert.match(again.stderr, /8 finished run\(s\) skipped[^]*8 finished run\(s\) skipped/);
    assert.doesNotMatch(again.stderr, /run .* started/);
  });

  it("reports a finding whose analysis fails as failed, never with a verdict", async () => {
    const broken: Finding = { ...FINDINGS[0]!, name: "broken", analyse: () => { throw new Error("no such result"); } };
    const [e] = await reproduce([broken], { scale: "quick", seeds: 1, root, cacheDir: TEST_CACHE, command: "test", log: () => {} });
    assert.equal(e!.verdict, "failed");
    assert.equal(e!.xling, null);
    assert.match(e!.note!, /analysis of seed 0 failed: no such result/);
  });

  it("refuses unknown finding names, listing the valid ones", () => {
    const r = xling(["reproduce", "imbalance-teff", "no-such-finding", "--scale", "quick"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown finding 'no-such-finding'; the findings are: imbalance-teff, /);
    assert.throws(() => resolveFindings([]), /name the findings to reproduce/);
    const bad = xling(["reproduce", "imbalance-teff", "--scale", "huge"]);
    assert.match(bad.stderr, /--scale takes one of quick, machine, paper/);
  });

  it("merges entries by finding, keeping earlier ones and marking the rest not run", () => {
    const fresh = { name: "imbalance-teff", verdict: "reproduced" } as FindingEntry;
    const old = { name: "balancing-cats", verdict: "inconclusive" } as FindingEntry;
    const merged = mergeEntries([old], [fresh], "machine");
    assert.equal(merged.length, FINDINGS.length);
    assert.equal(merged.find((e) => e.name === "imbalance-teff")!.verdict, "reproduced");
    assert.equal(merged.find((e) => e.name === "balancing-cats")!.verdict, "inconclusive");
    assert.equal(merged.find((e) => e.name === "experts-beat-dense")!.verdict, "not run");
  });

  it("writes the README's table between its markers only", () => {
    const readme = join(root, "README.md");
    writeFileSync(readme, `# x\n\n${README_TABLE_START}\nold\n${README_TABLE_END}\n\nafter\n`);
    const entries = mergeEntries([], [], "machine");
    assert.equal(updateReadmeTable(readme, entries), true);
    const text = readFileSync(readme, "utf8");
    assert.doesNotMatch(text, /\nold\n/);
    assert.match(text, /\| \[imbalance-teff\]\(docs\/findings.md#imbalance-teff\) \| \*\*not run\*\* \|/);
    assert.match(text, /after\n$/);
    writeFileSync(readme, "no markers\n");
    assert.equal(updateReadmeTable(readme, entries), false);
  });

  it("takes the middle half of the layers", () => {
    assert.deepEqual(middleLayers(2), [1, 2]);
    assert.deepEqual(middleLayers(4), [2, 3]);
    assert.deepEqual(middleLayers(12), [4, 5, 6, 7, 8, 9]);
  });
});
