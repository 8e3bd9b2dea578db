import t from 'tap'
import { W, bearer, build, call } from './helper.js'

const data = <T>(res: { body: unknown }): T => (res.body as { data: T }).data
const jane = bearer(W.jane.key)

interface BulkRun {
  id: string
  status: string
  record_count: number
  schemas: Array<{ schema: string; status: string; record_count: number }>
}

t.test('bulkSync.schemas.cancel stops one schema of the run under way; the run ends as the others do', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'hang', times: 1 })
  const idle = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/schemas/public.users/cancel`, jane)
  t.same(data(idle), { message: 'no execution is running' }, 'nothing to cancel yet')

  const started = data<{ id: string }>(await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, jane, {}))
  await call(app, 'POST', `/__admin/executions/${started.id}/advance`, {}, { status: 'running' })
  const before = data<BulkRun>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}`, jane))
  t.ok(before.schemas.length >= 2, 'a run of several schemas')
  const [first, ...others] = before.schemas.map((s) => s.schema) as [string, ...string[]]

  const canceled = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/schemas/${first}/cancel`, jane)
  t.equal(canceled.status, 200)
  t.match(data(canceled), { message: `cancellation of schema ${first} of execution ${started.id} requested` })
  const again = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/schemas/${first}/cancel`, jane)
  t.match(data(again), { message: /already canceled/ })
  const unknown = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/schemas/no.such.schema/cancel`, jane)
  t.equal(unknown.status, 404)

  const during = data<BulkRun>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}`, jane))
  t.equal(during.status, 'running', 'the run goes on')
  t.same(during.schemas.map((s) => s.status), ['canceled', ...others.map(() => 'running')])

  await call(app, 'POST', `/__admin/executions/${started.id}/advance`, {}, { status: 'completed' })
  const after = data<BulkRun>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}`, jane))
  t.equal(after.status, 'completed')
  t.same(after.schemas.map((s) => s.status), ['canceled', ...others.map(() => 'completed')])
  t.equal(after.schemas[0]?.record_count, 0, 'the canceled schema synced nothing')
  t.equal(after.record_count, after.schemas.reduce((sum, s) => sum + s.record_count, 0), 'the counts add up')

  const events = data<Array<{ type: string; event: Record<string, unknown> }>>(
    await call(app, 'GET', '/api/events?type=bulk_sync.completed', jane)
  )
  t.match(events.at(-1), { event: { execution_id: started.id, canceled_schemas: [first] } }, 'its event names it')
  const log = data<{ entries: Array<{ message: string }> }>(
    await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}/consolelog`, {
      ...jane,
      'x-polytomic-version': '2025-09-18'
    })
  ).entries.map((e) => e.message)
  t.ok(log.includes(`schema ${first}: canceled`), 'and its console log')
})

t.test('canceling every schema cancels the run', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/execution-rules', {}, { outcome: 'hang', times: 1 })
  const started = data<{ id: string }>(await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, jane, {}))
  const run = data<BulkRun>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}`, jane))
  for (const schema of run.schemas) {
    await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/schemas/${schema.schema}/cancel`, jane)
  }
  await call(app, 'POST', '/__admin/executions/settle')
  const after = data<BulkRun>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${started.id}`, jane))
  t.equal(after.status, 'canceled')
})

t.test("getScheduleOptions lists the store's own rule: a schedule built from an option is accepted", async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/api/syncs/schedules', jane)
  t.equal(res.status, 200)
  const options = data<{
    schedule_options: Array<{
      frequency: string
      configuration: { properties: Record<string, { 'x-minimum'?: number; 'x-maximum'?: number }> }
    }>
  }>(res).schedule_options
  t.same(
    options.map((o) => o.frequency),
    ['manual', 'continuous', 'hourly', 'daily', 'weekly', 'custom', 'builder', 'runafter', 'multi', 'dbtcloud']
  )
  const model = data<{ id: string }>(await call(app, 'POST', '/api/models', jane, {
    name: 'Users',
    connection_id: W.warehouse.copyId,
    configuration: { table: 'public.users' }
  }))
  const body = (schedule: Record<string, unknown>, name: string): Record<string, unknown> => ({
    name,
    mode: 'create',
    schedule,
    target: { connection_id: W.analytics.id, object: 'PUBLIC.USERS', new_name: 'USERS_COPY', create: {} },
    fields: [{ source: { field: 'id', model_id: model.id }, target: 'ID' }]
  })
  let n = 0
  for (const option of options) {
    const parts = Object.entries(option.configuration.properties).filter(([, p]) => p['x-minimum'] !== undefined)
    for (const edge of ['x-minimum', 'x-maximum'] as const) {
      const schedule: Record<string, unknown> = { frequency: option.frequency }
      for (const [name, p] of parts) schedule[name] = String(p[edge])
      const ok = await call(app, 'POST', '/api/syncs', jane, body(schedule, `s${n++}`))
      t.equal(ok.status, 200, `${option.frequency} at its ${edge}: ${JSON.stringify(schedule)}`)
    }
    for (const [name, p] of parts) {
      for (const value of [(p['x-minimum'] as number) - 1, (p['x-maximum'] as number) + 1]) {
        const refused = await call(app, 'POST', '/api/syncs', jane, body({ frequency: option.frequency, [name]: String(value) }, `s${n++}`))
        t.equal(refused.status, 422, `${option.frequency} ${name}=${value} is refused`)
        t.match(refused.body, { metadata: { field: `schedule.${name}` } })
      }
    }
  }
})
