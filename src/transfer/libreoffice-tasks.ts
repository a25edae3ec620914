// Three labelled tasks on the LibreOffice help (data/corpora/libreoffice-help.ts), in every
// converted language, read by the existing fine-tuning and evaluation code:
//  - module classification: a paragraph's help module (9 classes), as LabelledParagraph
//    like the Debian Reference chapter task (fineTuneClassifier, evaluateClassifier);
//  - UI-span tagging: words with IOB labels of the help's inline markup (B-MENU, I-KEY,
//    ...; UI_SPAN_CLASSES), as LabelledSentence (encodeTokenTask, fineTuneTagger, entityScores);
//  - parallel paragraph retrieval: test-split translation pairs between two languages,
//    each paragraph to be found among all the other language's test paragraphs
//    (retrievalAccuracy on pooled embeddings, like Tatoeba).
//
// Splits. A paragraph's split group joins its paragraph id with every other id whose
// en-US text is the same, when that text has at least MIN_JOIN_CHARS characters (the help
// reuses ids across pages and repeats sentences under different ids), so no test
// paragraph, nor a copy of it, is trained on in any language. Groups are numbered in en-US page order; that number is
// LabelledParagraph.index, hashed by paragraphSplit() like the Debian Reference task.
// Each language keeps one paragraph per group: the one on the group's first en-US page
// and id when translated there, else its first one.
import type { HelpRecord } from "../data/corpora/libreoffice-help.js";
import { libreOfficeHelpDir, libreOfficeHelpJsonlPath, readHelpRecords } from "../data/corpora/libreoffice-help.js";
import type { LabelledParagraph } from "./paragraph-task.js";
import type { LabelledSentence } from "./token-task.js";

export interface HelpTaskParagraph extends LabelledParagraph {
  /** The help module (the module task's label). */
  label: string;
  page: string;
  id: string;
  spans: HelpRecord["spans"];
  /** Characters of the group's en-US text (the length filter looks at English, so every language keeps the same groups). */
  englishChars: number;
}

/** Identical en-US texts at least this long join their ids' split groups. */
export const MIN_JOIN_CHARS = 20;

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    if (!this.parent.has(x)) this.parent.set(x, x);
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    // Path compression: point every node on the way straight at the root.
    for (let n = x; n !== root; ) {
      const next = this.parent.get(n)!;
      this.parent.set(n, root);
      n = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

export interface SplitGroups {
  /** Paragraph id -> group number. */
  groupOfId: Map<string, number>;
  /** Group number -> the first en-US record of the group. */
  canonical: HelpRecord[];
}

/** Split groups from the en-US records (see the top of this file). */
export function splitGroups(english: HelpRecord[]): SplitGroups {
  const uf = new UnionFind();
  for (const r of english) {
    uf.find(`id:${r.id}`);
    // Short texts ("0", "Syntax", "Yes") recur under unrelated ids; joining on them would
    // chain a third of the help into one group, and their leakage says little.
    if ([...r.text].length >= MIN_JOIN_CHARS) uf.union(`id:${r.id}`, `text:${r.text}`);
  }
  const numberOfRoot = new Map<string, number>();
  const groupOfId = new Map<string, number>();
  const canonical: HelpRecord[] = [];
  for (const r of english) {
    const root = uf.find(`id:${r.id}`);
    let g = numberOfRoot.get(root);
    if (g === undefined) {
      g = canonical.length;
      numberOfRoot.set(root, g);
      canonical.push(r);
    }
    groupOfId.set(r.id, g);
  }
  return { groupOfId, canonical };
}

/**
 * One paragraph per language and split group, for the records of several languages (en-US
 * records among them or given as `english`). Paragraphs whose id has no en-US paragraph
 * are left out (they cannot be grouped); so are groups whose en-US text is shorter than `minChars`.
 */
export function helpTaskParagraphs(records: HelpRecord[], english: HelpRecord[], minChars = 0): HelpTaskParagraph[] {
  const { groupOfId, canonical } = splitGroups(english);
  const chosen = new Map<string, HelpRecord>();
  for (const r of records) {
    const g = groupOfId.get(r.id);
    if (g === undefined || [...canonical[g]!.text].length < minChars) continue;
    const k = `${r.lang}\u0000${g}`;
    const have = chosen.get(k);
    const isCanonical = r.page === canonical[g]!.page && r.id === canonical[g]!.id;
    if (have === undefined || (isCanonical && !(have.page === canonical[g]!.page && have.id === canonical[g]!.id))) chosen.set(k, r);
  }
  const out: HelpTaskParagraph[] = [];
  for (const r of chosen.values()) {
    const g = groupOfId.get(r.id)!;
    out.push({ lang: r.lang, index: g, label: r.module, text: r.text, page: r.page, id: r.id, spans: r.spans, englishChars: [...canonical[g]!.text].length });
  }
  // Records come language by language; keep that order, groups ascending within a language.
  const langOrder = [...new Set(records.map((r) => r.lang))];
  return out.sort((a, b) => langOrder.indexOf(a.lang) - langOrder.indexOf(b.lang) || a.index - b.index);
}

/** The task paragraphs of `langs` read from the converted help in `dir`. */
export function readHelpTaskParagraphs(langs: string[], minChars = 0, dir = libreOfficeHelpDir()): HelpTaskParagraph[] {
  const english = readHelpRecords(libreOfficeHelpJsonlPath(dir, "en-us"));
  const records = langs.flatMap((l) => (l === "en-us" ? english : readHelpRecords(libreOfficeHelpJsonlPath(dir, l))));
  const out = helpTaskParagraphs(records, english, minChars);
  for (const l of langs) if (!out.some((p) => p.lang === l)) throw new Error(`no LibreOffice help paragraphs in '${l}' (convert them with: xling corpus libreoffice-help --lang ${l})`);
  return out;
}

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(lang: string): Intl.Segmenter {
  let s = segmenters.get(lang);
  if (s === undefined) {
    s = new Intl.Segmenter(lang, { granularity: "word" });
    segmenters.set(lang, s);
  }
  return s;
}

/**
 * A paragraph as words (ICU word segments of its language, whitespace left out, so
 * Japanese and Chinese are segmented too) with IOB labels of its UI spans: a word takes
 * the span of its first character; B- on the first word of a span, I- on the others.
 */
export function uiSpanSentence(p: { lang: string; text: string; spans: HelpRecord["spans"]; page: string; id: string }): LabelledSentence {
  const words: string[] = [];
  const labels: string[] = [];
  let previousSpan = -1;
  for (const seg of segmenter(p.lang).segment(p.text)) {
    if (/^\s+$/u.test(seg.segment)) continue;
    const spanIndex = p.spans.findIndex(([s, e]) => seg.index >= s && seg.index < e);
    words.push(seg.segment);
    if (spanIndex < 0) labels.push("O");
    else labels.push(`${spanIndex === previousSpan ? "I" : "B"}-${p.spans[spanIndex]![2]}`);
    previousSpan = spanIndex;
  }
  return { words, labels, where: `${p.lang}/${p.page}#${p.id}` };
}

/** The UI-span tagging sentences of some task paragraphs (those whose text has a span, or all). */
export function uiSpanSentences(paragraphs: HelpTaskParagraph[], onlyWithSpans = true): LabelledSentence[] {
  return paragraphs.filter((p) => !onlyWithSpans || p.spans.length > 0).map(uiSpanSentence);
}

/**
 * Parallel paragraph retrieval between `src` and `tgt`: pairs [src text, tgt text] of the
 * groups both languages have, in group order; row i of one side is the translation of row
 * i of the other, and every other row is a distractor (retrievalAccuracy's setting).
 */
export function retrievalPairs(paragraphs: HelpTaskParagraph[], src: string, tgt: string, keep: (p: HelpTaskParagraph) => boolean = () => true): [string, string][] {
  const target = new Map(paragraphs.filter((p) => p.lang === tgt && keep(p)).map((p) => [p.index, p.text]));
  return paragraphs.filter((p) => p.lang === src && keep(p) && target.has(p.index)).map((p): [string, string] => [p.text, target.get(p.index)!]);
}
