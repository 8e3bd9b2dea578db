// The packed tarball as a consumer meets it, from fresh folders: a default Jest project (CommonJS),
// a ts-jest project made by `ts-jest config:init`, a vitest project, a CommonJS require, and
// TypeScript consumers (CommonJS and ES module) type-checking with skipLibCheck: false. Each runner
// project runs two test files in parallel, a tenant each, against the simulator its global set-up
// started. The runners themselves are this project's devDependencies, linked into the consumer.
import { execFileSync, spawn } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import t, { type Test } from 'tap'
import { GENEROUS_MS } from '../support/child.js'
import { RUNNER_FOLDERS, installRunner } from '../support/runners.js'
import { PROJECT, packAndInstall } from '../support/package.js'

const work = mkdtempSync(join(tmpdir(), 'pm-consumers-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const consumer = packAndInstall(work)
// The runner versions of test/runners/ install meanwhile (the others are this project's own devDependencies).
const runnerInstalls = new Map<string, Promise<string>>(
  RUNNER_FOLDERS.map((folder) => {
    const installing = installRunner(join(PROJECT, 'test', 'runners', folder))
    installing.catch(() => {}) // awaited (and reported) by the test that needs it
    return [folder, installing]
  })
)

// What a consumer installs beside the package: the runner, its TypeScript tooling and the SDK.
for (const name of ['jest', 'ts-jest', '@jest/globals', 'vitest', 'typescript', 'polytomic']) {
  const link = join(consumer, 'node_modules', name)
  mkdirSync(dirname(link), { recursive: true })
  symlinkSync(join(PROJECT, 'node_modules', name), link, 'dir')
}

/** A fresh project folder inside the consumer (so it resolves the installed package), with its files. */
function project (name: string, files: Record<string, string>): string {
  const folder = join(consumer, name)
  mkdirSync(folder, { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text)
  return folder
}

/** Runs node (or `command`) to its end; its exit code and all it printed. Bounded only against a hang. */
async function run (
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  command: string = process.execPath
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return new Promise((resolve) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL')
    }, GENEROUS_MS)
    child.on('exit', (code) => {
      clearTimeout(bound)
      resolve({ code, output })
    })
  })
}

/**
 * Each test file records which tenant it had and in which process it ran; two files, two
 * tenants, two worker processes, and neither saw the other's data.
 */
function ranApart (t: Test, folder: string, processes = 2): void {
  const records = readdirSync(join(folder, 'ran')).map(
    (file) =>
      JSON.parse(readFileSync(join(folder, 'ran', file), 'utf8')) as {
        partner_id: string
        pid: number
        organizations: string[]
      }
  )
  t.equal(records.length, 2, 'both files ran')
  t.not(records[0]?.partner_id, records[1]?.partner_id, 'each with its own tenant')
  if (processes === 2) t.not(records[0]?.pid, records[1]?.pid, 'in two worker processes')
  for (const record of records) t.equal(record.organizations.length, 1, 'each saw only its own organization')
}

/**
 * The body of a test file, the same for every runner: `useTenant`, `test`, `expect` and `record` come from
 * the file's header.
 */
const SHARED_TESTS = `
test('the tenant sees its own organization only', async () => {
  const res = await fetch(tenant.url + '/api/organizations', { headers: { authorization: 'Bearer ' + tenant.partner_key } })
  expect(res.status).toBe(200)
  const { data } = await res.json()
  expect(data.map((o) => o.id)).toEqual([tenant.organization_id])
  record(data.map((o) => o.id))
})

test('the journal and faults are scoped to the tenant', async () => {
  await tenant.admin.addFault({ partner_id: tenant.partner_id, status: 503, times: 1 })
  const faulted = await fetch(tenant.url + '/api/me', { headers: { authorization: 'Bearer ' + tenant.admin_user_key } })
  expect(faulted.status).toBe(503)
  const entries = await tenant.admin.requests({ partner_id: tenant.partner_id })
  expect(entries.filter((e) => e.status === 503).map((e) => e.path)).toEqual(['/api/me'])
  expect(entries.filter((e) => e.path === '/api/organizations').length).toBe(1)
})
`

const RECORD = (runner: string): string => `
function record (organizations) {
  require('node:fs').mkdirSync(__dirname + '/ran', { recursive: true })
  require('node:fs').writeFileSync(__dirname + '/ran/' + tenant.partner_id, JSON.stringify({ runner: '${runner}', partner_id: tenant.partner_id, pid: process.pid, organizations }))
}
`

/**
 * Runs Jest in a project (two workers, a cache of its own so no timing makes it run in band) and expects
 * every test of its two files to pass, apart.
 */
async function jestPasses (t: Test, folder: string, tests: number): Promise<void> {
  const { code, output } = await run(folder, [
    join(consumer, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--ci',
    '--maxWorkers=2',
    `--cacheDirectory=${join(folder, '.cache')}`
  ])
  t.equal(code, 0, output)
  t.match(output, /Test Suites: 2 passed, 2 total/)
  t.match(output, new RegExp(`Tests:\\s+${tests} passed, ${tests} total`))
  ranApart(t, folder)
}

t.test(
  'a default Jest project (CommonJS): global set-up and tear-down, a tenant per file, two files in parallel',
  async (t) => {
    const test = (letter: string): string =>
      `const { useTenant } = require('polytomic-mock/jest')\nconst tenant = useTenant({ name: 'jest ${letter}' })\n${RECORD('jest')}${SHARED_TESTS}`
    const folder = project('jest-cjs', {
      'package.json': JSON.stringify({ name: 'jest-cjs', private: true }),
      'jest.config.js':
        "module.exports = {\n  testEnvironment: 'node',\n  globalSetup: 'polytomic-mock/jest/global-setup',\n  globalTeardown: 'polytomic-mock/jest/global-teardown'\n}\n",
      'a.test.js': test('a'),
      'b.test.js': test('b')
    })
    await jestPasses(t, folder, 4)
  }
)

t.test('a ts-jest project from `ts-jest config:init`, with two lines added', async (t) => {
  const folder = project('ts-jest', { 'package.json': JSON.stringify({ name: 'ts-jest-consumer', private: true }) })
  const init = await run(folder, [join(consumer, 'node_modules', 'ts-jest', 'cli.js'), 'config:init'])
  t.equal(init.code, 0, init.output)
  const generated = readFileSync(join(folder, 'jest.config.js'), 'utf8')
  t.match(generated, /createDefaultPreset/, 'the config ts-jest writes')
  writeFileSync(
    join(folder, 'jest.config.js'),
    generated.replace(
      /(testEnvironment: "node",\n)/,
      "$1  globalSetup: 'polytomic-mock/jest/global-setup',\n  globalTeardown: 'polytomic-mock/jest/global-teardown',\n"
    )
  )
  const test = (letter: string): string =>
    [
      "import { mkdirSync, writeFileSync } from 'node:fs'",
      "import { expect, test } from '@jest/globals'",
      "import { PolytomicClient } from 'polytomic'",
      "import { useTenant, type TenantContext } from 'polytomic-mock/jest'",
      `const tenant: TenantContext = useTenant({ name: 'ts-jest ${letter}' })`,
      'function record (organizations: string[]): void {',
      "  mkdirSync(__dirname + '/ran', { recursive: true })",
      "  writeFileSync(__dirname + '/ran/' + tenant.partner_id, JSON.stringify({ runner: 'ts-jest', partner_id: tenant.partner_id, pid: process.pid, organizations }))",
      '}',
      "test('the official SDK, typed, against the tenant', async () => {",
      '  const client = new PolytomicClient({ environment: tenant.url, token: tenant.admin_user_key })',
      '  const me = await client.identity.get({ maxRetries: 0 })',
      '  expect(me.data?.organization_id).toBe(tenant.organization_id)',
      '})',
      SHARED_TESTS.replace(
        'const { data } = await res.json()',
        'const { data } = await res.json() as { data: Array<{ id: string }> }'
      )
    ].join('\n')
  writeFileSync(join(folder, 'a.test.ts'), test('a'))
  writeFileSync(join(folder, 'b.test.ts'), test('b'))
  await jestPasses(t, folder, 6)
})

/** A vitest test file of the shared tests, recording its tenant. */
const vitestFile = (letter: string): string =>
  [
    "import { mkdirSync, writeFileSync } from 'node:fs'",
    "import { expect, inject, test } from 'vitest'",
    "import { useTenant } from 'polytomic-mock/vitest'",
      `const tenant = useTenant({ name: 'vitest ${letter}' })`,
      "const here = new URL('.', import.meta.url).pathname",
      'function record (organizations) {',
      "  mkdirSync(here + 'ran', { recursive: true })",
      "  writeFileSync(here + 'ran/' + tenant.partner_id, JSON.stringify({ runner: 'vitest', partner_id: tenant.partner_id, pid: process.pid, organizations }))",
      '}',
      "test('the provided URL is the tenant\\'s', () => { expect(inject('polytomicMockUrl')).toBe(tenant.url) })",
      SHARED_TESTS
  ].join('\n')

t.test('a vitest project: globalSetup provides the URL, useTenant gives each file its tenant', async (t) => {
  const test = vitestFile
  const folder = project('vitest', {
    'package.json': JSON.stringify({ name: 'vitest-consumer', private: true, type: 'module' }),
    'vitest.config.mjs':
      "import { defineConfig } from 'vitest/config'\n\nexport default defineConfig({\n  test: { globalSetup: ['polytomic-mock/vitest'], pool: 'forks', maxWorkers: 2 }\n})\n",
    'a.test.mjs': test('a'),
    'b.test.mjs': test('b')
  })
  const { code, output } = await run(folder, [join(consumer, 'node_modules', 'vitest', 'vitest.mjs'), 'run'])
  t.equal(code, 0, output)
  t.match(output, /Test Files\s+2 passed \(2\)/)
  t.match(output, /Tests\s+6 passed \(6\)/)
  ranApart(t, folder)
})

t.test('CommonJS require: the library and the admin client; Symbol.asyncDispose closes', async (t) => {
  const folder = project('require', {
    'package.json': JSON.stringify({ name: 'require-consumer', private: true }),
    'main.js': [
      "const { createSimulator } = require('polytomic-mock')",
      "const { AdminClient } = require('polytomic-mock/client')",
      'createSimulator().then(async (sim) => {',
      "  const url = await sim.listen({ port: 0, host: '127.0.0.1' })",
      '  const admin = new AdminClient(url)',
      "  const tenant = await admin.createTenant({ name: 'required' })",
      "  const res = await fetch(url + '/api/me', { headers: { authorization: 'Bearer ' + tenant.admin_user_key } })",
      '  const me = await res.json()',
      "  const injected = await sim.app.inject({ method: 'GET', url: '/__admin/health' })",
      '  await sim[Symbol.asyncDispose]()',
      "  process.stdout.write(JSON.stringify({ status: res.status, same: me.data.organization_id === tenant.organization_id, injected: injected.statusCode, health: (await fetch(url + '/__admin/health').catch(() => null)) === null }))",
      '})'
    ].join('\n')
  })
  const output = execFileSync(process.execPath, ['main.js'], { cwd: folder, encoding: 'utf8', timeout: GENEROUS_MS })
  t.same(JSON.parse(output), { status: 200, same: true, injected: 200, health: true }, 'served, injected, then closed')
  // What npm warns about on Node 20 (EBADENGINE cookie@2.0.2): the consumer has it, and inject() above ran on it.
  const lightMyRequest = createRequire(join(consumer, 'node_modules', 'fastify', 'package.json')).resolve(
    'light-my-request/package.json'
  )
  const cookieMain = createRequire(lightMyRequest).resolve('cookie')
  const cookieFolder = cookieMain.slice(
    0,
    cookieMain.lastIndexOf(`node_modules${sep}cookie${sep}`) + `node_modules${sep}cookie`.length
  )
  const cookie = JSON.parse(readFileSync(join(cookieFolder, 'package.json'), 'utf8')) as {
    version: string
    engines?: { node?: string }
  }
  t.match(
    cookie.version,
    /^2\./,
    `light-my-request loads cookie ${cookie.version} (engines: ${cookie.engines?.node ?? 'any'}) on Node ${process.versions.node}`
  )
})

const CONSUMER_CODE = (withVitest: boolean): string =>
  [
    "import { createSimulator, type Simulator, type Tenant } from 'polytomic-mock'",
    "import { AdminClient, AdminError, type JournalEntry } from 'polytomic-mock/client'",
    "import { useTenant, type TenantContext } from 'polytomic-mock/jest'",
    withVitest ? "import { setup, useTenant as useVitestTenant } from 'polytomic-mock/vitest'" : '',
    'export async function main (): Promise<void> {',
    '  await using sim: Simulator = await createSimulator({ journalSize: 10 })',
    '  const url: string = await sim.listen({ port: 0 })',
    '  const tenant: Tenant = sim.createTenant()',
    '  const admin = new AdminClient(url, { token: null })',
    '  const entries: JournalEntry[] = await admin.requests({ partner_id: tenant.partner_id })',
    '  const context: (() => TenantContext) | undefined = entries.length > 0 ? useTenant : undefined',
    '  if (context === undefined && !(new Error() instanceof AdminError)) return',
    withVitest ? '  void setup; void useVitestTenant' : '',
    '}'
  ].join('\n')

const STRICT = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', lib: ['ES2022'], types: ['node'] }

t.test(
  'TypeScript consumers with skipLibCheck: false: CommonJS (module node16), ES module (nodenext), and node10 resolution',
  async (t) => {
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc')
    const cjs = project('ts-cjs', {
      'package.json': JSON.stringify({ name: 'ts-cjs', private: true }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
        files: ['index.ts']
      }),
      'index.ts': CONSUMER_CODE(false)
    })
    const cjsRun = await run(cjs, [tsc, '-p', '.'])
    t.equal(cjsRun.code, 0, `CommonJS consumer:\n${cjsRun.output}`)
    const esm = project('ts-esm', {
      'package.json': JSON.stringify({ name: 'ts-esm', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext' },
        files: ['index.ts']
      }),
      'index.ts': CONSUMER_CODE(true)
    })
    const esmRun = await run(esm, [tsc, '-p', '.'])
    t.equal(esmRun.code, 0, `ES module consumer:\n${esmRun.output}`)
    // The older resolution ("module": "commonjs", as `tsc --init` writes it) does not read exports: the
    // subpaths resolve through typesVersions. Like tsc --init, it has esModuleInterop, which pino's own
    // declarations (fastify's logger, so ours) need in this mode.
    const classic = project('ts-node10', {
      'package.json': JSON.stringify({ name: 'ts-node10', private: true }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          ...STRICT,
          module: 'commonjs',
          moduleResolution: 'node10',
          esModuleInterop: true,
          lib: ['ES2022', 'ESNext.Disposable']
        },
        files: ['index.ts']
      }),
      'index.ts': CONSUMER_CODE(false)
    })
    const classicRun = await run(classic, [tsc, '-p', '.'])
    t.equal(classicRun.code, 0, `node10-resolution consumer:\n${classicRun.output}`)
  }
)

/**
 * The supported runner versions (docs/test-suites.md states the range these prove): each runs the example
 * project of its kind (examples/vitest, examples/jest: the whole partner flow through the SDK and the typed
 * controls, with the set-up's settings from polytomicMock()) beside two files of the shared tests, from the packed
 * tarball. Each has a copy of the consumer's node_modules with its own runner, so that the package and the test
 * files load the same runner.
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
