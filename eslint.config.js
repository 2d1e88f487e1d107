// Lint rules. The import boundaries between src/ folders are the architecture (see STYLE.md):
// each folder may import only the folders listed here, and only through their index.ts.
import tseslint from 'typescript-eslint';

const layers = {
  core: [],
  learn: ['core'],
  data: ['core'],
  model: ['core', 'learn'],
  tracking: ['core'],
  autolog: ['core', 'learn', 'data', 'model', 'tracking'],
  flow: ['core', 'tracking'],
  monitor: ['core', 'learn', 'data', 'model', 'tracking', 'flow'],
  serve: ['core', 'learn', 'data', 'model', 'tracking', 'autolog', 'flow', 'monitor'],
  cli: ['core', 'learn', 'data', 'model', 'tracking', 'autolog', 'flow', 'monitor', 'serve'],
};
const all = Object.keys(layers);

const boundaries = Object.entries(layers).map(([folder, allowed]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...all
            .filter((g) => g !== folder && !allowed.includes(g))
            .map((g) => ({ group: [`**/${g}/**`, `**/${g}/index.js`], message: `src/${folder} may not import src/${g} (see eslint.config.js layers)` })),
          ...allowed.map((g) => ({
            group: [`**/${g}/*`, `!**/${g}/index.js`, `**/${g}/*/**`],
            message: `import src/${g} through its index.js only`,
          })),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'ui/dist/**', 'mlship/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...boundaries,
  {
    files: ['test/e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/**'], message: 'e2e tests use public exports only (dist or the CLI)' }] }],
    },
  },
);
