// A labelled task derived from a real parallel corpus (methods.md §2): classify a
// paragraph of the Debian Reference by the chapter it belongs to. Translations keep the
// manual's paragraph structure, so a paragraph's index identifies it across languages:
// train/test splits hash that index, and no paragraph is trained on in one language and
// tested, translated, in another. The index also gives parallel paragraph pairs for the
// word aligner and the alignment metrics.
import { openCorpus } from "../data/corpora/index.js";
import { splitOf, type Split } from "../data/manifest.js";

export interface LabelledParagraph {
  lang: string;
  /** Position in the manual, the same for every translation of the paragraph. */
  index: number;
  label: string;
  text: string;
}

export interface ParagraphTaskOptions {
  /** Shortest paragraph kept, in characters (headings and one-word lines say little). */
  minChars?: number;
  /** Share of paragraph indices held out for testing. */
  testFraction?: number;
  seed?: number;
}

/** Every paragraph of the manual in `langs`, labelled with its chapter ("1", ..., "A", ...). */
export async function debianChapterParagraphs(langs: string[], minChars = 40): Promise<LabelledParagraph[]> {
  const out: LabelledParagraph[] = [];
  for await (const d of openCorpus("debian-reference", { langs, unit: "paragraph" }).documents()) {
    const [, , section, index] = d.docId.split("/");
    if (section === "front" || d.text.length < minChars) continue;
    out.push({ lang: d.lang, index: Number(index), label: section, text: d.text });
  }
  for (const l of langs) if (!out.some((p) => p.lang === l)) throw new Error(`no Debian Reference paragraphs in '${l}' (install them with: xling corpus debian-reference --out <dir> --lang ${l})`);
  return out;
}

export function paragraphSplit(p: LabelledParagraph, o: ParagraphTaskOptions = {}): Split {
  return splitOf(p.index, { seed: o.seed ?? 0, valid: 0, test: o.testFraction ?? 0.2 });
}

/** Pairs of translations (same index) between two languages, in index order. */
export function parallelParagraphs(paragraphs: LabelledParagraph[], src: string, tgt: string): [LabelledParagraph, LabelledParagraph][] {
  const byIndex = new Map(paragraphs.filter((p) => p.lang === tgt).map((p) => [p.index, p]));
  return paragraphs.filter((p) => p.lang === src && byIndex.has(p.index)).map((p) => [p, byIndex.get(p.index)!]);
}

/** The label set (sorted) and each paragraph's label id. */
export function labelIds(paragraphs: LabelledParagraph[]): { labels: string[]; ids: Map<string, number> } {
  const labels = [...new Set(paragraphs.map((p) => p.label))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return { labels, ids: new Map(labels.map((l, i) => [l, i])) };
}
