// A hostile customer with a user key, against the bounds of src/core/bounds.ts: issue 25's memory loop,
// scaled to run in under a minute. PUTs of a model with a ~900 KB configuration, each with a fresh
// Idempotency-Key, half of them with ?async=true (a job each), sync runs, Connect sessions with
// ~1.9 KB redirect URLs, and (as an admin caller) fault rules with ~900 KB bodies. Before the
// bounds, the same loop at full size took the process from 92 MB to over 2 GB. RSS is taken after
// a full garbage collection, before and after.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { W, bearer, build } from '../helper.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MB = 1024 * 1024
/** The bound this suite holds the process to: its growth over the loop, all stores at their default bounds. */
const GROWTH_BOUND_MB = 150
const PUTS = 400
const RUNS = 400
const SESSIONS = 4000
const RULES = 100

function settledRss (): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().rss
}

t.test(`a hostile user key's loop grows RSS by less than ${GROWTH_BOUND_MB} MB with the default bounds`, async (t) => {
  const app = await build(t, { config: { validateResponses: false } })
  const jane = { ...bearer(W.jane.key), 'content-type': 'application/json' }
  const big = (i: number): string =>
    JSON.stringify({
      name: 'Hostile',
      connection_id: W.warehouse.copyId,
      fields: ['id'],
      configuration: { query: `SELECT ${i} AS id, '${'x'.repeat(900 * 1024)}' AS padding` }
    })
  const created = await app.inject({ method: 'POST', url: '/api/models', headers: jane, payload: big(0) })
  t.equal(created.statusCode, 200)
  const modelId = (JSON.parse(created.body) as { data: { id: string } }).data.id
  const idle = settledRss()

  const statuses = new Map<number, number>()
  const count = (status: number): void => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
  }
  for (let i = 0; i < PUTS; i++) {
    const url = `/api/models/${modelId}${i % 2 === 0 ? '' : '?async=true'}`
    count(
      (
        await app.inject({
          method: 'PUT',
          url,
          headers: { ...jane, 'idempotency-key': `hostile-put-${i}` },
          payload: big(i)
        })
      ).statusCode
    )
    if (i % 50 === 0) app.control.settleExecutions()
  }
  for (let i = 0; i < RUNS; i++) {
    count(
      (
        await app.inject({
          method: 'POST',
          url: `/api/bulk/syncs/${W.bulkSync.id}/executions`,
          headers: jane,
          payload: '{}'
        })
      ).statusCode
    )
    app.control.settleExecutions()
  }
  const redirect = `https://partner.example.com/done?state=${'s'.repeat(1900)}`
  for (let i = 0; i < SESSIONS; i++) {
    const payload = JSON.stringify({ name: `Hostile ${i}`, type: 'postgresql', redirect_url: redirect })
    count((await app.inject({ method: 'POST', url: '/api/connections/connect', headers: jane, payload })).statusCode)
  }
  for (let i = 0; i < RULES; i++) {
    const payload = JSON.stringify({ status: 503, path: `/api/hostile/${i}`, body: { blob: 'x'.repeat(900 * 1024) } })
    count(
      (
        await app.inject({
          method: 'POST',
          url: '/__admin/faults',
          headers: { 'content-type': 'application/json' },
          payload
        })
      ).statusCode
    )
  }
  app.control.settleExecutions()
  const after = settledRss()
  const grown = (after - idle) / MB
  const rows = (table: string): number => app.store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
  const faults = await app.inject({ method: 'GET', url: '/__admin/faults' })
  t.comment(
    `RSS idle ${(idle / MB).toFixed(1)} MB, after the loop ${(after / MB).toFixed(1)} MB: +${grown.toFixed(1)} MB; ` +
      `kept: ${rows('idempotency_keys')} idempotency records, ${rows('jobs')} jobs, ${rows('executions')} runs, ${rows('connect_sessions')} Connect sessions, ` +
      `${rows('events')} events; GET /__admin/faults ${faults.body.length} bytes; statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`
  )
  t.equal(statuses.get(200), PUTS + RUNS + SESSIONS, 'every API request was accepted')
  t.equal(statuses.get(422), RULES, 'every oversized rule was refused')
  t.ok(rows('executions') <= 100, 'runs are bounded')
  t.ok(rows('connect_sessions') <= 100, 'Connect sessions are bounded')
  t.equal(faults.statusCode, 200)
  t.ok(faults.body.length < MB, 'the fault list stays small')
  t.ok(grown < GROWTH_BOUND_MB, `RSS grew by ${grown.toFixed(1)} MB (bound: ${GROWTH_BOUND_MB} MB)`)
})
