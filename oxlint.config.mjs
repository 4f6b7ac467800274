/**
 * Lint rules (oxlint): ESLint's and typescript-eslint's recommended rules as oxlint implements
 * them, and the import boundaries. `SERVER_LAYERS` is where the server's import directions are
 * stated (docs/architecture.md#layers); `test/lint-boundaries.test.ts` runs oxlint on files that
 * cross them.
 */

/**
 * The server's folders, lowest layer first. A folder may import folders of lower layers only,
 * never its own layer's siblings or anything above it. A new folder is one line here.
 */
export const SERVER_LAYERS = [
  ['upstream', 'storage'],
  ['jobs', 'politeness', 'normalize'],
  ['collect'],
  ['refresh', 'backfill'],
  ['alerts', 'transfer'],
  ['http'],
]

/** One override per server folder: no-restricted-imports of everything it must not see. */
function serverLayerRules() {
  const all = SERVER_LAYERS.flat()
  return SERVER_LAYERS.flatMap((layer, level) => {
    const below = SERVER_LAYERS.slice(0, level).flat()
    return layer.map((folder) => {
      const forbidden = all.filter((f) => f !== folder && !below.includes(f))
      return {
        files: [`src/server/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
                  message: `src/server/${folder} may import only ${below.join(', ') || 'no other server folder'} (SERVER_LAYERS in oxlint.config.mjs: imports run one way).`,
                },
                {
                  regex: '^(\\.\\./)+(main|serve)\\.ts$',
                  message: 'Only the entry points start the server.',
                },
                {
                  regex: '^(\\.\\./)+compose\\.ts$',
                  allowTypeImports: true,
                  message: 'Services are wired in compose.ts and passed in, never imported.',
                },
              ],
            },
          ],
        },
      }
    })
  })
}

export default {
  plugins: ['typescript'],
  categories: { correctness: 'off' },
  env: { builtin: true },
  ignorePatterns: ['node_modules/', 'dist/', 'data/', '.demo-data/', 'coverage/', '.tmp/'],
  rules: {
    'constructor-super': 'error',
    'for-direction': 'error',
    'getter-return': 'error',
    'no-async-promise-executor': 'error',
    'no-case-declarations': 'error',
    'no-class-assign': 'error',
    'no-compare-neg-zero': 'error',
    'no-cond-assign': 'error',
    'no-const-assign': 'error',
    'no-constant-binary-expression': 'error',
    'no-constant-condition': 'error',
    'no-control-regex': 'error',
    'no-debugger': 'error',
    'no-delete-var': 'error',
    'no-dupe-class-members': 'error',
    'no-dupe-else-if': 'error',
    'no-dupe-keys': 'error',
    'no-duplicate-case': 'error',
    'no-empty': 'error',
    'no-empty-character-class': 'error',
    'no-empty-pattern': 'error',
    'no-empty-static-block': 'error',
    'no-ex-assign': 'error',
    'no-extra-boolean-cast': 'error',
    'no-fallthrough': 'error',
    'no-func-assign': 'error',
    'no-global-assign': 'error',
    'no-import-assign': 'error',
    'no-invalid-regexp': 'error',
    'no-irregular-whitespace': 'error',
    'no-loss-of-precision': 'error',
    'no-misleading-character-class': 'error',
    'no-new-native-nonconstructor': 'error',
    'no-nonoctal-decimal-escape': 'error',
    'no-obj-calls': 'error',
    'no-prototype-builtins': 'error',
    'no-redeclare': 'error',
    'no-regex-spaces': 'error',
    'no-self-assign': 'error',
    'no-setter-return': 'error',
    'no-shadow-restricted-names': 'error',
    'no-sparse-arrays': 'error',
    'no-this-before-super': 'error',
    'no-unassigned-vars': 'error',
    'no-unexpected-multiline': 'error',
    'no-unreachable': 'error',
    'no-unsafe-finally': 'error',
    'no-unsafe-negation': 'error',
    'no-unsafe-optional-chaining': 'error',
    'no-unused-labels': 'error',
    'no-unused-private-class-members': 'error',
    'no-unused-vars': [
      'error',
      {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
      },
    ],
    'no-useless-backreference': 'error',
    'no-useless-catch': 'error',
    'no-useless-escape': 'error',
    'no-with': 'error',
    'preserve-caught-error': 'error',
    'require-yield': 'error',
    'use-isnan': 'error',
    'valid-typeof': 'error',
    'no-array-constructor': 'error',
    'no-unused-expressions': 'error',
    'typescript/ban-ts-comment': 'error',
    'typescript/no-duplicate-enum-values': 'error',
    'typescript/no-empty-object-type': 'error',
    'typescript/no-explicit-any': 'error',
    'typescript/no-extra-non-null-assertion': 'error',
    'typescript/no-misused-new': 'error',
    'typescript/no-namespace': 'error',
    'typescript/no-non-null-asserted-optional-chain': 'error',
    'typescript/no-require-imports': 'error',
    'typescript/no-this-alias': 'error',
    'typescript/no-unnecessary-type-constraint': 'error',
    'typescript/no-unsafe-declaration-merging': 'error',
    'typescript/no-unsafe-function-type': 'error',
    'typescript/no-wrapper-object-types': 'error',
    'typescript/prefer-as-const': 'error',
    'typescript/prefer-namespace-keyword': 'error',
    'typescript/triple-slash-reference': 'error',
    'typescript/consistent-type-imports': 'error',
  },
  overrides: [
    {
      files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
      rules: {
        'constructor-super': 'off',
        'getter-return': 'off',
        'no-class-assign': 'off',
        'no-const-assign': 'off',
        'no-dupe-class-members': 'off',
        'no-dupe-keys': 'off',
        'no-func-assign': 'off',
        'no-import-assign': 'off',
        'no-new-native-nonconstructor': 'off',
        'no-obj-calls': 'off',
        'no-redeclare': 'off',
        'no-setter-return': 'off',
        'no-this-before-super': 'off',
        'no-unreachable': 'off',
        'no-unsafe-negation': 'off',
        'no-var': 'error',
        'no-with': 'off',
        'prefer-const': 'error',
        'prefer-rest-params': 'error',
        'prefer-spread': 'error',
      },
    },
    {
      files: ['bin/**/*.js'],
      globals: { process: 'readonly', URL: 'readonly', console: 'readonly' },
    },
    {
      // src/shared is imported by the server and the page alike: it imports neither, nor Node.
      files: ['src/shared/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: ['../server/*', '../cli/*', '../web/*', '../sim/*', 'node:*'],
          },
        ],
      },
    },
    ...serverLayerRules(),
    {
      // The page imports only src/shared (and npm packages), never Node or the server.
      files: ['src/web/**/*.{ts,tsx}'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              '**/server/*',
              '**/server/**',
              '**/cli/**',
              '**/sim/**',
              '**/test/**',
              'node:*',
            ],
          },
        ],
      },
    },
  ],
}
