// Child processes (the runner's runs, `xling launch`'s ranks) die with their parent.
// Why: Node has no prctl(PR_SET_PDEATHSIG), and a parent killed with SIGKILL cannot pass
// anything on, so an orphan would train to the end and race a restarted job. The parent
// puts its PID in XLING_PARENT_PID; the child polls its own parent PID, and when it
// changes (the parent is gone and the child was re-parented) sends itself SIGTERM: the
// trainer then checkpoints and stops, as for any SIGTERM.
export const PARENT_PID_ENV = "XLING_PARENT_PID";

/** How often the parent is checked, in milliseconds. */
const POLL_MS = 500;

/** The environment entry a parent gives a child it wants to die with it. */
export function parentEnv(): Record<string, string> {
  return { [PARENT_PID_ENV]: String(process.pid) };
}

/** Starts the watch when this process was started by an xling parent; a no-op otherwise. */
export function watchParent(log: (message: string) => void = (m) => process.stderr.write(`xling: ${m}\n`)): void {
  const expected = Number(process.env[PARENT_PID_ENV]);
  if (!Number.isSafeInteger(expected) || expected <= 0) return;
  const check = () => {
    if (process.ppid === expected) return;
    clearInterval(timer);
    log(`parent process ${expected} is gone; stopping (a checkpoint is saved when training)`);
    process.kill(process.pid, "SIGTERM");
  };
  const timer = setInterval(check, POLL_MS);
  timer.unref();
  check();
}
