// Content experts (methods.md §4): the training documents of every language clustered by
// content (TF-IDF over token ids -> truncated SVD -> balanced k-means fitted on a sample,
// then every document to its nearest centre), written as one token cache per expert and
// language, so each expert trains on its cluster with the usual per-language batches.
// The fitted clusterer is saved next to the caches; the TF-IDF distance rule reuses it.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PreparedMultilingual } from "../../data/multilingual.js";
import { writeDocumentsToCache } from "../../data/token-cache.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { ContentClusterer, type ContentClustererJson } from "../../experts/content.js";
import { idsAsText } from "../../experts/evaluate.js";
import type { ExpertStudy } from "./spec.js";

export interface ContentPartition {
  /** Per expert: language -> its training cache (languages with at least one sequence). */
  caches: Record<string, string>[];
  /** Training tokens of each language in each expert. */
  tokens: Record<string, number>[];
  /** The expert holding most of each language's training tokens (top-1 by language). */
  expertOfLanguage: Record<string, number>;
}

const PARTITION_FILE = "partition.json";
const CLUSTERER_FILE = "clusterer.json";

/** Documents of a token cache's ids, cut at the separator. */
export function splitDocuments(ids: Int32Array, separatorId: number): Int32Array[] {
  const docs: Int32Array[] = [];
  let start = 0;
  for (let i = 0; i <= ids.length; i++) {
    if (i === ids.length || ids[i] === separatorId) {
      if (i > start) docs.push(ids.subarray(start, i));
      start = i + 1;
    }
  }
  return docs;
}

export function readContentPartition(studyDir: string): ContentPartition | null {
  const path = join(studyDir, "content", PARTITION_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ContentPartition) : null;
}

export function loadContentClusterer(studyDir: string): ContentClusterer {
  return ContentClusterer.fromJSON(JSON.parse(readFileSync(join(studyDir, "content", CLUSTERER_FILE), "utf8")) as ContentClustererJson);
}

/** Clusters the training documents once per study directory; later calls read the saved result. */
export function ensureContentPartition(study: ExpertStudy, studyDir: string, prepared: PreparedMultilingual): ContentPartition {
  const p = study.experts.partition;
  if (p.method !== "content") throw new Error("ensureContentPartition: the study does not partition by content");
  const existing = readContentPartition(studyDir);
  if (existing) return existing;
  const dir = join(studyDir, "content");
  mkdirSync(dir, { recursive: true });
  const k = study.experts.k;
  const docs = study.experts.languages.flatMap((lang) => {
    const reader = prepared.language(lang).open("train");
    try {
      return splitDocuments(reader.read(0, reader.count), prepared.separatorId).map((ids) => ({ lang, ids }));
    } finally {
      reader.close();
    }
  });
  // Fit on documents spread evenly over the whole list (every language), assign all.
  const every = Math.max(1, Math.ceil(docs.length / p.fitDocuments));
  const sample = docs.filter((_, i) => i % every === 0).map((d) => idsAsText(d.ids));
  const { clusterer } = ContentClusterer.fit(sample, { clusters: k, dimensions: p.dimensions, maxTerms: p.maxTerms, seed: study.train.seed });
  const labels = docs.map((d) => clusterer.assign(idsAsText(d.ids)));

  const caches: Record<string, string>[] = [];
  const tokens: Record<string, number>[] = [];
  for (let j = 0; j < k; j++) {
    caches.push({});
    tokens.push({});
    for (const lang of study.experts.languages) {
      const mine = docs.filter((d, i) => labels[i] === j && d.lang === lang).map((d) => d.ids);
      const count = mine.reduce((s, d) => s + d.length, 0);
      // A stream needs at least one whole sequence; a sliver of a language is left out.
      if (count < study.model.seqLen + 1) continue;
      const path = join(dir, `expert-${j}.${lang}.train.tokens`);
      tokens[j]![lang] = writeDocumentsToCache(path, mine, { separatorId: prepared.separatorId });
      caches[j]![lang] = path;
    }
    if (Object.keys(caches[j]!).length === 0) throw new Error(`content cluster ${j} holds less than one sequence of text; use fewer experts`);
  }
  const expertOfLanguage = Object.fromEntries(study.experts.languages.map((lang) => {
    const counts = tokens.map((t) => t[lang] ?? 0);
    return [lang, counts.indexOf(Math.max(...counts))];
  }));
  const partition: ContentPartition = { caches, tokens, expertOfLanguage };
  writeFileAtomic(join(dir, CLUSTERER_FILE), JSON.stringify(clusterer.toJSON()));
  writeFileAtomic(join(dir, PARTITION_FILE), JSON.stringify(partition, null, 2));
  return partition;
}
