export * from "./tokenize.js";
export * from "./symmetrize.js";
export * from "./word-pairs.js";
export * from "./fast-align.js";
export * from "./aer.js";
export * from "./dictd.js";
export * from "./dictionary-pairs.js";
