// Source selection's plan: fixed held-out targets, the candidates beside them, and the
// method's k = 3 where the candidates allow it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTransferSpec, selectionPlan } from "../../src/studies/transfer/spec.js";

function spec(langs: string[], conditions: string[][], selection: Record<string, unknown> = {}) {
  return {
    name: "plan", study: "transfer", languages: langs.map((lang) => ({ lang })),
    pretrain: { steps: 1 }, conditions, selection,
  };
}

describe("source selection plan", () => {
  it("targets default to the languages that are never a source; k to 3 when four or more candidates remain", () => {
    const p = selectionPlan(parseTransferSpec(spec(["en", "de", "fr", "es", "it", "pt", "nl"], [["en"], ["en", "de"], ["fr"], ["es"]])));
    assert.deepEqual(p.targets, ["it", "pt", "nl"]);
    assert.deepEqual(p.candidates, ["en", "de", "fr", "es"]);
    assert.equal(p.k, 3);
  });

  it("k falls to candidates - 1 so that there are at least two sets; named targets are used as given", () => {
    const p = selectionPlan(parseTransferSpec(spec(["en", "de", "fr", "es", "it", "pt"], [["en"], ["en", "de", "fr"]])));
    assert.deepEqual(p.targets, ["es", "it", "pt"]);
    assert.equal(p.k, 2);
    const named = selectionPlan(parseTransferSpec(spec(["en", "de", "fr", "es"], [["en"]], { targets: ["es"], k: 1 })));
    assert.deepEqual([named.targets, named.candidates, named.k], [["es"], ["en", "de", "fr"], 1]);
  });

  it("refuses unknown targets, no targets left, and k above the candidates", () => {
    assert.throws(() => parseTransferSpec(spec(["en", "de"], [["en"]], { targets: ["xx"] })), /selection\.targets: 'xx'/);
    assert.throws(() => parseTransferSpec(spec(["en", "de"], [["en"], ["de"]])), /name the held-out targets/);
    assert.throws(() => parseTransferSpec(spec(["en", "de", "fr"], [["en"]], { targets: ["fr"], k: 3 })), /selection\.k: k = 3 but only 2/);
  });
});
