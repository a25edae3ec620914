/**
 * Partitioning documents by content (methods.md §4): TF-IDF -> truncated SVD
 * (100 dimensions by default) -> L2 normalisation -> balanced k-means. The
 * fitted clusterer is plain data (vocabulary, idf, SVD projection, centres) and
 * round-trips through JSON.
 */
import { fitBalancedKMeans, nearestCentre, pointCentreDistances } from "./kmeans.js";
import { truncatedSvd, type Matrix } from "./svd.js";
import { fitTfIdf, tfIdfVector, vocabularyIndex, type TfIdfModel, type TfIdfOptions } from "./tfidf.js";

export interface ContentClustererOptions extends TfIdfOptions {
  clusters: number;
  /** SVD dimensions (default 100; fewer if the TF-IDF matrix has lower rank). */
  dimensions?: number;
  seed?: number;
}

export interface ContentClustererJson {
  format: "xling-content-clusterer/1";
  tfidf: TfIdfModel;
  /** vocabulary x dimensions projection (right singular vectors), row-major. */
  projection: number[];
  dimensions: number;
  centres: number[][];
}

export class ContentClusterer {
  private readonly index: Map<string, number>;

  private constructor(
    readonly tfidf: TfIdfModel,
    /** vocabulary x dimensions, row-major. */
    readonly projection: Float64Array,
    readonly dimensions: number,
    readonly centres: Float64Array[],
  ) {
    this.index = vocabularyIndex(tfidf);
  }

  /** Fits on documents; also returns each training document's balanced cluster. */
  static fit(documents: readonly string[], opts: ContentClustererOptions): { clusterer: ContentClusterer; labels: number[] } {
    if (documents.length < opts.clusters) {
      throw new RangeError(`ContentClusterer: ${documents.length} documents for ${opts.clusters} clusters`);
    }
    const { clusterer, embedded } = ContentClusterer.fitEmbedding(documents, opts);
    const fit = fitBalancedKMeans(embedded, opts.clusters, { seed: opts.seed ?? 0 });
    clusterer.centres.push(...fit.centres);
    return { clusterer, labels: fit.labels };
  }

  /**
   * The same TF-IDF -> SVD embedding, with given groups instead of k-means clusters:
   * centre c is the mean embedding of the documents labelled c (e.g. the training text
   * of expert c's languages), so distances to experts trained on known groups can be measured.
   */
  static fitToGroups(documents: readonly string[], labels: readonly number[], opts: Omit<ContentClustererOptions, "clusters">): ContentClusterer {
    if (labels.length !== documents.length) throw new RangeError(`ContentClusterer: ${labels.length} labels for ${documents.length} documents`);
    const groups = Math.max(...labels) + 1;
    const { clusterer, embedded } = ContentClusterer.fitEmbedding(documents, opts);
    const counts = new Array<number>(groups).fill(0);
    const centres = Array.from({ length: groups }, () => new Float64Array(clusterer.dimensions));
    embedded.forEach((e, i) => {
      const c = labels[i]!;
      if (!Number.isInteger(c) || c < 0) throw new RangeError(`ContentClusterer: label ${c} of document ${i} is not a group index`);
      counts[c]! += 1;
      for (let j = 0; j < e.length; j++) centres[c]![j]! += e[j]!;
    });
    counts.forEach((n, c) => {
      if (n === 0) throw new RangeError(`ContentClusterer: group ${c} has no documents`);
      for (let j = 0; j < centres[c]!.length; j++) centres[c]![j]! /= n;
    });
    clusterer.centres.push(...centres);
    return clusterer;
  }

  private static fitEmbedding(documents: readonly string[], opts: TfIdfOptions & { dimensions?: number; seed?: number }): { clusterer: ContentClusterer; embedded: Float64Array[] } {
    const tfidf = fitTfIdf(documents, opts);
    const vocab = tfidf.vocabulary.length;
    if (vocab === 0) throw new RangeError("ContentClusterer: the documents have no terms");
    const index = vocabularyIndex(tfidf);
    const x: Matrix = { rows: documents.length, cols: vocab, data: new Float64Array(documents.length * vocab) };
    documents.forEach((d, i) => x.data.set(tfIdfVector(tfidf, d, index), i * vocab));
    const svd = truncatedSvd(x, opts.dimensions ?? 100, { seed: opts.seed ?? 0 });
    const clusterer = new ContentClusterer(tfidf, svd.v.data, svd.v.cols, []);
    return { clusterer, embedded: documents.map((d) => clusterer.embed(d)) };
  }

  /** TF-IDF vector projected on the SVD directions, then L2-normalised (zero stays zero). */
  embed(document: string): Float64Array {
    const t = tfIdfVector(this.tfidf, document, this.index);
    const out = new Float64Array(this.dimensions);
    for (let i = 0; i < t.length; i++) {
      const w = t[i]!;
      if (w === 0) continue;
      for (let j = 0; j < this.dimensions; j++) out[j]! += w * this.projection[i * this.dimensions + j]!;
    }
    let norm = 0;
    for (const v of out) norm += v * v;
    if (norm > 0) for (let j = 0; j < out.length; j++) out[j]! /= Math.sqrt(norm);
    return out;
  }

  /** Euclidean distance from a document's embedding to every centre. */
  distances(document: string): Float64Array {
    return pointCentreDistances([this.embed(document)], this.centres);
  }

  /** Inference-time assignment: the nearest centre, no balance constraint. */
  assign(document: string): number {
    return nearestCentre(this.embed(document), this.centres);
  }

  toJSON(): ContentClustererJson {
    return {
      format: "xling-content-clusterer/1",
      tfidf: this.tfidf,
      projection: Array.from(this.projection),
      dimensions: this.dimensions,
      centres: this.centres.map((c) => Array.from(c)),
    };
  }

  static fromJSON(json: ContentClustererJson): ContentClusterer {
    if (json?.format !== "xling-content-clusterer/1") throw new TypeError("ContentClusterer.fromJSON: unknown format");
    const { tfidf, dimensions } = json;
    if (tfidf.idf.length !== tfidf.vocabulary.length) throw new TypeError("ContentClusterer.fromJSON: idf and vocabulary lengths differ");
    if (json.projection.length !== tfidf.vocabulary.length * dimensions) {
      throw new TypeError("ContentClusterer.fromJSON: projection size does not match vocabulary x dimensions");
    }
    if (json.centres.some((c) => c.length !== dimensions)) throw new TypeError("ContentClusterer.fromJSON: centre of wrong dimension");
    return new ContentClusterer(tfidf, Float64Array.from(json.projection), dimensions, json.centres.map((c) => Float64Array.from(c)));
  }
}
