/** Element types xling tensors can hold (libtorch's names, lower-case). */
export type DType = "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** "cpu", "cuda" or "cuda:N" where the linked libtorch has CUDA. */
export type Device = string;

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export const FLOAT_DTYPES: ReadonlySet<DType> = new Set(["float32", "float64", "float16", "bfloat16"]);

export type TypedArray =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/** The typed array a dtype is read into; float16/bfloat16 widen to Float32Array. */
export type ArrayFor<D extends DType> = D extends "float64" ? Float64Array
  : D extends "float32" | "float16" | "bfloat16" ? Float32Array
  : D extends "int64" ? BigInt64Array
  : D extends "int32" ? Int32Array
  : D extends "int16" ? Int16Array
  : D extends "int8" ? Int8Array
  : Uint8Array;

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int8Array) return "int8";
  return "uint8";
}

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}
