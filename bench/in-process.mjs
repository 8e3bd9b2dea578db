// In-process figures on the build: what one piece of a GET user costs when called alone, and how
// long a second simulator in one process takes from createSimulator() to its first answer. Run
// alone with `node bench/in-process.mjs` after a build.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { ORG, JANE, USER_PATH, median } from './lib.mjs'

const PARTNER_KEY = 'partner-key-acme'
const dist = (root, file) => import(pathToFileURL(join(root, 'dist', file)).href)

/** Microseconds per call of fn, median of `rounds` timed loops of `calls` calls (after one untimed loop). */
function perCall (fn, calls = 20_000, rounds = 5) {
  const times = []
  for (let round = 0; round <= rounds; round++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) fn(i)
    if (round > 0) times.push(Number(process.hrtime.bigint() - started) / 1e3 / calls)
  }
  return median(times)
}

/**
 * Pieces of a GET user timed alone on the built code, warm: resolving the key (auth), the
 * response-cache lookup that answers a repeated GET, and what runs instead when the cache misses
 * (the access check and user lookup, the serializer). Under load, bench/pieces.mjs profiles the whole.
 */
export async function measureCallCosts (root) {
  const { createSimulator } = await dist(root, 'index.js')
  const { ResponseCache } = await dist(root, 'response-cache.js')
  const { serializerFor } = await dist(root, 'serialization.js')
  const { UserEnvelope } = await dist(root, 'schemas/users.js')
  const { responseCacheKey } = await dist(root, 'plugins/response-cache.js')
  const sim = await createSimulator({ database: ':memory:', journalSize: 0 })
  try {
    const { store } = sim.app
    const caller = store.credentials.resolveBearer(PARTNER_KEY)
    const user = store.users.find(ORG, JANE)
    const serialize = serializerFor(UserEnvelope)
    const payload = serialize({ data: user })
    const cache = new ResponseCache()
    const keyOf = () => responseCacheKey(caller, '2025-09-18', USER_PATH)
    cache.get(keyOf(), store.writeGeneration())
    cache.set(keyOf(), store.writeGeneration(), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload
    })
    return {
      auth: perCall(() => store.credentials.resolveBearer(PARTNER_KEY)),
      cacheLookup: perCall(() => cache.get(keyOf(), store.writeGeneration())),
      storeLookup: perCall(() => {
        const organization = store.access.organizationForUserManagement(caller, ORG, '2025-09-18')
        store.users.find(organization.id, JANE)
      }),
      serialization: perCall(() => serialize({ data: user }))
    }
  } finally {
    await sim.close()
  }
}

/**
 * createSimulator() + listen() to the first answer of a GET user, for a second (and later)
 * simulator in one process: what a test file pays per test. Median over `rounds`.
 */
export async function measureSecondInstance (root, rounds = 7) {
  const { createSimulator } = await dist(root, 'index.js')
  const once = async () => {
    const started = process.hrtime.bigint()
    const sim = await createSimulator({ database: ':memory:', port: 0, host: '127.0.0.1' })
    try {
      const url = await sim.listen()
      const res = await fetch(url + USER_PATH, { headers: { authorization: `Bearer ${PARTNER_KEY}` } })
      await res.text()
      if (res.status !== 200) throw new Error(`GET user answered ${res.status}`)
      return Number(process.hrtime.bigint() - started) / 1e6
    } finally {
      await sim.close()
    }
  }
  await once()
  const times = []
  for (let i = 0; i < rounds; i++) times.push(await once())
  return { rounds, medianMs: median(times) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(import.meta.dirname, '..')
  const costs = await measureCallCosts(root)
  for (const [name, us] of Object.entries(costs)) process.stdout.write(`${name}: ${us.toFixed(2)} µs per call\n`)
  const second = await measureSecondInstance(root)
  process.stdout.write(
    `second simulator in one process, createSimulator() to first answer: median ${second.medianMs.toFixed(0)} ms over ${second.rounds}\n`
  )
}
