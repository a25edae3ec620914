/**
 * Small, stable integer hashing. Used where a decision must depend only on
 * (seed, index) and never on iteration order, e.g. train/valid/test splits.
 */

/** Finalizer with good avalanche on 32-bit words (a murmur3-style mixer). */
export function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hash a list of non-negative integers (each below 2^53) to a uint32. Values
 * are split into low and high 32-bit words so large document indices hash
 * correctly.
 */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`hashInts: expected a non-negative safe integer, got ${v}`);
    }
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = mix32(h ^ mix32(lo + 0x632be5ab));
    h = mix32(h ^ mix32(hi + 0x85157af5));
  }
  return h;
}

/** Uniform value in [0, 1) derived from the hash of the given integers. */
export function hashUnit(...values: number[]): number {
  return hashInts(...values) / 4294967296;
}

/** Hash an arbitrary string to a uint32 (FNV-1a over UTF-16 units, then mixed). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}
