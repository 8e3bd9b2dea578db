// Models, syncs, executions and jobs as part of the world: fixtures (load, export, errors),
// reset, snapshots, tenant and organization deletion, and what removing a connection does to them.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, apiError, bearer, build, call, until } from '../helper.js'

const J = bearer(W.jane.key)
const ACME = bearer(W.acme.key)
const BULK = `/api/bulk/syncs/${W.bulkSync.id}`
type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

/** A model on the warehouse copy and a model sync from it into the Snowflake destination. */
async function modelAndSync (app: FastifyInstance): Promise<{ modelId: string; syncId: string }> {
  const modelId = dataOf(
    await call(app, 'POST', '/api/models', J, {
      name: 'Users',
      connection_id: W.warehouse.copyId,
      configuration: { table: 'users' },
      fields: ['id', 'email']
    })
  ).id as string
  const syncId = dataOf(
    await call(app, 'POST', '/api/syncs', J, {
      name: 'Users out',
      mode: 'create',
      schedule: { frequency: 'manual' },
      target: { connection_id: W.analytics.id },
      fields: [{ target: 'E', source: { model_id: modelId, field: 'email' } }],
      encryption_passphrase: 'hush'
    })
  ).id as string
  return { modelId, syncId }
}

t.test(
  "the bundled world holds a bulk sync from the shared warehouse copy into My Organization's Snowflake, with one completed run",
  async (t) => {
    const app = await build(t)
    t.match(dataOf(await call(app, 'GET', BULK, J)), {
      name: W.bulkSync.name,
      active: true,
      source_connection_id: W.warehouse.copyId,
      destination_connection_id: W.analytics.id,
      default_schedule: { frequency: 'daily', hour: '6', minute: '0' }
    })
    t.match(dataOf(await call(app, 'GET', `${BULK}/executions`, J)), [
      { id: W.bulkSync.executionId, status: 'completed', record_count: 18240, error_count: 0 }
    ])
    t.match(dataOf(await call(app, 'GET', `/api/connections/${W.analytics.id}`, J)), {
      name: W.analytics.name,
      type: { id: 'snowflake' },
      configuration: { password: '********' }
    })
  }
)

t.test('everything exports as a fixture document that loads back to the same world', async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: 3_600_000 } })
  await modelAndSync(app)
  await call(app, 'POST', `${BULK}/schedules`, J, { schedule: { frequency: 'hourly', minute: '5' } })
  await call(app, 'POST', '/api/models?async=true', J, {
    name: 'Async',
    connection_id: W.warehouse.copyId,
    configuration: {}
  })
  const running = dataOf(await call(app, 'POST', `${BULK}/executions`, J, {}))
  await until('running', () => app.store.executions.find(running.id as string)?.status === 'running')
  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as Record<string, Data[]>
  t.same(
    exported.models?.map((m) => m.name),
    ['Users', 'Async']
  )
  t.match(exported.model_syncs, [{ name: 'Users out', encryption_passphrase: 'hush' }])
  t.match(exported.bulk_syncs, [
    {
      id: W.bulkSync.id,
      schemas: [{ id: 'public.accounts' }, {}, { id: 'public.orders', fields: [{ id: 'id' }, {}, {}, {}] }],
      schedules: [{ schedule: { frequency: 'hourly', minute: '5' } }]
    }
  ])
  t.match(exported.executions, [
    { id: W.bulkSync.executionId, status: 'completed' },
    { id: running.id, status: 'running', started_at: String }
  ])
  t.match(exported.jobs, [{ type: 'createmodel', result: { name: 'Async' } }])
  t.match((await call(app, 'GET', '/__admin/fixtures?redact=true')).body, {
    model_syncs: [{ encryption_passphrase: '[redacted]' }]
  })

  const fresh = await build(t, { config: { syncRunDurationMs: 3_600_000 } })
  t.match((await call(fresh, 'PUT', '/__admin/fixtures', {}, exported)).body, {
    status: 'ok',
    counts: {
      models: 2,
      model_syncs: 1,
      model_sync_models: 1,
      bulk_syncs: 1,
      bulk_sync_schemas: 3,
      bulk_sync_schedules: 1,
      executions: 2,
      jobs: 1
    }
  })
  t.same((await call(fresh, 'GET', '/__admin/fixtures')).body, exported, 'and exports the same')
  t.equal(
    (await call(fresh, 'POST', `${BULK}/executions`, J, {})).status,
    409,
    'the loaded run is running: one at a time holds'
  )
  t.match(
    fresh.control.advanceExecution(running.id as string).execution,
    { status: 'completed' },
    'and it can be taken on from where it was'
  )
})

t.test('fixture errors name the entry and the field; nothing of a bad document is loaded', async (t) => {
  const app = await build(t)
  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as Record<string, Data[]>
  const bulk = exported.bulk_syncs?.[0] as Data
  const execution = exported.executions?.[0] as Data
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [
      { bulk_syncs: [{ ...bulk, destination_connection_id: W.warehouse.id }] },
      'bulk_syncs[0].destination_connection_id',
      'no connection with this id in the organization'
    ],
    [
      { bulk_syncs: [{ ...bulk, schedule: { frequency: 'daily', hour: '99' } }] },
      'bulk_syncs[0].schedule.hour',
      'must be a number from 0 to 23, or "*"'
    ],
    [{ bulk_syncs: [bulk, bulk] }, 'bulk_syncs[1].id', `duplicate id ${W.bulkSync.id}`],
    [
      { executions: [{ ...execution, sync_id: W.org.id }] },
      'executions[0].sync_id',
      `no bulk sync or model sync with id ${W.org.id}`
    ],
    [
      {
        executions: [
          { ...execution, status: 'running' },
          { ...execution, id: '99999999-9999-4999-8999-999999999999', status: 'created' }
        ]
      },
      'executions[1].status',
      'a sync has at most one active execution'
    ],
    [
      { executions: [{ ...execution, status: 'exploded' }] },
      'executions[0].status',
      'must be one of created, running, canceling, completed, failed, canceled'
    ],
    [
      {
        models: [
          {
            id: '99999999-9999-4999-8999-999999999999',
            organization_id: W.org.id,
            name: 'M',
            connection_id: W.warehouse.id,
            configuration: {}
          }
        ]
      },
      'models[0].connection_id',
      'no connection with this id in the organization'
    ],
    [
      {
        jobs: [
          {
            id: '99999999-9999-4999-8999-999999999999',
            organization_id: W.org.id,
            type: 'launch',
            status: 'done',
            created_at: '2026-01-01T00:00:00Z'
          }
        ]
      },
      'jobs[0].type',
      'must be one of createmodel, updatemodel, previewmodel, samplemodel, exportlogs, query'
    ]
  ]
  for (const [change, path, problem] of cases) {
    const res = await call(app, 'PUT', '/__admin/fixtures', {}, { ...exported, ...change })
    t.same([res.status, (res.body as { metadata: Data }).metadata], [422, { path, problem }], path)
  }
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, exported, 'the world is as it was')
})

t.test(
  'reset and snapshots take syncs, schemas, schedules, executions and jobs back; runs of a restored world go on',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: 3_600_000 } })
    const before = (await call(app, 'GET', '/__admin/fixtures')).body
    await call(app, 'POST', '/__admin/snapshots', {}, { name: 'start' })
    const { syncId } = await modelAndSync(app)
    const run = dataOf(await call(app, 'POST', `${BULK}/executions`, J, {}))
    await call(app, 'POST', '/__admin/snapshots', {}, { name: 'running' })
    app.control.settleExecutions()
    await call(app, 'PATCH', `${BULK}/schemas`, J, { schemas: [{ id: 'public.extra' }] })
    t.equal((await call(app, 'DELETE', BULK, J)).status, 200)

    t.match((await call(app, 'POST', '/__admin/snapshots/running/restore')).body, {
      counts: { bulk_syncs: 1, bulk_sync_schemas: 3, executions: 2, model_syncs: 1 }
    })
    t.match(
      dataOf(await call(app, 'GET', `${BULK}/executions/${run.id as string}`, J)),
      { status: /^(created|running)$/ },
      'the run is in progress again'
    )
    t.match(app.control.settleExecutions(), { finished: 1 })
    t.match(dataOf(await call(app, 'GET', `${BULK}/executions/${run.id as string}`, J)), { status: 'completed' })
    await call(app, 'POST', '/__admin/snapshots/start/restore')
    t.equal((await call(app, 'GET', `/api/syncs/${syncId}`, J)).status, 404)
    await call(app, 'POST', '/__admin/snapshots/running/restore')
    await call(app, 'POST', '/__admin/reset')
    t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'reset: the bundled world, exactly')
    t.equal(app.store.executions.count(W.bulkSync.id), 1)
  }
)

t.test(
  'removing a connection that syncs or models use is a 422 naming them; with force they go too, a running run canceled with its event',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: 3_600_000 } })
    const { modelId, syncId } = await modelAndSync(app)
    const run = dataOf(await call(app, 'POST', `${BULK}/executions`, J, {}))
    await until('running', () => app.store.executions.find(run.id as string)?.status === 'running')

    const copy = await call(app, 'DELETE', `/api/connections/${W.warehouse.copyId}`, J)
    t.same(
      [copy.status, copy.body],
      [
        422,
        apiError(
          422,
          'connection_in_use',
          'connection in use by 1 bulk syncs, 1 models, 1 syncs; delete with force=true to remove them too',
          { bulk_syncs: [W.bulkSync.id], models: [modelId], syncs: [syncId] }
        )
      ]
    )
    const parent = await call(app, 'DELETE', `/api/connections/${W.warehouse.id}`, ACME)
    t.match(
      parent.body,
      {
        status: 422,
        metadata: {
          shared_copies: [W.warehouse.copyId],
          bulk_syncs: [W.bulkSync.id],
          models: [modelId],
          syncs: [syncId]
        }
      },
      'a parent answers for what uses its copies'
    )
    const destination = await call(app, 'DELETE', `/api/connections/${W.analytics.id}`, J)
    t.match(destination.body, { status: 422, metadata: { bulk_syncs: [W.bulkSync.id], syncs: [syncId] } })
    t.notOk('models' in (destination.body as { metadata: Data }).metadata, 'no model reads the destination')

    t.equal((await call(app, 'DELETE', `/api/connections/${W.warehouse.id}?force=true`, ACME)).status, 200)
    for (const path of [
      BULK,
      `/api/syncs/${syncId}`,
      `/api/models/${modelId}`,
      `/api/connections/${W.warehouse.copyId}`
    ]) {
      t.equal((await call(app, 'GET', path, J)).status, 404, `${path} went with it`)
    }
    t.equal(app.store.executions.find(run.id as string), undefined)
    t.same(
      dataOf<Data[]>(await call(app, 'GET', '/api/events', J)).map((e) => e.type),
      ['bulk_sync.canceled', 'bulk_sync.running'],
      'the run in progress was canceled, and said so'
    )
    t.equal((await call(app, 'GET', `/api/connections/${W.analytics.id}`, J)).status, 200, 'the destination stays')
  }
)

t.test('deleting an organization or a tenant removes its models, syncs, executions and jobs', async (t) => {
  const app = await build(t)
  await modelAndSync(app)
  await call(app, 'POST', '/api/models?async=true', J, {
    name: 'Job',
    connection_id: W.warehouse.copyId,
    configuration: {}
  })
  t.equal((await call(app, 'DELETE', `/api/organizations/${W.org.id}`, ACME)).status, 200)
  t.match(app.store.world.counts(), {
    models: 0,
    model_syncs: 0,
    model_sync_models: 0,
    bulk_syncs: 0,
    bulk_sync_schemas: 0,
    executions: 0,
    jobs: 0
  })

  const tenantApp = await build(t)
  const tenant = (await call(tenantApp, 'POST', '/__admin/tenants')).body as {
    partner_key: string
    organization_id: string
    partner_id: string
  }
  const T = bearer(tenant.partner_key)
  const source = dataOf(
    await call(tenantApp, 'POST', '/api/connections', T, {
      name: 'PG',
      type: 'postgresql',
      configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
    })
  ).id
  const sync = dataOf(
    await call(tenantApp, 'POST', '/api/bulk/syncs', T, {
      name: 'Self',
      source_connection_id: source,
      destination_connection_id: source,
      destination_configuration: {},
      default_schedule: { frequency: 'manual' }
    })
  ).id as string
  await call(tenantApp, 'POST', `/api/bulk/syncs/${sync}/executions`, T, {})
  t.match(tenantApp.store.world.counts(), { bulk_syncs: 2, executions: 2 })
  await call(tenantApp, 'DELETE', `/__admin/tenants/${tenant.partner_id}`)
  t.match(tenantApp.store.world.counts(), { bulk_syncs: 1, executions: 1 }, 'the bundled one stays')
})
