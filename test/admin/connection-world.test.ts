// Connections in the world: fixture documents (types and connections), export and import, reset,
// snapshots and tenant deletion.
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import type { Fixtures } from '../../src/http/schemas/fixtures.js'
import { integrityProblems } from '../../src/store/integrity.js'
import { W, bearer, build, call, postgres } from '../helper.js'

const ORG = '11111111-1111-4111-8111-111111111111'
const OTHER = '22222222-2222-4222-8222-222222222222'
const CONN = '33333333-3333-4333-8333-333333333333'
const COPY = '44444444-4444-4444-8444-444444444444'
const KEY = 'org-key-fixture'

const crmType = {
  id: 'acme_crm',
  name: 'Acme CRM',
  capabilities: { source: true, destination: false },
  operations: ['modelsync_source'],
  configuration: {
    type: 'object' as const,
    required: ['tenant', 'api_key'],
    properties: {
      tenant: { type: 'string' as const, title: 'Tenant' },
      api_key: { type: 'string' as const, writeOnly: true },
      region: { type: 'string' as const, enum: ['eu', 'us'] }
    }
  }
}

function world (extra: Partial<Fixtures> = {}): Fixtures {
  return {
    organizations: [
      { id: ORG, name: 'Fixture Org' },
      { id: OTHER, name: 'Other Org' }
    ],
    api_keys: [{ key: KEY, organization_id: ORG }],
    connection_types: [crmType],
    connections: [
      {
        id: CONN,
        organization_id: ORG,
        name: 'CRM',
        type: 'acme_crm',
        configuration: { tenant: 't1', api_key: 'crm-secret', region: 'eu' },
        status: 'unhealthy',
        status_error: 'token expired'
      },
      { id: COPY, organization_id: OTHER, name: 'CRM (shared)', parent_connection_id: CONN }
    ],
    ...extra
  }
}

t.test(
  'a fixture document adds connection types and connections; the API validates against the added type',
  async (t) => {
    const app = await build(t, { fixtures: world() })
    const K = bearer(KEY)
    const types = (await call(app, 'GET', '/api/connection_types', K)).body as {
      data: Array<{ id: string; capabilities: unknown }>
    }
    t.same(types.data.at(-1), {
      id: 'acme_crm',
      name: 'Acme CRM',
      capabilities: { source: true, destination: false, enrichment: false, orchestration: false },
      configurationForm: {
        jsonschema: {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $id: 'acme_crm',
          title: 'Acme CRM',
          type: 'object',
          properties: crmType.configuration.properties,
          required: ['tenant', 'api_key']
        }
      },
      initialConfiguration: {},
      use_oauth: false
    })
    t.equal(types.data.length, 10, 'the bundled nine and the added one')
    const conn = await call(app, 'GET', `/api/connections/${CONN}`, K)
    t.match(conn.body, {
      data: {
        name: 'CRM',
        type: { id: 'acme_crm', name: 'Acme CRM', operations: ['modelsync_source'] },
        status: 'unhealthy',
        status_error: 'token expired',
        configuration: { tenant: 't1', api_key: '********', region: 'eu' }
      }
    })
    const bad = await call(app, 'POST', '/api/connections', K, {
      name: 'New CRM',
      type: 'acme_crm',
      configuration: { tenant: 't2', region: 'asia' }
    })
    t.same((bad.body as { metadata: unknown }).metadata, { field: 'configuration.api_key', problem: 'is required' })
    t.equal(
      (
        await call(app, 'POST', '/api/connections', K, {
          name: 'New CRM',
          type: 'acme_crm',
          configuration: { tenant: 't2', api_key: 'k' }
        })
      ).status,
      200
    )
    const journal = JSON.stringify((await call(app, 'GET', '/__admin/requests')).body)
    t.match(journal, '"api_key":"[redacted]"', 'a secret field of an added type is kept out of the journal too')
  }
)

t.test('a fixture type may replace a bundled one by id', async (t) => {
  const app = await build(t, {
    fixtures: {
      organizations: [{ id: ORG, name: 'O' }],
      api_keys: [{ key: KEY, organization_id: ORG }],
      connection_types: [
        {
          id: 'postgresql',
          name: 'Postgres (custom)',
          configuration: { type: 'object', required: ['dsn'], properties: { dsn: { type: 'string', writeOnly: true } } }
        }
      ]
    }
  })
  const types = (await call(app, 'GET', '/api/connection_types', bearer(KEY))).body as {
    data: Array<{ id: string; name: string }>
  }
  t.equal(types.data.length, 9)
  t.match(
    types.data[0],
    {
      id: 'postgresql',
      name: 'Postgres (custom)',
      capabilities: { source: false, destination: false, enrichment: false, orchestration: false },
      configurationForm: { jsonschema: { required: ['dsn'] } },
      use_oauth: false
    },
    "in the bundled one's place"
  )
  const created = await call(app, 'POST', '/api/connections', bearer(KEY), {
    name: 'pg',
    type: 'postgresql',
    configuration: { dsn: 'postgres://u:p@h/d' }
  })
  t.match(created.body, { data: { configuration: { dsn: '********' } } })
  const other = await build(t)
  t.equal(
    ((await call(other, 'GET', '/api/connection_types/postgresql', bearer(W.jane.key))).body as { title: string })
      .title,
    'PostgreSQL',
    'another app keeps the bundled type'
  )
})

t.test('fixture problems name the entry and the field', async (t) => {
  const cases: Array<[Partial<Fixtures>, string]> = [
    [
      { connections: [{ id: CONN, organization_id: ORG, name: 'x', type: 'nope', configuration: {} }] },
      'connections[0].type: unknown connection type "nope"'
    ],
    [
      {
        connections: [{ id: CONN, organization_id: ORG, name: 'x', type: 'acme_crm', configuration: { tenant: 't' } }]
      },
      'connections[0].configuration.api_key: is required'
    ],
    [
      { connections: [{ id: CONN, organization_id: ORG, name: 'x', configuration: {} }] },
      'connections[0].type: is required (or parent_connection_id, for a shared copy)'
    ],
    [
      {
        connections: [
          {
            id: CONN,
            organization_id: '55555555-5555-4555-8555-555555555555',
            name: 'x',
            type: 'acme_crm',
            configuration: {}
          }
        ]
      },
      'connections[0].organization_id: no organization with id'
    ],
    [
      {
        connections: [
          { id: COPY, organization_id: OTHER, name: 'c', parent_connection_id: CONN },
          { id: CONN, organization_id: ORG, name: 'x', type: 'acme_crm', configuration: { tenant: 't', api_key: 'k' } }
        ]
      },
      'connections[0].parent_connection_id: connections[1] must come before its shared copies'
    ],
    [
      {
        connections: [
          { id: CONN, organization_id: ORG, name: 'x', type: 'acme_crm', configuration: { tenant: 't', api_key: 'k' } },
          { id: COPY, organization_id: OTHER, name: 'c', parent_connection_id: CONN, type: 'acme_crm' }
        ]
      },
      'connections[1].type: a shared copy follows its parent: leave this out'
    ],
    [
      {
        connections: [
          { id: CONN, organization_id: ORG, name: 'x', type: 'acme_crm', configuration: { tenant: 't', api_key: 'k' } },
          { id: COPY, organization_id: ORG, name: 'c', parent_connection_id: CONN }
        ]
      },
      'connections[1].child_organization_id: is the organization that owns the connection'
    ],
    [
      {
        connections: [
          { id: CONN, organization_id: ORG, name: 'x', type: 'acme_crm', configuration: { tenant: 't', api_key: 'k' } },
          { id: COPY, organization_id: ORG, name: 'X', type: 'acme_crm', configuration: { tenant: 't', api_key: 'k' } }
        ]
      },
      'connections[1].name: a connection with this name already exists in the organization'
    ],
    [
      {
        connection_types: [{ ...crmType, configuration: { ...crmType.configuration, required: ['tenant', 'apikey'] } }]
      },
      'connection_types[0].configuration.required[1]: "apikey" is not one of the configuration\'s properties (did you mean api_key?)'
    ],
    [{ connection_types: [crmType, crmType] }, 'connection_types[1].id: duplicate id acme_crm'],
    [
      { connection_types: [{ ...crmType, id: 'Bad Id' }] },
      'connection_types[0].id: must be lowercase letters, digits and "_", starting with a letter, at most 64'
    ],
    [
      {
        connection_types: [
          JSON.parse(
            '{"id":"x","name":"X","configuration":{"type":"object","properties":{"__proto__":{"type":"string"}}}}'
          )
        ]
      },
      'connection_types[0].configuration.properties.__proto__: is not a usable field name: letters, digits and "_", at most 64, not starting with "__"'
    ],
    [
      {
        connection_types: [
          { ...crmType, configuration: { type: 'object', properties: { x: { type: 'object' } } } }
        ] as unknown as Fixtures['connection_types']
      },
      'connection_types[0].configuration.properties.x.type: must be one of string, integer, number, boolean'
    ]
  ]
  for (const [extra, message] of cases) {
    const base = world()
    await t.rejects(
      buildApp({ fixtures: { ...base, connections: [], ...extra } }),
      { message: new RegExp(`^<fixtures option>: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) },
      message
    )
  }
})

t.test(
  'export and import: connections round-trip with secrets masked; reset and snapshots restore them with their secrets',
  async (t) => {
    const app = await build(t, { fixtures: world() })
    const exported = (await call(app, 'GET', '/__admin/fixtures')).body as Fixtures
    t.same(exported.connection_types, [crmType])
    t.match(exported.connections, [
      {
        id: CONN,
        organization_id: ORG,
        name: 'CRM',
        type: 'acme_crm',
        configuration: { tenant: 't1', api_key: '********', region: 'eu' },
        status: 'unhealthy',
        status_error: 'token expired',
        created_at: String,
        updated_at: String
      },
      { id: COPY, organization_id: OTHER, name: 'CRM (shared)', parent_connection_id: CONN }
    ])
    t.notMatch(JSON.stringify(exported), 'crm-secret')
    const copy = exported.connections?.[1] as Record<string, unknown>
    t.notOk('type' in copy || 'configuration' in copy, 'a copy is exported by its parent alone')

    const reloaded = await call(app, 'PUT', '/__admin/fixtures', {}, exported)
    t.equal(reloaded.status, 200)
    t.same((await call(app, 'GET', '/__admin/fixtures')).body, exported, 'export, import, export is stable')

    const fresh = await build(t, { fixtures: world() })
    await call(fresh, 'POST', '/__admin/snapshots', {}, { name: 'before' })
    await call(fresh, 'DELETE', `/api/connections/${CONN}?force=true`, bearer(KEY))
    await call(fresh, 'POST', '/api/connections', bearer(KEY), {
      name: 'Later',
      type: 'acme_crm',
      configuration: { tenant: 'x', api_key: 'y' }
    })
    await call(fresh, 'POST', '/__admin/snapshots/before/restore')
    t.equal(fresh.store.connections.find(CONN)?.configuration.api_key, 'crm-secret', 'a snapshot keeps the real secret')
    t.same(
      fresh.store.connections.list(ORG).map((c) => c.name),
      ['CRM']
    )
    await call(fresh, 'DELETE', `/api/connections/${CONN}?force=true`, bearer(KEY))
    await call(fresh, 'POST', '/__admin/reset')
    t.same(
      [fresh.store.connections.find(CONN)?.configuration.api_key, fresh.store.connections.find(COPY)?.parent_id],
      ['crm-secret', CONN],
      'reset brings back the fixture connections'
    )
    t.same(integrityProblems(fresh.store.db), [])
  }
)

t.test('deleting a tenant removes its connections and the Connect sessions of its organizations', async (t) => {
  const app = await build(t)
  const tenant = (await call(app, 'POST', '/__admin/tenants')).body as {
    partner_id: string
    partner_key: string
    organization_id: string
  }
  const T = bearer(tenant.partner_key)
  const conn = (
    (
      await call(app, 'POST', '/api/connections', T, {
        name: 'Tenant DB',
        type: 'postgresql',
        configuration: postgres()
      })
    ).body as { data: { id: string } }
  ).data.id
  const customer = (
    (await call(app, 'POST', '/api/organizations', T, { name: 'Tenant customer' })).body as { data: { id: string } }
  ).data.id
  await call(app, 'POST', `/api/connections/${conn}/share`, T, { child_organization_id: customer })
  const session = (
    (await call(app, 'POST', '/api/connections/connect', T, { name: 'Pending', redirect_url: 'https://t.example' }))
      .body as { data: { token: string } }
  ).data.token
  const before = app.store.connections.listAll().length
  t.equal((await call(app, 'DELETE', `/__admin/tenants/${tenant.partner_id}`)).status, 200)
  t.equal(app.store.connections.listAll().length, before - 2)
  t.equal((await app.inject({ method: 'GET', url: `/connect/${session}` })).statusCode, 404)
  t.same(
    app.store.connections.listAll().map((c) => c.id),
    [W.warehouse.id, W.warehouse.copyId, W.analytics.id],
    'the bundled connections are untouched'
  )
  t.same(integrityProblems(app.store.db), [])
})
