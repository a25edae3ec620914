import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  FilterError,
  ResultsStore,
  formatTable,
  groupResults,
  matchesFilter,
  parseFilter,
  queryResults,
  resultsCommand,
  runIdFor,
  sweptFields,
  toCsv,
  toJson,
  type ConfigFilter,
  type ResultRow,
} from "../../src/run/index.js";
import { tempDir } from "./helpers.js";

interface DemoConfig {
  data: { ratio: number | string; schedule?: string | null; fraction: number; note?: string };
  model: { size: string };
  train: { seed: number; steps: number };
}

const NOTE = `it's "quoted"; DROP TABLE runs; --`;

/** The sweep of the demo experiment, with a few traps for the filters. */
function demoConfigs(): DemoConfig[] {
  const configs: DemoConfig[] = [];
  for (const ratio of [0.1, 0.5, 0.9]) {
    for (const seed of [0, 1, 2]) {
      configs.push({ data: { ratio, schedule: null, fraction: 1 }, model: { size: "tiny" }, train: { seed, steps: 300 } });
    }
  }
  for (const seed of [0, 1]) {
    configs.push({ data: { ratio: 0.5, schedule: "0.1_0.9", fraction: 1 }, model: { size: "tiny" }, train: { seed, steps: 300 } });
  }
  // The ratio as a string must not pass for the number; a config without a schedule
  // counts as schedule null; a note that looks like SQL is just data.
  configs.push({ data: { ratio: "0.1", schedule: null, fraction: 1 }, model: { size: "tiny" }, train: { seed: 0, steps: 300 } });
  configs.push({ data: { ratio: 0.1, fraction: 0.5, note: NOTE }, model: { size: "mini" }, train: { seed: 3, steps: 600 } });
  return configs;
}

const ratioOf = (c: DemoConfig) => Number(c.data.ratio);
// Made-up but config-dependent results, so a wrong join shows up as a wrong value.
const pplEn1 = (c: DemoConfig) => 20 + 5 * ratioOf(c) + c.train.seed / 10;
const pplClone = (c: DemoConfig) => 40 - 15 * ratioOf(c) + c.train.seed / 10;
const hiddenCos = (c: DemoConfig, layer: number) => 0.5 + 0.1 * layer + ratioOf(c) / 10;

const SWEPT = ["data.ratio", "data.schedule", "model.size", "train.seed"];

function demoStore(t: TestContext): { store: ResultsStore; path: string; configs: DemoConfig[]; idOf: (c: DemoConfig) => string } {
  const path = join(tempDir(t), "demo.sqlite");
  const store = ResultsStore.open(path);
  t.after(() => store.close());
  store.putExperiment("demo", { swept: SWEPT });
  store.putExperiment("other", {});
  const configs = demoConfigs();
  const idOf = (c: DemoConfig) => runIdFor(c, SWEPT);
  configs.forEach((config, i) => {
    const runId = idOf(config);
    store.putRun({ runId, experiment: "demo", config: config as unknown as Record<string, unknown> });
    store.putResults([
      { runId, name: "ppl", lang: "en1", value: pplEn1(config) },
      { runId, name: "ppl", lang: "clone1", value: pplClone(config) },
      { runId, name: "grad_cos", value: ratioOf(config) / 2 },
      ...[0, 1, 2, 3].map((layer) => ({ runId, name: "hidden_cos", layer, value: hiddenCos(config, layer) })),
    ]);
    store.setStatus(runId, i === 4 ? "failed" : "done", i === 4 ? "diverged" : undefined);
  });
  // A run of another experiment with the same ratio must never show up.
  const stray = { data: { ratio: 0.1, schedule: null, fraction: 1 }, model: { size: "tiny" }, train: { seed: 9, steps: 1 } };
  store.putRun({ runId: "stray", experiment: "other", config: stray });
  store.putResults([{ runId: "stray", name: "ppl", lang: "clone1", value: 1 }]);
  return { store, path, configs, idOf };
}

// ---- parsing ----

test("parseFilter reads every operator and value type", () => {
  const cases: [string, ConfigFilter][] = [
    ["data.ratio=0.1", { field: "data.ratio", op: "=", value: 0.1 }],
    ["model.size=tiny", { field: "model.size", op: "=", value: "tiny" }],
    ["train.seed>=1", { field: "train.seed", op: ">=", value: 1 }],
    ["train.seed<=2", { field: "train.seed", op: "<=", value: 2 }],
    ["train.seed>1", { field: "train.seed", op: ">", value: 1 }],
    ["train.lr<6e-4", { field: "train.lr", op: "<", value: 6e-4 }],
    ["data.schedule!=null", { field: "data.schedule", op: "!=", value: null }],
    ["eval.enabled=true", { field: "eval.enabled", op: "=", value: true }],
    ["eval.enabled != false", { field: "eval.enabled", op: "!=", value: false }],
    ['data.ratio="0.1"', { field: "data.ratio", op: "=", value: "0.1" }],
    ["data.schedule='null'", { field: "data.schedule", op: "=", value: "null" }],
    ["data.schedule=0.1_0.9", { field: "data.schedule", op: "=", value: "0.1_0.9" }],
    ["data.expr=a=b", { field: "data.expr", op: "=", value: "a=b" }],
    ["x=-1.5", { field: "x", op: "=", value: -1.5 }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseFilter(text), expected, text);
});

test("parseFilter refuses bad field paths, missing parts and ordering on null or booleans", () => {
  const bad = [
    "data.ratio",
    "=0.1",
    "data..ratio=1",
    "1data=1",
    "data[0]=1",
    "$.data.ratio=1",
    "data.ratio')=1",
    "data.ratio) OR 1=1 --=0.1",
    "data.ratio' OR '1'='1",
    "data ratio=1",
    "data.ratio=",
    "data.schedule<null",
    "eval.enabled>=true",
  ];
  for (const text of bad) assert.throws(() => parseFilter(text), FilterError, text);
});

// ---- filters against the store ----

test("every operator selects the same runs in SQL as the plain predicate", (t) => {
  const { store, configs, idOf } = demoStore(t);
  const cases: [string, (c: DemoConfig) => boolean][] = [
    ["data.ratio=0.1", (c) => c.data.ratio === 0.1],
    ['data.ratio="0.1"', (c) => c.data.ratio === "0.1"],
    ["data.ratio!=0.1", (c) => c.data.ratio !== 0.1],
    ["data.ratio<0.5", (c) => typeof c.data.ratio === "number" && c.data.ratio < 0.5],
    ["data.ratio<=0.5", (c) => typeof c.data.ratio === "number" && c.data.ratio <= 0.5],
    ["data.ratio>0.5", (c) => typeof c.data.ratio === "number" && c.data.ratio > 0.5],
    ["data.ratio>=0.5", (c) => typeof c.data.ratio === "number" && c.data.ratio >= 0.5],
    ["train.seed>=1", (c) => c.train.seed >= 1],
    ["model.size=tiny", (c) => c.model.size === "tiny"],
    ["model.size>m", (c) => c.model.size > "m"],
    ["data.schedule=null", (c) => c.data.schedule === null || c.data.schedule === undefined],
    ["data.schedule!=null", (c) => typeof c.data.schedule === "string"],
    ["data.schedule!=0.1_0.9", (c) => c.data.schedule !== "0.1_0.9"],
    ["data.note=null", (c) => c.data.note === undefined],
    ["train.missing=null", () => true],
    ["train.missing>1", () => false],
  ];
  for (const [text, predicate] of cases) {
    const expected = configs.filter(predicate).map(idOf).sort();
    const actual = store.runs("demo", { where: [text] }).map((r) => r.runId);
    assert.deepEqual(actual, expected, text);
    const filter = parseFilter(text);
    assert.deepEqual(configs.filter((c) => matchesFilter(c, filter)).map(idOf).sort(), expected, `matchesFilter ${text}`);
  }
  // Filters combine with AND.
  const both = store.runs("demo", { where: ["data.ratio>=0.5", "train.seed<1"] }).map((r) => r.runId);
  assert.deepEqual(both, configs.filter((c) => typeof c.data.ratio === "number" && c.data.ratio >= 0.5 && c.train.seed < 1).map(idOf).sort());
  assert.equal(both.length, 3);
});

test("perplexity of the clone for every run with p = 0.1", (t) => {
  const { store, configs, idOf } = demoStore(t);
  const rows = queryResults(store, { experiment: "demo", where: ["data.ratio=0.1"], result: "ppl", lang: "clone1" });
  const expected = configs.filter((c) => c.data.ratio === 0.1);
  assert.equal(rows.length, expected.length);
  assert.ok(rows.length >= 2);
  const byId = new Map(rows.map((r) => [r.runId, r]));
  for (const config of expected) {
    const row = byId.get(idOf(config));
    assert.ok(row, `missing run ${idOf(config)}`);
    assert.equal(row.lang, "clone1");
    assert.equal(row.layer, null);
    assert.equal(row.value, pplClone(config));
    assert.deepEqual(row.config, config);
  }
  assert.ok(!rows.some((r) => r.runId === "stray"));
});

test("results select by layer, by absence of a language, and by status", (t) => {
  const { store, configs, idOf } = demoStore(t);
  const layer2 = queryResults(store, { experiment: "demo", result: "hidden_cos", layer: 2 });
  assert.equal(layer2.length, configs.length);
  for (const row of layer2) {
    const config = configs.find((c) => idOf(c) === row.runId)!;
    assert.equal(row.value, hiddenCos(config, 2));
  }
  assert.equal(queryResults(store, { experiment: "demo", result: "hidden_cos" }).length, 4 * configs.length);
  assert.equal(queryResults(store, { experiment: "demo", result: "grad_cos", lang: null }).length, configs.length);
  assert.equal(queryResults(store, { experiment: "demo", result: "grad_cos", lang: "en1" }).length, 0);
  const done = queryResults(store, { experiment: "demo", result: "grad_cos", status: "done" });
  assert.equal(done.length, configs.length - 1);
  assert.ok(done.every((r) => r.status === "done"));
});

test("groupBy averages over the fields left out", (t) => {
  const { store, configs } = demoStore(t);
  const groups = queryResults(store, { experiment: "demo", where: ["data.schedule=null", "model.size=tiny"], result: "ppl", lang: "en1", groupBy: ["data.ratio"] });
  const plain = configs.filter((c) => c.data.schedule === null && c.model.size === "tiny");
  // Numbers sort before strings: 0.1, 0.5, 0.9, then "0.1".
  assert.deepEqual(groups.map((g) => g.key["data.ratio"]), [0.1, 0.5, 0.9, "0.1"]);
  for (const g of groups) {
    const members = plain.filter((c) => c.data.ratio === g.key["data.ratio"]);
    const values = members.map(pplEn1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.equal(g.n, members.length);
    assert.ok(Math.abs(g.mean - mean) < 1e-12);
    assert.equal(g.min, Math.min(...values));
    assert.equal(g.max, Math.max(...values));
    if (members.length > 1) {
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
      assert.ok(Math.abs(g.std! - Math.sqrt(variance)) < 1e-12);
    } else {
      assert.equal(g.std, null);
    }
  }
  // Languages are never averaged together.
  const rows: ResultRow[] = queryResults(store, { experiment: "demo", where: ["data.ratio=0.9"], result: "ppl" });
  assert.deepEqual(groupResults(rows, ["data.ratio"]).map((g) => [g.lang, g.n]), [["clone1", 3], ["en1", 3]]);
});

test("SQL in values, field paths, names and languages is refused or treated as data", (t) => {
  const { store, configs, idOf } = demoStore(t);
  const total = store.runs("demo").length;
  // Values are bound parameters: these match nothing rather than everything.
  for (const where of ["data.ratio=0.1 OR 1=1", "model.size=tiny' OR '1'='1", "model.size=x'); DROP TABLE runs; --"]) {
    assert.deepEqual(queryResults(store, { experiment: "demo", where: [where], result: "ppl" }), [], where);
  }
  // A value that looks like SQL is found when it is the data.
  const noted = store.runs("demo", { where: [`data.note=${NOTE}`] });
  assert.deepEqual(noted.map((r) => r.runId), configs.filter((c) => c.data.note === NOTE).map(idOf));
  // Field paths are validated, never spliced into SQL.
  for (const where of ["data.ratio') OR 1=1 --=0.1", "data.ratio/**/=1", "data.ratio;DROP TABLE runs=1"]) {
    assert.throws(() => queryResults(store, { experiment: "demo", where: [where], result: "ppl" }), FilterError, where);
  }
  assert.throws(() => groupResults([], ["data.ratio'--"]), FilterError);
  assert.deepEqual(queryResults(store, { experiment: "demo", result: "ppl' OR '1'='1" }), []);
  assert.deepEqual(queryResults(store, { experiment: "demo", result: "ppl", lang: "en1' OR '1'='1" }), []);
  assert.deepEqual(queryResults(store, { experiment: "demo' OR '1'='1", result: "ppl" }), []);
  assert.equal(store.runs("demo").length, total);
});

// ---- output ----

test("formatTable aligns columns: text to the left, numbers to the right", () => {
  const rows = [
    { runId: "ratio0.1-seed0", config: { data: { ratio: 0.1 } }, lang: "clone1", value: 32.8123456 },
    { runId: "r2", config: { data: { ratio: 0.5 } }, lang: null, value: 4 },
    { runId: "r3", config: { data: { ratio: 0.9 } }, lang: "en1", value: Number.NaN },
  ];
  const text = formatTable(rows, ["runId", "data.ratio", "lang", "value"]);
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 2 + rows.length);
  assert.match(lines[0], /^runId\s+data\.ratio\s+lang\s+value$/);
  assert.match(lines[1], /^-+ {2}-+ {2}-+ {2}-+$/);
  // Right-aligned numeric last column: every line ends at the same place.
  assert.ok(lines.every((l) => l.length === lines[0].length), text);
  // Columns start where the header's do.
  const langAt = lines[0].indexOf("lang");
  assert.equal(lines[2].slice(langAt, langAt + 6), "clone1");
  assert.equal(lines[3].slice(langAt, langAt + 1), "-");
  assert.deepEqual(lines.slice(2).map((l) => l.split(/\s{2,}/)), [
    ["ratio0.1-seed0", "0.1", "clone1", "32.8123"],
    ["r2", "0.5", "-", "4"],
    ["r3", "0.9", "en1", "nan"],
  ]);
  assert.equal(formatTable([], ["a", "b"]), "a  b\n-  -\n");
});

test("CSV quotes what needs quoting and keeps full precision; JSON round-trips", () => {
  const rows = [
    { name: 'a,"b"', value: 0.1 + 0.2, note: null },
    { name: "line\nbreak", value: -3, note: { k: 1 } },
  ];
  const columns = ["name", "value", "note", { header: "double", value: (r: { value: number }) => r.value * 2 }];
  assert.equal(toCsv(rows, columns), `name,value,note,double\n"a,""b""",${0.1 + 0.2},,${(0.1 + 0.2) * 2}\n"line\nbreak",-3,"{""k"":1}",-6\n`);
  assert.deepEqual(JSON.parse(toJson(rows)), rows);
});

test("sweptFields finds the fields that vary", () => {
  const configs = demoConfigs();
  assert.deepEqual(sweptFields(configs), ["data.fraction", "data.note", "data.ratio", "data.schedule", "model.size", "train.seed", "train.steps"]);
  assert.deepEqual(sweptFields([{ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }]), ["b.c"]);
});

test("the results command answers the clone question as a table, CSV or JSON", (t) => {
  const { path, configs, idOf } = demoStore(t);
  const args = ["demo", "--store", path, "--where", "data.ratio=0.1", "--result", "ppl", "--lang", "clone1"];
  const expected = configs.filter((c) => c.data.ratio === 0.1);

  const table = resultsCommand(args);
  assert.equal(table.exitCode, 0, table.stderr);
  const lines = table.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2 + expected.length);
  assert.match(lines[0], /^runId .*lang\s+value$/);
  for (const c of expected) assert.ok(lines.some((l) => l.startsWith(idOf(c)) && l.includes(String(pplClone(c)))), idOf(c));

  const csv = resultsCommand([...args, "--format", "csv"]);
  assert.equal(csv.exitCode, 0, csv.stderr);
  assert.equal(csv.stdout.trimEnd().split("\n").length, 1 + expected.length);

  const json = resultsCommand([...args, "--format", "json"]);
  assert.deepEqual((JSON.parse(json.stdout) as ResultRow[]).map((r) => r.value).sort(), expected.map(pplClone).sort());

  const grouped = resultsCommand(["demo", "--store", path, "--result", "ppl", "--lang", "en1", "--group-by", "data.ratio", "--where", "data.schedule=null"]);
  assert.equal(grouped.exitCode, 0, grouped.stderr);
  assert.match(grouped.stdout.split("\n")[0], /^data\.ratio\s+lang\s+n\s+mean\s+std\s+min\s+max$/);

  assert.equal(resultsCommand(["demo", "--store", path]).exitCode, 2);
  const badFilter = resultsCommand(["demo", "--store", path, "--result", "ppl", "--where", "data.ratio')=1"]);
  assert.equal(badFilter.exitCode, 2);
  assert.match(badFilter.stderr, /invalid config field path/);
  const notStore = resultsCommand(["demo", "--store", join(path, "..", "missing", "x.sqlite"), "--result", "ppl"]);
  assert.equal(notStore.exitCode, 2);
  assert.match(notStore.stderr, /missing/);
});
