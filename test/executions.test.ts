// Sync runs (executions) as a state machine on simulated time, for bulk and model syncs alike:
// created, running, then how the plan says it ends; the events each change emits; one run at a
// time; execution rules, advance and settle; cancel; counts from the seeded source; scheduling.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, apiError, bearer, build, call, until } from './helper.js'

const J = bearer(W.jane.key)
const BULK = `/api/bulk/syncs/${W.bulkSync.id}`
/** Long enough that no run ends on its own during a test: the tests move time or advance runs. */
const HOUR = 3_600_000

type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

/** A model on the shared warehouse copy and a model sync from it into the Snowflake destination (My Organization). */
async function modelSync (app: FastifyInstance, overrides: Data = {}): Promise<string> {
  const model = dataOf(
    await call(app, 'POST', '/api/models', J, {
      name: 'Users',
      connection_id: W.warehouse.copyId,
      configuration: { table: 'users' },
      fields: ['id', 'email']
    })
  )
  const sync = await call(app, 'POST', '/api/syncs', J, {
    name: 'Users to Snowflake',
    mode: 'create',
    schedule: { frequency: 'manual' },
    target: { connection_id: W.analytics.id, object: 'USERS' },
    fields: [{ target: 'EMAIL', source: { model_id: model.id, field: 'email' } }],
    ...overrides
  })
  return dataOf(sync).id as string
}

async function start (app: FastifyInstance, url: string, body: Data = {}): Promise<Data> {
  const res = await call(app, 'POST', `${url}/executions`, J, body)
  if (res.status !== 200) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`)
  return dataOf(res)
}

const execution = async (app: FastifyInstance, url: string, id: string): Promise<Data> =>
  dataOf(await call(app, 'GET', `${url}/executions/${id}`, J))
const eventTypes = async (app: FastifyInstance): Promise<string[]> =>
  dataOf<Data[]>(await call(app, 'GET', '/api/events?limit=100', J))
    .map((e) => e.type as string)
    .reverse()
const runningSoon = async (app: FastifyInstance, url: string, id: string): Promise<void> =>
  until(`${id} running`, async () => (await execution(app, url, id)).status === 'running')

t.test(
  "a bulk run: created, running at the runner's next turn, completed once SYNC_RUN_DURATION_MS of simulated time has passed",
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const run = await start(app, BULK)
    t.match(run, {
      status: 'created',
      record_count: 0,
      is_test: false,
      is_partial: false,
      fetch_mode: 'incremental',
      output_disposition: 'retain'
    })
    t.same(
      (run.schemas as Data[]).map((s) => [s.schema, s.status]),
      [
        ['public.accounts', 'created'],
        ['public.users', 'created'],
        ['public.orders', 'created']
      ],
      'every enabled schema'
    )
    await runningSoon(app, BULK, run.id as string)
    t.same(await eventTypes(app), ['bulk_sync.running'])
    t.match(dataOf(await call(app, 'GET', `${BULK}/status`, J)), {
      current_execution: { id: run.id, status: 'running' },
      last_execution: { id: W.bulkSync.executionId }
    })

    await call(app, 'POST', '/__admin/clock', {}, { advance_s: 3599 })
    t.equal((await execution(app, BULK, run.id as string)).status, 'running', 'not before its time')
    await call(app, 'POST', '/__admin/clock', {}, { advance_s: 1 })
    await until('completed', async () => (await execution(app, BULK, run.id as string)).status === 'completed')
    const done = await execution(app, BULK, run.id as string)
    const schemas = done.schemas as Data[]
    t.ok((done.record_count as number) >= 10)
    t.equal(
      schemas.reduce((sum, s) => sum + (s.record_count as number), 0),
      done.record_count,
      "the schemas' counts add up to the run's"
    )
    t.match(done, { error_count: 0, completed_at: String })
    t.same(await eventTypes(app), ['bulk_sync.running', 'bulk_sync.completed'])
    const events = dataOf<Data[]>(await call(app, 'GET', '/api/events', J))
    t.same(
      events[0]?.event,
      {
        execution_id: run.id,
        organization_id: W.org.id,
        sync_id: W.bulkSync.id,
        sync_name: W.bulkSync.name,
        source_connection_id: W.warehouse.copyId,
        destination_connection_id: W.analytics.id,
        trigger_source: 'manual'
      },
      'exactly the fields of BulkSyncCompletedEvent'
    )
  }
)

t.test('a model run emits sync.running and sync.completed with the counts of the execution', async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: HOUR } })
  const url = `/api/syncs/${await modelSync(app)}`
  const run = dataOf(await call(app, 'POST', `${url}/executions`, J))
  t.same(Object.keys(run).sort(), ['created_at', 'id', 'status'], 'the start answer is {id, status, created_at}')
  await runningSoon(app, url, run.id as string)
  await call(app, 'POST', '/__admin/clock', {}, { advance_s: 3600 })
  await until('completed', async () => (await execution(app, url, run.id as string)).status === 'completed')
  const done = await execution(app, url, run.id as string)
  const counts = done.counts as { total: number; insert: number; update: number; error: number }
  t.equal(counts.insert + counts.update + counts.error, counts.total, 'inserted, updated and failed make the total')
  const completed = dataOf<Data[]>(await call(app, 'GET', '/api/events?type=sync.completed', J))[0]?.event as Data
  t.match(completed, {
    execution_id: run.id,
    status: 'completed',
    trigger: 'manual',
    record_count: counts.total,
    inserted_count: counts.insert,
    updated_count: counts.update,
    error_count: 0,
    target_connection_id: W.analytics.id
  })
  t.same(await eventTypes(app), ['sync.running', 'sync.completed'])
})

t.test('one run of a sync at a time: starting another while one is created or running is a 409', async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: HOUR } })
  const run = await start(app, BULK)
  const again = await call(app, 'POST', `${BULK}/executions`, J, {})
  t.same(
    [again.status, again.body],
    [409, apiError(409, 'execution_running', 'an execution of this sync is already running: wait for it, or cancel it')]
  )
  await runningSoon(app, BULK, run.id as string)
  t.equal((await call(app, 'POST', `${BULK}/executions`, J, {})).status, 409, 'running too')
  const url = `/api/syncs/${await modelSync(app)}`
  t.equal((await call(app, 'POST', `${url}/executions`, J, {})).status, 200, 'another sync runs alongside')
  t.equal((await call(app, 'POST', `${url}/executions`, J, {})).status, 409)
  t.match((await call(app, 'POST', '/__admin/executions/settle')).body, { status: 'ok', finished: 2, hanging: 0 })
  t.equal((await call(app, 'POST', `${BULK}/executions`, J, {})).status, 200, 'after it ended, a new one starts')
})

t.test(
  'execution rules: fail with a message, complete with errors, hang until advanced; by sync and kind, `times` times',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const modelUrl = `/api/syncs/${await modelSync(app)}`
    const fail = await call(
      app,
      'POST',
      '/__admin/executions',
      {},
      {
        sync_id: W.bulkSync.id.toUpperCase(),
        outcome: 'fail',
        message: 'relation "public.users" does not exist',
        times: 1
      }
    )
    t.equal(fail.status, 201)
    t.match(fail.body, { id: String, sync_id: W.bulkSync.id, outcome: 'fail', times: 1, fired: 0 })
    await call(
      app,
      'POST',
      '/__admin/execution-rules',
      {},
      { kind: 'model', outcome: 'complete_with_errors', error_count: 3, message: 'EMAIL is not a valid email' }
    )

    const failed = await start(app, BULK)
    t.match((await call(app, 'POST', '/__admin/executions/settle')).body, { finished: 1 })
    t.match(await execution(app, BULK, failed.id as string), {
      status: 'failed',
      status_message: 'relation "public.users" does not exist',
      record_count: 0
    })
    t.same(
      ((await call(app, 'GET', '/__admin/execution-rules')).body as Data[]).map((r) => r.outcome),
      ['complete_with_errors'],
      'a rule that has fired `times` times is gone'
    )
    const next = await start(app, BULK)
    app.control.settleExecutions()
    t.equal((await execution(app, BULK, next.id as string)).status, 'completed', 'no rule matches: it completes')

    const partial = await start(app, modelUrl)
    app.control.settleExecutions()
    t.match(await execution(app, modelUrl, partial.id as string), {
      status: 'completed',
      errors: ['EMAIL is not a valid email'],
      counts: { error: 3 }
    })
    const withErrors = dataOf<Data[]>(await call(app, 'GET', '/api/events?type=sync.completed_with_errors', J))[0]
      ?.event
    t.match(withErrors, {
      execution_id: partial.id,
      error: 'EMAIL is not a valid email',
      number_of_errors: 3,
      number_of_warnings: 0
    })
    t.same(Object.keys(withErrors as Data).sort(), [
      'error',
      'execution_id',
      'number_of_errors',
      'number_of_warnings',
      'organization_id',
      'sync_id',
      'sync_name',
      'target_connection_id'
    ])

    await call(app, 'DELETE', '/__admin/execution-rules')
    await call(app, 'POST', '/__admin/executions', {}, { outcome: 'hang' })
    const hung = await start(app, BULK)
    await runningSoon(app, BULK, hung.id as string)
    await call(app, 'POST', '/__admin/clock', {}, { advance_s: 86400 })
    t.match((await call(app, 'POST', '/__admin/executions/settle')).body, { finished: 0, hanging: 1 })
    t.equal(
      (await execution(app, BULK, hung.id as string)).status,
      'running',
      'a hanging run waits for time and settle alike'
    )
    const advanced = await call(app, 'POST', `/__admin/executions/${hung.id as string}/advance`)
    t.match(advanced.body, {
      kind: 'bulk',
      sync_id: W.bulkSync.id,
      organization_id: W.org.id,
      execution: { id: hung.id, status: 'completed' }
    })
    t.same((await eventTypes(app)).slice(-2), ['bulk_sync.running', 'bulk_sync.completed'])
  }
)

t.test(
  'advance: the next state, or a named one; from created a named end passes through running; a finished run is a 409',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const bulkRun = app.control.advanceExecution((await start(app, BULK)).id as string, {
      status: 'completed_with_errors',
      message: '2 rows too wide'
    })
    t.match(bulkRun.execution, { status: 'completed', status_message: /^completed with \d+ errors$/ })
    t.ok((bulkRun.execution.error_count as number) > 0)
    t.same(await eventTypes(app), ['bulk_sync.running', 'bulk_sync.completed_with_error'])
    const again = await call(
      app,
      'POST',
      `/__admin/executions/${bulkRun.execution.id as string}/advance`,
      {},
      { status: 'failed' }
    )
    t.same(
      [again.status, again.body],
      [409, apiError(409, 'execution_finished', 'this execution has already finished')]
    )

    const second = await start(app, BULK)
    t.match(
      app.control.advanceExecution(second.id as string).execution,
      { status: 'running' },
      'created: next is running'
    )
    const backwards = await call(
      app,
      'POST',
      `/__admin/executions/${second.id as string}/advance`,
      {},
      { status: 'running' }
    )
    t.same([backwards.status, (backwards.body as Data).key], [409, 'execution_state_conflict'])
    t.match(app.control.advanceExecution(second.id as string, { status: 'failed', message: 'disk full' }).execution, {
      status: 'failed',
      status_message: 'disk full'
    })
    t.match(dataOf<Data[]>(await call(app, 'GET', '/api/events?type=bulk_sync.failed', J))[0]?.event, {
      execution_id: second.id,
      error: 'disk full',
      trigger_source: 'manual'
    })

    const third = await start(app, BULK)
    t.match(app.control.advanceExecution(third.id as string, { status: 'canceled' }).execution, {
      status: 'canceled',
      started_at: undefined
    })
    t.equal((await eventTypes(app)).at(-1), 'bulk_sync.canceled', 'canceled before it ran: no running event')
    t.same(
      (await call(app, 'POST', '/__admin/executions/00000000-0000-4000-8000-000000000000/advance')).body,
      apiError(404, 'execution_not_found', 'execution not found')
    )
    t.equal(
      (await call(app, 'POST', `/__admin/executions/${third.id as string}/advance`, {}, { status: 'exploded' })).status,
      422
    )
  }
)

t.test(
  'cancel: a run goes canceling, then canceled with its event; bulk activate {active:false} cancels, model activate does not',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    t.same(dataOf(await call(app, 'POST', `${BULK}/cancel`, J)), { message: 'no execution is running' })
    const run = await start(app, BULK)
    await runningSoon(app, BULK, run.id as string)
    const canceled = await call(app, 'POST', `${BULK}/executions/${run.id as string}/cancel`, J)
    t.same(dataOf(canceled), { message: `cancellation of execution ${run.id as string} requested` })
    t.match(await execution(app, BULK, run.id as string), { status: 'canceling' })
    await until('canceled', async () => (await execution(app, BULK, run.id as string)).status === 'canceled')
    t.same(await eventTypes(app), ['bulk_sync.running', 'bulk_sync.canceled'])
    t.same(
      (await call(app, 'POST', `${BULK}/executions/${run.id as string}/cancel`, J)).body,
      apiError(409, 'execution_finished', 'this execution has already finished')
    )

    const next = await start(app, BULK)
    t.same(dataOf(await call(app, 'POST', `${BULK}/activate`, J, { active: false })), {
      id: W.bulkSync.id,
      active: false
    })
    await until(
      'canceled by deactivation',
      async () => (await execution(app, BULK, next.id as string)).status === 'canceled'
    )

    const modelUrl = `/api/syncs/${await modelSync(app)}`
    const modelRun = await start(app, modelUrl)
    t.same(dataOf(await call(app, 'POST', `${modelUrl}/activate`, J, { active: false })), {
      id: modelUrl.split('/').at(-1),
      active: false
    })
    await runningSoon(app, modelUrl, modelRun.id as string)
    t.match(dataOf(await call(app, 'POST', `${modelUrl}/cancel`, J)), {
      message: `cancellation of execution ${modelRun.id as string} requested`
    })
    await until(
      'model run canceled',
      async () => (await execution(app, modelUrl, modelRun.id as string)).status === 'canceled'
    )
    t.match(dataOf<Data[]>(await call(app, 'GET', '/api/events?type=sync.canceled', J))[0]?.event, {
      execution_id: modelRun.id,
      status: 'canceled'
    })
  }
)

t.test(
  'deleting a sync with a run in progress cancels the run (its event goes out) and removes its history',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const run = await start(app, BULK)
    await runningSoon(app, BULK, run.id as string)
    t.equal((await call(app, 'DELETE', BULK, J)).status, 200)
    t.same(await eventTypes(app), ['bulk_sync.running', 'bulk_sync.canceled'])
    t.equal(app.store.executions.find(run.id as string), undefined)
    t.equal(app.store.executions.find(W.bulkSync.executionId), undefined, 'the history went with it')
    t.equal((await call(app, 'GET', `${BULK}/executions/${run.id as string}`, J)).status, 404)
  }
)

t.test('model run counts come from the seeded source: the same FAULT_SEED gives the same runs', async (t) => {
  // (A bulk run counts the rows of its schemas: test/catalogs.test.ts.)
  const counts = async (seed: number): Promise<unknown[]> => {
    const app = await build(t, { config: { faultSeed: seed, syncRunDurationMs: HOUR } })
    const url = `/api/syncs/${await modelSync(app)}`
    const result = []
    for (let i = 0; i < 3; i++) {
      const run = await start(app, url)
      app.control.settleExecutions()
      const done = await execution(app, url, run.id as string)
      result.push(done.counts)
    }
    return result
  }
  const first = await counts(42)
  t.same(await counts(42), first)
  t.notSame(await counts(43), first, 'another seed, other counts')
})

t.test(
  'execution lists: newest first or ascending, terminal (bulk) or completed (model) only, paged by token, limit capped at 100',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const ids: string[] = [W.bulkSync.executionId]
    for (let i = 0; i < 4; i++) {
      ids.push((await start(app, BULK)).id as string)
      app.control.settleExecutions()
    }
    const running = (await start(app, BULK)).id as string
    const list = async (query: string): Promise<{ data: Data[]; pagination: Data }> =>
      (await call(app, 'GET', `${BULK}/executions${query}`, J)).body as { data: Data[]; pagination: Data }
    t.same(
      (await list('')).data.map((e) => e.id),
      [running, ...ids.slice().reverse()],
      'newest first'
    )
    t.same(
      (await list('?ascending=true')).data.map((e) => e.id),
      [...ids, running]
    )
    t.same(
      (await list('?only_terminal=true&ascending=true')).data.map((e) => e.id),
      ids,
      'only finished runs'
    )
    const first = await list('?limit=2')
    t.same(
      first.data.map((e) => e.id),
      [running, ids[4]]
    )
    const second = await list(`?limit=2&page_token=${first.pagination.next_page_token as string}`)
    t.same(
      second.data.map((e) => e.id),
      [ids[3], ids[2]]
    )
    const last = await list(`?limit=2&page_token=${second.pagination.next_page_token as string}`)
    t.same([last.data.map((e) => e.id), last.pagination], [[ids[1], ids[0]], {}], 'the last page has no next token')
    t.equal((await list('?limit=100000')).data.length, 6, 'a large limit is capped, not refused')
    t.match((await call(app, 'GET', `${BULK}/executions?page_token=bm9wZQ`, J)).body, {
      status: 422,
      metadata: { field: 'page_token' }
    })
    t.match((await call(app, 'GET', `${BULK}/executions?limit=0`, J)).body, {
      status: 422,
      metadata: { field: 'limit' }
    })

    const modelUrl = `/api/syncs/${await modelSync(app)}`
    await call(app, 'POST', '/__admin/executions', {}, { kind: 'model', outcome: 'fail', times: 1 })
    const failed = (await start(app, modelUrl)).id
    app.control.settleExecutions()
    const completed = (await start(app, modelUrl)).id
    app.control.settleExecutions()
    t.same(
      ((await call(app, 'GET', `${modelUrl}/executions?only_completed=true`, J)).body as { data: Data[] }).data.map(
        (e) => e.id
      ),
      [completed]
    )
    t.same(
      ((await call(app, 'GET', `${modelUrl}/executions?ascending=true`, J)).body as { data: Data[] }).data.map(
        (e) => e.id
      ),
      [failed, completed]
    )
  }
)

t.test(
  'start options: test, resync_mode, fetch_mode and a subset of schemas; what the reference refuses is a 422',
  async (t) => {
    const app = await build(t, { config: { syncRunDurationMs: HOUR } })
    const invalid: Array<[Data, string, string]> = [
      [{ resync: true }, 'resync', 'is no longer accepted: use resync_mode (refetch, resync or rebuild)'],
      [{ test: true, resync_mode: 'rebuild' }, 'test', 'a test run cannot also be a resync (resync_mode)'],
      [{ schemas: ['public.user'] }, 'schemas[0]', 'is not a schema of this sync (did you mean public.users?)'],
      [{ fetch_mode: 'sometimes' }, 'fetch_mode', 'must be one of none, incremental, full']
    ]
    for (const [body, field, problem] of invalid) {
      const res = await call(app, 'POST', `${BULK}/executions`, J, body)
      t.same(
        [res.status, res.body],
        [422, apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem })],
        field
      )
    }
    t.equal(app.store.executions.count(W.bulkSync.id), 1, 'nothing refused was started')
    const partial = await start(app, BULK, { resync_mode: 'rebuild', fetch_mode: 'full', schemas: ['public.users'] })
    t.match(partial, {
      type: 'rebuild',
      is_resync: true,
      is_partial: true,
      fetch_mode: 'full',
      output_disposition: 'rebuild',
      schemas: [{ schema: 'public.users' }]
    })
    t.equal((partial.schemas as Data[]).length, 1)
    app.control.settleExecutions()
    t.match(await start(app, BULK, { test: true }), { type: 'test', is_test: true })
    app.control.settleExecutions()
    const modelUrl = `/api/syncs/${await modelSync(app)}`
    t.equal((await call(app, 'POST', `${modelUrl}/executions`, J, { test: true, resync: true })).status, 422)
    t.equal(
      (await call(app, 'POST', `${modelUrl}/executions`, J, { identities: ['a@example.com'], resync: true })).status,
      200
    )
  }
)

t.test(
  'simulated scheduling: off by default, schedules start nothing; with SYNC_SCHEDULING an active sync runs when its schedule comes round, once',
  async (t) => {
    const off = await build(t, { config: { syncRunDurationMs: 1000 } })
    await call(off, 'POST', '/__admin/clock', {}, { advance_s: 3 * 86400 })
    await call(off, 'GET', '/__admin/health')
    t.equal(off.store.executions.count(W.bulkSync.id), 1, 'three days passed; the daily sync did not run')
    t.match(
      dataOf(await call(off, 'GET', `${BULK}/status`, J)),
      { next_execution_time: /T06:00:00\.000Z$/ },
      'next_execution_time is reported all the same'
    )

    const app = await build(t, { config: { syncRunDurationMs: 1000, syncScheduling: true } })
    const hourly = await call(app, 'POST', `${BULK}/schedules`, J, { schedule: { frequency: 'hourly', minute: '15' } })
    t.equal(hourly.status, 200)
    const now = app.store.clock.now()
    const nextQuarter = Math.ceil((now - 15 * 60_000) / 3_600_000) * 3_600_000 + 15 * 60_000
    const due = nextQuarter > now ? nextQuarter : nextQuarter + 3_600_000
    await call(app, 'POST', '/__admin/clock', {}, { advance_s: Math.ceil((due - now) / 1000) + 1 })
    await until('a scheduled run', () => app.store.executions.count(W.bulkSync.id) === 2)
    const scheduled = app.store.executions.latest(W.bulkSync.id)
    t.equal(scheduled?.trigger, 'schedule')
    await until('it ends', () => app.store.executions.active(W.bulkSync.id) === undefined)
    t.match(dataOf<Data[]>(await call(app, 'GET', '/api/events?type=bulk_sync.completed', J))[0]?.event, {
      trigger_source: 'schedule'
    })
    t.equal(app.store.executions.count(W.bulkSync.id), 2, 'one run per time the schedule came round')

    await call(app, 'POST', `${BULK}/activate`, J, { active: false })
    await call(app, 'POST', '/__admin/clock', {}, { advance_s: 2 * 86400 })
    await call(app, 'GET', '/__admin/health')
    t.equal(app.store.executions.count(W.bulkSync.id), 2, 'an inactive sync is not scheduled')
    t.notOk('next_execution_time' in dataOf(await call(app, 'GET', `${BULK}/status`, J)))
  }
)

t.test('admin: rules are checked, listed, removed and cleared by reset; settle finishes jobs', async (t) => {
  const app = await build(t)
  t.match((await call(app, 'POST', '/__admin/executions', {}, { outcome: 'explode' })).body, {
    status: 422,
    metadata: { field: 'outcome' }
  })
  t.match((await call(app, 'POST', '/__admin/executions', {}, {})).body, {
    status: 422,
    metadata: { field: 'outcome', problem: 'is required' }
  })
  t.throws(() => app.control.addExecutionRule({ outcome: 'fail', times: 0 }), { message: 'times: must be >= 1' })
  const rule = (await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'hang' })).body as Data
  t.same(
    ((await call(app, 'GET', '/__admin/execution-rules')).body as Data[]).map((r) => r.id),
    [rule.id]
  )
  t.same((await call(app, 'DELETE', `/__admin/execution-rules/${rule.id as string}`)).body, {
    status: 'ok',
    id: rule.id
  })
  t.same(
    (await call(app, 'DELETE', `/__admin/execution-rules/${rule.id as string}`)).body,
    apiError(404, 'execution_rule_not_found', 'no execution rule with this id')
  )
  app.control.addExecutionRule({ outcome: 'fail' })
  await call(app, 'POST', '/__admin/reset')
  t.same((await call(app, 'GET', '/__admin/execution-rules')).body, [], 'reset clears them')
})

t.test('in-process: the Simulator steers runs, and close() leaves no runner behind', async (t) => {
  const { createSimulator } = await import('../src/simulator/simulator.js')
  const sim = await createSimulator({ syncRunDurationMs: HOUR })
  t.teardown(() => sim.close())
  const app = sim.app
  const rule = sim.addExecutionRule({ sync_id: W.bulkSync.id, outcome: 'hang' })
  t.match(rule, { outcome: 'hang', fired: 0 })
  const run = await start(app, BULK)
  t.same(await sim.settleExecutions(), { finished: 0, hanging: 1, jobs: 0, refreshes: 0 })
  t.match(sim.advanceExecution(run.id as string, { status: 'completed_with_errors' }), {
    kind: 'bulk',
    execution: { status: 'completed' }
  })
  t.equal(sim.clearExecutionRules(), 1)

  const next = await start(app, BULK)
  let turns = 0
  const stepDue = app.store.executions.stepDue.bind(app.store.executions)
  app.store.executions.stepDue = (now: number) => {
    turns++
    return stepDue(now)
  }
  await until("the runner's turn", () => turns > 0)
  await sim.close()
  const after = turns
  app.store.clock.advance(HOUR)
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal(turns, after, "no turn after close(), though time moved past the run's end")
  t.ok(next.id)
})
