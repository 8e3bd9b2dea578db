// Every store an API caller can grow keeps to its bound (src/core/bounds.ts), oldest out first, per
// partner where one tenant could otherwise push out another's; rules are refused past theirs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, apiError, bearer, build, call } from './helper.js'
import { buildApp } from '../src/http/app.js'
import { runQuery } from './support/queries.js'
import { receiver } from './support/receiver.js'

const J = bearer(W.jane.key)
type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

async function withKey (
  app: FastifyInstance,
  key: string,
  headers: Record<string, string>,
  url: string,
  body: unknown
): Promise<{ status: number; replayed: boolean; body: unknown }> {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { ...headers, 'idempotency-key': key, 'content-type': 'application/json' },
    payload: JSON.stringify(body)
  })
  return {
    status: res.statusCode,
    replayed: res.headers['idempotent-replayed'] === 'true',
    body: JSON.parse(res.body) as unknown
  }
}

t.test(
  "a partner keeps at most IDEMPOTENCY_MAX_RECORDS outcomes: its oldest are forgotten, another partner's are not touched",
  async (t) => {
    const app = await build(t, { config: { idempotencyMaxRecords: 3 } })
    const globex = await withKey(app, 'globex-key-1', bearer(W.globex.adminKey), '/api/permissions/roles', {
      name: 'Globex role'
    })
    t.equal(globex.status, 200)
    for (let i = 1; i <= 5; i++) {
      t.equal((await withKey(app, `acme-key-${i}`, J, '/api/permissions/roles', { name: `Role ${i}` })).status, 200)
    }
    const rows = app.store.db
      .prepare("SELECT key FROM idempotency_keys WHERE key LIKE 'acme-key-%' ORDER BY created_at")
      .pluck()
      .all()
    t.same(rows.sort(), ['acme-key-3', 'acme-key-4', 'acme-key-5'], 'the newest three are kept')
    const forgotten = await withKey(app, 'acme-key-1', J, '/api/permissions/roles', { name: 'Role 1' })
    t.notOk(forgotten.replayed, 'a forgotten key runs again')
    t.ok(
      (await withKey(app, 'acme-key-5', J, '/api/permissions/roles', { name: 'Role 5' })).replayed,
      'a kept one replays'
    )
    t.ok(
      (await withKey(app, 'globex-key-1', bearer(W.globex.adminKey), '/api/permissions/roles', { name: 'Globex role' }))
        .replayed,
      "another partner's record is untouched"
    )
  }
)

t.test('a partner keeps at most IDEMPOTENCY_MAX_BYTES of outcomes, the newest always', async (t) => {
  const app = await build(t, { config: { idempotencyMaxBytes: 4096 } })
  const big = (i: number): Data => ({
    name: `Big ${i}`,
    connection_id: W.warehouse.copyId,
    configuration: { query: `SELECT 1 AS id, '${'x'.repeat(900)}' AS padding` },
    fields: ['id']
  })
  for (let i = 1; i <= 6; i++) t.equal((await withKey(app, `big-key-${i}`, J, '/api/models', big(i))).status, 200)
  const kept = app.store.db
    .prepare("SELECT sum(bytes) AS bytes, count(*) AS n FROM idempotency_keys WHERE key LIKE 'big-key-%'")
    .get() as { bytes: number; n: number }
  t.ok(kept.bytes <= 4096, `${kept.bytes} bytes kept`)
  t.ok(kept.n >= 1 && kept.n < 6, `${kept.n} of 6 records kept`)
  t.ok((await withKey(app, 'big-key-6', J, '/api/models', big(6))).replayed, 'the newest replays')
})

t.test(
  'a minted key is never on disk: its replay comes from the answering process only, and after a restart it is a clear 409',
  async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'pm-sealed-'))
    t.teardown(() => rmSync(folder, { recursive: true, force: true }))
    const database = join(folder, 'world.db')
    const first = await buildApp({ config: { database, validateResponses: true } })
    const url = `/api/organizations/${W.org.id}/users/${W.jane.id}/keys`
    const minted = await withKey(first, 'mint-key-0001', bearer(W.acme.key), url, {})
    t.equal(minted.status, 200)
    const value = (minted.body as { data: { value: string } }).data.value
    const again = await withKey(first, 'mint-key-0001', bearer(W.acme.key), url, {})
    t.same([again.replayed, again.body], [true, minted.body], 'the same process replays the same key')
    const row = first.store.db
      .prepare("SELECT body, sealed FROM idempotency_keys WHERE key = 'mint-key-0001'")
      .get() as { body: string; sealed: number }
    t.equal(row.sealed, 1)
    t.notOk(row.body.includes(value), 'the stored body does not hold the key')
    await first.close()

    const second = await buildApp({ config: { database, validateResponses: true } })
    t.teardown(() => second.close())
    const after = await withKey(second, 'mint-key-0001', bearer(W.acme.key), url, {})
    t.equal(after.status, 409)
    t.same(
      after.body,
      apiError(
        409,
        'idempotency_replay_unavailable',
        'the first answer to this Idempotency-Key held a secret (such as a minted API key), which the simulator keeps only in the memory of the process that gave it; that process has restarted since, so it cannot be given again: send the request with a new Idempotency-Key'
      )
    )
    const keys = second.store.db.prepare('SELECT count(*) FROM api_keys WHERE user_id = ?').pluck().get(W.jane.id)
    t.equal(keys, 2, 'no second key was minted by the refused replay (the fixture key and the one minted)')
  }
)

t.test('a partner keeps at most JOBS_MAX jobs and JOBS_MAX_BYTES of results: the oldest finished go', async (t) => {
  const app = await build(t, { config: { jobsMax: 3 } })
  const model = {
    name: 'Accounts',
    connection_id: W.warehouse.copyId,
    configuration: { query: 'SELECT 1 AS id' },
    fields: ['id']
  }
  const id = dataOf(await call(app, 'POST', '/api/models', J, model)).id as string
  const jobs: string[] = []
  for (let i = 0; i < 5; i++) {
    const res = await call(app, 'PUT', `/api/models/${id}?async=true`, J, { ...model, name: `Accounts ${i}` })
    jobs.push((res.body as { job: { job_id: string } }).job.job_id)
    app.control.settleExecutions()
  }
  const statuses = []
  for (const job of jobs) statuses.push((await call(app, 'GET', `/api/jobs/updatemodel/${job}`, J)).status)
  t.same(statuses, [404, 404, 200, 200, 200])

  const small = await build(t, { config: { jobsMaxBytes: 2048 } })
  const big = { ...model, configuration: { query: `SELECT 1 AS id, '${'x'.repeat(900)}' AS padding` } }
  const bigId = dataOf(await call(small, 'POST', '/api/models', J, big)).id as string
  for (let i = 0; i < 6; i++) {
    await call(small, 'PUT', `/api/models/${bigId}?async=true`, J, big)
    small.control.settleExecutions()
  }
  const bytes = small.store.db.prepare('SELECT sum(octet_length(result)) FROM jobs').pluck().get() as number
  t.ok(bytes <= 2048 + 1200, `${bytes} bytes of results kept (the newest is always kept)`)
})

t.test('a sync keeps at most RUNS_PER_SYNC runs, the oldest finished out first', async (t) => {
  const app = await build(t, { config: { runsPerSync: 2 } })
  const started: string[] = []
  for (let i = 0; i < 4; i++) {
    const res = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, J, {})
    t.equal(res.status, 200)
    started.push(dataOf(res).id as string)
    app.control.settleExecutions()
  }
  const listed = dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions`, J)).map(
    (e) => e.id
  )
  t.same([...listed].sort(), [started[2], started[3]].sort(), 'the two newest runs are kept')
  t.equal(
    (await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started[0] as string}`, J)).status,
    404
  )
})

t.test('a bulk sync has at most SCHEDULES_PER_SYNC additional schedules, by either road: one more is refused', async (t) => {
  const app = await build(t, { config: { schedulesPerSync: 2 } })
  const body = {
    name: 'Bounded',
    source_connection_id: W.warehouse.copyId,
    destination_connection_id: W.analytics.id,
    destination_configuration: {},
    default_schedule: { frequency: 'manual' }
  }
  const many = await call(app, 'POST', '/api/bulk/syncs', J, {
    ...body,
    additional_schedules: [{ frequency: 'hourly' }, { frequency: 'daily' }, { frequency: 'weekly' }]
  })
  t.equal(many.status, 422)
  t.match(many.body, { metadata: { field: 'additional_schedules' } })
  const id = dataOf(
    await call(app, 'POST', '/api/bulk/syncs', J, {
      ...body,
      additional_schedules: [{ frequency: 'hourly' }, { frequency: 'daily' }]
    })
  ).id as string
  const third = await call(app, 'POST', `/api/bulk/syncs/${id}/schedules`, J, { schedule: { frequency: 'weekly' } })
  t.equal(third.status, 422)
  t.match(third.body, { message: /at most 2 additional schedules \(SCHEDULES_PER_SYNC\)/ })
  t.equal(dataOf<Data[]>(await call(app, 'GET', `/api/bulk/syncs/${id}/schedules`, J)).length, 2, 'nothing was added')
})

t.test('a run keeps its newest CONSOLE_LOG_ENTRIES console-log lines', async (t) => {
  const app = await build(t, { config: { consoleLogEntries: 3 } })
  const bulk = `/api/bulk/syncs/${W.bulkSync.id}`
  const run = dataOf(await call(app, 'POST', `${bulk}/executions`, J, {})).id as string
  app.control.settleExecutions()
  const kept = dataOf<{ entries: Data[] }>(await call(app, 'GET', `${bulk}/executions/${run}/consolelog`, J)).entries
  t.match(
    kept.map((e) => e.message),
    [/^schema public\.users: \d+ records synced$/, /^schema public\.orders: \d+ records synced$/, /^execution completed/],
    'the last three of the nine it wrote'
  )
  t.equal(kept.length, 3)
})

t.test('an organization holds at most CONNECT_SESSIONS_MAX Connect sessions: a new one ends the oldest', async (t) => {
  const app = await build(t, { config: { connectSessionsMax: 2 } })
  const tokens: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await call(app, 'POST', '/api/connections/connect', J, {
      name: `Via Connect ${i}`,
      type: 'postgresql',
      redirect_url: 'https://partner.example.com/done'
    })
    tokens.push(dataOf(res).token as string)
  }
  const pages = []
  for (const token of tokens) pages.push((await app.inject({ method: 'GET', url: `/connect/${token}` })).statusCode)
  t.same(pages, [404, 200, 200])
  t.equal(app.store.db.prepare('SELECT count(*) FROM connect_sessions').pluck().get(), 2)
})

t.test(
  'a webhook has at most WEBHOOK_QUEUE_MAX deliveries waiting, and an organization keeps at most EVENTS_MAX events',
  async (t) => {
    const app = await build(t, { config: { webhookQueueMax: 3, eventsMax: 4 } })
    await call(app, 'POST', '/api/webhooks', J, { endpoint: 'http://127.0.0.1:9/hooks', secret: 'whsec' })
    await call(app, 'POST', '/__admin/delivery-faults', {}, { action: 'delay', delay_ms: 3_600_000 })
    for (let i = 0; i < 6; i++) app.control.emitEvent({ organization_id: W.org.id, type: 'sync.failed', event: {} })
    t.match(await app.control.settleDeliveries({ timeout_ms: 0 }), { settled: false, pending: 3 })
    t.equal(dataOf<Data[]>(await call(app, 'GET', '/api/events', J)).length, 4)
    t.equal(app.store.db.prepare('SELECT count(*) FROM events WHERE organization_id = ?').pluck().get(W.org.id), 4)

    const fewer = await build(t, { config: { webhookQueueMax: 10, eventsMax: 2 } })
    await call(fewer, 'POST', '/api/webhooks', J, { endpoint: 'http://127.0.0.1:9/hooks', secret: 'whsec' })
    await call(fewer, 'POST', '/__admin/delivery-faults', {}, { action: 'delay', delay_ms: 3_600_000 })
    for (let i = 0; i < 5; i++) fewer.control.emitEvent({ organization_id: W.org.id, type: 'sync.failed', event: {} })
    t.match(
      await fewer.control.settleDeliveries({ timeout_ms: 0 }),
      { settled: false, pending: 2 },
      'an event that goes takes its waiting delivery with it'
    )
  }
)

t.test(
  'each rule list holds at most RULES_MAX rules of at most 64 KiB each; past either, adding is a 422 and nothing is added',
  async (t) => {
    const app = await build(t, { config: { rulesMax: 2 } })
    for (let i = 0; i < 2; i++) {
      t.equal((await call(app, 'POST', '/__admin/faults', {}, { status: 503, path: `/api/x${i}` })).status, 201)
    }
    const third = await call(app, 'POST', '/__admin/faults', {}, { status: 503 })
    t.same(
      third.body,
      apiError(
        422,
        'validation_failed',
        'rules: this list holds 2 rules already, its most (RULES_MAX): remove some first',
        { field: 'rules', problem: 'this list holds 2 rules already, its most (RULES_MAX): remove some first' }
      )
    )
    for (const [url, body] of [
      ['/__admin/connection-checks', { message: 'x' }],
      ['/__admin/delivery-faults', { action: 'drop' }],
      ['/__admin/execution-rules', { outcome: 'fail' }]
    ] as const) {
      await call(app, 'POST', url, {}, body)
      await call(app, 'POST', url, {}, body)
      t.equal((await call(app, 'POST', url, {}, body)).status, 422, url)
    }
    await call(app, 'DELETE', '/__admin/faults')
    const heavy = await call(app, 'POST', '/__admin/faults', {}, { status: 502, body: { blob: 'x'.repeat(70 * 1024) } })
    t.equal(heavy.status, 422)
    t.match(heavy.body, { metadata: { field: 'body', problem: /^a rule may weigh at most 65536 bytes as JSON/ } })
    t.same((await call(app, 'GET', '/__admin/faults')).body, [])
  }
)

t.test('a query runs at most QUERY_TIMEOUT_MS and answers at most QUERY_MAX_ROWS rows', async (t) => {
  const app = await build(t, { config: { queryTimeoutMs: 200, queryMaxRows: 3 } })
  const endless = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n'
  t.match(dataOf(await runQuery(app, W.warehouse.copyId, endless)), {
    status: 'failed',
    error: /longer than 200 ms \(QUERY_TIMEOUT_MS\)/
  })
  t.match(
    dataOf(await runQuery(app, W.warehouse.copyId, 'SELECT id FROM users ORDER BY id')),
    { status: 'done', count: 3, results: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    'the query runner goes on, and cuts the answer'
  )
})

t.test('a catalog holds at most CATALOG_MAX_ROWS rows; CATALOG_CACHE catalogs stay parsed, the rest are read again', async (t) => {
  const app = await build(t, { config: { catalogMaxRows: 5, catalogCache: 1 } })
  const table = (rows: number): Data => ({
    schemas: [{ id: 'public.t', fields: [{ id: 'a', type: 'number' }], rows: Array.from({ length: rows }, (_, a) => ({ a })) }]
  })
  t.match((await call(app, 'PUT', `/__admin/connections/${W.warehouse.id}/catalog`, {}, table(6))).body, {
    status: 422,
    message: /holds 6 rows; a catalog holds at most 5 \(CATALOG_MAX_ROWS\)/
  })
  t.equal((await call(app, 'PUT', `/__admin/connections/${W.warehouse.id}/catalog`, {}, table(5))).status, 200)
  // Two catalogs, one kept at a time: each read or query finds its own after the other's pushed it out.
  for (let i = 0; i < 3; i++) {
    t.match(dataOf(await runQuery(app, W.warehouse.copyId, 'SELECT count(*) AS n FROM t')), { results: [{ n: 5 }] })
    t.match(dataOf(await runQuery(app, W.analytics.id, 'SELECT count(*) AS n FROM USERS')), { results: [{ n: 200 }] })
  }
})

t.test('an organization keeps at most NOTIFICATIONS_MAX notifications, the newest', async (t) => {
  const app = await build(t, { config: { notificationsMax: 3 } })
  await call(app, 'PUT', '/api/notifications/global-error-subscribers', J, { emails: ['a@example.com', 'b@example.com'] })
  await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'fail', message: 'boom' })
  const runs: string[] = []
  for (let i = 0; i < 2; i++) {
    runs.push(dataOf<{ id: string }>(await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, J, {})).id)
    await call(app, 'POST', '/__admin/executions/settle')
  }
  const kept = (await call(app, 'GET', '/__admin/notifications')).body as Array<{ details: { execution_id: string } }>
  t.same(kept.map((n) => n.details.execution_id), [runs[0], runs[1], runs[1]], 'four were sent, the oldest went')
})

t.test('a connection remembers at most PROXY_CALLS_MAX proxy calls for its stats, and the proxy has a 1 MiB body', async (t) => {
  const app = await build(t, { config: { proxyCallsMax: 2, proxyAllowedHosts: ['127.0.0.1'], bodyLimit: 4 * 1024 * 1024 } })
  const v25 = { ...J, 'x-polytomic-version': '2025-09-18' }
  const stub = await receiver(t)
  const created = await call(app, 'POST', '/api/connections', v25, {
    name: 'Stub',
    type: 'api',
    configuration: { url: new URL(stub.url).origin }
  })
  const id = dataOf<{ id: string }>(created).id
  for (let i = 0; i < 3; i++) {
    t.equal((await call(app, 'POST', `/api/connections/${id}/proxy`, v25, { request: { method: 'GET', path: '/' } })).status, 200)
  }
  const info = dataOf<{ stats: { proxyCallsLast24h: number } }>(await call(app, 'GET', `/api/connections/${id}/proxy/info`, v25))
  t.equal(info.stats.proxyCallsLast24h, 2)
  const big = await call(app, 'POST', `/api/connections/${id}/proxy`, v25, {
    request: { method: 'POST', path: '/', body: 'x'.repeat(1024 * 1024 + 1) }
  })
  t.equal(big.status, 400, 'a body over 1 MiB is refused')
  t.match(big.body, { message: /request\.body/ })
  t.equal(stub.received.length, 3, 'and never sent')
})

t.test('a connection makes at most PROXY_RATE_PER_MINUTE proxy calls a minute of simulated time', async (t) => {
  const app = await build(t, { config: { proxyRatePerMinute: 2, proxyAllowedHosts: ['127.0.0.1'] } })
  const v25 = { ...J, 'x-polytomic-version': '2025-09-18' }
  const stub = await receiver(t)
  const id = dataOf<{ id: string }>(
    await call(app, 'POST', '/api/connections', v25, { name: 'Stub', type: 'api', configuration: { url: new URL(stub.url).origin } })
  ).id
  const proxy = async (): Promise<number> =>
    (await call(app, 'POST', `/api/connections/${id}/proxy`, v25, { request: { method: 'GET', path: '/' } })).status
  t.same([await proxy(), await proxy(), await proxy()], [200, 200, 429])
  t.equal(stub.received.length, 2, 'the third was not sent')
  await call(app, 'POST', '/__admin/clock', {}, { advance_s: 61 })
  t.equal(await proxy(), 200, 'a minute later it goes through')
  const info = dataOf<{ requestContract: { rateLimitPerMinute: number } }>(
    await call(app, 'GET', `/api/connections/${id}/proxy/info`, v25)
  )
  t.equal(info.requestContract.rateLimitPerMinute, 2)
})
