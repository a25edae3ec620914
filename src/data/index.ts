export * from "./errors.js";
export * from "./readers/index.js";
export * from "./manifest.js";
export * from "./token-cache.js";
export * from "./pack.js";
export * from "./clones.js";
export * from "./samplers.js";
