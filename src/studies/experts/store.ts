// An expert study in the results store (results.sqlite in the study directory), so
// `xling results <study>` queries it like any other: one run per trained model (seed,
// experts, dense baseline) with its config, status, metrics and validation loss, and one
// per ensemble rule (config {kind: "ensemble", rule}) with its test perplexity per language.
import { ingestRuns, type IngestedRun } from "../../run/ingest.js";
import type { ResultRow, RunOutcome } from "../../run/contract.js";
import type { ExpertStudy } from "./spec.js";
import type { StudyEvaluation, StudyPlan } from "./btm.js";
import { expertRunIdentity, readRunOutcome } from "./run.js";

export function ingestExpertStudy(storePath: string, study: ExpertStudy, plan: StudyPlan, ev: StudyEvaluation | null): void {
  const trained = [plan.seed, ...plan.experts, ...(plan.dense ? [plan.dense] : [])];
  const runs: IngestedRun[] = trained.map((r) => {
    const o = readRunOutcome(r.dir);
    const outcome: RunOutcome | null = o && {
      languages: o.languages, steps: o.steps, tokensSeen: o.tokensSeen, seconds: o.seconds,
      results: [
        ...Object.entries(o.validNll).map(([lang, value]): ResultRow => ({ name: "valid_nll", lang, layer: null, value })),
        ...Object.entries(o.tokensSeen).map(([lang, value]): ResultRow => ({ name: "tokens_seen", lang, layer: null, value })),
      ],
    };
    return { runId: r.config.name, dir: r.dir, config: expertRunIdentity(r.config), outcome };
  });
  for (const rule of ev ? [...new Set(ev.rows.map((x) => x.rule))] : []) {
    const rows = ev!.rows.filter((x) => x.rule === rule);
    runs.push({
      runId: `ensemble:${rule}`, dir: plan.dir, config: { kind: "ensemble", rule },
      outcome: {
        languages: rows.map((x) => x.lang), steps: 0, tokensSeen: {}, seconds: 0,
        results: rows.flatMap((x): ResultRow[] => [
          { name: "ppl", lang: x.lang, layer: null, value: x.ppl },
          { name: "nll", lang: x.lang, layer: null, value: x.nll },
        ]),
      },
    });
  }
  ingestRuns(storePath, study, runs);
}
