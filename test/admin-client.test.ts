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
    key: 'admin_unauthorized',
    message: 'POST /__admin/reset answered 401 (admin_unauthorized): a valid admin token is required'
  })
  const missing = (await admin.restore('never-saved').catch((err: unknown) => err)) as AdminError
  t.equal(missing.status, 404)
  const invalid = (await admin.addFault({ status: 99 }).catch((err: unknown) => err)) as AdminError
  t.equal(invalid.status, 422)
  t.throws(() => new AdminClient('localhost:8080'), TypeError)
  t.throws(() => new AdminClient('not a url'), /base URL/)
})

t.test('errors that say what to check', async (t) => {
  const { url, admin } = await started(t, null)
  // A port nothing listens on: the one this simulator had, once it is closed.
  const gone = await createSimulator()
  const goneUrl = await gone.listen({ port: 0, host: '127.0.0.1' })
  await gone.close()
  const dead = (await new AdminClient(goneUrl).health().catch((err: unknown) => err)) as AdminError
  t.ok(dead instanceof AdminError)
  t.match(dead, { status: 0, key: 'unreachable' })
  t.match(dead.message, `cannot reach the simulator at ${goneUrl} (ECONNREFUSED: nothing listens there)`)
  t.match(dead.message, /POLYTOMIC_MOCK_URL/)

  const suffixed = new AdminClient(`${url}/__admin/`)
  t.equal(suffixed.url, url, 'a base URL ending in /__admin is taken as the simulator base URL')
  t.match(await suffixed.health(), { status: 'ok' })
  t.throws(() => new AdminClient(`${url}?x=1`), /without a query/)

  const typo = (await admin.call('POST', '/deliveries/setle').catch((err: unknown) => err)) as AdminError
  t.match(typo, { status: 404, key: 'route_not_found' })
  t.match(typo.message, 'no such admin route: POST /__admin/deliveries/setle (did you mean POST /__admin/deliveries/settle?)')
  const method = (await admin.call('PUT', '/clock').catch((err: unknown) => err)) as AdminError
  t.match(method.message, '(did you mean GET /__admin/clock or POST /__admin/clock?)')
  const param = (await admin.call('DELETE', '/fault/abc').catch((err: unknown) => err)) as AdminError
  t.match(param.message, '(did you mean DELETE /__admin/faults/abc?)')
  const twice = await fetch(`${url}/__admin/__admin/reset`, { method: 'POST' })
  t.match(await twice.json(), { key: 'route_not_found', message: /has \/__admin twice/ })
})

t.test('an unsettled settle says what is waiting and why, and can throw instead', async (t) => {
  const { url, admin } = await started(t, null)
  // A receiver that refuses every delivery (another simulator's 404): the first attempt fails, the retry waits.
  const refusing = await createSimulator()
  t.teardown(() => refusing.close())
  const receiverUrl = await refusing.listen({ port: 0, host: '127.0.0.1' })
  const tenant = await admin.createTenant({ name: 'unsettled' })
  const created = await fetch(`${url}/api/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.admin_user_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: `${receiverUrl}/refuses`, secret: 'whsec' })
  })
  t.equal(created.status, 200)
  const webhook = ((await created.json()) as { data: { id: string } }).data
  await admin.emitEvent({ organization_id: tenant.organization_id, type: 'sync.failed' })
  // Wait (on the delivery log, no sleep) until the first attempt has failed.
  for (let i = 0; i < 200; i++) {
    if ((await admin.deliveries({ organization_id: tenant.organization_id })).length > 0) break
    await admin.settleDeliveries({ partner_id: tenant.partner_id, timeout_ms: 50 })
  }
  const result = await admin.settleDeliveries({ partner_id: tenant.partner_id, timeout_ms: 0 })
  t.match(result, { settled: false, pending: 1 })
  t.match(result.waiting, [
    {
      event_type: 'sync.failed',
      webhook_id: webhook.id,
      endpoint: `${receiverUrl}/refuses`,
      attempts: 1,
      next_attempt_at: /^\d{4}-/,
      held: false,
      last_error: 'answered 404'
    }
  ])
  const thrown = (await admin
    .settleDeliveries({ partner_id: tenant.partner_id, timeout_ms: 0, fail_if_unsettled: true })
    .catch((err: unknown) => err)) as AdminError
  t.match(thrown, { status: 409, key: 'deliveries_unsettled', metadata: { pending: 1, waiting: [{ attempts: 1 }] } })
  t.match(thrown.message, /1 deliveries still pending .* sync\.failed to .*\/refuses, is due at .* after: answered 404/)
  t.match(
    await admin.settleDeliveries({ partner_id: tenant.partner_id, fast_forward: true, timeout_ms: 60_000 }),
    { settled: true, waiting: [] },
    'fast_forward makes every retry now, until the delivery is given up'
  )
})
