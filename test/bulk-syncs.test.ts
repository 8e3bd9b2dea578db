// The bulk-sync API's rules (partner-surface reference 6): create, read, replace, delete,
// activate; connections of the organization with the capability their role needs; schedules
// checked; schemas and additional schedules at the level of stored shapes; the list paged in
// 2025-09-18; the status list; scoping. Runs are executions.test.ts's.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { BUNDLED_FIXTURES } from '../src/core/config.js'
import type { Fixtures } from '../src/http/schemas/fixtures.js'
import { W, apiError, basic, bearer, build, call, createPolicy } from './helper.js'

// The shapes of the versions before 2025-09-18 (SDK 1.18.1's); test/wire-2025-09-18.test.ts has 2025-09-18's.
const V = { 'x-polytomic-version': '2024-02-08' }
const J = { ...bearer(W.jane.key), ...V }
const ACME = { ...bearer(W.acme.key), ...V }
const GLOBEX = { ...bearer(W.globex.key), ...V }
const J25 = { ...bearer(W.jane.key), 'x-polytomic-version': '2025-09-18' }
const BULK = `/api/bulk/syncs/${W.bulkSync.id}`
type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

const body = (overrides: Data = {}): Data => ({
  name: 'Warehouse copy to Snowflake',
  source_connection_id: W.warehouse.copyId,
  destination_connection_id: W.analytics.id,
  destination_configuration: { schema: 'raw' },
  schedule: { frequency: 'manual' },
  ...overrides
})

t.test('create, get, list, replace, activate and delete with a user key', async (t) => {
  const app = await build(t)
  const p1 = await createPolicy(app)
  const created = await call(
    app,
    'POST',
    '/api/bulk/syncs',
    J,
    body({
      schemas: ['public.accounts', { id: 'public.events', enabled: false, fields: ['id', { id: 'path', obfuscate: true }] }],
      policies: [p1],
      concurrency_limit: 4
    })
  )
  t.equal(created.status, 200)
  const sync = dataOf(created)
  t.match(sync, {
    organization_id: W.org.id,
    name: 'Warehouse copy to Snowflake',
    active: false,
    source_connection_id: W.warehouse.copyId,
    destination_connection_id: W.analytics.id,
    destination_configuration: { schema: 'raw' },
    schedule: { frequency: 'manual' },
    automatically_add_new_fields: 'all',
    automatically_add_new_objects: 'none',
    normalize_names: 'enabled',
    discover: false,
    disable_record_timestamps: false,
    policies: [p1],
    concurrency_limit: 4,
    created_by: { id: W.jane.id, type: 'user' }
  })
  t.notOk('schemas' in sync, 'BulkSyncResponse has no schemas: they are under /schemas')
  const id = sync.id as string
  t.same(dataOf(await call(app, 'GET', `/api/bulk/syncs/${id}?refresh_schemas=true`, J)), sync)
  t.same(
    dataOf<Data[]>(await call(app, 'GET', '/api/bulk/syncs', J)).map((s) => s.id),
    [W.bulkSync.id, id],
    'in the order they were made, whole (2025-09-18 pages them, most recently updated first)'
  )
  t.same(
    dataOf<Data[]>(await call(app, 'GET', '/api/bulk/syncs?active=true', J)).map((s) => s.id),
    [W.bulkSync.id]
  )
  t.same(dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/${id}/schemas`, J)), [
    { id: 'public.accounts', output_name: 'public_accounts', enabled: true, fields: [], filters: [] },
    {
      id: 'public.events',
      output_name: 'public_events',
      enabled: false,
      fields: [
        { id: 'id', output_name: 'id', enabled: true, obfuscated: false },
        { id: 'path', output_name: 'path', enabled: true, obfuscated: true }
      ],
      filters: []
    }
  ])

  const replaced = dataOf(
    await call(
      app,
      'PUT',
      `/api/bulk/syncs/${id}`,
      J,
      body({
        name: 'Renamed',
        schedule: { frequency: 'weekly', day_of_week: 'monday', hour: 5, minute: '0' },
        mode: 'snapshot'
      })
    )
  )
  t.match(replaced, {
    id,
    name: 'Renamed',
    mode: 'snapshot',
    schedule: { frequency: 'weekly', day_of_week: 'monday', hour: '5', minute: '0' },
    policies: [],
    created_at: sync.created_at
  })
  t.notOk('concurrency_limit' in replaced, 'PUT replaces the top level: what is left out is cleared')
  t.equal(
    dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/${id}/schemas`, J)).length,
    2,
    'PUT leaves the schemas alone'
  )

  t.same(dataOf(await call(app, 'POST', `/api/bulk/syncs/${id}/activate`, J, { active: true })), { id, active: true })
  t.match(dataOf(await call(app, 'GET', `/api/bulk/syncs/${id}`, J)), { active: true })
  t.match((await call(app, 'POST', `/api/bulk/syncs/${id}/activate`, J, {})).body, {
    status: 422,
    metadata: { field: 'active' }
  })
  t.match(
    dataOf(await call(app, 'PUT', `/api/bulk/syncs/${id}`, J, body())),
    { active: false },
    'a PUT without active deactivates: it replaces'
  )

  const removed = await call(app, 'DELETE', `/api/bulk/syncs/${id}`, J)
  t.same([removed.status, removed.body], [200, undefined])
  t.same(
    (await call(app, 'GET', `/api/bulk/syncs/${id}`, J)).body,
    apiError(404, 'bulk_sync_not_found', 'bulk sync not found')
  )
  t.equal((await call(app, 'GET', `/api/bulk/syncs/${id}/schemas`, J)).status, 404)
})

t.test(
  "connections must be the organization's and have the capability of their role; a bad body is a 422 naming the field",
  async (t) => {
    const bundled = JSON.parse(readFileSync(BUNDLED_FIXTURES, 'utf8')) as Fixtures
    const fixtures: Fixtures = {
      ...bundled,
      connection_types: [
        {
          id: 'sink',
          name: 'Write-only sink',
          capabilities: { destination: true },
          configuration: { type: 'object', properties: { url: { type: 'string' } } }
        }
      ],
      connections: [
        ...(bundled.connections ?? []),
        {
          id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
          organization_id: W.org.id,
          name: 'Sink',
          type: 'sink',
          configuration: { url: 'https://sink.example' }
        }
      ]
    }
    const app = await build(t, { fixtures })
    const sink = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
    const cases: Array<[Data, string, string]> = [
      [
        body({ source_connection_id: sink }),
        'source_connection_id',
        'a sink connection cannot be a source (its type does not have the source capability)'
      ],
      [
        body({ source_connection_id: W.warehouse.id }),
        'source_connection_id',
        'no connection with this id in the organization'
      ],
      [
        body({ destination_connection_id: '00000000-0000-4000-8000-000000000000' }),
        'destination_connection_id',
        'no connection with this id in the organization'
      ],
      [
        body({ schedule: { frequency: 'daily', hour: '24' } }),
        'schedule.hour',
        'must be a number from 0 to 23, or "*"'
      ],
      [
        body({ schedule: { frequency: 'weekly', day_of_week: 'someday' } }),
        'schedule.day_of_week',
        'must be a day (sunday to saturday, or 0 to 6)'
      ],
      [
        body({ schedule: { frequency: 'fortnightly' } }),
        'schedule.frequency',
        'must be one of manual, continuous, hourly, daily, weekly, custom, builder, runafter, multi, dbtcloud'
      ],
      [body({ schedule: {} }), 'schedule.frequency', 'is required'],
      [body({ name: '  ' }), 'name', 'must not be empty'],
      [body({ schemas: ['public.users', 'public.users'] }), 'schemas[1]', 'duplicate id public.users'],
      [
        body({ schemas: ['public.user'] }),
        'schemas[0]',
        `source connection ${W.warehouse.copyId} has no schema public.user (did you mean public.users?)`
      ],
      [
        body({ schemas: [{ id: 'public.users', fields: ['mail'] }] }),
        'schemas[0].fields[0]',
        'public.users has no field mail (did you mean email?)'
      ],
      [body({ normalize_names: 'shout' }), 'normalize_names', 'must be one of enabled, disabled, legacy'],
      [{ ...body(), destination_configuration: undefined }, 'destination_configuration', 'is required']
    ]
    for (const [given, field, problem] of cases) {
      const res = await call(app, 'POST', '/api/bulk/syncs', J, given)
      t.same(
        [res.status, res.body],
        [422, apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem })],
        `${field}: ${problem}`
      )
    }
    t.equal(
      dataOf(await call(app, 'POST', '/api/bulk/syncs', J, body({ destination_connection_id: sink })))
        .destination_connection_id,
      sink,
      'a destination-only type may be a destination'
    )
    t.equal(app.store.bulkSyncs.list(W.org.id).length, 2, 'nothing refused was stored')
    const put = await call(app, 'PUT', BULK, J, body({ source_connection_id: sink }))
    t.equal(put.status, 422, 'PUT is checked the same way')
    t.match(dataOf(await call(app, 'GET', BULK, J)), { name: W.bulkSync.name }, 'and changes nothing')
  }
)

t.test('schemas: list with filters (a JSON string, as the SDK sends it), get, update one, patch several', async (t) => {
  const app = await build(t)
  const url = `${BULK}/schemas`
  t.same(
    dataOf<Data[]>(await call(app, 'GET', url, J)).map((s) => s.id),
    ['public.accounts', 'public.users', 'public.orders']
  )
  const updated = await call(app, 'PUT', `${url}/public.users`, J, {
    enabled: false,
    user_output_name: 'people',
    filters: [{ field_id: 'deleted', function: 'False' }]
  })
  t.match(dataOf(updated), {
    id: 'public.users',
    enabled: false,
    user_output_name: 'people',
    output_name: 'public_users',
    filters: [{ field_id: 'deleted', function: 'False' }]
  })
  t.same(
    dataOf<Data[]>(await call(app, 'GET', `${url}?filters=${encodeURIComponent('{"enabled":"false"}')}`, J)).map(
      (s) => s.id
    ),
    ['public.users']
  )
  t.same(
    dataOf<Data[]>(
      await call(app, 'GET', `${url}?filters=${encodeURIComponent('{"enabled":"true","id":"public.orders"}')}`, J)
    ).map((s) => s.id),
    ['public.orders']
  )
  t.match((await call(app, 'GET', `${url}?filters=${encodeURIComponent('{"enabeld":"true"}')}`, J)).body, {
    status: 422,
    metadata: { field: 'filters.enabeld', problem: 'unknown filter (did you mean enabled?)' }
  })
  t.match((await call(app, 'GET', `${url}?filters=nope`, J)).body, { status: 422, metadata: { field: 'filters' } })
  t.same(dataOf(await call(app, 'GET', `${url}/public.users`, J)), dataOf(updated))
  t.same(
    (await call(app, 'GET', `${url}/public.nothing`, J)).body,
    apiError(404, 'schema_not_found', 'schema not found')
  )
  t.equal(
    (await call(app, 'PUT', `${url}/public.nothing`, J, { enabled: true })).status,
    404,
    'PUT changes a schema the sync has'
  )

  const orders = dataOf(
    await call(app, 'PUT', `${url}/public.orders`, J, { fields: [{ id: 'total', enabled: false }] })
  )
  t.same(
    orders.fields,
    [{ id: 'total', output_name: 'total', enabled: false, obfuscated: false }],
    'fields given replace the field settings'
  )
  const all = dataOf(await call(app, 'PUT', `${url}/public.orders`, J, { fields: [] }))
  t.same(
    all.fields,
    [{ id: 'total', output_name: 'total', enabled: true, obfuscated: false }],
    'an empty list enables every field'
  )
  t.equal(
    (await call(app, 'PUT', `${url}/public.orders`, J, { filters: [{ field_id: 'x', function: 'Sometimes' }] })).status,
    422
  )

  const patched = dataOf<Data[]>(
    await call(app, 'PATCH', url, J, {
      schemas: [
        { id: 'public.accounts', enabled: false },
        { id: 'public.events', partition_key: 'month' }
      ]
    })
  )
  t.same(
    patched.map((s) => [s.id, s.enabled]),
    [
      ['public.accounts', false],
      ['public.users', false],
      ['public.orders', true],
      ['public.events', true]
    ],
    'listed ones change; a new one is added from the source catalog'
  )
  t.match(patched[3], { output_name: 'public_events', partition_key: 'month' })
  t.match((await call(app, 'PATCH', url, J, { schemas: [{ id: 'public.invoices' }] })).body, {
    status: 422,
    metadata: { field: 'schemas[0]', problem: /has no schema public\.invoices/ }
  })
  t.match((await call(app, 'PATCH', url, J, { schemas: [{ id: 'a' }, { id: 'a' }] })).body, {
    status: 422,
    metadata: { field: 'schemas[1]' }
  })
})

t.test('additional schedules: camelCase keys, an id to address them, checked like every schedule', async (t) => {
  const app = await build(t)
  const url = `${BULK}/schedules`
  t.same(dataOf(await call(app, 'GET', url, J)), [])
  const created = dataOf(
    await call(app, 'POST', url, J, {
      schedule: { frequency: 'weekly', dayOfWeek: 'friday', hour: '22', minute: 30, selectiveMode: 'incrementalFields' }
    })
  )
  t.match(created, {
    id: String,
    syncId: W.bulkSync.id,
    frequency: 'weekly',
    dayOfWeek: 'friday',
    hour: '22',
    minute: '30',
    selectiveMode: 'incrementalFields',
    syncMode: 'normal',
    isDefault: false,
    createdAt: String,
    createdBy: W.jane.id
  })
  const id = created.id as string
  t.same(dataOf(await call(app, 'GET', `${url}/${id}`, J)), created)
  t.match(dataOf(await call(app, 'PUT', `${url}/${id}`, J, { schedule: { frequency: 'hourly', minute: '5' } })), {
    id,
    frequency: 'hourly',
    minute: '5',
    createdAt: created.createdAt
  })
  t.match((await call(app, 'POST', url, J, { schedule: { frequency: 'daily', hour: '25' } })).body, {
    status: 422,
    metadata: { field: 'schedule.hour' }
  })
  t.match((await call(app, 'POST', url, J, {})).body, {
    status: 422,
    metadata: { field: 'schedule', problem: 'is required' }
  })
  t.same(
    dataOf<Data[]>(await call(app, 'GET', url, J)).map((s) => s.id),
    [id]
  )
  t.equal((await call(app, 'DELETE', `${url}/${id}`, J)).status, 200)
  t.same((await call(app, 'GET', `${url}/${id}`, J)).body, apiError(404, 'schedule_not_found', 'schedule not found'))
  const other = dataOf(await call(app, 'POST', '/api/bulk/syncs', J, body()))
  const theirs = dataOf(
    await call(app, 'POST', `/api/bulk/syncs/${other.id as string}/schedules`, J, { schedule: { frequency: 'manual' } })
  )
  t.equal(
    (await call(app, 'GET', `${url}/${theirs.id as string}`, J)).status,
    404,
    "another sync's schedule is not this one's"
  )
})

t.test('the list is paged in 2025-09-18 (most recently updated first), whole before', async (t) => {
  const app = await build(t)
  const ids: string[] = [W.bulkSync.id]
  for (let i = 0; i < 3; i++) {
    app.store.clock.advance(1000)
    ids.push(dataOf(await call(app, 'POST', '/api/bulk/syncs', J, body({ name: `Sync ${i}` }))).id as string)
  }
  const old = await call(app, 'GET', '/api/bulk/syncs', { ...J, 'x-polytomic-version': '2024-02-08' })
  t.same(Object.keys(old.body as Data), ['data'])
  t.same(
    dataOf<Data[]>(old).map((s) => s.id),
    ids,
    'creation order, no pagination'
  )
  const first = (await call(app, 'GET', '/api/bulk/syncs?limit=3', J25)).body as {
    data: Data[]
    pagination: { next_page_token?: string }
  }
  t.same(
    first.data.map((s) => s.id),
    ids.slice(1).reverse()
  )
  const second = (
    await call(app, 'GET', `/api/bulk/syncs?limit=3&page_token=${first.pagination.next_page_token ?? ''}`, J25)
  ).body as { data: Data[]; pagination: Data }
  t.same([second.data.map((s) => s.id), second.pagination], [[W.bulkSync.id], {}])
  const legacy = await call(app, 'GET', BULK, { ...J, 'x-polytomic-version': '2021-05-23' })
  t.same(Object.keys(legacy.body as Data), ['result', 'error'], 'the 2021-05-23 envelope')
})

t.test(
  'GET /api/bulk/syncs/status: every sync of the organization, or those named; all and active override sync_id',
  async (t) => {
    const app = await build(t)
    const other = dataOf(await call(app, 'POST', '/api/bulk/syncs', J, body())).id as string
    const all = dataOf<Data[]>(await call(app, 'GET', '/api/bulk/syncs/status', J))
    t.same(
      all.map((s) => s.sync_id),
      [W.bulkSync.id, other]
    )
    t.match(all[0], {
      status: 'completed',
      nextExecutionTime: /T06:00:00\.000Z$/,
      schemas: [
        { execution_id: W.bulkSync.executionId, schema: 'public.accounts', status: 'completed', record_count: 1240 },
        {},
        {}
      ]
    })
    t.same(all[1], { sync_id: other, schemas: [] }, 'no run yet, inactive: no status, no next time')
    t.same(
      dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/status?sync_id=${other}`, J)).map((s) => s.sync_id),
      [other]
    )
    t.same(
      dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/status?sync_id=${other}&sync_id=${W.bulkSync.id}`, J)).map(
        (s) => s.sync_id
      ),
      [other, W.bulkSync.id],
      'sync_id repeats'
    )
    t.same(
      dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/status?sync_id=${other}&active=true`, J)).map(
        (s) => s.sync_id
      ),
      [W.bulkSync.id],
      'active overrides sync_id'
    )
    t.same(
      dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/status?sync_id=${other}&all=true`, J)).length,
      2,
      'all overrides sync_id'
    )
    t.equal(
      (await call(app, 'GET', '/api/bulk/syncs/status?sync_id=00000000-0000-4000-8000-000000000000', J)).status,
      404
    )
  }
)

t.test("partner and deployment keys act on their organizations; anyone else's bulk sync is a 404", async (t) => {
  const app = await build(t)
  const viaPartner = await call(
    app,
    'POST',
    '/api/bulk/syncs',
    ACME,
    body({ organization_id: W.org.id, name: 'By the partner' })
  )
  t.match(dataOf(viaPartner), { organization_id: W.org.id, created_by: { type: 'partner' } })
  t.equal(
    (await call(app, 'POST', '/api/bulk/syncs', ACME, body())).status,
    422,
    'without organization_id: the owner organization, where the copy is not'
  )
  t.equal(
    dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs?organization_id=${W.org.id}`, { ...bearer(W.deploymentKey), ...V }))
      .length,
    2
  )
  t.equal(
    dataOf<Data[]>(await call(app, 'GET', '/api/bulk/syncs', { ...basic(W.org.id, W.acme.key), ...V })).length,
    2,
    'an org-scoped partner key'
  )
  const outsiders = [
    GLOBEX,
    { ...bearer(W.globex.adminKey), ...V },
    { ...basic(W.globex.customerOrgId, W.globex.key), ...V }
  ]
  for (const who of outsiders) {
    for (const [method, path, sent] of [
      ['GET', BULK],
      ['PUT', BULK, body()],
      ['DELETE', BULK],
      ['POST', `${BULK}/activate`, { active: false }],
      ['POST', `${BULK}/executions`, {}],
      ['GET', `${BULK}/executions`],
      ['GET', `${BULK}/executions/${W.bulkSync.executionId}`],
      ['GET', `${BULK}/status`],
      ['GET', `${BULK}/schemas`],
      ['GET', `${BULK}/schedules`]
    ] as Array<[string, string, Data?]>) {
      const res = await call(app, method, path, who, sent)
      t.same(
        [res.status, (res.body as Data).key],
        [404, 'bulk_sync_not_found'],
        `${method} ${path.replace(BULK, '')} by an outsider`
      )
    }
  }
  t.equal(
    (await call(app, 'PUT', BULK, J, body({ organization_id: W.globex.customerOrgId }))).status,
    404,
    'a body naming another organization does not hold it'
  )
  t.equal((await call(app, 'GET', `${BULK}/executions/${W.bulkSync.executionId}`, J)).status, 200)
  t.equal(
    (
      await call(
        app,
        'GET',
        `/api/bulk/syncs/${dataOf(viaPartner).id as string}/executions/${W.bulkSync.executionId}`,
        J
      )
    ).status,
    404,
    "another sync's execution"
  )
  t.equal(app.store.executions.count(W.bulkSync.id), 1, 'no outsider started a run')
})
