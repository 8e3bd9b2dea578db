// The operations issue 29 added, under load: a GET of a connection a permission policy guards (a user whose role
// the policy grants, against an admin who skips the check), the connection proxy through to a stub API on
// 127.0.0.1, and downloads of a run's log file by its signed URL. The simulator is its own process on 127.0.0.1,
// as in the main benchmark. Run alone with `node bench/operations.mjs` after a build; `npm run bench` runs it too.
import { createServer } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, CLI, CONNECTIONS, load, log, rssMb, simEnv, startServer } from './lib.mjs'

const ORG = '248df4b7-aa70-47b8-a036-33ac447e668d'
const ANALYST = '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716'
const JOHN = 'b4e2d0f3-8c5e-4a9b-8d3f-2e3c4a5b6d7e'
const ANALYTICS = 'c3e6a9f4-5d7b-4e0a-9c3f-8b4d6e0a2c35'
const BULK_SYNC = 'd4f7b0a5-6e8c-4f1b-8d4a-9c5e7f1b3d46'
const BULK_RUN = 'e5a8c1b6-7f9d-4a2c-9e5b-0d6f8a2c4e57'
const JANE = { authorization: 'Bearer user-key-jane' }
const JOHN_KEY = { authorization: 'Bearer user-key-john' }
const PARTNER = { authorization: 'Bearer partner-key-acme' }
const V25 = { 'x-polytomic-version': '2025-09-18' }

/** A stub API on 127.0.0.1 port 0 answering every request with a small JSON body; closed by the caller. */
async function stubApi () {
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"objects":[{"id":1},{"id":2}]}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

async function api (url, method, path, headers, body) {
  const res = await fetch(url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text === '' ? undefined : JSON.parse(text)
}

/** The figures: each scenario at CONNECTIONS concurrent connections for `duration` seconds. */
export async function measureOperations (duration = 10) {
  const stub = await stubApi()
  const server = await startServer(
    'simulator',
    CLI,
    // The proxy's rate limit out of the way: the figure is the proxy's own cost.
    simEnv(join(ROOT, 'fixtures', 'default.json'), { PROXY_RATE_PER_MINUTE: '10000000' }),
    '/api/me',
    JANE
  )
  try {
    // John gets the Analyst role; the analytics connection names a policy granting Analysts reads.
    await api(server.url, 'PUT', `/api/organizations/${ORG}/users/${JOHN}`, PARTNER, {
      email: 'john.smith@polytomic.com',
      role_ids: [ANALYST]
    })
    const policy = (await api(server.url, 'POST', '/api/permissions/policies', JANE, {
      name: 'Analysts read',
      policy_actions: [{ action: 'read', role_ids: [ANALYST] }]
    })).data.id
    const analytics = (await api(server.url, 'GET', `/api/connections/${ANALYTICS}`, JANE)).data
    await api(server.url, 'PUT', `/api/connections/${ANALYTICS}`, JANE, {
      name: analytics.name,
      configuration: analytics.configuration,
      policies: [policy]
    })
    const connection = `/api/connections/${ANALYTICS}`
    const guarded = await load(server, { method: 'GET', path: connection, headers: JOHN_KEY }, duration)
    const admin = await load(server, { method: 'GET', path: connection, headers: JANE }, duration)

    // The proxy: an HTTP API connection to the stub.
    const proxied = (await api(server.url, 'POST', '/api/connections', { ...JANE, ...V25 }, {
      name: 'Stub API',
      type: 'api',
      configuration: { url: stub.url, auth_method: 'bearer', token: 'bench' }
    })).data.id
    const proxy = await load(
      server,
      {
        method: 'POST',
        path: `/api/connections/${proxied}/proxy`,
        headers: { ...JANE, ...V25, 'content-type': 'application/json' },
        body: JSON.stringify({ request: { method: 'GET', path: '/v1/objects', query: { limit: 10 } } })
      },
      duration
    )

    // A run's whole log by its signed URL (no credential).
    const logs = await api(server.url, 'GET', `/api/bulk/syncs/${BULK_SYNC}/executions/${BULK_RUN}/logs`, JANE)
    const file = new URL(logs.data.URLs[0])
    const download = await load(server, { method: 'GET', path: file.pathname + file.search }, duration)
    return { guarded, admin, proxy, download, rssMb: rssMb(server.child) }
  } finally {
    await server.stop()
    await stub.close()
  }
}

export function operationLines (r) {
  const row = (label, x) => `| ${label} | ${x.rps.toFixed(0)} | ${x.p50} | ${x.p99} | ${x.cpuPerRequest.toFixed(0)} |`
  return [
    `${CONNECTIONS} concurrent connections each; the stub API answers at once, on the same machine.`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | CPU µs/request |',
    '|---|---:|---:|---:|---:|',
    row('GET a connection a policy guards, as a user its policy grants reads', r.guarded),
    row('the same GET as an admin (no policy check)', r.admin),
    row('POST .../proxy through to a stub API on 127.0.0.1', r.proxy),
    row("GET a run's log file by its signed URL", r.download),
    '',
    `RSS of the simulator after these: ${r.rssMb.toFixed(0)} MB.`
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureOperations(Number(process.env.BENCH_DURATION ?? 10))
  for (const line of operationLines(r)) log(line)
  process.exit(0)
}
