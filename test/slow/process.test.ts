// The packaged simulator as a real process: the npm tarball installed with production dependencies
// only, started exactly as the Dockerfile starts it. No Docker engine runs here, so this is how the
// image's contract (command, environment, health check, signals) is tested.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { W, until } from '../helper.js'
import { GENEROUS_MS, waitForLine } from '../support/child.js'
import { PROJECT, packAndInstall } from '../support/package.js'

const work = mkdtempSync(join(tmpdir(), 'pm-package-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))

interface DockerContract {
  env: Record<string, string>
  cmd: string[]
  healthcheck: string[]
  user: string
  volumes: string[]
  exposed: string[]
}

/** The runtime stage of the Dockerfile: its ENV, CMD, HEALTHCHECK CMD, USER, VOLUME and EXPOSE. */
function readDockerfile (): DockerContract {
  const text = readFileSync(join(PROJECT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ')
  const stages = text.split(/^FROM /m)
  const lines = (stages.at(-1) as string)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const contract: DockerContract = { env: {}, cmd: [], healthcheck: [], user: 'root', volumes: [], exposed: [] }
  for (const line of lines) {
    const [instruction, ...rest] = line.split(' ')
    const args = rest.join(' ')
    if (instruction === 'ENV') {
      for (const pair of args.split(/\s+/)) {
        const [k, v] = pair.split('=')
        contract.env[k as string] = v as string
      }
    }
    if (instruction === 'CMD') contract.cmd = JSON.parse(args) as string[]
    if (instruction === 'HEALTHCHECK') {
      contract.healthcheck = JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[]
    }
    if (instruction === 'USER') contract.user = args
    if (instruction === 'VOLUME') contract.volumes = JSON.parse(args) as string[]
    if (instruction === 'EXPOSE') contract.exposed = args.split(/\s+/)
  }
  return contract
}

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))
      )
    })
  })
}

interface Running {
  child: ChildProcess
  url: string
  port: number
  output: () => string
  exited: Promise<number | null>
}

const children = new Set<ChildProcess>()
t.teardown(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

function command (cmd: string[]): [string, string[]] {
  return [cmd[0] === 'node' ? process.execPath : (cmd[0] as string), cmd.slice(1)]
}

/** Starts the package exactly as the image does (CMD and ENV), but on loopback and a free port. */
async function start (dir: string, env: Record<string, string> = {}): Promise<Running> {
  const contract = readDockerfile()
  const port = await freePort()
  const [file, args] = command(contract.cmd)
  const child = spawn(file, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      ...contract.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  // Ready when it says so: the line it prints once it listens.
  await waitForLine(child, /polytomic-mock listening on /)
  return { child, url, port, output: () => output, exited }
}

/** Resolves once the fault rule has fired for the given number of requests: they are in flight, held by its delay. */
async function faultFired (url: string, times: number): Promise<void> {
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const rules = (await (await fetch(`${url}/__admin/faults`)).json()) as Array<{ fired: number }>
    if (rules.some((rule) => rule.fired >= times)) return
  }
  throw new Error('the fault rule never fired')
}

/**
 * Runs the installed CLI to its end. As another user, tap's process tracking (which it adds to
 * NODE_OPTIONS of every child) could not write its record, so that child goes without it.
 */
function run (
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  user?: { uid: number; gid: number }
): { status: number | null; stdout: string; stderr: string } {
  const [file, argv] =
    user === undefined
      ? [process.execPath, ['dist/cli.js', ...args]]
      : ['/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, 'dist/cli.js', ...args]]
  try {
    const stdout = execFileSync(file, argv, {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      ...user
    })
    return { status: 0, stdout, stderr: '' }
  } catch (err) {
    const e = err as { status: number | null; stdout: string; stderr: string }
    return { status: e.status, stdout: e.stdout, stderr: e.stderr }
  }
}

/** A RUN command of the Dockerfile's build stage, found by what it mentions, as the shell would get it. */
function buildStageRun (mentioning: string): string {
  const text = readFileSync(join(PROJECT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ')
  const build = text.split(/^FROM /m)[1] as string
  const line = build.split('\n').find((l) => l.startsWith('RUN ') && l.includes(mentioning))
  if (line === undefined) throw new Error(`no RUN in the Dockerfile's build stage mentions ${mentioning}`)
  return line.slice('RUN '.length)
}

/** Bytes under a folder. */
function sizeOf (folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0)
}

const installed = packAndInstall(work)
// The image's node_modules after its native build: better-sqlite3 with its build folder whole.
// The Dockerfile's clean-up runs on it here, so every process below starts from the slimmed tree.
const sqlite = join(installed, 'node_modules', 'better-sqlite3')
cpSync(join(PROJECT, 'node_modules', 'better-sqlite3', 'build'), join(sqlite, 'build'), { recursive: true })
const beforeCleanUp = sizeOf(sqlite)
execFileSync('sh', ['-c', buildStageRun('better-sqlite3')], { cwd: installed })
const afterCleanUp = sizeOf(sqlite)
const dir = join(installed, 'node_modules', 'polytomic-mock')

t.test("the image drops better-sqlite3's build leftovers and keeps the binding", async (t) => {
  t.ok(
    existsSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node')),
    'the compiled binding stays where it is looked for'
  )
  for (const gone of ['deps', 'src', join('build', 'Release', 'obj.target'), join('build', 'Release', 'sqlite3.a')]) {
    t.notOk(existsSync(join(sqlite, gone)), `${gone} is removed`)
  }
  t.notOk(existsSync(join(installed, 'node_modules', '@types')), 'type declarations for compilers are removed')
  t.ok(
    beforeCleanUp - afterCleanUp > 20 * 1024 * 1024,
    `${((beforeCleanUp - afterCleanUp) / 1024 / 1024).toFixed(1)} MB fewer (${(afterCleanUp / 1024 / 1024).toFixed(1)} MB left)`
  )
  // Loaded by the slimmed package itself, as the processes below load it.
  const loaded = execFileSync(
    process.execPath,
    [
      '-e',
      'const D = require("better-sqlite3"); process.stdout.write(String(new D(":memory:").prepare("select 1 + 1 as n").get().n))'
    ],
    { cwd: installed, encoding: 'utf8' }
  )
  t.equal(loaded, '2')
})
const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }

t.test('the tarball holds the build, the fixtures and no tests', async (t) => {
  const installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
    main: string
  }
  t.same(installed.bin, { 'polytomic-mock': 'dist/cli.js' })
  t.ok(readFileSync(join(dir, 'dist', 'index.d.ts'), 'utf8').includes('createSimulator'), 'type declarations ship')
  t.ok(readFileSync(join(dir, 'fixtures', 'default.json'), 'utf8').includes('partner-key-acme'))
  t.throws(() => readFileSync(join(dir, 'test', 'helper.ts')), 'tests are not packed')
  // Loaded by the installed package's own ajv and ajv-formats, as the started process below does.
  const precompiled = createRequire(join(dir, 'package.json'))('./dist/precompiled/validators.cjs') as Record<
    string,
    unknown
  >
  t.ok(Object.keys(precompiled).length > 10, 'the start-up validators, compiled at build time, ship and load')
  t.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /^MIT License/, 'the licence ships')
  t.ok(existsSync(join(dir, 'docs', 'api.md')), 'the reference pages the README links to ship')
  for (const example of [
    'consumer.mjs',
    'tenant-per-file.test.mjs',
    'webhook-receiver.mjs',
    'vitest/partner-flow.test.mjs',
    'jest/partner-flow.test.js'
  ]) {
    t.ok(existsSync(join(dir, 'examples', example)), `examples/${example} ships (the README links to it)`)
  }
  const files = readdirSync(dir, { recursive: true }) as string[]
  t.same(
    files.filter((f) => f.endsWith('.map')),
    [],
    'no source maps, whose sources would not ship'
  )
  t.ok(
    existsSync(join(dir, 'dist', 'index.cjs')) && existsSync(join(dir, 'dist', 'index.d.cts')),
    'the CommonJS build and its declarations ship'
  )
  t.notOk(existsSync(join(dir, '..', 'pino-pretty')), 'pino-pretty is not installed with the package')
  const pretty = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      'const { prettyInstalled } = await import("./dist/core/logging.js"); process.stdout.write(String(prettyInstalled()))'
    ],
    { cwd: dir, encoding: 'utf8' }
  )
  t.equal(pretty, 'false', 'so a terminal gets JSON lines')
})

t.test(
  'the Dockerfile runs node directly as the node user, on 0.0.0.0:8080, with a volume and a health check',
  async (t) => {
    const contract = readDockerfile()
    t.same(contract.cmd, ['node', 'dist/cli.js'])
    t.match(contract.env, { HOST: '0.0.0.0', PORT: '8080', NODE_ENV: 'production' })
    t.equal(contract.user, 'node')
    t.same(contract.volumes, ['/data'])
    t.same(contract.exposed, ['8080'])
    t.equal(contract.healthcheck[0], 'node')
    const dockerignore = readFileSync(join(PROJECT, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['node_modules', 'test', '*.db']) {
      t.ok(dockerignore.includes(entry), `.dockerignore keeps out ${entry}`)
    }
  }
)

t.test('the image contract: start as the image does, the HEALTHCHECK passes, SIGTERM exits 0', async (t) => {
  const database = join(work, 'contract.db')
  const server = await start(dir, { DATABASE: database })
  const [file, args] = command(readDockerfile().healthcheck)
  const health = spawn(file, args, {
    env: { PATH: process.env.PATH ?? '', ...readDockerfile().env, PORT: String(server.port) },
    stdio: 'ignore'
  })
  const healthCode = await new Promise<number | null>((resolve) => health.on('exit', resolve))
  t.equal(healthCode, 0, 'the HEALTHCHECK command succeeds')
  const user = await fetch(`${server.url}/api/organizations/${W.org.id}/users/${W.jane.id}`, {
    headers: { authorization: `Bearer ${W.acme.key}` }
  })
  t.equal(user.status, 200)
  const log = server.output()
  t.match(log, /polytomic-mock listening on http:\/\/127\.0\.0\.1:\d+/)
  t.match(log, /ADMIN_TOKEN is unset/)
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  const lines = server
    .output()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  t.ok(
    lines.some((l) => l.msg === 'request' && l.status === 200 && l.caller === 'partner'),
    'logs are JSON lines when stdout is not a terminal'
  )
  t.notOk(server.output().includes(W.acme.key), 'the key is not logged')

  const health2 = spawn(file, args, {
    env: { PATH: process.env.PATH ?? '', PORT: String(server.port) },
    stdio: 'ignore'
  })
  t.equal(
    await new Promise<number | null>((resolve) => health2.on('exit', resolve)),
    1,
    'the HEALTHCHECK fails once the server is gone'
  )
})

interface ComposeService {
  working_dir?: string
  ports?: string[]
  environment?: Record<string, string>
  stop_grace_period?: string
  volumes?: string[]
  healthcheck?: { test: string[] }
  command?: string[]
}
interface ComposeFile {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

const composeText = readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8')
const compose = parseYaml(composeText) as ComposeFile

/** A compose duration ("15s", "1m30s", "500ms") in milliseconds. */
function durationMs (text: string): number {
  let ms = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    ms += Number(amount) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit as string]!
  }
  return ms
}

t.test(
  'docker-compose.yml: loopback-only port, a stop grace period beyond SHUTDOWN_GRACE_MS, the world in a named volume, CI usage shown',
  async (t) => {
    const service = compose.services.polytomic as ComposeService
    t.ok((service.ports ?? []).length > 0, 'a port is published')
    for (const port of service.ports ?? []) {
      t.match(port, /^127\.0\.0\.1:\d+:8080$/, `${port} is published on loopback only`)
    }
    const env = service.environment ?? {}
    const grace = Number(env.SHUTDOWN_GRACE_MS ?? 10_000)
    t.ok(
      durationMs(service.stop_grace_period ?? '10s') > grace,
      `stop_grace_period ${service.stop_grace_period} > SHUTDOWN_GRACE_MS ${grace}`
    )
    const [volume, mount] = (service.volumes?.[0] ?? '').split(':')
    t.ok(compose.volumes !== undefined && (volume as string) in compose.volumes, `${volume} is a named volume`)
    t.equal(dirname(env.DATABASE ?? ''), mount, 'DATABASE lives on it')
    t.match(composeText, /# .*named volume.*kept between runs/s, 'the file says the volume keeps the world')
    t.match(composeText, /docker compose up --build --exit-code-from consumer/, 'and how CI runs it')
  }
)

t.test(
  'the compose services as they run: the simulator with its environment, its health check, the consumer exits 0, the world survives a restart',
  async (t) => {
    const service = compose.services.polytomic as ComposeService
    const database = join(work, 'compose', 'polytomic-mock.db')
    mkdirSync(dirname(database))
    const env = { ...service.environment, DATABASE: database }
    const server = await start(dir, env)
    const [file, args] = command(service.healthcheck?.test.slice(1) ?? [])
    const health = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '', PORT: String(server.port) },
      stdio: 'ignore'
    })
    t.equal(
      await new Promise<number | null>((resolve) => health.on('exit', resolve)),
      0,
      'the compose health check passes'
    )

    // The consumer runs in the image's /app (the installed package here), with the example mounted over the
    // shipped one.
    const consumer = compose.services.consumer as ComposeService
    t.equal(consumer.working_dir, '/app')
    const [mounted, target] = (consumer.volumes?.[0] ?? '').split(':')
    t.equal(target, `/app/${mounted?.replace(/^\.\//, '')}`, 'the example is mounted where the image has the package')
    t.equal(
      readFileSync(join(dir, mounted as string), 'utf8'),
      readFileSync(join(PROJECT, mounted as string), 'utf8'),
      'and it is the one the package ships'
    )
    const [consumerFile, consumerArgs] = command(consumer.command ?? [])
    const ran = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(consumerFile, consumerArgs, {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...consumer.environment, POLYTOMIC_URL: server.url },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.on('exit', (code) => resolve({ code, output }))
    })
    t.equal(ran.code, 0, ran.output)
    t.match(ran.output, /jane\.doe@polytomic\.com \[admin\]/, 'it listed the bundled users')
    t.match(ran.output, /the journal saw all \d+ requests/, 'and read them back through the admin client')
    const created = await fetch(`${server.url}/api/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${W.acme.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Kept in the volume' })
    })
    t.equal(created.status, 200)
    server.child.kill('SIGTERM')
    t.equal(await server.exited, 0)
    const again = await start(dir, env)
    const orgs = (await (
      await fetch(`${again.url}/api/organizations`, { headers: { authorization: `Bearer ${W.acme.key}` } })
    ).json()) as { data: Array<{ name: string }> }
    t.ok(
      orgs.data.some((o) => o.name === 'Kept in the volume'),
      'a restart finds the world where it was'
    )
    again.child.kill('SIGTERM')
    t.equal(await again.exited, 0)
  }
)

t.test('SIGTERM lets an in-flight request finish, then exits 0; the world persists in the database file', async (t) => {
  const database = join(work, 'persist.db')
  const server = await start(dir, { DATABASE: database })
  const created = await fetch(`${server.url}/api/organizations/${W.org.id}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${W.acme.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'persisted@example.com' })
  })
  t.equal(created.status, 200)
  await fetch(`${server.url}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/api/me', delay_ms: 2000 })
  })
  const slow = fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${W.jane.key}` } })
  await faultFired(server.url, 1)
  const stopping = waitForLine(server.child, /shutting down/)
  server.child.kill('SIGTERM')
  await stopping
  const answered = await slow
  t.equal(answered.status, 200, 'the in-flight request completed')
  t.equal(await server.exited, 0)

  const again = await start(dir, { DATABASE: database })
  const users = (await (
    await fetch(`${again.url}/api/organizations/${W.org.id}/users`, {
      headers: { authorization: `Bearer ${W.acme.key}` }
    })
  ).json()) as { data: Array<{ email: string }> }
  t.ok(
    users.data.some((u) => u.email === 'persisted@example.com'),
    'the user survived the restart'
  )
  again.child.kill('SIGINT')
  t.equal(await again.exited, 0, 'SIGINT exits 0 too')
})

t.test('a second signal exits at once', async (t) => {
  const server = await start(dir, { SHUTDOWN_GRACE_MS: '30000' })
  await fetch(`${server.url}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/api/me', delay_ms: 20000 })
  })
  const hanging = fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${W.jane.key}` } }).then(
    (res) => res.status,
    () => 'cut'
  )
  await faultFired(server.url, 1)
  const stopping = waitForLine(server.child, /shutting down/)
  server.child.kill('SIGTERM')
  await stopping
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 130)
  t.equal(await hanging, 'cut', 'it did not wait for the 20 s request')
})

t.test('the grace period bounds how long shutdown waits', async (t) => {
  const server = await start(dir, { SHUTDOWN_GRACE_MS: '300' })
  await fetch(`${server.url}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/api/me', delay_ms: 20000 })
  })
  const hanging = fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${W.jane.key}` } }).then(
    (res) => res.status,
    () => 'cut'
  )
  await faultFired(server.url, 1)
  const graceOver = waitForLine(server.child, /grace period over/)
  server.child.kill('SIGTERM')
  await graceOver
  t.equal(await server.exited, 0)
  t.equal(await hanging, 'cut', 'the 20 s request was cut when the grace period ended')
})

t.test('the command line: --help, --version, --print-fixtures, flags over variables, and bad input', async (t) => {
  const help = run(dir, ['--help'])
  t.equal(help.status, 0)
  for (const flag of [
    '--port',
    '--host',
    '--database',
    '--fixtures',
    '--default-version',
    '--require-version',
    '--log-level',
    '--admin-token',
    '--journal-size',
    '--fault-seed',
    '--latency-ms'
  ]) {
    t.match(help.stdout, flag, `--help lists ${flag}`)
  }
  t.match(help.stdout, /PORT\s+default: 8080/)
  t.same(run(dir, ['--version']), { status: 0, stdout: `${pkg.version}\n`, stderr: '' })
  t.equal(run(dir, ['--print-fixtures']).stdout, readFileSync(join(PROJECT, 'fixtures', 'default.json'), 'utf8'))

  const unknown = run(dir, ['--bogus'])
  t.same(unknown, { status: 2, stdout: '', stderr: 'polytomic-mock: unknown option "--bogus" (see --help)\n' })
  const badFlag = run(dir, ['--port', 'eighty'])
  t.same(badFlag, {
    status: 2,
    stdout: '',
    stderr: 'polytomic-mock: --port must be a port number from 0 to 65535, got "eighty"\n'
  })
  const badEnv = run(dir, [], { DEFAULT_VERSION: 'yesterday' })
  t.equal(badEnv.status, 2)
  t.match(badEnv.stderr, /^polytomic-mock: DEFAULT_VERSION must be one of .*\n$/)
  const flagWins = run(dir, ['--default-version', '2024-02-08', '--version'], { DEFAULT_VERSION: 'yesterday' })
  t.equal(flagWins.status, 0, 'the flag beats the bad variable')

  const badFixtures = join(work, 'bad.json')
  writeFileSync(
    badFixtures,
    JSON.stringify({
      users: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          organization_id: '22222222-2222-4222-8222-222222222222',
          email: 'a@example.com'
        }
      ]
    })
  )
  const fixtureFailure = run(dir, ['--fixtures', badFixtures, '--port', '0'])
  t.same(fixtureFailure, {
    status: 1,
    stdout: '',
    stderr: `polytomic-mock: FIXTURES=${badFixtures}: users[0].organization_id: no organization with id 22222222-2222-4222-8222-222222222222\n`
  })

  const server = await start(dir, { PORT: 'ignored' }).catch((err: Error) => err)
  t.ok(server instanceof Error, 'a bad PORT variable stops start-up')
})

t.test(
  'PORT=0 with --port-file: the chosen port in the file, the URL on stdout at any level but silent, the file gone at exit',
  async (t) => {
    for (const level of ['warn', 'info', 'error']) {
      const portFile = join(work, `port-${level}`)
      const child = spawn(process.execPath, ['dist/cli.js', '--port-file', portFile], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: level },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      children.add(child)
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      const line = await waitForLine(child, /polytomic-mock listening on http:\/\/127\.0\.0\.1:\d+/)
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1])
      t.ok(port > 0, `LOG_LEVEL=${level}: the URL is printed`)
      t.equal(readFileSync(portFile, 'utf8'), `${port}\n`, 'the file holds the port it listens on')
      t.equal((await fetch(`http://127.0.0.1:${port}/__admin/health`)).status, 200)
      child.kill('SIGTERM')
      t.equal(await exited, 0)
      t.notOk(existsSync(portFile), 'the file is removed at shutdown')
    }
    const silentFile = join(work, 'port-silent')
    const silent = spawn(process.execPath, ['dist/cli.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', PORT_FILE: silentFile },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    children.add(silent)
    let said = ''
    silent.stdout.on('data', (chunk: Buffer) => {
      said += chunk.toString()
    })
    const silentExit = new Promise<number | null>((resolve) => silent.on('exit', (code) => resolve(code)))
    // Silent says nothing: the port file (from PORT_FILE) is the only signal, so it is awaited through the
    // health route.
    await until('the port file is written', () => existsSync(silentFile), GENEROUS_MS)
    const port = Number(readFileSync(silentFile, 'utf8'))
    t.equal((await fetch(`http://127.0.0.1:${port}/__admin/health`)).status, 200)
    silent.kill('SIGTERM')
    t.equal(await silentExit, 0)
    t.equal(said, '', 'LOG_LEVEL=silent prints nothing')
    const unwritable = run(dir, ['--port', '0', '--port-file', join(work, 'missing', 'port')])
    t.equal(unwritable.status, 1)
    t.match(unwritable.stderr, /^polytomic-mock: could not start: PORT_FILE .*missing\/port cannot be written \(ENOENT/)
  }
)

t.test(
  'start-up failures: one line naming the setting, exit 1; a malformed value exits 2; a stack only at LOG_LEVEL=debug',
  async (t) => {
    const missing = join(work, 'no-such-folder', 'world.db')
    t.same(run(dir, ['--port', '0'], { DATABASE: missing }), {
      status: 1,
      stdout: '',
      stderr: `polytomic-mock: DATABASE=${missing}: the folder ${join(work, 'no-such-folder')} does not exist (create it first)\n`
    })
    const debug = run(dir, ['--port', '0', '--log-level', 'debug'], { DATABASE: missing })
    t.equal(debug.status, 1)
    t.match(debug.stderr, /^polytomic-mock: DATABASE=.*\nDatabaseOpenError: .*\n\s+at /, 'the stack follows at debug')
    t.same(run(dir, ['--prot', '80']), {
      status: 2,
      stdout: '',
      stderr: 'polytomic-mock: unknown option "--prot" (did you mean --port?) (see --help)\n'
    })

    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    t.teardown(() => {
      holder.close()
    })
    const port = (holder.address() as { port: number }).port
    t.same(run(dir, ['--port', String(port), '--log-level', 'warn']), {
      status: 1,
      stdout: '',
      stderr: `polytomic-mock: PORT ${port} is already in use on 127.0.0.1 (stop what holds it, choose another PORT, or 0 for any free port)\n`
    })
  }
)

t.test('a read-only database file is one line naming DATABASE', async (t) => {
  // Permissions do not bind root, so as root the simulator runs as nobody, which may read the package but not
  // write the file.
  const asRoot = process.getuid?.() === 0
  const folder = join(work, 'read-only')
  mkdirSync(folder)
  const database = join(folder, 'world.db')
  const db = new Database(database)
  db.exec('CREATE TABLE written_by_another_tool (x)')
  db.close()
  chmodSync(database, 0o444)
  if (asRoot) chmodSync(work, 0o755)
  else chmodSync(folder, 0o555)
  t.teardown(() => {
    chmodSync(folder, 0o755)
  })
  const result = run(dir, ['--port', '0'], { DATABASE: database }, asRoot ? { uid: 65534, gid: 65534 } : undefined)
  t.same(result, {
    status: 1,
    stdout: '',
    stderr: `polytomic-mock: DATABASE=${database}: the file or its folder is read-only (make both writable: SQLite writes a -wal file beside it)\n`
  })
})

t.test('the installed package serves the console, and its terminal verbs drive a running simulator', async (t) => {
  t.match(readFileSync(join(PROJECT, 'Dockerfile'), 'utf8'), /^COPY console \.\/console$/m, 'the image has the page')
  const server = await start(dir)
  t.teardown(() => server.child.kill('SIGTERM'))
  const env = { POLYTOMIC_MOCK_URL: server.url }
  const runs = run(dir, ['runs', '--sync', W.bulkSync.id], env)
  t.equal(runs.status, 0)
  t.match(runs.stdout, new RegExp(`^${W.bulkSync.executionId} +bulk +sync ${W.bulkSync.id} +completed\\n$`))
  const finished = run(dir, ['run', W.bulkSync.executionId, '--hang'], env)
  t.same(finished, {
    status: 1,
    stdout: '',
    stderr: 'polytomic-mock: run: 409 execution_finished: this execution has already finished\n'
  })
  t.match(run(dir, ['run', W.bulkSync.executionId], env), { status: 2, stderr: /^polytomic-mock: run needs exactly one/ })
  t.match(run(dir, ['emit', 'sync.failed', '--org', W.org.id], env), { status: 0, stdout: /^emitted sync\.failed / })
  t.match(run(dir, ['settle', '--fast-forward'], env), { status: 0, stdout: 'every delivery settled\n' })
  t.match(run(dir, ['snapshot', 'before'], env), { status: 0, stdout: /^saved snapshot before: / })
  t.match(run(dir, ['restore', 'before'], env), { status: 0, stdout: /^restored before: / })
  t.match(run(dir, ['reset', '--url', 'http://127.0.0.1:1']), { status: 1, stderr: /^polytomic-mock: reset: cannot reach/ })

  // After the verbs above (each blocks this process while it runs, long enough for the server to close an idle
  // kept-alive socket under fetch's pool): the page and its files from the installed package.
  for (const path of ['/__admin/console', '/__admin/console/app.js', '/__admin/console/vendor/preact.mjs']) {
    t.equal((await fetch(server.url + path)).status, 200, `${path} from the installed package`)
  }

  // --follow: the lines so far, then each new request as it comes, until Ctrl-C.
  const follower = spawn(process.execPath, ['dist/cli.js', 'requests', '--follow', '--status', '422'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(follower)
  const exited = new Promise<number | null>((resolve) => follower.on('exit', resolve))
  const seen = waitForLine(follower, / 422 .*validation_failed: email: must be string/)
  // It may start following after this request: then it is among the lines it prints first.
  await fetch(`${server.url}/api/organizations/${W.org.id}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${W.acme.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 42 })
  })
  t.match(await seen, /^\d\d:\d\d:\d\d\.\d{3} POST +\/api\/organizations\/.*\/users 422 /)
  follower.kill('SIGINT')
  t.equal(await exited, 0, 'Ctrl-C ends it with 0')
})
