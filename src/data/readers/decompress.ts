/**
 * Compressed inputs, chosen by file extension: `.gz` (Node's zlib), `.zst`/`.zstd`
 * (fzstd, Zstandard in JavaScript) and `.xz` (xz-decompress, liblzma compiled to
 * WebAssembly). Each is a stream: a corpus is never loaded whole. Corrupt data
 * surfaces as a stream error, which readLines reports with the file's name.
 */
import { createReadStream } from "node:fs";
import { PassThrough, Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import xzDecompress from "xz-decompress";

// A CommonJS package: its exports come as one object.
const { XzReadableStream } = xzDecompress;

/** A Transform decompressing a Zstandard stream. */
function zstdStream(): Transform {
  // eslint-disable-next-line prefer-const -- assigned once the Transform it feeds exists
  let decoder: Decompress;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decoder.push(chunk);
        done();
      } catch (e) {
        done(new Error(`zstd: ${(e as Error).message}`));
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (e) {
        done(new Error(`zstd: ${(e as Error).message}`));
      }
    },
  });
  decoder = new Decompress((data) => t.push(Buffer.from(data)));
  return t;
}

/** The bytes of `path`, decompressed when its extension names a compression. */
export function openDecompressed(path: string): Readable {
  const file = createReadStream(path, { highWaterMark: 1 << 16 });
  let decoder: Readable;
  if (path.endsWith(".gz")) decoder = file.pipe(createGunzip());
  else if (path.endsWith(".zst") || path.endsWith(".zstd")) decoder = file.pipe(zstdStream());
  else if (path.endsWith(".xz")) {
    const web = new XzReadableStream(Readable.toWeb(file) as unknown as ReadableStream<Uint8Array>);
    const xz = Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>);
    // liblzma's errors arrive as bare codes ("error code 8"): say what they mean here.
    const out = new PassThrough();
    xz.on("error", (e) => out.destroy(new Error(`xz: corrupt or truncated data (${e.message})`)));
    decoder = xz.pipe(out);
  } else return file;
  file.on("error", (e) => decoder.destroy(e));
  return decoder;
}
