/**
 * A Slurm job-array script that trains each expert in its own array task
 * (branch-train-merge: experts train independently, with no communication).
 * Task i runs the command template with {expert} replaced by i and {checkpoint}
 * by that expert's own checkpoint directory, so a resubmitted task resumes from it.
 */

export interface SlurmArrayOptions {
  jobName: string;
  /** Number of experts k; the array is 0-(k-1). */
  experts: number;
  /**
   * Shell command for one expert; placeholders {expert} (index) and
   * {checkpoint} (quoted directory) are substituted. The template itself is
   * written as given, so it is trusted shell text.
   */
  commandTemplate: string;
  /** Parent of the per-expert checkpoint directories: <root>/expert-<i>. */
  checkpointRoot: string;
  /** Wall-clock limit as Slurm accepts it, e.g. "24:00:00". */
  time: string;
  /** Memory per node, e.g. "32G". */
  mem: string;
  cpusPerTask: number;
  /** Threads for the training process (OMP/MKL); default cpusPerTask. */
  threads?: number;
  /** Extra environment variables exported before the command. */
  env?: Readonly<Record<string, string>>;
  /** Directory for Slurm's output files (default: checkpointRoot/logs). */
  logDir?: string;
  /** Further #SBATCH options, each without the prefix (e.g. "--gres=gpu:1"). */
  extraOptions?: readonly string[];
  /** Most tasks running at once (the %N suffix of --array). */
  maxConcurrent?: number;
}

/** Single-quotes a string for POSIX shells: safe with spaces, $, quotes and backslashes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function checkSbatchValue(what: string, value: string): void {
  // #SBATCH lines are not parsed by a shell, so quoting cannot help: refuse what would break them.
  if (/[\s'"\\]/.test(value) || value === "") throw new RangeError(`slurm: ${what} must be non-empty without spaces or quotes: ${JSON.stringify(value)}`);
}

export function slurmArrayScript(o: SlurmArrayOptions): string {
  if (!Number.isInteger(o.experts) || o.experts < 1) throw new RangeError(`slurm: experts must be a positive integer, got ${o.experts}`);
  if (!Number.isInteger(o.cpusPerTask) || o.cpusPerTask < 1) throw new RangeError(`slurm: cpusPerTask must be a positive integer`);
  checkSbatchValue("jobName", o.jobName);
  checkSbatchValue("time", o.time);
  checkSbatchValue("mem", o.mem);
  const threads = o.threads ?? o.cpusPerTask;
  const logDir = o.logDir ?? `${o.checkpointRoot.replace(/\/+$/, "")}/logs`;
  const array = `0-${o.experts - 1}${o.maxConcurrent !== undefined ? `%${o.maxConcurrent}` : ""}`;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=${array}`,
    `#SBATCH --time=${o.time}`,
    `#SBATCH --mem=${o.mem}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    "#SBATCH --ntasks=1",
  ];
  for (const opt of o.extraOptions ?? []) {
    if (/[\n\r]/.test(opt)) throw new RangeError("slurm: an extra option contains a line break");
    lines.push(`#SBATCH ${opt}`);
  }
  // Slurm opens its log files before the script runs and does not expand
  // quotes in #SBATCH lines, so logs are redirected from inside the script instead.
  lines.push(
    "set -euo pipefail",
    "",
    "# One BLAS thread: the training threads come from OMP/MKL instead of nesting.",
    "export OPENBLAS_NUM_THREADS=1",
    `export OMP_NUM_THREADS=${threads}`,
    `export MKL_NUM_THREADS=${threads}`,
  );
  for (const [name, value] of Object.entries(o.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`slurm: invalid environment variable name ${JSON.stringify(name)}`);
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  const root = shellQuote(o.checkpointRoot.replace(/\/+$/, ""));
  const command = o.commandTemplate
    .replaceAll("{expert}", '"$EXPERT"')
    .replaceAll("{checkpoint}", '"$CHECKPOINT"');
  lines.push(
    "",
    "EXPERT=${SLURM_ARRAY_TASK_ID}",
    `CHECKPOINT=${root}/expert-\${EXPERT}`,
    `LOG_DIR=${shellQuote(logDir)}`,
    'mkdir -p "$CHECKPOINT" "$LOG_DIR"',
    `exec > "$LOG_DIR/expert-\${EXPERT}.log" 2>&1`,
    "",
    command,
    "",
  );
  return lines.join("\n");
}

/** The command expert i's task runs, after the script's substitutions (for previews and tests). */
export function expertCommand(o: Pick<SlurmArrayOptions, "commandTemplate" | "checkpointRoot">, expert: number): string {
  const dir = `${o.checkpointRoot.replace(/\/+$/, "")}/expert-${expert}`;
  return o.commandTemplate.replaceAll("{expert}", String(expert)).replaceAll("{checkpoint}", shellQuote(dir));
}
