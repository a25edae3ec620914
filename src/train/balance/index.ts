// Balancing languages during training (methods.md §5): per-language gradients,
// gradient surgery (PCGrad, GradVac, GradNorm), CATS loss weights, measured curvature.
// Data-level baselines (proportional, temperature, uniform sampling) live in
// src/data/samplers.ts.
export * from "./vectors.js";
export * from "./per-language-grads.js";
export * from "./surgery.js";
export * from "./cats.js";
export * from "./curvature.js";
export * from "./balancers.js";
