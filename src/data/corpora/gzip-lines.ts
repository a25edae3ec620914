// Line-by-line reading of gzip text files without holding them in memory.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Streams the lines of a gzip text file. */
export async function* readGzipLines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path).pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    lines.close();
    input.destroy();
  }
}
