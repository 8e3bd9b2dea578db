// The supported runner versions, each proved from the packed tarball: vitest 2, 3 and 4 and Jest 29 and 30 run
// the example project of their kind (examples/vitest, examples/jest: a partner's whole flow through the SDK and
// the typed controls) beside two files of the shared tests, a tenant each. docs/test-suites.md states the range
// these prove. Beside test/slow/consumers.test.ts (one runner version each, more project shapes), so that the two
// run at once.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { RECORD, SHARED_TESTS, ranApart, run, vitestFile } from '../support/consumer.js'
import { PROJECT, packAndInstall } from '../support/package.js'
import { RUNNER_FOLDERS, installRunner } from '../support/runners.js'

const work = mkdtempSync(join(tmpdir(), 'pm-runner-matrix-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
// The runner versions of test/runners/ install meanwhile (the others are this project's own devDependencies).
const runnerInstalls = new Map<string, Promise<string>>(
  RUNNER_FOLDERS.map((folder) => {
    const installing = installRunner(join(PROJECT, 'test', 'runners', folder))
    installing.catch(() => {}) // awaited (and reported) by the test that needs it
    return [folder, installing]
  })
)

const consumer = packAndInstall(work)
// The SDK the examples use, beside the package.
mkdirSync(join(consumer, 'node_modules'), { recursive: true })
symlinkSync(join(PROJECT, 'node_modules', 'polytomic'), join(consumer, 'node_modules', 'polytomic'), 'dir')

/**
 * Each version has a copy of the consumer's node_modules with its own runner, so that the package and the test
 * files load the same runner. The versions not in devDependencies come from test/runners/.
 */
const MATRIX = [
  { label: 'vitest 2', kind: 'vitest', runner: 'vitest-2' },
  { label: 'vitest 3', kind: 'vitest', runner: 'vitest-3' },
  { label: 'vitest 4', kind: 'vitest', runner: null },
  { label: 'Jest 29', kind: 'jest', runner: 'jest-29' },
  { label: 'Jest 30', kind: 'jest', runner: null }
] as const

/** A folder with the example project of a kind, its runner and the shared tests; node_modules is the consumer's. */
async function matrixProject (kind: 'vitest' | 'jest', runner: string | null): Promise<string> {
  const root = join(work, `matrix-${runner ?? kind}`)
  cpSync(join(consumer, 'node_modules'), join(root, 'node_modules'), { recursive: true, verbatimSymlinks: true })
  const pkg = kind === 'vitest' ? 'vitest' : 'jest'
  const installing = runner === null ? undefined : runnerInstalls.get(runner)
  const from = join(installing === undefined ? PROJECT : await installing, 'node_modules')
  rmSync(join(root, 'node_modules', pkg), { recursive: true, force: true })
  symlinkSync(join(from, pkg), join(root, 'node_modules', pkg), 'dir')
  const folder = join(root, 'example')
  cpSync(join(PROJECT, 'examples', kind), folder, { recursive: true })
  if (kind === 'vitest') {
    writeFileSync(join(folder, 'a.test.mjs'), vitestFile('a'))
    writeFileSync(join(folder, 'b.test.mjs'), vitestFile('b'))
  } else {
    const test = (letter: string): string =>
      `const { useTenant } = require('polytomic-mock/jest')\nconst tenant = useTenant({ name: 'jest ${letter}' })\n${RECORD('jest')}${SHARED_TESTS}`
    writeFileSync(join(folder, 'a.test.js'), test('a'))
    writeFileSync(join(folder, 'b.test.js'), test('b'))
  }
  return folder
}

/** Runs the project's runner (with another config, or settings in the environment) and expects every test to pass. */
async function matrixPasses (
  t: Test,
  kind: 'vitest' | 'jest',
  folder: string,
  options: { config?: string; env?: Record<string, string> } = {}
): Promise<void> {
  rmSync(join(folder, 'ran'), { recursive: true, force: true })
  const modules = join(folder, '..', 'node_modules')
  const config = options.config === undefined ? [] : ['--config', options.config]
  const { code, output } =
    kind === 'vitest'
      ? await run(folder, [join(modules, 'vitest', 'vitest.mjs'), 'run', ...config], options.env)
      : await run(
        folder,
        [join(modules, 'jest', 'bin', 'jest.js'), '--ci', `--cacheDirectory=${join(folder, '.cache')}`, ...config],
        options.env
      )
  t.equal(code, 0, output)
  if (kind === 'vitest') {
    t.match(output, /Test Files\s+3 passed \(3\)/)
    t.match(output, /Tests\s+7 passed \(7\)/)
  } else {
    t.match(output, /Test Suites: 3 passed, 3 total/)
    t.match(output, /Tests:\s+5 passed, 5 total/)
  }
  ranApart(t, folder, 1)
}

for (const { label, kind, runner } of MATRIX) {
  t.test(`${label}: the example project's whole partner flow and a tenant per file, from the tarball`, async (t) => {
    const folder = await matrixProject(kind, runner)
    const installed = JSON.parse(readFileSync(join(folder, '..', 'node_modules', kind, 'package.json'), 'utf8')) as {
      version: string
    }
    t.match(installed.version, new RegExp(`^${label.split(' ')[1] ?? ''}\\.`), `${kind} ${installed.version}`)
    await matrixPasses(t, kind, folder)
    if (label === 'vitest 3') {
      // The set-up by its name, which imported vitest in vitest's main process and failed on vitest 3; settings
      // from the environment, in the CLI's variables.
      writeFileSync(
        join(folder, 'named.config.mjs'),
        "export default { test: { globalSetup: ['polytomic-mock/vitest'] } }\n"
      )
      await matrixPasses(t, kind, folder, { config: 'named.config.mjs', env: { WEBHOOK_RETRY_BASE_MS: '5' } })
    }
    if (label === 'Jest 29') {
      // The name a user guesses from vitest's: one module as set-up and tear-down.
      writeFileSync(
        join(folder, 'guessed.config.js'),
        "module.exports = { testEnvironment: 'node', globalSetup: 'polytomic-mock/jest', globalTeardown: 'polytomic-mock/jest' }\n"
      )
      await matrixPasses(t, kind, folder, { config: 'guessed.config.js', env: { WEBHOOK_RETRY_BASE_MS: '5' } })
    }
  })
}
