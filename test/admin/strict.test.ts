import t from 'tap'
import { W, apiError, bearer, build, call } from '../helper.js'

t.test('an advance with a misspelt field is refused and the run is left as it was', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/executions', {}, { outcome: 'hang', times: 1 })
  const started = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, bearer(W.jane.key), {})
  t.equal(started.status, 200)
  const id = (started.body as { data: { id: string } }).data.id
  const refused = await call(app, 'POST', `/__admin/executions/${id}/advance`, {}, { to: 'running' })
  t.same(
    refused.body,
    apiError(422, 'validation_failed', 'to: unknown field (known fields: status, message)', {
      field: 'to',
      problem: 'unknown field (known fields: status, message)'
    })
  )
  const run = await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${id}`, bearer(W.jane.key))
  t.not((run.body as { data: { status: string } }).data.status, 'completed', 'the run did not complete')
})

t.test('every /__admin route refuses a body field and a query parameter it does not know, naming it', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, unknown, string]> = [
    ['POST', '/__admin/reset', { hard: true }, 'hard'],
    ['POST', '/__admin/clock', { advance_s: 1, advance_ms: 1 }, 'advance_ms'],
    ['POST', '/__admin/deliveries/settle', { timeout: 1 }, 'timeout'],
    ['POST', '/__admin/executions/settle', { sync_id: 'x' }, 'sync_id'],
    ['POST', '/__admin/snapshots', { name: 'a', nmae: 'b' }, 'nmae'],
    ['POST', '/__admin/tenants', { nam: 'x' }, 'nam'],
    ['POST', '/__admin/connection-checks', { message: 'x', tpye: 'postgresql' }, 'tpye'],
    ['POST', '/__admin/delivery-faults', { action: 'drop', event: 'x' }, 'event'],
    ['POST', '/__admin/execution-rules', { outcome: 'fail', sync: 'x' }, 'sync'],
    ['POST', '/__admin/events', { organization_id: W.org.id, type: 'sync.failed', payload: {} }, 'payload'],
    ['DELETE', '/__admin/faults', { id: 'x' }, 'id']
  ]
  for (const [method, url, body, field] of cases) {
    const res = await call(app, method, url, {}, body)
    t.equal(res.status, 422, `${method} ${url}`)
    t.match(
      res.body,
      { key: 'validation_failed', metadata: { field, problem: /^unknown field/ } },
      `${method} ${url} names ${field}`
    )
  }
  const queries: Array<[string, string]> = [
    ['/__admin/requests?partner=x', 'partner'],
    ['/__admin/deliveries?organization=x', 'organization'],
    ['/__admin/fixtures?redacted=true', 'redacted'],
    ['/__admin/faults?all=1', 'all'],
    ['/__admin/clock?now=1', 'now']
  ]
  for (const [url, field] of queries) {
    const res = await call(app, 'GET', url)
    t.equal(res.status, 422, url)
    t.match(res.body, { metadata: { field, problem: /^unknown field/ } }, `${url} names ${field}`)
  }
  t.match((await call(app, 'GET', '/__admin/requests?partner=x')).body, {
    metadata: { problem: 'unknown field (did you mean partner_id?)' }
  })
  t.equal((await call(app, 'POST', '/__admin/reset')).status, 200, 'a route without a body still takes none')
  t.equal((await call(app, 'POST', '/__admin/reset', {}, {})).status, 200, 'or an empty object')
  t.equal((await call(app, 'GET', '/__admin/health')).status, 200)
})

t.test('the /api routes still ignore fields they do not know, as Polytomic does', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', '/api/permissions/roles', bearer(W.jane.key), {
    name: 'Analyst 2',
    colour: 'red'
  })
  t.equal(res.status, 200)
})
