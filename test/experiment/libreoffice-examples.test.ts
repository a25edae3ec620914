import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { loadAnyExperiment } from "../../src/studies/registry.js";
import { loadTransferSpec } from "../../src/studies/transfer/spec.js";
import { loadExpertStudy } from "../../src/studies/experts/spec.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

it("the LibreOffice help example specs parse and use the corpus across scripts", () => {
  const transfer = loadTransferSpec(join(examples, "transfer/libreoffice-modules.json"));
  assert.equal(transfer.task.kind, "libreoffice-module");
  assert.ok(transfer.languages.some((l) => l.lang === "ja") && transfer.languages.some((l) => l.lang === "ru"));
  const experts = loadExpertStudy(join(examples, "experts-libreoffice.json"));
  assert.ok(experts.corpus.languages.length >= 8);
  assert.ok(experts.corpus.languages.every((l) => l.corpus === "libreoffice-help"));
  const balance = loadAnyExperiment(join(examples, "balance/libreoffice-natural.json"));
  assert.equal(balance.name, "balance-libreoffice-natural");
});
