/**
 * Cloned languages (methods §1): a language and K-1 perfect copies that
 * differ only in token ids, so only frequency differs between them.
 *
 * With base vocabulary V, clone k (1..K-1) maps a cloned id i to i + k*V and
 * leaves the other ids shared ("anchors"); language 0 is the original. The
 * model vocabulary is K*V (rows i + k*V of anchor ids are simply never used).
 *
 * Also the two real-language joint vocabularies: "disjoint" (the second
 * tokenizer's ids offset by V1) and "anchored" (pieces of the second
 * vocabulary whose strings exist in the first map onto the first's ids).
 */
import { Rng } from "../util/rng.js";

export interface CloneSpec {
  /** V: size of the base tokenizer's vocabulary. */
  vocabSize: number;
  /** K: number of languages, the original included (K >= 1). */
  numLanguages: number;
  /** Fraction of the eligible (non-excluded) ids that are cloned, in [0, 1]. */
  fracClone: number;
  seed: number;
  /** Ids never cloned: padding and other special ids. */
  exclude?: readonly number[];
}

/**
 * The ids a clone study never clones. The method clones every id except padding, the
 * end-of-document separator included ("padding-only", the default); "all-special" keeps
 * every special id (unknown, control, end-of-document, padding) a shared anchor, as
 * xling did before. padId < 0 means the tokenizer has no padding id.
 */
export function cloneExclusions(specialIds: readonly number[], padId: number, keep: "padding-only" | "all-special"): number[] {
  if (keep === "all-special") return [...specialIds];
  return padId >= 0 ? [padId] : [];
}

export interface InvertedId {
  /** The base-vocabulary id. */
  id: number;
  /** The language whose id space it is in; null for a shared anchor id. */
  lang: number | null;
}

export class CloneMapping {
  readonly vocabSize: number;
  readonly numLanguages: number;
  /** 1 where the base id is cloned, 0 where it is a shared anchor. */
  readonly cloned: Uint8Array;
  readonly numCloned: number;

  constructor(readonly spec: CloneSpec) {
    const { vocabSize: V, numLanguages: K, fracClone, seed } = spec;
    if (!Number.isInteger(V) || V < 1) throw new RangeError(`vocabSize must be a positive integer, got ${V}`);
    if (!Number.isInteger(K) || K < 1) throw new RangeError(`numLanguages must be a positive integer, got ${K}`);
    if (!Number.isSafeInteger(K * V) || K * V > 0x7fffffff) throw new RangeError(`model vocabulary ${K}*${V} does not fit int32 ids`);
    if (!(fracClone >= 0 && fracClone <= 1)) throw new RangeError(`fracClone must be in [0, 1], got ${fracClone}`);
    const excluded = new Set<number>();
    for (const id of spec.exclude ?? []) {
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`excluded id ${id} is outside the vocabulary [0, ${V})`);
      excluded.add(id);
    }
    this.vocabSize = V;
    this.numLanguages = K;
    const eligible: number[] = [];
    for (let i = 0; i < V; i++) if (!excluded.has(i)) eligible.push(i);
    new Rng(seed).shuffle(eligible);
    this.numCloned = Math.round(fracClone * eligible.length);
    this.cloned = new Uint8Array(V);
    for (let j = 0; j < this.numCloned; j++) this.cloned[eligible[j]!] = 1;
  }

  /** K * V. */
  get modelVocabSize(): number {
    return this.numLanguages * this.vocabSize;
  }

  isCloned(id: number): boolean {
    this.checkBaseId(id);
    return this.cloned[id] === 1;
  }

  /** The id of base id `id` in language `lang`. */
  map(id: number, lang: number): number {
    this.checkBaseId(id);
    this.checkLang(lang);
    return this.cloned[id] === 1 ? id + lang * this.vocabSize : id;
  }

  /** Renders a base-id sequence in language `lang` (a new array; language 0 copies). */
  render(seq: ArrayLike<number>, lang: number, out?: Int32Array): Int32Array {
    this.checkLang(lang);
    const result = out ?? new Int32Array(seq.length);
    if (result.length < seq.length) throw new RangeError(`output holds ${result.length} ids, sequence has ${seq.length}`);
    const V = this.vocabSize;
    const offset = lang * V;
    for (let i = 0; i < seq.length; i++) {
      const id = seq[i]!;
      if (!(id >= 0 && id < V)) this.checkBaseId(id);
      result[i] = this.cloned[id] === 1 ? id + offset : id;
    }
    return result;
  }

  /** Inverse of map(): the base id and its language (null for anchors). */
  invert(modelId: number): InvertedId {
    if (!Number.isInteger(modelId) || modelId < 0 || modelId >= this.modelVocabSize) {
      throw new RangeError(`model id ${modelId} outside [0, ${this.modelVocabSize})`);
    }
    const id = modelId % this.vocabSize;
    const lang = Math.floor(modelId / this.vocabSize);
    if (this.cloned[id] !== 1) {
      if (lang !== 0) throw new RangeError(`model id ${modelId} is the unused clone-${lang} row of anchor id ${id}`);
      return { id, lang: null };
    }
    return { id, lang };
  }

  /** Maps a rendered sequence back to base ids. */
  unrender(seq: ArrayLike<number>): Int32Array {
    const out = new Int32Array(seq.length);
    for (let i = 0; i < seq.length; i++) out[i] = this.invert(seq[i]!).id;
    return out;
  }

  private checkBaseId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`token id ${id} outside the base vocabulary [0, ${this.vocabSize})`);
  }

  private checkLang(lang: number): void {
    if (!Number.isInteger(lang) || lang < 0 || lang >= this.numLanguages) throw new RangeError(`language ${lang} outside [0, ${this.numLanguages})`);
  }
}

/** A joint id space for two real languages with their own tokenizers. */
export interface JointVocabulary {
  kind: "disjoint" | "anchored";
  /** Size of the joint embedding table. */
  size: number;
  /** Joint id of each language-1 id (the identity). */
  lang1: Int32Array;
  /** Joint id of each language-2 id. */
  lang2: Int32Array;
  /** Language-2 ids that share a language-1 id (anchored only). */
  numShared: number;
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Language-2 id j becomes V1 + j; nothing is shared. */
export function disjointVocabulary(vocab1: readonly string[], vocab2: readonly string[]): JointVocabulary {
  const V1 = vocab1.length;
  const lang2 = new Int32Array(vocab2.length);
  for (let j = 0; j < vocab2.length; j++) lang2[j] = V1 + j;
  return { kind: "disjoint", size: V1 + vocab2.length, lang1: identity(V1), lang2, numShared: 0 };
}

/**
 * A language-2 piece whose string is in vocabulary 1 takes that id (its first
 * occurrence, should vocabulary 1 repeat a string); the rest are offset to
 * V1 + j as in the disjoint case, so the joint size stays V1 + V2 and ids of
 * language 2 are the same in both variants wherever they are not shared.
 * Pieces listed in `neverShare` (e.g. special tokens) are always offset.
 */
export function anchoredVocabulary(vocab1: readonly string[], vocab2: readonly string[], opts: { neverShare?: readonly string[] } = {}): JointVocabulary {
  const V1 = vocab1.length;
  const index1 = new Map<string, number>();
  vocab1.forEach((piece, i) => {
    if (!index1.has(piece)) index1.set(piece, i);
  });
  const never = new Set(opts.neverShare ?? []);
  const lang2 = new Int32Array(vocab2.length);
  let numShared = 0;
  for (let j = 0; j < vocab2.length; j++) {
    const piece = vocab2[j]!;
    const shared = never.has(piece) ? undefined : index1.get(piece);
    if (shared !== undefined) {
      lang2[j] = shared;
      numShared++;
    } else {
      lang2[j] = V1 + j;
    }
  }
  return { kind: "anchored", size: V1 + vocab2.length, lang1: identity(V1), lang2, numShared };
}

/** Maps ids of one language into the joint space. */
export function toJoint(vocab: JointVocabulary, lang: 1 | 2, ids: ArrayLike<number>): Int32Array {
  const table = lang === 1 ? vocab.lang1 : vocab.lang2;
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = table[ids[i]!];
    if (v === undefined) throw new RangeError(`language-${lang} id ${ids[i]} outside its vocabulary of ${table.length}`);
    out[i] = v;
  }
  return out;
}

/**
 * Inverse table for one language: joint id -> that language's id, or -1 where
 * the joint id is not used by it.
 */
export function fromJointTable(vocab: JointVocabulary, lang: 1 | 2): Int32Array {
  const table = lang === 1 ? vocab.lang1 : vocab.lang2;
  const inv = new Int32Array(vocab.size).fill(-1);
  // Reverse order so the lowest language id wins if two map to one joint id.
  for (let j = table.length - 1; j >= 0; j--) inv[table[j]!] = j;
  return inv;
}
