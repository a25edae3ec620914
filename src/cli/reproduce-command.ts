// `xling reproduce`: the seed papers' headline findings (src/reproduce/findings.ts) run at a
// scale, with verdicts from intervals over seeds, written as findings.json/.md/.html.
import { join, resolve } from "node:path";
import type { Command } from "../run/command-options.js";
import { FINDINGS } from "../reproduce/findings.js";
import { SCALES, type Scale } from "../reproduce/studies.js";
import { DEFAULT_SEEDS, mergeEntries, readEntries, reproduce, resolveFindings, withSmallerScale } from "../reproduce/reproduce.js";
import { figure, updateReadmeTable, writeFindings } from "../reproduce/report.js";

export const reproduceCommand: Command = {
  summary: "Reproduce the seed papers' headline findings (list them with --list) at a scale, with a verdict from the 95% interval over seeds",
  usage: "xling reproduce (--list | <finding...|all>) [--scale quick|machine|paper] [--seeds N] [--out runs/reproduce] [--docs DIR] [--parallel N]",
  options: {
    list: { type: "boolean", description: "list the findings: claim, paper figure, effect measured, specs" },
    scale: { type: "string", choices: SCALES, defaultText: "machine", description: "quick (machinery only, no verdict), machine (this machine's largest), paper (the methods' sizes)" },
    seeds: { type: "string", integer: { min: 1 }, defaultText: "quick 2, machine 3, paper 3", description: "seeds per finding; the verdict reads the 95% interval over them" },
    out: { type: "string", defaultText: "runs/reproduce", description: "root of the run directories (<out>/<scale>/<spec>/seed-<s>) and of <out>/<scale>/findings.*" },
    docs: { type: "string", description: "also merge the entries into DIR/findings.json and DIR/findings.md, and the table into DIR/../README.md between its markers" },
    parallel: { type: "string", integer: { min: 1 }, description: "runs of a seed trained at once (default: the spec's)" },
  },
  async run({ values, positionals, raw }) {
    if (values.list) {
      for (const f of FINDINGS) {
        process.stdout.write(`${f.name}  [${f.group}]\n  claim:  ${f.claim}\n  paper:  ${f.paper}\n  effect: ${f.effect}\n  specs:  ${f.specs.map((s) => `examples/reproduce/<scale>/${s}.json`).join(", ")}\n`);
        if (f.requires) process.stdout.write(`  needs:  ${f.requires}\n`);
      }
      process.stdout.write(`\n${FINDINGS.length} findings; scales: ${SCALES.join(", ")} (default seeds ${SCALES.map((s) => `${s} ${DEFAULT_SEEDS[s]}`).join(", ")})\n`);
      return 0;
    }
    const findings = resolveFindings(positionals);
    const scale = ((values.scale as string | undefined) ?? "machine") as Scale;
    if (!SCALES.includes(scale)) throw new Error(`--scale must be one of ${SCALES.join(", ")}, got '${scale}'`);
    const seeds = values.seeds === undefined ? undefined : Number(values.seeds);
    if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a positive whole number, got '${values.seeds}'`);
    const root = resolve((values.out as string | undefined) ?? join("runs", "reproduce"));
    const command = ["node bin/xling.js reproduce", ...raw].join(" ");
    const ran = await reproduce(findings, {
      scale, seeds, root, command, parallel: values.parallel ? Number(values.parallel) : undefined,
      log: (m) => process.stderr.write(`reproduce: ${m}\n`),
    });
    // Beside a machine- or paper-scale figure, the quick one from the same root: a scale trend.
    const entries = scale === "quick" ? ran : withSmallerScale(ran, readEntries(join(root, "quick", "findings.json")), "quick");
    // The scale's own table (every finding run at this scale under this root), and the docs' if asked.
    const outDir = join(root, scale);
    const written = writeFindings(outDir, mergeEntries(readEntries(join(outDir, "findings.json")), entries, scale));
    if (typeof values.docs === "string") {
      const docs = resolve(values.docs);
      const merged = mergeEntries(readEntries(join(docs, "findings.json")), entries, scale);
      writeFindings(docs, merged);
      // The README beside the docs folder shows the table between its markers, if it has them.
      const readme = join(docs, "..", "README.md");
      process.stdout.write(`docs: ${join(docs, "findings.md")}, ${join(docs, "findings.json")}${updateReadmeTable(readme, merged) ? `, ${readme}` : ""}\n`);
    }
    for (const e of entries) process.stdout.write(`${e.name.padEnd(32)} ${e.verdict.padEnd(26)} ${figure(e)}${e.note ? `  (${e.note})` : ""}\n`);
    process.stdout.write(`report: ${written.html}\nfindings: ${written.md}, ${written.json}\n`);
    return entries.some((e) => e.verdict === "failed" || e.verdict === "not run") ? 1 : 0;
  },
};
