// Property-based suite: random, often hostile requests against every /api and /__admin route.
// Each must get a documented status (never a 500), a body in the error shape, and leave the store
// consistent, and the control plane readable afterwards. FUZZ_RUNS=50000 npm run test:slow for a longer run;
// FUZZ_SEED repeats a run (each run prints its seed).
import fc from 'fast-check'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { integrityProblems } from '../../src/store/integrity.js'
import { SUPPORTED_VERSIONS } from '../../src/core/versions.js'
import { W, build, call, postgres } from '../helper.js'
import { seedFrom } from '../support/seed.js'
import type { StoredConnection } from '../../src/store/connections/connections.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000)
const SEED = seedFrom('FUZZ_SEED')

/**
 * Statuses any route may answer, whatever it declares: version, credentials, unknown route, limits, an
 * unparseable Content-Type, validation.
 */
const ALWAYS = [400, 401, 404, 413, 414, 415, 422]
/** The control plane adds 409: a run that has already finished cannot be advanced. */
const ADMIN = [200, 201, 400, 401, 404, 409, 413, 414, 415, 422]
/** The hosted Connect page: the page or a redirect, a used or expired token, or the form again (422, as HTML). */
const CONNECT_PAGE = [200, 303, 400, 404, 410, 413, 414, 415, 422]

/**
 * The fuzzed app: webhooks may only call 127.0.0.1, where port 1 refuses at once, so deliveries
 * run their course in milliseconds and settling never waits long.
 */
async function fuzzedApp (t: Test): Promise<FastifyInstance> {
  return build(t, {
    config: {
      webhookRetryBaseMs: 1,
      webhookTimeoutMs: 1000,
      webhookAllowedHosts: ['127.0.0.1'],
      // The connection proxy may call only 127.0.0.1, and waits at most a second there.
      proxyAllowedHosts: ['127.0.0.1'],
      proxyTimeoutMs: 1000
    }
  })
}

/**
 * Opens Connect sessions under the known TOKENS, so that the page's routes meet live sessions too,
 * and gives My Organization a webhook (WEBHOOK_ID) and a few events (EVENT_IDS).
 */
async function openSessions (app: FastifyInstance): Promise<void> {
  const webhook = await call(
    app,
    'POST',
    '/api/webhooks',
    { authorization: `Bearer ${W.jane.key}` },
    { endpoint: 'http://127.0.0.1:1/fuzz', secret: 'whsec-fuzz' }
  )
  app.store.db
    .prepare('UPDATE webhooks SET id = ? WHERE id = ?')
    .run(WEBHOOK_ID, (webhook.body as { data: { id: string } }).data.id)
  for (const [index, id] of EVENT_IDS.entries()) {
    const event = app.control.emitEvent({
      organization_id: index === 0 ? W.acme.ownerOrgId : W.org.id,
      type: index === 0 ? 'bulk_sync.failed' : 'sync.completed'
    })
    app.store.db.prepare('UPDATE events SET id = ? WHERE id = ?').run(id, event.id)
  }
  // A model, a model sync and an additional schedule under known ids (the store takes an id, as fixtures do).
  app.store.transaction(() => {
    app.store.models.create(
      W.org.id,
      { name: 'Fuzzed model', connection_id: W.warehouse.copyId, configuration: {}, fields: ['id', 'email'] },
      null,
      { id: MODEL_ID }
    )
    app.store.modelSyncs.create(
      W.org.id,
      {
        name: 'Fuzzed sync',
        mode: 'create',
        schedule: { frequency: 'manual' },
        target: { connection_id: W.analytics.id },
        fields: [{ target: 'E', source: { model_id: MODEL_ID, field: 'email' } }]
      },
      null,
      { id: MODEL_SYNC_ID }
    )
    app.store.bulkSyncs.addSchedule(W.bulkSync.id, { frequency: 'hourly' }, null, { id: SCHEDULE_ID })
    app.store.catalogs.upsertFields(app.store.connections.find(W.warehouse.copyId) as StoredConnection, 'public.users', [
      { field_id: 'score', label: 'Score', type: 'number' }
    ])
    // A policy granting Analysts reads, an HTTP API connection whose base URL refuses at once, and subscribers.
    app.store.policies.create(
      W.org.id,
      { name: 'Fuzzed policy', policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }] },
      () => true,
      POLICY_ID
    )
    app.store.connections.load(
      W.org.id,
      { id: API_CONNECTION_ID, organization_id: W.org.id, name: 'Fuzzed API', type: 'api', configuration: { url: 'http://127.0.0.1:1' } },
      undefined
    )
    app.store.notifications.setSubscribers(W.org.id, ['fuzz@example.com'])
  })
  // A query task of Jane's under a known id, answered.
  const query = await call(app, 'POST', `/api/connections/${W.warehouse.copyId}/query?query=SELECT%201`, {
    authorization: `Bearer ${W.jane.key}`
  })
  app.store.db.prepare('UPDATE jobs SET id = ? WHERE id = ?').run(QUERY_ID, (query.body as { data: { id: string } }).data.id)
  for (const [index, token] of TOKENS.entries()) {
    const res = await call(
      app,
      'POST',
      '/api/connections/connect',
      { authorization: `Bearer ${W.jane.key}` },
      {
        name: `Fuzzed ${index}`,
        redirect_url: 'https://partner.example/done',
        ...(index === 0 ? { type: 'postgresql' } : {})
      }
    )
    const opened = (res.body as { data: { token: string } }).data.token
    app.store.db.prepare('UPDATE connect_sessions SET token = ? WHERE token = ?').run(token, opened)
  }
}

/** Connect session tokens the suite opens before its run (their random tokens are renamed to these). */
const TOKENS = [
  '7c1f0a2e-0000-4000-8000-000000000001',
  '7c1f0a2e-0000-4000-8000-000000000002',
  '7c1f0a2e-0000-4000-8000-000000000003'
]
const WEBHOOK_ID = '7c1f0a2e-0000-4000-8000-0000000000a1'
const EVENT_IDS = ['7c1f0a2e-0000-4000-8000-0000000000e1', '7c1f0a2e-0000-4000-8000-0000000000e2']
const MODEL_ID = '7c1f0a2e-0000-4000-8000-0000000000b1'
const MODEL_SYNC_ID = '7c1f0a2e-0000-4000-8000-0000000000b2'
const SCHEDULE_ID = '7c1f0a2e-0000-4000-8000-0000000000b3'
const QUERY_ID = '7c1f0a2e-0000-4000-8000-0000000000b4'
const POLICY_ID = '7c1f0a2e-0000-4000-8000-0000000000b5'
const API_CONNECTION_ID = '7c1f0a2e-0000-4000-8000-0000000000b6'
const SYNC_IDS = [
  W.bulkSync.id,
  W.bulkSync.executionId,
  W.analytics.id,
  MODEL_ID,
  MODEL_SYNC_ID,
  SCHEDULE_ID,
  'public.users',
  'public.orders',
  'PUBLIC.USERS',
  'exports%2Fcustomers.csv',
  'email',
  'score',
  'schema',
  QUERY_ID,
  'createmodel',
  'updatemodel',
  'exportlogs',
  'query',
  'errors',
  'records',
  'inserts',
  'execution.jsonl',
  'schedules'
]
const KNOWN_IDS = [
  ...SYNC_IDS,
  W.org.id,
  W.acme.ownerOrgId,
  W.globex.customerOrgId,
  W.jane.id,
  W.john.id,
  W.globex.adminUserId,
  W.org.adminRoleId,
  W.org.memberRoleId,
  W.org.analystRoleId,
  W.acme.partnerId,
  W.warehouse.id,
  W.warehouse.copyId,
  ...TOKENS,
  WEBHOOK_ID,
  POLICY_ID,
  API_CONNECTION_ID,
  ...EVENT_IDS,
  'postgresql',
  's3'
]
const base64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64')

const ascii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60
})
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '💥',
    'null',
    '[]',
    '{}',
    '../..',
    '%00',
    'a'.repeat(5000),
    '\u202e\u200b',
    "Robert'); DROP TABLE users;--"
  )
)

const idArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_IDS) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_IDS).map((id) => id.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_IDS).map((id) => `{${id}}`) },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_IDS).map((id) => id.replace(/-/g, '')) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(300), '%2F', '..', '0', '-1', '%E2%98%83', 'null', 'undefined') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s)) }
)

const authorization = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(W.acme.key, W.globex.key, W.deploymentKey, W.jane.key, W.john.key, W.org.orgKey, W.globex.adminKey)
      .map((k) => `Bearer ${k}`)
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        `${W.org.id}:${W.acme.key}`,
        `${W.deploymentKey}:`,
        `${W.globex.customerOrgId}:${W.acme.key}`,
        `${W.org.id}:${W.deploymentKey}`
      )
      .map((s) => `Basic ${base64(s)}`)
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic',
      'Basic !!!',
      'Basic ===',
      'Digest x',
      'bearer  spaced  key',
      `Basic ${base64('no-colon')}`,
      `Basic ${base64('\u0001:\u0002')}`,
      `Bearer ${'k'.repeat(8000)}`
    )
  },
  { weight: 1, arbitrary: ascii.map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => `Basic ${base64(s)}`) },
  { weight: 1, arbitrary: fc.constant(undefined) }
)

const versionHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.constantFrom(...SUPPORTED_VERSIONS) },
  { weight: 1, arbitrary: fc.constantFrom('2020-01-01', 'latest', '', '2024-02-08, 2025-09-18', ' 2024-02-08') },
  { weight: 1, arbitrary: ascii }
)

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
    ';;;',
    'application/json; charset=latin1'
  ),
  { nil: undefined }
)

const fieldValue = fc.oneof(
  fc.constantFrom(...KNOWN_IDS),
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.constantFrom(...KNOWN_IDS), nasty, fc.integer()), { maxLength: 5 }),
  fc.dictionary(ascii, nasty, { maxKeys: 3 })
)
const plausibleObject = fc.record(
  {
    email: fc.oneof(fc.emailAddress(), fieldValue),
    role: fc.oneof(fc.constantFrom('admin', 'user', 'ADMIN', 'owner'), fieldValue),
    role_ids: fc.oneof(fc.array(fc.constantFrom(...KNOWN_IDS), { maxLength: 3 }), fieldValue),
    name: fc.oneof(ascii, fieldValue),
    organization_id: fc.oneof(fc.constantFrom(...KNOWN_IDS), fieldValue),
    type: fc.oneof(
      fc.constantFrom(
        'postgresql',
        's3',
        'hubspot',
        'oracle',
        'POSTGRESQL',
        'sync.failed',
        'bulk_sync.completed',
        'sync.exploded'
      ),
      fieldValue
    ),
    endpoint: fc.oneof(
      fc.constantFrom(
        'http://127.0.0.1:1/in',
        'https://hooks.example.com/in',
        'ftp://127.0.0.1/x',
        '/relative',
        'http://[::1'
      ),
      fieldValue
    ),
    secret: fc.oneof(ascii, fieldValue),
    action: fc.oneof(fc.constantFrom('drop', 'duplicate', 'delay', 'reorder', 'explode'), fieldValue),
    event_type: fc.oneof(fc.constantFrom('sync.running', 'bulk_sync.failed', 'nope'), fieldValue),
    event: fc.oneof(
      fc.record(
        {
          sync_name: fc.oneof(ascii, fieldValue),
          record_count: fc.oneof(fc.integer(), fieldValue),
          error: fieldValue,
          nope: fieldValue
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    delay_ms: fc.oneof(fc.integer({ min: -5, max: 100 }), fieldValue),
    advance_s: fc.oneof(fc.integer({ min: -5, max: 200_000 }), fieldValue),
    fast_forward: fc.oneof(fc.boolean(), fieldValue),
    configuration: fc.oneof(
      fc.constant(postgres()),
      fc.record(
        {
          hostname: fc.oneof(ascii, fieldValue),
          port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fieldValue),
          database: ascii,
          username: ascii,
          password: fc.oneof(ascii, fc.constant('********')),
          ssl: fc.oneof(fc.boolean(), fieldValue)
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    child_organization_id: fc.oneof(fc.constantFrom(...KNOWN_IDS), fieldValue),
    connection_id: fc.oneof(fc.constantFrom(...KNOWN_IDS), fieldValue),
    connection: fc.oneof(fc.constantFrom(...KNOWN_IDS), fieldValue),
    redirect_url: fc.oneof(
      fc.constantFrom('https://partner.example/done', 'javascript:alert(1)', '/relative', 'http://[::1'),
      fieldValue
    ),
    whitelist: fc.oneof(fc.array(fc.constantFrom('postgresql', 'mysql', 'nope'), { maxLength: 3 }), fieldValue),
    validate: fc.oneof(fc.boolean(), fieldValue),
    field: fc.oneof(fc.constantFrom('hostname', 's3_bucket_region', 'nope'), fieldValue),
    message: fieldValue,
    hostname: fieldValue,
    sso_domain: fieldValue,
    issuer: fieldValue,
    client_secret: fieldValue,
    status: fc.oneof(fc.integer({ min: 100, max: 700 }), fieldValue),
    path: fc.oneof(fc.constant('/api/me'), fieldValue),
    times: fieldValue,
    probability: fieldValue,
    users: fieldValue,
    source_connection_id: fc.oneof(fc.constantFrom(W.warehouse.copyId, W.analytics.id, W.warehouse.id), fieldValue),
    destination_connection_id: fc.oneof(fc.constantFrom(W.analytics.id, W.warehouse.copyId), fieldValue),
    destination_configuration: fc.oneof(fc.constant({ schema: 'raw' }), fieldValue),
    schedule: fc.oneof(
      fc.record(
        {
          frequency: fc.constantFrom('manual', 'hourly', 'daily', 'weekly', 'continuous', 'fortnightly'),
          minute: fc.oneof(fc.constantFrom('0', '59', '60', '*', 'x'), fieldValue),
          hour: fc.oneof(fc.constantFrom('6', '23', '24'), fieldValue),
          day_of_week: fc.oneof(fc.constantFrom('monday', '7', 'someday'), fieldValue),
          dayOfWeek: fieldValue,
          selectiveMode: fieldValue
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    // 2025-09-18's bulk-sync schedules: the default one (an id a GET gave, or another), and more.
    default_schedule: fc.oneof(
      fc.record(
        {
          id: fc.oneof(fc.uuid(), fieldValue),
          frequency: fc.constantFrom('manual', 'hourly', 'daily', 'fortnightly'),
          hour: fc.oneof(fc.constantFrom('6', '24'), fieldValue)
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    additional_schedules: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(fc.uuid(), fieldValue),
            frequency: fc.constantFrom('hourly', 'daily', 'sometimes'),
            resync_mode: fc.oneof(fc.constantFrom('normal', 'rebuild', 'never'), fieldValue),
            selective_mode: fc.oneof(fc.constantFrom('none', 'incrementalFields'), fieldValue),
            schemas: fc.oneof(fc.array(fc.constantFrom('public.users', 'public.nope'), { maxLength: 3 }), fieldValue)
          },
          { requiredKeys: [] }
        ),
        { maxLength: 4 }
      ),
      fieldValue
    ),
    schemas: fc.oneof(
      fc.array(
        fc.oneof(
          fc.constantFrom('public.users', 'public.a'),
          fc.record(
            {
              id: fc.oneof(fc.constantFrom('public.users', 'public.x'), fieldValue),
              enabled: fieldValue,
              fields: fieldValue,
              filters: fieldValue
            },
            { requiredKeys: [] }
          )
        ),
        { maxLength: 3 }
      ),
      fieldValue
    ),
    mode: fc.oneof(
      fc.constantFrom('create', 'updateOrCreate', 'append', 'replicate', 'snapshot', 'upsert'),
      fieldValue
    ),
    target: fc.oneof(
      fc.record(
        {
          connection_id: fc.oneof(fc.constantFrom(W.analytics.id, W.warehouse.copyId), fieldValue),
          object: fieldValue,
          configuration: fieldValue
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    fields: fc.oneof(
      fc.array(
        fc.record(
          {
            target: fc.oneof(ascii, fieldValue),
            source: fc.oneof(
              fc.record({
                model_id: fc.oneof(fc.constant(MODEL_ID), fieldValue),
                field: fc.oneof(fc.constantFrom('id', 'email', 'nope'), fieldValue)
              }),
              fieldValue
            ),
            override_value: fieldValue,
            field_id: fc.oneof(fc.constantFrom('email', 'score', 'id'), fieldValue),
            label: fc.oneof(ascii, fieldValue),
            type: fc.oneof(fc.constantFrom('string', 'number', 'weird'), fieldValue),
            is_primary_key: fc.oneof(fc.boolean(), fieldValue),
            rows: fieldValue
          },
          { requiredKeys: [] }
        ),
        { maxLength: 3 }
      ),
      fieldValue
    ),
    identity: fc.oneof(
      fc.record({
        source: fc.record({ model_id: fc.constant(MODEL_ID), field: fc.constantFrom('id', 'nope') }),
        target: ascii,
        function: fc.constantFrom('Equality', 'Fuzzy')
      }),
      fieldValue
    ),
    active: fc.oneof(fc.boolean(), fieldValue),
    outcome: fc.oneof(fc.constantFrom('complete', 'fail', 'complete_with_errors', 'hang', 'explode'), fieldValue),
    sync_id: fc.oneof(fc.constantFrom(W.bulkSync.id, MODEL_SYNC_ID), fieldValue),
    kind: fc.oneof(fc.constantFrom('bulk', 'model', 'other'), fieldValue),
    record_count: fieldValue,
    error_count: fieldValue,
    resync_mode: fc.oneof(fc.constantFrom('refetch', 'rebuild', 'never'), fieldValue),
    fetch_mode: fieldValue,
    test: fieldValue,
    resync: fieldValue,
    identities: fieldValue,
    enabled: fieldValue,
    filters: fieldValue,
    // The query runner, user fields, primary keys and catalogs (src/store/catalogs).
    query: fc.oneof(
      fc.constantFrom(
        'SELECT 1',
        'SELECT country, count(*) FROM users GROUP BY country',
        'DELETE FROM users',
        "SELECT '1'::int",
        'SELEC',
        'SELECT 1; SELECT 2',
        'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT x FROM n'
      ),
      fieldValue
    ),
    field_id: fc.oneof(fc.constantFrom('email', 'score', 'x'), fieldValue),
    label: fieldValue,
    is_primary_key: fieldValue,
    // Permission policies, global error subscribers and the connection proxy.
    policy_actions: fc.oneof(
      fc.array(
        fc.record(
          {
            action: fc.oneof(fc.constantFrom('read', 'update', 'delete', 'raed'), fieldValue),
            role_ids: fc.oneof(fc.array(fc.constantFrom(...KNOWN_IDS), { maxLength: 3 }), fieldValue)
          },
          { requiredKeys: [] }
        ),
        { maxLength: 4 }
      ),
      fieldValue
    ),
    policies: fc.oneof(fc.array(fc.constantFrom(POLICY_ID, ...KNOWN_IDS), { maxLength: 2 }), fieldValue),
    emails: fc.oneof(fc.array(fc.oneof(fc.emailAddress(), nasty), { maxLength: 4 }), fieldValue),
    request: fc.oneof(
      fc.record(
        {
          method: fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'TRACE'), fieldValue),
          path: fc.oneof(fc.constantFrom('/', '/v1/things', '../etc', 'relative', '/a?b=c', '//evil'), fieldValue),
          headers: fc.oneof(fc.dictionary(fc.constantFrom('x-a', 'Authorization', 'host'), ascii, { maxKeys: 2 }), fieldValue),
          query: fieldValue,
          rawQuery: fieldValue,
          body: fieldValue
        },
        { requiredKeys: [] }
      ),
      fieldValue
    ),
    extra: fieldValue
  },
  { requiredKeys: [] }
)

/**
 * JSON text nested from 10 to 100,000 levels (arrays, objects, or both), alone or as a field of a
 * plausible body. Built as text: a structure that deep could not even be generated recursively.
 */
const deepText = fc
  .record({
    depth: fc.oneof(
      fc.integer({ min: 10, max: 80 }),
      fc.integer({ min: 60, max: 70 }),
      fc.integer({ min: 80, max: 100_000 })
    ),
    kind: fc.constantFrom('array', 'object', 'mixed'),
    leaf: fc.constantFrom('1', '"x"', 'null', '{}', '[]')
  })
  .map(({ depth, kind, leaf }) => {
    let open = ''
    let close = ''
    for (let i = 0; i < depth; i++) {
      const array = kind === 'array' || (kind === 'mixed' && i % 2 === 0)
      open += array ? '[' : '{"k":'
      close = (array ? ']' : '}') + close
    }
    return open + leaf + close
  })
const deepBody = fc.oneof(
  deepText,
  fc
    .tuple(plausibleObject, fc.constantFrom('role_ids', 'name', 'email', 'body', 'extra', 'users'), deepText)
    .map(([o, field, deep]) => {
      const s = JSON.stringify({ ...o, [field]: 0 })
      return s.replace(`"${field}":0`, `"${field}":${deep}`)
    })
)

const body = fc.oneof(
  { weight: 2, arbitrary: deepBody },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: plausibleObject.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: plausibleObject.chain((o) => {
      const s = JSON.stringify(o)
      return fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(0, n))
    })
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"email": "a@b.co", "email": 5}',
      '{"__proto__": {"admin": true}, "email": "p@example.com"}',
      '{"constructor": {"prototype": {"x": 1}}}',
      JSON.stringify({ email: 'x@example.com', name: 'n'.repeat(200_000) }),
      '\ufeff{"email":"bom@example.com"}',
      'null',
      '[]',
      '""',
      '0'
    )
  }
)

const query = fc.option(
  fc.dictionary(
    fc.constantFrom(
      'force',
      'organization_id',
      'status',
      'method',
      'path',
      'limit',
      'since',
      'partner_id',
      'type',
      'event_type',
      'starting_after',
      'ending_before',
      'event_id',
      'webhook_id',
      'active',
      'all',
      'sync_id',
      'page_token',
      'after',
      'version',
      'only_terminal',
      'only_completed',
      'ascending',
      'async',
      'refresh_schemas',
      'filters',
      'mode',
      'target_connection_id',
      'query',
      'page',
      'include_fields',
      'params',
      'target',
      'refresh',
      'search',
      'x'
    ),
    fc.oneof(
      ascii,
      fc.constantFrom(
        'true',
        'false',
        'TRUE',
        '1',
        '100',
        '101',
        '0',
        W.org.id,
        W.bulkSync.id,
        'sync.failed',
        '2026-01-01T00:00:00.123456Z',
        '2026-13-01',
        new Date().toISOString(),
        'bzoy',
        'bzotMQ',
        'bzo5OTk5OTk5OTk5OTk5OTk5OTk5',
        '{"enabled":"true"}',
        '{"table":["public.users"]}',
        '{"query":["SELECT id FROM users"]}',
        'PUBLIC.USERS',
        'SELECT 1',
        '{"enabled":1}',
        '{"x":"y"}',
        '[1]',
        '{'
      )
    )
  ),
  { nil: undefined }
)

function isErrorShape (body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  if ('result' in b && 'error' in b && b.result === null) return isErrorShape(b.error)
  const apiError =
    typeof b.status === 'number' &&
    typeof b.message === 'string' &&
    typeof b.key === 'string' &&
    typeof b.metadata === 'object' &&
    b.metadata !== null
  const restErr = b.status === 'Unauthorized' && typeof b.error === 'string' && b.code === 401
  return apiError || restErr
}

/** The designed answer of an SDK operation the simulator does not implement: 501 with key not_simulated. */
function notSimulatedAnswer (res: { statusCode: number; body: string }): boolean {
  return res.statusCode === 501 && res.body.includes('"key":"not_simulated"')
}

/**
 * The statuses each method and path declares, over every generation's route of it (a 2025-09-18 route may
 * declare what the shared one does not).
 */
function declaredStatuses (app: FastifyInstance): Map<string, number[]> {
  const declared = new Map<string, number[]>()
  for (const route of app.routeTable) {
    const key = `${route.method} ${route.url}`
    declared.set(key, [...(declared.get(key) ?? []), ...route.statuses])
  }
  return declared
}

/** A 5xx that is a fault of the simulator: anything but the not_simulated answer. */
function serverFault (res: { statusCode: number; body: string }): boolean {
  return res.statusCode >= 500 && !notSimulatedAnswer(res)
}

t.test(
  `${RUNS} random requests: documented statuses, never a 500, error bodies in shape, store consistent`,
  async (t) => {
    const app = await fuzzedApp(t)
    await openSessions(app)
    // The journal's live feed answers a stream that stays open (its own tests: test/admin/console.test.ts).
    const routes = app.routeTable.filter(
      (r) => /^\/(api|__admin|connect|files)\//.test(r.url) && r.url !== '/__admin/requests/stream'
    )
    t.ok(routes.length > 40, `${routes.length} routes under test`)
    const declared = declaredStatuses(app)

    let sent = 0
    const statuses = new Map<number, number>()
    const request = fc.record({
      route: fc.constantFrom(...routes),
      oddMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), {
        freq: 10,
        nil: undefined
      }),
      ids: fc.array(idArbitrary, { minLength: 3, maxLength: 3 }),
      authorization,
      version: versionHeader,
      contentType,
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), ascii), { freq: 8, nil: undefined }),
      extraHeader: fc.option(
        fc.tuple(
          fc.constantFrom(
            'x-polytomic-version',
            'authorization',
            'content-length',
            'transfer-encoding',
            'x-forwarded-for'
          ),
          ascii
        ),
        { freq: 10, nil: undefined }
      ),
      body,
      query
    })

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let i = 0
        const path = r.route.url.replace(/:\w+/g, () => r.ids[i++] ?? 'x')
        const qs = r.query === undefined ? '' : `?${new URLSearchParams(r.query).toString()}`
        const headers: Record<string, string> = {}
        if (r.authorization !== undefined) headers.authorization = r.authorization
        if (r.version !== undefined) headers['x-polytomic-version'] = r.version
        if (r.contentType !== undefined) headers['content-type'] = r.contentType
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey
        if (r.extraHeader !== undefined && !['content-length', 'transfer-encoding'].includes(r.extraHeader[0])) {
          headers[r.extraHeader[0]] = r.extraHeader[1]
        }
        const method = r.oddMethod ?? r.route.method
        const res = await app.inject({
          method: method as 'GET',
          url: path + qs,
          headers,
          payload: ['GET', 'HEAD', 'OPTIONS'].includes(method) ? undefined : r.body
        })
        sent++
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        app.control.clearFaults()
        app.control.clearDeliveryFaults()
        app.control.clearExecutionRules()

        const isAdmin = r.route.url.startsWith('/__admin/')
        const isPage = r.route.url.startsWith('/connect/')
        const allowed = new Set([
          ...(isAdmin ? ADMIN : isPage ? CONNECT_PAGE : ALWAYS),
          ...(declared.get(`${method} ${r.route.url}`) ?? []),
          ...(r.idempotencyKey !== undefined ? [409] : []),
          200
        ])
        const context = `${method} ${path}${qs} -> ${res.statusCode} ${res.body.slice(0, 300)}`
        // The connection proxy's 502 and 504 are its upstream's failures, which it declares, not the simulator's.
        const gateway = [502, 504].includes(res.statusCode) && allowed.has(res.statusCode)
        if ((serverFault(res) && !gateway) || !(allowed.has(res.statusCode) || notSimulatedAnswer(res))) {
          throw new Error(`undocumented status: ${context}`)
        }
        if (isPage && res.statusCode === 422 && String(res.headers['content-type']).startsWith('text/html')) {
          if (!res.body.includes('<form') && !res.body.includes('href="?type=')) {
            throw new Error(`a 422 page without its form: ${context}`)
          }
        } else if (res.statusCode >= 400) {
          let parsed: unknown
          try {
            parsed = JSON.parse(res.body)
          } catch {
            throw new Error(`error body is not JSON: ${context}`)
          }
          if (!isErrorShape(parsed)) throw new Error(`error body not in the error shape: ${context}`)
        } else if (res.body !== '' && !String(res.headers['content-type']).startsWith('text/html')) {
          JSON.parse(res.body)
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true }
    )

    t.comment(
      `sent ${sent} requests; statuses: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`
    )
    t.ok(sent >= RUNS, `sent ${sent} requests`)
    t.same(integrityProblems(app.store.db), [], 'the store is consistent after the run')
    await controlPlaneReadable(t, app)
  }
)

/** The control plane's reads all answer 200 with JSON after a run: nothing sent can poison them. */
async function controlPlaneReadable (t: Test, app: FastifyInstance): Promise<void> {
  for (const url of [
    '/__admin/requests',
    '/__admin/fixtures',
    '/__admin/faults',
    '/__admin/health',
    '/__admin/deliveries',
    '/__admin/delivery-faults',
    '/__admin/clock',
    '/__admin/execution-rules'
  ]) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, `${url} answers 200 after the run`)
    t.doesNotThrow(() => JSON.parse(res.body) as unknown, `${url} is JSON`)
  }
}

t.test(
  'deeply nested bodies on every route with a body: refused with 400 or served, never a 500; fault rules stay readable',
  async (t) => {
    const app = await fuzzedApp(t)
    const writes = app.routeTable.filter(
      (r) =>
        ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) &&
        (r.url.startsWith('/api/') || r.url.startsWith('/__admin/') || r.url.startsWith('/connect/'))
    )
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), authorization, deepBody, async (route, auth, text) => {
        const url = route.url.replace(/:\w+/g, (name) => (name === ':name' ? 'snap' : W.org.id))
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (auth !== undefined) headers.authorization = auth
        const res = await app.inject({ method: route.method as 'POST', url, headers, payload: text })
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        if (serverFault(res)) throw new Error(`${route.method} ${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`)
        if (url === '/__admin/faults' && res.statusCode === 201) {
          const rules = await app.inject({ method: 'GET', url: '/__admin/faults' })
          if (rules.statusCode !== 200) {
            throw new Error(`GET /__admin/faults -> ${rules.statusCode} after a rule with a nested body`)
          }
        }
        app.control.clearFaults()
        app.control.clearDeliveryFaults()
      }),
      { numRuns: Math.max(200, Math.round(RUNS / 10)), seed: SEED, endOnFailure: true }
    )
    t.comment(
      `deep bodies: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`
    )
    t.ok((statuses.get(400) ?? 0) > 0, 'some were refused for their depth')
    t.same(integrityProblems(app.store.db), [], 'the store is consistent after the run')
    await controlPlaneReadable(t, app)
  }
)

t.test(
  'connection, webhook and event routes with working credentials: deeper paths reached, never a 500, no secret ever answered',
  async (t) => {
    const app = await fuzzedApp(t)
    await openSessions(app)
    const routes = app.routeTable.filter((r) =>
      /^\/(api\/(connection|organizations\/:org_id\/connections|webhooks|events)|connect\/)/.test(r.url)
    )
    t.ok(routes.length >= 23, `${routes.length} connection, webhook and event routes`)
    const declared = declaredStatuses(app)
    const statuses = new Map<number, number>()
    const working = fc
      .constantFrom(W.acme.key, W.jane.key, W.john.key, W.org.orgKey, W.globex.key, W.deploymentKey)
      .map((k) => `Bearer ${k}`)
    const form = fc
      .dictionary(
        fc.constantFrom('__type', 'hostname', 'port', 'database', 'username', 'password', 'ssl', 'x'),
        fc.oneof(ascii, fc.constantFrom('5432', 'true', 'postgresql', 'mysql')),
        { maxKeys: 7 }
      )
      .map((fields) => new URLSearchParams(fields).toString())
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(idArbitrary, { minLength: 2, maxLength: 2 }),
        working,
        plausibleObject,
        form,
        query,
        async (route, ids, auth, object, formText, q) => {
          let i = 0
          const url =
            route.url.replace(/:\w+/g, () => ids[i++] ?? 'x') +
            (q === undefined ? '' : `?${new URLSearchParams(q).toString()}`)
          const isPage = route.url.startsWith('/connect/')
          const headers: Record<string, string> = {
            authorization: auth,
            'content-type': isPage ? 'application/x-www-form-urlencoded' : 'application/json'
          }
          const payload = route.method === 'GET' ? undefined : isPage ? formText : JSON.stringify(object)
          const res = await app.inject({ method: route.method as 'GET', url, headers, payload })
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
          const allowed = new Set([
            ...(isPage ? CONNECT_PAGE : ALWAYS),
            ...(declared.get(`${route.method} ${route.url}`) ?? []),
            200
          ])
          const context = `${route.method} ${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`
          if (serverFault(res) || !(allowed.has(res.statusCode) || notSimulatedAnswer(res))) {
            throw new Error(`undocumented status: ${context}`)
          }
          if (res.body.includes('s3cret-pw') || res.body.includes('warehouse-password')) {
            throw new Error(`a secret was answered: ${context}`)
          }
        }
      ),
      { numRuns: Math.max(500, Math.round(RUNS / 2)), seed: SEED, endOnFailure: true }
    )
    t.comment(
      `connection routes: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`
    )
    t.ok((statuses.get(200) ?? 0) > 0, 'some succeeded')
    const journal = JSON.stringify(app.control.requests({ limit: 100_000 }))
    t.notMatch(journal, 's3cret-pw', 'the journal holds no secret either')
    t.same(integrityProblems(app.store.db), [], 'the store is consistent after the run')
  }
)

t.test(
  'sync, model and job routes with working credentials: deeper paths reached, never a 500, runs kept consistent',
  async (t) => {
    const app = await fuzzedApp(t)
    await openSessions(app)
    const routes = app.routeTable.filter((r) => /^\/(api\/(bulk|syncs|models|jobs)|__admin\/execution)/.test(r.url))
    t.ok(routes.length >= 40, `${routes.length} sync, model, job and execution-control routes`)
    const declared = declaredStatuses(app)
    const statuses = new Map<number, number>()
    const working = fc
      .constantFrom(W.acme.key, W.jane.key, W.john.key, W.org.orgKey, W.globex.key, W.deploymentKey)
      .map((k) => `Bearer ${k}`)
    const ids = fc.array(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SYNC_IDS) }, { weight: 1, arbitrary: idArbitrary }),
      { minLength: 2, maxLength: 2 }
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        ids,
        working,
        plausibleObject,
        query,
        async (route, [first, second], auth, object, q) => {
          // Executions are addressed by their own ids: the latest run of the sync named first, when there is one.
          const latest = first === undefined ? undefined : app.store.executions.latest(first)?.id
          const values: Record<string, string | undefined> = {
            ':id': first,
            ':exec_id': latest ?? second,
            ':schedule_id': second,
            ':schema_id': second,
            ':type': first,
            ':name': 'snap'
          }
          const url =
            route.url.replace(/:\w+/g, (name) => values[name] ?? 'x') +
            (q === undefined ? '' : `?${new URLSearchParams(q).toString()}`)
          const isAdmin = route.url.startsWith('/__admin/')
          const res = await app.inject({
            method: route.method as 'GET',
            url,
            headers: { authorization: auth, 'content-type': 'application/json' },
            payload: route.method === 'GET' ? undefined : JSON.stringify(object)
          })
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
          const allowed = new Set([
            ...(isAdmin ? ADMIN : ALWAYS),
            ...(declared.get(`${route.method} ${route.url}`) ?? []),
            200
          ])
          const context = `${route.method} ${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`
          if (serverFault(res) || !(allowed.has(res.statusCode) || notSimulatedAnswer(res))) {
            throw new Error(`undocumented status: ${context}`)
          }
          if (res.statusCode >= 400 && !isErrorShape(JSON.parse(res.body))) {
            throw new Error(`error body not in the error shape: ${context}`)
          }
          if (res.body.includes('warehouse-password') || res.body.includes('snowflake-password')) {
            throw new Error(`a secret was answered: ${context}`)
          }
        }
      ),
      { numRuns: Math.max(500, Math.round(RUNS / 2)), seed: SEED, endOnFailure: true }
    )
    t.comment(
      `sync routes: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`
    )
    t.ok((statuses.get(200) ?? 0) > 0, 'some succeeded')
    app.control.clearExecutionRules()
    app.control.settleExecutions()
    t.same(integrityProblems(app.store.db), [], 'the store is consistent after the run')
    await controlPlaneReadable(t, app)
  }
)

/** A secret the hostile run below plants everywhere it can; no reader may ever see it again. */
const PLANTED = 'planted-secret-7f3a'

t.test(
  'hostile inputs: escaped secret names, credentials in URLs, secret queries and headers, admin bodies with unknown fields, clock advances',
  async (t) => {
    const lines: string[] = []
    const { Writable } = await import('node:stream')
    const { REDACTED_PATHS } = await import('../../src/core/logging.js')
    const stream = new Writable({
      write (chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      }
    })
    const app = await build(t, {
      logger: { level: 'info', stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      config: {
        webhookRetryBaseMs: 1,
        webhookTimeoutMs: 1000,
        webhookAllowedHosts: ['127.0.0.1'],
        journalBodyBytes: 96
      }
    })
    const declared = declaredStatuses(app)
    const apiWrites = app.routeTable.filter(
      (r) => r.url.startsWith('/api/') && ['POST', 'PUT', 'PATCH'].includes(r.method)
    )
    const apiReads = app.routeTable.filter((r) => r.url.startsWith('/api/') && r.method === 'GET')
    const adminWrites = app.routeTable.filter(
      (r) => r.url.startsWith('/__admin/') && ['POST', 'PUT', 'DELETE'].includes(r.method)
    )
    const working = fc.constantFrom(W.acme.key, W.jane.key, W.org.orgKey, W.deploymentKey).map((k) => `Bearer ${k}`)
    const secretName = fc.constantFrom(
      'secr\\u0065t',
      'p\\u0061ssword',
      'client_s\\u0065cret',
      't\\u006fken',
      '\\u0070assword',
      'api_k\\u0065y',
      'encryption_p\\u0061ssphrase'
    )
    const escapedBody = fc
      .tuple(plausibleObject, secretName, fc.nat({ max: 400 }))
      .map(([object, name, pad]) =>
        JSON.stringify({ ...object, pad: 'p'.repeat(pad) }).replace(/^\{/, `{"${name}":"${PLANTED}",`)
      )
    const urlWithSecret = fc.constantFrom(
      `http://user:${PLANTED}@127.0.0.1:1/hooks`,
      `http://${PLANTED}@127.0.0.1:1/x`,
      `https://127.0.0.1:1/in?token=${PLANTED}`,
      `http://127.0.0.1:1/in?a=1&password=${PLANTED}#f`
    )
    const unknownField = fc.constantFrom(
      'to',
      'stauts',
      'hard',
      'advance_ms',
      'organisation_id',
      'partner',
      'x',
      'timeout',
      'nmae'
    )
    const hostile = fc.oneof(
      fc.record({
        kind: fc.constant('escaped' as const),
        route: fc.constantFrom(...apiWrites),
        auth: working,
        body: escapedBody
      }),
      fc.record({
        kind: fc.constant('url' as const),
        url: urlWithSecret,
        auth: working,
        field: fc.constantFrom('endpoint', 'redirect_url')
      }),
      fc.record({
        kind: fc.constant('query' as const),
        route: fc.constantFrom(...apiReads),
        auth: working,
        name: fc.constantFrom('password', 'token', 'api_key', 'secret', 'client_secret')
      }),
      fc.record({
        kind: fc.constant('headers' as const),
        route: fc.constantFrom(...apiReads),
        auth: working,
        header: fc.constantFrom('cookie', 'proxy-authorization', 'x-api-key')
      }),
      fc.record({
        kind: fc.constant('admin' as const),
        route: fc.constantFrom(...adminWrites),
        field: unknownField,
        object: plausibleObject
      }),
      fc.record({
        kind: fc.constant('clock' as const),
        advance: fc.oneof(
          fc.integer({ min: -10, max: 400_000_000 }),
          fc.double({ noNaN: false }),
          fc.constantFrom(315_360_000, 315_360_001, 1e300, -0)
        )
      })
    )
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(hostile, fc.array(idArbitrary, { minLength: 3, maxLength: 3 }), async (h, ids) => {
        let i = 0
        const fill = (url: string): string => url.replace(/:\w+/g, () => ids[i++] ?? W.org.id)
        let res: { statusCode: number; body: string }
        let allowed: number[]
        switch (h.kind) {
          case 'escaped':
            res = await app.inject({
              method: h.route.method as 'POST',
              url: fill(h.route.url),
              headers: { authorization: h.auth, 'content-type': 'application/json' },
              payload: h.body
            })
            allowed = [...ALWAYS, 403, 409, ...(declared.get(`${h.route.method} ${h.route.url}`) ?? [])]
            break
          case 'url': {
            const url = h.field === 'endpoint' ? '/api/webhooks' : '/api/connections/connect'
            const payload =
              h.field === 'endpoint'
                ? { endpoint: h.url, secret: 'whsec' }
                : { name: `Hostile ${ids[0] ?? ''}`.slice(0, 60), type: 'postgresql', redirect_url: h.url }
            res = await app.inject({
              method: 'POST',
              url,
              headers: { authorization: h.auth, 'content-type': 'application/json' },
              payload: JSON.stringify(payload)
            })
            allowed = [...ALWAYS, 403, 409]
            break
          }
          case 'query':
            res = await app.inject({
              method: 'GET',
              url: `${fill(h.route.url)}?${h.name}=${PLANTED}`,
              headers: { authorization: h.auth }
            })
            allowed = [...ALWAYS, 403, ...(declared.get(`GET ${h.route.url}`) ?? [])]
            break
          case 'headers':
            res = await app.inject({
              method: 'GET',
              url: fill(h.route.url),
              headers: { authorization: h.auth, [h.header]: `x ${PLANTED}` }
            })
            allowed = [...ALWAYS, 403, ...(declared.get(`GET ${h.route.url}`) ?? [])]
            break
          case 'admin': {
            const url = h.route.url.replace(/:\w+/g, (name) => (name === ':name' ? 'snap' : W.org.id))
            res = await app.inject({
              method: h.route.method as 'POST',
              url,
              headers: { 'content-type': 'application/json' },
              payload: JSON.stringify({ ...h.object, [h.field]: 1 })
            })
            // A body with a field the control plane does not know is refused, naming a field of the body it
            // does not know
            // (the fixture document's own checks speak for PUT /fixtures).
            const sent = Object.keys({ ...h.object, [h.field]: 1 })
            const problem =
              res.statusCode === 422
                ? (JSON.parse(res.body) as { metadata: { field?: string; problem?: string } }).metadata
                : undefined
            const named =
              problem !== undefined &&
              (h.route.url === '/__admin/fixtures' ||
                (/^unknown field/.test(problem.problem ?? '') &&
                  sent.includes((problem.field ?? '').split(/[.[]/)[0] as string)))
            if (!named) {
              throw new Error(
                `an unknown admin field was not refused by name: ${h.route.method} ${url} ${h.field} -> ${res.statusCode} ${res.body.slice(0, 300)}`
              )
            }
            allowed = [422]
            break
          }
          case 'clock':
            res = await app.inject({
              method: 'POST',
              url: '/__admin/clock',
              headers: { 'content-type': 'application/json' },
              payload: `{"advance_s":${String(h.advance)}}`
            })
            allowed = [200, 400, 422]
            break
        }
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        app.control.clearFaults()
        app.control.clearDeliveryFaults()
        app.control.clearExecutionRules()
        if (serverFault(res) || !([...allowed, 200].includes(res.statusCode) || notSimulatedAnswer(res))) {
          throw new Error(`undocumented status: ${h.kind} -> ${res.statusCode} ${res.body.slice(0, 300)}`)
        }
        if (res.statusCode >= 400 && !isErrorShape(JSON.parse(res.body))) {
          throw new Error(`error body not in the error shape: ${h.kind} -> ${res.body.slice(0, 300)}`)
        }
      }),
      { numRuns: Math.max(500, Math.round(RUNS / 5)), seed: SEED, endOnFailure: true }
    )
    t.comment(
      `hostile inputs: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`
    )
    await app.control.settleDeliveries({ timeout_ms: 60_000, fast_forward: true })
    const readers = {
      journal: JSON.stringify(app.control.requests({ limit: 100_000 })),
      deliveries: JSON.stringify(app.control.deliveries({ limit: 100_000 })),
      'redacted export': JSON.stringify(app.control.exportFixtures({ redact: true })),
      logs: lines.join('\n')
    }
    for (const [reader, text] of Object.entries(readers)) {
      t.notOk(text.includes(PLANTED), `the planted secret is not in the ${reader}`)
    }
    t.same(integrityProblems(app.store.db), [], 'the store is consistent after the run')
    await controlPlaneReadable(t, app)
  }
)
