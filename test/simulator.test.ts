import t from 'tap'
import { Polytomic, PolytomicClient } from 'polytomic'
import { AdminError, Errors, createSimulator } from '../src/index.js'
import { receiver } from './support/receiver.js'
import { W } from './helper.js'

const once = { maxRetries: 0 }

t.test('createSimulator: a tap suite drives the official SDK against an in-process simulator on port 0', async (t) => {
  const sim = await createSimulator({ fixtures: undefined, defaultVersion: '2024-02-08' })
  t.teardown(() => sim.close())
  t.equal(sim.url, null, 'no URL before listen')
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(sim.url, url)

  const tenant = sim.createTenant({ name: 'tap suite' })
  const partner = new PolytomicClient({ environment: url, token: tenant.partner_key })
  const created = await partner.users.create(tenant.organization_id, { email: 'tap@example.com' }, once)
  t.equal(created.data?.email, 'tap@example.com')

  const journal = sim.requests({ partner_id: tenant.partner_id, method: 'POST' })
  t.equal(journal.length, 1)
  t.same(journal[0]?.body, { email: 'tap@example.com' })

  sim.snapshot('after-create')
  await partner.users.remove(created.data?.id as string, tenant.organization_id, once)
  sim.restore('after-create')
  t.equal(
    (await partner.users.get(created.data?.id as string, tenant.organization_id, once)).data?.id,
    created.data?.id,
    'restore brings the user back'
  )

  const rule = sim.addFault({ partner_id: tenant.partner_id, status: 500, times: 1 })
  t.equal(rule.fired, 0)
  const failed = await partner.users.list(tenant.organization_id, once).catch((err: unknown) => err)
  t.ok(failed instanceof Polytomic.InternalServerError || (failed as { statusCode?: number }).statusCode === 500)
  t.equal(sim.clearFaults(), 0, 'the times: 1 rule is gone')

  t.throws(() => sim.addFault({ status: 9999 }), {
    name: 'AdminError',
    status: 422,
    key: 'validation_failed',
    message: /status: must be <= 599$/
  })
  t.throws(() => sim.restore('nope'), { name: 'AdminError', status: 404, key: Errors.SnapshotNotFound.key })

  const counts = sim.reset()
  t.equal(counts.partners, 2, 'reset drops the tenant')
  t.same(sim.requests(), [])
  const me = await new PolytomicClient({ environment: url, token: W.jane.key }).identity.get(once)
  t.equal(me.data?.id, W.jane.id, 'the bundled fixtures are there')
})

const NO_SYNCS = {
  models: 0,
  model_syncs: 0,
  model_sync_models: 0,
  bulk_syncs: 0,
  bulk_sync_schemas: 0,
  bulk_sync_schedules: 0,
  executions: 0,
  jobs: 0
}

t.test('createSimulator: inject() works without a socket; fixtures may be an object', async (t) => {
  const org = '11111111-1111-4111-8111-111111111111'
  const sim = await createSimulator({
    fixtures: { deployment_keys: ['only-key'], organizations: [{ id: org, name: 'Solo' }] }
  })
  t.teardown(() => sim.close())
  const res = await sim.app.inject({
    method: 'GET',
    url: '/api/organizations',
    headers: { authorization: 'Bearer only-key' }
  })
  t.same(res.json(), { data: [{ id: org, name: 'Solo' }] })
  t.same(sim.exportFixtures().organizations, [{ id: org, name: 'Solo', partner_id: null }])
  t.same(sim.loadFixtures({}), {
    partners: 0,
    organizations: 0,
    roles: 0,
    users: 0,
    user_roles: 0,
    api_keys: 0,
    deployment_keys: 0,
    connection_types: 0,
    connections: 0,
    connection_catalogs: 0,
    policies: 0,
    proxy_calls: 0,
    error_subscribers: 0,
    notifications: 0,
    webhooks: 0,
    events: 0,
    ...NO_SYNCS
  })
  await sim.close()
  await sim.close()
  t.pass('close is safe to call twice')
})

t.test('createSimulator rejects bad fixtures with the fixture error', async (t) => {
  await t.rejects(createSimulator({ fixtures: { users: [{ id: 'x' }] } as never }), {
    name: 'FixtureError',
    message: /^<fixtures option>: users\[0\]/
  })
})

t.test('createSimulator: connection checks and Connect completion in-process, checked as over HTTP', async (t) => {
  const sim = await createSimulator()
  t.teardown(() => sim.close())
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  const tenant = sim.createTenant({ name: 'connect suite' })
  const partner = new PolytomicClient({ environment: url, token: tenant.partner_key })
  const rule = sim.addConnectionCheck({ type: 'mysql', message: 'access denied for user', times: 1 })
  t.match(rule, { id: String, type: 'mysql', failed: 0 })
  const refused = await partner.connections
    .create(
      {
        name: 'db',
        type: 'mysql',
        configuration: { hostname: 'h', database: 'd', account: 'a', passwd: 'p' },
        validate: true
      },
      once
    )
    .catch((err: unknown) => err)
  t.ok(refused instanceof Polytomic.UnprocessableEntityError)
  t.throws(() => sim.addConnectionCheck({ type: 'mysql' } as never), { message: 'message: is required' })
  t.equal(sim.clearConnectionChecks(), 0, 'the times: 1 rule is gone')

  const session = await partner.connections.connect(
    { name: 'In-process', redirect_url: 'https://partner.example/cb', type: 'postgresql' },
    once
  )
  const done = sim.completeConnect(session.data?.token as string, {
    configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
  })
  t.match(done, {
    connection: {
      name: 'In-process',
      organization_id: tenant.organization_id,
      configuration: { password: '********' }
    },
    redirect_url: /^https:\/\/partner\.example\/cb\?connection_id=/
  })
  t.throws(
    () => sim.completeConnect(session.data?.token as string, { configuration: {} }),
    AdminError,
    'the token was used'
  )
})

t.test(
  'createSimulator: events, webhook deliveries, delivery faults and simulated time in-process, checked as over HTTP',
  async (t) => {
    const hooks = await receiver(t)
    const sim = await createSimulator({ webhookRetryBaseMs: '2', faultSeed: 1 })
    t.teardown(() => sim.close())
    const tenant = sim.createTenant({ name: 'webhook suite' })
    await sim.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: { authorization: `Bearer ${tenant.partner_key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ endpoint: hooks.url, secret: 'in-process' })
    })
    const rule = sim.addDeliveryFault({ action: 'duplicate', organization_id: tenant.organization_id, times: 1 })
    t.match(rule, { id: String, action: 'duplicate', fired: 0 })
    const event = sim.emitEvent({
      organization_id: tenant.organization_id,
      type: 'bulk_sync.completed',
      event: { sync_name: 'Nightly' }
    })
    t.match(event, {
      type: 'bulk_sync.completed',
      organization_id: tenant.organization_id,
      event: { sync_name: 'Nightly', organization_id: tenant.organization_id }
    })
    t.match(await sim.settleDeliveries(), { settled: true, pending: 0, in_flight: 0, attempts: 2 })
    t.equal(hooks.received.length, 2, 'duplicated')
    t.same(
      sim.deliveries({ event_id: event.id }).map((a) => a.outcome),
      ['delivered', 'delivered']
    )
    t.equal(sim.clearDeliveryFaults(), 0, 'the times: 1 rule is spent')
    t.match(sim.advanceClock(60), { offset_ms: 60_000 })
    t.throws(
      () => sim.emitEvent({ organization_id: tenant.organization_id, type: 'sync.failed', event: { nope: true } }),
      { message: 'event.nope: unknown field' }
    )
    t.throws(() => sim.addDeliveryFault({ action: 'delay' } as never), { message: 'delay_ms: is required' })
    await t.rejects(sim.settleDeliveries({ timeout_ms: -1 }), { message: 'timeout_ms: must be >= 0' })
    t.throws(() => sim.advanceClock(Number.POSITIVE_INFINITY), AdminError)
  }
)
