export * from "./run-id.js";
export * from "./filter.js";
export * from "./store.js";
export {
  type ResultQuery,
  type GroupedResultQuery,
  type ResultRow,
  type ResultGroup,
  type Column,
  queryResults,
  groupResults,
  sweptFields,
  defaultColumns,
  groupColumns,
  cellValue,
  formatTable,
  toCsv,
  toJson,
} from "./query.js";
export { resultsCommand, RESULTS_USAGE, type CommandOutput } from "./results-command.js";
export { SCHEMA_VERSION } from "./schema.js";
