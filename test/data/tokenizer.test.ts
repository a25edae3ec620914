// SentencePiece tokenizers through the addon, checked against the spm_encode and
// spm_decode command-line tools on the same models.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { SentencePieceTokenizer, trainTokenizer, trainerFlags } from "../../src/data/tokenizer.js";

const TRAINING_LINES = [
  "The quick brown fox jumps over the lazy dog near the river bank.",
  "Every morning she walks to the market to buy fresh bread and cheese.",
  "Children were playing in the park while their parents talked quietly.",
  "The library opens at nine o'clock and closes late in the evening.",
  "We travelled by train through the mountains and saw snow on the peaks.",
  "He wrote a long letter to his grandmother about the summer holidays.",
  "Scientists measured the temperature of the ocean at many different depths.",
  "The small café on the corner serves the best coffee in the whole town.",
  "After the storm, the streets were full of branches and fallen leaves.",
  "Learning a new language takes patience, practice and a little courage.",
  "El perro corre por la playa mientras el sol se esconde detrás del mar.",
  "Mi hermana estudia medicina en la universidad de Salamanca desde hace dos años.",
  "Los niños comieron helado de fresa después de la escuela.",
  "¿Dónde está la estación de autobuses más cercana, por favor?",
  "La abuela cocina una sopa deliciosa con verduras del huerto.",
  "Mañana iremos al museo para ver la exposición de pintura moderna.",
  "El tren llegó con retraso porque había nieve en las vías.",
  "Me gusta leer novelas históricas por la noche antes de dormir.",
  "Der Hund schläft ruhig vor dem warmen Ofen in der Küche.",
  "Wir fahren am Wochenende mit dem Fahrrad an den großen See.",
  "Die Straßenbahn hält direkt vor dem alten Rathaus der Stadt.",
  "Meine Großmutter backt jeden Sonntag einen köstlichen Apfelkuchen.",
  "Im Winter ist es hier sehr kalt, und die Tage sind kurz.",
  "Kannst du mir bitte sagen, wie spät es ist?",
  "Die Kinder lernen in der Schule Lesen, Schreiben und Rechnen.",
  "Das Konzert war ausverkauft, aber wir haben noch Karten bekommen.",
  "Ο σκύλος τρέχει στην παραλία και παίζει με τα κύματα.",
  "Η γιαγιά μου μαγειρεύει φασολάδα κάθε Παρασκευή.",
  "Τα παιδιά διαβάζουν βιβλία στη βιβλιοθήκη του σχολείου.",
  "Το καλοκαίρι πηγαίνουμε στα νησιά με το πλοίο.",
  "Ο ήλιος λάμπει πάνω από τη θάλασσα το πρωί.",
  "Θέλω ένα φλιτζάνι καφέ χωρίς ζάχαρη, παρακαλώ.",
  "Στην Αθήνα υπάρχουν πολλά αρχαία μνημεία και μουσεία.",
  "Собака спит у тёплой печки на кухне.",
  "Мы поедем на дачу в субботу утром на электричке.",
  "Дети играют во дворе, пока мама готовит обед.",
  "Зимой в Москве бывает очень холодно и много снега.",
  "Моя сестра учится в университете и изучает историю.",
  "Скажите, пожалуйста, как пройти к вокзалу?",
  "Вечером мы пили чай с вареньем и разговаривали о жизни.",
  "В библиотеке было тихо, и все читали книги.",
  "猫は窓のそばで静かに眠っています。",
  "私は毎朝七時に起きて、コーヒーを飲みます。",
  "週末に友達と一緒に山へ行きました。",
  "この本はとても面白いので、ぜひ読んでください。",
  "駅までの道を教えていただけますか。",
  "東京の桜は四月の初めにきれいに咲きます。",
  "子供たちは公園でサッカーをして遊んでいます。",
  "日本語を勉強するのは難しいですが、楽しいです。",
  // Lines whose NFKC form differs from the input, and whitespace the normaliser collapses.
  "ＡＢＣ full-width letters and ｶﾀｶﾅ half-width kana are normalised.",
  "The ﬁrst ligature, ① circled digit and ㎏ unit sign change under NFKC.",
  "Extra   spaces    between words   collapse into one.",
  "Numbers like 2024, 3.14 and 1,000,000 appear in many texts.",
];

// Text the models never saw, including characters outside their vocabulary.
const UNSEEN_LINES = [
  "Quantum physics puzzles everyone, even Ülrich from Zürich!",
  "Привет, Вселенная — здравствуй, новый день.",
  "Ζωή και ελευθερία για όλους τους ανθρώπους.",
  "新しい年が来ました 🎉 おめでとう",
  "  leading and trailing spaces  ",
];

let dir: string;

function spm(tool: "spm_encode" | "spm_decode", args: string[], input: string): string[] {
  const out = execFileSync(tool, args, { input, encoding: "utf8" });
  return out.replace(/\n$/, "").split("\n");
}

/** The text SentencePiece's default normaliser (nmt_nfkc) yields for these lines. */
function normalised(text: string): string {
  return text.normalize("NFKC").replace(/ +/g, " ").trim();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "xling-tokenizer-test-"));
  writeFileSync(join(dir, "corpus.txt"), TRAINING_LINES.join("\n") + "\n");
});

after(() => rmSync(dir, { recursive: true, force: true }));

for (const modelType of ["unigram", "bpe"] as const) {
  describe(`${modelType} model`, () => {
    let tok: SentencePieceTokenizer;
    let model: string;

    before(async () => {
      const modelPrefix = join(dir, modelType);
      model = `${modelPrefix}.model`;
      // Train from an async stream of documents (two documents of many lines).
      async function* documents() {
        yield TRAINING_LINES.slice(0, 25).join("\n");
        yield TRAINING_LINES.slice(25).join("\n");
      }
      tok = await trainTokenizer(documents(), {
        modelPrefix,
        modelType,
        vocabSize: 400,
        characterCoverage: 1.0,
        numThreads: 1,
      });
    });

    test("vocabulary and special ids", () => {
      assert.equal(tok.vocabSize, 400);
      assert.deepEqual([tok.unkId, tok.bosId, tok.eosId, tok.padId], [0, 1, 2, -1]);
      assert.equal(tok.idToPiece(tok.unkId), "<unk>");
      assert.ok(tok.isUnknown(tok.unkId));
      assert.ok(tok.isControl(tok.bosId) && tok.isControl(tok.eosId));
      assert.ok(!tok.isControl(10) && !tok.isUnknown(10));
      for (let id = 0; id < tok.vocabSize; id++) assert.equal(tok.pieceToId(tok.idToPiece(id)), id);
      assert.equal(tok.pieceToId("no such piece, surely"), tok.unkId);
      assert.equal(typeof tok.score(10), "number");
      assert.throws(() => tok.idToPiece(tok.vocabSize), Error);
    });

    test("pieces and ids match spm_encode on every line", () => {
      const lines = [...TRAINING_LINES, ...UNSEEN_LINES];
      const input = lines.join("\n") + "\n";
      const cliPieces = spm("spm_encode", [`--model=${model}`, "--output_format=piece"], input);
      const cliIds = spm("spm_encode", [`--model=${model}`, "--output_format=id"], input);
      assert.equal(cliPieces.length, lines.length);
      const pieces = tok.encodePiecesBatch(lines);
      const ids = tok.encodeBatch(lines);
      for (let k = 0; k < lines.length; k++) {
        assert.deepEqual(pieces[k], cliPieces[k]!.split(" ").filter((p) => p !== ""), `pieces of line ${k}`);
        assert.deepEqual(Array.from(ids[k]!), cliIds[k]!.split(" ").filter((p) => p !== "").map(Number), `ids of line ${k}`);
        assert.deepEqual(Array.from(tok.encode(lines[k]!)), Array.from(ids[k]!));
        assert.deepEqual(tok.encodePieces(lines[k]!), pieces[k]);
      }
      // The flat form carries the same ids.
      const flat = tok.encodeBatchFlat(lines);
      assert.equal(flat.offsets.length, lines.length + 1);
      assert.deepEqual(Array.from(flat.ids), ids.flatMap((a) => Array.from(a)));
    });

    test("decode inverts encode up to normalisation, as spm_decode does", () => {
      const lines = [...TRAINING_LINES, ...UNSEEN_LINES];
      const ids = tok.encodeBatch(lines);
      const idText = ids.map((a) => Array.from(a).join(" ")).join("\n") + "\n";
      const cliDecoded = spm("spm_decode", [`--model=${model}`, "--input_format=id"], idText);
      const pieces = tok.encodePiecesBatch(lines);
      const pieceText = pieces.map((p) => p.join(" ")).join("\n") + "\n";
      const cliFromPieces = spm("spm_decode", [`--model=${model}`, "--input_format=piece"], pieceText);
      const decoded = tok.decodeBatch(tok.encodeBatchFlat(lines));
      for (let k = 0; k < lines.length; k++) {
        assert.equal(decoded[k], cliDecoded[k], `line ${k}`);
        assert.equal(tok.decode(ids[k]!), decoded[k]);
        assert.equal(tok.decode(Array.from(ids[k]!)), decoded[k]);
        // Unknown pieces keep their surface text, so decoding pieces may differ from
        // decoding ids (which gives " ⁇ "); it must still agree with spm_decode.
        assert.equal(tok.decodePieces(pieces[k]!), cliFromPieces[k], `pieces of line ${k}`);
      }
      // Every training character is in the vocabulary (coverage 1.0), so those lines
      // come back exactly as normalised text.
      for (let k = 0; k < TRAINING_LINES.length; k++) {
        assert.ok(!ids[k]!.includes(tok.unkId), `line ${k} has no unknown pieces`);
        assert.equal(decoded[k], normalised(TRAINING_LINES[k]!));
        assert.equal(tok.decodePieces(pieces[k]!), decoded[k]);
      }
      assert.deepEqual(tok.decodeBatch([]), []);
      assert.equal(tok.decode([]), "");
    });

    test("serialized bytes equal the model file and load back", () => {
      const bytes = tok.serialize();
      assert.deepEqual(Buffer.from(bytes), readFileSync(model));
      const again = SentencePieceTokenizer.fromBytes(bytes);
      assert.deepEqual(again.encodePiecesBatch(TRAINING_LINES), tok.encodePiecesBatch(TRAINING_LINES));
    });
  });
}

test("bad model files and bytes give JS errors", () => {
  assert.throws(() => SentencePieceTokenizer.load(join(dir, "missing.model")), /spm_load: cannot open .*missing\.model/);
  const bytes = readFileSync(join(dir, "unigram.model"));
  assert.throws(() => SentencePieceTokenizer.fromBytes(bytes.subarray(0, bytes.length >> 1)), Error);
  const garbage = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
  assert.throws(() => SentencePieceTokenizer.fromBytes(garbage), Error);
  assert.throws(() => SentencePieceTokenizer.fromBytes(new Uint8Array(0)), Error);
  const notAModel = join(dir, "corpus.txt");
  assert.throws(() => SentencePieceTokenizer.load(notAModel), Error);
  const tok = SentencePieceTokenizer.load(join(dir, "unigram.model"));
  assert.throws(() => tok.decode([tok.vocabSize + 5]), /outside the vocabulary/);
  assert.throws(() => tok.decode([-1]), /outside the vocabulary/);
  assert.throws(() => tok.encodeBatch(["ok", 3 as unknown as string]), TypeError);
});

test("training failures reject with the trainer's message", async () => {
  const input = join(dir, "corpus.txt");
  const modelPrefix = join(dir, "failed");
  await assert.rejects(SentencePieceTokenizer.train({ input, modelPrefix, vocabSize: 100000 }), /Vocabulary size too high/);
  await assert.rejects(
    SentencePieceTokenizer.train({ input, modelPrefix, vocabSize: 200, extraFlags: ["--no_such_flag=1"] }),
    /no_such_flag/,
  );
  await assert.rejects(SentencePieceTokenizer.train({ input: join(dir, "absent.txt"), modelPrefix, vocabSize: 200 }), Error);
  await assert.rejects(trainTokenizer([], { modelPrefix, vocabSize: 200 }), /no text/);
});

test("special symbols and ids from the options", async () => {
  const tok = await SentencePieceTokenizer.train({
    input: join(dir, "corpus.txt"),
    modelPrefix: join(dir, "special"),
    vocabSize: 300,
    characterCoverage: 1.0,
    userDefinedSymbols: ["<mask>"],
    controlSymbols: ["<sep>"],
    unkId: 0,
    bosId: -1,
    eosId: 1,
    padId: 2,
    numThreads: 1,
  });
  assert.deepEqual([tok.unkId, tok.bosId, tok.eosId, tok.padId], [0, -1, 1, 2]);
  assert.equal(tok.idToPiece(2), "<pad>");
  assert.ok(tok.isControl(tok.pieceToId("<sep>")));
  assert.ok(tok.encodePieces("the <mask> dog").includes("<mask>"));
  // A control symbol is never produced from text.
  assert.ok(!tok.encodePieces("the <sep> dog").includes("<sep>"));
});

test("training is deterministic for fixed options and seed", async () => {
  const modelPrefix = join(dir, "det");
  // The trainer only samples from inputs of more than 100 sentences: pair up the lines
  // three ways to get 159 distinct ones.
  const n = TRAINING_LINES.length;
  const lines = [1, 7, 19].flatMap((shift) => TRAINING_LINES.map((line, k) => `${line} ${TRAINING_LINES[(k + shift) % n]}`));
  const input = join(dir, "det-corpus.txt");
  writeFileSync(input, lines.join("\n") + "\n");
  const train = async (numThreads: number, inputSentenceSize = 110) => {
    await SentencePieceTokenizer.train({
      input,
      modelPrefix, // the prefix is recorded in the model, so it must be the same each time
      vocabSize: 250,
      characterCoverage: 1.0,
      // Random sampling of the sentences is the trainer's one random step.
      inputSentenceSize,
      shuffleInputSentence: true,
      randomSeed: 7,
      numThreads,
    });
    return readFileSync(`${modelPrefix}.model`);
  };
  const first = await train(1);
  assert.ok((await train(1)).equals(first), "one thread: identical model bytes");
  const threaded = await train(2);
  assert.ok((await train(2)).equals(threaded), "two threads: identical model bytes");
  // The comparison is sensitive: a different sample gives a different model.
  assert.ok(!(await train(1, 120)).equals(first));
});

test("trainerFlags translates typed options", () => {
  const flags = trainerFlags({
    input: ["a.txt", "b.txt"],
    modelPrefix: "/tmp/m",
    vocabSize: 500,
    modelType: "bpe",
    characterCoverage: 0.9995,
    userDefinedSymbols: ["<mask>", "<cls>"],
    padId: 3,
    inputSentenceSize: 1000,
    shuffleInputSentence: false,
    randomSeed: 42,
    extraFlags: ["--max_sentencepiece_length=8", "--split_digits"],
  });
  assert.deepEqual(flags, {
    input: "a.txt,b.txt",
    model_prefix: "/tmp/m",
    vocab_size: "500",
    model_type: "bpe",
    minloglevel: "1",
    character_coverage: "0.9995",
    user_defined_symbols: "<mask>,<cls>",
    pad_id: "3",
    input_sentence_size: "1000",
    shuffle_input_sentence: "false",
    random_seed: "42",
    max_sentencepiece_length: "8",
    split_digits: "true",
  });
  assert.equal(trainerFlags({ input: "a", modelPrefix: "m", vocabSize: 8, extraFlags: { vocab_size: 9 } }).vocab_size, "9");
  assert.throws(() => trainerFlags({ input: "a", modelPrefix: "m", vocabSize: 8, userDefinedSymbols: ["a,b"] }), /comma/);
  assert.throws(() => trainerFlags({ input: "a", modelPrefix: "m", vocabSize: 0 }), /vocabSize/);
  assert.throws(() => trainerFlags({ input: "a", modelPrefix: "m", vocabSize: 8, characterCoverage: 1.5 }), /characterCoverage/);
  assert.throws(() => trainerFlags({ input: "a", modelPrefix: "m", vocabSize: 8, extraFlags: ["oops"] }), /--name=value/);
});
