// The event log (partner-surface reference 5): types, emitting on cue, listing newest first with
// timestamp bounds, retention on simulated time, and scoping.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { EVENT_PAYLOAD_FIELDS } from '../src/http/schemas/events.js'
import { W, apiError, bearer, build, call } from './helper.js'

const JANE = bearer(W.jane.key)
const TEN = [
  'sync.running',
  'sync.failed',
  'sync.canceled',
  'sync.completed',
  'sync.completed_with_errors',
  'bulk_sync.running',
  'bulk_sync.completed',
  'bulk_sync.canceled',
  'bulk_sync.failed',
  'bulk_sync.completed_with_error'
]

interface Event {
  id: string
  type: string
  organization_id: string
  created_at: string
  event: Record<string, unknown>
}

async function emit (
  app: FastifyInstance,
  type: string,
  event: Record<string, unknown> = {},
  organizationId: string = W.org.id
): Promise<Event> {
  const res = await call(app, 'POST', '/__admin/events', {}, { organization_id: organizationId, type, event })
  if (res.status !== 201) throw new Error(`emit answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body as Event
}

async function events (app: FastifyInstance, query = '', headers = JANE): Promise<Event[]> {
  const res = await call(app, 'GET', `/api/events${query}`, headers)
  if (res.status !== 200) throw new Error(`GET /api/events${query} answered ${res.status}: ${JSON.stringify(res.body)}`)
  return (res.body as { data: Event[] }).data
}

t.test('GET /api/events_types: the ten types, in the documented order and spelling', async (t) => {
  const app = await build(t)
  t.same((await call(app, 'GET', '/api/events_types', JANE)).body, { data: TEN })
  t.same((await call(app, 'GET', '/api/events_types', { ...JANE, 'x-polytomic-version': '2021-05-23' })).body, {
    result: TEN,
    error: null
  })
})

t.test(
  'POST /__admin/events: the payload given is kept and every other field of the type is filled in plausibly',
  async (t) => {
    const app = await build(t)
    for (const type of TEN) {
      const event = await emit(app, type)
      t.same(
        Object.keys(event.event).sort(),
        Object.keys(EVENT_PAYLOAD_FIELDS[type as keyof typeof EVENT_PAYLOAD_FIELDS]).sort(),
        `${type}: exactly the SDK type's fields`
      )
      t.equal(event.event.organization_id, W.org.id)
      t.match(event, { type, organization_id: W.org.id, id: /^[0-9a-f-]{36}$/, created_at: /Z$/ })
    }
    const failed = await emit(app, 'bulk_sync.failed', {
      sync_id: 'e0e0e0e0-0000-4000-8000-000000000001',
      sync_name: 'Warehouse to Salesforce',
      error: 'destination rejected 3 rows'
    })
    t.match(failed.event, {
      sync_id: 'e0e0e0e0-0000-4000-8000-000000000001',
      sync_name: 'Warehouse to Salesforce',
      error: 'destination rejected 3 rows',
      trigger_source: 'manual'
    })
    const completed = await emit(app, 'sync.completed')
    const c = completed.event as { inserted_count: number; updated_count: number; record_count: number }
    t.equal(c.inserted_count + c.updated_count, c.record_count, 'the counts add up')
    t.match(completed.event, { status: 'completed', warnings: [], errored_records: [] })
    t.match((await emit(app, 'sync.canceled')).event, { status: 'canceled' })

    const refused: Array<[Record<string, unknown>, number, Record<string, unknown>]> = [
      [
        { organization_id: W.org.id, type: 'sync.failed', event: { nope: 1 } },
        422,
        { metadata: { field: 'event.nope', problem: 'unknown field' } }
      ],
      [
        { organization_id: W.org.id, type: 'sync.completed', event: { record_count: 'many' } },
        422,
        { metadata: { field: 'event.record_count', problem: 'must be integer' } }
      ],
      [
        { organization_id: W.org.id, type: 'sync.canceled', event: { status: 'exploded' } },
        422,
        { metadata: { field: 'event.status' } }
      ],
      [
        { organization_id: W.org.id, type: 'sync.failed', event: { organization_id: W.acme.ownerOrgId } },
        422,
        { metadata: { field: 'event.organization_id' } }
      ],
      [{ organization_id: W.org.id, type: 'sync.exploded' }, 422, { metadata: { field: 'type' } }],
      [
        { organization_id: '00000000-0000-4000-8000-000000000000', type: 'sync.failed' },
        404,
        { key: 'organization_not_found' }
      ],
      [{ type: 'sync.failed' }, 422, { metadata: { field: 'organization_id', problem: 'is required' } }]
    ]
    for (const [body, status, match] of refused) {
      const res = await call(app, 'POST', '/__admin/events', {}, body)
      t.equal(res.status, status, JSON.stringify(body))
      t.match(res.body, match, JSON.stringify(body))
    }
    t.equal((await events(app, '?limit=100')).length, TEN.length + 3, 'nothing refused was logged')
  }
)

t.test('plausible values come from the seeded source: the same FAULT_SEED gives the same counts', async (t) => {
  const counts = async (): Promise<unknown[]> => {
    const app = await build(t, { config: { faultSeed: 7 } })
    const result = []
    for (let i = 0; i < 3; i++) result.push((await emit(app, 'sync.completed')).event.record_count)
    return result
  }
  t.same(await counts(), await counts())
})

t.test('newest first, limit 10 by default and at most 100; type (or event_type) filters', async (t) => {
  const app = await build(t)
  const emitted: Event[] = []
  for (let i = 0; i < 25; i++) emitted.push(await emit(app, i % 5 === 0 ? 'bulk_sync.failed' : 'sync.running'))
  const newest = emitted.slice().reverse()
  t.same(
    (await events(app)).map((e) => e.id),
    newest.slice(0, 10).map((e) => e.id),
    'the ten newest, newest first'
  )
  t.same(
    (await events(app, '?limit=100')).map((e) => e.id),
    newest.map((e) => e.id)
  )
  t.same(
    (await events(app, '?limit=1')).map((e) => e.id),
    [newest[0]?.id]
  )
  t.same(
    (await events(app, '?type=bulk_sync.failed&limit=100')).map((e) => e.id),
    newest.filter((e) => e.type === 'bulk_sync.failed').map((e) => e.id)
  )
  t.same(
    (await events(app, '?event_type=bulk_sync.failed&limit=100')).length,
    5,
    "event_type, as the SDK's docs spell it"
  )
  const createdAt = newest.map((e) => Date.parse(e.created_at))
  t.ok(
    createdAt.every((time, i) => i === 0 || time < (createdAt[i - 1] as number)),
    'no two events of an organization share a millisecond'
  )

  for (const [query, field] of [
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=ten', 'limit'],
    ['?type=sync.exploded', 'type'],
    ['?event_type=x', 'event_type'],
    ['?starting_after=yesterday', 'starting_after'],
    ['?ending_before=2024-13-45T00:00:00Z', 'ending_before']
  ] as const) {
    const res = await call(app, 'GET', `/api/events${query}`, JANE)
    t.equal(res.status, 422, query)
    t.match(res.body, { key: 'validation_failed', metadata: { field } }, query)
  }
})

t.test(
  'starting_after and ending_before are timestamps (strictly after, strictly before): paging back loses and repeats nothing',
  async (t) => {
    const app = await build(t)
    const emitted: Event[] = []
    for (let i = 0; i < 23; i++) emitted.push(await emit(app, 'sync.running'))
    const paged: string[] = []
    let before: string | undefined
    for (let page = 0; page < 10; page++) {
      const batch = await events(
        app,
        `?limit=5${before === undefined ? '' : `&ending_before=${encodeURIComponent(before)}`}`
      )
      if (batch.length === 0) break
      paged.push(...batch.map((e) => e.id))
      before = batch[batch.length - 1]?.created_at
    }
    t.same(paged, emitted.map((e) => e.id).reverse(), 'every event once, newest first')

    const middle = emitted[10] as Event
    const after = await events(app, `?limit=100&starting_after=${encodeURIComponent(middle.created_at)}`)
    t.same(
      after.map((e) => e.id),
      emitted
        .slice(11)
        .map((e) => e.id)
        .reverse(),
      'strictly after: the event at that time is not included'
    )
    const window = await events(
      app,
      `?limit=100&starting_after=${encodeURIComponent((emitted[2] as Event).created_at)}&ending_before=${encodeURIComponent((emitted[6] as Event).created_at)}`
    )
    t.same(
      window.map((e) => e.id),
      emitted
        .slice(3, 6)
        .map((e) => e.id)
        .reverse(),
      'both bounds together'
    )
    const micro = middle.created_at.replace('Z', '999Z')
    t.notOk(
      (await events(app, `?limit=100&ending_before=${encodeURIComponent(micro)}`)).some(
        (e) => e.id === (emitted[11] as Event).id
      ),
      'digits below a millisecond are honoured'
    )
    t.ok((await events(app, `?limit=100&ending_before=${encodeURIComponent(micro)}`)).some((e) => e.id === middle.id))
    t.equal((await events(app, '?starting_after=2000-01-01')).length, 10, 'a date alone is its midnight UTC')
    t.equal(
      (await events(app, `?ending_before=${encodeURIComponent('2000-01-01T00:00:00+02:00')}`)).length,
      0,
      'offsets are understood'
    )
  }
)

t.test(
  'retention: events older than EVENT_RETENTION_S of simulated time are gone; POST /__admin/clock moves time without waiting',
  async (t) => {
    const app = await build(t)
    const old = await emit(app, 'sync.failed')
    t.match((await call(app, 'POST', '/__admin/clock', {}, { advance_s: 47 * 3600 })).body, {
      offset_ms: 47 * 3600 * 1000
    })
    const recent = await emit(app, 'sync.completed')
    t.ok(
      Date.parse(recent.created_at) - Date.parse(old.created_at) >= 47 * 3600 * 1000,
      'the new event is stamped with simulated time'
    )
    t.same(
      (await events(app)).map((e) => e.id),
      [recent.id, old.id],
      'both within 48 hours'
    )
    await call(app, 'POST', '/__admin/clock', {}, { advance_s: 3600 + 1 })
    t.same(
      (await events(app)).map((e) => e.id),
      [recent.id],
      'the first is past 48 hours'
    )
    t.same(
      ((await call(app, 'GET', '/__admin/fixtures')).body as { events: Array<{ id: string }> }).events.map((e) => e.id),
      [recent.id],
      'nor is it exported'
    )
    t.match((await call(app, 'GET', '/__admin/clock')).body, { offset_ms: 48 * 3600 * 1000 + 1000 })
    t.match(
      (await call(app, 'POST', '/__admin/clock', {}, { advance_s: -5 })).body,
      { status: 422, metadata: { field: 'advance_s' } },
      'time does not go back'
    )
    await call(app, 'POST', '/__admin/reset')
    t.match(
      (await call(app, 'GET', '/__admin/clock')).body,
      { offset_ms: 0 },
      'reset puts simulated time back on the wall clock'
    )
    t.same(await events(app), [], "and the log back to the fixtures' (none)")

    const short = await build(t, { config: { eventRetentionS: 60 } })
    await emit(short, 'sync.running')
    short.control.advanceClock(61)
    t.same(await events(short), [], 'EVENT_RETENTION_S sets the period')
  }
)

t.test(
  'events are scoped like everything else: an organization sees its own; partners name theirs; others are 404',
  async (t) => {
    const app = await build(t)
    const mine = await emit(app, 'sync.running')
    const customer = await emit(app, 'bulk_sync.completed', {}, W.globex.customerOrgId)
    const owner = await emit(app, 'sync.failed', {}, W.globex.ownerOrgId)
    t.same(
      (await events(app)).map((e) => e.id),
      [mine.id],
      'a user key: its organization'
    )
    t.same(
      (await events(app, '', bearer(W.org.orgKey))).map((e) => e.id),
      [mine.id],
      'an organization key: its organization'
    )
    t.same(
      (await events(app, '', bearer(W.globex.key))).map((e) => e.id),
      [owner.id],
      'an unscoped partner key: its owner organization'
    )
    t.same(
      (await events(app, `?organization_id=${W.globex.customerOrgId}`, bearer(W.globex.key))).map((e) => e.id),
      [customer.id],
      'or one of its organizations it names'
    )
    t.same(
      (await events(app, `?organization_id=${W.org.id}`, bearer(W.deploymentKey))).map((e) => e.id),
      [mine.id],
      'a deployment key names any'
    )
    t.same(
      (await call(app, 'GET', '/api/events', bearer(W.deploymentKey))).body,
      apiError(400, 'organization_id_required', 'organization_id is required for this credential')
    )
    t.equal(
      (await call(app, 'GET', `/api/events?organization_id=${W.globex.customerOrgId}`, bearer(W.acme.key))).status,
      404,
      "another partner's organization"
    )
    t.equal(
      (await call(app, 'GET', `/api/events?organization_id=${W.globex.customerOrgId}`, JANE)).status,
      404,
      'a user key naming another organization'
    )
    t.equal((await call(app, 'GET', '/api/events')).status, 401)
  }
)

t.test("deleting an organization deletes its events; a tenant's go with it", async (t) => {
  const app = await build(t)
  const tenant = app.control.createTenant()
  const customer = (
    (await call(app, 'POST', '/api/organizations', bearer(tenant.partner_key), { name: 'Doomed' })).body as {
      data: { id: string }
    }
  ).data.id
  await emit(app, 'sync.running', {}, customer)
  await emit(app, 'sync.running', {}, tenant.organization_id)
  t.equal((await call(app, 'DELETE', `/api/organizations/${customer}`, bearer(tenant.partner_key))).status, 200)
  t.equal(app.store.world.counts().events, 1)
  app.control.deleteTenant(tenant.partner_id)
  t.equal(app.store.world.counts().events, 0)
})
