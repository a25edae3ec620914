/**
 * Open-addressing hash table from a pair of non-negative int32 ids to a dense
 * index (0, 1, 2, ... in insertion order). The aligner looks up tens of millions
 * of (source word, target word) pairs while building its tables; typed arrays
 * and linear probing keep that to a few seconds, where a Map with composite keys
 * takes several times longer.
 */
const EMPTY = -1;

export class PairIndex {
  private firsts: Int32Array;
  private seconds: Int32Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.firsts = new Int32Array(capacity);
    this.seconds = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 13)) >>> 0;
  }

  /** Index of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    for (let slot = PairIndex.hash(a, b) & this.mask; ; slot = (slot + 1) & this.mask) {
      const v = this.slots[slot]!;
      if (v === EMPTY) return -1;
      if (this.firsts[slot] === a && this.seconds[slot] === b) return v;
    }
  }

  /** Index of (a, b), adding it with the next free index when absent. */
  add(a: number, b: number): number {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    for (let slot = PairIndex.hash(a, b) & this.mask; ; slot = (slot + 1) & this.mask) {
      const v = this.slots[slot]!;
      if (v === EMPTY) {
        this.firsts[slot] = a;
        this.seconds[slot] = b;
        this.slots[slot] = this.count;
        return this.count++;
      }
      if (this.firsts[slot] === a && this.seconds[slot] === b) return v;
    }
  }

  private grow(): void {
    const { firsts, seconds, slots } = this;
    const capacity = slots.length * 2;
    this.firsts = new Int32Array(capacity);
    this.seconds = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let old = 0; old < slots.length; old++) {
      const v = slots[old]!;
      if (v === EMPTY) continue;
      let slot = PairIndex.hash(firsts[old]!, seconds[old]!) & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.firsts[slot] = firsts[old]!;
      this.seconds[slot] = seconds[old]!;
      this.slots[slot] = v;
    }
  }
}
