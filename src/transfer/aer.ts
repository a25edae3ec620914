/**
 * Alignment error rate (Och & Ney) against gold links of two kinds: sure links S
 * (a translator must link these) and possible links P (acceptable, S ⊆ P):
 *
 *   AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)
 *
 * over a whole test set (counts summed over sentences before dividing).
 *
 * Gold sets are kept in a small text format, one block per sentence pair,
 * blocks separated by blank lines, `#` starting a comment line:
 *
 *   ref: Gen.1.1
 *   src: In the beginning God created the heaven and the earth .
 *   tgt: En el principio crió Dios los cielos y la tierra .
 *   sure: 0-0 1-1 2-2 3-4 4-3 ...
 *   possible: 1-0 ...
 *
 * `src` and `tgt` are the tokens, separated by single spaces; links are
 * Pharaoh `s-t` pairs over those token indices. `possible` lists only the links
 * that are possible but not sure; the possible set P is `sure` plus `possible`.
 */
import { parsePharaoh, type Link } from "./symmetrize.js";

export interface AerCounts {
  predicted: number;
  sure: number;
  predictedAndSure: number;
  predictedAndPossible: number;
}

export interface GoldAlignment {
  ref: string;
  src: string[];
  tgt: string[];
  sure: Link[];
  /** Every acceptable link: the sure links and the merely possible ones. */
  possible: Link[];
}

function keyOf([s, t]: Link): string {
  return `${s}-${t}`;
}

/** Counts for one sentence; `possible` may omit the sure links (they are added). */
export function aerCounts(predicted: ReadonlyArray<Link>, sure: ReadonlyArray<Link>, possible: ReadonlyArray<Link>): AerCounts {
  const a = new Set(predicted.map(keyOf));
  const s = new Set(sure.map(keyOf));
  const p = new Set([...sure.map(keyOf), ...possible.map(keyOf)]);
  let predictedAndSure = 0;
  let predictedAndPossible = 0;
  for (const k of a) {
    if (s.has(k)) predictedAndSure++;
    if (p.has(k)) predictedAndPossible++;
  }
  return { predicted: a.size, sure: s.size, predictedAndSure, predictedAndPossible };
}

function rateOf(c: AerCounts): number {
  const denominator = c.predicted + c.sure;
  if (denominator === 0) throw new RangeError("alignment error rate: no predicted and no sure links");
  return 1 - (c.predictedAndSure + c.predictedAndPossible) / denominator;
}

/** AER of one sentence's links. */
export function alignmentErrorRate(predicted: ReadonlyArray<Link>, sure: ReadonlyArray<Link>, possible: ReadonlyArray<Link>): number {
  return rateOf(aerCounts(predicted, sure, possible));
}

/** AER over a test set: predicted[k] is scored against gold[k]. */
export function corpusAlignmentErrorRate(predicted: ReadonlyArray<ReadonlyArray<Link>>, gold: ReadonlyArray<GoldAlignment>): number {
  if (predicted.length !== gold.length) throw new RangeError(`corpus AER: ${predicted.length} predictions for ${gold.length} gold sentences`);
  const total: AerCounts = { predicted: 0, sure: 0, predictedAndSure: 0, predictedAndPossible: 0 };
  predicted.forEach((links, k) => {
    const c = aerCounts(links, gold[k]!.sure, gold[k]!.possible);
    total.predicted += c.predicted;
    total.sure += c.sure;
    total.predictedAndSure += c.predictedAndSure;
    total.predictedAndPossible += c.predictedAndPossible;
  });
  return rateOf(total);
}

const FIELDS = ["ref", "src", "tgt", "sure", "possible"] as const;
type Field = (typeof FIELDS)[number];

/** Parses the gold format above; `where` names the source in error messages. */
export function parseGoldAlignments(text: string, where = "gold alignments"): GoldAlignment[] {
  const out: GoldAlignment[] = [];
  let block: Partial<Record<Field, string>> = {};
  let blockLine = 0;
  const finish = (): void => {
    if (Object.keys(block).length === 0) return;
    for (const f of FIELDS) {
      if (f !== "possible" && block[f] === undefined) throw new SyntaxError(`${where}:${blockLine}: block lacks "${f}:"`);
    }
    const src = block.src!.split(" ");
    const tgt = block.tgt!.split(" ");
    const sure = parsePharaoh(block.sure!);
    const extra = parsePharaoh(block.possible ?? "");
    for (const [s, t] of [...sure, ...extra]) {
      if (s >= src.length || t >= tgt.length) {
        throw new RangeError(`${where}:${blockLine}: link ${s}-${t} is outside ${src.length} x ${tgt.length} tokens`);
      }
    }
    const sureKeys = new Set(sure.map(keyOf));
    const possible = [...sure, ...extra.filter((l) => !sureKeys.has(keyOf(l)))];
    out.push({ ref: block.ref!, src, tgt, sure, possible });
    block = {};
  };
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith("#")) return;
    if (line === "") {
      finish();
      return;
    }
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (!m || !(FIELDS as readonly string[]).includes(m[1]!)) throw new SyntaxError(`${where}:${index + 1}: expected one of ${FIELDS.join(", ")} followed by ":"`);
    if (Object.keys(block).length === 0) blockLine = index + 1;
    const field = m[1] as Field;
    if (block[field] !== undefined) throw new SyntaxError(`${where}:${index + 1}: "${field}:" given twice in one block`);
    block[field] = m[2]!;
  });
  finish();
  return out;
}
