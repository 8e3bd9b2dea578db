// The official SDK (1.18.1) over a real socket: a partner sets up a customer (organization, shared
// connection, destination, bulk sync; then a model and a model sync), starts runs, follows them
// through signed webhook deliveries to a loopback receiver, reads the executions and statuses, and
// makes the next run fail with an execution rule. Runs go at the runner's own pace (50 ms).
import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { PolytomicClient } from 'polytomic'
import { W, build, listen } from './helper.js'
import { receiver, type Receiver } from './support/receiver.js'

const once = { maxRetries: 0 }
const statusOf = async (call: Promise<unknown>): Promise<number | undefined> =>
  call.then(
    () => undefined,
    (err: { statusCode?: number }) => err.statusCode
  )
const SECRET = 'sync-hooks-secret'

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

async function customer (t: Test): Promise<{
  partner: PolytomicClient
  hooks: Receiver
  organizationId: string
  sourceId: string
  destinationId: string
  app: Awaited<ReturnType<typeof build>>
}> {
  const app = await build(t, { config: { syncRunDurationMs: 50 } })
  const environment = await listen(app)
  const partner = new PolytomicClient({ environment, token: W.globex.key, version: '2024-02-08' })
  const hooks = await receiver(t)

  const organization = await partner.organization.create({ name: 'Initech' }, once)
  const organizationId = organization.data?.id as string
  const warehouse = await partner.connections.create(
    {
      name: 'Globex Warehouse',
      type: 'postgresql',
      configuration: { hostname: 'db.globex.example', database: 'dw', username: 'etl', password: 'pw' }
    },
    once
  )
  const shared = await partner.connections.createSharedConnection(
    warehouse.data?.id as string,
    { child_organization_id: organizationId },
    once
  )
  const destination = await partner.connections.create(
    {
      name: 'Initech BigQuery',
      type: 'bigquery',
      configuration: { project_id: 'initech', service_account: '{}' },
      organization_id: organizationId
    },
    once
  )
  await partner.webhooks.create({ endpoint: hooks.url, secret: SECRET, organization_id: organizationId }, once)
  return {
    partner,
    hooks,
    organizationId,
    sourceId: shared.data?.id as string,
    destinationId: destination.data?.id as string,
    app
  }
}

t.test(
  'a bulk sync: a run reported running then completed, read back, and the next one failed by a rule',
  async (t) => {
    const { partner, hooks, organizationId, sourceId, destinationId, app } = await customer(t)

    const created = await partner.bulkSync.create(
      {
        name: 'Warehouse to BigQuery',
        organization_id: organizationId,
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: { dataset: 'initech' },
        schedule: { frequency: 'daily', hour: '3', minute: '30' },
        schemas: ['public.accounts', { id: 'public.users', fields: ['id', 'email'] }],
        mode: 'replicate',
        active: true
      },
      once
    )
    const syncId = created.data?.id as string
    t.match(created.data, {
      organization_id: organizationId,
      name: 'Warehouse to BigQuery',
      active: true,
      schedule: { frequency: 'daily', hour: '3', minute: '30' }
    })
    t.same(
      (await partner.bulkSync.schemas.list(syncId, {}, once)).data?.map((s) => s.id),
      ['public.accounts', 'public.users']
    )

    const started = await partner.bulkSync.start(syncId, {}, once)
    const executionId = started.data?.id as string
    t.equal(started.data?.status, 'created')
    await hooks.waitFor(2)
    t.same(signedTypes(t, hooks, 0), ['bulk_sync.running', 'bulk_sync.completed'])
    t.match(hooks.received[1]?.body.event, {
      execution_id: executionId,
      sync_id: syncId,
      sync_name: 'Warehouse to BigQuery',
      organization_id: organizationId,
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      trigger_source: 'manual'
    })

    const execution = await partner.bulkSync.executions.get(syncId, executionId, once)
    t.match(execution.data, {
      id: executionId,
      status: 'completed',
      is_test: false,
      schemas: [
        { schema: 'public.accounts', status: 'completed' },
        { schema: 'public.users', status: 'completed' }
      ]
    })
    t.ok((execution.data?.record_count ?? 0) > 0, 'records were counted')
    const status = await partner.bulkSync.getStatus(syncId, once)
    t.match(status.data, { last_execution: { id: executionId, status: 'completed' } })
    t.notOk(status.data?.current_execution, 'nothing runs now')
    t.match(status.data?.next_execution_time, /T03:30:00\.000Z$/, 'the daily schedule comes round at 03:30 UTC')
    t.same(
      (await partner.bulkSync.executions.list(syncId, {}, once)).data?.map((e) => e.id),
      [executionId]
    )
    t.match((await partner.bulkSync.executions.listStatus({ sync_id: syncId }, once)).data, [
      { sync_id: syncId, status: 'completed' }
    ])

    app.control.addExecutionRule({
      sync_id: syncId,
      outcome: 'fail',
      message: 'permission denied for schema public',
      times: 1
    })
    const failing = await partner.bulkSync.start(syncId, undefined, once)
    await hooks.waitFor(4)
    t.same(signedTypes(t, hooks, 2), ['bulk_sync.running', 'bulk_sync.failed'])
    t.match(hooks.received[3]?.body.event, {
      execution_id: failing.data?.id,
      error: 'permission denied for schema public'
    })
    t.match((await partner.bulkSync.executions.get(syncId, failing.data?.id as string, once)).data, {
      status: 'failed',
      status_message: 'permission denied for schema public'
    })
    const events = await partner.events.list({ organization_id: organizationId }, once)
    t.same(
      events.data?.map((e) => e.type),
      ['bulk_sync.failed', 'bulk_sync.running', 'bulk_sync.completed', 'bulk_sync.running'],
      'the event log has them too, newest first'
    )

    app.control.addExecutionRule({ sync_id: syncId, outcome: 'hang' })
    const hanging = await partner.bulkSync.start(syncId, {}, once)
    await hooks.waitFor(5)
    t.equal(await statusOf(partner.bulkSync.start(syncId, {}, once)), 409, 'one run at a time')
    t.match((await partner.bulkSync.cancel(syncId, once)).data, {
      message: `cancellation of execution ${hanging.data?.id ?? ''} requested`
    })
    await hooks.waitFor(6)
    t.same(signedTypes(t, hooks, 4), ['bulk_sync.running', 'bulk_sync.canceled'])
    t.match((await partner.bulkSync.executions.get(syncId, hanging.data?.id as string, once)).data, {
      status: 'canceled'
    })
  }
)

t.test('a model sync: a model on the shared connection, a run completed then one failed by a rule', async (t) => {
  const { partner, hooks, organizationId, sourceId, destinationId, app } = await customer(t)

  const model = await partner.models.create(
    {
      body: {
        name: 'Customers',
        connection_id: sourceId,
        configuration: { query: 'SELECT id, email FROM users' },
        fields: ['id', 'email'],
        identifier: 'id',
        organization_id: organizationId
      }
    },
    once
  )
  const modelId = model.data?.id as string
  t.match(model.data, {
    name: 'Customers',
    connection_id: sourceId,
    type: 'postgresql',
    version: 1,
    fields: [{ name: 'id' }, { name: 'email' }]
  })
  const sync = await partner.modelSync.create(
    {
      name: 'Customers to BigQuery',
      organization_id: organizationId,
      mode: 'updateOrCreate',
      schedule: { frequency: 'manual' },
      target: { connection_id: destinationId, object: 'analytics.users' },
      fields: [{ target: 'email', source: { model_id: modelId, field: 'email' } }],
      identity: { source: { model_id: modelId, field: 'id' }, target: 'id', function: 'Equality' }
    },
    once
  )
  const syncId = sync.data?.id as string
  t.match(sync.data, {
    mode: 'updateOrCreate',
    active: false,
    model_ids: [modelId],
    target: { connection_id: destinationId }
  })

  const started = await partner.modelSync.start(syncId, {}, once)
  t.match(started.data, { status: 'created' })
  await hooks.waitFor(2)
  t.same(signedTypes(t, hooks, 0), ['sync.running', 'sync.completed'])
  const completed = hooks.received[1]?.body.event as Record<string, number | string>
  t.match(completed, {
    execution_id: started.data?.id,
    sync_id: syncId,
    sync_name: 'Customers to BigQuery',
    target_connection_id: destinationId,
    status: 'completed',
    trigger: 'manual'
  })
  const execution = await partner.modelSync.executions.get(syncId, started.data?.id as string, once)
  t.match(execution.data, {
    status: 'completed',
    errors: [],
    counts: { total: completed.record_count, insert: completed.inserted_count, error: 0 }
  })
  t.match((await partner.modelSync.getStatus(syncId, once)).data, {
    last_execution: { id: started.data?.id, status: 'completed' }
  })

  app.control.addExecutionRule({
    sync_id: syncId,
    outcome: 'fail',
    message: 'the BigQuery dataset does not exist',
    times: 1
  })
  const failing = await partner.modelSync.start(syncId, {}, once)
  await hooks.waitFor(4)
  t.same(signedTypes(t, hooks, 2), ['sync.running', 'sync.failed'])
  t.match(hooks.received[3]?.body.event, {
    execution_id: failing.data?.id,
    error: 'the BigQuery dataset does not exist'
  })
  t.match((await partner.modelSync.executions.get(syncId, failing.data?.id as string, once)).data, {
    status: 'failed',
    errors: ['the BigQuery dataset does not exist']
  })
  t.same(
    (await partner.modelSync.executions.list(syncId, {}, once)).data?.map((e) => e.status),
    ['failed', 'completed'],
    'newest first'
  )

  const job = await partner.models.create(
    {
      async: true,
      body: {
        name: 'Orders',
        connection_id: sourceId,
        configuration: { table: 'orders' },
        organization_id: organizationId
      }
    },
    once
  )
  t.match(job.job, { type: 'createmodel', status: 'running' })
  t.equal(await statusOf(partner.models.remove(modelId, undefined, once)), 422, 'a model a sync uses stays')
  await partner.modelSync.remove(syncId, once)
  await partner.models.remove(modelId, undefined, once)
  t.equal(await statusOf(partner.models.get(modelId, undefined, once)), 404)
  app.control.settleExecutions()
  t.match((await partner.jobs.get(job.job?.job_id as string, 'createmodel', once)).data, {
    status: 'done',
    result: { name: 'Orders' }
  })
})
