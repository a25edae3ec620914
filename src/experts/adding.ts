/**
 * Adding a language (methods.md §4, hierarchical multi-round): the new expert
 * branches from the most similar existing expert, e.g. Hebrew from the Arabic
 * expert. Similarity is the typological single-link distance from the new
 * language to the expert's languages.
 */
import { singleLinkDistance, type LanguageFeatures } from "./typology.js";

export interface BranchChoice {
  /** Index of the expert to branch from. */
  expert: number;
  /** Its single-link distance to the new language. */
  distance: number;
  /** Distance to every expert, in expert order (+Infinity where nothing is measurable). */
  distances: number[];
}

/**
 * The expert (given as the list of its languages) closest to `language`.
 * Ties go to the lower expert index. Throws if no expert has a measurable
 * distance (no shared features), since then there is nothing to choose by.
 */
export function chooseBranchExpert(
  language: string,
  experts: readonly (readonly string[])[],
  features: LanguageFeatures,
): BranchChoice {
  if (experts.length === 0) throw new RangeError("chooseBranchExpert: no experts");
  experts.forEach((langs, j) => {
    if (langs.length === 0) throw new RangeError(`chooseBranchExpert: expert ${j} has no languages`);
  });
  const distances = experts.map((langs) => singleLinkDistance([language], langs, features));
  let expert = -1;
  distances.forEach((d, j) => {
    if (d < (expert < 0 ? Infinity : distances[expert]!)) expert = j;
  });
  if (expert < 0) throw new RangeError(`chooseBranchExpert: "${language}" shares no features with any expert`);
  return { expert, distance: distances[expert]!, distances };
}
