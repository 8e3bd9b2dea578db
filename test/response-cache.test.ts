import t, { type Test } from 'tap'
import { ResponseCache } from '../src/http/response-cache.js'
import type { FastifyInstance } from 'fastify'
import { W, basic, bearer, build, call } from './helper.js'

interface Body {
  data: Record<string, unknown>
  [key: string]: unknown
}

/** A GET as sent and answered: status, headers, the exact bytes and the parsed body. */
async function get (
  app: FastifyInstance,
  url: string,
  headers: Record<string, string>
): Promise<{ status: number; headers: Record<string, unknown>; text: string; json: Body }> {
  const res = await app.inject({ method: 'GET', url, headers })
  return { status: res.statusCode, headers: res.headers, text: res.body, json: JSON.parse(res.body) as Body }
}

const janeUrl = `/api/organizations/${W.org.id}/users/${W.jane.id}`

/** Counts the calls of a store method while the test runs (the method still does its work). */
function countCalls<T extends object> (t: Test, object: T, method: keyof T & string): () => number {
  const captured = t.capture(
    object,
    method as never,
    (object[method] as (...args: unknown[]) => unknown).bind(object) as never
  )
  return () => captured.args().length
}

t.test('a repeated identity GET is answered from the cache, byte for byte, without the handler', async (t) => {
  const app = await build(t)
  const finds = countCalls(t, app.store.users, 'find')
  const first = await get(app, janeUrl, bearer(W.acme.key))
  const second = await get(app, janeUrl, bearer(W.acme.key))
  t.equal(first.status, 200)
  t.equal(second.text, first.text, 'the same bytes')
  t.same(second.headers['content-type'], first.headers['content-type'])
  t.equal(second.headers['x-polytomic-version'], first.headers['x-polytomic-version'])
  t.equal(finds(), 1, 'the user was looked up once')
})

t.test('any write is seen by the next GET: through the API, the store in-process, and reset', async (t) => {
  const app = await build(t)
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).json.data.role, 'admin')
  await call(app, 'PUT', janeUrl, bearer(W.acme.key), { email: W.jane.email, role: 'user' })
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).json.data.role, 'user', 'after a PUT')
  app.store.transaction(() =>
    app.store.users.update(app.store.users.find(W.org.id, W.jane.id), { email: W.jane.email, role: 'admin' }, 'replace')
  )
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).json.data.role, 'admin', 'after an in-process write')
  await call(app, 'DELETE', janeUrl, bearer(W.acme.key))
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).status, 404, 'after a delete')
  await call(app, 'POST', '/__admin/reset')
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).status, 200, 'after a reset')
})

t.test('answers are kept per credential and per version: another caller or version never gets them', async (t) => {
  const app = await build(t)
  const partner = await get(app, '/api/me', bearer(W.acme.key))
  const jane = await get(app, '/api/me', bearer(W.jane.key))
  const scoped = await get(app, '/api/me', basic(W.org.id, W.acme.key))
  const legacy = await get(app, '/api/me', { ...bearer(W.jane.key), 'x-polytomic-version': '2021-05-23' })
  t.not(jane.text, partner.text)
  t.not(scoped.text, partner.text, 'a Basic credential naming an organization is another caller')
  t.ok('result' in legacy.json, 'the 2021-05-23 envelope')
  t.same((await get(app, '/api/me', bearer(W.jane.key))).json, jane.json)
  t.equal((await get(app, '/api/me', bearer('not-a-key'))).status, 401, 'auth still runs first')
  t.equal((await get(app, janeUrl, bearer(W.globex.key))).status, 404, 'another partner still cannot reach the user')
})

t.test('fault rules, the journal and errors see a cached answer as any other', async (t) => {
  const app = await build(t)
  await get(app, janeUrl, bearer(W.acme.key))
  await call(app, 'POST', '/__admin/faults', {}, { method: 'GET', path: janeUrl, status: 503, times: 1 })
  t.equal((await get(app, janeUrl, bearer(W.acme.key))).status, 503, 'the fault fires before the cache')
  const cached = await get(app, janeUrl, bearer(W.acme.key))
  t.equal(cached.status, 200)
  const [entry] = (await get(app, '/__admin/requests', {})).json as unknown as Array<Record<string, unknown>>
  t.match(entry, { status: 200, response: { data: { id: W.jane.id } }, partner_id: W.acme.partnerId })
  const missing = `/api/organizations/${W.org.id}/users/00000000-0000-4000-8000-000000000000`
  t.equal((await get(app, missing, bearer(W.acme.key))).status, 404)
  t.equal((await get(app, missing, bearer(W.acme.key))).status, 404, 'an error is answered afresh, never kept')
})

t.test(
  'ResponseCache: a generation change empties it; an answer from an older generation is not kept; bounded',
  async (t) => {
    const answer = (payload: string): { headers: Record<string, string>; payload: string } => ({ headers: {}, payload })
    const cache = new ResponseCache({ entries: 2, bytes: 10 })
    t.equal(cache.get('a', 1), undefined)
    cache.set('a', 1, answer('1'))
    t.same(cache.get('a', 1), answer('1'))
    t.equal(cache.get('a', 2), undefined, 'another generation')
    cache.set('a', 1, answer('1'))
    t.equal(cache.get('a', 2), undefined, 'computed before the write: not kept')
    cache.set('a', 2, answer('1'))
    cache.set('b', 2, answer('2'))
    cache.set('c', 2, answer('3'))
    t.equal(cache.size, 1, 'past its entries it starts again')
    cache.set('d', 2, answer('0123456789x'))
    t.equal(cache.get('d', 2), undefined, 'an answer larger than the whole budget is not kept')
  }
)
