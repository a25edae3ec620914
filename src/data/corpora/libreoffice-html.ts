// One page of the LibreOffice help (HTML generated from the help's XHP sources) as
// paragraphs: every <p> or <h1>..<h6> of the page's #DisplayArea whose id is a help
// paragraph id ("par_id3155923", "hd_id3149688"). Those ids are the same in every
// language, which makes the help parallel at paragraph level.
//
// Text rules (deliberately few):
//  - paragraphs inside <div class="embedded"> are skipped: they are copies of another
//    page's paragraphs, which that page yields itself;
//  - an inline platform or application switch (<span class="switch|switchinline">) keeps
//    only its default alternative (the child whose id starts with "default"), or its
//    first alternative when there is no default: the others are hidden on screen;
//  - images are dropped, <br> becomes a space, whitespace runs become one space, the
//    text is trimmed and put in Unicode NFC; empty paragraphs are dropped.
// The inline markup spans listed in UI_SPAN_CLASSES are kept as character ranges of the
// text, for the UI-span tagging task; adjacent spans of one class merge ("Alt" "+Enter").
import { parseDocument, DomUtils } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";

/** Inline span classes kept as labelled ranges, and the label each one gets. */
export const UI_SPAN_CLASSES: Record<string, string> = {
  menuitem: "MENU",
  keycode: "KEY",
  literal: "LITERAL",
  input: "INPUT",
  emph: "EMPH",
};

/** A labelled character range [start, end) of a paragraph's text (UTF-16 indices). */
export type UiSpan = [start: number, end: number, label: string];

export interface HelpParagraph {
  /** The help paragraph id, the same in every language. */
  id: string;
  /** "p" or "h1".."h6". */
  tag: string;
  text: string;
  spans: UiSpan[];
}

const PARAGRAPH_ID = /^(?:par|hd)_id/;
const PARAGRAPH_TAG = /^(?:p|h[1-6])$/;

function isElement(n: ChildNode): n is Element {
  return n.type === "tag" || n.type === "script" || n.type === "style";
}

function classes(e: Element): string[] {
  return (e.attribs.class ?? "").split(/\s+/).filter((c) => c !== "");
}

/** Characters of one paragraph, each with the UI label it is under (or null). */
interface Chars {
  text: string[];
  labels: (string | null)[];
}

function collect(nodes: ChildNode[], label: string | null, out: Chars): void {
  for (const n of nodes) {
    if (n.type === "text") {
      for (const ch of n.data.normalize("NFC")) {
        out.text.push(ch);
        out.labels.push(label);
      }
      continue;
    }
    if (!isElement(n)) continue;
    if (n.name === "img" || n.name === "script" || n.name === "style") continue;
    if (n.name === "br") {
      out.text.push(" ");
      out.labels.push(null);
      continue;
    }
    const cls = classes(n);
    if (n.name === "span" && (cls.includes("switch") || cls.includes("switchinline"))) {
      const alternatives = n.children.filter(isElement);
      const chosen = alternatives.find((a) => (a.attribs.id ?? "").startsWith("default")) ?? alternatives[0];
      if (chosen !== undefined) collect(chosen.children, label, out);
      continue;
    }
    const own = n.name === "span" ? cls.map((c) => UI_SPAN_CLASSES[c]).find((l) => l !== undefined) : undefined;
    // The outermost labelled span wins: "emph" around a "menuitem" is one EMPH range.
    collect(n.children, label ?? own ?? null, out);
  }
}

/** Collapses whitespace and trims, keeping each kept character's label; then the spans. */
function finish(chars: Chars): { text: string; spans: UiSpan[] } {
  let text = "";
  const labels: (string | null)[] = [];
  let pendingSpace = false;
  chars.text.forEach((ch, i) => {
    if (/\s/.test(ch)) {
      pendingSpace = text.length > 0;
      return;
    }
    if (pendingSpace) {
      // A space between two characters of one span belongs to the span.
      const prev = labels.at(-1) ?? null;
      text += " ";
      labels.push(prev !== null && prev === chars.labels[i] ? prev : null);
      pendingSpace = false;
    }
    text += ch;
    for (let k = 0; k < ch.length; k++) labels.push(chars.labels[i] ?? null);
  });
  const spans: UiSpan[] = [];
  for (let i = 0; i < labels.length; ) {
    const l = labels[i];
    let j = i + 1;
    while (j < labels.length && labels[j] === l) j++;
    if (l !== null) spans.push([i, j, l]);
    i = j;
  }
  // Composition across a text-node boundary can still change the string; NFC it whole
  // and keep the spans only when that changed nothing.
  const nfc = text.normalize("NFC");
  return { text: nfc, spans: nfc === text ? spans : [] };
}

function insideEmbedded(e: Element): boolean {
  for (let p = e.parent; p !== null; p = p.parent) {
    if (p.type === "tag" && (p as Element).name === "div" && classes(p as Element).includes("embedded")) return true;
  }
  return false;
}

/**
 * The paragraphs of one help page, in page order (a paragraph id repeated on the page
 * is kept once). `where` names the page in errors.
 */
export function helpPageParagraphs(html: string, where: string): HelpParagraph[] {
  const doc = parseDocument(html);
  const area = DomUtils.findOne((e) => e.attribs.id === "DisplayArea", doc.children, true);
  if (area === null) throw new Error(`${where}: not a LibreOffice help page (no element with id "DisplayArea")`);
  const out: HelpParagraph[] = [];
  const seen = new Set<string>();
  for (const e of DomUtils.findAll((e) => PARAGRAPH_TAG.test(e.name) && PARAGRAPH_ID.test(e.attribs.id ?? ""), [area])) {
    const id = e.attribs.id!;
    if (seen.has(id) || insideEmbedded(e)) continue;
    const chars: Chars = { text: [], labels: [] };
    collect(e.children, null, chars);
    const { text, spans } = finish(chars);
    if (text === "") continue;
    seen.add(id);
    out.push({ id, tag: e.name, text, spans });
  }
  return out;
}

/** The help module of a page path "text/<module>/..." (swriter, scalc, shared, ...). */
export function helpModule(page: string): string {
  const m = /^text\/([^/]+)\//.exec(page);
  if (m === null) throw new Error(`${page}: a help page path starts with text/<module>/`);
  return m[1]!;
}
