// npm run bench: the simulator against the Fastify ceiling, side by side, on 127.0.0.1 only.
// Every server is its own process; within a round each pair of scenarios runs right after a run of
// the ceiling, and ratios are computed against that run, so that machine drift hits both; figures
// are medians over rounds. Prints every figure and writes bench/results.md. Bounded: BENCH_ROUNDS
// (3) rounds of BENCH_DURATION (10) seconds per run; about 8 minutes on 2 cores.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { id, world, writeWorld } from './generate.mjs'
import {
  CEILING,
  CLI,
  CONNECTIONS,
  ORG,
  PARTNER,
  ROOT,
  USER_PATH,
  load,
  log,
  median,
  rssMb,
  simEnv,
  startServer
} from './lib.mjs'
import { measureCallCosts, measureSecondInstance } from './in-process.mjs'
import { measurePieces } from './pieces.mjs'
import { measureRestore } from './restore.mjs'
import { catalogLines, measureCatalogs } from './catalogs.mjs'
import { measureOperations, operationLines } from './operations.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const WARMUP = 1
const STARTUPS = 3
const work = mkdtempSync(join(tmpdir(), 'pm-bench-'))

// --- worlds ---------------------------------------------------------------------------------
const bundled = join(ROOT, 'fixtures', 'default.json')
const small = join(work, 'world-100.json')
const large = join(work, 'world-100k.json')
writeWorld(small, world(bundled, 1, 100))
writeWorld(large, world(bundled, 1000, 100))
const listPath = `/api/organizations/${id('org-0')}/users`
const farUser = `/api/organizations/${id('org-500')}/users/${id('user-500-50')}`

log(
  `polytomic-mock benchmark: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections`
)

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
  for (const [key, args, env, headers] of [
    ['ceiling', CEILING, ceilingEnv, {}],
    ['bundled', CLI, simEnv(bundled), PARTNER],
    ['large', CLI, simEnv(large), PARTNER]
  ]) {
    const server = await startServer(key, args, env, USER_PATH, headers)
    startup[key].push(server.startupMs)
    await server.stop()
  }
}
log(
  `start-up (median of ${STARTUPS}): ceiling ${median(startup.ceiling).toFixed(0)} ms, simulator ${median(startup.bundled).toFixed(0)} ms, simulator with 100,000 users ${median(startup.large).toFixed(0)} ms`
)
const second = await measureSecondInstance(ROOT)
log(
  `second simulator in one process, createSimulator() + listen() to first answer: median ${second.medianMs.toFixed(0)} ms`
)

// --- throughput -----------------------------------------------------------------------------
const ceiling = await startServer('ceiling', CEILING, ceilingEnv, USER_PATH)
// Default settings: LOG_LEVEL=info (its lines to /dev/null, as a container's go to a collector), journal on.
const simDefault = await startServer(
  'simulator, default settings',
  CLI,
  simEnv(small, { LOG_LEVEL: 'info' }),
  USER_PATH,
  PARTNER
)
const sim = await startServer('simulator', CLI, simEnv(small), USER_PATH, PARTNER)
const simLarge = await startServer('simulator-100k', CLI, simEnv(large), farUser, PARTNER)
const servers = [ceiling, simDefault, sim, simLarge]
const idle = new Map(servers.map((s) => [s, rssMb(s.child)]))

let emailCounter = 0
const GET_USER = { method: 'GET', path: USER_PATH, headers: PARTNER }
const scenarios = [
  {
    key: 'getUserDefault',
    label: 'GET user, default settings (info logging, journal on)',
    server: simDefault,
    request: GET_USER,
    target: 0.65
  },
  { key: 'getUser', label: 'GET user, LOG_LEVEL=warn', server: sim, request: GET_USER, target: 0.75 },
  {
    key: 'me',
    label: 'GET /api/me, LOG_LEVEL=warn',
    server: sim,
    request: { method: 'GET', path: '/api/me', headers: { authorization: 'Bearer user-key-jane' } },
    target: 0.75
  },
  {
    key: 'list100',
    label: 'list of 100 users',
    server: sim,
    request: { method: 'GET', path: listPath, headers: PARTNER },
    target: 0.15
  },
  {
    key: 'create',
    label: 'POST create user',
    server: sim,
    target: 0.25,
    request: {
      requests: [
        {
          method: 'POST',
          path: `/api/organizations/${ORG}/users`,
          headers: { ...PARTNER, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `bench${emailCounter++}@example.com` }) })
        }
      ]
    }
  },
  {
    key: 'update',
    label: 'PUT update user',
    server: sim,
    request: {
      method: 'PUT',
      path: USER_PATH,
      headers: { ...PARTNER, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'jane.doe@polytomic.com', role: 'admin' })
    },
    target: 0.25
  },
  {
    key: 'getUserLarge',
    label: 'GET user, 100,000 users',
    server: simLarge,
    request: { method: 'GET', path: farUser, headers: PARTNER }
  }
]

const rows = Object.fromEntries([['ceiling', []], ...scenarios.map((s) => [s.key, []])])
const ratios = Object.fromEntries(scenarios.map((s) => [s.key, []]))
const scaleRatios = []
const CEILING_REQUEST = { method: 'GET', path: USER_PATH }
for (let round = 1; round <= ROUNDS; round++) {
  log(`round ${round}/${ROUNDS}`)
  const results = {}
  // C A B C A B ...: each pair of scenarios right after a ceiling run, and compared with it.
  let c
  for (const [index, scenario] of scenarios.entries()) {
    if (index % 2 === 0) {
      await load(ceiling, CEILING_REQUEST, WARMUP)
      c = await load(ceiling, CEILING_REQUEST, DURATION)
      rows.ceiling.push(c)
      log(`  ceiling ${c.rps.toFixed(0)} req/s, ${c.cpuPerRequest.toFixed(1)} µs CPU per request`)
    }
    await load(scenario.server, scenario.request, WARMUP)
    const r = await load(scenario.server, scenario.request, DURATION)
    rows[scenario.key].push(r)
    results[scenario.key] = r
    ratios[scenario.key].push(r.rps / c.rps)
    log(
      `  ${scenario.label}: ${r.rps.toFixed(0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms), ${r.cpuPerRequest.toFixed(1)} µs CPU per request, ratio ${(r.rps / c.rps).toFixed(3)}`
    )
  }
  scaleRatios.push(results.getUserLarge.rps / results.getUser.rps)
}
const loaded = new Map(servers.map((s) => [s, rssMb(s.child)]))
for (const server of servers) await server.stop()

// --- where the time goes, and in-process figures -----------------------------------------------
const pieces = await measurePieces(small, ceilingEnv, DURATION)
const costs = await measureCallCosts(ROOT)
const restore = await measureRestore(ROOT)
const catalogs = await measureCatalogs(DURATION)
for (const line of catalogLines(catalogs)) log(line)
const operations = await measureOperations(DURATION)
for (const line of operationLines(operations)) log(line)
log(
  `where a GET user's time goes: ${pieces.simulator.rows.map(([piece, us]) => `${piece} ${us.toFixed(1)} µs`).join(', ')}; the ceiling ${pieces.ceiling.total.toFixed(1)} µs`
)
log(
  `snapshot restore of ${restore.users} users: median ${restore.medianMs.toFixed(1)} ms over ${restore.rounds} rounds`
)

// --- report ---------------------------------------------------------------------------------
const verdict = (ok) => (ok ? 'PASS' : 'MISS')
const cpuOf = (key) => median(rows[key].map((r) => r.cpuPerRequest))
const targets = []
for (const s of scenarios.filter((x) => x.target !== undefined)) {
  const ratio = median(ratios[s.key])
  targets.push([`${s.label}: throughput >= ${s.target} of the ceiling`, ratio.toFixed(3), verdict(ratio >= s.target)])
}
const startupRatio = median(startup.bundled) / median(startup.ceiling)
targets.push([
  "start-up, spawn to first 200 (bundled fixtures) <= 1.5 x the ceiling's",
  `${startupRatio.toFixed(2)} x (${median(startup.bundled).toFixed(0)} vs ${median(startup.ceiling).toFixed(0)} ms)`,
  verdict(startupRatio <= 1.5)
])
targets.push([
  'createSimulator() + listen() to first answer, second instance in one process <= 100 ms',
  `${second.medianMs.toFixed(0)} ms`,
  verdict(second.medianMs <= 100)
])
const rssRatio = loaded.get(sim) / loaded.get(ceiling)
targets.push([
  `RSS after the load scenarios <= 2 x the ceiling's (the server that also created ${emailCounter} users)`,
  `${rssRatio.toFixed(2)} x (${loaded.get(sim).toFixed(0)} vs ${loaded.get(ceiling).toFixed(0)} MB)`,
  verdict(rssRatio <= 2)
])
const scale = median(scaleRatios)
targets.push(['GET user at 100,000 users >= 0.9 of the figure at 100', scale.toFixed(3), verdict(scale >= 0.9)])

const ceilingCpu = cpuOf('ceiling')
const fmt = (us) => us.toFixed(1)
const profiledTotal = pieces.simulator.total
const pieceTable = [
  `The simulator with default settings (info logging, journal on) under ${DURATION} s of GET user, sampled every ${pieces.intervalUs} µs by V8's profiler, each sample charged to the piece of code it was in (bench/pieces.mjs), divided by the ${pieces.simulator.requests} requests answered. The ceiling, profiled the same way, spent ${fmt(pieces.ceiling.total)} µs per request.`,
  '',
  '| piece | µs per GET user | share |',
  '|---|---:|---:|',
  ...pieces.simulator.rows.map(
    ([piece, us]) => `| ${piece} | ${us.toFixed(2)} | ${Math.round((100 * us) / profiledTotal)}% |`
  ),
  `| **total** | **${profiledTotal.toFixed(2)}** | 100% |`,
  `| the ceiling, for comparison | ${pieces.ceiling.total.toFixed(2)} | |`,
  '',
  'Pieces timed alone, in-process and warm (bench/in-process.mjs):',
  '',
  '| piece | µs per call |',
  '|---|---:|',
  `| auth: SHA-256 of the key and the credential cache | ${costs.auth.toFixed(2)} |`,
  `| response cache lookup (a repeated GET) | ${costs.cacheLookup.toFixed(2)} |`,
  `| on a cache miss: access check and user lookup (SQLite) | ${costs.storeLookup.toFixed(2)} |`,
  `| on a cache miss: serialization of the user envelope | ${costs.serialization.toFixed(2)} |`
]

const table = [
  '| scenario | median req/s | median p50 ms | median p99 ms | server CPU µs per request | median ratio to ceiling |',
  '|---|---:|---:|---:|---:|---:|',
  `| ceiling (constant bytes) | ${median(rows.ceiling.map((r) => r.rps)).toFixed(0)} | ${median(rows.ceiling.map((r) => r.p50))} | ${median(rows.ceiling.map((r) => r.p99))} | ${fmt(ceilingCpu)} | 1 |`,
  ...scenarios.map(
    (s) =>
      `| ${s.label} | ${median(rows[s.key].map((r) => r.rps)).toFixed(0)} | ${median(rows[s.key].map((r) => r.p50))} | ${median(rows[s.key].map((r) => r.p99))} | ${fmt(cpuOf(s.key))} | ${median(ratios[s.key]).toFixed(3)} |`
  )
]
const targetTable = ['| target | measured | verdict |', '|---|---|---|', ...targets.map((t) => `| ${t.join(' | ')} |`)]
const memory = [
  '| process | RSS idle MB | RSS after load MB |',
  '|---|---:|---:|',
  ...servers.map((s) => `| ${s.name} | ${idle.get(s).toFixed(0)} | ${loaded.get(s).toFixed(0)} |`)
]
const startupTable = [
  '| server | median start-up ms (spawn to first 200 on GET user) |',
  '|---|---:|',
  `| ceiling | ${median(startup.ceiling).toFixed(0)} |`,
  `| simulator, bundled fixtures | ${median(startup.bundled).toFixed(0)} |`,
  `| simulator, 100,000 users in 1,000 organizations | ${median(startup.large).toFixed(0)} |`,
  `| second simulator in one process (createSimulator() + listen() to first answer) | ${second.medianMs.toFixed(0)} |`
]
const report = [
  '# Benchmark results',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}) · ${ROUNDS} rounds × ${DURATION} s per run, ${CONNECTIONS} connections, autocannon on the same machine. Ratios are to the ceiling run just before; every figure is a median over rounds. "Server CPU" is the server process's own user and system time (/proc) over the run, divided by the requests it answered.`,
  '',
  '## Targets',
  '',
  ...targetTable,
  '',
  '## Throughput and latency',
  '',
  ...table,
  '',
  "## Where a GET user's time goes",
  '',
  ...pieceTable,
  '',
  '## Start-up',
  '',
  ...startupTable,
  '',
  '## Memory',
  '',
  ...memory,
  '',
  '## Snapshot restore',
  '',
  `${restore.users} users and their role links, restored in-process: median ${restore.medianMs.toFixed(1)} ms over ${restore.rounds} rounds.`,
  '',
  '## Data inside connections: the query runner and records',
  '',
  ...catalogLines(catalogs),
  '',
  '## Policies, the connection proxy and run logs',
  '',
  ...operationLines(operations),
  ''
].join('\n')
log()
log(report)
writeFileSync(join(ROOT, 'bench', 'results.md'), report)
log('written to bench/results.md')
process.exit(0)
