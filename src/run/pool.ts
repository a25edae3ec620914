// The one worker pool every study's runs go through: jobs run `parallel` at a time, one
// failing does not stop the others. A job may name another job of the pool it waits for
// (an expert branched from another run); it starts only once that one has finished and
// fails without running when that one failed. Among the jobs ready to go, list order decides.

export interface PoolJob {
  name: string;
  /** Name of a job in the same pool that must finish first. */
  after?: string;
  run: () => Promise<void>;
}

export interface PoolResult {
  ran: string[];
  failed: { name: string; error: string }[];
}

export interface PoolOptions {
  onDone?: (job: PoolJob, error: string | null) => void;
  /** Checked before each job starts: true stops the pool from starting more (a signal arrived). */
  stopped?: () => boolean;
}

export async function runPool(jobs: PoolJob[], parallel: number, opts: PoolOptions = {}): Promise<PoolResult> {
  const { onDone, stopped } = opts;
  const result: PoolResult = { ran: [], failed: [] };
  const pending = [...jobs];
  const unfinished = new Set(pending.map((j) => j.name));
  const failed = new Set<string>();
  let wake: () => void = () => {};
  let changed = new Promise<void>((r) => (wake = r));
  const settle = () => {
    wake();
    changed = new Promise<void>((r) => (wake = r));
  };
  const worker = async () => {
    for (;;) {
      for (const j of pending.filter((j) => failed.has(j.after ?? ""))) {
        pending.splice(pending.indexOf(j), 1);
        unfinished.delete(j.name);
        failed.add(j.name);
        const error = `its parent ${j.after} did not finish`;
        result.failed.push({ name: j.name, error });
        onDone?.(j, error);
      }
      if (pending.length === 0 || stopped?.()) return;
      const i = pending.findIndex((j) => !unfinished.has(j.after ?? ""));
      if (i < 0) {
        await changed;
        continue;
      }
      const job = pending.splice(i, 1)[0]!;
      let error: string | null = null;
      try {
        await job.run();
        result.ran.push(job.name);
      } catch (e) {
        error = (e as Error).message;
        failed.add(job.name);
        result.failed.push({ name: job.name, error });
      }
      unfinished.delete(job.name);
      onDone?.(job, error);
      settle();
    }
  };
  const n = Math.max(1, Math.min(parallel, jobs.length || 1));
  await Promise.all(Array.from({ length: n }, worker));
  return result;
}
