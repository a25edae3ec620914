// How aligned an encoder's languages are, layer by layer (methods.md §3): word retrieval
// (weak and strong) on aligned word pairs of held-out parallel texts, linear CKA between
// the mean-pooled states of parallel texts, and the silhouette of language labels on
// those text embeddings (the "mingling" score: low when languages are mixed together).
import { cat, noGrad, tidy, zeros, type Tensor } from "../torch/index.js";
import type { Encoder } from "../nn/encoder.js";
import { meanPool } from "../nn/heads.js";
import { retrievalAccuracy } from "../analysis/retrieval.js";
import { linearCka, silhouetteScore } from "../analysis/similarity.js";
import { padRows, spanPooling, wordVectors, type WordRepresentation } from "./realign.js";
import type { AlignedText } from "./aligned-pairs.js";

export interface LayerAlignment {
  /** 0 = embeddings, l = layer l. */
  layer: number;
  weak: number;
  strong: number;
  cka: number;
  /** Word pairs scored. */
  pairs: number;
}

/** Each layer's batches as one [rows, hidden] tensor (the parts are disposed). */
function joinLayers(parts: Tensor[][], hidden: number): Tensor[] {
  return parts.map((p) => {
    if (p.length === 0) return zeros([0, hidden], "float64");
    if (p.length === 1) return p[0];
    const all = cat(p, 0);
    p.forEach((t) => t.dispose());
    return all;
  });
}

/** Per layer: float64 states of word spans and mean-pooled text states, for one side of the texts (tensors the caller disposes). */
function sideStates(encoder: Encoder, texts: AlignedText[], side: "src" | "tgt", maxLen: number, batch: number, word: WordRepresentation): { words: Tensor[]; pooled: Tensor[] } {
  const layers = encoder.config.layers + 1;
  const words: Tensor[][] = Array.from({ length: layers }, () => []);
  const pooled: Tensor[][] = Array.from({ length: layers }, () => []);
  for (let i = 0; i < texts.length; i += batch) {
    const group = texts.slice(i, i + batch);
    const states = tidy(() => {
      const ids = padRows(group.map((t) => t[side].ids), maxLen, encoder.config.padId);
      const { hidden } = encoder.forward(ids, { hidden: true });
      const slots = group.flatMap((t, row) => t.links.map((l) => ({ row, span: t[side].spans[side === "src" ? l[0] : l[1]]! })));
      const pooling = slots.length ? spanPooling(slots, group.length, maxLen, "float32", word) : null;
      return hidden!.map((h) => ({
        words: pooling ? wordVectors(h, pooling).toDtype("float64") : null,
        pooled: meanPool(h, ids, encoder.config.padId).toDtype("float64"),
      }));
    });
    states.forEach((st, l) => {
      if (st.words) words[l].push(st.words);
      pooled[l].push(st.pooled);
    });
  }
  return { words: joinLayers(words, encoder.config.hidden), pooled: joinLayers(pooled, encoder.config.hidden) };
}

/** Retrieval and CKA at every layer between the two sides of held-out aligned texts (on the tensors, in float64). */
export function alignmentByLayer(encoder: Encoder, texts: AlignedText[], maxLen: number, batch = 32, word: WordRepresentation = "first"): LayerAlignment[] {
  return noGrad(() => tidy(() => {
    const src = sideStates(encoder, texts, "src", maxLen, batch, word);
    const tgt = sideStates(encoder, texts, "tgt", maxLen, batch, word);
    return src.words.map((w, layer) => {
      const r = retrievalAccuracy(w, tgt.words[layer]);
      return { layer, weak: r.weak, strong: r.strong, cka: linearCka(src.pooled[layer], tgt.pooled[layer]), pairs: r.n };
    });
  }));
}

/** Silhouette of language labels on mean-pooled text embeddings, per layer. */
export function languageSilhouetteByLayer(encoder: Encoder, textsByLang: Map<string, Int32Array[]>, maxLen: number, batch = 32): number[] {
  return noGrad(() => tidy(() => {
    const layers = encoder.config.layers + 1;
    const pooled: Tensor[][] = Array.from({ length: layers }, () => []);
    const labels: string[] = [];
    for (const [lang, texts] of textsByLang) {
      for (let i = 0; i < texts.length; i += batch) {
        const states = tidy(() => {
          const ids = padRows(texts.slice(i, i + batch), maxLen, encoder.config.padId);
          return encoder.forward(ids, { hidden: true }).hidden!.map((h) => meanPool(h, ids, encoder.config.padId).toDtype("float64"));
        });
        states.forEach((t, l) => pooled[l].push(t));
      }
      labels.push(...texts.map(() => lang));
    }
    return joinLayers(pooled, encoder.config.hidden).map((t) => silhouetteScore(t, labels).mean);
  }));
}
