/** Writes a rendered report to disk. */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { type Report, renderReport } from "./html.js";

/**
 * Renders `report` and writes it to `path` atomically (temp file + rename), creating
 * missing folders, so a reader never opens a half-written report. Returns the absolute path.
 */
export function writeReport(path: string, report: Report): string {
  const html = renderReport(report);
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, html);
  return target;
}
