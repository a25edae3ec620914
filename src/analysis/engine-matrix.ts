// Matrices handed to libtorch for the analysis numerics (products, distances, SVD), in
// float64: the callers' rows or tensors become one [rows, cols] float64 tensor, and
// results come back as flat row-major arrays.
import { tensor, type Tensor } from "../torch/index.js";
import { toDense, type Dense, type Rows } from "./matrix.js";

/** cdist's compute_mode that takes exact differences, never ‖x‖² + ‖y‖² − 2x·y (which loses the small distances). */
export const CDIST_EXACT_DIFFERENCES = 2;

/** A float64 [rows, cols] tensor of `m` (rows are checked rectangular and finite; a tensor must be 2-D and finite). */
export function float64Matrix(m: Rows | Tensor | Dense, what: string): Tensor {
  if (isDense(m)) return tensor(m.data, { shape: [m.rows, m.cols], dtype: "float64" });
  if (!isTensor(m)) {
    const d = toDense(m, what);
    return tensor(d.data, { shape: [d.rows, d.cols], dtype: "float64" });
  }
  if (m.shape.length !== 2) throw new RangeError(`${what}: expected a matrix, got shape [${m.shape.join(", ")}]`);
  const t = m.toDtype("float64");
  if (!Number.isFinite(t.abs().sum().item())) throw new RangeError(`${what}: an entry is not finite`);
  return t;
}

/** A 2-D tensor back as a flat row-major Dense matrix. */
export function denseOf(t: Tensor): Dense {
  const [rows, cols] = t.shape;
  return { rows, cols, data: (t.toDtype("float64").contiguous().toArray() as Float64Array).slice() };
}

function isDense(m: unknown): m is Dense {
  return typeof m === "object" && m !== null && "data" in m && "rows" in m && "cols" in m && (m as Dense).data instanceof Float64Array;
}

function isTensor(m: unknown): m is Tensor {
  return typeof m === "object" && m !== null && "handle" in m && "shape" in m;
}
