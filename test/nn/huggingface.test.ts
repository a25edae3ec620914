// Hugging Face layout: a checkpoint written by xling in each family's layout loads back
// into a model with the same outputs; bare-body checkpoints, foreign extras and broken
// directories are handled with clear messages.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MaskedLM, encoderConfig } from "../../src/nn/encoder.js";
import { hfName, loadHuggingFace, readHfConfig, saveHuggingFace } from "../../src/nn/huggingface.js";
import { loadGpt2, saveGpt2 } from "../../src/nn/huggingface-gpt2.js";
import { GPT } from "../../src/nn/gpt.js";
import { assertClose } from "../helpers.js";
import { loadSafetensors, manualSeed, noGrad, saveSafetensors, tensor, tidy, type Tensor } from "../../src/torch/index.js";

function tinyModel(family: "bert" | "xlm-roberta", typeVocabSize = 2): MaskedLM {
  manualSeed(7);
  const m = new MaskedLM(encoderConfig({ family, vocabSize: 50, hidden: 16, layers: 2, heads: 2, maxPositions: 40, typeVocabSize, padId: 1, dropout: 0 }));
  return m.eval();
}

const ids = () => tensor([[5, 6, 7, 8, 1, 1], [9, 10, 11, 12, 13, 14]], { dtype: "int64" });
const logits = (m: MaskedLM) => tidy(() => m.forward(ids()).toArray() as Float32Array);

describe("Hugging Face layout", () => {
  for (const [family, typeVocab] of [["bert", 2], ["xlm-roberta", 1], ["distilbert", 1]] as const) {
    it(`${family}: written by xling, loads back with identical outputs`, () => {
      const model = tinyModel(family === "distilbert" ? "bert" : family, typeVocab);
      if (family === "distilbert") {
        assert.throws(() => saveHuggingFace(join(tmpdir(), "never"), model, { family }), /no token types/);
        noGrad(() => model.encoder.embeddings.token_type_embeddings.weight.zero_());
      }
      const dir = join(mkdtempSync(join(tmpdir(), "xling-hf-")), "model");
      saveHuggingFace(dir, model, { family });
      const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
      assert.equal(cfg.model_type, family);
      const names = [...loadSafetensors(join(dir, "model.safetensors")).tensors.keys()];
      const expectedName = { bert: "bert.encoder.layer.1.attention.self.query.weight", "xlm-roberta": "roberta.encoder.layer.1.attention.self.query.weight", distilbert: "distilbert.transformer.layer.1.attention.q_lin.weight" }[family];
      assert.ok(names.includes(expectedName), `${expectedName} in ${names.slice(0, 6).join(", ")}`);
      const loaded = loadHuggingFace(dir);
      assert.deepEqual(loaded.missing, []);
      assert.deepEqual(loaded.unused, []);
      assert.deepEqual(logits(loaded.model.eval()), logits(model));
    });
  }

  it("reads a bare-body checkpoint (no prefix, no MLM head) and reports what it lacks and ignores", () => {
    const model = tinyModel("bert");
    const dir = mkdtempSync(join(tmpdir(), "xling-hf-bare-"));
    const body = new Map<string, Tensor>();
    for (const [n, p] of model.namedParameters()) if (n.startsWith("encoder.")) body.set(hfName("bert", n).slice("bert.".length), p);
    const extra = tensor([[1, 2]], { dtype: "float32" });
    body.set("pooler.dense.weight", extra);
    saveSafetensors(join(dir, "model.safetensors"), body);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 40, type_vocab_size: 2, pad_token_id: 1 }));
    const loaded = loadHuggingFace(dir);
    assert.deepEqual(loaded.unused, ["pooler.dense.weight"]);
    assert.ok(loaded.missing.length > 0 && loaded.missing.every((n) => n.startsWith("mlm.")));
    const a = tidy(() => model.encoder.forward(ids()).last.toArray() as Float32Array);
    const b = tidy(() => loaded.model.encoder.forward(ids()).last.toArray() as Float32Array);
    assert.deepEqual(b, a);
  });

  it("refuses directories it cannot read, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-hf-bad-"));
    assert.throws(() => readHfConfig(dir), /no config\.json/);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "t5" }));
    assert.throws(() => readHfConfig(dir), /config\.json: model_type "t5" is not an encoder xling loads/);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", vocab_size: 50 }));
    assert.throws(() => readHfConfig(dir), /"hidden_size" is missing/);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 40, type_vocab_size: 2 }));
    assert.throws(() => loadHuggingFace(dir), /no model\.safetensors/);
    saveSafetensors(join(dir, "model.safetensors"), new Map([["bert.embeddings.word_embeddings.weight", tensor([[0]], { dtype: "float32" })]]));
    assert.throws(() => loadHuggingFace(dir), /missing encoder weights/);
  });
});

describe("GPT-2 layout", () => {
  /** The GPT-2 directory loads with every tensor used and gives `model`'s logits exactly. */
  function assertLoadsBackWithIdenticalLogits(dir: string, model: GPT): void {
    const { model: loaded, unused } = loadGpt2(dir);
    assert.deepEqual(unused, []);
    const ids = tensor([[1, 5, 9, 33, 2, 7]], { dtype: "int64" });
    const a = tidy(() => model.forward(ids).logits.toArray() as Float32Array);
    const b = tidy(() => loaded.eval().forward(ids).logits.toArray() as Float32Array);
    assert.deepEqual(b, a);
  }

  function tinyGpt2(): GPT {
    manualSeed(9);
    const m = new GPT({ vocabSize: 40, dModel: 16, layers: 2, heads: 2, seqLen: 12, activation: "gelu_tanh" });
    noGrad(() => m.lm_head.weight.copy_(m.tok_emb.weight));
    return m.eval();
  }

  it("uses GPT-2's tanh approximation of GELU when asked", () => {
    const xs = [-3, -1.2, -0.3, 0, 0.4, 1.7, 3.5];
    const want = xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    const got = tidy(() => tensor(xs, { dtype: "float64" }).gelu("tanh").toArray() as Float64Array);
    assertClose(got, want, 1e-12, "gelu_new");
  });

  it("written as GPT2LMHeadModel (Conv1D weights transposed), loads back with identical logits", () => {
    const model = tinyGpt2();
    const dir = join(mkdtempSync(join(tmpdir(), "xling-gpt2-")), "model");
    saveGpt2(dir, model);
    const { tensors } = loadSafetensors(join(dir, "model.safetensors"));
    assert.deepEqual(tensors.get("transformer.h.0.attn.c_attn.weight")!.shape, [16, 48], "Conv1D stores [in, out]");
    assert.equal(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).activation_function, "gelu_new");
    assertLoadsBackWithIdenticalLogits(dir, model);
  });

  it("writes an untied output layer as lm_head.weight with tie_word_embeddings false, and reads it back", () => {
    const model = tinyGpt2();
    noGrad(() => model.lm_head.weight.add_(tensor([0.5], { dtype: "float32" })));
    const dir = join(mkdtempSync(join(tmpdir(), "xling-gpt2-")), "model");
    saveGpt2(dir, model, { ids: { bos: 1, eos: 2, pad: null } });
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    assert.equal(config.tie_word_embeddings, false);
    assert.deepEqual([config.bos_token_id, config.eos_token_id, config.pad_token_id], [1, 2, null]);
    assert.equal(JSON.parse(readFileSync(join(dir, "generation_config.json"), "utf8")).eos_token_id, 2);
    const { tensors } = loadSafetensors(join(dir, "model.safetensors"));
    assert.deepEqual(tensors.get("lm_head.weight")!.shape, [40, 16]);
    assertLoadsBackWithIdenticalLogits(dir, model);
    // Without lm_head.weight an untied directory is refused, naming the file.
    saveSafetensors(join(dir, "model.safetensors"), new Map([...tensors].filter(([k]) => k !== "lm_head.weight")), { format: "pt" });
    assert.throws(() => loadGpt2(dir), /model\.safetensors: missing lm_head\.weight/);
  });
});
