// A trained translation model as `xling translate` uses it: a translation-balance run's
// directory holds checkpoint.safetensors, tokenizer.model and translator.json (the model
// shape, separator, end and language-tag ids).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GPT } from "../../nn/gpt.js";
import { SentencePieceTokenizer } from "../../data/tokenizer.js";
import { loadCheckpoint } from "../../train/checkpoint.js";
import { translate, type TranslatorInfo } from "./run.js";

export interface TranslateOptions {
  beam: number;
  lengthPenalty: number;
  maxNewTokens: number;
  batchSize: number;
}

export class Translator {
  private constructor(readonly dir: string, readonly info: TranslatorInfo, private readonly model: GPT, private readonly tokenizer: SentencePieceTokenizer) {}

  static load(dir: string): Translator {
    const infoPath = join(dir, "translator.json");
    if (!existsSync(infoPath))
      throw new Error(`${dir}: not a finished translation run (no translator.json; give a run directory of a translation-balance experiment, runs/<name>/runs/<run>)`);
    const info = JSON.parse(readFileSync(infoPath, "utf8")) as TranslatorInfo;
    const tokenizer = SentencePieceTokenizer.load(join(dir, "tokenizer.model"));
    const model = new GPT(info.model);
    loadCheckpoint(join(dir, "checkpoint.safetensors"), model, null, { restoreRng: false });
    model.eval();
    return new Translator(dir, info, model, tokenizer);
  }

  /** The languages the model was trained to translate into. */
  get targets(): string[] {
    return this.info.targets ?? [...new Set(this.info.directions.map((d) => d.split("-").at(-1)!))];
  }

  /** Translates sentences into `to`; `where(i)` names sentence i in errors (file:line). */
  translate(sources: string[], to: string, o: TranslateOptions, where: (i: number) => string = (i) => `sentence ${i + 1}`): string[] {
    const tag = this.info.tagIds[to];
    if (tag === undefined || !this.targets.includes(to))
      throw new Error(`unknown target language '${to}': this model translates into ${this.targets.join(", ")} (directions ${this.info.directions.join(", ")})`);
    const ids = this.tokenizer.encodeBatch(sources).map((a) => Array.from(a));
    // The prompt is <2to> source <sep>: two positions besides the source, and one new token at least.
    const room = this.info.model.seqLen - 2;
    ids.forEach((s, i) => {
      if (s.length > room) throw new Error(`${where(i)}: the source has ${s.length} tokens; this model takes at most ${room}`);
    });
    const nonEmpty = ids.map((s, i) => [s, i] as const).filter(([s]) => s.length > 0);
    const out = sources.map(() => "");
    const decoded = translate(this.model, nonEmpty.map(([s]) => s), tag, this.info.separatorId, this.info.eosId, o);
    nonEmpty.forEach(([, i], k) => (out[i] = this.tokenizer.decode(decoded[k])));
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}
