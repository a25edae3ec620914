// Typed SentencePiece training options, and their translation into the trainer's flag
// names (the same names spm_train takes on its command line, without the dashes).

export type SentencePieceModelType = "unigram" | "bpe" | "char" | "word";

/** How text is normalised before tokenization; "nmt_nfkc" is SentencePiece's default. */
export type NormalizationRule = "nmt_nfkc" | "nfkc" | "nmt_nfkc_cf" | "nfkc_cf" | "identity";

export interface TrainTokenizerOptions {
  /** Text file(s) with one sentence per line. */
  input: string | readonly string[];
  /** Output path prefix: the trainer writes `<prefix>.model` and `<prefix>.vocab`. */
  modelPrefix: string;
  vocabSize: number;
  /** Default "unigram". */
  modelType?: SentencePieceModelType;
  /** Fraction of characters the vocabulary must cover; 1.0 keeps every character. Default 0.9995. */
  characterCoverage?: number;
  /** Pieces always kept whole in the input (never split), e.g. "<mask>". */
  userDefinedSymbols?: readonly string[];
  /** Pieces reserved in the vocabulary but never produced from text, e.g. "<sep>". */
  controlSymbols?: readonly string[];
  /** Special ids; -1 disables the piece (unk cannot be disabled). Defaults 0, 1, 2, -1. */
  unkId?: number;
  bosId?: number;
  eosId?: number;
  padId?: number;
  /** Seed for the trainer's random generator (sentence sampling when input is shuffled). */
  randomSeed?: number;
  /** Train on at most this many sentences (0: all of them). */
  inputSentenceSize?: number;
  /** Sample the sentences at random when inputSentenceSize limits them. Default true. */
  shuffleInputSentence?: boolean;
  numThreads?: number;
  /** Split unknown characters into UTF-8 byte pieces instead of <unk>. */
  byteFallback?: boolean;
  normalization?: NormalizationRule;
  /** Print the trainer's progress log to stderr. Default false: warnings and errors only. */
  verbose?: boolean;
  /**
   * Any other trainer flags, as `{ max_sentencepiece_length: 8 }` or as command-line
   * strings `["--max_sentencepiece_length=8"]`. They override the typed options.
   */
  extraFlags?: Readonly<Record<string, string | number | boolean>> | readonly string[];
}

/** Trainer flags take lists as one comma-separated string, so an item must not hold a comma. */
function commaList(name: string, items: readonly string[]): string {
  for (const item of items) {
    if (item.length === 0) throw new Error(`${name}: empty entry`);
    if (item.includes(",")) throw new Error(`${name}: "${item}" contains a comma, which the trainer uses as separator`);
  }
  return items.join(",");
}

function integer(name: string, value: number, min: number): string {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  return String(value);
}

function parseRawFlag(flag: string): [string, string] {
  const m = /^--?([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(flag);
  if (!m) throw new Error(`extraFlags: "${flag}" is not of the form --name=value`);
  return [m[1]!, m[2] ?? "true"];
}

/** The trainer flags for `opts`, keyed by flag name. */
export function trainerFlags(opts: TrainTokenizerOptions): Record<string, string> {
  const inputs = typeof opts.input === "string" ? [opts.input] : opts.input;
  if (inputs.length === 0) throw new Error("input: no files given");
  if (opts.modelPrefix.length === 0) throw new Error("modelPrefix must not be empty");
  const flags: Record<string, string> = {
    input: commaList("input", inputs),
    model_prefix: opts.modelPrefix,
    vocab_size: integer("vocabSize", opts.vocabSize, 1),
    model_type: opts.modelType ?? "unigram",
    // Quiet unless asked: the trainer logs every EM step at INFO level (0).
    minloglevel: opts.verbose ? "0" : "1",
  };
  if (opts.characterCoverage !== undefined) {
    if (!(opts.characterCoverage > 0 && opts.characterCoverage <= 1))
      throw new Error(`characterCoverage must be in (0, 1], got ${opts.characterCoverage}`);
    flags.character_coverage = String(opts.characterCoverage);
  }
  if (opts.userDefinedSymbols?.length) flags.user_defined_symbols = commaList("userDefinedSymbols", opts.userDefinedSymbols);
  if (opts.controlSymbols?.length) flags.control_symbols = commaList("controlSymbols", opts.controlSymbols);
  if (opts.unkId !== undefined) flags.unk_id = integer("unkId", opts.unkId, 0);
  if (opts.bosId !== undefined) flags.bos_id = integer("bosId", opts.bosId, -1);
  if (opts.eosId !== undefined) flags.eos_id = integer("eosId", opts.eosId, -1);
  if (opts.padId !== undefined) flags.pad_id = integer("padId", opts.padId, -1);
  if (opts.randomSeed !== undefined) {
    // 2^32 - 1 is the library's "no seed" marker, so it is not accepted as a seed.
    if (!Number.isInteger(opts.randomSeed) || opts.randomSeed < 0 || opts.randomSeed >= 0xffffffff)
      throw new Error(`randomSeed must be an integer in [0, 2^32 - 1), got ${opts.randomSeed}`);
    flags.random_seed = String(opts.randomSeed);
  }
  if (opts.inputSentenceSize !== undefined) flags.input_sentence_size = integer("inputSentenceSize", opts.inputSentenceSize, 0);
  if (opts.shuffleInputSentence !== undefined) flags.shuffle_input_sentence = String(opts.shuffleInputSentence);
  if (opts.numThreads !== undefined) flags.num_threads = integer("numThreads", opts.numThreads, 1);
  if (opts.byteFallback !== undefined) flags.byte_fallback = String(opts.byteFallback);
  if (opts.normalization !== undefined) flags.normalization_rule_name = opts.normalization;

  const extra = opts.extraFlags ?? {};
  const entries: [string, string][] = Array.isArray(extra)
    ? (extra as readonly string[]).map(parseRawFlag)
    : Object.entries(extra as Record<string, string | number | boolean>).map(([k, v]) => [k, String(v)]);
  for (const [name, value] of entries) flags[name] = value;
  return flags;
}
