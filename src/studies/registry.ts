// Every study kind, registered in one place. Adding a kind: one folder under
// src/studies/ whose index.ts exports a StudyKind, and one line in STUDIES.
import type { Command } from "../run/command-options.js";
import { readSpecFile } from "../run/spec.js";
import type { ExperimentLike, StudyKind, SweepStudy } from "./study.js";
import { cloneImbalance } from "./clone-imbalance/index.js";
import { languageBalance } from "./language-balance/index.js";
import { transfer } from "./transfer/index.js";
import { experts } from "./experts/index.js";
import { translationBalance } from "./translation-balance/index.js";
import { realImbalance } from "./real-imbalance/index.js";

const STUDIES: StudyKind[] = [
  cloneImbalance,
  languageBalance,
  transfer,
  experts,
  translationBalance,
  realImbalance,
];

export type AnyExperiment = ExperimentLike<unknown>;

export function studyKinds(): readonly StudyKind[] {
  return STUDIES;
}

/** The hooks of a study run as a sweep of runs (`xling run`, `xling _run`, `xling report`). */
export function sweepStudy(study: string): SweepStudy<unknown, unknown> {
  const d = STUDIES.find((s) => s.name === study)?.sweep;
  if (!d) {
    const have = STUDIES.filter((s) => s.sweep).map((s) => s.name);
    throw new Error(`unknown study '${study}' for a spec of runs (have: ${have.join(", ")})`);
  }
  return d;
}

/** Every study kind's own subcommands. */
export function studyCommands(): Record<string, Command> {
  return Object.assign({}, ...STUDIES.map((s) => s.commands ?? {})) as Record<string, Command>;
}

/** Reads and validates a spec of any study run as a sweep. */
export function loadAnyExperiment(path: string): AnyExperiment {
  const raw = readSpecFile(path);
  const study = (raw as { study?: unknown } | null)?.study ?? "clone-imbalance";
  return sweepStudy(String(study)).parse(raw, path);
}
