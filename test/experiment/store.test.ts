import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { openSync, readFileSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ResultsStore, StoreError, SCHEMA_VERSION, canonicalJson, configHash, runIdFor } from "../../src/run/index.js";
import { distModule, runNode, tempDir } from "./helpers.js";

const CONFIG = { data: { ratio: 0.1, schedule: null, fraction: 1 }, model: { size: "tiny" }, train: { seed: 0, steps: 300 } };

function openDemo(t: Parameters<typeof tempDir>[0]): { store: ResultsStore; path: string } {
  const path = join(tempDir(t), "results.sqlite");
  const store = ResultsStore.open(path);
  t.after(() => {
    try {
      store.close();
    } catch {
      // already closed by the test
    }
  });
  store.putExperiment("demo", { sweep: { "data.ratio": [0.1, 0.5] } });
  return { store, path };
}

// ---- run identity ----

test("canonical JSON sorts keys at every depth and keeps array order", () => {
  assert.equal(canonicalJson({ b: { d: null, c: [2, 1] }, a: 1 }), '{"a":1,"b":{"c":[2,1],"d":null}}');
  assert.equal(canonicalJson({ x: undefined, y: "q\"" }), '{"y":"q\\""}');
  assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite/);
  assert.throws(() => canonicalJson({ a: new Date(0) }), /not a plain object/);
});

test("runIdFor ignores key order, changes with any value, and carries a readable slug", () => {
  const reordered = { train: { steps: 300, seed: 0 }, model: { size: "tiny" }, data: { fraction: 1, schedule: null, ratio: 0.1 } };
  assert.equal(runIdFor(CONFIG), runIdFor(reordered));
  assert.equal(runIdFor(CONFIG, ["data.ratio", "train.seed"]), runIdFor(reordered, ["data.ratio", "train.seed"]));
  assert.notEqual(runIdFor(CONFIG), runIdFor({ ...CONFIG, train: { seed: 1, steps: 300 } }));
  assert.notEqual(runIdFor(CONFIG), runIdFor({ ...CONFIG, data: { ...CONFIG.data, ratio: 0.10001 } }));

  const expectedHash = createHash("sha256").update(canonicalJson(reordered)).digest("hex").slice(0, 12);
  assert.equal(configHash(CONFIG), expectedHash);
  assert.equal(runIdFor(CONFIG, ["data.ratio", "train.seed"]), `ratio0.1-seed0-${expectedHash}`);
  assert.match(runIdFor(CONFIG), /^[0-9a-f]{12}$/);
  // Values with unsafe characters are made safe for file names.
  const scheduled = { ...CONFIG, data: { ...CONFIG.data, schedule: "0.1_0.9 / x" } };
  assert.match(runIdFor(scheduled, ["data.schedule"]), /^schedule0\.1_0\.9_x-[0-9a-f]{12}$/);
});

// ---- round trips ----

test("experiments, runs, status, metrics and results round-trip", (t) => {
  const { store, path } = openDemo(t);
  assert.deepEqual(store.experiment("demo")?.spec, { sweep: { "data.ratio": [0.1, 0.5] } });
  assert.equal(store.experiment("nope"), undefined);

  const runId = runIdFor(CONFIG, ["data.ratio"]);
  const created = store.putRun({ runId, experiment: "demo", config: CONFIG });
  assert.equal(created.status, "pending");
  assert.deepEqual(created.config, CONFIG);
  assert.equal(created.startedAt, null);

  store.setStatus(runId, "running");
  const running = store.run(runId)!;
  assert.equal(running.status, "running");
  assert.ok(running.startedAt && !Number.isNaN(Date.parse(running.startedAt)));

  store.logMetrics([
    { runId, step: 0, split: "train", name: "loss", lang: "en1", value: 9.5 },
    { runId, step: 10, split: "train", name: "loss", lang: "en1", value: 7.25 },
    { runId, step: 0, split: "train", name: "loss", lang: "clone1", value: 9.75 },
    { runId, step: 10, split: "valid", name: "loss", value: Number.NaN },
    { runId, step: 10, split: "train", name: "lr", lang: null, value: 6e-4 },
  ]);
  const loss = store.metrics(runId, "loss");
  assert.deepEqual(
    loss.map((m) => [m.split, m.lang, m.step, m.value]),
    [
      ["train", "clone1", 0, 9.75],
      ["train", "en1", 0, 9.5],
      ["train", "en1", 10, 7.25],
      ["valid", null, 10, Number.NaN],
    ],
  );
  assert.equal(store.metrics(runId).length, 5);

  store.putResults([
    { runId, name: "ppl", lang: "en1", value: 22.46 },
    { runId, name: "ppl", lang: "clone1", value: 32.81 },
    { runId, name: "hidden_cos", layer: 2, value: 0.96 },
    { runId, name: "grad_cos", value: 0.53 },
  ]);
  assert.deepEqual(store.results(runId, { name: "ppl", lang: "clone1" }).map((r) => r.value), [32.81]);
  assert.deepEqual(store.results(runId, { layer: 2 }).map((r) => r.name), ["hidden_cos"]);
  // null asks for results without a language; undefined for any.
  assert.deepEqual(store.results(runId, { lang: null }).map((r) => r.name), ["grad_cos", "hidden_cos"]);
  assert.equal(store.results(runId).length, 4);

  store.setStatus(runId, "failed", "out of memory");
  assert.equal(store.run(runId)!.error, "out of memory");
  assert.deepEqual(store.finishedRunIds("demo"), []);
  store.setStatus(runId, "done");
  const done = store.run(runId)!;
  assert.equal(done.error, null);
  assert.ok(done.finishedAt);
  assert.deepEqual(store.finishedRunIds("demo"), [runId]);

  // Everything survives closing and reopening the file.
  store.close();
  const again = ResultsStore.open(path);
  try {
    assert.deepEqual(again.run(runId), done);
    assert.equal(again.metrics(runId).length, 5);
    assert.equal(again.results(runId, { name: "ppl", lang: "en1" })[0].value, 22.46);
  } finally {
    again.close();
  }
  const raw = new Database(path, { readonly: true });
  try {
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.prepare("SELECT version FROM schema_version").pluck().get(), SCHEMA_VERSION);
  } finally {
    raw.close();
  }
});

test("putRun is idempotent and refuses a conflicting config under the same id", (t) => {
  const { store } = openDemo(t);
  const runId = runIdFor(CONFIG);
  store.putRun({ runId, experiment: "demo", config: CONFIG });
  store.setStatus(runId, "done");
  // Same config in another key order: nothing changes, the status is kept.
  const reordered = { train: { steps: 300, seed: 0 }, model: { size: "tiny" }, data: { fraction: 1, schedule: null, ratio: 0.1 } };
  assert.equal(store.putRun({ runId, experiment: "demo", config: reordered }).status, "done");
  assert.equal(store.runs("demo").length, 1);
  assert.throws(
    () => store.putRun({ runId, experiment: "demo", config: { ...CONFIG, train: { seed: 1, steps: 300 } } }),
    (e: Error) => e instanceof StoreError && /different config/.test(e.message),
  );
  assert.throws(() => store.putRun({ runId: "x", experiment: "unknown", config: CONFIG }), /unknown experiment/);
  assert.throws(() => store.setStatus("missing", "running"), /unknown run/);
  assert.throws(() => store.setStatus(runId, "bogus" as never), /unknown run status/);
});

test("putResults and logMetrics upsert instead of duplicating, NULL keys included", (t) => {
  const { store, path } = openDemo(t);
  const runId = "r1";
  store.putRun({ runId, experiment: "demo", config: CONFIG });
  const rows = [
    { runId, name: "ppl", lang: "en1", value: 1 },
    { runId, name: "teff", value: 2 },
    { runId, name: "hidden_cos", lang: null, layer: 0, value: 3 },
  ];
  store.putResults(rows);
  store.putResults(rows.map((r) => ({ ...r, value: r.value * 10 })));
  assert.deepEqual(
    store.results(runId).map((r) => [r.name, r.value]),
    [["hidden_cos", 30], ["ppl", 10], ["teff", 20]],
  );
  store.logMetrics([{ runId, step: 5, split: "train", name: "loss", value: 4 }]);
  store.logMetrics([{ runId, step: 5, split: "train", name: "loss", value: 3.5 }]);
  assert.deepEqual(store.metrics(runId).map((m) => m.value), [3.5]);

  const raw = new Database(path, { readonly: true });
  try {
    assert.equal(raw.prepare("SELECT count(*) FROM results").pluck().get(), 3);
    assert.equal(raw.prepare("SELECT count(*) FROM metrics").pluck().get(), 1);
  } finally {
    raw.close();
  }
});

test("a batch with a bad row writes nothing", (t) => {
  const { store } = openDemo(t);
  store.putRun({ runId: "r1", experiment: "demo", config: CONFIG });
  assert.throws(
    () =>
      store.logMetrics([
        { runId: "r1", step: 0, split: "train", name: "loss", value: 1 },
        { runId: "ghost", step: 0, split: "train", name: "loss", value: 1 },
      ]),
    /unknown run\(s\) ghost/,
  );
  assert.throws(() => store.putResults([{ runId: "r1", name: "ppl", value: 1 }, { runId: "ghost", name: "ppl", value: 1 }]), /ghost/);
  assert.throws(() => store.logMetrics([{ runId: "r1", step: -1, split: "train", name: "loss", value: 1 }]), /step/);
  assert.throws(() => store.putResults([{ runId: "r1", name: "ppl", lang: "", value: 1 }]), /lang/);
  assert.throws(() => store.putResults([{ runId: "r1", name: "ppl", layer: 1.5, value: 1 }]), /layer/);
  assert.deepEqual(store.metrics("r1"), []);
  assert.deepEqual(store.results("r1"), []);
});

test("runs() filters by config and status; resetRun clears a run for a rerun", (t) => {
  const { store } = openDemo(t);
  for (const ratio of [0.1, 0.5]) {
    for (const seed of [0, 1]) {
      const config = { ...CONFIG, data: { ...CONFIG.data, ratio }, train: { seed, steps: 300 } };
      store.putRun({ runId: runIdFor(config, ["data.ratio", "train.seed"]), experiment: "demo", config });
    }
  }
  const ids = (xs: { runId: string }[]) => xs.map((x) => x.runId.replace(/-[0-9a-f]{12}$/, ""));
  assert.deepEqual(ids(store.runs("demo", { where: ["data.ratio=0.1"] })), ["ratio0.1-seed0", "ratio0.1-seed1"]);
  assert.deepEqual(ids(store.runs("demo", { where: ["train.seed>=1"] })), ["ratio0.1-seed1", "ratio0.5-seed1"]);
  const [first] = store.runs("demo");
  store.setStatus(first.runId, "done");
  store.putResults([{ runId: first.runId, name: "ppl", value: 1 }]);
  assert.deepEqual(ids(store.runs("demo", { status: "done" })), ["ratio0.1-seed0"]);
  assert.equal(store.runs("demo", { status: ["pending", "running"] }).length, 3);
  store.resetRun(first.runId);
  assert.equal(store.run(first.runId)!.status, "pending");
  assert.deepEqual(store.results(first.runId), []);
  assert.deepEqual(store.runs("other"), []);
});

// ---- files that are not stores ----

test("a non-SQLite or corrupt file gives an error naming the file", (t) => {
  const dir = tempDir(t);
  const text = join(dir, "notes.txt");
  writeFileSync(text, "this is not a database, just some text that is long enough to have a header\n".repeat(20));
  assert.throws(
    () => ResultsStore.open(text),
    (e: Error) => e instanceof StoreError && e.message.includes(text) && /not a results store/.test(e.message),
  );
  // The file is left as it was.
  assert.match(readFileSync(text, "utf8"), /^this is not a database/);

  // A real store whose header got overwritten.
  const broken = join(dir, "broken.sqlite");
  const store = ResultsStore.open(broken);
  store.putExperiment("demo", {});
  store.close();
  const fd = openSync(broken, "r+");
  writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
  closeSync(fd);
  assert.throws(() => ResultsStore.open(broken), (e: Error) => e instanceof StoreError && e.message.includes(broken));

  // Some other program's SQLite database.
  const foreign = join(dir, "other.db");
  const db = new Database(foreign);
  db.exec("CREATE TABLE users(id INTEGER)");
  db.close();
  assert.throws(() => ResultsStore.open(foreign), (e: Error) => e.message.includes(foreign) && /not a results store/.test(e.message));

  const missingDir = join(dir, "no", "such", "dir", "r.sqlite");
  assert.throws(() => ResultsStore.open(missingDir), (e: Error) => e instanceof StoreError && e.message.includes(missingDir));
});

test("a store from a newer schema is refused", (t) => {
  const path = join(tempDir(t), "r.sqlite");
  ResultsStore.open(path).close();
  const db = new Database(path);
  db.prepare("UPDATE schema_version SET version = ?").run(SCHEMA_VERSION + 1);
  db.close();
  assert.throws(() => ResultsStore.open(path), (e: Error) => e.message.includes(path) && /newer/.test(e.message));
});

// ---- several writers ----

test("two processes and this one write the same store concurrently", async (t) => {
  const path = join(tempDir(t), "shared.sqlite");
  const store = ResultsStore.open(path);
  t.after(() => store.close());
  store.putExperiment("demo", {});
  const n = 150;
  const go = join(tempDir(t), "go");
  // Each writer registers its own runs and writes them in many small transactions, so
  // the writers' transactions interleave. They start together: each waits for the go
  // file once its store is open.
  const writer = `
    const { existsSync } = await import("node:fs");
    const { ResultsStore } = await import(${JSON.stringify(distModule("run/store.js"))});
    const [path, go, tag, n] = process.argv.slice(-4);
    const store = ResultsStore.open(path);
    console.log("ready");
    const deadline = Date.now() + 10000;
    while (!existsSync(go)) {
      if (Date.now() > deadline) throw new Error("never told to go");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    for (let i = 0; i < Number(n); i++) {
      const runId = tag + "-" + i;
      store.putRun({ runId, experiment: "demo", config: { tag, i } });
      store.setStatus(runId, "running");
      store.logMetrics([0, 1, 2].map((step) => ({ runId, step, split: "train", name: "loss", lang: "en1", value: i + step })));
      store.putResults([{ runId, name: "ppl", lang: "en1", value: i }]);
      store.setStatus(runId, "done");
    }
    store.close();
  `;
  let ready = 0;
  const parentWrites = () => {
    writeFileSync(go, "");
    // This process writes too (synchronously, so it competes for the lock).
    store.putRun({ runId: "parent", experiment: "demo", config: { tag: "parent" } });
    for (let step = 0; step < n; step++) store.logMetrics([{ runId: "parent", step, split: "train", name: "loss", value: step }]);
  };
  const onLine = (line: string) => {
    if (line === "ready" && ++ready === 2) parentWrites();
  };
  const children = [runNode(writer, [path, go, "a", String(n)], onLine), runNode(writer, [path, go, "b", String(n)], onLine)];
  const results = await Promise.all(children);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(store.finishedRunIds("demo").length, 2 * n);
  assert.equal(store.metrics("parent").length, n);
  for (const tag of ["a", "b"]) {
    assert.equal(store.runs("demo", { where: [`tag=${tag}`], status: "done" }).length, n);
    assert.deepEqual(store.metrics(`${tag}-7`).map((m) => m.value), [7, 8, 9]);
    assert.equal(store.results(`${tag}-${n - 1}`)[0].value, n - 1);
  }
  // The children really overlapped: in insertion order their runs alternate.
  const raw = new Database(path, { readonly: true });
  const order = (raw.prepare("SELECT substr(run_id, 1, 1) FROM runs WHERE run_id != 'parent' ORDER BY rowid").pluck().all() as string[]).join("");
  raw.close();
  assert.ok(/ab.*ba|ba.*ab/.test(order), `writers did not interleave: ${order}`);
});

test("a writer waits for another process's write lock instead of failing", async (t) => {
  const path = join(tempDir(t), "locked.sqlite");
  const patient = ResultsStore.open(path, { busyTimeoutMs: 10_000 });
  const impatient = ResultsStore.open(path, { busyTimeoutMs: 0 });
  t.after(() => {
    patient.close();
    impatient.close();
  });
  patient.putExperiment("demo", {});
  patient.putRun({ runId: "r", experiment: "demo", config: {} });

  // The child holds the write lock for a while, then commits.
  const holder = `
    const require = (await import("node:module")).createRequire(import.meta.url);
    const Database = require(process.argv.at(-2));
    const db = new Database(process.argv.at(-1));
    db.exec("BEGIN IMMEDIATE");
    db.prepare("INSERT INTO results(run_id, name, value) VALUES ('r', 'from_child', 1)").run();
    console.log("locked");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
    db.exec("COMMIT");
    db.close();
  `;
  const sqliteModule = createRequire(import.meta.url).resolve("better-sqlite3");
  const outcome: { impatientError?: string; waitedMs?: number } = {};
  const child = runNode(holder, [sqliteModule, path], (line) => {
    if (line !== "locked") return;
    // Without a busy timeout SQLite gives up at once: the control that the lock is real.
    try {
      impatient.putResults([{ runId: "r", name: "impatient", value: 1 }]);
    } catch (e) {
      outcome.impatientError = (e as { code?: string }).code;
    }
    const start = Date.now();
    patient.putResults([{ runId: "r", name: "patient", value: 2 }]);
    outcome.waitedMs = Date.now() - start;
  });
  const r = await child;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(outcome.impatientError, "SQLITE_BUSY");
  assert.ok(outcome.waitedMs! >= 200, `waited ${outcome.waitedMs} ms`);
  assert.deepEqual(patient.results("r").map((x) => x.name), ["from_child", "patient"]);
});
