// What a study kind provides. Each kind is one folder (src/studies/<kind>/: spec, run,
// analysis, report, commands) whose index.ts exports one StudyKind; registry.ts lists them.
import type { Command } from "../run/command-options.js";
import type { RunOutcome } from "../run/contract.js";
import type { PlannedRun } from "../run/run-dir.js";
import type { Report } from "../report/html.js";

export interface RunContext {
  cacheDir: string;
  progress?: boolean;
  label?: string;
}

/** A validated experiment: sweeps expanded into one config per run. */
export interface ExperimentLike<C> {
  name: string;
  study: string;
  parallel: number;
  sweeps: Record<string, unknown[]>[];
  runs: C[];
}

/**
 * The hooks of a study whose spec is a sweep of independent runs (`xling run`): the
 * runner parses, prepares once per key, executes each run (in a child process, or under
 * `xling launch` as the ranks of one data-parallel run); `xling report` then analyses the
 * runs, loads them into the results store and renders the report.
 */
export interface SweepStudy<C, A> {
  parse(raw: unknown, source: string): ExperimentLike<C>;
  /** Runs with equal keys share what prepare() builds. */
  prepareKey(config: C): string;
  prepare(config: C, cacheDir: string, log: (msg: string) => void): Promise<unknown>;
  execute(config: C, dir: string, ctx: RunContext): Promise<RunOutcome>;
  analyse(exp: ExperimentLike<C>, runs: PlannedRun<C>[]): A;
  /** Loads configs, statuses, metrics and results (and study-level results) into the store. */
  ingest(storePath: string, exp: ExperimentLike<C>, analysis: A): void;
  report(exp: ExperimentLike<C>, analysis: A): Report;
}

export interface StudyKind {
  /** The spec's `study` field. */
  name: string;
  /** Present for studies run by `xling run <spec>` as a sweep of runs. */
  // The config and analysis types differ per kind; the registry holds them erased.
  sweep?: SweepStudy<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The kind's own subcommands (`xling transfer`, `xling experts train`, ...). */
  commands?: Record<string, Command>;
}
