// The one place that loads the compiled addon. Only src/torch talks to `native`.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.js";

/** Opaque handle to an at::Tensor owned by the addon. */
export interface NativeTensor {
  dispose(): void;
  isDisposed(): boolean;
}

/** The addon's exports; the generated op functions are reached by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeAddon = Record<string, any>;

function load(): NativeAddon {
  const root = packageRoot();
  const path = process.env.XLING_ADDON ?? join(root, "build", "Release", "xling.node");
  if (!existsSync(path)) {
    throw new Error(`xling: native addon not built (${path} is missing). Run: npm run build`);
  }
  return createRequire(import.meta.url)(path) as NativeAddon;
}

export const native: NativeAddon = load();
