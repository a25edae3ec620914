// Cross-lingual expert language models (methods.md §4): partitioning, ensembling,
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
export * from "./evaluate.js";
