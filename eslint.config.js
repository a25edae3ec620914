// ESLint (flat config): typescript-eslint's recommended rules over src/, test/ and scripts/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", "build/", "node_modules/", "src/torch/generated/", "native/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain JavaScript (bin/, scripts/*.mjs, native/*.mjs) runs on Node.
  { files: ["**/*.js", "**/*.mjs", "**/*.cjs"], languageOptions: { globals: globals.node } },
  {
    rules: {
      // Names starting with "_" are deliberately unused (destructuring to drop a field, required parameters).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
