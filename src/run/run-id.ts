/**
 * Run identity: a run's id is derived from its config alone, so re-launching a sweep
 * finds the runs it already did instead of starting them again.
 */
import { createHash } from "node:crypto";

/** A JSON value as stored in run configs. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON with object keys sorted at every depth and no whitespace, so two configs that
 * differ only in key order serialize (and hash) identically. Array order is kept: it
 * is meaningful (e.g. a list of languages). `undefined` object members are dropped as
 * JSON.stringify drops them; non-finite numbers are refused because JSON would turn
 * them into null and two different configs would collide.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, "$");
}

function serialize(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value} at ${path}`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? "null" : serialize(v, `${path}[${i}]`))).join(",")}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonicalJson: ${path} is a ${proto?.constructor?.name ?? "non-plain object"}, not a plain object`);
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${serialize(record[k], `${path}.${k}`)}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value} at ${path}`);
  }
}

/** First 12 hex characters of the sha256 of the config's canonical JSON. */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 12);
}

/** Reads a dotted path (`data.ratio`) from a nested object; undefined when absent. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** One slug piece: the field's last path segment and its value, e.g. `ratio0.1`. */
function slugPart(config: unknown, path: string): string {
  const name = path.slice(path.lastIndexOf(".") + 1);
  const value = getPath(config, path);
  const text = value === undefined ? "none" : typeof value === "string" ? value : canonicalJson(value);
  // Ids end up in file names and shell commands, so only a safe character set is kept.
  return `${name}${text}`.replace(/[^A-Za-z0-9._]+/g, "_");
}

/**
 * A short stable id for a run: `ratio0.1-seed0-3f2a9c1b7d4e`. The readable prefix is
 * built from the swept fields (dotted paths, in the order given); the hash covers the
 * whole config, so the id stays unique even when the slug is lossy.
 */
export function runIdFor(config: unknown, swept: readonly string[] = []): string {
  const parts = swept.map((path) => slugPart(config, path));
  parts.push(configHash(config));
  return parts.join("-");
}
