// Fastify's own style (neostandard) plus typescript-eslint's type-aware rules over the TypeScript
// (src/, test/, bench/: everything tsconfig.json covers), and 120 characters a line of code.
import neostandard from 'neostandard'
import tseslint from 'typescript-eslint'

/** tap's t.test() and its hooks are awaited by tap itself (a parent ends after its subtests), as node:test's are. */
const TEST_CALLS = ['test', 'before', 'after', 'beforeEach', 'afterEach', 'teardown']

export default [
  ...neostandard({ ts: true, noJsx: true, ignores: ['dist/', 'node_modules/', '.tap/', '.tap-build/', 'coverage/'] }),
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Off: `async` here is how the caller treats a function, not a promise that it awaits. Fastify
      // takes a plugin as an async function (avvio waits on its promise) and an async handler's value
      // as the reply; tap ends an async test callback when its promise settles (a sync one needs t.end()).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [
          { from: 'package', name: TEST_CALLS, package: '@tapjs/core' },
          { from: 'package', name: TEST_CALLS, package: '@tapjs/test' },
          { from: 'package', name: TEST_CALLS, package: 'node:test' }
        ]
      }]
    }
  },
  {
    rules: {
      // 120 a line of code; a line that holds a string, a URL or a regular expression may run longer.
      '@stylistic/max-len': ['error', {
        code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true
      }],
      'no-console': 'error'
    }
  }
]
