// `xling eval`: a language model's perplexity on a text file, per language when the file
// is multilingual JSONL ({"text", "lang"} per line). Documents are encoded, joined with
// the end-of-text id between them (as in training) and scored with the sliding window
// of the held-out evaluation.
import { slidingWindowPerplexity } from "../analysis/lm-eval.js";
import { isRecordFile, readJsonl, readTextDocuments } from "../data/readers/index.js";
import type { LanguageModel } from "./language-model.js";

export interface LanguagePerplexity {
  lang: string;
  documents: number;
  tokens: number;
  nll: number;
  ppl: number;
}

export async function evaluateText(lm: LanguageModel, path: string, opts: { lang?: string; stride?: number } = {}): Promise<LanguagePerplexity[]> {
  const byLang = new Map<string, string[]>();
  if (isRecordFile(path)) {
    for await (const d of readJsonl(path, { defaultLang: opts.lang ?? "all" })) {
      if (opts.lang && d.lang !== opts.lang) continue;
      const docs = byLang.get(d.lang!) ?? [];
      docs.push(d.text);
      byLang.set(d.lang!, docs);
    }
  } else {
    const docs: string[] = [];
    for await (const d of readTextDocuments(path)) docs.push(d.text);
    byLang.set(opts.lang ?? "all", docs);
  }
  if (byLang.size === 0) throw new Error(`${path}: no documents${opts.lang ? ` in language ${opts.lang}` : ""}`);
  const out: LanguagePerplexity[] = [];
  for (const [lang, docs] of [...byLang].sort(([a], [b]) => a.localeCompare(b))) {
    const parts: number[] = [];
    for (const ids of lm.tokenizer.encodeBatch(docs)) {
      if (parts.length > 0 && lm.eosId !== null) parts.push(lm.eosId);
      for (const id of ids) parts.push(id);
    }
    if (parts.length < 2) throw new Error(`${path}: the ${lang} text encodes to fewer than two tokens`);
    const r = slidingWindowPerplexity(lm.model, Int32Array.from(parts), { stride: opts.stride });
    out.push({ lang, documents: docs.length, tokens: parts.length, nll: r.nll, ppl: r.ppl });
  }
  return out;
}
