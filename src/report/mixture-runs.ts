// The "Runs" table of the imbalance studies' reports (clone and real-language): each
// planned run, its mixture, steps, tokens seen per language, time and status.
import type { Section } from "./html.js";

export interface MixtureRun {
  runId: string;
  label: string;
  outcome: { steps: number; tokensSeen: Record<string, number>; seconds: number } | null;
}

export function mixtureRunsSection(runs: MixtureRun[]): Section {
  return {
    heading: "Runs",
    tables: [{
      columns: ["run", "mixture", "steps", "tokens seen", "seconds", "status"],
      rows: runs.map((r) => [r.runId, r.label, r.outcome?.steps ?? null,
        r.outcome ? Object.entries(r.outcome.tokensSeen).map(([l, n]) => `${l} ${n}`).join(", ") : null,
        r.outcome?.seconds ?? null, r.outcome ? "done" : "not finished"]),
    }],
  };
}
