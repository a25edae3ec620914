/**
 * Scores for the transfer tasks (methods.md §3): token accuracy for tagging,
 * entity-level precision / recall / F1 for named entities, and accuracy and
 * macro-F1 for sentence classification.
 *
 * Entities follow conlleval (and seqeval's default, non-strict mode): one rule
 * reads IOB1, IOB2 and BIOES alike. A chunk starts at B- or S-, and also at an
 * I- or E- that follows O, a different type, or the end of a chunk (E-, S-);
 * it ends before O, B-, S-, a different type, or after E- / S-. An entity
 * counts as correct only when its type, start and end all match a gold one.
 */

/** Label id that scores ignore (subwords after a word's first, padding). */
export const IGNORE_INDEX = -100;

export interface AccuracyCounts {
  correct: number;
  total: number;
  /** correct / total; NaN when nothing was counted. */
  accuracy: number;
}

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} predictions vs ${b.length} labels)`);
}

/** Share of positions whose prediction equals the label, skipping positions labelled `ignoreIndex`. */
export function tokenAccuracy(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  ignoreIndex = IGNORE_INDEX,
): AccuracyCounts {
  checkSameLength(predictions, labels, "tokenAccuracy");
  let correct = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === ignoreIndex) continue;
    total++;
    if (predictions[i] === labels[i]) correct++;
  }
  return { correct, total, accuracy: total === 0 ? NaN : correct / total };
}

// ---------------------------------------------------------------------------
// Entities

/** A labelled span of words: [start, end) in word positions. */
export interface Entity {
  type: string;
  start: number;
  end: number;
}

type Prefix = "B" | "I" | "E" | "S" | "O";

const TAG = /^([BIES])-(.+)$/;

function parseTag(tag: string, sentence: number, position: number): { prefix: Prefix; type: string } {
  if (tag === "O") return { prefix: "O", type: "" };
  const m = TAG.exec(tag);
  if (!m) throw new RangeError(`sentence ${sentence}, word ${position}: tag "${tag}" is neither O nor B-/I-/E-/S- with a type`);
  return { prefix: m[1] as Prefix, type: m[2]! };
}

// conlleval's endOfChunk: does a chunk that ends with (prev, prevType) close before (cur, type)?
function chunkEnds(prev: Prefix, prevType: string, cur: Prefix, type: string): boolean {
  if (prev === "O") return false;
  if (prev === "E" || prev === "S") return true;
  if (cur === "O" || cur === "B" || cur === "S") return true;
  return prevType !== type;
}

// conlleval's startOfChunk: does (cur, type) open a chunk after (prev, prevType)?
function chunkStarts(prev: Prefix, prevType: string, cur: Prefix, type: string): boolean {
  if (cur === "O") return false;
  if (cur === "B" || cur === "S") return true;
  if (prev === "O" || prev === "E" || prev === "S") return true;
  return prevType !== type;
}

/**
 * The entities of one sentence's tags (IOB1, IOB2 or BIOES, read leniently as
 * conlleval does). `sentence` only labels error messages.
 */
export function extractEntities(tags: readonly string[], sentence = 0): Entity[] {
  const entities: Entity[] = [];
  let prev: Prefix = "O";
  let prevType = "";
  let open: Entity | null = null;
  for (let i = 0; i <= tags.length; i++) {
    // A virtual O after the last word closes any open chunk.
    const { prefix, type } = i < tags.length ? parseTag(tags[i]!, sentence, i) : { prefix: "O" as Prefix, type: "" };
    if (open && chunkEnds(prev, prevType, prefix, type)) {
      open.end = i;
      entities.push(open);
      open = null;
    }
    if (chunkStarts(prev, prevType, prefix, type)) open = { type, start: i, end: -1 };
    prev = prefix;
    prevType = type;
  }
  return entities;
}

export interface PrecisionRecallF1 {
  /** Entities in the predictions, in the gold tags, and in both (same type and span). */
  predicted: number;
  gold: number;
  correct: number;
  /** correct / predicted, 0 when nothing was predicted (as conlleval reports). */
  precision: number;
  /** correct / gold, 0 when there is no gold entity. */
  recall: number;
  /** Harmonic mean of precision and recall, 0 when both are 0. */
  f1: number;
}

function prf(predicted: number, gold: number, correct: number): PrecisionRecallF1 {
  const precision = predicted === 0 ? 0 : correct / predicted;
  const recall = gold === 0 ? 0 : correct / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { predicted, gold, correct, precision, recall, f1 };
}

export interface EntityScores extends PrecisionRecallF1 {
  /** The same counts per entity type, types sorted by name. */
  perType: Map<string, PrecisionRecallF1>;
}

/**
 * Entity precision, recall and F1 micro-averaged over all entities of all
 * sentences, plus per type. `gold[s]` and `predicted[s]` are the tags of
 * sentence s, word by word.
 */
export function entityScores(gold: readonly (readonly string[])[], predicted: readonly (readonly string[])[]): EntityScores {
  if (gold.length !== predicted.length) {
    throw new RangeError(`entityScores: ${gold.length} gold sentences vs ${predicted.length} predicted`);
  }
  const counts = new Map<string, { predicted: number; gold: number; correct: number }>();
  const countsOf = (type: string) => {
    let c = counts.get(type);
    if (!c) counts.set(type, (c = { predicted: 0, gold: 0, correct: 0 }));
    return c;
  };
  gold.forEach((goldTags, s) => {
    const predTags = predicted[s]!;
    if (goldTags.length !== predTags.length) {
      throw new RangeError(`entityScores: sentence ${s} has ${goldTags.length} gold tags vs ${predTags.length} predicted`);
    }
    const goldKeys = new Set<string>();
    for (const e of extractEntities(goldTags, s)) {
      countsOf(e.type).gold++;
      goldKeys.add(`${e.type}\t${e.start}\t${e.end}`);
    }
    for (const e of extractEntities(predTags, s)) {
      const c = countsOf(e.type);
      c.predicted++;
      if (goldKeys.has(`${e.type}\t${e.start}\t${e.end}`)) c.correct++;
    }
  });
  const perType = new Map<string, PrecisionRecallF1>();
  let predictedAll = 0;
  let goldAll = 0;
  let correctAll = 0;
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type)!;
    perType.set(type, prf(c.predicted, c.gold, c.correct));
    predictedAll += c.predicted;
    goldAll += c.gold;
    correctAll += c.correct;
  }
  return { ...prf(predictedAll, goldAll, correctAll), perType };
}

// ---------------------------------------------------------------------------
// Sentence classification

/** Share of examples whose predicted class equals the gold class. */
export function classificationAccuracy<C>(predictions: readonly C[], gold: readonly C[]): AccuracyCounts {
  checkSameLength(predictions, gold, "classificationAccuracy");
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (predictions[i] === gold[i]) correct++;
  return { correct, total: gold.length, accuracy: gold.length === 0 ? NaN : correct / gold.length };
}

export interface MacroF1<C> {
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  perClass: Map<C, PrecisionRecallF1>;
}

/**
 * Macro-averaged F1: per-class F1 (one class against the rest), then their
 * plain mean. Classes are `classes` when given, otherwise every class seen in
 * gold or predictions (sorted); a class never predicted scores precision 0.
 */
export function macroF1<C extends string | number>(
  predictions: readonly C[],
  gold: readonly C[],
  classes?: readonly C[],
): MacroF1<C> {
  checkSameLength(predictions, gold, "macroF1");
  const seen = classes ?? [...new Set([...gold, ...predictions])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (seen.length === 0) throw new RangeError("macroF1: no classes (empty input and no class list)");
  const perClass = new Map<C, PrecisionRecallF1>();
  let sum = 0;
  for (const c of seen) {
    let predicted = 0;
    let goldCount = 0;
    let correct = 0;
    for (let i = 0; i < gold.length; i++) {
      if (predictions[i] === c) predicted++;
      if (gold[i] === c) goldCount++;
      if (predictions[i] === c && gold[i] === c) correct++;
    }
    const scores = prf(predicted, goldCount, correct);
    perClass.set(c, scores);
    sum += scores.f1;
  }
  return { macroF1: sum / seen.length, perClass };
}
