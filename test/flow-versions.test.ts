// A partner's whole flow, once in each generation of the API, over a real socket: organization, user and
// key, connection, share, Connect, webhook, bulk sync with a default and an additional schedule, model,
// model sync, runs steered to each end (completed, failed, canceled), console logs (2025-09-18), webhook
// deliveries and events. At 2025-09-18 as SDK v25.9.2 sends it (test/support/v25.ts); at 2024-02-08
// through the official SDK 1.18.1, configured as its users must be (version: '2024-02-08').
import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { PolytomicClient } from 'polytomic'
import { W, build, listen, postgres } from './helper.js'
import { receiver, type Receiver } from './support/receiver.js'
import { fetchWire, problemsAgainst, v25Request, type WireAnswer, type WireRequest } from './support/v25.js'

type Data = Record<string, unknown>
const SECRET = 'flow-hooks-secret'
const once = { maxRetries: 0 }

/** The deliveries from `from` on: their types, each checked against its signature. */
function signedTypes (t: Test, hooks: Receiver, from: number): string[] {
  return hooks.received.slice(from).map((got) => {
    t.equal(
      got.headers['polytomic-signature'],
      createHmac('sha256', SECRET).update(got.raw).digest('hex'),
      `${got.body.type} is signed`
    )
    return got.body.type
  })
}

/** The bulk and model runs a flow steers: one completes, one fails by a rule, one hangs and is canceled. */
const BULK_EVENTS = [
  'bulk_sync.running',
  'bulk_sync.completed',
  'bulk_sync.running',
  'bulk_sync.failed',
  'bulk_sync.running',
  'bulk_sync.canceled'
]
const MODEL_EVENTS = ['sync.running', 'sync.completed', 'sync.running', 'sync.canceled']

/** Completes the Connect page of a session with a Snowflake configuration: the new connection's id. */
async function completeConnect (pageUrl: string): Promise<string> {
  const submit = await fetch(pageUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      __type: 'snowflake',
      account: 'in12345',
      username: 'loader',
      password: 'snow-pw',
      dbname: 'INITECH'
    }).toString()
  })
  return new URL(submit.headers.get('location') as string).searchParams.get('connection_id') as string
}

t.test('the whole flow at 2025-09-18, as SDK v25.9.2 sends it', async (t) => {
  const app = await build(t)
  const base = await listen(app)
  const hooks = await receiver(t)
  const as = (token: string) => async (method: WireRequest['method'], path: string, options = {}) => {
    const res = await fetchWire(base, v25Request(token, method, path, options))
    t.ok(res.status < 300, `${method} ${path}: ${res.status}${res.status < 300 ? '' : ` ${JSON.stringify(res.body)}`}`)
    return res
  }
  const dataOf = <T = Data>(res: WireAnswer): T => (res.body as { data: T }).data
  const partner = as(W.globex.key)

  // Organization, user, key.
  const organizationId = dataOf(await partner('POST', '/api/organizations', { body: { name: 'Initech' } })).id as string
  const user = dataOf(
    await partner('POST', `/api/organizations/${organizationId}/users`, {
      body: { email: 'peter@initech.example', role: 'admin' },
      idempotencyKey: 'flow-user-1'
    })
  )
  const key = dataOf(await partner('POST', `/api/organizations/${organizationId}/users/${user.id as string}/keys`))
    .value as string
  const customer = as(key)
  t.match(dataOf(await customer('GET', '/api/organization')), { id: organizationId, name: 'Initech' })

  // A connection of the partner, shared into the customer's organization.
  const warehouse = dataOf(
    await partner('POST', '/api/connections', { body: { name: 'Globex Warehouse', type: 'postgresql', configuration: postgres() } })
  ).id as string
  const sharedPath = `/api/organizations/${W.globex.ownerOrgId}/connections/${warehouse}/shared`
  const shared = await partner('POST', sharedPath, { body: { child_organization_id: organizationId } })
  t.same(problemsAgainst('CreateSharedConnectionResponseEnvelope', shared.body), [])
  const sourceId = dataOf(shared).id as string
  t.same(
    dataOf<Data[]>(await partner('GET', sharedPath)).map((c) => c.id),
    [sourceId]
  )

  // Connect: the customer's destination, made on the hosted page.
  const session = dataOf(
    await partner('POST', '/api/connections/connect/', {
      body: {
        name: 'Initech Snowflake',
        redirect_url: 'https://partner.example/connected',
        organization_id: organizationId,
        type: 'snowflake'
      }
    })
  )
  const destinationId = await completeConnect(session.redirect_url as string)
  t.match(dataOf(await customer('GET', `/api/connections/${destinationId}`)), { type: { id: 'snowflake' } })

  await partner('POST', '/api/webhooks', { body: { endpoint: hooks.url, secret: SECRET, organization_id: organizationId } })

  // A bulk sync with its default schedule and an additional one.
  const created = await customer('POST', '/api/bulk/syncs', {
    body: {
      name: 'Warehouse to Snowflake',
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      destination_configuration: { schema: 'initech' },
      default_schedule: { frequency: 'daily', hour: '3', minute: '30' },
      additional_schedules: [{ frequency: 'hourly', minute: '5', resync_mode: 'refetch', schemas: ['public.accounts'] }],
      schemas: ['public.accounts', 'public.users'],
      mode: 'replicate',
      active: true
    }
  })
  t.same(problemsAgainst('BulkSyncEnvelope', created.body), [])
  const bulk = dataOf(created)
  const bulkId = bulk.id as string
  t.match(bulk, {
    default_schedule: { frequency: 'daily', hour: '3', minute: '30' },
    additional_schedules: [{ frequency: 'hourly', resync_mode: 'refetch', schemas: ['public.accounts'] }]
  })
  t.match(dataOf(await customer('GET', `/api/bulk/syncs/${bulkId}/status`)), {
    next_execution_time: /T\d\d:05:00\.000Z$/
  })

  // A model on the shared connection, and a model sync into the destination.
  const modelId = dataOf(
    await customer('POST', '/api/models', {
      body: { name: 'Customers', connection_id: sourceId, configuration: { table: 'users' }, fields: ['id', 'email'] }
    })
  ).id as string
  const modelSyncId = dataOf(
    await customer('POST', '/api/syncs', {
      body: {
        name: 'Customers to Snowflake',
        mode: 'updateOrCreate',
        schedule: { frequency: 'manual' },
        target: { connection_id: destinationId, object: 'PUBLIC.USERS' },
        fields: [{ target: 'EMAIL', source: { model_id: modelId, field: 'email' } }],
        identity: { source: { model_id: modelId, field: 'id' }, target: 'ID', function: 'Equality' }
      }
    })
  ).id as string
  const syncs = await customer('GET', '/api/syncs', { query: { limit: 10 } })
  t.same(problemsAgainst('ListSyncResponseEnvelope', syncs.body), [])
  t.match(dataOf(syncs), [{ id: modelSyncId, target_object: 'PUBLIC.USERS' }])

  // Bulk runs to each end, each end in its console log.
  const bulkRuns: string[] = []
  for (const [rule, end] of [
    [undefined, undefined],
    [{ outcome: 'fail', message: 'permission denied for schema public', times: 1 }, undefined],
    [{ outcome: 'hang', times: 1 }, 'canceled']
  ] as const) {
    if (rule !== undefined) app.control.addExecutionRule({ sync_id: bulkId, ...rule })
    const run = dataOf(await customer('POST', `/api/bulk/syncs/${bulkId}/executions`, { body: {} })).id as string
    bulkRuns.push(run)
    // Settling takes a run to its end; a hanging one only to running, where the API cancels it.
    app.control.settleExecutions()
    if (end === 'canceled') {
      await customer('POST', `/api/bulk/syncs/${bulkId}/executions/${run}/cancel`)
      app.control.settleExecutions()
    }
  }
  const lastLines = await Promise.all(
    bulkRuns.map(async (run) => {
      const log = await customer('GET', `/api/bulk/syncs/${bulkId}/executions/${run}/consolelog`, { query: { limit: 1 } })
      t.same(problemsAgainst('ExecutionConsoleLogsResponseEnvelope', log.body), [])
      return dataOf<{ entries: Data[] }>(log).entries[0]?.message
    })
  )
  t.match(lastLines, [
    /^execution completed: \d+ records$/,
    'execution failed: permission denied for schema public',
    'execution canceled: canceled'
  ])
  t.match(
    dataOf(await customer('GET', `/api/bulk/syncs/${bulkId}/executions/${bulkRuns[0] ?? ''}/schemas/public.users/consolelog`)),
    { entries: [{ message: 'schema public.users: syncing to public_users' }, { message: /^schema public\.users: \d+ records synced/ }] }
  )

  // Model-sync runs: one completes, one is canceled through the new per-run route.
  await customer('POST', `/api/syncs/${modelSyncId}/executions`, { body: {} })
  app.control.settleExecutions()
  app.control.addExecutionRule({ sync_id: modelSyncId, outcome: 'hang', times: 1 })
  const hanging = dataOf(await customer('POST', `/api/syncs/${modelSyncId}/executions`, { body: {} })).id as string
  app.control.settleExecutions()
  t.same(problemsAgainst(
    'CancelSyncExecutionResponseEnvelope',
    (await customer('POST', `/api/syncs/${modelSyncId}/executions/${hanging}/cancel`)).body
  ), [])
  app.control.settleExecutions()
  t.match(dataOf(await customer('GET', `/api/syncs/${modelSyncId}/executions/${hanging}/consolelog`)), {
    entries: [{}, {}, { message: 'cancellation requested' }, { message: 'execution canceled: canceled' }]
  })

  // The partner resolves a run's id to where it lives.
  t.match(dataOf(await partner('GET', `/api/organizations/entities/${bulkRuns[1] ?? ''}`)), {
    type: 'bulk_sync_execution',
    organization_id: organizationId,
    relationships: { bulk_sync: { id: bulkId } }
  })

  // Every change reached the webhook, signed, in order; the event log has them, newest first.
  await hooks.waitFor(BULK_EVENTS.length + MODEL_EVENTS.length)
  t.same(signedTypes(t, hooks, 0), [...BULK_EVENTS, ...MODEL_EVENTS])
  const events = dataOf<Data[]>(await partner('GET', '/api/events', { query: { organization_id: organizationId, limit: 100 } }))
  t.same(
    events.map((e) => e.type),
    [...BULK_EVENTS, ...MODEL_EVENTS].reverse()
  )
})

t.test('the whole flow at 2024-02-08, through the official SDK 1.18.1', async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  const hooks = await receiver(t)
  const partner = new PolytomicClient({ environment, token: W.globex.key, version: '2024-02-08' })

  // Organization, user, key.
  const organizationId = (await partner.organization.create({ name: 'Initech' }, once)).data?.id as string
  const user = await partner.users.create(organizationId, { email: 'peter@initech.example', role: 'admin' }, once)
  const key = await partner.users.createApiKey(organizationId, user.data?.id as string, {}, once)
  const customer = new PolytomicClient({ environment, token: key.data?.value as string, version: '2024-02-08' })
  t.match((await customer.identity.get(once)).data, { organization_id: organizationId })

  // A connection of the partner, shared into the customer's organization (1.18.1's route).
  const warehouse = await partner.connections.create(
    { name: 'Globex Warehouse', type: 'postgresql', configuration: postgres() },
    once
  )
  const shared = await partner.connections.createSharedConnection(
    warehouse.data?.id as string,
    { child_organization_id: organizationId },
    once
  )
  const sourceId = shared.data?.id as string
  t.same(
    (await partner.connections.listSharedConnections(warehouse.data?.id as string, once)).data?.map((c) => c.id),
    [sourceId]
  )

  // Connect.
  const session = await partner.connections.connect(
    {
      name: 'Initech Snowflake',
      redirect_url: 'https://partner.example/connected',
      organization_id: organizationId,
      type: 'snowflake'
    },
    once
  )
  const destinationId = await completeConnect(session.data?.redirect_url as string)
  t.match((await customer.connections.get(destinationId, once)).data, { type: { id: 'snowflake' } })

  await partner.webhooks.create({ endpoint: hooks.url, secret: SECRET, organization_id: organizationId }, once)

  // A bulk sync with its schedule, and an additional one through the schedules routes.
  const bulk = await customer.bulkSync.create(
    {
      name: 'Warehouse to Snowflake',
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      destination_configuration: { schema: 'initech' },
      schedule: { frequency: 'daily', hour: '3', minute: '30' },
      schemas: ['public.accounts', 'public.users'],
      mode: 'replicate',
      active: true
    },
    once
  )
  const bulkId = bulk.data?.id as string
  t.match(bulk.data, { schedule: { frequency: 'daily', hour: '3', minute: '30' } })
  t.notOk(bulk.data !== undefined && 'default_schedule' in bulk.data, 'the 1.18.1 shape')
  const extra = await customer.bulkSync.schedules.create(bulkId, { schedule: { frequency: 'hourly', minute: '5' } }, once)
  t.match((await customer.bulkSync.schedules.list(bulkId, once)).data, [{ frequency: 'hourly', syncMode: 'normal' }])
  t.ok(extra.data, 'the additional schedule')
  t.match((await customer.bulkSync.getStatus(bulkId, once)).data, { next_execution_time: /T\d\d:05:00\.000Z$/ })

  // A model and a model sync.
  const model = await customer.models.create(
    { body: { name: 'Customers', connection_id: sourceId, configuration: { table: 'users' }, fields: ['id', 'email'] } },
    once
  )
  const modelId = model.data?.id as string
  const modelSync = await customer.modelSync.create(
    {
      name: 'Customers to Snowflake',
      mode: 'updateOrCreate',
      schedule: { frequency: 'manual' },
      target: { connection_id: destinationId, object: 'PUBLIC.USERS' },
      fields: [{ target: 'EMAIL', source: { model_id: modelId, field: 'email' } }],
      identity: { source: { model_id: modelId, field: 'id' }, target: 'ID', function: 'Equality' }
    },
    once
  )
  const modelSyncId = modelSync.data?.id as string
  t.match((await customer.modelSync.list({}, once)).data, [{ id: modelSyncId, target: { object: 'PUBLIC.USERS' } }])

  // Bulk runs to each end.
  // Settling takes a run to its end; a hanging one only to running, where the API cancels it.
  const completed = await customer.bulkSync.start(bulkId, {}, once)
  app.control.settleExecutions()
  app.control.addExecutionRule({ sync_id: bulkId, outcome: 'fail', message: 'permission denied for schema public', times: 1 })
  const failed = await customer.bulkSync.start(bulkId, {}, once)
  app.control.settleExecutions()
  app.control.addExecutionRule({ sync_id: bulkId, outcome: 'hang', times: 1 })
  const canceled = await customer.bulkSync.start(bulkId, {}, once)
  app.control.settleExecutions()
  await customer.bulkSync.executions.cancel(bulkId, canceled.data?.id as string, once)
  app.control.settleExecutions()
  t.same(
    (await customer.bulkSync.executions.list(bulkId, {}, once)).data?.map((e) => [e.id, e.status]),
    [
      [canceled.data?.id, 'canceled'],
      [failed.data?.id, 'failed'],
      [completed.data?.id, 'completed']
    ]
  )

  // Model-sync runs: one completes; one is canceled with 1.18.1's executions.update.
  await customer.modelSync.start(modelSyncId, {}, once)
  app.control.settleExecutions()
  app.control.addExecutionRule({ sync_id: modelSyncId, outcome: 'hang', times: 1 })
  const hanging = await customer.modelSync.start(modelSyncId, {}, once)
  app.control.settleExecutions()
  await customer.modelSync.executions.update(modelSyncId, hanging.data?.id as string, { status: 'canceled' }, once)
  app.control.settleExecutions()
  t.match((await customer.modelSync.executions.get(modelSyncId, hanging.data?.id as string, once)).data, {
    status: 'canceled'
  })

  await hooks.waitFor(BULK_EVENTS.length + MODEL_EVENTS.length)
  t.same(signedTypes(t, hooks, 0), [...BULK_EVENTS, ...MODEL_EVENTS])
  const events = await partner.events.list({ organization_id: organizationId, limit: 100 }, once)
  t.same(
    events.data?.map((e) => e.type),
    [...BULK_EVENTS, ...MODEL_EVENTS].reverse()
  )
})
