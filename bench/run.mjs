// npm run bench: the simulator against the Fastify ceiling, side by side, on 127.0.0.1 only.
// Every server is its own process; servers alternate within each round so that machine drift hits
// both; ratios are computed within a round and reported as medians. Prints every figure and writes
// bench/results.md. Bounded: BENCH_ROUNDS (3) rounds of BENCH_DURATION (10) seconds per scenario.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { id, world, writeWorld } from './generate.mjs'
import { measureRestore } from './restore.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const WARMUP = 1
const CONNECTIONS = 50
const STARTUPS = 3
const work = mkdtempSync(join(tmpdir(), 'pm-bench-'))

const ORG = '248df4b7-aa70-47b8-a036-33ac447e668d'
const JANE = 'a3f1c9e2-7b4d-4f8a-9c2e-1d2b3f4a5c6d'
const PARTNER = { authorization: 'Bearer partner-key-acme' }
const USER_PATH = `/api/organizations/${ORG}/users/${JANE}`

const log = (line = '') => process.stdout.write(`${line}\n`)
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)) })
  })
}

const children = new Set()
process.on('exit', () => { for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })

/** Spawns a server, waits for the first 200 on probePath, returns it with its start-up time. */
async function startServer (name, args, env, probePath, probeHeaders = {}) {
  const port = await freePort()
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.add(child)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name} did not start`)
    const ok = await fetch(url + probePath, { headers: probeHeaders }).then((r) => r.status === 200, () => false)
    if (ok) break
    await sleep(2)
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6
  return { name, child, url, startupMs, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') }) }
}

function rssMb (child) {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
}

/** Loads one server; a request's `path` goes into the URL (autocannon reads paths only inside `requests`). */
async function load (url, { path, ...request }, duration = DURATION) {
  const result = await autocannon({ url: path === undefined ? url : url + path, connections: CONNECTIONS, duration, ...request })
  const bad = result.non2xx + result.errors
  if (bad > 0) throw new Error(`${url}${path ?? ''}: ${result.non2xx} non-2xx responses and ${result.errors} errors; the benchmark only counts successes`)
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

// --- worlds ---------------------------------------------------------------------------------
const bundled = join(ROOT, 'fixtures', 'default.json')
const small = join(work, 'world-100.json')
const large = join(work, 'world-100k.json')
writeWorld(small, world(bundled, 1, 100))
writeWorld(large, world(bundled, 1000, 100))
const listPath = `/api/organizations/${id('org-0')}/users`
const farUser = `/api/organizations/${id('org-500')}/users/${id('user-500-50')}`
const simEnv = (fixtures) => ({ FIXTURES: fixtures, LOG_LEVEL: 'warn', DATABASE: ':memory:' })
const CLI = [join('dist', 'cli.js')]

log(`polytomic-mock benchmark: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections`)

// --- start-up -------------------------------------------------------------------------------
const exactBody = await (async () => {
  const probe = await startServer('probe', CLI, simEnv(bundled), USER_PATH, PARTNER)
  const text = await (await fetch(probe.url + USER_PATH, { headers: PARTNER })).text()
  await probe.stop()
  return text
})()
const ceilingEnv = { CEILING_BODY: exactBody, CEILING_PATH: USER_PATH }
const startup = { ceiling: [], bundled: [], large: [] }
for (let i = 0; i < STARTUPS; i++) {
  for (const [key, args, env, headers] of [['ceiling', [join('bench', 'ceiling.mjs')], ceilingEnv, {}], ['bundled', CLI, simEnv(bundled), PARTNER], ['large', CLI, simEnv(large), PARTNER]]) {
    const server = await startServer(key, args, env, USER_PATH, headers)
    startup[key].push(server.startupMs)
    await server.stop()
  }
}
log(`start-up (median of ${STARTUPS}): ceiling ${median(startup.ceiling).toFixed(0)} ms, simulator ${median(startup.bundled).toFixed(0)} ms, simulator with 100,000 users ${median(startup.large).toFixed(0)} ms`)

// --- throughput -----------------------------------------------------------------------------
const ceiling = await startServer('ceiling', [join('bench', 'ceiling.mjs')], ceilingEnv, USER_PATH)
const sim = await startServer('simulator', CLI, simEnv(small), USER_PATH, PARTNER)
const simLarge = await startServer('simulator-100k', CLI, simEnv(large), farUser, PARTNER)
const idle = { ceiling: rssMb(ceiling.child), sim: rssMb(sim.child), simLarge: rssMb(simLarge.child) }

let emailCounter = 0
const scenarios = [
  { key: 'getUser', label: 'GET user', server: sim, request: { method: 'GET', path: USER_PATH, headers: PARTNER }, target: 0.85 },
  { key: 'me', label: 'GET /api/me', server: sim, request: { method: 'GET', path: '/api/me', headers: { authorization: 'Bearer user-key-jane' } }, target: 0.85 },
  { key: 'list100', label: 'list 100 users', server: sim, request: { method: 'GET', path: listPath, headers: PARTNER }, target: 0.25 },
  {
    key: 'create', label: 'POST create user', server: sim, target: 0.35,
    request: { requests: [{ method: 'POST', path: `/api/organizations/${ORG}/users`, headers: { ...PARTNER, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `bench${emailCounter++}@example.com` }) }) }] }
  },
  { key: 'update', label: 'PUT update user', server: sim, request: { method: 'PUT', path: USER_PATH, headers: { ...PARTNER, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'jane.doe@polytomic.com', role: 'admin' }) }, target: 0.35 },
  { key: 'getUserLarge', label: 'GET user, 100,000 users', server: simLarge, request: { method: 'GET', path: farUser, headers: PARTNER } }
]

const rows = Object.fromEntries([['ceiling', []], ...scenarios.map((s) => [s.key, []])])
const ratios = Object.fromEntries(scenarios.map((s) => [s.key, []]))
const scaleRatios = []
for (let round = 1; round <= ROUNDS; round++) {
  log(`round ${round}/${ROUNDS}`)
  let ceilingRps = 0
  const results = {}
  // A B A B ...: the ceiling runs before each scenario, so that drift hits both alike.
  for (const scenario of scenarios) {
    await load(ceiling.url, { method: 'GET', path: USER_PATH }, WARMUP)
    const c = await load(ceiling.url, { method: 'GET', path: USER_PATH })
    rows.ceiling.push(c)
    ceilingRps = c.rps
    await load(scenario.server.url, scenario.request, WARMUP)
    const r = await load(scenario.server.url, scenario.request)
    rows[scenario.key].push(r)
    results[scenario.key] = r
    ratios[scenario.key].push(r.rps / ceilingRps)
    log(`  ceiling ${c.rps.toFixed(0)} req/s | ${scenario.label}: ${r.rps.toFixed(0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms), ratio ${(r.rps / ceilingRps).toFixed(3)}`)
  }
  scaleRatios.push(results.getUserLarge.rps / results.getUser.rps)
}
const loaded = { ceiling: rssMb(ceiling.child), sim: rssMb(sim.child), simLarge: rssMb(simLarge.child) }
for (const server of [ceiling, sim, simLarge]) await server.stop()

// --- snapshot restore (in-process) -----------------------------------------------------------
const restore = await measureRestore(ROOT)
log(`snapshot restore of ${restore.users} users: median ${restore.medianMs.toFixed(1)} ms over ${restore.rounds} rounds`)

// --- report ---------------------------------------------------------------------------------
const verdict = (ok) => ok ? 'PASS' : 'MISS'
const targets = []
for (const s of scenarios.filter((x) => x.target !== undefined)) {
  const ratio = median(ratios[s.key])
  targets.push([`${s.label} throughput >= ${s.target} of the ceiling`, ratio.toFixed(3), verdict(ratio >= s.target)])
}
const startupRatio = median(startup.bundled) / median(startup.ceiling)
targets.push(['start-up with the bundled fixtures <= 1.3 x the ceiling\'s', `${startupRatio.toFixed(2)} x (${median(startup.bundled).toFixed(0)} vs ${median(startup.ceiling).toFixed(0)} ms)`, verdict(startupRatio <= 1.3)])
targets.push(['start-up with 100,000 users < 2 s', `${(median(startup.large) / 1000).toFixed(2)} s`, verdict(median(startup.large) < 2000)])
const rssRatio = loaded.sim / loaded.ceiling
targets.push(['RSS after load <= 1.5 x the ceiling\'s', `${rssRatio.toFixed(2)} x (${loaded.sim.toFixed(0)} vs ${loaded.ceiling.toFixed(0)} MB)`, verdict(rssRatio <= 1.5)])
const scale = median(scaleRatios)
targets.push(['GET user with 100,000 users >= 0.9 of the figure with 100', scale.toFixed(3), verdict(scale >= 0.9)])

const table = [
  '| scenario | median req/s | median p50 ms | median p99 ms | median ratio to ceiling |',
  '|---|---|---|---|---|',
  `| ceiling (constant bytes) | ${median(rows.ceiling.map((r) => r.rps)).toFixed(0)} | ${median(rows.ceiling.map((r) => r.p50))} | ${median(rows.ceiling.map((r) => r.p99))} | 1 |`,
  ...scenarios.map((s) => `| ${s.label} | ${median(rows[s.key].map((r) => r.rps)).toFixed(0)} | ${median(rows[s.key].map((r) => r.p50))} | ${median(rows[s.key].map((r) => r.p99))} | ${median(ratios[s.key]).toFixed(3)} |`)
]
const targetTable = ['| target | measured | verdict |', '|---|---|---|', ...targets.map((t) => `| ${t.join(' | ')} |`)]
const memory = [
  '| process | RSS idle MB | RSS after load MB |', '|---|---|---|',
  `| ceiling | ${idle.ceiling.toFixed(0)} | ${loaded.ceiling.toFixed(0)} |`,
  `| simulator (bundled + 100 users) | ${idle.sim.toFixed(0)} | ${loaded.sim.toFixed(0)} |`,
  `| simulator (100,000 users) | ${idle.simLarge.toFixed(0)} | ${loaded.simLarge.toFixed(0)} |`
]
const startupTable = [
  '| server | median start-up ms (spawn to first 200 on GET user) |', '|---|---|',
  `| ceiling | ${median(startup.ceiling).toFixed(0)} |`,
  `| simulator, bundled fixtures | ${median(startup.bundled).toFixed(0)} |`,
  `| simulator, 100,000 users in 1,000 organizations | ${median(startup.large).toFixed(0)} |`
]
const report = [
  '# Benchmark results', '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}) · ${ROUNDS} rounds × ${DURATION} s per scenario, ${CONNECTIONS} connections, autocannon on the same machine`, '',
  '## Targets', '', ...targetTable, '',
  '## Throughput and latency', '', ...table, '',
  '## Start-up', '', ...startupTable, '',
  '## Memory', '', ...memory, '',
  '## Snapshot restore', '', `${restore.users} users and their role links, restored in-process: median ${restore.medianMs.toFixed(1)} ms over ${restore.rounds} rounds.`, ''
].join('\n')
log()
log(report)
writeFileSync(join(ROOT, 'bench', 'results.md'), report)
log(`written to bench/results.md`)
process.exit(0)
