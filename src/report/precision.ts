// How a report names the precision its runs trained in (configs from before precision
// was recorded trained in fp32).
const NAMES: Record<string, string> = {
  fp32: "fp32",
  bf16: "bf16 autocast (float32 weights, gradients and optimizer state)",
  fp16: "fp16 autocast (float32 weights, gradients and optimizer state)",
};

/** The distinct precisions of the runs, e.g. "bf16 autocast (...)" or "fp32, bf16 autocast (...)". */
export function precisionFact(precisions: (string | undefined)[]): { label: string; value: string } {
  const distinct = [...new Set(precisions.map((p) => p ?? "fp32"))];
  return { label: "precision", value: distinct.map((p) => NAMES[p] ?? p).join(", ") };
}
