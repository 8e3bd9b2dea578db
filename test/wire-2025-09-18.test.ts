// API version 2025-09-18 as the newest official SDK (v25.9.2, not on npm) speaks it: for each operation it
// changed or added (2025-09-18 surface section 2), the exact request v25 sends (test/support/v25.ts) and the
// answer checked against a JSON Schema of the v25 type; the shapes of earlier versions beside them.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, build, createPolicy, until } from './helper.js'
import { injectWire, problemsAgainst, v25Request, type WireAnswer, type WireRequest } from './support/v25.js'

type Data = Record<string, unknown>
const BULK = `/api/bulk/syncs/${W.bulkSync.id}`
const RUN = `${BULK}/executions/${W.bulkSync.executionId}`

/** A v25 call with a credential, through inject. */
function client (app: FastifyInstance, token: string) {
  return async (method: WireRequest['method'], path: string, options: Parameters<typeof v25Request>[3] = {}) =>
    await injectWire(app, v25Request(token, method, path, options))
}
const dataOf = <T = Data>(res: WireAnswer): T => (res.body as { data: T }).data

/** The SDK's own minimal create (surface 3.1), in My Organization. */
const minimalCreate = {
  default_schedule: { frequency: 'manual' },
  destination_configuration: { schema: 'my_schema' },
  destination_connection_id: W.analytics.id,
  name: 'My Bulk Sync',
  source_connection_id: W.warehouse.copyId
}

t.test('bulkSync.create, get, list and update answer BulkSyncResponse with default_schedule', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const created = await jane('POST', '/api/bulk/syncs', { body: minimalCreate, idempotencyKey: 'create-bulk-1' })
  t.equal(created.status, 200)
  t.same(problemsAgainst('BulkSyncEnvelope', created.body), [], 'BulkSyncResponse of v25')
  const sync = dataOf(created)
  t.match(sync, {
    name: 'My Bulk Sync',
    default_schedule: { frequency: 'manual', created_by: { id: W.jane.id, type: 'user' } },
    additional_schedules: []
  })
  t.notOk('schedule' in sync || 'discover' in sync, 'no schedule, no discover')
  t.match((sync.default_schedule as Data).id, /^[0-9a-f-]{36}$/, 'the default schedule has an id')

  const read = await jane('GET', `/api/bulk/syncs/${sync.id as string}`, { query: { refresh_schemas: false } })
  t.same(problemsAgainst('BulkSyncEnvelope', read.body), [])
  t.same(dataOf(read), sync, 'GET answers what create did')

  const listed = await jane('GET', '/api/bulk/syncs', { query: { active: undefined } })
  t.same(problemsAgainst('BulkSyncListEnvelope', listed.body), [])
  t.same(
    dataOf<Data[]>(listed).map((s) => s.id),
    [sync.id, W.bulkSync.id],
    'most recently updated first'
  )

  // The documented update: GET, change what you want, PUT the whole object back.
  const body = { ...sync, name: 'Renamed', default_schedule: { ...(sync.default_schedule as Data), frequency: 'hourly' } }
  const updated = await jane('PUT', `/api/bulk/syncs/${sync.id as string}`, { body })
  t.equal(updated.status, 200)
  t.same(problemsAgainst('BulkSyncEnvelope', updated.body), [])
  t.match(dataOf(updated), {
    name: 'Renamed',
    default_schedule: { id: (sync.default_schedule as Data).id, frequency: 'hourly' }
  })
  const wrong = await jane('PUT', `/api/bulk/syncs/${sync.id as string}`, {
    body: { ...minimalCreate, default_schedule: { id: W.bulkSync.id, frequency: 'manual' } }
  })
  t.equal(wrong.status, 422)
  t.same(problemsAgainst('ApiError', wrong.body), [])
  t.match(wrong.body, { metadata: { field: 'default_schedule.id' } })
})

t.test('additional_schedules and the schedules routes are one store', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const created = dataOf(
    await jane('POST', '/api/bulk/syncs', {
      body: {
        ...minimalCreate,
        schemas: ['public.users', 'public.orders'],
        additional_schedules: [
          {
            frequency: 'daily',
            hour: '2',
            minute: '15',
            selective_mode: 'incrementalFields',
            resync_mode: 'refetch',
            schemas: ['public.users']
          }
        ]
      }
    })
  )
  const id = created.id as string
  const [extra] = created.additional_schedules as Data[]
  t.match(extra, {
    frequency: 'daily',
    hour: '2',
    minute: '15',
    selective_mode: 'incrementalFields',
    resync_mode: 'refetch',
    schemas: ['public.users']
  })
  // The schedules routes are camelCase and unchanged: the same schedule, with its id as the route's.
  const routes = await jane('GET', `/api/bulk/syncs/${id}/schedules`)
  t.match(dataOf(routes), [
    {
      id: extra?.id,
      frequency: 'daily',
      selectiveMode: 'incrementalFields',
      syncMode: 'refetch',
      schemas: ['public.users']
    }
  ])
  const added = dataOf(
    await jane('POST', `/api/bulk/syncs/${id}/schedules`, { body: { schedule: { frequency: 'weekly', dayOfWeek: 'monday' } } })
  )
  const read = dataOf(await jane('GET', `/api/bulk/syncs/${id}`))
  t.same(
    (read.additional_schedules as Data[]).map((s) => [s.id, s.frequency, s.day_of_week, s.resync_mode]),
    [
      [extra?.id, 'daily', undefined, 'refetch'],
      [added.id, 'weekly', 'monday', 'normal']
    ],
    'a schedule added through the route shows in additional_schedules'
  )
  // PUT replaces the whole sync: a schedule it sends back (by id) stays, one it leaves out goes, one without
  // an id is added.
  const put = dataOf(
    await jane('PUT', `/api/bulk/syncs/${id}`, {
      body: {
        ...minimalCreate,
        default_schedule: read.default_schedule,
        additional_schedules: [{ id: added.id, frequency: 'weekly', day_of_week: 'friday' }, { frequency: 'hourly' }]
      }
    })
  )
  const after = put.additional_schedules as Data[]
  t.same(
    after.map((s) => [s.frequency, s.day_of_week]),
    [
      ['weekly', 'friday'],
      ['hourly', undefined]
    ]
  )
  t.equal(after[0]?.id, added.id, 'the schedule sent back keeps its id')
  t.same(
    dataOf<Data[]>(await jane('GET', `/api/bulk/syncs/${id}/schedules`)).map((s) => s.id),
    after.map((s) => s.id),
    'and the schedules routes see the same'
  )
  for (const [entry, field] of [
    [{ id: W.bulkSync.id, frequency: 'daily' }, 'additional_schedules[0].id'],
    [{ frequency: 'daily', schemas: ['public.nope'] }, 'additional_schedules[0].schemas[0]'],
    [{ frequency: 'daily', hour: '25' }, 'additional_schedules[0].hour'],
    [{ frequency: 'sometimes' }, 'additional_schedules[0].frequency']
  ] as const) {
    const res = await jane('PUT', `/api/bulk/syncs/${id}`, {
      body: { ...minimalCreate, default_schedule: read.default_schedule, additional_schedules: [entry] }
    })
    t.equal(res.status, 422, field)
    t.match(res.body, { key: 'validation_failed', message: new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}`) })
  }
  t.same(
    dataOf<Data[]>(await jane('GET', `/api/bulk/syncs/${id}/schedules`)).map((s) => s.id),
    after.map((s) => s.id),
    'a refused PUT changed nothing'
  )
})

t.test("an additional schedule's run has its resync mode and schemas when it comes round", async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: 1000, syncScheduling: true } })
  const jane = client(app, W.jane.key)
  const sync = dataOf(await jane('GET', BULK))
  await jane('PUT', BULK, {
    body: {
      ...sync,
      additional_schedules: [{ frequency: 'hourly', minute: '15', resync_mode: 'rebuild', schemas: ['public.users'] }]
    }
  })
  const now = app.store.clock.now()
  const quarter = Math.ceil((now - 15 * 60_000) / 3_600_000) * 3_600_000 + 15 * 60_000
  const due = quarter > now ? quarter : quarter + 3_600_000
  app.control.advanceClock(Math.ceil((due - now) / 1000) + 1)
  await until('the scheduled run', () => app.store.executions.count(W.bulkSync.id) === 2)
  t.match(dataOf(await jane('GET', `${BULK}/executions/${app.store.executions.latest(W.bulkSync.id)?.id ?? ''}`)), {
    type: 'rebuild',
    is_resync: true,
    is_partial: true,
    output_disposition: 'rebuild',
    schemas: [{ schema: 'public.users' }]
  })
})

t.test('each version reads the body of the other with a 422 that says which version it is for', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const legacyBody = { ...minimalCreate, default_schedule: undefined, schedule: { frequency: 'manual' } }
  const at2025 = await jane('POST', '/api/bulk/syncs', { body: legacyBody })
  t.equal(at2025.status, 422)
  t.same(problemsAgainst('ApiError', at2025.body), [])
  t.match(at2025.body, {
    key: 'validation_failed',
    message: /^default_schedule: is required at API version 2025-09-18, where it replaced schedule; .*X-Polytomic-Version: 2024-02-08/,
    metadata: { field: 'default_schedule' }
  })
  const at2024 = await jane('POST', '/api/bulk/syncs', { body: minimalCreate, version: '2024-02-08' })
  t.equal(at2024.status, 422)
  t.match(at2024.body, {
    message: /^schedule: is required before API version 2025-09-18; .*X-Polytomic-Version: 2025-09-18/
  })
  t.equal((await jane('POST', '/api/bulk/syncs', { body: legacyBody, version: '2024-02-08' })).status, 200)
})

t.test('a sync made in one version reads correctly in the other', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const old = dataOf(
    await jane('POST', '/api/bulk/syncs', {
      version: '2024-02-08',
      body: { ...minimalCreate, default_schedule: undefined, schedule: { frequency: 'daily', hour: '4', minute: '5' } }
    })
  )
  t.match(old, { schedule: { frequency: 'daily', hour: '4', minute: '5' }, discover: false })
  t.notOk('default_schedule' in old)
  const seenNow = dataOf(await jane('GET', `/api/bulk/syncs/${old.id as string}`))
  t.same(problemsAgainst('BulkSyncEnvelope', { data: seenNow }), [])
  t.match(seenNow, { default_schedule: { frequency: 'daily', hour: '4', minute: '5' }, additional_schedules: [] })

  const made = dataOf(
    await jane('POST', '/api/bulk/syncs', {
      body: { ...minimalCreate, default_schedule: { frequency: 'weekly', day_of_week: 'tuesday' } }
    })
  )
  const seenThen = dataOf(await jane('GET', `/api/bulk/syncs/${made.id as string}`, { version: '2024-02-08' }))
  t.match(seenThen, { schedule: { frequency: 'weekly', day_of_week: 'tuesday' } })
  t.notOk('default_schedule' in seenThen || 'additional_schedules' in seenThen)
  // A 2024-02-08 PUT leaves the additional schedules, which it cannot name, as they are.
  await jane('POST', `/api/bulk/syncs/${made.id as string}/schedules`, { body: { schedule: { frequency: 'hourly' } } })
  await jane('PUT', `/api/bulk/syncs/${made.id as string}`, {
    version: '2024-02-08',
    body: { ...minimalCreate, default_schedule: undefined, schedule: { frequency: 'manual' } }
  })
  t.equal((dataOf(await jane('GET', `/api/bulk/syncs/${made.id as string}`)).additional_schedules as Data[]).length, 1)
})

t.test('bulkSync.start without resync, and schemas.list as BulkSchemaListItem', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const started = await jane('POST', `${BULK}/executions`, { body: {} })
  t.equal(started.status, 200)
  t.match(dataOf(started), { status: 'created', schemas: [{ schema: 'public.accounts' }, {}, {}] })
  // v25's type has no resync; the docs of both generations say it is no longer accepted: a 422 in both.
  const refused = await jane('POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, { body: { resync: true } })
  t.equal(refused.status, 422)
  t.match(refused.body, { metadata: { field: 'resync' } })
  t.equal((await jane('POST', `${BULK}/executions`, { body: {} })).status, 409, 'one run at a time')
  const documented = (version: string) => async (): Promise<Data> => {
    const doc = (await app.inject({ method: 'GET', url: `/__admin/openapi.json?version=${version}` })).json<{
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Data }> } }>>
    }>()
    const operation = doc.paths['/api/bulk/syncs/{id}/executions']?.post
    return (Object.values(operation?.requestBody.content ?? {})[0]?.schema.properties ?? {}) as Data
  }
  t.notOk('resync' in (await documented('2025-09-18')()), "2025-09-18's StartBulkSyncRequest has no resync")
  t.ok('resync' in (await documented('2024-02-08')()), "1.18.1's has it")

  const schemas = await jane('GET', `${BULK}/schemas`, { query: { filters: { enabled: 'true' } } })
  t.equal(schemas.status, 200)
  t.same(problemsAgainst('ListBulkSchemaEnvelope', schemas.body), [], 'no fields, no filters')
  t.same(
    dataOf<Data[]>(schemas).map((s) => s.id),
    ['public.accounts', 'public.users', 'public.orders']
  )
  const earlier = dataOf<Data[]>(await jane('GET', `${BULK}/schemas`, { version: '2024-02-08' }))
  t.ok(
    earlier.every((s) => Array.isArray(s.fields) && Array.isArray(s.filters)),
    '2024-02-08 lists BulkSchema, fields and filters'
  )
  t.same(problemsAgainst('ListBulkSchemaEnvelope', { data: earlier }).length > 0, true)
})

/** Model syncs in My Organization, each on a fresh model: their ids, oldest first. */
async function modelSyncs (app: FastifyInstance, count: number): Promise<string[]> {
  const jane = client(app, W.jane.key)
  const model = dataOf(
    await jane('POST', '/api/models', {
      body: { name: 'Users', connection_id: W.warehouse.copyId, configuration: { table: 'users' }, fields: ['id', 'email'] }
    })
  ).id as string
  const p1 = await createPolicy(app)
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    app.store.clock.advance(1000)
    const res = await jane('POST', '/api/syncs', {
      body: {
        name: `Users out ${i}`,
        mode: i % 2 === 0 ? 'create' : 'updateOrCreate',
        schedule: { frequency: 'manual' },
        target: { connection_id: W.analytics.id, object: `users_${i}`, create: { schema: 'PUBLIC' } },
        fields: [{ target: 'email', source: { model_id: model, field: 'email' } }],
        identity: i % 2 === 0 ? undefined : { source: { model_id: model, field: 'id' }, target: 'id', function: 'Equality' },
        encryption_passphrase: 'hush',
        policies: [p1]
      }
    })
    ids.push(dataOf(res).id as string)
  }
  return ids
}

t.test('modelSync.list: ListSyncItem summaries, most recently updated first, paged at 50', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const ids = await modelSyncs(app, 53)
  const newestFirst = [...ids].reverse()
  const first = await jane('GET', '/api/syncs', { query: { limit: 500 } })
  t.equal(first.status, 200)
  t.same(problemsAgainst('ListSyncResponseEnvelope', first.body), [], 'ListSyncItem and pagination')
  const page1 = first.body as { data: Data[]; pagination: { next_page_token?: string } }
  t.equal(page1.data.length, 50, 'a limit above 50 is 50')
  t.same(
    page1.data.map((s) => s.id),
    newestFirst.slice(0, 50)
  )
  t.match(page1.data[0], { target_connection_id: W.analytics.id, target_object: 'users_52', model_ids: [/./] })
  t.notOk('target' in (page1.data[0] as Data) || 'fields' in (page1.data[0] as Data), 'a summary')
  const page2 = (await jane('GET', '/api/syncs', { query: { page_token: page1.pagination.next_page_token } }))
    .body as { data: Data[]; pagination: Data }
  t.same(
    [page2.data.map((s) => s.id), page2.pagination],
    [newestFirst.slice(50), {}]
  )
  const small = (await jane('GET', '/api/syncs', { query: { limit: 2, mode: 'create' } })).body as {
    data: Data[]
    pagination: { next_page_token?: string }
  }
  t.same(
    small.data.map((s) => s.mode),
    ['create', 'create']
  )
  t.ok(small.pagination.next_page_token, 'more follow')
  for (const limit of [0, -3]) {
    t.equal(
      ((await jane('GET', '/api/syncs', { query: { limit } })).body as { data: Data[] }).data.length,
      50,
      `limit ${limit} is the default`
    )
  }
  const unreadable = await jane('GET', '/api/syncs', { query: { page_token: 'not-a-token' } })
  t.equal(unreadable.status, 422)
  t.match(unreadable.body, { metadata: { field: 'page_token' } })
  const earlier = await jane('GET', '/api/syncs', { version: '2024-02-08' })
  t.same(Object.keys(earlier.body as Data), ['data'], 'earlier versions: the whole list')
  t.equal(dataOf<Data[]>(earlier).length, 53)
  t.match(dataOf<Data[]>(earlier)[0], { target: { connection_id: W.analytics.id }, fields: [{}] })
})

t.test('modelSync.executions.cancel (new) and update (1.18.1, kept)', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const [syncId] = await modelSyncs(app, 1)
  const sync = `/api/syncs/${syncId ?? ''}`
  app.control.addExecutionRule({ sync_id: syncId, outcome: 'hang' })
  const run = dataOf(await jane('POST', `${sync}/executions`, { body: {} })).id as string
  const canceled = await jane('POST', `${sync}/executions/${run}/cancel`)
  t.equal(canceled.status, 200)
  t.same(problemsAgainst('CancelSyncExecutionResponseEnvelope', canceled.body), [])
  t.match(dataOf(await jane('GET', `${sync}/executions/${run}`)), { status: 'canceling' })
  app.control.settleExecutions()
  t.match(dataOf(await jane('GET', `${sync}/executions/${run}`)), { status: 'canceled' })
  const again = await jane('POST', `${sync}/executions/${run}/cancel`)
  t.equal(again.status, 409, 'a finished run')
  t.same(problemsAgainst('ApiError', again.body), [])
  t.equal((await jane('POST', `${sync}/executions/${run}/cancel`, { version: '2024-02-08' })).status, 404, 'new in 2025-09-18')

  // PUT .../executions/:id: v25 dropped it; it keeps working, in every version.
  app.control.addExecutionRule({ sync_id: syncId, outcome: 'hang' })
  const next = dataOf(await jane('POST', `${sync}/executions`, { body: {} })).id as string
  for (const version of ['2024-02-08', '2025-09-18']) {
    const refused = await jane('PUT', `${sync}/executions/${next}`, { version, body: { status: 'queued' } })
    t.equal(refused.status, 422, `${version}: a state the service sets itself`)
  }
  const failed = await jane('PUT', `${sync}/executions/${next}`, { version: '2024-02-08', body: { status: 'failed' } })
  t.equal(failed.status, 200)
  t.match(dataOf(failed), { id: next, status: 'failed', errors: ['marked failed through the API'] })
})

t.test('console logs: written as a run moves, tailed or read after a cursor, per schema too', async (t) => {
  const app = await build(t, { config: { faultSeed: 7 } })
  const jane = client(app, W.jane.key)
  app.control.addExecutionRule({ sync_id: W.bulkSync.id, outcome: 'fail', message: 'permission denied for schema public' })
  const run = dataOf(await jane('POST', `${BULK}/executions`, { body: {} })).id as string
  const log = `${BULK}/executions/${run}/consolelog`
  const queued = await jane('GET', log)
  t.same(problemsAgainst('ExecutionConsoleLogsResponseEnvelope', queued.body), [])
  t.match(dataOf(queued), { entries: [{ level: 'info', message: 'execution queued (manual)' }] })
  const cursor = dataOf<{ next_cursor: string }>(queued).next_cursor
  t.same(dataOf(await jane('GET', log, { query: { after: cursor } })), { entries: [], next_cursor: cursor }, 'nothing new')

  app.control.advanceExecution(run, { status: 'running' })
  const running = dataOf<{ entries: Data[]; next_cursor: string }>(await jane('GET', log, { query: { after: cursor } }))
  t.same(
    running.entries.map((e) => e.message),
    [
      'execution running',
      'schema public.accounts: syncing to public_accounts',
      'schema public.users: syncing to public_users',
      'schema public.orders: syncing to public_orders'
    ]
  )
  app.control.settleExecutions()
  const ended = dataOf<{ entries: Data[] }>(await jane('GET', log, { query: { after: running.next_cursor } }))
  t.match(ended.entries.at(-1), {
    level: 'error',
    message: 'execution failed: permission denied for schema public',
    payload: { status: 'failed', error: 'permission denied for schema public' }
  })
  const all = dataOf<{ entries: Data[] }>(await jane('GET', log)).entries
  t.equal(all.length, 1 + 4 + 4)
  const ids = all.map((e) => e.id as string)
  t.same([...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), ids, 'ids only go up')
  t.same(
    dataOf<{ entries: Data[] }>(await jane('GET', log, { query: { limit: 2 } })).entries.map((e) => e.id),
    ids.slice(-2),
    'without a cursor, the newest'
  )
  t.same(
    dataOf<{ entries: Data[] }>(await jane('GET', log, { query: { limit: 2, after: ids[0] } })).entries.map((e) => e.id),
    ids.slice(1, 3),
    'after a cursor, the next'
  )
  const users = await jane('GET', `${BULK}/executions/${run}/schemas/public.users/consolelog`)
  t.same(problemsAgainst('ExecutionConsoleLogsResponseEnvelope', users.body), [])
  t.same(
    dataOf<{ entries: Data[] }>(users).entries.map((e) => [e.level, e.message]),
    [
      ['info', 'schema public.users: syncing to public_users'],
      ['error', 'schema public.users: stopped']
    ]
  )
  for (const [path, query, status] of [
    [log, { after: 'yesterday' }, 400],
    [log, { limit: 'many' }, 400],
    [log, { limit: 0 }, 400],
    [`${BULK}/executions/${run}/schemas/public.nope/consolelog`, {}, 404],
    [`${BULK}/executions/${W.org.id}/consolelog`, {}, 404]
  ] as const) {
    const res = await jane('GET', path, { query })
    t.equal(res.status, status, `${path} ${JSON.stringify(query)}`)
    t.same(problemsAgainst('ApiError', res.body), [])
  }
  t.equal((await jane('GET', log, { version: '2024-02-08' })).status, 404, 'new in 2025-09-18')
  // The bundled run has its lines too, from the states it went through.
  t.match(dataOf(await jane('GET', `${RUN}/consolelog`, { query: { limit: 1 } })), {
    entries: [{ message: 'execution completed: 18240 records' }]
  })
})

t.test('a model-sync run has its console log, and the same seed writes the same lines', async (t) => {
  const lines = async (): Promise<unknown[]> => {
    const app = await build(t, { config: { faultSeed: 42 } })
    const jane = client(app, W.jane.key)
    const [syncId] = await modelSyncs(app, 1)
    const run = dataOf(await jane('POST', `/api/syncs/${syncId ?? ''}/executions`, { body: {} })).id as string
    app.control.settleExecutions()
    const res = await jane('GET', `/api/syncs/${syncId ?? ''}/executions/${run}/consolelog`)
    t.same(problemsAgainst('ExecutionConsoleLogsResponseEnvelope', res.body), [])
    return dataOf<{ entries: Data[] }>(res).entries.map((e) => [e.level, e.message, e.payload])
  }
  const first = await lines()
  t.match(first, [
    ['info', 'execution queued (manual)'],
    ['info', 'execution running'],
    ['info', /^execution completed: \d+ records$/]
  ])
  t.same(await lines(), first, 'deterministic under the same seed')
})

t.test('entities.get and getForPartner resolve any id the caller can reach', async (t) => {
  const app = await build(t)
  const jane = client(app, W.jane.key)
  const acme = client(app, W.acme.key)
  const [modelSyncId] = await modelSyncs(app, 1)
  const modelRun = dataOf(await jane('POST', `/api/syncs/${modelSyncId ?? ''}/executions`, { body: {} })).id as string
  const cases: Array<[string, string, string, Data?]> = [
    [W.org.id, 'organization', `/api/organizations/${W.org.id}`],
    [W.jane.id, 'user', `/api/organizations/${W.org.id}/users/${W.jane.id}`],
    [W.warehouse.copyId, 'connection', `/api/connections/${W.warehouse.copyId}`, { parent_connection: { id: W.warehouse.id } }],
    [W.bulkSync.id, 'bulk_sync', BULK],
    [W.bulkSync.executionId, 'bulk_sync_execution', RUN, { bulk_sync: { id: W.bulkSync.id, path: BULK } }],
    [modelSyncId ?? '', 'sync', `/api/syncs/${modelSyncId ?? ''}`],
    [modelRun, 'sync_execution', `/api/syncs/${modelSyncId ?? ''}/executions/${modelRun}`, { sync: { id: modelSyncId } }]
  ]
  for (const [id, type, path, relationships] of cases) {
    const own = await jane('GET', `/api/entities/${id}`)
    t.equal(own.status, 200, `${type} ${id}`)
    t.same(problemsAgainst('EntityResponseEnvelope', own.body), [])
    t.match(dataOf(own), { id, type, canonical_path: path, relationships: relationships ?? {} })
    t.notOk('organization_id' in dataOf(own), 'the user-scoped resolver leaves out organization_id')
    const partner = await acme('GET', `/api/organizations/entities/${id.toUpperCase()}`)
    t.same(problemsAgainst('EntityResponseEnvelope', partner.body), [])
    t.match(dataOf(partner), { id, type, organization_id: W.org.id })
  }
  t.match(dataOf(await jane('GET', `/api/entities/${W.bulkSync.executionId}`)), {
    context: { schema_ids: ['public.accounts', 'public.users', 'public.orders'] }
  })
  const unknown = await jane('GET', '/api/entities/00000000-0000-4000-8000-000000000000')
  t.equal(unknown.status, 404)
  t.same(problemsAgainst('ApiError', unknown.body), [])
  t.equal((await jane('GET', `/api/entities/${W.warehouse.id}`)).status, 404, "another organization's id")
  t.equal((await client(app, W.globex.key)('GET', `/api/organizations/entities/${W.org.id}`)).status, 404, "another partner's")
  t.equal((await jane('GET', `/api/organizations/entities/${W.org.id}`)).status, 403, 'a partner route')
  t.equal((await acme('GET', `/api/entities/${W.org.id}`)).status, 403, 'an unscoped partner key has no own organization')
  t.equal((await jane('GET', `/api/entities/${W.org.id}`, { version: '2024-02-08' })).status, 404, 'new in 2025-09-18')
})

t.test('shared connections, the current organization and its users answer their v25 types', async (t) => {
  const app = await build(t)
  const acme = client(app, W.acme.key)
  const jane = client(app, W.jane.key)
  const shared = `/api/organizations/${W.acme.ownerOrgId}/connections/${W.warehouse.id}/shared`
  const listed = await acme('GET', shared)
  t.same(problemsAgainst('ConnectionListResponseEnvelope', listed.body), [])
  t.match(dataOf(listed), [{ id: W.warehouse.copyId, parent_connection_id: W.warehouse.id }])
  const globexOrg = dataOf(await acme('POST', '/api/organizations', { body: { name: 'Hooli' } })).id as string
  const made = await acme('POST', shared, { body: { child_organization_id: globexOrg, name: 'Warehouse for Hooli' } })
  t.same(problemsAgainst('CreateSharedConnectionResponseEnvelope', made.body), [])
  t.equal(dataOf<Data[]>(await acme('GET', shared)).length, 2)

  t.same(problemsAgainst('OrganizationEnvelope', (await jane('GET', '/api/organization')).body), [])
  t.same(problemsAgainst('ListUsersEnvelope', (await jane('GET', '/api/organization/users')).body), [])
  const user = await jane('POST', '/api/organization/users', { body: { email: 'new.hire@polytomic.com' } })
  t.same(problemsAgainst('UserEnvelope', user.body), [])
  const id = dataOf(user).id as string
  t.same(problemsAgainst('UserEnvelope', (await jane('GET', `/api/organization/users/${id}`)).body), [])
  t.same(problemsAgainst('UserEnvelope', (await jane('PUT', `/api/organization/users/${id}`, { body: {} })).body), [])
  t.same(problemsAgainst('UserEnvelope', (await jane('DELETE', `/api/organization/users/${id}`)).body), [])
})

t.test('errors: ApiError bodies, and injected 429 and 503 say when to retry', async (t) => {
  const app = await build(t)
  const nobody = client(app, 'no-such-key')
  const unauthorized = await nobody('GET', '/api/entities/x')
  t.equal(unauthorized.status, 401)
  t.same(problemsAgainst('ApiError', unauthorized.body), [], 'a 401 is ApiError in 2025-09-18')
  const jane = client(app, W.jane.key)
  for (const status of [429, 503]) {
    app.control.addFault({ path: '/api/me', status, times: 1 })
    const res = await jane('GET', '/api/me')
    t.equal(res.status, status)
    t.equal(res.headers['retry-after'], '1', `${status}: Retry-After, FAULT_RETRY_AFTER_S`)
    t.same(problemsAgainst('ApiError', res.body), [])
  }
  app.control.addFault({ path: '/api/me', status: 429, headers: { 'Retry-After': '7' }, times: 1 })
  t.equal((await jane('GET', '/api/me')).headers['retry-after'], '7', "the rule's own wins")
  app.control.addFault({ path: '/api/me', status: 500, times: 1 })
  t.equal((await jane('GET', '/api/me')).headers['retry-after'], undefined, 'only on 429 and 503')
  const slow = await build(t, { config: { faultRetryAfterS: 30 } })
  slow.control.addFault({ path: '/api/me', status: 503, times: 1 })
  t.equal((await client(slow, W.jane.key)('GET', '/api/me')).headers['retry-after'], '30')

  // v25's connection proxy: an ApiError for a connection with no API to call in 2025-09-18, 404 before it.
  const proxy = await jane('POST', `/api/connections/${W.warehouse.copyId}/proxy`, {
    body: { request: { method: 'GET', path: '/' } }
  })
  t.equal(proxy.status, 400)
  t.match(proxy.body, { status: 400, key: 'operation_not_supported', message: /no base URL/ })
  t.equal((await jane('GET', `/api/connections/${W.warehouse.copyId}/proxy/info`, { version: '2024-02-08' })).status, 404)
})
