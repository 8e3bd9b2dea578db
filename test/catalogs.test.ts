// What is inside a connection (docs/catalogs.md): the bundled catalogs, the schemas.* operations, the query
// runner, sources and targets, models reading their source, bulk runs counting rows; through inject() for the
// HTTP rules and through the official SDK 1.18.1 over a socket for the flows the issue names.
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { PolytomicClient } from 'polytomic'
import { W, apiError, bearer, build, call, listen, until } from './helper.js'
import { runQuery } from './support/queries.js'
import { BUNDLED_CATALOGS } from '../src/store/catalogs/catalog.js'
import { buildApp } from '../src/http/app.js'

const J = bearer(W.jane.key)
const COPY = W.warehouse.copyId
const once = { maxRetries: 0 }
type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

/** The bundled relational catalog's rows, to compute what a query should answer. */
const relational = (JSON.parse(readFileSync(BUNDLED_CATALOGS, 'utf8')) as {
  catalogs: { relational: { schemas: Array<{ id: string; rows: Data[] }> } }
}).catalogs.relational
const rowsOf = (table: string): Data[] => relational.schemas.find((s) => s.id === table)?.rows ?? []

t.test('the Done-means flow through SDK 1.18.1: pick tables, sync them, count their rows; run a GROUP BY', async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: 50 } })
  const client = new PolytomicClient({ environment: await listen(app), token: W.jane.key, version: '2024-02-08' })

  const source = await client.bulkSync.getSource(COPY, { include_fields: true }, once)
  const ids = (source.data?.schemas ?? []).map((s) => s.id)
  t.same(ids, ['public.users', 'public.accounts', 'public.orders', 'public.events'])
  t.match(source.data?.schemas?.[0]?.fields, [{ id: 'id', type: 'number', remote_type: 'integer', is_primary_key: true }])
  const picked = ['public.users', 'public.orders']
  const sync = await client.bulkSync.create(
    {
      name: 'Picked tables',
      source_connection_id: COPY,
      destination_connection_id: W.analytics.id,
      destination_configuration: { schema: 'raw' },
      schedule: { frequency: 'manual' },
      schemas: picked
    },
    once
  )
  const syncId = sync.data?.id as string
  const run = await client.bulkSync.start(syncId, {}, once)
  let done: Awaited<ReturnType<typeof client.bulkSync.executions.get>> | undefined
  await until('the run completes', async () => {
    done = await client.bulkSync.executions.get(syncId, run.data?.id as string, once)
    return done.data?.status === 'completed'
  })
  t.equal(done?.data?.record_count, rowsOf('users').length + rowsOf('orders').length, 'the run counts the rows it synced')
  t.same(
    done?.data?.schemas?.map((s) => [s.schema, s.record_count]),
    [['public.users', 200], ['public.orders', 300]]
  )

  const sql = 'SELECT country, count(*) FROM users GROUP BY country ORDER BY 2 DESC'
  const started = await client.queryRunner.runQuery(COPY, { query: sql }, once)
  t.equal(started.data?.status, 'running')
  let result: Awaited<ReturnType<typeof client.queryRunner.getQuery>> | undefined
  await until('the query is done', async () => {
    result = await client.queryRunner.getQuery(started.data?.id as string, {}, once)
    return result.data?.status !== 'running'
  })
  const counts = new Map<string, number>()
  for (const row of rowsOf('users')) counts.set(row.country as string, (counts.get(row.country as string) ?? 0) + 1)
  t.same(result?.data?.fields, ['country', 'count(*)'])
  t.same(
    result?.data?.results?.map((r) => r['count(*)']),
    [...counts.values()].sort((a, b) => b - a),
    'the counts, largest first'
  )
  t.same(
    Object.fromEntries(result?.data?.results?.map((r) => [r.country, r['count(*)']]) ?? []),
    Object.fromEntries(counts),
    'every country with its count'
  )
  t.equal(result?.data?.count, counts.size)
})

t.test('the query runner: SQLite over the catalog, reads only, paged results, failures as failed queries', async (t) => {
  const app = await build(t)
  const joined = await runQuery(
    app,
    COPY,
    "SELECT a.plan, sum(o.total) AS revenue FROM public.orders o JOIN accounts a ON a.id = o.account_id WHERE a.name ILIKE '%inc.' GROUP BY a.plan ORDER BY a.plan"
  )
  const plans = new Map<string, number>()
  const accounts = new Map(rowsOf('accounts').map((a) => [a.id, a.plan as string]))
  for (const o of rowsOf('orders')) {
    const plan = accounts.get(o.account_id) as string
    plans.set(plan, (plans.get(plan) ?? 0) + (o.total as number))
  }
  const got = dataOf<{ results: Array<{ plan: string; revenue: number }> }>(joined).results
  t.same(got.map((r) => r.plan), [...plans.keys()].sort(), 'a join, a schema-qualified table, ILIKE read as LIKE')
  for (const r of got) t.ok(Math.abs(r.revenue - (plans.get(r.plan) ?? 0)) < 1e-6, `revenue of ${r.plan}`)

  const many = await runQuery(app, COPY, 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2500) SELECT x FROM n')
  const first = many.body as { data: { count: number; results: Data[] }; links: { next?: string; previous?: string } }
  t.equal(first.data.count, 2500)
  t.equal(first.data.results.length, 1000, '1,000 rows a page')
  t.notOk(first.links.previous)
  const second = (await call(app, 'GET', first.links.next as string, J)).body as typeof first
  t.same(second.data.results[0], { x: 1001 })
  t.ok(second.links.previous !== undefined && second.links.next !== undefined)
  t.equal((await call(app, 'GET', `/api/queries/${(first.data as Data).id as string}?page=nope`, J)).status, 422, 'a page token it did not give')

  const failed = await runQuery(app, COPY, 'SELECT nope FROM users')
  t.match(dataOf(failed), { status: 'failed', error: 'no such column: nope' }, 'an unknown column fails the query')
  t.match(dataOf(await runQuery(app, COPY, 'SELEC 1')), { status: 'failed', error: /syntax error/ })

  for (const sql of ['DELETE FROM users', 'INSERT INTO users (id) VALUES (1)', 'PRAGMA table_info(users)', 'SELECT 1; SELECT 2', "ATTACH ':memory:' AS x"]) {
    const refused = await runQuery(app, COPY, sql)
    t.match([refused.status, refused.body], [400, { key: 'query_refused' }], `${sql} is refused`)
  }
  const cast = await runQuery(app, COPY, "SELECT '1'::int")
  t.match(cast.body, { status: 400, key: 'query_refused', message: /CAST\(value AS type\)/ })
  t.match((await runQuery(app, COPY, '  ')).body, { status: 400, message: 'query: a query is required' })

  const salesforce = dataOf(
    await call(app, 'POST', '/api/connections', J, {
      name: 'SF',
      type: 'salesforce',
      configuration: { domain: 'acme.my.salesforce.com' }
    })
  ).id as string
  t.match((await runQuery(app, salesforce, 'SELECT 1')).body, { status: 400, key: 'query_not_supported' })

  const mine = await call(app, 'POST', `/api/connections/${COPY}/query`, J, { query: 'SELECT 1 AS one' })
  const id = dataOf<{ id: string }>(mine).id
  await call(app, 'POST', '/__admin/executions/settle')
  t.match(dataOf(await call(app, 'GET', `/api/queries/${id}`, J)), { status: 'done', results: [{ one: 1 }] }, 'the body may carry the query')
  t.same(
    (await call(app, 'GET', `/api/queries/${id}`, bearer(W.org.orgKey))).body,
    apiError(404, 'query_not_found', 'query not found'),
    'only the caller that ran it reads it'
  )
  t.equal((await call(app, 'GET', `/api/queries/${id}`, bearer(W.globex.key))).status, 404)
  t.equal((await call(app, 'GET', `/api/jobs/query/${id}`, J)).status, 400, 'a query is not a job of /api/jobs')
})

t.test('schemas.*: get, records, user fields, primary keys; a shared copy reads its parent; scoping', async (t) => {
  const app = await build(t)
  const users = dataOf<{ fields: Data[] }>(await call(app, 'GET', `/api/connections/${COPY}/schemas/public.users`, J))
  t.same(users.fields.map((f) => f.id), ['id', 'email', 'name', 'country', 'account_id', 'active', 'created_at'])
  t.same(
    (await call(app, 'GET', `/api/connections/${COPY}/schemas/public.user`, J)).body,
    apiError(404, 'schema_not_found', `connection ${COPY} has no schema public.user (did you mean public.users?)`)
  )
  const parent = dataOf(await call(app, 'GET', `/api/connections/${W.warehouse.id}/schemas/public.users`, bearer(W.acme.key)))
  t.same(parent, users, 'the parent and its shared copy have one catalog')
  t.equal((await call(app, 'GET', `/api/connections/${COPY}/schemas/public.users`, bearer(W.globex.key))).status, 404)

  const page1 = await call(app, 'GET', `/api/connections/${COPY}/schemas/public.users/records?limit=150`, J)
  const body1 = page1.body as { data: Data[]; pagination: { next_page_token: string } }
  t.equal(body1.data.length, 150)
  t.same(body1.data[0], rowsOf('users')[0])
  const page2 = (await call(
    app,
    'GET',
    `/api/connections/${COPY}/schemas/public.users/records?limit=150&page_token=${body1.pagination.next_page_token}`,
    J
  )).body as { data: Data[]; pagination?: unknown }
  t.equal(page2.data.length, 50)
  t.notOk('pagination' in page2, 'no token past the last page')
  t.equal(dataOf<Data[]>(await call(app, 'GET', `/api/connections/${COPY}/schemas/public.users/records`, J)).length, 100)

  const s3 = dataOf(await call(app, 'POST', '/api/connections', J, {
    name: 'Lake',
    type: 's3',
    configuration: { aws_access_key_id: 'a', aws_secret_access_key: 's', s3_bucket_name: 'b', s3_bucket_region: 'us-east-1' }
  })).id as string
  const file = `/api/connections/${s3}/schemas/${encodeURIComponent('exports/customers.csv')}`
  t.match(dataOf(await call(app, 'GET', file, J)), { id: 'exports/customers.csv', name: 'customers.csv' }, 'an id with a slash, encoded')
  t.equal(dataOf<Data[]>(await call(app, 'GET', `${file}/records?limit=1000`, J)).length, 60)
  t.match((await call(app, 'GET', `/api/connections/${s3}/bulksync/target`, J)).status, 200)
  t.match((await call(app, 'GET', `/api/connections/${s3}/modelsync/source`, J)).body, { data: { requires_one_of: ['table'] } })

  const url = `/api/connections/${COPY}/schemas/public.users`
  t.equal((await call(app, 'POST', `${url}/fields`, J, { fields: [{ field_id: 'score', label: 'Score', type: 'number' }] })).status, 200)
  t.match(dataOf<{ fields: Data[] }>(await call(app, 'GET', url, J)).fields.at(-1), { id: 'score', name: 'Score', type: 'number' })
  t.match((await call(app, 'POST', `${url}/fields`, J, { fields: [{ field_id: 'email', label: 'E', type: 'string' }] })).body, {
    status: 400,
    metadata: { field: 'fields[0].field_id' }
  })
  t.equal((await call(app, 'PUT', `${url}/primary_keys`, J, { fields: [{ field_id: 'email', is_primary_key: true }] })).status, 200)
  const keyed = dataOf<{ fields: Array<{ id: string; is_primary_key: boolean }> }>(await call(app, 'GET', url, J))
  t.same(keyed.fields.filter((f) => f.is_primary_key).map((f) => f.id), ['email'])
  t.match((await call(app, 'PUT', `${url}/primary_keys`, J, { fields: [{ field_id: 'mail', is_primary_key: true }] })).body, {
    status: 400,
    message: 'fields[0].field_id: is not a field of public.users (did you mean email?)'
  })
  t.equal((await call(app, 'DELETE', `${url}/primary_keys`, J)).status, 200)
  t.same(dataOf<typeof keyed>(await call(app, 'GET', url, J)).fields.filter((f) => f.is_primary_key).map((f) => f.id), ['id'])
  t.equal((await call(app, 'DELETE', `${url}/fields/email`, J)).status, 404, 'a field of the source is not a user field')
  const many = (from: number): Data => ({
    fields: Array.from({ length: 600 }, (_, i) => ({ field_id: `f${from + i}`, label: 'F', type: 'string' }))
  })
  t.equal((await call(app, 'POST', `${url}/fields`, J, many(0))).status, 200)
  t.match((await call(app, 'POST', `${url}/fields`, J, many(600))).body, {
    status: 400,
    message: 'fields: a schema has at most 1000 user-defined fields'
  })
  t.equal((await call(app, 'POST', `${url}/fields`, J, many(0))).status, 200, 'replacing fields by id is not growth')
  for (let i = 0; i < 600; i += 200) {
    for (let f = i; f < i + 200; f++) await call(app, 'DELETE', `${url}/fields/f${f}`, J)
  }
  t.equal((await call(app, 'DELETE', `${url}/fields/score`, J)).status, 200)
  t.equal(dataOf<{ fields: Data[] }>(await call(app, 'GET', url, J)).fields.length, 7)
  const parentAfter = dataOf<{ fields: Data[] }>(await call(app, 'GET', `/api/connections/${W.warehouse.id}/schemas/public.users`, bearer(W.acme.key)))
  t.equal(parentAfter.fields.length, 7, "a copy's overrides are its own")
})

t.test('a source changed under a sync shows at the next schema refresh; rows and queries see it at once', async (t) => {
  const app = await build(t)
  const catalog = (await call(app, 'GET', `/__admin/connections/${COPY}/catalog`)).body as {
    schemas: Array<{ id: string; fields: Data[]; rows: Data[] }>
  }
  const users = catalog.schemas.find((s) => s.id === 'public.users') as (typeof catalog.schemas)[number]
  users.fields = users.fields.filter((f) => f.id !== 'country')
  catalog.schemas.push({ id: 'public.invoices', fields: [{ id: 'id', type: 'number' }, { id: 'amount', type: 'number' }], rows: [{ id: 1, amount: 9.5 }] })
  t.match((await call(app, 'PUT', `/__admin/connections/${W.warehouse.id}/catalog`, {}, catalog)).body, { status: 'ok', schemas: 5 })
  t.match((await call(app, 'PUT', `/__admin/connections/${COPY}/catalog`, {}, catalog)).body, {
    status: 422,
    metadata: { field: 'id', problem: `a shared copy reads its parent's catalog: change ${W.warehouse.id}'s` }
  })

  const status = `/api/connections/${COPY}/schemas/status`
  t.same(dataOf(await call(app, 'GET', status, J)), { cache_status: 'fresh' })
  t.equal((await call(app, 'GET', `/api/connections/${COPY}/schemas/public.invoices`, J)).status, 404, 'not before a refresh')
  t.match(dataOf(await runQuery(app, COPY, 'SELECT amount FROM invoices')), { status: 'done', results: [{ amount: 9.5 }] })
  const refresh = await call(app, 'POST', `/api/connections/${COPY}/schemas/refresh`, J)
  t.equal(refresh.status, 200)
  t.equal(refresh.headers.location, status)
  t.match(dataOf(await call(app, 'GET', status, J)), { cache_status: 'refreshing', last_refresh_started: String })
  await until('refreshed', async () => dataOf(await call(app, 'GET', status, J)).cache_status === 'fresh')
  t.match(dataOf(await call(app, 'GET', status, J)), { last_refresh_finished: String })
  t.equal((await call(app, 'GET', `/api/connections/${COPY}/schemas/public.invoices`, J)).status, 200)
  t.notOk(
    dataOf<{ fields: Data[] }>(await call(app, 'GET', `/api/connections/${COPY}/schemas/public.users`, J)).fields.some((f) => f.id === 'country'),
    'the dropped column is gone'
  )
  const bad = await call(app, 'PUT', `/__admin/connections/${W.warehouse.id}/catalog`, {}, { schemas: [{ id: 'a', fields: [], primary_keys: ['id'] }] })
  t.match(bad.body, { status: 422, metadata: { field: 'catalog.schemas[0].primary_keys[0]' } })
})

t.test('models read their source: checked, typed, sampled, previewed; enrichment and targets from catalogs', async (t) => {
  const app = await build(t)
  const bad: Array<[Data, string, string]> = [
    [{ table: 'customers' }, 'configuration.table', `connection ${COPY} has no table customers`],
    [{ query: 'SELECT nope FROM users' }, 'configuration.query', 'no such column: nope']
  ]
  for (const [configuration, field, problem] of bad) {
    const res = await call(app, 'POST', '/api/models', J, { name: 'M', connection_id: COPY, configuration })
    t.same([res.status, res.body], [422, apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem })])
  }
  const wrongField = await call(app, 'POST', '/api/models', J, { name: 'M', connection_id: COPY, configuration: { table: 'users' }, fields: ['mail'] })
  t.match(wrongField.body, { status: 422, metadata: { field: 'fields[0]', problem: 'mail is not a column of public.users (did you mean email?)' } })

  const model = dataOf(await call(app, 'POST', '/api/models', J, { name: 'Orders', connection_id: COPY, configuration: { table: 'orders' } }))
  t.same((model.fields as Data[]).map((f) => [f.name, f.type]), [
    ['id', 'number'], ['account_id', 'number'], ['user_id', 'number'], ['total', 'number'], ['currency', 'string'], ['status', 'string'], ['created_at', 'datetime']
  ])
  const sample = await call(app, 'GET', `/api/models/${model.id as string}/sample`, J)
  const records = dataOf<{ records: Array<Record<string, Data>> }>(sample).records
  t.equal(records.length, 10)
  t.same(records[0], { [model.id as string]: rowsOf('orders')[0] })

  const preview = await call(app, 'POST', '/api/model-preview?async=true', J, {
    name: 'Big spenders',
    connection_id: COPY,
    configuration: { query: 'SELECT user_id, sum(total) AS spent FROM orders GROUP BY user_id ORDER BY spent DESC' },
    fields: ['user_id', 'spent']
  })
  type Preview = { data: { id?: string; fields: Data[]; records: Array<Record<string, Data>> }; job: Data }
  const previewed = preview.body as Preview
  t.notOk('id' in previewed.data, 'nothing was saved')
  t.same(previewed.data.fields.map((f) => [f.name, f.type]), [['user_id', 'number'], ['spent', 'unknown']])
  t.equal(previewed.data.records.length, 10)
  t.match(previewed.job, { type: 'previewmodel', status: 'running' })
  t.same(dataOf(await call(app, 'GET', '/api/models', J)), [model].map((m) => ({ ...m })), 'preview stores no model')

  const api = dataOf(await call(app, 'POST', '/api/connections', J, { name: 'Lookup', type: 'api', configuration: { url: 'https://api.example' } }))
  t.same(dataOf(await call(app, 'POST', `/api/enrichment/${api.id as string}/inputfields`, J, {})), [['id'], ['id'], ['domain']])
  t.match(dataOf(await call(app, 'GET', `/api/connections/${api.id as string}/modelsync/enrichment-source`, J)), {
    requires_one_of: ['table'],
    items: { table: { has_items: true } }
  })
  t.match((await call(app, 'GET', `/api/connections/${COPY}/modelsync/enrichment-source`, J)).body, { status: 400, key: 'operation_not_supported' })

  const fields = await call(app, 'GET', `/api/connections/${COPY}/modelsync/source/fields?params=${encodeURIComponent('{"table":["public.accounts"]}')}`, J)
  t.same(dataOf<Data[]>(fields).map((f) => f.id), ['id', 'name', 'domain', 'industry', 'plan', 'created_at'])
  t.equal((await call(app, 'GET', `/api/connections/${COPY}/modelsync/source/fields?params=nope`, J)).status, 400)
  t.match(dataOf(await call(app, 'GET', `/api/connections/${COPY}/modelsync/source`, J)), { requires_one_of: ['query', 'table'] })

  const snowflake = W.analytics.id
  const objects = (await call(app, 'GET', `/api/connections/${snowflake}/modelsync/targetobjects`, J)).body as { data: Data[]; target_creation: Data }
  t.same(objects.data.map((o) => o.id), ['PUBLIC.USERS', 'PUBLIC.ACCOUNTS', 'PUBLIC.ORDERS', 'PUBLIC.EVENTS'])
  t.match(objects.target_creation, { supported: true })
  t.match(dataOf(await call(app, 'GET', `/api/connections/${snowflake}/modelsync/targetobjects/properties/schema`, J)), {
    id: 'schema',
    values: [{ value: 'PUBLIC' }]
  })
  t.equal((await call(app, 'GET', `/api/connections/${snowflake}/modelsync/targetobjects/properties/color`, J)).status, 404)
  t.match(dataOf(await call(app, 'GET', `/api/connections/${snowflake}/modelsync/target/fields?target=PUBLIC.USERS`, J)), {
    id: 'PUBLIC.USERS',
    fields: [{ id: 'ID', updateable: false }, { id: 'EMAIL', supports_identity: true }]
  })
  t.match(dataOf(await call(app, 'GET', `/api/connections/${snowflake}/modelsync/target?search=ord`, J)), {
    items: { object: { items: [{ value: 'PUBLIC.ORDERS' }] } }
  })
  t.match(dataOf(await call(app, 'GET', `/api/connections/${snowflake}/bulksync/target`, J)), { supported_resync_modes: ['refetch', 'resync', 'rebuild'] })
  t.match(dataOf(await call(app, 'GET', `/api/connections/${COPY}/bulksync/source`, J)), { schemas: [{ id: 'public.users' }] })
  t.notOk('fields' in (dataOf<{ schemas: Data[] }>(await call(app, 'GET', `/api/connections/${COPY}/bulksync/source`, J)).schemas[0] ?? {}))

  const modelSync = (object: string, target: string): Data => ({
    name: 'Out',
    mode: 'create',
    schedule: { frequency: 'manual' },
    target: { connection_id: snowflake, object },
    fields: [{ target, source: { model_id: model.id, field: 'total' } }]
  })
  t.equal((await call(app, 'POST', '/api/syncs', J, modelSync('PUBLIC.ORDERS', 'TOTAL'))).status, 200)
  t.match((await call(app, 'POST', '/api/syncs', J, modelSync('PUBLIC.ORDER', 'TOTAL'))).body, {
    metadata: { field: 'target.object', problem: `target connection ${snowflake} has no object PUBLIC.ORDER (did you mean PUBLIC.ORDERS?)` }
  })
  t.match((await call(app, 'POST', '/api/syncs', J, modelSync('PUBLIC.ORDERS', 'TOTALS'))).body, {
    metadata: { field: 'fields[0].target', problem: 'PUBLIC.ORDERS has no field TOTALS (did you mean TOTAL?)' }
  })
})

t.test('catalogs are fixtures: loaded, exported, reset, snapshotted, and go with their tenant', async (t) => {
  const app = await build(t)
  const world = (await call(app, 'GET', '/__admin/fixtures')).body as { connections: Data[]; bulk_syncs?: Data[]; executions?: Data[] }
  t.notOk(world.connections.some((c) => 'catalog' in c), 'the defaults are not exported')
  delete world.bulk_syncs // it syncs tables the new catalog does not have
  delete world.executions
  const own = { schemas: [{ id: 'crm.leads', fields: [{ id: 'id', type: 'number' }, { id: 'email', type: 'string' }], primary_keys: ['id'], rows: [{ id: 1, email: 'a@x.example' }] }] }
  const warehouse = world.connections.find((c) => c.id === W.warehouse.id) as Data
  warehouse.catalog = own
  warehouse.status = 'unhealthy'
  const copy = world.connections.find((c) => c.id === COPY) as Data
  copy.schema_overrides = { 'crm.leads': { primary_keys: ['email'] } }
  t.equal((await call(app, 'PUT', '/__admin/fixtures', {}, world)).status, 200)
  t.match(dataOf(await call(app, 'GET', `/api/connections/${COPY}/schemas/crm.leads`, J)), {
    fields: [{ id: 'id', is_primary_key: false }, { id: 'email', is_primary_key: true }]
  })
  t.match((await call(app, 'POST', `/api/connections/${COPY}/schemas/refresh`, J)).body, {
    status: 400,
    key: 'connection_unhealthy'
  })
  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as { connections: Data[] }
  t.same(
    exported.connections.find((c) => c.id === W.warehouse.id)?.catalog,
    {
      schemas: [{
        ...own.schemas[0],
        name: 'crm.leads',
        fields: [{ id: 'id', name: 'id', type: 'number' }, { id: 'email', name: 'email', type: 'string' }]
      }]
    },
    'exported with the names filled in'
  )
  t.same(exported.connections.find((c) => c.id === COPY)?.schema_overrides, copy.schema_overrides)

  await call(app, 'POST', '/__admin/snapshots', {}, { name: 'leads' })
  await call(app, 'POST', `/api/connections/${COPY}/schemas/crm.leads/fields`, J, { fields: [{ field_id: 'x', label: 'X', type: 'string' }] })
  await call(app, 'POST', '/__admin/snapshots/leads/restore')
  t.equal(dataOf<{ fields: Data[] }>(await call(app, 'GET', `/api/connections/${COPY}/schemas/crm.leads`, J)).fields.length, 2)
  await call(app, 'POST', `/api/connections/${COPY}/schemas/crm.leads/fields`, J, { fields: [{ field_id: 'x', label: 'X', type: 'string' }] })
  await call(app, 'POST', '/__admin/reset')
  t.equal(dataOf<{ fields: Data[] }>(await call(app, 'GET', `/api/connections/${COPY}/schemas/crm.leads`, J)).fields.length, 2, 'reset')

  const tenant = (await call(app, 'POST', '/__admin/tenants')).body as { partner_id: string; admin_user_key: string }
  const mine = dataOf(await call(app, 'POST', '/api/connections', bearer(tenant.admin_user_key), {
    name: 'PG', type: 'postgresql', configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
  }))
  t.equal((await call(app, 'PUT', `/__admin/connections/${mine.id as string}/catalog`, {}, own)).status, 200)
  const before = app.store.db.prepare('SELECT count(*) AS n FROM connection_catalogs').pluck().get() as number
  t.equal((await call(app, 'DELETE', `/__admin/tenants/${tenant.partner_id}`)).status, 200)
  t.equal(app.store.db.prepare('SELECT count(*) AS n FROM connection_catalogs').pluck().get(), before - 1, 'the tenant took its catalog')
})

/** This process's children that are query processes (their program defines createCatalogDatabase). */
function queryProcesses (): number[] {
  const pids = readdirSync('/proc/self/task').flatMap((task) =>
    readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  )
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('createCatalogDatabase')
    } catch {
      return false // gone meanwhile
    }
  })
}

t.test('the query process starts with the first query and ends with close()', async (t) => {
  const app = await buildApp({ config: { database: ':memory:' } })
  const before = queryProcesses()
  t.match(dataOf(await runQuery(app, COPY, 'SELECT 1 AS one')), { status: 'done' })
  const started = queryProcesses().filter((pid) => !before.includes(pid))
  t.equal(started.length, 1, 'one query process')
  await app.close()
  await until('the query process is gone', () => !queryProcesses().includes(started[0] as number))
  t.pass('close() left no query process behind')
})
