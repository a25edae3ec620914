import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  IGNORE_INDEX,
  classificationAccuracy,
  entityScores,
  extractEntities,
  macroF1,
  tokenAccuracy,
} from "../../src/transfer/metrics.js";

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe("token accuracy", () => {
  it("skips ignored positions", () => {
    // Positions 1 and 3 are ignored; of 0, 2, 4 two are right.
    const r = tokenAccuracy([5, 9, 2, 9, 1], [5, IGNORE_INDEX, 3, IGNORE_INDEX, 1]);
    assert.deepEqual([r.correct, r.total], [2, 3]);
    near(r.accuracy, 2 / 3, "accuracy");
    assert.ok(Number.isNaN(tokenAccuracy([1], [IGNORE_INDEX]).accuracy));
    assert.throws(() => tokenAccuracy([1, 2], [1]), /lengths differ/);
  });
});

describe("entity extraction", () => {
  it("reads IOB2", () => {
    assert.deepEqual(extractEntities(["B-PER", "I-PER", "O", "B-LOC"]), [
      { type: "PER", start: 0, end: 2 },
      { type: "LOC", start: 3, end: 4 },
    ]);
  });

  it("gives the same entities for the IOB1 and IOB2 spelling of a sentence", () => {
    // Two adjacent LOC entities: IOB1 marks only the second with B-.
    const iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC"];
    const iob2 = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"];
    const expected = [
      { type: "PER", start: 0, end: 2 },
      { type: "LOC", start: 3, end: 4 },
      { type: "LOC", start: 4, end: 6 },
    ];
    assert.deepEqual(extractEntities(iob1), expected);
    assert.deepEqual(extractEntities(iob2), expected);
  });

  it("starts an entity at an I- after O or after another type (conlleval)", () => {
    assert.deepEqual(extractEntities(["O", "I-ORG", "I-ORG"]), [{ type: "ORG", start: 1, end: 3 }]);
    assert.deepEqual(extractEntities(["B-PER", "I-LOC", "I-LOC"]), [
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 1, end: 3 },
    ]);
  });

  it("reads BIOES", () => {
    assert.deepEqual(extractEntities(["S-PER", "B-LOC", "I-LOC", "E-LOC", "O", "B-ORG", "E-ORG", "S-ORG"]), [
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 1, end: 4 },
      { type: "ORG", start: 5, end: 7 },
      { type: "ORG", start: 7, end: 8 },
    ]);
    // E- closes an entity, so an I- after it opens a new one.
    assert.deepEqual(extractEntities(["B-LOC", "E-LOC", "I-LOC"]), [
      { type: "LOC", start: 0, end: 2 },
      { type: "LOC", start: 2, end: 3 },
    ]);
  });

  it("rejects tags that are not O or prefix-type", () => {
    assert.throws(() => extractEntities(["O", "PER"], 4), /sentence 4, word 1: tag "PER"/);
    assert.throws(() => extractEntities(["B-"]), /tag "B-"/);
  });
});

describe("entity scores", () => {
  it("counts an entity as correct only when type, start and end match", () => {
    const gold = [
      ["B-PER", "I-PER", "O", "B-LOC"], // PER[0,2) LOC[3,4)
      ["B-ORG", "I-ORG", "O"], // ORG[0,2)
      ["O", "B-LOC", "I-LOC"], // LOC[1,3)
    ];
    const predicted = [
      ["B-PER", "O", "O", "B-ORG"], // PER[0,1): boundary wrong; ORG[3,4): type wrong
      ["B-ORG", "I-ORG", "O"], // right
      ["O", "I-LOC", "I-LOC"], // LOC[1,3) by the lenient rule: right
    ];
    const s = entityScores(gold, predicted);
    // 4 predicted, 4 gold, 2 correct.
    assert.deepEqual([s.predicted, s.gold, s.correct], [4, 4, 2]);
    near(s.precision, 0.5, "precision");
    near(s.recall, 0.5, "recall");
    near(s.f1, 0.5, "f1");
    assert.deepEqual([...s.perType.keys()], ["LOC", "ORG", "PER"]);
    // LOC: 1 predicted, 2 gold, 1 correct -> P 1, R 1/2, F 2/3.
    const loc = s.perType.get("LOC")!;
    near(loc.precision, 1, "LOC precision");
    near(loc.recall, 0.5, "LOC recall");
    near(loc.f1, 2 / 3, "LOC f1");
    // ORG: 2 predicted, 1 gold, 1 correct -> P 1/2, R 1.
    near(s.perType.get("ORG")!.precision, 0.5, "ORG precision");
    near(s.perType.get("ORG")!.recall, 1, "ORG recall");
    // PER: nothing right.
    assert.equal(s.perType.get("PER")!.f1, 0);
  });

  it("is micro-averaged, not a mean over types", () => {
    // PER: 3 of 3 right; LOC: 0 of 1 predicted right. Micro P = 3/4; the mean over types would be 1/2.
    const gold = [["B-PER", "B-PER", "B-PER", "O"]];
    const predicted = [["B-PER", "B-PER", "B-PER", "B-LOC"]];
    const s = entityScores(gold, predicted);
    near(s.precision, 3 / 4, "precision");
    near(s.recall, 1, "recall");
    near(s.f1, (2 * 0.75) / 1.75, "f1");
  });

  it("reports 0 instead of dividing by zero, and checks shapes", () => {
    const s = entityScores([["O", "O"]], [["O", "O"]]);
    assert.deepEqual([s.precision, s.recall, s.f1], [0, 0, 0]);
    assert.throws(() => entityScores([["O"]], [["O"], ["O"]]), /1 gold sentences vs 2 predicted/);
    assert.throws(() => entityScores([["O"]], [["O", "O"]]), /sentence 0 has 1 gold tags vs 2 predicted/);
  });
});

describe("sentence classification", () => {
  it("accuracy and macro-F1 over classes", () => {
    const gold = ["a", "a", "b", "c"];
    const predicted = ["a", "b", "b", "a"];
    assert.equal(classificationAccuracy(predicted, gold).accuracy, 0.5);
    const m = macroF1(predicted, gold);
    // a: P 1/2 R 1/2 F 1/2; b: P 1/2 R 1 F 2/3; c: never predicted, F 0.
    near(m.perClass.get("a")!.f1, 0.5, "a");
    near(m.perClass.get("b")!.f1, 2 / 3, "b");
    assert.equal(m.perClass.get("c")!.f1, 0);
    near(m.macroF1, (0.5 + 2 / 3 + 0) / 3, "macro");
    // An explicit class list adds a class nobody used (F1 0) to the mean.
    near(macroF1(predicted, gold, ["a", "b", "c", "d"]).macroF1, (0.5 + 2 / 3) / 4, "macro with d");
    assert.throws(() => macroF1([], []), /no classes/);
  });
});
