// Branch-train-merge end to end on a tiny UDHR study: spec validation, compute matching,
// ensemble evaluation per language, adding a language without touching the existing
// experts (checksums), and experts failing independently in their own processes.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { parseExpertStudy } from "../../src/studies/experts/spec.js";
import { addLanguage, denseSteps, evaluateStudy, expertsSlurmScript, planStudy, trainRuns, trainStudy, type StudyPlan } from "../../src/studies/experts/btm.js";
import { readRunOutcome, saveWeights, sha256File, studyModel, WEIGHTS_FILE } from "../../src/studies/experts/run.js";
import { manualSeed } from "../../src/torch/index.js";
import { loadExpertStudy } from "../../src/studies/experts/spec.js";
import type { StudyEvaluation } from "../../src/studies/experts/btm.js";
import { expertStudyReport } from "../../src/studies/experts/report.js";
import { renderReport } from "../../src/report/html.js";
import { SpecError } from "../../src/run/spec.js";
import { readContentPartition, splitDocuments } from "../../src/studies/experts/content-split.js";
import { prepareMultilingual } from "../../src/data/multilingual.js";
import { TokenCacheReader } from "../../src/data/token-cache.js";
import { tinyStudy } from "./helpers.js";

const CACHE = join(tmpdir(), "xling-test-cache");
const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** sha256 of every file under the directories, by relative path. */
function checksums(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of dirs) for (const f of readdirSync(d, { recursive: true }) as string[]) {
    const p = join(d, f);
    try {
      out.set(p, createHash("sha256").update(readFileSync(p)).digest("hex"));
    } catch {
      // a directory
    }
  }
  return out;
}

describe("expert study specs", () => {
  it("refuses bad fields with their path", () => {
    const bad = (raw: unknown, path: RegExp) => assert.throws(() => parseExpertStudy(raw), (e: Error) => e instanceof SpecError && path.test(e.message));
    bad(tinyStudy({ experts: { ...tinyStudy().experts, add: [{ language: "it" }] } }), /experts\.add\.0\.language: 'it' is not in corpus\.languages/);
    bad(tinyStudy({ experts: { ...tinyStudy().experts, partition: { method: "language-map", map: { en: 0, fr: 1 } } } }), /experts\.partition\.map\.es/);
    bad(tinyStudy({ experts: { ...tinyStudy().experts, k: 4 } }), /experts\.k/);
    bad(tinyStudy({ seed: { steps: -1 } }), /seed\.steps/);
    bad(tinyStudy({ experts: { ...tinyStudy().experts, partition: { method: "content" }, add: [{ language: "pt" }] } }), /experts\.add: adding a language/);
  });

  it("cuts a token cache into documents at the separator", () => {
    const docs = splitDocuments(Int32Array.of(0, 5, 6, 0, 0, 7, 0), 0).map((d) => Array.from(d));
    assert.deepEqual(docs, [[5, 6], [7]]);
  });

  it("accepts the checked-in example studies", () => {
    const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
    const names = readdirSync(examples).filter((f) => /^experts-.*\.json$/.test(f));
    assert.ok(names.length >= 2);
    for (const f of names) assert.equal(loadExpertStudy(join(examples, f)).study, "experts");
  });

  it("gives the dense baseline the seed's steps plus every expert's", () => {
    const s = parseExpertStudy(tinyStudy({ experts: { ...tinyStudy().experts, add: [{ language: "pt", steps: 5 }] } }));
    assert.equal(denseSteps(s), 3 + 2 * 4 + 5);
  });
});

describe("branch-train-merge on UDHR", () => {
  const dir = mkdtempSync(join(tmpdir(), "xling-btm-"));
  const study = parseExpertStudy(tinyStudy());
  let plan: StudyPlan;
  let ev: StudyEvaluation;
  before(async () => {
    const r = await trainStudy(study, dir, { inProcess: true, progress: false, cacheDir: CACHE });
    assert.deepEqual(r.summary.failed, []);
    plan = r.plan;
    ev = await evaluateStudy(study, plan, { cacheDir: CACHE, progress: false });
  });

  it("branches every expert from the seed's final weights", () => {
    const seedHash = sha256File(join(plan.seed.dir, WEIGHTS_FILE));
    assert.deepEqual(plan.experts.map((e) => e.config.languages), [["en"], ["fr", "es"]]);
    for (const e of plan.experts) assert.equal(readRunOutcome(e.dir)!.initSha256, seedHash);
  });

  it("matches compute: the dense baseline sees as many tokens as seed and experts together", () => {
    const total = (dir: string) => Object.values(readRunOutcome(dir)!.tokensSeen).reduce((a, b) => a + b, 0);
    const sparse = total(plan.seed.dir) + plan.experts.reduce((s, e) => s + total(e.dir), 0);
    assert.equal(total(plan.dense!.dir), sparse);
    assert.equal(sparse, (3 + 4 + 4) * 4 * 16);
  });

  it("scores every rule on every language, top-1 agreeing with the language's own expert", () => {
    const rules = ["dense", "param-average", "top1-language", "uniform", "posterior", "posterior-last-token", "cached-prior", "posterior+cached-prior", "tfidf-distance"];
    for (const lang of ["en", "fr", "es"]) {
      for (const rule of rules) {
        const row = ev.rows.find((r) => r.lang === lang && r.rule === rule);
        assert.ok(row && Number.isFinite(row.ppl) && row.ppl > 1, `${lang} ${rule}: ${row?.ppl}`);
        assert.equal(row.tokens, 20 * 16);
      }
      const own = ev.rows.find((r) => r.lang === lang && r.rule === `expert:expert-${lang === "en" ? 0 : 1}`)!;
      assert.ok(Math.abs(ev.rows.find((r) => r.lang === lang && r.rule === "top1-language")!.nll - own.nll) < 1e-12);
      assert.ok(Math.abs(ev.priors[lang]!.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      // A mixture's NLL never exceeds that of its worst expert (log-sum-exp is at least the weighted mean).
      const worst = Math.max(...[0, 1].map((j) => ev.rows.find((r) => r.lang === lang && r.rule === `expert:expert-${j}`)!.nll));
      assert.ok(ev.rows.find((r) => r.lang === lang && r.rule === "uniform")!.nll <= worst);
    }
    const html = renderReport(expertStudyReport(study, plan, ev));
    assert.match(html, /Held-out perplexity per language/);
    assert.match(html, /Compute matching/);
  });

  it("adds a language from the most similar expert, leaving every existing expert byte-identical", async () => {
    const existing = [plan.seed.dir, ...plan.experts.map((e) => e.dir)];
    const before = checksums(existing);
    assert.ok(before.size >= 12);
    const { plan: after, added, summary } = await addLanguage(dir, "pt", { inProcess: true, progress: false, cacheDir: CACHE, steps: 3 });
    assert.deepEqual(summary.failed, []);
    // Portugal is nearer Spain than England (UDHR coordinates): the {fr, es} expert is the parent.
    assert.equal(added.parent, 1);
    assert.ok(added.distances[1]! < added.distances[0]!);
    assert.deepEqual(checksums(existing), before);
    const mine = after.experts[2]!;
    assert.deepEqual(mine.config.languages, ["pt"]);
    const outcome = readRunOutcome(mine.dir)!;
    assert.equal(outcome.initSha256, sha256File(join(plan.experts[1]!.dir, WEIGHTS_FILE)));
    assert.equal(outcome.steps, 3);
    assert.notEqual(sha256File(join(mine.dir, WEIGHTS_FILE)), outcome.initSha256);
    await assert.rejects(addLanguage(dir, "pt", { inProcess: true, progress: false, cacheDir: CACHE }), /already has an expert/);
  });

  it("trains experts in separate processes: one failing leaves the others to finish", async () => {
    const other = mkdtempSync(join(tmpdir(), "xling-btm-procs-"));
    const p = await planStudy(study, other);
    const [broken, fine] = p.experts.map((e) => ({ ...e, config: { ...e.config, init: { path: join(plan.seed.dir, WEIGHTS_FILE), from: "seed" } } }));
    broken!.config.init = { path: join(other, "missing.safetensors"), from: "nothing" };
    // Listed first, but it branches from the broken expert: it waits for it, then cannot start.
    const dependent = { dir: join(other, "experts", "expert-9"), config: { ...fine!.config, name: "expert-9", init: { path: join(broken!.dir, WEIGHTS_FILE), from: "expert-0" } } };
    const summary = await trainRuns([dependent, broken!, fine!], CACHE, { parallel: 2 });
    assert.deepEqual(summary.ran, ["expert-1"]);
    assert.deepEqual(summary.failed.map((f) => f.name).sort(), ["expert-0", "expert-9"]);
    assert.match(summary.failed.find((f) => f.name === "expert-0")!.error, /expert-0 exited with 1: .*weights to branch from are missing/);
    assert.match(summary.failed.find((f) => f.name === "expert-9")!.error, /parent expert-0 did not finish/);
    assert.ok(!existsSync(join(dependent.dir, "results.json")));
    assert.ok(existsSync(join(fine!.dir, "results.json")));
    // The Slurm array runs the same per-expert command on a cluster.
    const script = expertsSlurmScript(p, CACHE, { time: "1:00:00", mem: "4G", cpus: 2, count: 2 });
    writeFileSync(join(other, "job.sh"), script);
    assert.match(script, /#SBATCH --array=0-1/);
    assert.match(script, /experts _train "\$CHECKPOINT" --cache/);
  });

  it("an expert killed mid-training resumes to the same weights as one never interrupted", async () => {
    const root = mkdtempSync(join(tmpdir(), "xling-btm-resume-"));
    const expert = plan.experts[0]!;
    const config = { ...expert.config, steps: 300, train: { ...expert.config.train, checkpointEvery: 3 } };
    const run = (dir: string) => spawnSync(process.execPath, [bin, "experts", "_train", dir, "--cache", CACHE], { env, encoding: "utf8" });
    const [a, b] = [join(root, "a"), join(root, "b")];
    for (const d of [a, b]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "config.json"), JSON.stringify(config));
    }
    const full = run(a);
    assert.equal(full.status, 0, full.stderr);
    const child = spawn(process.execPath, [bin, "experts", "_train", b, "--cache", CACHE], { env, stdio: "ignore" });
    await waitFor(() => existsSync(join(b, "checkpoint.safetensors")), 60_000);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    assert.ok(!existsSync(join(b, "results.json")), "the killed run must not look finished");
    const resumed = run(b);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(sha256File(join(b, WEIGHTS_FILE)), sha256File(join(a, WEIGHTS_FILE)));
    assert.deepEqual(readRunOutcome(b)!.tokensSeen, readRunOutcome(a)!.tokensSeen);
  });
});

describe("content experts on UDHR", () => {
  it("split every language's training documents between the clusters, each trained and weighed by the saved clusterer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-btm-content-"));
    // The seed is loaded (0 steps): weights of a freshly initialised model saved beforehand.
    const raw = tinyStudy({ experts: { k: 2, languages: ["en", "fr", "es"], partition: { method: "content", dimensions: 8, fitDocuments: 60 }, steps: 2 }, dense: false });
    const parsed = parseExpertStudy(raw);
    const vocab = (await prepareMultilingual(parsed.corpus, parsed.tokenizer, CACHE, 0)).vocabSize;
    manualSeed(99);
    const loaded = join(dir, "pretrained.safetensors");
    saveWeights(studyModel(parsed.model, vocab), loaded, {});
    const study = parseExpertStudy({ ...raw, seed: { steps: 0, load: loaded } });
    const { plan, summary } = await trainStudy(study, dir, { inProcess: true, progress: false, cacheDir: CACHE });
    assert.deepEqual(summary.failed, []);
    assert.equal(readRunOutcome(plan.seed.dir)!.initSha256, sha256File(loaded));
    assert.equal(readRunOutcome(plan.seed.dir)!.steps, 0);
    const content = readContentPartition(dir)!;
    assert.ok(existsSync(join(dir, "content", "clusterer.json")));
    const prepared = await prepareMultilingual(study.corpus, study.tokenizer, CACHE, 0);
    for (const lang of study.experts.languages) {
      const reader = prepared.language(lang).open("train");
      const all = splitDocuments(reader.read(0, reader.count), prepared.separatorId).map((d) => d.join(","));
      reader.close();
      const seen = new Map<string, number>();
      content.caches.forEach((caches) => {
        if (!caches[lang]) return;
        const r = TokenCacheReader.open(caches[lang]!);
        for (const d of splitDocuments(r.read(0, r.count), prepared.separatorId)) seen.set(d.join(","), (seen.get(d.join(",")) ?? 0) + 1);
        r.close();
      });
      // Every document in exactly one expert, unless its cluster's share of the language was too small to train on.
      assert.ok([...seen.values()].every((n) => n === 1), `${lang}: a document in two experts`);
      const missing = all.filter((d) => !seen.has(d)).length;
      if (missing > 0) assert.ok(content.caches.some((c) => !c[lang]), `${lang}: ${missing} documents lost`);
      assert.equal(plan.experts[content.expertOfLanguage[lang]!]!.config.languages.includes(lang), true);
    }
    const ev = await evaluateStudy(study, plan, { cacheDir: CACHE, progress: false });
    for (const lang of study.experts.languages) {
      const top = ev.rows.find((r) => r.lang === lang && r.rule === "top1-language")!;
      const own = ev.rows.find((r) => r.lang === lang && r.rule === `expert:expert-${content.expertOfLanguage[lang]}`)!;
      assert.ok(Math.abs(top.nll - own.nll) < 1e-12);
      assert.ok(Number.isFinite(ev.rows.find((r) => r.lang === lang && r.rule === "tfidf-distance")!.ppl));
    }
    await assert.rejects(addLanguage(dir, "pt", { inProcess: true, progress: false, cacheDir: CACHE }), /experts\.add: adding a language branches from the most similar language expert/);
  });
});

