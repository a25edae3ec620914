/**
 * Seeded pseudo-random generator (xoshiro128**) whose whole state is four
 * uint32 words, so it can be saved as plain JSON and restored exactly. Resumed
 * training runs rely on this to redraw the identical sequence of choices.
 */
import { hashInts, mix32 } from "./hash.js";

export interface RngState {
  kind: "xoshiro128**";
  s: [number, number, number, number];
}

const TWO_32 = 4294967296;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Seed must be a non-negative safe integer; equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Rng: seed must be a non-negative safe integer, got ${seed}`);
    }
    // Expand the seed with a counter-based mixer so nearby seeds give
    // unrelated states and the all-zero state (a fixed point) cannot occur.
    let x = hashInts(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      words.push(mix32(x));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.restore(state);
    return r;
  }

  state(): RngState {
    return { kind: "xoshiro128**", s: [this.s0, this.s1, this.s2, this.s3] };
  }

  restore(state: RngState): void {
    if (!state || state.kind !== "xoshiro128**" || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new TypeError("Rng.restore: not an xoshiro128** state");
    }
    for (const w of state.s) {
      if (!Number.isInteger(w) || w < 0 || w >= TWO_32) {
        throw new TypeError(`Rng.restore: state word out of uint32 range: ${w}`);
      }
    }
    if ((state.s[0] | state.s[1] | state.s[2] | state.s[3]) === 0) {
      throw new TypeError("Rng.restore: all-zero state is invalid");
    }
    [this.s0, this.s1, this.s2, this.s3] = state.s;
  }

  /** Next uint32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.next() / TWO_32;
  }

  /** Uniform integer in [0, n), without modulo bias. n must be in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }

  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** Index drawn with probability proportional to weights[i]. */
  choice(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new RangeError(`Rng.choice: weight ${i} is not a finite non-negative number: ${w}`);
      }
      total += w;
    }
    if (!(total > 0)) throw new RangeError("Rng.choice: weights sum to zero");
    const u = this.float() * total;
    let acc = 0;
    let last = -1;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      acc += w;
      last = i;
      if (u < acc) return i;
    }
    // Rounding can leave u just above the final partial sum.
    return last;
  }
}
