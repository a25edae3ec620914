/**
 * Symmetrisation of two directional word alignments into one link set.
 *
 * A link is `[s, t]`: source token s aligned with target token t (0-based), the
 * orientation of Pharaoh `s-t` pairs. Both inputs must already be in that
 * orientation: `forward` comes from the aligner that generates target words from
 * source words (each target token has at most one link), `reverse` from the one
 * that generates source words from target words (each source token has at most
 * one link), with its links flipped back to `[s, t]`.
 *
 * The grow heuristics follow Koehn's description (Moses training, "grow-diag-final"):
 * start from the intersection, repeatedly add union links that neighbour an
 * existing link and touch a token that is still unaligned, then optionally add
 * the remaining directional links in a final step. Every function is pure and
 * returns links sorted by source then target index.
 */

export type Link = readonly [number, number];

/** The eight neighbours of a cell (horizontal, vertical, then diagonal), in Koehn's order. */
const DIAGONAL_NEIGHBOURS: ReadonlyArray<Link> = [
  [-1, 0], [0, -1], [1, 0], [0, 1],
  [-1, -1], [-1, 1], [1, -1], [1, 1],
];

/** Dense alignment matrix over the smallest grid that holds every input link. */
class LinkGrid {
  readonly rows: number;
  readonly cols: number;
  private readonly cells: Uint8Array;

  constructor(rows: number, cols: number, links: Iterable<Link> = []) {
    this.rows = rows;
    this.cols = cols;
    this.cells = new Uint8Array(rows * cols);
    for (const [s, t] of links) this.set(s, t);
  }

  has(s: number, t: number): boolean {
    return s >= 0 && t >= 0 && s < this.rows && t < this.cols && this.cells[s * this.cols + t] === 1;
  }

  set(s: number, t: number): void {
    this.cells[s * this.cols + t] = 1;
  }

  /** Links in row-major order (source index, then target index). */
  links(): Link[] {
    const out: Link[] = [];
    for (let s = 0; s < this.rows; s++) {
      for (let t = 0; t < this.cols; t++) if (this.cells[s * this.cols + t] === 1) out.push([s, t]);
    }
    return out;
  }
}

function checkLinks(links: ReadonlyArray<Link>, what: string): void {
  for (const l of links) {
    if (l.length !== 2 || !Number.isInteger(l[0]) || !Number.isInteger(l[1]) || l[0] < 0 || l[1] < 0) {
      throw new RangeError(`${what}: link ${JSON.stringify(l)} is not a pair of non-negative integers`);
    }
  }
}

function gridFor(a: ReadonlyArray<Link>, b: ReadonlyArray<Link>): { rows: number; cols: number } {
  checkLinks(a, "forward");
  checkLinks(b, "reverse");
  let rows = 0;
  let cols = 0;
  for (const [s, t] of [...a, ...b]) {
    rows = Math.max(rows, s + 1);
    cols = Math.max(cols, t + 1);
  }
  return { rows, cols };
}

/** Links present in both alignments. */
export function intersection(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): Link[] {
  const { rows, cols } = gridFor(forward, reverse);
  const b = new LinkGrid(rows, cols, reverse);
  const out = new LinkGrid(rows, cols);
  for (const [s, t] of forward) if (b.has(s, t)) out.set(s, t);
  return out.links();
}

/** Links present in either alignment. */
export function union(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): Link[] {
  const { rows, cols } = gridFor(forward, reverse);
  return new LinkGrid(rows, cols, [...forward, ...reverse]).links();
}

/** Which tokens of each side have at least one link in the grid being grown. */
class Coverage {
  readonly source: Uint8Array;
  readonly target: Uint8Array;
  constructor(rows: number, cols: number) {
    this.source = new Uint8Array(rows);
    this.target = new Uint8Array(cols);
  }
  mark(s: number, t: number): void {
    this.source[s] = 1;
    this.target[t] = 1;
  }
}

interface GrowState {
  grid: LinkGrid;
  coverage: Coverage;
  forward: LinkGrid;
  reverse: LinkGrid;
}

function startFromIntersection(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): GrowState {
  const { rows, cols } = gridFor(forward, reverse);
  const f = new LinkGrid(rows, cols, forward);
  const r = new LinkGrid(rows, cols, reverse);
  const grid = new LinkGrid(rows, cols);
  const coverage = new Coverage(rows, cols);
  for (const [s, t] of forward) {
    if (r.has(s, t)) {
      grid.set(s, t);
      coverage.mark(s, t);
    }
  }
  return { grid, coverage, forward: f, reverse: r };
}

/**
 * GROW-DIAG: scan the grid row by row; for every current link, look at its eight
 * neighbours and add one that is in the union and has its source or its target
 * token still unaligned. Links added during a scan count as current for the rest
 * of that scan (the heuristic is order dependent; row-major order is the one
 * Koehn's pseudo-code uses). Scans repeat until one adds nothing.
 */
function growDiagInPlace(state: GrowState): void {
  const { grid, coverage, forward, reverse } = state;
  for (let added = true; added; ) {
    added = false;
    for (let s = 0; s < grid.rows; s++) {
      for (let t = 0; t < grid.cols; t++) {
        if (!grid.has(s, t)) continue;
        for (const [ds, dt] of DIAGONAL_NEIGHBOURS) {
          const ns = s + ds;
          const nt = t + dt;
          if (ns < 0 || nt < 0 || ns >= grid.rows || nt >= grid.cols || grid.has(ns, nt)) continue;
          const inUnion = forward.has(ns, nt) || reverse.has(ns, nt);
          if (inUnion && (coverage.source[ns] === 0 || coverage.target[nt] === 0)) {
            grid.set(ns, nt);
            coverage.mark(ns, nt);
            added = true;
          }
        }
      }
    }
  }
}

/**
 * FINAL / FINAL-AND: add the links of one directional alignment, in row-major
 * order, whose source or (with `both`) source and target tokens are unaligned.
 */
function finalInPlace(state: GrowState, directional: LinkGrid, both: boolean): void {
  const { grid, coverage } = state;
  for (let s = 0; s < grid.rows; s++) {
    for (let t = 0; t < grid.cols; t++) {
      if (!directional.has(s, t) || grid.has(s, t)) continue;
      const sFree = coverage.source[s] === 0;
      const tFree = coverage.target[t] === 0;
      if (both ? sFree && tFree : sFree || tFree) {
        grid.set(s, t);
        coverage.mark(s, t);
      }
    }
  }
}

/** Intersection grown with union links among the eight neighbours. */
export function growDiag(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): Link[] {
  const state = startFromIntersection(forward, reverse);
  growDiagInPlace(state);
  return state.grid.links();
}

/** grow-diag, then links of forward and then of reverse that touch an unaligned token. */
export function growDiagFinal(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): Link[] {
  const state = startFromIntersection(forward, reverse);
  growDiagInPlace(state);
  finalInPlace(state, state.forward, false);
  finalInPlace(state, state.reverse, false);
  return state.grid.links();
}

/** grow-diag, then links of forward and then of reverse whose two tokens are both unaligned. */
export function growDiagFinalAnd(forward: ReadonlyArray<Link>, reverse: ReadonlyArray<Link>): Link[] {
  const state = startFromIntersection(forward, reverse);
  growDiagInPlace(state);
  finalInPlace(state, state.forward, true);
  finalInPlace(state, state.reverse, true);
  return state.grid.links();
}

/** Pharaoh text for one sentence: `s-t` links separated by spaces. */
export function formatPharaoh(links: ReadonlyArray<Link>): string {
  return links.map(([s, t]) => `${s}-${t}`).join(" ");
}

/** Parses one Pharaoh line (`0-0 1-2 ...`); an empty line is no links. */
export function parsePharaoh(line: string): Link[] {
  const trimmed = line.trim();
  if (trimmed === "") return [];
  return trimmed.split(/\s+/).map((field) => {
    const m = /^(\d+)-(\d+)$/.exec(field);
    if (!m) throw new SyntaxError(`malformed alignment link "${field}" (expected s-t)`);
    return [Number(m[1]), Number(m[2])] as Link;
  });
}

/** Links whose source and target tokens each have exactly one link. */
export function oneToOneLinks(links: ReadonlyArray<Link>): Link[] {
  const perSource = new Map<number, number>();
  const perTarget = new Map<number, number>();
  for (const [s, t] of links) {
    perSource.set(s, (perSource.get(s) ?? 0) + 1);
    perTarget.set(t, (perTarget.get(t) ?? 0) + 1);
  }
  return links.filter(([s, t]) => perSource.get(s) === 1 && perTarget.get(t) === 1);
}
