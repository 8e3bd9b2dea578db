// The packed tarball as a consumer meets it, from fresh folders: a default Jest project (CommonJS),
// a ts-jest project made by `ts-jest config:init`, a vitest project, a CommonJS require, and
// TypeScript consumers (CommonJS and ES module) type-checking with skipLibCheck: false. Each runner
// project runs two test files in parallel, a tenant each, against the simulator its global set-up
// started. The runners themselves are this project's devDependencies, linked into the consumer.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import t, { type Test } from 'tap'
import { GENEROUS_MS } from '../support/child.js'
import { RECORD, SHARED_TESTS, ranApart, run, vitestFile } from '../support/consumer.js'
import { PROJECT, packAndInstall } from '../support/package.js'

const work = mkdtempSync(join(tmpdir(), 'pm-consumers-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const consumer = packAndInstall(work)
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
