// The layer rules of docs/architecture.md, checked by `npm run lint` (dependency-cruiser).
// Imports point down this list only; folders on one line are one layer and may import
// each other as long as no cycle forms:
//   util -> torch -> nn -> data, train, analysis, experts, transfer, distributed, report
//        -> run -> studies -> reproduce -> cli
const LAYERS = [
  ["util"],
  ["torch"],
  ["nn"],
  ["data", "train", "analysis", "experts", "transfer", "distributed", "report"],
  ["run"],
  ["studies"],
  ["reproduce"],
  ["cli"],
];
const dir = (names) => `^src/(${names.join("|")})/`;
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join("-")}`,
  comment: `${layer.join(", ")} may import only from layers below (docs/architecture.md)`,
  severity: "error",
  from: { path: dir(layer) },
  to: { path: dir(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "import cycles make load order matter and layers meaningless",
      severity: "error",
      from: { path: "^src/" },
      // Type-only imports vanish at run time; Tensor and its generated ops refer to each other's types.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "addon-only-through-torch",
      comment: "only src/torch talks to the native addon",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/torch/" },
      to: { path: "^src/torch/native\\.ts$" },
    },
    {
      name: "study-kinds-independent",
      comment: "a study kind (src/studies/<kind>/) imports the run layer and below, never another kind or the registry; what two kinds share lives in src/studies/balancing/ (shared, not a kind)",
      severity: "error",
      from: { path: "^src/studies/([^/]+)/" },
      to: { path: "^src/studies/", pathNot: ["^src/studies/$1/", "^src/studies/study\\.ts$", "^src/studies/balancing/"] },
    },
    {
      name: "shared-study-code-below-kinds",
      comment: "src/studies/balancing/ is shared by study kinds and imports none of them",
      severity: "error",
      from: { path: "^src/studies/balancing/" },
      to: { path: "^src/studies/", pathNot: ["^src/studies/balancing/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules|build)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
