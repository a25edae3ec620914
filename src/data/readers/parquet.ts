/**
 * Parquet shards (as datasets on the Hugging Face Hub are stored) through hyparquet,
 * one row group at a time: each row as a plain object of the requested columns.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DataError } from "../errors.js";

export interface ParquetRow {
  /** 1-based row number in the file. */
  row: number;
  record: Record<string, unknown>;
}

/** Rows of `path` with the named columns that exist in it (all columns when none are named). */
export async function* readParquetRows(path: string, columns?: readonly string[]): AsyncGenerator<ParquetRow> {
  const fail = (e: unknown): never => {
    throw new DataError(path, undefined, `not a readable Parquet file (${(e as Error).message})`);
  };
  const file = await asyncBufferFromFile(path).catch((e: unknown) => {
    throw new DataError(path, undefined, `cannot open: ${(e as Error).message}`);
  });
  const metadata = await parquetMetadataAsync(file).catch(fail);
  const present = new Set(metadata.schema.map((s) => s.name));
  const wanted = columns?.filter((c) => present.has(c));
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const rows = (await parquetReadObjects({ file, metadata, columns: wanted, rowStart: start, rowEnd: end, compressors }).catch(fail)) as Record<string, unknown>[];
    for (let k = 0; k < rows.length; k++) yield { row: start + k + 1, record: rows[k]! };
    start = end;
  }
}
