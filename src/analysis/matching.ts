/**
 * Maximum-weight bipartite matching (the assignment problem), used to align
 * hidden states of two real languages whose positions do not correspond
 * (methods.md §1): all-pairs cosine, then the matching that maximises the sum
 * of matched cosines.
 *
 * Hungarian method with row and column potentials (Kuhn–Munkres, shortest
 * augmenting paths), O(n² m) for n rows ≤ m columns. Rectangular inputs are
 * allowed: every row of the smaller side is matched, so the result is the best
 * complete assignment even when some weights are negative.
 */
import { type Rows, toDense } from "./matrix.js";

export interface Matching {
  /** rowToCol[i] = column matched to row i, or -1 if row i is unmatched. */
  rowToCol: Int32Array;
  /** colToRow[j] = row matched to column j, or -1 if column j is unmatched. */
  colToRow: Int32Array;
  /** Matched (row, column) pairs in increasing row order. */
  pairs: Array<[number, number]>;
  /** Sum of the weights of the matched pairs. */
  totalWeight: number;
}

/**
 * Minimum-cost assignment of each of n rows to a distinct one of m ≥ n columns.
 * cost is flat row-major n × m. Returns the column of each row.
 */
function minCostAssignment(cost: Float64Array, n: number, m: number): Int32Array {
  // 1-based internally; column 0 is a virtual column that holds the row being
  // inserted, which keeps the augmenting-path bookkeeping uniform.
  const rowPotential = new Float64Array(n + 1);
  const colPotential = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1); // 0 = free
  const prevCol = new Int32Array(m + 1); // predecessor on the shortest path tree
  const slack = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);

  for (let row = 1; row <= n; row++) {
    rowOfCol[0] = row;
    let col = 0;
    slack.fill(Infinity);
    visited.fill(0);
    // Grow a shortest-path (Dijkstra-like) tree in reduced costs until it
    // reaches a free column.
    do {
      visited[col] = 1;
      const r = rowOfCol[col]!;
      let delta = Infinity;
      let nextCol = 0;
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const reduced = cost[(r - 1) * m + (j - 1)]! - rowPotential[r]! - colPotential[j]!;
        if (reduced < slack[j]!) {
          slack[j] = reduced;
          prevCol[j] = col;
        }
        if (slack[j]! < delta) {
          delta = slack[j]!;
          nextCol = j;
        }
      }
      // Shift potentials so the tree's edges stay tight and the new edge becomes tight.
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          rowPotential[rowOfCol[j]!]! += delta;
          colPotential[j]! -= delta;
        } else {
          slack[j]! -= delta;
        }
      }
      col = nextCol;
    } while (rowOfCol[col] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const prev = prevCol[col]!;
      rowOfCol[col] = rowOfCol[prev]!;
      col = prev;
    } while (col !== 0);
  }

  const colOfRow = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOfCol[j]! > 0) colOfRow[rowOfCol[j]! - 1] = j - 1;
  return colOfRow;
}

/**
 * Matching of rows to columns that maximises the total weight, with
 * min(rows, cols) pairs. Ties are broken arbitrarily but deterministically.
 */
export function maxWeightMatching(weights: Rows): Matching {
  const w = toDense(weights, "maxWeightMatching");
  const { rows, cols } = w;
  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  if (rows > 0 && cols > 0) {
    // Maximising weight = minimising its negation; the algorithm wants rows ≤ columns.
    const transpose = rows > cols;
    const n = transpose ? cols : rows;
    const m = transpose ? rows : cols;
    const cost = new Float64Array(n * m);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = -w.data[i * cols + j]!;
        if (transpose) cost[j * m + i] = v;
        else cost[i * m + j] = v;
      }
    }
    const assigned = minCostAssignment(cost, n, m);
    for (let k = 0; k < n; k++) {
      const other = assigned[k]!;
      const [i, j] = transpose ? [other, k] : [k, other];
      rowToCol[i] = j;
      colToRow[j] = i;
    }
  }
  const pairs: Array<[number, number]> = [];
  let totalWeight = 0;
  for (let i = 0; i < rows; i++) {
    const j = rowToCol[i]!;
    if (j < 0) continue;
    pairs.push([i, j]);
    totalWeight += w.data[i * cols + j]!;
  }
  return { rowToCol, colToRow, pairs, totalWeight };
}
