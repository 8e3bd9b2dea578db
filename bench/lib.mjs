// What every benchmark script shares: servers as child processes on 127.0.0.1, autocannon load,
// the server's own CPU time per request (from /proc), medians. No timed assertions: figures only.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import autocannon from 'autocannon'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const CONNECTIONS = 50
export const CLI = [join('dist', 'cli.js')]
export const CEILING = [join('bench', 'ceiling.mjs')]
export const ORG = '248df4b7-aa70-47b8-a036-33ac447e668d'
export const JANE = 'a3f1c9e2-7b4d-4f8a-9c2e-1d2b3f4a5c6d'
export const PARTNER = { authorization: 'Bearer partner-key-acme' }
export const USER_PATH = `/api/organizations/${ORG}/users/${JANE}`

export const log = (line = '') => process.stdout.write(`${line}\n`)
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** The simulator's settings in the benchmark; `overrides` are what one scenario changes. */
export const simEnv = (fixtures, overrides = {}) => ({
  FIXTURES: fixtures,
  LOG_LEVEL: 'warn',
  DATABASE: ':memory:',
  ...overrides
})

async function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const children = new Set()
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/**
 * Spawns a server (its stdout, where the simulator logs, goes to /dev/null as a container's would
 * go to a collector), waits for the first 200 on probePath (bounded: 60 s), returns it with its
 * start-up time. Stopped by its process id.
 */
export async function startServer (name, args, env, probePath, probeHeaders = {}) {
  const port = await freePort()
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  children.add(child)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name} did not start`)
    const ok = await fetch(url + probePath, { headers: probeHeaders }).then(
      (r) => r.status === 200,
      () => false
    )
    if (ok) break
    await sleep(2)
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6
  return {
    name,
    child,
    url,
    startupMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      })
  }
}

export function rssMb (child) {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
}

/** CPU time (user + system) a process has used, in microseconds; /proc counts in clock ticks of 10 ms. */
function cpuMicros (child) {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

/**
 * Loads one server for `duration` seconds; a request's `path` goes into the URL (autocannon reads
 * paths only inside `requests`). Returns throughput, latency and the server's CPU time per request.
 */
export async function load (server, { path, ...request }, duration) {
  const before = cpuMicros(server.child)
  const result = await autocannon({
    url: path === undefined ? server.url : server.url + path,
    connections: CONNECTIONS,
    duration,
    ...request
  })
  const cpu = cpuMicros(server.child) - before
  const bad = result.non2xx + result.errors
  if (bad > 0) {
    throw new Error(
      `${server.url}${path ?? ''}: ${result.non2xx} non-2xx responses and ${result.errors} errors; the benchmark only counts successes`
    )
  }
  const requests = result.requests.total
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: requests,
    cpuPerRequest: requests > 0 ? cpu / requests : NaN
  }
}
