// A test file that uses polytomic-mock the way a test suite should: one tenant per file (so files
// can run in parallel), its own data per test, assertions on what the code under test sent (the
// journal), and failures injected on purpose (faults scoped to this file's partner).
// Run it against a simulator: POLYTOMIC_URL=http://127.0.0.1:8080 node --test examples/tenant-per-file.test.mjs
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'

const BASE = process.env.POLYTOMIC_URL ?? 'http://127.0.0.1:8080'

async function request (method, path, { token, body } = {}) {
  const headers = {}
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
}

const admin = (method, path, body) => request(method, `/__admin${path}`, { body })

/** The code under test: a tiny partner client that retries once on 429 and 5xx. */
async function inviteUser (tenant, email) {
  for (let attempt = 0; ; attempt++) {
    const res = await request('POST', `/api/organizations/${tenant.organization_id}/users`, {
      token: tenant.partner_key,
      body: { email }
    })
    if ((res.status === 429 || res.status >= 500) && attempt === 0) continue
    return res
  }
}

let tenant

before(async () => {
  tenant = (await admin('POST', '/tenants', { name: 'example suite' })).body
})

after(async () => {
  await admin('DELETE', `/tenants/${tenant.partner_id}`)
})

test('inviting a user sends one POST with the email', async () => {
  const res = await inviteUser(tenant, 'Ada@Example.com')
  assert.equal(res.status, 200)
  assert.equal(res.body.data.email, 'ada@example.com')

  const journal = (
    await admin('GET', `/requests?partner_id=${tenant.partner_id}&method=POST&path=/api/organizations/*`)
  ).body
  assert.equal(journal.length, 1)
  assert.deepEqual(journal[0].body, { email: 'Ada@Example.com' })
  assert.match(journal[0].headers.authorization, /^Bearer partner sha256:/)
})

test('a 500 from Polytomic is retried once', async () => {
  const rule = (
    await admin('POST', '/faults', { partner_id: tenant.partner_id, method: 'POST', status: 500, times: 1 })
  ).body
  const res = await inviteUser(tenant, 'grace@example.com')
  assert.equal(res.status, 200)
  const fired = (await admin('GET', `/requests?partner_id=${tenant.partner_id}&status=500`)).body
  assert.equal(fired.length, 1)
  assert.equal(fired[0].fault, rule.id)
})

test('a 429 with Retry-After reaches the client', async () => {
  await admin('POST', '/faults', {
    partner_id: tenant.partner_id,
    status: 429,
    headers: { 'Retry-After': '1' },
    times: 2
  })
  const res = await inviteUser(tenant, 'linus@example.com')
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '1')
  assert.equal(res.body.key, 'too_many_requests')
})

test('the tenant sees only its own organization', async () => {
  const res = await request('GET', '/api/organizations', { token: tenant.partner_key })
  assert.deepEqual(
    res.body.data.map((o) => o.id),
    [tenant.organization_id]
  )
})
