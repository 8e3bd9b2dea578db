// The admin client a test suite uses against a simulator in another process: here, a listening one.
import t, { type Test } from 'tap'
import { AdminClient, AdminError } from '../src/client.js'
import { createSimulator } from '../src/index.js'

async function started (
  t: Test,
  adminToken: string | null = 'admin-secret'
): Promise<{ url: string; admin: AdminClient }> {
  const sim = await createSimulator({ adminToken })
  t.teardown(() => sim.close())
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  return { url, admin: new AdminClient(`${url}/`, { token: adminToken }) }
}

t.test('every method, with the admin token', async (t) => {
  const { url, admin } = await started(t)
  t.equal(admin.url, url, 'a trailing slash is dropped')
  t.match(await admin.health(), { status: 'ok', version: /^\d+\.\d+\.\d+/ })

  const tenant = await admin.createTenant({ name: 'client suite' })
  t.match(tenant, { partner_id: String, organization_id: String, partner_key: String })
  const fault = await admin.addFault({ partner_id: tenant.partner_id, status: 503, times: 1 })
  t.match(fault, { id: String, status: 503 })
  const faulted = await fetch(`${url}/api/organizations`, {
    headers: { authorization: `Bearer ${tenant.partner_key}` }
  })
  t.equal(faulted.status, 503)
  const ok = await fetch(`${url}/api/organizations`, { headers: { authorization: `Bearer ${tenant.partner_key}` } })
  t.equal(ok.status, 200)
  const entries = await admin.requests({ partner_id: tenant.partner_id, status: 503 })
  t.equal(entries.length, 1)
  t.equal(entries[0]?.fault, fault.id)
  t.equal((await admin.requests({ partner_id: tenant.partner_id, limit: 1 })).length, 1)
  await admin.addFault({ status: 500, path: '/api/webhooks' })
  await admin.addFault({ status: 502, path: '/api/events' })
  const rules = await admin.call<unknown[]>('GET', '/faults')
  t.equal(await admin.clearFaults(), rules.length)
  t.same(await admin.call('GET', '/faults'), [])

  t.match(await admin.snapshot('with-tenant'), { name: 'with-tenant' })
  await admin.deleteTenant(tenant.partner_id)
  t.equal(
    (await fetch(`${url}/api/organizations`, { headers: { authorization: `Bearer ${tenant.partner_key}` } })).status,
    401,
    'the tenant is gone'
  )
  t.match(await admin.restore('with-tenant'), { organizations: Number })
  t.equal(
    (await fetch(`${url}/api/organizations`, { headers: { authorization: `Bearer ${tenant.partner_key}` } })).status,
    200,
    'and back'
  )
  t.match(await admin.reset(), { organizations: Number })
  t.equal(
    (await fetch(`${url}/api/organizations`, { headers: { authorization: `Bearer ${tenant.partner_key}` } })).status,
    401,
    'reset drops it'
  )
  t.match(await admin.call('POST', '/executions/settle'), { status: 'ok', finished: 0 })
  t.same(await admin.notifications({ kind: 'sync_failed' }), [], 'nothing was told')
})

t.test('refusals are AdminErrors with the status and the error body', async (t) => {
  const { url, admin } = await started(t)
  const anonymous = new AdminClient(url)
  t.match(await anonymous.health(), { status: 'ok' }, 'health needs no token')
  const refused = await anonymous.reset().catch((err: unknown) => err)
  t.ok(refused instanceof AdminError)
  t.match(refused, {
    status: 401,
    body: { key: 'admin_unauthorized' },
    message: 'POST /__admin/reset answered 401: a valid admin token is required'
  })
  const missing = (await admin.restore('never-saved').catch((err: unknown) => err)) as AdminError
  t.equal(missing.status, 404)
  const invalid = (await admin.addFault({ status: 99 }).catch((err: unknown) => err)) as AdminError
  t.equal(invalid.status, 422)
  t.throws(() => new AdminClient('localhost:8080'), TypeError)
  t.throws(() => new AdminClient('not a url'), /base URL/)
})
