// Inputs on which libtorch's integer arithmetic traps (SIGFPE ends the process) or is
// undefined are refused with JS errors before libtorch is called. Without the guards
// this file's process dies on the first case, which node --test reports as a failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tensor, type Tensor } from "../../src/torch/index.js";

const INT64_MIN = -(2n ** 63n);
const INT32_MIN = -(2 ** 31);

type DivOp = (a: Tensor, b: Tensor | number) => Tensor;
const OPS: [string, DivOp][] = [
  ["floorDivide", (a, b) => a.floorDivide(b)],
  ["remainder", (a, b) => a.remainder(b)],
  ["fmod", (a, b) => a.fmod(b)],
  ["divRounding floor", (a, b) => a.divRounding(b, "floor")],
  ["divRounding trunc", (a, b) => a.divRounding(b, "trunc")],
];

describe("integer overflow guards", () => {
  it("the smallest int64 and int32 divided by -1 (tensor or scalar divisor) raise JS errors", () => {
    const cases: [string, Tensor, Tensor | number][] = [
      ["int64 / scalar", tensor(new BigInt64Array([3n, INT64_MIN])), -1],
      ["int64 / tensor", tensor(new BigInt64Array([3n, INT64_MIN])), tensor(new BigInt64Array([2n, -1n]))],
      ["int64 / broadcast", tensor(new BigInt64Array([INT64_MIN])), tensor(new BigInt64Array([5n, -1n]))],
      ["int32 / scalar", tensor(new Int32Array([INT32_MIN])), -1],
      ["int32 / tensor", tensor(new Int32Array([INT32_MIN, 7])), tensor(new Int32Array([-1, 2]))],
    ];
    for (const [opName, op] of OPS) {
      for (const [what, a, b] of cases) {
        assert.throws(() => op(a, b), /integer overflow: the smallest int(64|32) divided by -1/, `${opName} ${what}`);
      }
    }
  });

  it("leaves every other integer division alone (hand-worked values)", () => {
    const a = tensor(new BigInt64Array([-7n, 7n, INT64_MIN]));
    const b = tensor(new BigInt64Array([2n, -2n, 1n]));
    assert.deepEqual(a.floorDivide(b).tolist(), [-4, -4, Number(INT64_MIN)]);
    assert.deepEqual(a.remainder(b).tolist(), [1, -1, 0]);
    assert.deepEqual(a.fmod(b).tolist(), [-1, 1, 0]);
    assert.deepEqual(a.divRounding(b, "trunc").tolist(), [-3, -3, Number(INT64_MIN)]);
    // The minimum and -1 at different positions do not overflow.
    const c = tensor(new Int32Array([INT32_MIN, 6]));
    assert.deepEqual(c.floorDivide(tensor(new Int32Array([2, -1]))).tolist(), [INT32_MIN / 2, -6]);
    // int32's minimum promoted to int64 by an int64 divisor has a result.
    assert.deepEqual(c.floorDivide(tensor(new BigInt64Array([-1n, 1n]))).tolist(), [2 ** 31, 6]);
    // int8/int16 are promoted to int before dividing in C++, so they wrap instead of trapping.
    assert.deepEqual(tensor(new Int8Array([-128])).floorDivide(-1).tolist(), [-128]);
  });

  it("refuses NaN, +-Infinity and out-of-range floats converted to integer dtypes", () => {
    for (const dtype of ["int64", "int32", "int16", "int8", "uint8"] as const) {
      for (const v of [NaN, Infinity, -Infinity, 1e30]) {
        assert.throws(() => tensor([1, v]).toDtype(dtype), /cannot convert NaN, \+-Infinity or values outside/, `${v} -> ${dtype}`);
      }
    }
    assert.throws(() => tensor([256]).toDtype("uint8"), /outside \[0, 256\)/);
    assert.throws(() => tensor([-1]).toDtype("uint8"), /outside/);
    assert.deepEqual(tensor([-2.7, 255.5]).toDtype("int32").tolist(), [-2, 255]);
    assert.deepEqual(tensor([0, 255.9]).toDtype("uint8").tolist(), [0, 255]);
    // A sum into an integer dtype converts its input first.
    assert.throws(() => tensor([1, Infinity]).sum(null, false, "int64"), /cannot convert NaN/);
    assert.deepEqual(tensor([1.5, 2.5]).sum(null, false, "int64").tolist(), 3);
    // Conversions to bool and between floats are always defined.
    assert.deepEqual(tensor([NaN, 0]).toDtype("bool").tolist(), [true, false]);
  });

  it("tensor() of a string is a TypeError, not NaN", () => {
    assert.throws(() => tensor("abc" as never), /must be numbers, booleans/);
    assert.throws(() => tensor([1, "2"] as never), /got string/);
  });
});
