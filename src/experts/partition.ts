/**
 * Partitioning a corpus into expert clusters (methods.md §4). Every method is
 * a Partitioner: given the items (documents tagged with their language) and a
 * number of clusters, it returns each item's cluster index in [0, k).
 * Methods are chosen by name with createPartitioner.
 */
import { ContentClusterer, type ContentClustererOptions } from "./content.js";
import { agglomerateSingleLink, geographyFeatures, type LanguageFeatures } from "./typology.js";

export interface PartitionItem {
  language: string;
  /** Needed only by the content partitioner. */
  text?: string;
}

export interface Partitioner {
  readonly name: string;
  partition(items: readonly PartitionItem[], k: number): number[];
}

function distinctLanguages(items: readonly PartitionItem[]): string[] {
  return [...new Set(items.map((i) => i.language))];
}

/** A fixed language -> cluster map, e.g. {en: 0, es: 0, de: 1}. */
export class LanguageMapPartitioner implements Partitioner {
  readonly name = "language-map";
  constructor(readonly map: Readonly<Record<string, number>>) {}

  partition(items: readonly PartitionItem[], k: number): number[] {
    for (const [language, c] of Object.entries(this.map)) {
      if (!Number.isInteger(c) || c < 0 || c >= k) {
        throw new RangeError(`language map: cluster of "${language}" must be an integer in [0, ${k}), got ${c}`);
      }
    }
    const used = new Set(Object.values(this.map));
    for (let c = 0; c < k; c++) if (!used.has(c)) throw new RangeError(`language map: cluster ${c} has no language`);
    return items.map((item) => {
      const c = this.map[item.language];
      if (c === undefined) throw new RangeError(`language map: no cluster for language "${item.language}"`);
      return c;
    });
  }
}

/**
 * Languages clustered by feature vectors (masked cosine distance, single-link,
 * greedy pair merging: see agglomerateSingleLink); each item goes with its language.
 */
export class TypologicalPartitioner implements Partitioner {
  readonly name: string;
  constructor(
    readonly features: LanguageFeatures,
    name = "typological",
  ) {
    this.name = name;
  }

  /** Language -> cluster for the given languages. */
  languageClusters(languages: readonly string[], k: number): Map<string, number> {
    const labels = agglomerateSingleLink(languages, this.features, k);
    return new Map(languages.map((l, i) => [l, labels[i]!]));
  }

  partition(items: readonly PartitionItem[], k: number): number[] {
    const clusters = this.languageClusters(distinctLanguages(items), k);
    return items.map((item) => clusters.get(item.language)!);
  }
}

/** Documents clustered by content; the fitted clusterer is kept for inference and saving. */
export class ContentPartitioner implements Partitioner {
  readonly name = "content";
  clusterer: ContentClusterer | undefined;
  constructor(readonly options: Omit<ContentClustererOptions, "clusters"> = {}) {}

  partition(items: readonly PartitionItem[], k: number): number[] {
    const texts = items.map((item, i) => {
      if (item.text === undefined) throw new RangeError(`content partitioner: item ${i} has no text`);
      return item.text;
    });
    const { clusterer, labels } = ContentClusterer.fit(texts, { ...this.options, clusters: k });
    this.clusterer = clusterer;
    return labels;
  }
}

export type PartitionerSpec =
  | { name: "language-map"; map: Record<string, number> }
  | { name: "typological"; features: LanguageFeatures }
  | { name: "geographic"; places: Iterable<{ code: string; latitude: number; longitude: number }> }
  | ({ name: "content" } & Omit<ContentClustererOptions, "clusters">);

export function createPartitioner(spec: PartitionerSpec): Partitioner {
  switch (spec.name) {
    case "language-map":
      return new LanguageMapPartitioner(spec.map);
    case "typological":
      return new TypologicalPartitioner(spec.features);
    case "geographic":
      return new TypologicalPartitioner(geographyFeatures(spec.places), "geographic");
    case "content": {
      const { name: _name, ...options } = spec;
      return new ContentPartitioner(options);
    }
    default:
      throw new RangeError(`unknown partitioner "${(spec as { name: string }).name}"`);
  }
}

export const PARTITIONER_NAMES = ["language-map", "typological", "geographic", "content"] as const;
