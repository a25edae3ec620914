// Numeric analysis of experiment results and representations (methods.md §1-3).
export * from "./matrix.js";
export * from "./linalg.js";
export * from "./stats.js";
export * from "./powerlaw.js";
export * from "./matching.js";
export * from "./similarity.js";
export * from "./retrieval.js";
