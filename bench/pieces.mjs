// Where a GET user's time goes: the simulator under load with V8's sampling profiler on (a sample
// every PROFILE_INTERVAL_US; shorter intervals interrupt the socket writes and inflate them), each
// sample charged to the first piece found walking its stack from the leaf up, divided by the
// requests answered. Start-up samples are left out. Run alone with `node bench/pieces.mjs` after a build.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CEILING, CLI, PARTNER, ROOT, USER_PATH, load, log, simEnv, startServer } from './lib.mjs'

const PROFILE_INTERVAL_US = 500

/**
 * A sample's piece: logging when pino is on its stack; otherwise the innermost frame of our own
 * code, unless Fastify comes first (our hook went on, and what follows is not its own work);
 * helpers such as key hashing count for their caller. With none of ours, the garbage collector,
 * Fastify or Node by the innermost frame.
 */
const OURS = [
  ['journal', /dist\/(plugins\/)?journal\.js$/],
  ['auth: key digest and credential cache', /dist\/plugins\/auth\.js$|dist\/store\/credentials\.js$/],
  ['store: response cache lookup, access checks', /dist\/(response-cache\.js|plugins\/response-cache\.js|store\/.*)$/],
  ['route handler (lookups on a cache miss) and serialization', /dist\/(routes\/.*|serialization\.js|envelope\.js)$/],
  ['our other hooks: version, idempotency, faults', /dist\/plugins\/.*$/],
  ['start-up (left out)', /dist\/.*$/]
]
const HELPERS = [/dist\/store\/(ids|access)\.js$/, /dist\/(json|secrets)\.js$/]
const isHelper = (frame) =>
  HELPERS.some((re) => re.test(frame.url)) ||
  (frame.functionName === 'actingFor' && frame.url.endsWith('dist/http/plugins/auth.js'))
const START_UP = 'start-up (left out)'

function pieceOfStack (frames) {
  const leaf = frames[0]
  if (leaf.functionName === '(idle)') return null
  if (leaf.functionName === '(garbage collector)') return 'garbage collection'
  for (const frame of frames) {
    if (/node_modules\/(pino|sonic-boom)\/|dist\/plugins\/request-log\.js$/.test(frame.url)) {
      return 'logging: the request line'
    }
    if (/node_modules\/fast-json-stringify\//.test(frame.url)) {
      return 'route handler (lookups on a cache miss) and serialization'
    }
    if (/dist\/(app|simulator|cli)\.js$/.test(frame.url) || /node_modules\/avvio\//.test(frame.url)) return START_UP
    // Fastify between the leaf and our code: the work is Fastify's (or Node's) that our hook set off
    // by going on (done(), reply.send()), not the hook's own.
    if (/node_modules\/(fastify|find-my-way)\//.test(frame.url)) break
    if (!frame.url.includes('/dist/') || isHelper(frame)) continue
    return (OURS.find(([, re]) => re.test(frame.url)) ?? [START_UP])[0]
  }
  if (frames.some((f) => /modules\/(cjs|esm)\//.test(f.url))) return START_UP
  return /node_modules\//.test(leaf.url) ? 'Fastify: routing, hooks, reply' : 'Node: HTTP parsing, sockets, writes'
}

function charge (profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const pieceOf = new Map()
  const micros = new Map()
  profile.samples.forEach((id, i) => {
    if (!pieceOf.has(id)) {
      const frames = []
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur).callFrame)
      pieceOf.set(id, pieceOfStack(frames))
    }
    const piece = pieceOf.get(id)
    if (piece !== null) micros.set(piece, (micros.get(piece) ?? 0) + profile.timeDeltas[i])
  })
  micros.delete(START_UP)
  return micros
}

/** Profiles one server under `duration` seconds of GET user; µs per request by piece. */
async function profiled (name, args, env, headers, duration) {
  const dir = mkdtempSync(join(tmpdir(), 'pm-profile-'))
  try {
    const server = await startServer(
      name,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`, ...args],
      env,
      USER_PATH,
      headers
    )
    const request = { method: 'GET', path: USER_PATH, headers }
    let requests = 1
    for (const seconds of [1, duration]) requests += (await load(server, request, seconds)).total
    await server.stop()
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
    if (file === undefined) throw new Error(`${name} wrote no profile`)
    const micros = charge(JSON.parse(readFileSync(join(dir, file), 'utf8')))
    const rows = [...micros].map(([piece, us]) => [piece, us / requests]).sort((a, b) => b[1] - a[1])
    return { requests, rows, total: rows.reduce((sum, [, us]) => sum + us, 0) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * µs per GET user by piece, under load with default settings (info logging, journal on), and the
 * ceiling profiled the same way (its total: what any Fastify server answering these bytes spends).
 */
export async function measurePieces (fixtures, ceilingEnv, duration) {
  const ceiling = await profiled('profiled ceiling', CEILING, ceilingEnv, {}, duration)
  const simulator = await profiled(
    'profiled simulator',
    CLI,
    simEnv(fixtures, { LOG_LEVEL: 'info' }),
    PARTNER,
    duration
  )
  return { intervalUs: PROFILE_INTERVAL_US, ceiling, simulator }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measurePieces(
    join(ROOT, 'fixtures', 'default.json'),
    { CEILING_BODY: '{}', CEILING_PATH: USER_PATH },
    Number(process.env.BENCH_DURATION ?? 10)
  )
  for (const [piece, us] of result.simulator.rows) {
    log(`${us.toFixed(2).padStart(7)} µs  ${((100 * us) / result.simulator.total).toFixed(0).padStart(3)}%  ${piece}`)
  }
  log(
    `${result.simulator.total.toFixed(2).padStart(7)} µs  total over ${result.simulator.requests} requests; the ceiling ${result.ceiling.total.toFixed(2)} µs over ${result.ceiling.requests}`
  )
  process.exit(0)
}
