// Runs live in SQLite: with a file database, a run in progress at shutdown resumes after the next
// start where it was (its due time and how it will end were stored), rather than being failed.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { W, bearer, call, until } from './helper.js'

const J = bearer(W.jane.key)
const BULK = `/api/bulk/syncs/${W.bulkSync.id}`
const config = (database: string): Record<string, unknown> => ({
  database,
  syncRunDurationMs: 3_600_000,
  validateResponses: true
})

t.test('a running run, and one created but not yet running, resume after a restart on the same file', async (t) => {
  const database = join(mkdtempSync(join(tmpdir(), 'pm-runs-')), 'world.db')
  const first = await buildApp({ config: config(database) })
  const running = (await call(first, 'POST', `${BULK}/executions`, J, {})).body as { data: { id: string } }
  await until('running', () => first.store.executions.find(running.data.id)?.status === 'running')
  first.control.addExecutionRule({ outcome: 'fail', message: 'kept across the restart' })
  const models = await call(first, 'POST', '/api/models', J, {
    name: 'M',
    connection_id: W.warehouse.copyId,
    configuration: {},
    fields: ['id']
  })
  const syncId = (
    (
      await call(first, 'POST', '/api/syncs', J, {
        name: 'S',
        mode: 'create',
        schedule: {},
        target: { connection_id: W.analytics.id },
        fields: [{ target: 'ID', source: { model_id: (models.body as { data: { id: string } }).data.id, field: 'id' } }]
      })
    ).body as { data: { id: string } }
  ).data.id
  // Started and closed in the same turn: the runner never got to it.
  const created = (await call(first, 'POST', `/api/syncs/${syncId}/executions`, J, {})).body as { data: { id: string } }
  await first.close()
  t.equal(first.store.db.open, false)

  const second = await buildApp({ config: config(database) })
  t.teardown(() => second.close())
  await until(
    'the created run to be running',
    () => second.store.executions.find(created.data.id)?.status === 'running'
  )
  t.equal(second.store.executions.find(running.data.id)?.status, 'running', 'the running one waits out its duration')
  await call(second, 'POST', '/__admin/clock', {}, { advance_s: 3600 })
  await until(
    'both to end',
    () =>
      second.store.executions.active(W.bulkSync.id) === undefined &&
      second.store.executions.active(syncId) === undefined
  )
  t.equal(
    second.store.executions.find(running.data.id)?.status,
    'completed',
    'it completes as planned before the restart'
  )
  t.equal(
    second.store.executions.find(created.data.id)?.status,
    'failed',
    'the rule decided this one at its start, before the restart'
  )
  const types = ((await call(second, 'GET', '/api/events?limit=100', J)).body as { data: Array<{ type: string }> }).data
    .map((e) => e.type)
    .sort()
  t.same(types, ['bulk_sync.completed', 'bulk_sync.running', 'sync.failed', 'sync.running'])
  t.same(second.control.executionRules(), [], 'execution rules are test control state: a restart clears them')
})
