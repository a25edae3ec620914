/**
 * `xling results <experiment> --store FILE [--where FIELD<op>VALUE]... --result NAME
 *  [--lang L] [--layer N] [--group-by FIELD]... [--status S]... [--format table|csv|json]`
 *
 * Kept apart from the CLI entry point so it can be run and tested without it.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkResultsQuestion, missingStoreMessage } from "./results-checks.js";
import { ResultsStore, RUN_STATUSES, type RunStatus } from "./store.js";
import { defaultColumns, formatTable, groupColumns, queryResults, toCsv, toJson } from "./query.js";

export const RESULTS_USAGE =
  "usage: xling results <experiment> --store FILE --result NAME [--where FIELD<op>VALUE]... " +
  "[--lang L|none] [--layer N|none] [--group-by FIELD]... [--status STATUS]... [--format table|csv|json]";

const RESULTS_OPTIONS = `
Options:
  --store <file>          results store (default: runs/<experiment>/results.sqlite)
  --result <name>         result to show, e.g. ppl, teff, hidden_cosine
  --where <field><op><v>  keep runs whose config field compares so (=, !=, <, <=, >, >=); repeatable
  --lang <L|none>         only this language's results; none: results without a language
  --layer <N|none>        only this layer's results; none: results without a layer
  --group-by <field>      one column per config field; repeatable
  --status <status>       only runs with this status (${RUN_STATUSES.join(", ")}); repeatable (default: any)
  --format <table|csv|json>  output format (default: table)
`;

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the command on already-split arguments (those after `results`). */
export function resultsCommand(argv: readonly string[], defaults: { store?: string } = {}): CommandOutput {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        store: { type: "string" },
        where: { type: "string", multiple: true },
        result: { type: "string" },
        lang: { type: "string" },
        layer: { type: "string" },
        "group-by": { type: "string", multiple: true },
        status: { type: "string", multiple: true },
        format: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return fail(`${(e as Error).message}\n${RESULTS_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { exitCode: 0, stdout: `${RESULTS_USAGE}\n${RESULTS_OPTIONS}`, stderr: "" };
  const storePath = values.store ?? defaults.store;
  if (positionals.length !== 1 || !values.result || !storePath) return fail(RESULTS_USAGE);
  const format = values.format ?? "table";
  if (!["table", "csv", "json"].includes(format)) return fail(`unknown format ${format}\n${RESULTS_USAGE}`);
  // "none" asks for results that have no language / layer.
  const lang = values.lang === undefined ? undefined : values.lang === "none" ? null : values.lang;
  let layer: number | null | undefined;
  if (values.layer !== undefined) {
    layer = values.layer === "none" ? null : Number(values.layer);
    if (layer !== null && !Number.isSafeInteger(layer)) return fail(`--layer must be an integer or none, got ${values.layer}`);
  }
  const status = values.status as RunStatus[] | undefined;
  const badStatus = status?.find((s) => !RUN_STATUSES.includes(s));
  if (badStatus) return fail(`unknown status ${badStatus} (one of ${RUN_STATUSES.join(", ")})`);

  // Opening a path that does not exist would create an empty store there.
  if (!existsSync(storePath)) return fail(missingStoreMessage(storePath));
  let store: ResultsStore | undefined;
  try {
    store = ResultsStore.open(storePath);
    const query = { experiment: positionals[0], where: values.where ?? [], result: values.result, lang, layer, status };
    const groupBy = values["group-by"];
    const problem = checkResultsQuestion(store, { ...query, groupBy });
    if (problem) return fail(problem);
    let rows: object[];
    let columns: string[];
    if (groupBy) {
      const groups = queryResults(store, { ...query, groupBy });
      rows = groups;
      columns = groupColumns(groups, groupBy);
    } else {
      const results = queryResults(store, query);
      rows = results;
      columns = defaultColumns(results);
    }
    const out = format === "json" ? toJson(rows) : format === "csv" ? toCsv(rows, columns) : formatTable(rows, columns);
    return { exitCode: 0, stdout: out, stderr: rows.length === 0 && format === "table" ? "no matching results\n" : "" };
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    store?.close();
  }
}

function fail(message: string): CommandOutput {
  return { exitCode: 2, stdout: "", stderr: `${message}\n` };
}
