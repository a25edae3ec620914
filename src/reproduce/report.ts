// The findings table in three forms: findings.json (every field), findings.md (the table
// the README shows, then one section per finding) and findings.html (the report helpers'
// self-contained page).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { formatNumber, type Report, type Section } from "../report/html.js";
import { writeReport } from "../report/write.js";
import type { FindingEntry } from "./reproduce.js";

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));

/** "+1.19 [0.42, 1.96], 3 seeds" or "n/a". */
export function figure(e: FindingEntry): string {
  if (!e.xling) return "n/a";
  const x = e.xling;
  const sign = x.mean >= 0 ? "+" : "";
  const ci = x.lower === null || x.upper === null ? "no interval" : `95% CI [${num(x.lower)}, ${num(x.upper)}]`;
  return `${sign}${num(x.mean)} (${ci}, ${x.values.length} seed${x.values.length === 1 ? "" : "s"})`;
}

/** The finding at its smaller size (the size trend's second point), in a table cell. */
function smallerText(e: FindingEntry): string {
  const t = e.smallerSize;
  if (!t) return "—";
  if ("note" in t) return "failed";
  const ci = t.lower === null || t.upper === null ? "" : ` [${num(t.lower)}, ${num(t.upper)}]`;
  return `${t.mean >= 0 ? "+" : ""}${num(t.mean)}${ci}, ${t.verdict} (${num(t.parameters)} parameters)`;
}

function scaleText(e: FindingEntry): string {
  if (!e.scale) return "not run";
  const s = e.scale;
  return `${s.name}: ${num(s.parameters)} parameters, ${num(s.tokensPerRun)} tokens per run, ${s.seeds} seed${s.seeds === 1 ? "" : "s"}`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return "n/a";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function findingsMarkdown(entries: FindingEntry[], generatedAt: string): string {
  const lines = [
    "# Findings: the seed papers' headline results, reproduced with xling",
    "",
    `Written by \`xling reproduce\` (${generatedAt}); how to read it: [reproduce.md](reproduce.md). The effect is signed so that`,
    "positive is the paper's direction; the verdict reads its 95% t interval over seeds: `reproduced` only when the whole",
    "interval is above 0, `not reproduced` when it is wholly below 0, `inconclusive` otherwise. Findings marked `not run`",
    "have no figure yet; their command runs them.",
    "",
    "| finding | claim | paper | xling effect | verdict | scale | at a smaller size | wall time |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...entries.map((e) => `| ${e.name} | ${cell(e.claim)} | ${cell(e.paper)} | ${cell(figure(e))} | **${e.verdict}** | ${cell(scaleText(e))} | ${cell(smallerText(e))} | ${duration(e.wallSeconds)} |`),
    "",
  ];
  for (const e of entries) {
    lines.push(`## ${e.name}`, "", `- **Claim** (${e.group}): ${e.claim}`, `- **Paper:** ${e.paper}`, `- **Effect measured:** ${e.effect}`,
      `- **xling:** ${figure(e)}; verdict **${e.verdict}**${e.note ? ` (${e.note})` : ""}`);
    if (e.xling) {
      lines.push(`- **Per seed:** ${e.xling.values.map((v) => num(v)).join(", ")}`);
      const d = Object.entries(e.xling.detail);
      if (d.length) lines.push(`- **Behind it (mean over seeds):** ${d.map(([k, v]) => `${k} ${num(v)}`).join(", ")}`);
    }
    if (e.smallerSize) {
      const t = e.smallerSize;
      lines.push("note" in t
        ? `- **At a smaller size:** no figure (${t.note})`
        : `- **At a smaller size** (${num(t.parameters)} parameters, ${num(t.tokensPerRun)} tokens per run, ${t.seeds} seeds; ${t.specs.map((x) => `\`${x}\``).join(", ")}): ${t.mean >= 0 ? "+" : ""}${num(t.mean)}${t.lower === null ? "" : ` [${num(t.lower)}, ${num(t.upper)}]`}, ${t.verdict}`);
    }
    if (e.smallerScale) {
      const t = e.smallerScale;
      lines.push(`- **At ${t.scale} scale** (${num(t.parameters)} parameters, ${num(t.tokensPerRun)} tokens per run, ${t.seeds} seeds): ${t.mean >= 0 ? "+" : ""}${num(t.mean)}${t.lower === null ? "" : ` [${num(t.lower)}, ${num(t.upper)}]`}`);
    }
    lines.push(`- **Scale:** ${scaleText(e)}${e.scale ? `; specs ${e.scale.specs.map((s) => `\`${s}\``).join(", ")}` : ""}`);
    lines.push(`- **Wall time:** ${duration(e.wallSeconds)}${e.flopsPerSecond ? ` (${num(e.flopsPerSecond / 1e9)} GFLOP/s of training achieved)` : ""}`);
    if (e.paperScale)
      lines.push(`- **Paper scale:** ${num(e.paperScale.parameters)} parameters, ${num(e.paperScale.tokensPerRun)} tokens per run, ${num(e.paperScale.flopsPerSeed)} training FLOPs per seed; ${e.paperScale.estimatedHoursHere === null ? "no measured rate to extrapolate from" : `about ${num(e.paperScale.estimatedHoursHere)} hours here for ${e.paperScale.seeds} seeds at the rate of ${e.paperScale.rateFrom ?? "the machine runs"}`}`);
    if (e.requires) lines.push(`- **Needs:** ${e.requires}`);
    lines.push(`- **Command:** \`${e.command}\``, "");
  }
  return lines.join("\n");
}

export function findingsReport(entries: FindingEntry[], generatedAt: string): Report {
  const summary: Section = {
    heading: "Findings",
    paragraphs: [
      "Each finding's effect is signed so that positive is the seed paper's direction. Verdict: reproduced only when the 95% t interval over seeds is wholly above 0; not reproduced when wholly below 0; inconclusive otherwise. Quick scale proves the machinery and claims no verdict.",
    ],
    tables: [{
      columns: ["finding", "group", "paper", "xling effect", "verdict", "scale", "at a smaller size", "wall time"],
      rows: entries.map((e) => [e.name, e.group, e.paper, figure(e), e.verdict, scaleText(e), smallerText(e), duration(e.wallSeconds)]),
    }],
  };
  const sections: Section[] = entries.map((e) => ({
    heading: e.name,
    paragraphs: [e.claim, `Effect: ${e.effect}.`, ...(e.note ? [`Note: ${e.note}`] : []), `Command: \`${e.command}\``],
    facts: [
      { label: "verdict", value: e.verdict },
      { label: "paper", value: e.paper },
      { label: "xling", value: figure(e) },
      { label: "scale", value: scaleText(e) },
      { label: "wall time", value: duration(e.wallSeconds) },
      ...(e.requires ? [{ label: "needs", value: e.requires }] : []),
    ],
    tables: e.xling ? [{
      title: "per seed and behind the effect",
      columns: ["quantity", "value"],
      rows: [...e.xling.values.map((v, i): [string, number] => [`effect, seed ${i}`, v]), ...Object.entries(e.xling.detail)],
    }] : [],
  }));
  return { title: "xling findings", subtitle: "The seed papers' headline results at the scales this machine affords", generatedAt, sections: [summary, ...sections] };
}

/** Writes findings.json, findings.md and findings.html into `dir`; returns their paths. */
export function writeFindings(dir: string, entries: FindingEntry[], generatedAt = new Date().toISOString()): { json: string; md: string; html: string } {
  const json = join(dir, "findings.json");
  const md = join(dir, "findings.md");
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(json, JSON.stringify({ generatedAt, findings: entries }, null, 2) + "\n");
  writeFileAtomic(md, findingsMarkdown(entries, generatedAt));
  const html = writeReport(join(dir, "findings.html"), findingsReport(entries, generatedAt));
  return { json, md, html };
}

/** The short table the README shows: finding, verdict, xling's effect, scale. */
export function findingsSummaryTable(entries: FindingEntry[]): string {
  return [
    "| finding | verdict | xling effect (paper's direction positive) | scale | at a smaller size |",
    "| --- | --- | --- | --- | --- |",
    ...entries.map((e) => `| [${e.name}](docs/findings.md#${e.name}) | **${e.verdict}** | ${cell(figure(e))} | ${cell(scaleText(e))} | ${cell(smallerText(e))} |`),
  ].join("\n");
}

export const README_TABLE_START = "<!-- findings table: written from docs/findings.json -->";
export const README_TABLE_END = "<!-- end findings table -->";

/** Replaces the findings table between the README's markers; false when the file has none. */
export function updateReadmeTable(readmePath: string, entries: FindingEntry[]): boolean {
  if (!existsSync(readmePath)) return false;
  const text = readFileSync(readmePath, "utf8");
  const a = text.indexOf(README_TABLE_START);
  const b = text.indexOf(README_TABLE_END);
  if (a < 0 || b < a) return false;
  writeFileAtomic(readmePath, `${text.slice(0, a + README_TABLE_START.length)}\n${findingsSummaryTable(entries)}\n${text.slice(b)}`);
  return true;
}
