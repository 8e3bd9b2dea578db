// Start-up alone (`npm run bench:startup`): spawn to the first 200 of the simulator's CLI and of the
// ceiling (a bare Fastify server answering the same body), medians of STARTUPS runs each, and their
// ratio. `npm run bench` measures the same among everything else.
import { join } from 'node:path'
import { CEILING, CLI, PARTNER, ROOT, USER_PATH, log, median, simEnv, startServer } from './lib.mjs'

const STARTUPS = Number(process.env.STARTUPS ?? 7)
const bundled = join(ROOT, 'fixtures', 'default.json')
const probe = await startServer('probe', CLI, simEnv(bundled), USER_PATH, PARTNER)
const exactBody = await (await fetch(probe.url + USER_PATH, { headers: PARTNER })).text()
await probe.stop()

const times = { ceiling: [], simulator: [] }
for (let i = 0; i < STARTUPS; i++) {
  for (const [key, args, env, headers] of [
    ['ceiling', CEILING, { CEILING_BODY: exactBody, CEILING_PATH: USER_PATH }, {}],
    ['simulator', CLI, simEnv(bundled), PARTNER]
  ]) {
    const server = await startServer(key, args, env, USER_PATH, headers)
    times[key].push(server.startupMs)
    await server.stop()
  }
}
const ceiling = median(times.ceiling)
const simulator = median(times.simulator)
log(`start-up (median of ${STARTUPS}): ceiling ${ceiling.toFixed(0)} ms, simulator ${simulator.toFixed(0)} ms, ratio ${(simulator / ceiling).toFixed(2)}`)
