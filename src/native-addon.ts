// Loads the compiled xling addon (build/Release/xling.node). The addon sits at the
// package root while this module runs from src/ or dist/src/, so the root is found by
// walking up from here rather than by a fixed relative path.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ADDON_PATH = join("build", "Release", "xling.node");

function findAddon(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`xling: native addon not found (${ADDON_PATH}); run npm run build:native`);
    dir = parent;
  }
}

let addon: Record<string, unknown> | undefined;

/** The addon's exports, loaded once on first use. */
export function nativeAddon(): Record<string, unknown> {
  addon ??= createRequire(import.meta.url)(findAddon()) as Record<string, unknown>;
  return addon;
}
