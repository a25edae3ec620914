// The Tensor class: a typed wrapper over a native handle. Its math methods are
// generated from native/ops.mjs (TensorOps); this file adds what needs JS logic:
// data transfer, shape/dtype accessors, autograd accessors and disposal.
import { native, type NativeTensor } from "./native.js";
import { TensorOps, registerTensorClass } from "./generated/ops.js";
import { type ArrayFor, type DType, type Device, type TypedArray, dtypeOfArray, isDType } from "./dtype.js";
import { registerScopedClass, track } from "./scope.js";

export type NestedNumbers = number | boolean | NestedNumbers[];

export class Tensor extends TensorOps {
  readonly handle: NativeTensor;

  constructor(handle: NativeTensor) {
    super();
    this.handle = handle;
    track(this);
  }

  get shape(): number[] {
    return this.shapeArray();
  }
  get dtype(): DType {
    return this.dtypeName() as DType;
  }
  get device(): Device {
    return this.deviceName();
  }
  get requiresGrad(): boolean {
    return this.requiresGradFlag();
  }
  get isLeaf(): boolean {
    return this.isLeafFlag();
  }

  /** The accumulated gradient, or null. A new handle on the same storage each call. */
  get grad(): Tensor | null {
    const h = native.grad(this.handle) as NativeTensor | null;
    return h === null ? null : new Tensor(h);
  }
  set grad(g: Tensor | null) {
    native.set_grad(this.handle, g?.handle ?? null);
  }

  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient?.handle ?? null, opts.retainGraph ?? false, opts.createGraph ?? false);
  }

  /** Copies the data into a fresh typed array (float16/bfloat16 widen to float32). */
  toArray<D extends DType = DType>(): ArrayFor<D> {
    const dtype = this.dtype;
    if (dtype === "float16" || dtype === "bfloat16") {
      const wide = this.toDtype("float32");
      try {
        return wide.toArray() as ArrayFor<D>;
      } finally {
        wide.dispose();
      }
    }
    const bytes = native.to_bytes(this.handle) as Uint8Array;
    return typedView(dtype, bytes) as ArrayFor<D>;
  }

  /** The raw bytes, little-endian, in row-major order. */
  toBytes(): Uint8Array {
    return native.to_bytes(this.handle) as Uint8Array;
  }

  /** Nested JS arrays (numbers, or booleans for bool tensors; int64 as numbers). */
  tolist(): NestedNumbers {
    const flat = Array.from(this.toArray() as ArrayLike<number | bigint>, (v) =>
      typeof v === "bigint" ? Number(v) : this.dtype === "bool" ? v !== 0 : v);
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    let pos = 0;
    const build = (d: number): NestedNumbers[] => {
      const out: NestedNumbers[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? flat[pos++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  dispose(): void {
    this.handle.dispose();
  }
  get isDisposed(): boolean {
    return this.handle.isDisposed();
  }

  override toString(): string {
    if (this.isDisposed) return "Tensor(disposed)";
    return `Tensor(shape=[${this.shape.join(", ")}], dtype=${this.dtype}, device=${this.device})`;
  }
}

registerTensorClass((h) => new Tensor(h));
registerScopedClass(Tensor);

function typedView(dtype: DType, bytes: Uint8Array): TypedArray {
  // Node buffers from the addon are fresh allocations, but copy if misaligned anyway.
  const size = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 }[dtype as string] ?? 1;
  const buf = bytes.byteOffset % size === 0 ? bytes : Uint8Array.from(bytes);
  const n = buf.byteLength / size;
  switch (dtype) {
    case "float32": return new Float32Array(buf.buffer, buf.byteOffset, n);
    case "float64": return new Float64Array(buf.buffer, buf.byteOffset, n);
    case "int64": return new BigInt64Array(buf.buffer, buf.byteOffset, n);
    case "int32": return new Int32Array(buf.buffer, buf.byteOffset, n);
    case "int16": return new Int16Array(buf.buffer, buf.byteOffset, n);
    case "int8": return new Int8Array(buf.buffer, buf.byteOffset, n);
    default: return new Uint8Array(buf.buffer, buf.byteOffset, n);
  }
}

export interface TensorOptions {
  dtype?: DType;
  shape?: number[];
  device?: Device;
  requiresGrad?: boolean;
}

/**
 * Creates a tensor from a typed array, a nested array of numbers/booleans, or a number.
 * Nested numbers default to float32, booleans to bool; typed arrays keep their type
 * unless `dtype` is given.
 */
export function tensor(data: TypedArray | NestedNumbers, opts: TensorOptions = {}): Tensor {
  let src: TypedArray;
  let shape: number[];
  let target: DType;
  if (ArrayBuffer.isView(data)) {
    src = data as TypedArray;
    shape = opts.shape ?? [src.length];
    target = opts.dtype ?? dtypeOfArray(src);
  } else {
    const flat: (number | boolean)[] = [];
    shape = inferShape(data, flat);
    if (opts.shape) shape = opts.shape;
    const isBool = flat.length > 0 && typeof flat[0] === "boolean";
    target = opts.dtype ?? (isBool ? "bool" : "float32");
    src = toTypedArray(flat, target);
  }
  // Bytes of a Uint8Array are read as bool directly when bool is wanted.
  const srcDtype = target === "bool" && src instanceof Uint8Array ? "bool" : dtypeOfArray(src);
  const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  let t = new Tensor(native.from_bytes(bytes, srcDtype, shape));
  if (t.dtype !== target) t = replace(t, t.toDtype(target));
  if (opts.device && opts.device !== "cpu") t = replace(t, t.toDevice(opts.device));
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Makes a tensor of the given dtype and shape from raw little-endian bytes. */
export function fromBytes(bytes: Uint8Array, dtype: DType, shape: number[]): Tensor {
  if (!isDType(dtype)) throw new Error(`unknown dtype '${dtype}'`);
  return new Tensor(native.from_bytes(bytes, dtype, shape));
}

function replace(old: Tensor, next: Tensor): Tensor {
  old.dispose();
  return next;
}

function inferShape(data: NestedNumbers, flat: (number | boolean)[]): number[] {
  if (!Array.isArray(data)) {
    // A string or object would otherwise become NaN silently.
    if (typeof data !== "number" && typeof data !== "boolean") {
      throw new TypeError(`tensor: data must be numbers, booleans, nested arrays of them or a typed array, got ${typeof data}`);
    }
    flat.push(data);
    return [];
  }
  if (data.length === 0) return [0];
  const inner = inferShape(data[0], flat);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i], flat);
    if (s.length !== inner.length || s.some((v, k) => v !== inner[k])) throw new Error("tensor: ragged nested array");
  }
  return [data.length, ...inner];
}

function toTypedArray(flat: (number | boolean)[], dtype: DType): TypedArray {
  const nums = flat.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  switch (dtype) {
    case "float64": return Float64Array.from(nums);
    case "int64": return BigInt64Array.from(nums, (v) => BigInt(Math.trunc(v)));
    case "int32": return Int32Array.from(nums);
    case "int16": return Int16Array.from(nums);
    case "int8": return Int8Array.from(nums);
    case "uint8": case "bool": return Uint8Array.from(nums);
    default: return Float32Array.from(nums);
  }
}
