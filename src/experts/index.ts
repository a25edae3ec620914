// Cross-lingual expert language models (methods.md §4): partitioning, ensembling,
// adding languages, and branch-train-merge studies (seed, experts, dense baseline, evaluation).
export * from "./typology.js";
export * from "./tfidf.js";
export * from "./svd.js";
export * from "./kmeans.js";
export * from "./content.js";
export * from "./partition.js";
export * from "./ensemble.js";
export * from "./adding.js";
export * from "./slurm.js";
export * from "./lm-ensemble.js";
export * from "./spec.js";
export * from "./expert-run.js";
export * from "./content-split.js";
export * from "./evaluate.js";
export * from "./btm.js";
