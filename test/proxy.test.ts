import t from 'tap'
import { W, bearer, build, call } from './helper.js'
import { receiver } from './support/receiver.js'
import { createServer } from 'node:net'

/** A loopback URL nothing listens on: a port taken, then let go. */
async function deadUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const origin = (url: string): string => new URL(url).origin

const v25 = { ...bearer(W.jane.key), 'x-polytomic-version': '2025-09-18' }
const data = <T>(res: { body: unknown }): T => (res.body as { data: T }).data

/** An HTTP API connection of My Organization to `url`, with a bearer token. */
async function apiConnection (app: Awaited<ReturnType<typeof build>>, url: string, name = 'Stub API'): Promise<string> {
  const res = await call(app, 'POST', '/api/connections', v25, {
    name,
    type: 'api',
    configuration: { url, auth_method: 'bearer', token: 'upstream-secret' }
  })
  if (res.status !== 200) throw new Error(JSON.stringify(res.body))
  return data<{ id: string }>(res).id
}

interface ProxyAnswer {
  status: number
  headers: Record<string, string>
  body: string
  contentType: string
  latencyMs: number
  proxyCallId: string
  truncated: boolean
}

t.test("the proxy sends the call to the connection's base URL with its auth, and passes the answer back", async (t) => {
  const app = await build(t)
  const stub = await receiver(t, () => ({
    status: 201,
    body: '{"ok":true}',
    headers: { 'content-type': 'application/json', 'set-cookie': 'a=b', 'x-upstream': 'yes' }
  }))
  const id = await apiConnection(app, `${origin(stub.url)}/v1`)
  const res = await call(app, 'POST', `/api/connections/${id}/proxy`, v25, {
    request: {
      method: 'POST',
      path: '/objects',
      headers: { 'X-Trace': 't1' },
      query: { limit: 10, tag: ['a', 'b'] },
      body: { name: 'thing' }
    }
  })
  t.equal(res.status, 200, JSON.stringify(res.body))
  const answer = data<ProxyAnswer>(res)
  t.match(answer, { status: 201, body: '{"ok":true}', contentType: 'application/json', truncated: false })
  t.equal(answer.headers['x-upstream'], 'yes')
  t.notOk('set-cookie' in answer.headers, 'a blocked response header is dropped')
  t.match(answer.proxyCallId, /^[0-9a-f-]{36}$/)
  const [arrived] = stub.received
  t.equal(arrived?.method, 'POST')
  t.equal(arrived?.url, '/v1/objects?limit=10&tag=a&tag=b')
  t.equal(arrived?.headers.authorization, 'Bearer upstream-secret', "the connection's stored auth")
  t.equal(arrived?.headers['x-trace'], 't1')
  t.same(JSON.parse(arrived?.raw.toString() ?? ''), { name: 'thing' })

  const info = data<Record<string, Record<string, unknown>>>(await call(app, 'GET', `/api/connections/${id}/proxy/info`, v25))
  t.match(info, {
    connectionId: id,
    backendType: 'api',
    inheritedBase: { baseUrl: `${origin(stub.url)}/v1`, lockedHeaders: [{ name: 'Authorization', value: '[REDACTED]', redacted: true }] },
    stats: { proxyCallsLast24h: 1, proxy2xxLast24h: 1, proxy4xxLast24h: 0 }
  })
  t.notMatch(JSON.stringify(info), /upstream-secret/, 'the secret is never shown')
})

t.test('bad calls are 400s, and nothing is sent', async (t) => {
  const app = await build(t)
  const stub = await receiver(t)
  const id = await apiConnection(app, origin(stub.url))
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ method: 'GET', path: 'objects' }, /request\.path/],
    [{ method: 'GET', path: '/a/../b' }, /request\.path/],
    [{ method: 'GET', path: '/a?x=1' }, /request\.path/],
    [{ method: 'GET', path: '/a', query: { a: 1 }, rawQuery: 'b=2' }, /both/],
    [{ method: 'GET', path: '/a', headers: { Authorization: 'Bearer mine' } }, /blocked/],
    [{ method: 'GET', path: '/a', query: { a: { nested: true } } }, /request\.query\.a/]
  ]
  for (const [request, message] of cases) {
    const res = await call(app, 'POST', `/api/connections/${id}/proxy`, v25, { request })
    t.equal(res.status, 400, JSON.stringify(request))
    t.match(res.body, { message }, JSON.stringify(request))
  }
  const badMethod = await call(app, 'POST', `/api/connections/${id}/proxy`, v25, { request: { method: 'TRACE', path: '/' } })
  t.ok(badMethod.status >= 400 && badMethod.status < 500)
  t.equal(stub.received.length, 0)
  const postgres = await call(app, 'POST', `/api/connections/${W.analytics.id}/proxy`, v25, { request: { method: 'GET', path: '/' } })
  t.equal(postgres.status, 400, 'a connection without a base URL')
  t.match(postgres.body, { key: 'operation_not_supported' })
})

t.test('a refused host is a 403, a dead one a 502, a silent one a 504: never a hang', async (t) => {
  const app = await build(t, { config: { proxyTimeoutMs: 200 } })
  const remote = await apiConnection(app, 'https://api.example.com', 'Remote')
  const refused = await call(app, 'POST', `/api/connections/${remote}/proxy`, v25, { request: { method: 'GET', path: '/' } })
  t.equal(refused.status, 403)
  t.match(refused.body, { key: 'proxy_host_refused', message: /PROXY_ALLOWED_HOSTS/ })

  // A port nothing listens on: take one from a server, then close it.
  const dead = await apiConnection(app, await deadUrl(), 'Dead')
  const unreachable = await call(app, 'POST', `/api/connections/${dead}/proxy`, v25, { request: { method: 'GET', path: '/' } })
  t.equal(unreachable.status, 502)
  t.match(unreachable.body, { key: 'bad_gateway' })

  const silent = await receiver(t, () => 'hang')
  const slow = await apiConnection(app, origin(silent.url), 'Silent')
  const timedOut = await call(app, 'POST', `/api/connections/${slow}/proxy`, v25, { request: { method: 'GET', path: '/' } })
  t.equal(timedOut.status, 504)
  t.match(timedOut.body, { key: 'gateway_timeout' })
  const info = data<{ stats: Record<string, number> }>(await call(app, 'GET', `/api/connections/${slow}/proxy/info`, v25))
  t.equal(info.stats.proxy5xxLast24h, 1)
})

t.test('the proxy routes are 2025-09-18 routes, behind the same auth and reach as the connection', async (t) => {
  const app = await build(t)
  const stub = await receiver(t)
  const id = await apiConnection(app, origin(stub.url))
  const before = await call(app, 'GET', `/api/connections/${id}/proxy/info`, {
    ...bearer(W.jane.key),
    'x-polytomic-version': '2024-02-08'
  })
  t.equal(before.status, 404)
  t.equal((await call(app, 'GET', `/api/connections/${id}/proxy/info`, { 'x-polytomic-version': '2025-09-18' })).status, 401)
  const other = await call(app, 'GET', `/api/connections/${id}/proxy/info`, {
    ...bearer(W.globex.adminKey),
    'x-polytomic-version': '2025-09-18'
  })
  t.equal(other.status, 404)
})

t.test('close() cuts a proxy call in flight: the call ends, nothing is left running', async (t) => {
  const app = await build(t, { config: { proxyTimeoutMs: 600_000 } })
  const silent = await receiver(t, () => 'hang')
  const id = await apiConnection(app, origin(silent.url), 'Silent')
  const pending = call(app, 'POST', `/api/connections/${id}/proxy`, v25, { request: { method: 'GET', path: '/' } })
  await silent.waitFor(1)
  const closing = app.close()
  const res = await pending
  t.equal(res.status, 503, 'the call ends, as the simulator shuts down')
  await closing
  t.ok(app.store.isClosed, 'and the simulator closed')
})
