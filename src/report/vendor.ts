/**
 * The Vega browser builds, read from the installed packages so a report carries its own
 * copy and opens offline from disk.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Load order matters: vega-lite needs the `vega` global, vega-embed needs both. */
const BROWSER_BUILDS: readonly { pkg: string; file: string }[] = [
  { pkg: "vega", file: "build/vega.min.js" },
  { pkg: "vega-lite", file: "build/vega-lite.min.js" },
  { pkg: "vega-embed", file: "build/vega-embed.min.js" },
];

/**
 * The package's root folder. The packages' `exports` maps hide `package.json` and the
 * browser builds from `require.resolve`, so resolve the main entry and walk up to the
 * folder whose package.json carries the package's name.
 */
export function packageRoot(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === pkg) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package folder of ${pkg}`);
    dir = up;
  }
}

/**
 * Makes script text safe inside an inline <script> element: "</script" would end the
 * element and "<!--" / "<script" switch the HTML parser into its escaped states. Writing
 * "<" as \x3C keeps the meaning in strings, templates and regular expressions.
 */
export function inlineScriptText(code: string): string {
  return code.replace(/<(?=\/script|script|!--)/gi, "\\x3C");
}

export interface VendorScript {
  name: string;
  code: string;
}

let cached: VendorScript[] | undefined;

/** vega, vega-lite and vega-embed builds, ready to inline (read once per process). */
export function vegaScripts(): VendorScript[] {
  cached ??= BROWSER_BUILDS.map(({ pkg, file }) => {
    const path = join(packageRoot(pkg), file);
    if (!existsSync(path)) throw new Error(`${pkg}: browser build ${file} is missing; reinstall dependencies`);
    return { name: pkg, code: inlineScriptText(readFileSync(path, "utf8")) };
  });
  return cached;
}
