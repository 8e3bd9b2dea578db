import t from 'tap'
import { W, basic, bearer, build, call } from '../helper.js'

const usersUrl = `/api/organizations/${W.org.id}/users`

t.test('the journal records /api requests newest first, with the secret replaced by a fingerprint', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `${usersUrl}/${W.jane.id}`, bearer(W.acme.key))
  await call(app, 'POST', `${usersUrl}?trace=1`, { ...bearer(W.acme.key), 'x-polytomic-version': '2024-02-08' }, { email: 'j@example.com' })
  await call(app, 'GET', '/__admin/health')
  const res = await call(app, 'GET', '/__admin/requests')
  t.equal(res.status, 200)
  const [post, get] = res.body as Array<Record<string, unknown>>
  t.equal((res.body as unknown[]).length, 2, 'admin requests are not journaled')
  t.match(post, {
    id: 2,
    time: String,
    method: 'POST',
    path: usersUrl,
    query: { trace: '1' },
    headers: { 'x-polytomic-version': '2024-02-08', 'content-type': 'application/json', authorization: /^Bearer partner sha256:[0-9a-f]{8}$/ },
    body: { email: 'j@example.com' },
    status: 200,
    response: { data: { email: 'j@example.com', organization_id: W.org.id } },
    duration_ms: Number,
    partner_id: W.acme.partnerId,
    organization_id: W.org.id,
    fault: null
  })
  t.match(get, { id: 1, method: 'GET', status: 200, response: { data: { id: W.jane.id } } })
  t.notOk(JSON.stringify(res.body).includes(W.acme.key), 'the key never appears')
})

t.test('the journal fingerprints failed and Basic credentials too, and resolves the partner of API-key calls', async (t) => {
  const app = await build(t)
  await call(app, 'GET', '/api/me', bearer('not-a-real-key'))
  await call(app, 'GET', '/api/me', basic(W.org.id, W.acme.key))
  await call(app, 'GET', '/api/me', bearer(W.jane.key))
  const [jane, scoped, failed] = (await call(app, 'GET', '/__admin/requests')).body as Array<{ headers: { authorization: string }, status: number, partner_id: string | null, organization_id: string | null }>
  t.match(failed, { status: 401, headers: { authorization: /^Bearer unknown sha256:[0-9a-f]{8}$/ }, partner_id: null, organization_id: null })
  t.match(scoped, { status: 200, headers: { authorization: /^Basic partner sha256:/ }, partner_id: W.acme.partnerId, organization_id: W.org.id })
  t.match(jane, { headers: { authorization: /^Bearer user sha256:/ }, partner_id: W.acme.partnerId, organization_id: W.org.id })
  t.notOk(JSON.stringify([jane, scoped, failed]).includes('not-a-real-key'))
})

t.test('journal filters: method, exact and prefix path, status, partner_id, since, limit', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `${usersUrl}/${W.jane.id}`, bearer(W.acme.key))
  await new Promise((resolve) => setTimeout(resolve, 5))
  const midpoint = new Date().toISOString()
  await new Promise((resolve) => setTimeout(resolve, 5))
  await call(app, 'POST', usersUrl, bearer(W.acme.key), { email: 'bad' })
  await call(app, 'GET', `/api/organizations/${W.globex.customerOrgId}/users`, bearer(W.globex.key))
  await call(app, 'GET', '/api/me', bearer(W.jane.key))
  const q = async (query: string): Promise<Array<{ id: number }>> => (await call(app, 'GET', `/__admin/requests?${query}`)).body as Array<{ id: number }>
  t.same((await q('method=post')).map((e) => e.id), [2])
  t.same((await q(`path=${encodeURIComponent(usersUrl)}`)).map((e) => e.id), [2])
  t.same((await q(`path=${encodeURIComponent('/api/organizations/*')}`)).map((e) => e.id), [3, 2, 1])
  t.same((await q('status=422')).map((e) => e.id), [2])
  t.same((await q(`partner_id=${W.globex.partnerId}`)).map((e) => e.id), [3])
  t.same((await q(`partner_id=${W.acme.partnerId}`)).map((e) => e.id), [4, 2, 1])
  t.same((await q(`since=${encodeURIComponent(midpoint)}`)).map((e) => e.id), [4, 3, 2])
  t.same((await q('limit=2')).map((e) => e.id), [4, 3])
  const bad = await call(app, 'GET', '/__admin/requests?status=abc')
  t.equal(bad.status, 422)
  t.equal((await call(app, 'GET', '/__admin/requests?since=yesterday')).status, 422)
  const cleared = await call(app, 'DELETE', '/__admin/requests')
  t.same(cleared.body, { status: 'ok', cleared: 4 })
  t.same((await call(app, 'GET', '/__admin/requests')).body, [])
})

t.test('the journal is bounded by JOURNAL_SIZE, dropping the oldest first', async (t) => {
  const app = await build(t, { config: { journalSize: 3 } })
  for (let i = 0; i < 7; i++) await call(app, 'GET', '/api/me', bearer(W.jane.key))
  const entries = (await call(app, 'GET', '/__admin/requests')).body as Array<{ id: number }>
  t.same(entries.map((e) => e.id), [7, 6, 5])
})

t.test('JOURNAL_SIZE=0 turns the journal off', async (t) => {
  const app = await build(t, { config: { journalSize: 0 } })
  await call(app, 'GET', '/api/me', bearer(W.jane.key))
  t.same((await call(app, 'GET', '/__admin/requests')).body, [])
})
