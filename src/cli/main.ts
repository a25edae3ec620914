// The xling command line: one subcommand per capability, each a thin layer over the
// library. Errors are printed as one clear message (exit 1), never a stack trace.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { commands } from "./commands.js";
import { launchCommand } from "./launch.js";
import { reproduceCommand } from "./reproduce-command.js";
import { optionsHelp, validateOptions, type Command } from "../run/command-options.js";
import { packageRoot } from "../util/package-root.js";
import { watchParent } from "../util/parent-watch.js";

commands.launch = launchCommand;
commands.reproduce = reproduceCommand;

export type { Command } from "../run/command-options.js";

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  // Internal commands (a word starting with "_": `_run`, `experts _train`) are not listed.
  const lines = Object.entries(commands).filter(([n]) => !n.split(" ").some((w) => w.startsWith("_"))).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return `xling: multilingual language-model experiments on libtorch\n\nUsage: xling <command> [options]\n\n${lines.join("\n")}\n\nxling <command> --help for a command's options; xling --version for the version.\n`;
}

export async function main(argv: string[]): Promise<number> {
  // A run started by the runner or a rank started by `xling launch` dies with it.
  watchParent();
  // Two-word commands ("corpus stats") take precedence over one-word ones.
  const twoWords = argv.length >= 2 ? `${argv[0]} ${argv[1]}` : "";
  const [name, ...rest] = twoWords in commands ? [twoWords, ...argv.slice(2)] : argv;
  if (name === "--version" || name === "-V" || name === "version") {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
    process.stdout.write(`xling ${pkg.version}\n`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`xling: unknown command '${name}'\n\n${help()}`);
    return 1;
  }
  if (!cmd.ownArgs && (rest.includes("--help") || rest.includes("-h"))) {
    process.stdout.write(`${cmd.summary}\n\nUsage: ${cmd.usage}\n${optionsHelp(cmd.options ?? {})}`);
    return 0;
  }
  try {
    if (cmd.ownArgs) return (await cmd.run({ values: {}, positionals: [], raw: rest })) ?? 0;
    const args = parseArgs({ args: rest, options: (cmd.options ?? {}) as ParseArgsConfig["options"], allowPositionals: true, strict: true });
    validateOptions(cmd.options ?? {}, args.values);
    return (await cmd.run({ ...args, raw: rest } as Parameters<Command["run"]>[0])) ?? 0;
  } catch (e) {
    process.stderr.write(`xling ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
