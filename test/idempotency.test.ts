import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { W, apiError, basic, bearer, build, call, until } from './helper.js'

const usersUrl = `/api/organizations/${W.org.id}/users`
const P = bearer(W.acme.key)
const countUsers = (app: Awaited<ReturnType<typeof build>>): number =>
  (app.store.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n

t.test('an invalid Idempotency-Key is 400 and the request is not executed', async (t) => {
  const app = await build(t)
  const before = countUsers(app)
  for (const key of ['short', 'x'.repeat(256), 'has space in it', 'semi;colon;key', 'ключ-ключ-ключ', '']) {
    const res = await call(
      app,
      'POST',
      usersUrl,
      { ...P, 'idempotency-key': key },
      { email: `k${key.length}@example.com` }
    )
    t.equal(res.status, 400, JSON.stringify(key))
    t.same(
      res.body,
      apiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 8 to 255 letters, digits, "-" or "_"')
    )
  }
  t.equal(countUsers(app), before)
  t.equal(
    (await call(app, 'POST', usersUrl, { ...P, 'idempotency-key': 'a'.repeat(255) }, { email: 'max@example.com' }))
      .status,
    200,
    '255 characters is fine'
  )
  t.equal(
    (await call(app, 'POST', usersUrl, { ...P, 'idempotency-key': 'A1_-b2c3' }, { email: 'min@example.com' })).status,
    200,
    '8 characters is fine'
  )
})

t.test('a repeated key gets the first outcome back byte for byte, without executing again', async (t) => {
  const app = await build(t)
  const headers = { ...P, 'idempotency-key': 'create-user-0001', 'x-polytomic-version': '2024-02-08' }
  const first = await app.inject({
    method: 'POST',
    url: usersUrl,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'once@example.com' })
  })
  t.equal(first.statusCode, 200)
  const after = countUsers(app)
  const second = await app.inject({
    method: 'POST',
    url: usersUrl,
    headers: { ...headers, 'x-polytomic-version': '2025-09-18', 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'different@example.com' })
  })
  t.equal(second.statusCode, 200)
  t.equal(second.body, first.body, 'the same bytes')
  t.equal(second.headers['x-polytomic-version'], '2024-02-08', 'the version that served the first request')
  t.equal(second.headers['content-type'], first.headers['content-type'])
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(countUsers(app), after, 'not executed again')
})

t.test('errors are replayed too', async (t) => {
  const app = await build(t)
  const headers = { ...P, 'idempotency-key': 'bad-request-0001' }
  const first = await call(app, 'POST', usersUrl, headers, { email: 'nope' })
  t.equal(first.status, 422)
  const second = await call(app, 'POST', usersUrl, headers, { email: 'valid@example.com' })
  t.same([second.status, second.body], [422, first.body])
  await call(app, 'POST', '/__admin/faults', {}, { path: usersUrl, status: 500, times: 1 })
  const failed = await call(
    app,
    'POST',
    usersUrl,
    { ...P, 'idempotency-key': 'server-error-01' },
    { email: 'e@example.com' }
  )
  t.equal(failed.status, 500)
  const replayed = await call(
    app,
    'POST',
    usersUrl,
    { ...P, 'idempotency-key': 'server-error-01' },
    { email: 'e@example.com' }
  )
  t.same([replayed.status, replayed.body], [500, failed.body], 'a 500 stays a 500 for that key, as the docs say')
})

t.test('keys of different credentials never collide', async (t) => {
  const app = await build(t)
  const key = { 'idempotency-key': 'shared-key-0001' }
  const a = await call(app, 'POST', usersUrl, { ...P, ...key }, { email: 'a@example.com' })
  const b = await call(app, 'POST', usersUrl, { ...bearer(W.deploymentKey), ...key }, { email: 'b@example.com' })
  const c = await call(app, 'POST', usersUrl, { ...basic(W.org.id, W.acme.key), ...key }, { email: 'c@example.com' })
  t.same([a.status, b.status, c.status], [200, 200, 200])
  t.same(
    new Set([a, b, c].map((r) => (r.body as { data: { email: string } }).data.email)).size,
    3,
    'three different users'
  )
})

t.test('a second request while the first is still running gets 409', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { path: usersUrl, delay_ms: 300, times: 1 })
  const headers = { ...P, 'idempotency-key': 'slow-request-01' }
  const first = call(app, 'POST', usersUrl, headers, { email: 'slow@example.com' })
  // The rule fires (and, being for one time, goes) only after the key is claimed: then the first is in flight.
  await until('the first request to be held by the fault', () => app.control.faultRules().length === 0)
  const second = await call(app, 'POST', usersUrl, headers, { email: 'slow@example.com' })
  t.equal(second.status, 409)
  t.same(
    second.body,
    apiError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed')
  )
  t.equal((await first).status, 200)
  const third = await call(app, 'POST', usersUrl, headers, { email: 'slow@example.com' })
  t.same([third.status, third.body], [200, (await first).body], 'once finished, the outcome is replayed')
})

t.test('PUT, PATCH and DELETE take keys; GET ignores them', async (t) => {
  const app = await build(t)
  const url = `${usersUrl}/${W.john.id}`
  const del = await call(app, 'DELETE', url, { ...P, 'idempotency-key': 'delete-john-01' })
  t.equal(del.status, 200)
  const again = await call(app, 'DELETE', url, { ...P, 'idempotency-key': 'delete-john-01' })
  t.same([again.status, again.body], [200, del.body], 'the second delete replays the 200 instead of a 404')
  const put = await call(
    app,
    'PUT',
    `${usersUrl}/${W.jane.id}`,
    { ...P, 'idempotency-key': 'put-jane-0001' },
    { email: W.jane.email, role: 'user' }
  )
  t.equal(put.status, 200)
  const patchBad = await call(app, 'PATCH', `${usersUrl}/${W.jane.id}`, { ...P, 'idempotency-key': 'x' }, {})
  t.equal(patchBad.status, 400)
  const get = await call(app, 'GET', url, { ...P, 'idempotency-key': 'x' })
  t.equal(get.status, 404, 'a GET is not checked or recorded')
})

t.test('records expire after IDEMPOTENCY_TTL_S and are cleared by reset', async (t) => {
  const app = await build(t, { config: { idempotencyTtlS: 60 } })
  const headers = { ...P, 'idempotency-key': 'expiring-key-1' }
  await call(app, 'POST', usersUrl, headers, { email: 'first@example.com' })
  app.store.db.prepare('UPDATE idempotency_keys SET created_at = created_at - 61000').run()
  const expired = await call(app, 'POST', usersUrl, headers, { email: 'second@example.com' })
  t.match(expired.body, { data: { email: 'second@example.com' } }, 'an expired key runs as new')
  await call(app, 'POST', '/__admin/reset')
  t.equal((app.store.db.prepare('SELECT count(*) AS n FROM idempotency_keys').get() as { n: number }).n, 0)
  const fresh = await call(app, 'POST', usersUrl, headers, { email: 'third@example.com' })
  t.match(fresh.body, { data: { email: 'third@example.com' } })
})

t.test('records survive a restart with a file database', async (t) => {
  const database = join(mkdtempSync(join(tmpdir(), 'pm-idem-')), 'world.db')
  const headers = { ...P, 'idempotency-key': 'durable-key-01' }
  const first = await buildApp({ config: { database } })
  const created = await call(first, 'POST', usersUrl, headers, { email: 'durable@example.com' })
  await first.close()
  const second = await buildApp({ config: { database } })
  t.teardown(() => second.close())
  const replayed = await call(second, 'POST', usersUrl, headers, { email: 'durable@example.com' })
  t.same([replayed.status, replayed.body], [200, created.body])
})
