// Deterministic release of native memory. Every tensor created while a scope is open
// belongs to it; closing the scope disposes them all except what the scope returns
// (or what was explicitly kept). The GC finalizer remains a safety net, not the plan.
import type { Tensor } from "./tensor.js";

const scopes: Set<Tensor>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Removes tensors from every open scope so they outlive it; returns the argument. */
export function keep<T>(value: T): T {
  forEachTensor(value, (t) => {
    for (const s of scopes) s.delete(t);
  });
  return value;
}

/**
 * Runs fn in a new scope. Tensors created inside are disposed when it returns, except
 * those reachable from its result (tensors, arrays, plain objects, Maps), which move to
 * the enclosing scope. fn must be synchronous: a scope cannot follow an await.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error("tidy: the function must be synchronous");
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  const survivors = new Set<Tensor>();
  forEachTensor(result, (t) => survivors.add(t));
  for (const t of scope) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor reachable from value. */
export function dispose(value: unknown): void {
  forEachTensor(value, (t) => t.dispose());
}

/** Number of tensors the innermost open scope holds (for tests and leak hunting). */
export function scopeSize(): number {
  return scopes.length ? scopes[scopes.length - 1].size : 0;
}

function forEachTensor(value: unknown, fn: (t: Tensor) => void, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) return fn(value);
  if (Array.isArray(value)) for (const v of value) forEachTensor(v, fn, seen);
  else if (value instanceof Map) for (const v of value.values()) forEachTensor(v, fn, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) forEachTensor(v, fn, seen);
}

let tensorClass: (new (...args: never[]) => Tensor) | null = null;
export function registerScopedClass(cls: new (...args: never[]) => Tensor): void {
  tensorClass = cls;
}
function isTensor(v: unknown): v is Tensor {
  return tensorClass !== null && v instanceof tensorClass;
}
