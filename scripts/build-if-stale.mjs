// The npm lifecycle steps of a clone: `install` builds the native addon, `prepare`
// compiles the TypeScript, each only when its sources changed since the last build.
// `npx xling` re-runs both before every command, so a build that is current must cost
// nothing. The native stamp is the one scripts/setup.sh writes, so either way counts.
//
//   node scripts/build-if-stale.mjs native | ts
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

/** sha256 of the files' contents, in order, as scripts/setup.sh computes it (first 16 hex digits). */
function stamp(files) {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "generated" && name !== "node_modules") out.push(...filesUnder(path, keep));
    } else if (keep(name)) out.push(path);
  }
  return out;
}

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: "inherit" });
}

/** Runs `build` unless `stampFile` holds `current` and `output` exists; then records the stamp. */
function ifStale(what, stampFile, current, output, build) {
  if (existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === current) {
    console.error(`xling: the ${what} is up to date`);
    return;
  }
  build();
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${current}\n`);
}

const step = process.argv[2];
if (step === "native") {
  const sources = ["binding.gyp", ...readdirSync("native").filter((f) => f.endsWith(".mjs")).sort().map((f) => join("native", f)), ...readdirSync("native/src").sort().map((f) => join("native/src", f))];
  ifStale("native addon", "build/.native-stamp", stamp(sources), "build/Release/xling.node", () => {
    run(process.execPath, ["native/gen-ops.mjs"]);
    // The project's node-gyp in a clone; npm's own (npm_config_node_gyp) when installed as a package.
    let gyp = process.env.npm_config_node_gyp;
    try {
      gyp = join(dirname(fileURLToPath(import.meta.resolve("node-gyp/package.json"))), "bin", "node-gyp.js");
    } catch { /* not installed: npm's */ }
    if (gyp) run(process.execPath, [gyp, "rebuild", "-j", "2"]);
    else run("node-gyp", ["rebuild", "-j", "2"]);
  });
} else if (step === "ts") {
  // The generated bindings are part of the sources: regenerate them first (cheap).
  run(process.execPath, ["native/gen-ops.mjs"]);
  const sources = ["tsconfig.json", ...["src", "test", "scripts"].flatMap((d) => filesUnder(d, (n) => n.endsWith(".ts"))), ...filesUnder("src/torch/generated", () => true)];
  ifStale("TypeScript build", "dist/.ts-stamp", stamp(sources), "dist/src/cli/main.js", () => {
    run(process.execPath, [join(dirname(fileURLToPath(import.meta.resolve("typescript/package.json"))), "bin", "tsc"), "-p", "tsconfig.json"]);
  });
} else {
  console.error("usage: node scripts/build-if-stale.mjs native | ts");
  process.exit(2);
}
