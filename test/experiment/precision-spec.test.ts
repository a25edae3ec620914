// train.precision in every study spec: the machine's default recorded in the parsed
// config, explicit choices kept, impossible ones refused with the field's path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { SpecError } from "../../src/run/spec.js";
import { parseBalanceExperiment } from "../../src/studies/language-balance/spec.js";
import { parseTransferSpec } from "../../src/studies/transfer/spec.js";
import { parseExpertStudy } from "../../src/studies/experts/spec.js";
import { cpuBf16Support } from "../../src/torch/index.js";
import { precisionFact } from "../../src/report/precision.js";
import { tinySpec } from "./fixtures.js";
import { tinyStudy } from "../experts/helpers.js";

const machineDefault = cpuBf16Support().native ? "bf16" : "fp32";
const withPrecision = (precision: string) => {
  const s = tinySpec("p");
  return { ...s, base: { ...s.base, train: { ...s.base.train, precision } } };
};

describe("train.precision", () => {
  it("absent: the machine's default is written into every run's config (so it changes the run id)", () => {
    const runs = parseExperiment(tinySpec("p")).runs;
    assert.ok(runs.every((r) => r.train.precision === machineDefault));
    assert.equal(parseExperiment(withPrecision("fp32")).runs[0].train.precision, "fp32");
    assert.notDeepEqual(parseExperiment(withPrecision("fp32")).runs[0], cpuBf16Support().native ? runs[0] : { ...runs[0], train: { ...runs[0].train, precision: "bf16" } });
  });

  it("refuses an unknown name and fp16 without CUDA, naming the field", () => {
    assert.throws(() => parseExperiment(withPrecision("fp8"), "s.json"), (e: Error) => e instanceof SpecError && /base\.train\.precision/.test(e.message));
    // Studies train on the CPU, where fp16 autocast does not exist: refused with or without CUDA.
    assert.throws(() => parseExperiment(withPrecision("fp16"), "s.json"), (e: Error) => e instanceof SpecError && /s\.json[\s\S]*base\.train\.precision: fp16 needs CUDA/.test(e.message));
    if (!cpuBf16Support().native)
      assert.throws(() => parseExperiment(withPrecision("bf16"), "s.json"), /base\.train\.precision: bf16 needs a CPU with avx512_bf16 or amx_bf16/);
  });

  it("the balancing, expert and transfer specs settle it too", () => {
    const balance = parseBalanceExperiment({
      name: "b", study: "language-balance",
      base: { corpus: { languages: [{ lang: "en", corpus: "udhr", code: "eng", share: 1 }, { lang: "fr", corpus: "udhr", code: "fra", share: 1 }] },
        tokenizer: { vocabSize: 256 }, model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 8 }, train: { steps: 2, precision: "fp32" }, data: { trainTokens: 1000 } },
    });
    assert.equal(balance.runs[0].train.precision, "fp32");
    assert.equal(parseExpertStudy(tinyStudy()).train.precision, machineDefault);
    const transfer = parseTransferSpec({
      name: "t", study: "transfer", languages: [{ lang: "en", udhr: "eng" }, { lang: "fr", udhr: "fra" }],
      pretrain: { steps: 2 }, conditions: [["en"]], realign: { pivot: "en" }, selection: { k: 0 },
    });
    assert.equal(transfer.pretrain.precision, machineDefault);
  });

  it("reports name the precision of their runs", () => {
    assert.equal(precisionFact(["fp32", undefined]).value, "fp32");
    assert.match(precisionFact(["bf16"]).value, /^bf16 autocast \(float32 weights/);
    assert.match(precisionFact(["fp32", "bf16"]).value, /^fp32, bf16 autocast/);
  });
});
