import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The server's folders, lowest layer first (docs/architecture.md#layers). A folder may import
 * folders of lower layers only, never its own layer's siblings or anything above it. A new
 * folder is one line here.
 */
const SERVER_LAYERS = [
  ['upstream', 'storage'],
  ['jobs', 'politeness', 'normalize'],
  ['collect'],
  ['refresh', 'backfill'],
  ['alerts', 'transfer'],
  ['http'],
]

/** One config entry per server folder: no-restricted-imports of everything it must not see. */
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
                  message: `src/server/${folder} may import only ${below.join(', ') || 'no other server folder'} (SERVER_LAYERS in eslint.config.js: imports run one way).`,
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

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', '.demo-data/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../server/*', '../cli/*', '../web/*', '../sim/*', 'node:*'] },
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
)
