// A bidirectional transformer encoder in the BERT / XLM-R layout (methods.md §2, §3):
// post-LayerNorm blocks, exact GELU, learned absolute positions and token types, with the
// module tree named as Hugging Face names it (embeddings.word_embeddings, encoder.layer.0
// .attention.self.query, ...), so its checkpoints and theirs share parameter names. The
// masked-LM head ties its decoder to the word embeddings.
import { type DType, Tensor, crossEntropy, zeros } from "../torch/index.js";
import { Dropout, Embedding, LayerNorm, Linear } from "./layers.js";
import { Module, ModuleList } from "./module.js";

export type EncoderFamily = "bert" | "xlm-roberta";

export interface EncoderConfig {
  family: EncoderFamily;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  /** MLP width (4 x hidden in BERT). */
  intermediate: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  padId: number;
  dropout: number;
  dtype?: DType;
}

export function encoderConfig(c: Partial<EncoderConfig> & Pick<EncoderConfig, "vocabSize" | "hidden" | "layers" | "heads">): EncoderConfig {
  const out: EncoderConfig = {
    family: "bert", intermediate: 4 * c.hidden, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12, padId: 0, dropout: 0.1, ...c,
  };
  for (const k of ["vocabSize", "hidden", "layers", "heads", "intermediate", "maxPositions", "typeVocabSize"] as const)
    if (!Number.isInteger(out[k]) || out[k] <= 0) throw new Error(`encoder config: ${k} must be a positive integer, got ${out[k]}`);
  if (out.hidden % out.heads !== 0) throw new Error(`encoder config: hidden ${out.hidden} is not divisible by heads ${out.heads}`);
  return out;
}

/**
 * Where position ids start. XLM-R (RoBERTa) numbers positions from padId + 1, so its
 * position table has padId + 1 unused rows in front; BERT starts at 0.
 */
export function positionOffset(c: EncoderConfig): number {
  return c.family === "xlm-roberta" ? c.padId + 1 : 0;
}

class Embeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(private readonly c: EncoderConfig) {
    super();
    const dtype = c.dtype ?? "float32";
    this.word_embeddings = this.child("word_embeddings", new Embedding(c.vocabSize, c.hidden, { dtype }));
    this.position_embeddings = this.child("position_embeddings", new Embedding(c.maxPositions, c.hidden, { dtype }));
    this.token_type_embeddings = this.child("token_type_embeddings", new Embedding(c.typeVocabSize, c.hidden, { dtype }));
    this.LayerNorm = this.child("LayerNorm", new LayerNorm(c.hidden, c.layerNormEps, dtype));
    this.dropout = this.child("dropout", new Dropout(c.dropout));
  }
  forward(ids: Tensor, typeIds: Tensor | null): Tensor {
    const t = ids.shape[1];
    const first = positionOffset(this.c);
    if (first + t > this.c.maxPositions) throw new Error(`sequence of ${t} tokens exceeds the encoder's ${this.c.maxPositions - first} positions`);
    const pos = this.position_embeddings.weight.narrow(0, first, t);
    const types = typeIds ? this.token_type_embeddings.forward(typeIds) : this.token_type_embeddings.weight.narrow(0, 0, 1);
    return this.dropout.forward(this.LayerNorm.forward(this.word_embeddings.forward(ids).add(pos).add(types)));
  }
}

class SelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  constructor(private readonly c: EncoderConfig) {
    super();
    const dtype = c.dtype ?? "float32";
    this.query = this.child("query", new Linear(c.hidden, c.hidden, { dtype }));
    this.key = this.child("key", new Linear(c.hidden, c.hidden, { dtype }));
    this.value = this.child("value", new Linear(c.hidden, c.hidden, { dtype }));
  }
  /** bias: [B, 1, 1, T], 0 where a key may be attended and -inf at padding. */
  forward(x: Tensor, bias: Tensor): Tensor {
    const [b, t, d] = x.shape;
    const h = this.c.heads;
    const dh = d / h;
    const split = (y: Tensor) => y.view([b, t, h, dh]).transpose(1, 2);
    const q = split(this.query.forward(x));
    const k = split(this.key.forward(x));
    const v = split(this.value.forward(x));
    const att = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(dh)).add(bias).softmax(-1);
    return att.matmul(v).transpose(1, 2).reshape([b, t, d]);
  }
}

/** A dense layer, dropout and residual LayerNorm: BERT's "output" sublayers. */
class ResidualOutput extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(inFeatures: number, c: EncoderConfig) {
    super();
    const dtype = c.dtype ?? "float32";
    this.dense = this.child("dense", new Linear(inFeatures, c.hidden, { dtype }));
    this.LayerNorm = this.child("LayerNorm", new LayerNorm(c.hidden, c.layerNormEps, dtype));
    this.dropout = this.child("dropout", new Dropout(c.dropout));
  }
  forward(x: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(x)).add(residual));
  }
}

class Attention extends Module {
  readonly self: SelfAttention;
  readonly output: ResidualOutput;
  constructor(c: EncoderConfig) {
    super();
    this.self = this.child("self", new SelfAttention(c));
    this.output = this.child("output", new ResidualOutput(c.hidden, c));
  }
  forward(x: Tensor, bias: Tensor): Tensor {
    return this.output.forward(this.self.forward(x, bias), x);
  }
}

class Intermediate extends Module {
  readonly dense: Linear;
  constructor(c: EncoderConfig) {
    super();
    this.dense = this.child("dense", new Linear(c.hidden, c.intermediate, { dtype: c.dtype ?? "float32" }));
  }
  forward(x: Tensor): Tensor {
    return this.dense.forward(x).gelu();
  }
}

class Layer extends Module {
  readonly attention: Attention;
  readonly intermediate: Intermediate;
  readonly output: ResidualOutput;
  constructor(c: EncoderConfig) {
    super();
    this.attention = this.child("attention", new Attention(c));
    this.intermediate = this.child("intermediate", new Intermediate(c));
    this.output = this.child("output", new ResidualOutput(c.intermediate, c));
  }
  forward(x: Tensor, bias: Tensor): Tensor {
    const a = this.attention.forward(x, bias);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

class LayerStack extends Module {
  readonly layer: ModuleList<Layer>;
  constructor(c: EncoderConfig) {
    super();
    this.layer = this.child("layer", new ModuleList(Array.from({ length: c.layers }, () => new Layer(c))));
  }
}

export interface EncoderOutput {
  /** [B, T, H]: the last layer's states. */
  last: Tensor;
  /** hidden[0] = embeddings, hidden[l] = layer l's output, when asked. */
  hidden?: Tensor[];
}

/** The encoder body (BertModel / XLMRobertaModel without the pooler). */
export class Encoder extends Module {
  readonly embeddings: Embeddings;
  readonly encoder: LayerStack;
  constructor(readonly config: EncoderConfig) {
    super();
    this.embeddings = this.child("embeddings", new Embeddings(config));
    this.encoder = this.child("encoder", new LayerStack(config));
  }

  /** ids: int64 [B, T]; pads (padId) are never attended to. */
  forward(ids: Tensor, opts: { typeIds?: Tensor; hidden?: boolean } = {}): EncoderOutput {
    const [b, t] = ids.shape;
    const bias = zeros([b, 1, 1, t], this.config.dtype ?? "float32").maskedFill(ids.eq(this.config.padId).view([b, 1, 1, t]), -Infinity);
    let x = this.embeddings.forward(ids, opts.typeIds ?? null);
    const hidden = opts.hidden ? [x] : undefined;
    for (const layer of this.encoder.layer.items) {
      x = layer.forward(x, bias);
      hidden?.push(x);
    }
    return hidden ? { last: x, hidden } : { last: x };
  }
}

class MlmTransform extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  constructor(c: EncoderConfig) {
    super();
    const dtype = c.dtype ?? "float32";
    this.dense = this.child("dense", new Linear(c.hidden, c.hidden, { dtype }));
    this.LayerNorm = this.child("LayerNorm", new LayerNorm(c.hidden, c.layerNormEps, dtype));
  }
  forward(x: Tensor): Tensor {
    return this.LayerNorm.forward(this.dense.forward(x).gelu());
  }
}

/** Masked-LM head: transform, then the word embeddings transposed plus a bias. */
export class MlmHead extends Module {
  readonly transform: MlmTransform;
  readonly bias: Tensor;
  constructor(c: EncoderConfig, private readonly wordEmbeddings: Tensor) {
    super();
    this.transform = this.child("transform", new MlmTransform(c));
    this.bias = this.param("bias", zeros([c.vocabSize], c.dtype ?? "float32"));
  }
  forward(states: Tensor): Tensor {
    return this.transform.forward(states).matmul(this.wordEmbeddings.t()).add(this.bias);
  }
}

/** Encoder with its masked-LM head: what pretraining trains and a checkpoint holds. */
export class MaskedLM extends Module {
  readonly encoder: Encoder;
  readonly mlm: MlmHead;
  constructor(readonly config: EncoderConfig) {
    super();
    this.encoder = this.child("encoder", new Encoder(config));
    this.mlm = this.child("mlm", new MlmHead(config, this.encoder.embeddings.word_embeddings.weight));
  }

  /** Logits [B, T, V]. */
  forward(ids: Tensor): Tensor {
    return this.mlm.forward(this.encoder.forward(ids).last);
  }

  /** Mean cross-entropy over positions whose label is not -100. */
  loss(ids: Tensor, labels: Tensor): Tensor {
    const logits = this.forward(ids);
    return crossEntropy(logits.reshape([-1, this.config.vocabSize]), labels.reshape([-1]), null, "mean", -100);
  }
}
