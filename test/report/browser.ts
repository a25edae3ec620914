// Opening reports in Debian's Chromium, for the tests that check charts really render.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const skip = existsSync(CHROMIUM) ? false : `browser test skipped: ${CHROMIUM} is missing (install Debian's chromium package)`;

export interface ChartState {
  id: string;
  rendered: string | null;
  error: string | null;
  width: number;
  height: number;
  /** Drawn data-mark elements per Vega mark type (axes and legends excluded). */
  marks: Record<string, number>;
}

export function chartStates(page: Page): Promise<ChartState[]> {
  return page.$$eval("[data-chart-id]", (els) =>
    els.map((el) => {
      const svg = el.querySelector("svg");
      const box = svg?.getBoundingClientRect();
      const marks: Record<string, number> = {};
      for (const g of el.querySelectorAll("g.role-mark")) {
        const type = Array.from(g.classList).find((c) => c.startsWith("mark-"))?.slice(5) ?? "?";
        marks[type] = (marks[type] ?? 0) + g.children.length;
      }
      return {
        id: el.getAttribute("data-chart-id") ?? "",
        rendered: el.getAttribute("data-rendered"),
        error: el.getAttribute("data-error"),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        marks,
      };
    }),
  );
}

export const allSettled = () =>
  Array.from(document.querySelectorAll("[data-chart-id]")).every((e) => e.hasAttribute("data-rendered") || e.hasAttribute("data-error"));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Loads a report file and waits until every chart has rendered or failed; collects problems. */
export async function openReport(browser: Browser, file: string): Promise<{ page: Page; charts: ChartState[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(allSettled, undefined, { timeout: 30_000 });
  return { page, charts: await chartStates(page), problems };
}
