/**
 * Packing documents into fixed-length training sequences of T+1 ids (inputs
 * are the first T, targets the last T), with a separator id between
 * documents. Sequences do not overlap: sequence i covers stream positions
 * [i*(T+1), (i+1)*(T+1)).
 */
import { Rng } from "../util/rng.js";
import { hashInts } from "../util/hash.js";
import type { TokenCacheReader } from "./token-cache.js";

export interface PackOptions {
  /** T: the model context; each packed sequence holds T+1 ids. */
  seqLen: number;
  separatorId: number;
  /** What to do with a final partial sequence: drop it (default) or pad it with padId. */
  tail?: "drop" | "pad";
  padId?: number;
}

function checkSeqLen(seqLen: number): void {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new RangeError(`seqLen must be a positive integer, got ${seqLen}`);
}

/** Incremental packer: push documents, receive complete sequences. */
export class SequencePacker {
  private readonly buf: Int32Array;
  private filled = 0;
  private started = false;
  /** Ids of a trailing partial sequence that were dropped by finish(). */
  droppedTail = 0;

  constructor(private readonly opts: PackOptions) {
    checkSeqLen(opts.seqLen);
    if (opts.tail === "pad" && opts.padId === undefined) throw new TypeError("tail 'pad' needs a padId");
    this.buf = new Int32Array(opts.seqLen + 1);
  }

  push(doc: ArrayLike<number>): Int32Array[] {
    const out: Int32Array[] = [];
    const put = (id: number) => {
      this.buf[this.filled++] = id;
      if (this.filled === this.buf.length) {
        out.push(this.buf.slice());
        this.filled = 0;
      }
    };
    if (this.started) put(this.opts.separatorId);
    this.started = true;
    for (let i = 0; i < doc.length; i++) put(doc[i]!);
    return out;
  }

  /** The final partial sequence (padded), or nothing when dropping. */
  finish(): Int32Array[] {
    if (this.filled === 0) return [];
    const n = this.filled;
    this.filled = 0;
    if (this.opts.tail === "pad") {
      const seq = this.buf.slice();
      seq.fill(this.opts.padId!, n);
      return [seq];
    }
    this.droppedTail = n;
    return [];
  }
}

export async function* packDocuments(docs: AsyncIterable<ArrayLike<number>> | Iterable<ArrayLike<number>>, opts: PackOptions): AsyncGenerator<Int32Array> {
  const packer = new SequencePacker(opts);
  for await (const doc of docs) yield* packer.push(doc);
  yield* packer.finish();
}

export interface PackedStreamState {
  kind: "packed-sequences";
  seed: number;
  seqLen: number;
  numSequences: number;
  epoch: number;
  /** Index into the current epoch's order of the next sequence to return. */
  position: number;
}

export interface Batch {
  /** batchSize * (seqLen + 1) ids, row-major. */
  tokens: Int32Array;
  /** Which packed sequence each row is. */
  sequenceIndices: Int32Array;
  /** Epoch of each row (a batch may straddle an epoch boundary). */
  epochs: Int32Array;
}

/**
 * Packed sequences read from a token cache in a seeded per-epoch order. The
 * order of epoch e is a shuffle seeded by hash(seed, e), so any position can
 * be recomputed from (epoch, position) alone and a restored stream continues
 * with identical batches.
 */
export class PackedSequenceStream {
  readonly numSequences: number;
  private epoch = 0;
  private position = 0;
  private order: Uint32Array;

  /**
   * `maxSequences` keeps only the cache's first sequences: how a run trains on a
   * controlled amount of one language (an imbalanced mixture) without re-tokenizing.
   */
  constructor(
    private readonly cache: TokenCacheReader,
    readonly seqLen: number,
    readonly seed: number,
    maxSequences?: number,
  ) {
    checkSeqLen(seqLen);
    const available = Math.floor(cache.count / (seqLen + 1));
    if (maxSequences !== undefined && (!Number.isInteger(maxSequences) || maxSequences < 1)) throw new RangeError(`maxSequences must be a positive integer, got ${maxSequences}`);
    this.numSequences = Math.min(available, maxSequences ?? available);
    if (this.numSequences === 0) throw new RangeError(`token cache ${cache.path} holds ${cache.count} ids, fewer than one sequence of ${seqLen + 1}`);
    this.order = this.epochOrder(0);
  }

  private epochOrder(epoch: number): Uint32Array {
    const order = new Uint32Array(this.numSequences);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return new Rng(hashInts(this.seed, epoch)).shuffle(order);
  }

  /** The next packed sequence (seqLen + 1 ids). */
  nextSequence(): { tokens: Int32Array; index: number; epoch: number } {
    if (this.position === this.numSequences) {
      this.epoch++;
      this.position = 0;
      this.order = this.epochOrder(this.epoch);
    }
    const index = this.order[this.position++]!;
    const len = this.seqLen + 1;
    return { tokens: this.cache.read(index * len, len), index, epoch: this.epoch };
  }

  nextBatch(batchSize: number): Batch {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const len = this.seqLen + 1;
    const tokens = new Int32Array(batchSize * len);
    const sequenceIndices = new Int32Array(batchSize);
    const epochs = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const s = this.nextSequence();
      tokens.set(s.tokens, b * len);
      sequenceIndices[b] = s.index;
      epochs[b] = s.epoch;
    }
    return { tokens, sequenceIndices, epochs };
  }

  state(): PackedStreamState {
    return { kind: "packed-sequences", seed: this.seed, seqLen: this.seqLen, numSequences: this.numSequences, epoch: this.epoch, position: this.position };
  }

  restore(state: PackedStreamState): void {
    if (state.kind !== "packed-sequences") throw new TypeError(`not a packed-sequences state: ${String(state.kind)}`);
    if (state.seed !== this.seed || state.seqLen !== this.seqLen || state.numSequences !== this.numSequences) {
      throw new Error(
        `state does not match this stream (seed ${state.seed}/${this.seed}, seqLen ${state.seqLen}/${this.seqLen}, sequences ${state.numSequences}/${this.numSequences})`,
      );
    }
    if (!Number.isInteger(state.position) || state.position < 0 || state.position > this.numSequences || !Number.isInteger(state.epoch) || state.epoch < 0) {
      throw new RangeError(`invalid stream position: epoch ${state.epoch}, position ${state.position}`);
    }
    if (state.epoch !== this.epoch) this.order = this.epochOrder(state.epoch);
    this.epoch = state.epoch;
    this.position = state.position;
  }
}
