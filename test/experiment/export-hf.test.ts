// A tiny trained run exported as a Hugging Face GPT-2 directory, imported back, scored and
// sampled: the logits agree bit for bit at every step, and the tokenizer.json gives the
// run's SentencePiece ids through the Rust tokenizers library.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";

import rust from "tokenizers";

import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { runExperiment } from "../../src/studies/runner.js";
import { exportHf, loadRunModel } from "../../src/studies/export-hf.js";
import { importHf, loadLanguageModel } from "../../src/studies/language-model.js";
import { evaluateText } from "../../src/studies/eval-text.js";
import { chooseToken, sampleTokens } from "../../src/analysis/generate.js";
import { loadGpt2 } from "../../src/nn/huggingface-gpt2.js";
import { loadSafetensors, saveSafetensors, tensor, tidy } from "../../src/torch/index.js";
import type { GPT } from "../../src/nn/gpt.js";
import { MaskedLM, encoderConfig } from "../../src/nn/encoder.js";
import { loadHuggingFace, saveHuggingFace } from "../../src/nn/huggingface.js";
import { trainTokenizer } from "../../src/data/tokenizer.js";
import { manualSeed } from "../../src/torch/index.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "xling-export-"));
after(() => rmSync(root, { recursive: true, force: true }));

function logits(model: GPT): Float32Array {
  const ids = tensor([[1, 17, 40, 300, 5, 900, 2, 64]], { dtype: "int64" });
  return tidy(() => model.forward(ids).logits.toArray() as Float32Array);
}

function xling(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, XLING_CACHE: TEST_CACHE } });
}

describe("export --format hf, import, eval, sample", () => {
  const expDir = join(root, "exp");
  let runDir = "";
  const out = join(root, "hf");
  before(async () => {
    const summary = await runExperiment(parseExperiment(tinySpec("export")), expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(summary.failed, []);
    runDir = summary.runs[0]!.dir;
    await exportHf(runDir, out, { cacheDir: TEST_CACHE });
  });

  it("writes the GPT2LMHeadModel layout with an untied lm_head, token ids, dropout, generation config and a card", () => {
    for (const f of ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"]) assert.ok(existsSync(join(out, f)), f);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.deepEqual(config.architectures, ["GPT2LMHeadModel"]);
    assert.equal(config.tie_word_embeddings, false);
    assert.equal(config.eos_token_id, 2, "SentencePiece's </s>, which separates documents in training");
    assert.equal(config.bos_token_id, 1);
    for (const k of ["embd_pdrop", "resid_pdrop", "attn_pdrop"]) assert.equal(typeof config[k], "number", k);
    assert.equal(config.n_layer, 2);
    assert.equal(JSON.parse(readFileSync(join(out, "generation_config.json"), "utf8")).eos_token_id, 2);
    const { tensors } = loadSafetensors(join(out, "model.safetensors"));
    assert.deepEqual(tensors.get("lm_head.weight")!.shape, [config.vocab_size, config.n_embd]);
    assert.ok(tensors.has("transformer.h.1.mlp.c_fc.weight"));
    const card = readFileSync(join(out, "README.md"), "utf8");
    assert.match(card, /^---\nlibrary_name: transformers\nlanguage:\n- en\n/);
    assert.match(card, /Steps: 24;/);
    assert.match(card, /\| original \| \d+\.\d{3} \|/);
    assert.match(card, /GPT2LMHeadModel\.from_pretrained/);
  });

  it("re-imported, the model computes the run's logits exactly", async () => {
    const run = await loadRunModel(runDir, TEST_CACHE);
    const exported = loadGpt2(out).model.eval();
    const imported = join(root, "imported");
    importHf(out, imported);
    const reimported = await loadLanguageModel(imported);
    const want = logits(run.model);
    assert.deepEqual(logits(exported), want);
    assert.deepEqual(logits(reimported.model), want);
    assert.equal(reimported.eosId, 2);
    for (const m of [run.model, exported, reimported.model]) m.dispose();
  });

  it("PyTorch running GPT2LMHeadModel's forward pass over the exported files gives xling's logits", async () => {
    // The reference is written from transformers' GPT-2 (transformers is not installed):
    // Conv1D x @ W + b, pre-LN blocks, causal attention, lm_head.weight when untied.
    const python = process.env.XLING_PYTHON ?? "/usr/bin/python3";
    const ids = [[1, 17, 40, 300, 5, 900, 2, 64], [7, 7, 100, 1000, 3, 12, 512, 0]];
    const r = spawnSync(python, [fileURLToPath(new URL("../../../test/fixtures/hf/gpt2_forward.py", import.meta.url)), out, JSON.stringify(ids)], { encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, `python3-torch (scripts/setup.sh --tests installs it): ${r.stderr}`);
    const theirs = (JSON.parse(r.stdout) as number[][][]).flat(2);
    const run = await loadRunModel(runDir, TEST_CACHE);
    const ours = Array.from(tidy(() => run.model.forward(tensor(ids, { dtype: "int64" })).logits.toArray() as Float32Array));
    run.model.dispose();
    assert.equal(theirs.length, ours.length);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
    assert.ok(maxDiff < 1e-5, `max |difference| ${maxDiff}`);
  });

  it("its tokenizer.json gives the run's SentencePiece ids in the Rust tokenizers library", async () => {
    const run = await loadRunModel(runDir, TEST_CACHE);
    run.model.dispose();
    const tok = rust.Tokenizer.fromFile(join(out, "tokenizer.json"));
    for (const text of ["In the beginning God created the heaven and the earth.", "And the LORD spake unto Moses, saying,  Speak unto the children of Israel"])
      assert.deepEqual((await tok.encode(text)).getIds(), Array.from(run.tokenizer.encode(text)));
  });

  it("eval scores the same perplexity from the run, the export and the CLI, per language", async () => {
    const text = join(root, "eval.jsonl");
    writeFileSync(text, [
      { text: "In the beginning God created the heaven and the earth.", lang: "en" },
      { text: "And the earth was without form, and void.", lang: "en" },
      { text: "Au commencement Dieu créa les cieux et la terre.", lang: "fr" },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const fromRun = await loadLanguageModel(runDir, { cacheDir: TEST_CACHE });
    const a = await evaluateText(fromRun, text);
    fromRun.model.dispose();
    assert.deepEqual(a.map((r) => [r.lang, r.documents]), [["en", 2], ["fr", 1]]);
    for (const r of a) assert.ok(Math.abs(Math.log(r.ppl) - r.nll) < 1e-9 && r.ppl > 1);
    const cli = xling(["eval", out, "--text", text, "--format", "json"]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), a);
    const fr = xling(["eval", out, "--text", text, "--lang", "fr", "--format", "json"]);
    assert.deepEqual(JSON.parse(fr.stdout), a.filter((r) => r.lang === "fr"));
  });

  it("sample repeats with a seed, from the run and the export alike", () => {
    const args = ["--prompt", "And God said", "--max-tokens", "10", "--seed", "7", "--top-k", "40", "--temperature", "0.9"];
    const fromExport = xling(["sample", out, ...args]);
    assert.equal(fromExport.status, 0, fromExport.stderr);
    assert.match(fromExport.stdout, /^And God said\S*\s.*\S/);
    assert.equal(xling(["sample", runDir, ...args]).stdout, fromExport.stdout);
    assert.equal(xling(["sample", out, ...args]).stdout, fromExport.stdout);
    const bad = xling(["sample", out, "--prompt", "x", "--top-p", "1.5"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--top-p must be at most 1, got 1\.5/);
  });

  it("exports every finished run of an experiment directory, one directory each", async () => {
    const all = join(root, "all");
    const written = await exportHf(expDir, all, { cacheDir: TEST_CACHE });
    assert.equal(written.length, 1);
    assert.deepEqual(readdirSync(all), [runDir.split("/").pop()]);
  });

  it("refuses an existing export target and a directory with missing tensors, naming them", async () => {
    await assert.rejects(exportHf(runDir, out, { cacheDir: TEST_CACHE }), (e: Error) => e.message.startsWith(`${out}: the export target exists and is not empty`));
    const broken = join(root, "broken");
    mkdirSync(broken);
    for (const f of ["config.json", "tokenizer.json"]) writeFileSync(join(broken, f), readFileSync(join(out, f)));
    const { tensors } = loadSafetensors(join(out, "model.safetensors"));
    tensors.delete("transformer.h.0.attn.c_attn.weight");
    saveSafetensors(join(broken, "model.safetensors"), tensors, { format: "pt" });
    assert.throws(() => importHf(broken, join(root, "never")), (e: Error) => e.message.includes(join(broken, "model.safetensors")) && /missing transformer\.h\.0\.attn\.c_attn\.weight/.test(e.message));
    assert.ok(!existsSync(join(root, "never")));
  });
});

describe("export of a pretrained encoder", () => {
  it("writes its Hugging Face class with tokenizer.json and a card; import keeps its outputs", async () => {
    const lines = ["the house is small and the book is big", "a small house by the river", "the river runs by the old house", "books and houses and rivers"];
    const spm = await trainTokenizer(Array.from({ length: 30 }, (_, i) => lines[i % 4]! + ` ${i}`), { modelPrefix: join(root, "enc-spm"), vocabSize: 40, numThreads: 1, controlSymbols: ["<mask>"] });
    manualSeed(3);
    const model = new MaskedLM(encoderConfig({ family: "xlm-roberta", vocabSize: spm.vocabSize, hidden: 16, layers: 2, heads: 2, maxPositions: 40, typeVocabSize: 1, padId: 1, dropout: 0 })).eval();
    const source = join(root, "transfer-run");
    saveHuggingFace(join(source, "encoder"), model, { tokenizerPath: join(root, "enc-spm.model") });
    const out = join(root, "encoder-hf");
    await exportHf(source, out);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json", "sentencepiece.bpe.model", "README.md"]) assert.ok(existsSync(join(out, f)), f);
    assert.deepEqual(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).architectures, ["XLMRobertaForMaskedLM"]);
    assert.match(readFileSync(join(out, "README.md"), "utf8"), /AutoModelForMaskedLM\.from_pretrained/);
    const tok = rust.Tokenizer.fromFile(join(out, "tokenizer.json"));
    assert.deepEqual((await tok.encode("the small river house")).getIds(), Array.from(spm.encode("the small river house")));
    const ids = tensor([[5, 6, 7, 8, 9], [10, 11, 12, 13, 14]], { dtype: "int64" });
    const want = tidy(() => model.forward(ids).toArray() as Float32Array);
    const loaded = loadHuggingFace(out);
    assert.deepEqual(tidy(() => loaded.model.eval().forward(ids).toArray() as Float32Array), want);
    const imported = join(root, "encoder-imported");
    assert.equal(importHf(out, imported).kind, "encoder");
    assert.equal(JSON.parse(readFileSync(join(imported, "xling-model.json"), "utf8")).family, "xlm-roberta");
    await assert.rejects(loadLanguageModel(imported), /an encoder model, not a causal language model/);
  });
});

describe("choosing the next token", () => {
  // logits [1, 3, 2, 0]: ranked 1, 2, 0, 3.
  const logits = Float32Array.from([1, 3, 2, 0]);
  it("temperature 0 is the argmax; top-k 1 is too, whatever the draw", () => {
    assert.equal(chooseToken(logits, { temperature: 0 }, 0.99), 1);
    for (const u of [0, 0.5, 0.999]) assert.equal(chooseToken(logits, { topK: 1 }, u), 1);
  });
  it("top-k 2 draws from softmax over the two best: e^0 : e^-1 = 0.731 : 0.269", () => {
    assert.equal(chooseToken(logits, { topK: 2 }, 0.73), 1);
    assert.equal(chooseToken(logits, { topK: 2 }, 0.74), 2);
  });
  it("top-p keeps the fewest best tokens reaching p", () => {
    // Full softmax: p(1) = e^3 / (e^1 + e^3 + e^2 + e^0) = 0.644; p(2) = 0.237.
    for (const u of [0.1, 0.9]) assert.equal(chooseToken(logits, { topP: 0.6 }, u), 1);
    assert.equal(chooseToken(logits, { topP: 0.8 }, 0.99), 2);
  });
  it("temperature flattens: at T = 2 top-2 odds are e^0 : e^-0.5 = 0.622 : 0.378", () => {
    assert.equal(chooseToken(logits, { topK: 2, temperature: 2 }, 0.62), 1);
    assert.equal(chooseToken(logits, { topK: 2, temperature: 2 }, 0.63), 2);
  });
  it("refuses an empty prompt", () => {
    assert.throws(() => sampleTokens(null as unknown as GPT, new Int32Array(0), { maxTokens: 1 }), /prompt encodes to no tokens/);
  });
});
