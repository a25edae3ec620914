// What every study's run shares: the split seed, the outcome it writes to results.json,
// the exception an interrupted run ends with, and the GPT a model spec names.
import { GPT_SIZES, type GPTConfig } from "../nn/gpt.js";
import type { ModelSpecValue } from "./spec.js";

/** Every run of every experiment splits a corpus the same way, whatever its training seed. */
export const DATA_SPLIT_SEED = 0;

export interface ResultRow {
  name: string;
  lang: string | null;
  layer: number | null;
  value: number;
}

export interface RunOutcome {
  languages: string[];
  steps: number;
  tokensSeen: Record<string, number>;
  results: ResultRow[];
  seconds: number;
}

export class RunInterrupted extends Error {
  constructor(readonly step: number) {
    super(`run interrupted at step ${step}; the checkpoint is saved and the run resumes from it`);
    this.name = "RunInterrupted";
  }
}

/** Steps a run trains for: the budget scaled by its data fraction (the imbalance studies' runs alone at a data fraction). */
export function runSteps(cfg: { train: { steps: number }; data: { fraction: number } }): number {
  return Math.max(1, Math.round(cfg.train.steps * cfg.data.fraction));
}

/** The GPT for a run's model spec (any study's config with a `model` field). */
export function modelConfigFor(cfg: { model: ModelSpecValue }, vocabSize: number): GPTConfig {
  const m = cfg.model;
  const dims = m.size === "custom" ? { dModel: m.dModel!, layers: m.layers!, heads: m.heads! } : { ...GPT_SIZES[m.size], ...pick(m) };
  return { vocabSize, seqLen: m.seqLen, dropout: m.dropout, ...dims };
}

function pick(m: ModelSpecValue) {
  const out: Partial<Record<"dModel" | "layers" | "heads", number>> = {};
  if (m.dModel) out.dModel = m.dModel;
  if (m.layers) out.layers = m.layers;
  if (m.heads) out.heads = m.heads;
  return out;
}
