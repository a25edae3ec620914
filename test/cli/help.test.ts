// The command line's own manners: --version, every command's --help listing its options
// with descriptions, internal commands left out of the list, and option values checked
// before a command runs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

import { main } from "../../src/cli/main.js";
import { commands } from "../../src/cli/commands.js";
import type { OptionSpec } from "../../src/run/command-options.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as { version: string };
const xling = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

/** Runs main() in this process, capturing what it writes. */
async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe("xling help and option checking", () => {
  it("--version prints the package version", () => {
    const r = xling("--version");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `xling ${pkg.version}\n`);
  });

  it("every command's --help lists each of its options with a description", async () => {
    for (const [name, cmd] of Object.entries(commands)) {
      if (cmd.ownArgs) continue;
      const r = await capture([...name.split(" "), "--help"]);
      assert.equal(r.code, 0, name);
      assert.ok(r.stdout.includes(`Usage: ${cmd.usage}`), name);
      for (const [opt, spec] of Object.entries(cmd.options ?? {})) {
        assert.ok((spec as OptionSpec).description, `${name} --${opt} has no description`);
        const line = r.stdout.split("\n").find((l) => l.trimStart().startsWith(`--${opt}`));
        assert.ok(line?.includes((spec as OptionSpec).description!), `${name} --help lists --${opt}`);
        if ((spec as OptionSpec).defaultText) assert.ok(line!.includes(`(default: ${(spec as OptionSpec).defaultText})`), `${name} --${opt} default`);
      }
    }
    const run = await capture(["run", "--help"]);
    assert.match(run.stdout, /--parallel <int> +runs trained at once/);
    // Commands that parse their own arguments list their options too.
    assert.match((await capture(["results", "--help"])).stdout, /Options:\n {2}--store <file> +results store/);
    assert.match((await capture(["launch", "--help"])).stdout, /Options:\n {2}--nproc <int> +ranks on this node/);
  });

  it("the command list leaves out internal commands", async () => {
    const r = await capture(["--help"]);
    assert.match(r.stdout, /^ {2}export /m);
    assert.doesNotMatch(r.stdout, /_run|_train/);
    assert.ok("experts _train" in commands && "_run" in commands, "they still exist");
  });

  it("numbers and choices are checked, naming the option", () => {
    const cases: [string[], RegExp][] = [
      [["run", "spec.json", "--parallel", "abc"], /xling run: --parallel takes an integer, got 'abc'/],
      [["run", "spec.json", "--parallel", "0"], /--parallel must be at least 1, got 0/],
      [["tokenizer", "train", "--type", "wordpiece"], /--type takes one of unigram, bpe; got 'wordpiece'/],
      [["sample", "dir", "--prompt", "x", "--temperature", "warm"], /--temperature takes a number, got 'warm'/],
      [["eval", "dir", "--text", "f", "--stride", "2.5"], /--stride takes an integer, got '2.5'/],
      [["launch", "--nproc", "x", "--", "info"], /--nproc must be an integer, got 'x'/],
    ];
    for (const [args, message] of cases) {
      const r = xling(...args);
      assert.equal(r.status, 1, args.join(" "));
      assert.match(r.stderr, message);
    }
  });
});
