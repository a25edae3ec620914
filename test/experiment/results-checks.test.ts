// `xling results` refuses questions the store cannot answer, listing what exists, and
// never creates a store.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ResultsStore } from "../../src/run/store.js";
import { resultsCommand } from "../../src/run/results-command.js";

function store(): string {
  const root = mkdtempSync(join(tmpdir(), "xling-results-"));
  mkdirSync(join(root, "demo"));
  const path = join(root, "demo", "results.sqlite");
  const s = ResultsStore.open(path);
  s.putExperiment("demo", {});
  for (const [id, ratio] of [["r1", 0.1], ["r2", 0.5]] as const) {
    s.putRun({ runId: id, experiment: "demo", config: { data: { ratio }, train: { seed: 0 } } });
    s.putResults([{ runId: id, name: "ppl", lang: "en1", layer: null, value: 10 * ratio }]);
  }
  s.close();
  return path;
}

describe("xling results checks", () => {
  it("a missing store is an error listing the stores beside it, and no file is created", () => {
    const path = store();
    const missing = join(path, "..", "..", "nope", "results.sqlite");
    const r = resultsCommand(["nope", "--store", missing, "--result", "ppl"]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no results store at .*nope\/results\.sqlite \(experiments with a store in .*: demo;/);
    assert.ok(!existsSync(missing));
  });

  it("an unknown experiment, config field or result is an error listing what exists", () => {
    const path = store();
    const ask = (...args: string[]) => resultsCommand(["demo", "--store", path, "--result", "ppl", ...args]);
    let r = resultsCommand(["demmo", "--store", path, "--result", "ppl"]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /unknown experiment "demmo" .*\(it holds: demo\)/);
    r = ask("--where", "data.ratoi=0.1");
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no run of demo has a config field data\.ratoi \(fields: data\.ratio, train\.seed\)/);
    r = ask("--group-by", "data.rate");
    assert.match(r.stderr, /--group-by data\.rate: no run of demo has this config field/);
    r = resultsCommand(["demo", "--store", path, "--result", "pll"]);
    assert.match(r.stderr, /--result pll: no run of demo has this result \(results: ppl\)/);
    r = ask("--where", "data.ratio");
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /has no operator/);
    // Well-formed but of the wrong type: numbers never equal a string.
    r = ask("--where", "data.ratio=abc");
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /--where data\.ratio=abc: data\.ratio holds numbers, never a string \(values: 0\.1/);
    // Known fields, and the absence of a field in an object that exists, still work.
    r = ask("--where", "data.ratio=0.1");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /r1/);
    assert.equal(ask("--where", "data.schedule=null").exitCode, 0);
  });
});
