// The methods' "middle layers" of a model (methods.md §1): where the imbalance studies read
// hidden-state alignment.

/** The layers in the middle half of a model of `layers` blocks (1-based): the methods' "middle layers". */
export function middleLayers(layers: number): number[] {
  const skip = Math.floor(layers / 4);
  const out: number[] = [];
  for (let l = skip + 1; l <= layers - skip; l++) out.push(l);
  return out;
}

/** Mean of a by-layer profile over its middle layers (NaN when a middle layer is missing). */
export function middleLayerMean(profile: { layer: number; value: number }[]): number {
  if (!profile.length) return NaN;
  const mid = middleLayers(Math.max(...profile.map((p) => p.layer)));
  const values = mid.map((l) => profile.find((p) => p.layer === l)?.value ?? NaN);
  return values.reduce((a, b) => a + b, 0) / values.length;
}
