import t from 'tap'
import { W, bearer, build, call, listen } from './helper.js'

const data = <T>(res: { body: unknown }): T => (res.body as { data: T }).data
const jane = bearer(W.jane.key)

/** Reads a signed URL as anyone would: no credential. */
type App = Awaited<ReturnType<typeof build>>

async function download (app: App, url: string): Promise<{ status: number; text: string }> {
  const { pathname, search } = new URL(url)
  const res = await app.inject({ method: 'GET', url: pathname + search })
  return { status: res.statusCode, text: res.payload }
}

const lines = (text: string): Array<Record<string, unknown>> =>
  text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)

t.test("a bulk run's logs: signed URLs the simulator serves, with the run's console log as JSON lines", async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs`, jane)
  t.equal(res.status, 200)
  const logs = data<{ Expires: string; URLs: string[] }>(res)
  t.ok(Date.parse(logs.Expires) > Date.now(), 'they expire later')
  t.ok(logs.URLs.length >= 2, 'the whole log, then a file a schema')
  t.match(logs.URLs[0], /^http:\/\/localhost(:\d+)?\/files\/logs\/[0-9a-f-]{36}\/execution\.jsonl\?expires=\d+&signature=[0-9a-f]{64}$/)
  const whole = await download(app, logs.URLs[0] as string)
  t.equal(whole.status, 200)
  const consoleLog = await call(
    app,
    'GET',
    `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/consolelog?limit=50`,
    { ...jane, 'x-polytomic-version': '2025-09-18' }
  )
  const entries = data<{ entries: unknown[] }>(consoleLog).entries
  t.same(lines(whole.text), entries, 'the file is the console log')
  const schemaFile = lines((await download(app, logs.URLs[1] as string)).text)
  t.ok(schemaFile.length > 0 && schemaFile.every((l) => typeof (l.payload as { schema_id?: string }).schema_id === 'string'))

  // A changed signature or expiry is refused, as is a URL past its expiry (on simulated time).
  const tampered = (logs.URLs[0] as string).replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'a' ? 'b' : 'a'}`)
  t.equal((await download(app, tampered)).status, 403)
  t.equal((await download(app, (logs.URLs[0] as string).replace(/expires=\d+/, 'expires=99999999999999'))).status, 403)
  await call(app, 'POST', '/__admin/clock', {}, { advance_s: 3600 })
  const expired = await download(app, logs.URLs[0] as string)
  t.equal(expired.status, 403)
  t.match(JSON.parse(expired.text), { key: 'log_url_invalid', message: /expired/ })

  // The file goes with its run.
  const fresh = data<{ URLs: string[] }>(
    await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs`, jane)
  )
  t.equal((await call(app, 'DELETE', `/api/bulk/syncs/${W.bulkSync.id}`, jane)).status, 200)
  t.equal((await download(app, fresh.URLs[0] as string)).status, 404)
})

t.test("a run's files go with reset, as the run does; the baseline's stay", async (t) => {
  const app = await build(t)
  const run = data<{ id: string }>(await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, jane, {}))
  const urls = async (executionId: string): Promise<string[]> =>
    data<{ URLs: string[] }>(
      await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${executionId}/logs`, jane)
    ).URLs
  const [mine] = await urls(run.id)
  const [baseline] = await urls(W.bulkSync.executionId)
  t.equal((await download(app, mine as string)).status, 200)
  await call(app, 'POST', '/__admin/reset')
  t.equal((await download(app, mine as string)).status, 404, 'the run is gone, and its file')
  t.equal((await download(app, baseline as string)).status, 200, "the fixture's run is still there")
  t.same(app.control.notifications(), [])
})

t.test('the journal keeps log URLs without their signature', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs`, jane)
  const [entry] = (await call(app, 'GET', '/__admin/requests?limit=1')).body as Array<{ response: { body: unknown } }>
  const text = JSON.stringify(entry)
  t.match(text, /signature=\[redacted\]/)
  t.notMatch(text, /signature=[0-9a-f]{64}/)
})

t.test('exportLogs is an exportlogs job done at the next turn, with the URL of the whole log', async (t) => {
  const app = await build(t)
  const res = await call(
    app,
    'POST',
    `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs/export?notify=true`,
    jane
  )
  t.equal(res.status, 200)
  const job = (res.body as { job: { job_id: string; type: string; status: string } }).job
  t.match(job, { type: 'exportlogs', status: 'running' })
  await call(app, 'POST', '/__admin/executions/settle')
  const done = data<{ status: string; result: { url: string } }>(
    await call(app, 'GET', `/api/jobs/exportlogs/${job.job_id}`, jane)
  )
  t.equal(done.status, 'done')
  const file = await download(app, done.result.url)
  t.equal(file.status, 200)
  t.ok(lines(file.text).length > 0)
  const told = (await call(app, 'GET', '/__admin/notifications?kind=logs_exported')).body as Array<Record<string, unknown>>
  t.match(told, [{ kind: 'logs_exported', recipient: W.jane.email, organization_id: W.org.id, details: { url: String } }])
})

t.test("a model sync run's logs by category, and one file's URL", async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'fail', message: 'the destination refused', times: 1 })
  const syncId = await modelSync(app)
  const started = await call(app, 'POST', `/api/syncs/${syncId}/executions`, jane, {})
  t.equal(started.status, 200, JSON.stringify(started.body))
  const executionId = data<{ id: string }>(started).id
  await call(app, 'POST', '/__admin/executions/settle')
  const errors = data<{ expires: string; urls: string[] }>(
    await call(app, 'GET', `/api/syncs/${syncId}/executions/${executionId}/errors`, jane)
  )
  t.equal(errors.urls.length, 1)
  const errorLines = lines((await download(app, errors.urls[0] as string)).text)
  t.ok(errorLines.length > 0 && errorLines.every((l) => l.level === 'error'), 'the error lines')
  t.match(errorLines.at(-1), { message: /the destination refused/ })
  const inserts = data<{ urls: string[] }>(
    await call(app, 'GET', `/api/syncs/${syncId}/executions/${executionId}/inserts`, jane)
  )
  t.same(inserts.urls, [], 'a failed run inserted nothing')
  const filename = decodeURIComponent(new URL(errors.urls[0] as string).pathname.split('/').pop() as string)
  const one = await call(app, 'GET', `/api/syncs/${syncId}/executions/${executionId}/errors/${filename}`, jane)
  t.equal(one.status, 200)
  t.equal(data<{ urls: string[] }>(one).urls.length, 1)
  const missing = await call(app, 'GET', `/api/syncs/${syncId}/executions/${executionId}/errors/nope.jsonl`, jane)
  t.equal(missing.status, 404)
  const badType = await call(app, 'GET', `/api/syncs/${syncId}/executions/${executionId}/nonsense`, jane)
  t.ok(badType.status >= 400 && badType.status < 500)

  // The failure told the organization's global error subscribers (none yet), then, once subscribed, each of them.
  t.same((await call(app, 'GET', '/__admin/notifications')).body, [])
  await call(app, 'PUT', '/api/notifications/global-error-subscribers', jane, { emails: ['A@Example.com', 'b@example.com'] })
  await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'fail', message: 'again' })
  await call(app, 'POST', `/api/syncs/${syncId}/executions`, jane, {})
  await call(app, 'POST', '/__admin/executions/settle')
  const told = (await call(app, 'GET', `/__admin/notifications?organization_id=${W.org.id}`)).body as Array<{ recipient: string; kind: string; details: { sync_id: string; error: string } }>
  t.same(told.map((n) => [n.kind, n.recipient, n.details.sync_id, n.details.error]), [
    ['sync_failed', 'a@example.com', syncId, 'again'],
    ['sync_failed', 'b@example.com', syncId, 'again']
  ])
})

t.test('log URLs point at the host the caller used, and work over a real socket without credentials', async (t) => {
  const app = await build(t)
  const base = await listen(app)
  const res = await fetch(`${base}/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs`, {
    headers: jane
  })
  const url = ((await res.json()) as { data: { URLs: string[] } }).data.URLs[0] as string
  t.ok(url.startsWith(`${base}/files/logs/`), url)
  const file = await fetch(url)
  t.equal(file.status, 200)
  t.match(file.headers.get('content-type'), /application\/x-ndjson/)
})

/** A model sync of My Organization's Snowflake destination over a model of the shared warehouse copy. */
async function modelSync (app: App): Promise<string> {
  const model = await call(app, 'POST', '/api/models', jane, {
    name: 'Users',
    connection_id: W.warehouse.copyId,
    configuration: { table: 'public.users' }
  })
  if (model.status !== 200) throw new Error(JSON.stringify(model.body))
  const sync = await call(app, 'POST', '/api/syncs', jane, {
    name: 'Users to Snowflake',
    mode: 'create',
    schedule: { frequency: 'manual' },
    target: { connection_id: W.analytics.id, object: 'PUBLIC.USERS', new_name: 'USERS_COPY', create: {} },
    fields: [{ source: { field: 'id', model_id: data<{ id: string }>(model).id }, target: 'ID' }]
  })
  if (sync.status !== 200) throw new Error(JSON.stringify(sync.body))
  return data<{ id: string }>(sync).id
}
