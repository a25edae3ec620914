// The layer rules (.dependency-cruiser.cjs) run on a tiny synthetic source tree: they
// accept a downward import and refuse an upward one, an import cycle, and a study kind
// importing another kind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const depcruise = join(root, "node_modules", ".bin", "depcruise");
const tmp = mkdtempSync(join(tmpdir(), "xling-layers-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes the files into a fresh tree and runs the project's rules on its src/. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmp, "tree-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true }, include: ["src/**/*.ts"] }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(depcruise, ["src", "--config", join(root, ".dependency-cruiser.cjs"), "--output-type", "err"], { cwd: dir, encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

const contract = { "src/run/contract.ts": "export const DATA_SPLIT_SEED = 0;\n" };

describe("layer rules", () => {
  it("accept an import that points down", () => {
    const r = cruise({ ...contract, "src/studies/demo/run.ts": 'import { DATA_SPLIT_SEED } from "../../run/contract.js";\nexport const seed = DATA_SPLIT_SEED;\n' });
    assert.equal(r.status, 0, r.output);
  });

  it("refuse an upward import, naming the rule and the files", () => {
    const r = cruise({ ...contract, "src/nn/model.ts": 'import { DATA_SPLIT_SEED } from "../run/contract.js";\nexport const seed = DATA_SPLIT_SEED;\n' });
    assert.notEqual(r.status, 0);
    assert.match(r.output, /layer-nn/);
    assert.match(r.output, /src\/nn\/model\.ts → src\/run\/contract\.ts/);
  });

  it("refuse an import cycle inside one layer", () => {
    const r = cruise({
      "src/data/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "src/data/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    });
    assert.notEqual(r.status, 0);
    assert.match(r.output, /no-circular/);
  });

  it("refuse a study kind importing another kind", () => {
    const r = cruise({
      "src/studies/one/report.ts": "export const chart = 1;\n",
      "src/studies/two/report.ts": 'import { chart } from "../one/report.js";\nexport const c = chart;\n',
    });
    assert.notEqual(r.status, 0);
    assert.match(r.output, /study-kinds-independent/);
  });
});
