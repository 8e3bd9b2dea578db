// A partner's whole flow through the official SDK, steered by the simulator's typed controls (tenant.admin):
// an organization with its admin user and key, a warehouse shared into it, a destination made through Connect,
// a bulk sync whose runs are taken to completion and to failure, the signed webhooks they send, the event log
// and the journal of what this file sent.
import { createServer } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { PolytomicClient } from 'polytomic'
import { verifySignature } from 'polytomic-mock'
import { useTenant } from 'polytomic-mock/vitest'

const tenant = useTenant({ name: 'vitest example' })
const SECRET = 'whsec-example'
/** Deliveries as they arrived: the raw body, its signature header and the parsed event. */
const received = []
let receiver

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      received.push({ raw, signature: req.headers['polytomic-signature'], body: JSON.parse(raw.toString()) })
      res.writeHead(204).end()
    })
  })
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise((resolve) => receiver.close(resolve)))

test('a customer onboarded, synced and watched, end to end', async () => {
  // SDK 1.18.1 speaks the shapes of 2024-02-08 but sends no version header: name the version.
  const partner = new PolytomicClient({ environment: tenant.url, token: tenant.partner_key, version: '2024-02-08' })

  const organization = await partner.organization.create({ name: 'Initech' })
  const organizationId = organization.data.id
  const user = await partner.users.create(organizationId, { email: 'admin@initech.example', role: 'admin' })
  const key = await partner.users.createApiKey(organizationId, user.data.id, { force: true })
  const asUser = new PolytomicClient({ environment: tenant.url, token: key.data.value, version: '2024-02-08' })
  expect((await asUser.identity.get()).data).toMatchObject({ id: user.data.id, organization_id: organizationId })

  // The partner's warehouse, shared into the customer's organization.
  const warehouse = await partner.connections.create({
    name: 'Partner Warehouse',
    type: 'postgresql',
    configuration: { hostname: 'db.partner.example', database: 'dw', username: 'etl', password: 'pw' }
  })
  const shared = await partner.connections.createSharedConnection(warehouse.data.id, {
    child_organization_id: organizationId
  })

  // The customer brings their Snowflake through Connect; the control plays their browser.
  const session = await partner.connections.connect({
    name: 'Initech Snowflake',
    redirect_url: 'https://partner.example/connected',
    organization_id: organizationId,
    type: 'snowflake'
  })
  const connected = await tenant.admin.completeConnect(session.data.token, {
    configuration: { account: 'xy12345', username: 'loader', password: 'snow-pw', dbname: 'ANALYTICS' }
  })
  expect(connected.redirect_url).toMatch(/^https:\/\/partner\.example\/connected\?connection_id=/)

  const { port } = receiver.address()
  await partner.webhooks.create({
    endpoint: `http://127.0.0.1:${port}/hooks`,
    secret: SECRET,
    organization_id: organizationId
  })

  const sync = await partner.bulkSync.create({
    name: 'Warehouse to Snowflake',
    organization_id: organizationId,
    source_connection_id: shared.data.id,
    destination_connection_id: connected.connection.id,
    destination_configuration: { schema: 'initech' },
    schedule: { frequency: 'manual' },
    schemas: ['public.users', 'public.orders'],
    mode: 'replicate',
    active: true
  })
  const syncId = sync.data.id

  // A run taken to its end now, and its webhooks delivered before we look.
  const completed = await partner.bulkSync.start(syncId, {})
  await tenant.admin.settleExecutions()
  await tenant.settleDeliveries({ fail_if_unsettled: true })
  expect((await partner.bulkSync.executions.get(syncId, completed.data.id)).data.status).toBe('completed')

  // The next run fails, as a rule says.
  await tenant.admin.addExecutionRule({ sync_id: syncId, outcome: 'fail', message: 'permission denied', times: 1 })
  const failed = await partner.bulkSync.start(syncId, {})
  await tenant.admin.settleExecutions()
  await tenant.settleDeliveries({ fail_if_unsettled: true })
  expect((await partner.bulkSync.executions.get(syncId, failed.data.id)).data).toMatchObject({
    status: 'failed',
    status_message: 'permission denied'
  })

  // Every delivery is signed over its raw bytes with the webhook's secret.
  for (const delivery of received) expect(verifySignature(delivery.raw, delivery.signature, SECRET)).toBe(true)
  expect(received.map((delivery) => delivery.body.type)).toEqual([
    'bulk_sync.running',
    'bulk_sync.completed',
    'bulk_sync.running',
    'bulk_sync.failed'
  ])
  expect(received[3].body.event).toMatchObject({ execution_id: failed.data.id, error: 'permission denied' })

  const events = await partner.events.list({ organization_id: organizationId })
  expect(events.data.map((event) => event.type)).toEqual([
    'bulk_sync.failed',
    'bulk_sync.running',
    'bulk_sync.completed',
    'bulk_sync.running'
  ])

  // What this file sent, from the journal (scoped to its tenant, so other files' requests never show).
  const starts = await tenant.admin.requests({ partner_id: tenant.partner_id, method: 'POST', path: '/api/bulk/*' })
  expect(starts.map((entry) => `${entry.path} ${entry.status}`)).toEqual([
    `/api/bulk/syncs/${syncId}/executions 200`,
    `/api/bulk/syncs/${syncId}/executions 200`,
    '/api/bulk/syncs 200'
  ])
})
