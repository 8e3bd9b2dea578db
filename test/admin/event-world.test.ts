// Webhooks and events as part of the world: fixtures (load, export, errors), snapshots, reset.
import t from 'tap'
import { W, bearer, build, call } from '../helper.js'
import { receiver } from '../support/receiver.js'

const ORG = '11111111-1111-4111-8111-111111111111'
const OTHER = '22222222-2222-4222-8222-222222222222'
const HOOK = '33333333-3333-4333-8333-333333333333'
const EVENT = '44444444-4444-4444-8444-444444444444'

function world (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deployment_keys: ['deploy'],
    organizations: [
      { id: ORG, name: 'Events Inc' },
      { id: OTHER, name: 'Other' }
    ],
    api_keys: [{ key: 'org-key', organization_id: ORG }],
    webhooks: [
      {
        id: HOOK,
        organization_id: ORG,
        endpoint: 'https://hooks.example.com/in',
        secret: 'fixture-secret',
        disabled: true,
        created_at: '2026-01-01T00:00:00.000Z'
      }
    ],
    events: [
      {
        id: EVENT,
        organization_id: ORG,
        type: 'bulk_sync.completed',
        created_at: new Date(Date.now() - 3600_000).toISOString(),
        event: { sync_name: 'From the fixtures' }
      }
    ],
    ...overrides
  }
}

t.test('a fixture document holds webhooks and events; they read through the API and export as loaded', async (t) => {
  const app = await build(t)
  const document = world()
  t.match((await call(app, 'PUT', '/__admin/fixtures', {}, document)).body, { counts: { webhooks: 1, events: 1 } })
  t.same((await call(app, 'GET', '/api/webhooks', bearer('org-key'))).body, {
    data: [
      {
        id: HOOK,
        organization_id: ORG,
        endpoint: 'https://hooks.example.com/in',
        secret: 'fixture-secret',
        disabled: true,
        created_at: '2026-01-01T00:00:00.000Z'
      }
    ]
  })
  t.match((await call(app, 'GET', '/api/events', bearer('org-key'))).body, {
    data: [{ id: EVENT, type: 'bulk_sync.completed', event: { sync_name: 'From the fixtures' } }]
  })
  t.same(
    ((await call(app, 'GET', '/api/events', bearer('org-key'))).body as { data: Array<{ event: object }> }).data[0]
      ?.event,
    { sync_name: 'From the fixtures' },
    'a fixture payload is history: not filled in'
  )

  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as Record<string, unknown>
  t.same(exported.webhooks, document.webhooks)
  t.same(exported.events, document.events)
  t.match((await call(app, 'GET', '/__admin/fixtures?redact=true')).body, { webhooks: [{ secret: '[redacted]' }] })
  t.match((await call(app, 'PUT', '/__admin/fixtures', {}, exported)).body, { status: 'ok' }, 'an export loads back')
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, exported, 'and exports the same')
})

t.test('fixture events are never delivered; events emitted later are', async (t) => {
  const hooks = await receiver(t)
  const app = await build(t, {
    fixtures: world({ webhooks: [{ id: HOOK, organization_id: ORG, endpoint: hooks.url, secret: 's' }] })
  })
  t.match(await app.control.settleDeliveries({ timeout_ms: 60_000 }), { settled: true, attempts: 0 })
  app.control.emitEvent({ organization_id: ORG, type: 'sync.running' })
  await app.control.settleDeliveries({ timeout_ms: 60_000 })
  t.same(
    hooks.received.map((r) => r.body.type),
    ['sync.running']
  )
})

t.test(
  'a bad webhook or event in a fixture document is a 422 naming the entry and field, and loads nothing',
  async (t) => {
    const app = await build(t)
    const before = (await call(app, 'GET', '/__admin/fixtures')).body
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        {
          webhooks: [
            { id: HOOK, organization_id: ORG, endpoint: 'https://a.example', secret: 's' },
            { id: OTHER, organization_id: ORG, endpoint: 'https://b.example', secret: 's' }
          ]
        },
        'webhooks[1]',
        /already has a webhook/
      ],
      [
        { webhooks: [{ id: HOOK, organization_id: ORG, endpoint: 'ftp://a.example', secret: 's' }] },
        'webhooks[0].endpoint',
        /absolute http or https URL/
      ],
      [
        { webhooks: [{ id: HOOK, organization_id: EVENT, endpoint: 'https://a.example', secret: 's' }] },
        'webhooks[0].organization_id',
        /no organization/
      ],
      [
        {
          events: [
            {
              id: EVENT,
              organization_id: ORG,
              type: 'sync.failed',
              created_at: '2026-01-01T00:00:00Z',
              event: { nope: 1 }
            }
          ]
        },
        'events[0].event.nope',
        /unknown field/
      ],
      [
        { events: [{ id: EVENT, organization_id: ORG, type: 'sync.exploded', created_at: '2026-01-01T00:00:00Z' }] },
        'events[0].type',
        /must be one of/
      ],
      [
        { events: [{ id: EVENT, organization_id: ORG, type: 'sync.failed', created_at: 'yesterday' }] },
        'events[0].created_at',
        /date-time/
      ],
      [
        {
          events: [
            { id: EVENT, organization_id: ORG, type: 'sync.failed', created_at: '2026-01-01T00:00:00Z' },
            { id: EVENT, organization_id: ORG, type: 'sync.failed', created_at: '2026-01-01T00:00:00Z' }
          ]
        },
        'events[1].id',
        /duplicate id/
      ]
    ]
    for (const [overrides, path, problem] of cases) {
      const res = await call(app, 'PUT', '/__admin/fixtures', {}, world(overrides))
      t.equal(res.status, 422, path)
      t.match(res.body, { key: 'invalid_fixtures', metadata: { path, problem } }, path)
    }
    t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'the world is as it was')
  }
)

t.test('snapshots and reset carry webhooks and events', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/api/webhooks', bearer(W.jane.key), { endpoint: 'https://hooks.example.com/a', secret: 's' })
  app.control.emitEvent({ organization_id: W.org.id, type: 'sync.running' })
  app.control.snapshot('one')
  await call(app, 'POST', '/__admin/reset')
  t.match(app.store.world.counts(), { webhooks: 0, events: 0 }, 'reset: the bundled world has none')
  app.control.restore('one')
  t.match(app.store.world.counts(), { webhooks: 1, events: 1 }, 'restore brings them back')
  t.equal(((await call(app, 'GET', '/api/events', bearer(W.jane.key))).body as { data: unknown[] }).data.length, 1)
})
