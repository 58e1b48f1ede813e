// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first: a file may import from its own layer and the ones below, never above
 * (docs/architecture.md). `match` is how an import of a layer's file is written (gitignore-style patterns on the
 * import path); `types` lists the layers above whose types (only) a layer may name, where a type describes what
 * an upper layer hands down (a validation's Errors on ValidationError, a schema problem on SchemaMismatchError).
 */
const LAYERS = [
  {
    name: 'base',
    files: ['src/errors.ts', 'src/tooling-errors.ts', 'src/own-property.ts', 'src/options.ts'],
    types: ['model', 'schema'],
  },
  { name: 'sql', files: ['src/sql/**'], types: ['dialects'] },
  { name: 'dialects', files: ['src/dialects/**'] },
  { name: 'connection', files: ['src/connection/**'] },
  { name: 'crud', files: ['src/crud/**', 'src/registry.ts', 'src/transaction.ts'], types: ['schema'] },
  { name: 'model', files: ['src/model/**', 'src/validation/**', 'src/query/**'], types: ['relationships'] },
  { name: 'relationships', files: ['src/relationships/**'] },
  { name: 'schema', files: ['src/schema/**', 'src/migrations/**'] },
  { name: 'entry', files: ['src/index.ts', 'src/define-config.ts'] },
  { name: 'testing', files: ['src/testing/**'] },
  { name: 'cli', files: ['src/cli/**'] },
  { name: 'pglite', files: ['src/pglite/**'] },
];

/** How an import names a file of each layer, from anywhere in src/. */
const MATCH = {
  base: ['**/errors.js', '**/tooling-errors.js', '**/own-property.js', '**/options.js'],
  sql: ['**/sql/*'],
  dialects: ['**/dialects/**'],
  connection: ['**/connection/*'],
  crud: ['**/crud/*', '**/registry.js', '**/transaction.js'],
  model: ['**/model/*', '**/validation/*', '**/query/*'],
  relationships: ['**/relationships/*'],
  schema: ['**/schema/*', '**/migrations/*'],
  entry: ['**/index.js', '**/define-config.js'],
  testing: ['**/testing/*'],
  cli: ['**/cli/*'],
  pglite: ['**/pglite/*'],
};

/** One config per layer: its files may not import the layers above it. */
const layerRules = LAYERS.map((layer, at) => {
  const above = LAYERS.slice(at + 1).map((each) => each.name);
  // The layer's own patterns are never forbidden (validation/errors.js is a model file, errors.js a base one).
  const own = new Set(MATCH[layer.name]);
  const patterns = above.map((name) => ({
    group: MATCH[name].filter((pattern) => !own.has(pattern)),
    allowTypeImports: layer.types?.includes(name) === true,
    message: `${layer.name} is below ${name}: imports run one way (docs/architecture.md).`,
  }));
  return { files: layer.files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/peers/**', 'bench/results/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Overloads are kept apart where each has its own documented result type.
      '@typescript-eslint/unified-signatures': 'off',
      'no-console': 'off',
    },
  },
  ...layerRules,
  {
    // A database added from outside uses the public API only; twistar/pglite proves it can be done.
    files: ['src/pglite/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../index.js'],
              message: 'twistar/pglite is written against the public API: import from ../index.js only.',
            },
          ],
        },
      ],
    },
  },
  {
    // In tests and benchmarks a wrong assumption fails at once, which is what `!` is for there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
