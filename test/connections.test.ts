import t from 'tap'
import { W, apiError, basic, bearer, build, call, createPolicy, postgres } from './helper.js'

const P = bearer(W.acme.key)
const J = bearer(W.jane.key)
const NOT_FOUND = apiError(404, 'connection_not_found', 'connection not found')
const MASK = '********'

interface Saved {
  id: string
  name: string
  organization_id: string
  status: string
  status_error?: string
  configuration: Record<string, unknown>
}
const dataOf = <T = Saved>(res: { body: unknown }): T => (res.body as { data: T }).data

t.test(
  'connection types: the bundled catalog, each with capabilities and a configuration form; one type is a bare JSON Schema',
  async (t) => {
    const app = await build(t)
    const list = await call(app, 'GET', '/api/connection_types', J)
    t.equal(list.status, 200)
    const types = dataOf<
      Array<{
        id: string
        capabilities: Record<string, boolean>
        configurationForm: { jsonschema: { required: string[] } }
        initialConfiguration: Record<string, unknown>
        use_oauth: boolean
      }>
    >(list)
    t.same(
      types.map((type) => type.id),
      ['postgresql', 'mysql', 'snowflake', 'bigquery', 'redshift', 's3', 'salesforce', 'hubspot', 'api']
    )
    const pg = types[0]
    t.same(pg?.capabilities, { source: true, destination: true, enrichment: false, orchestration: false })
    t.same(pg?.configurationForm.jsonschema.required, ['hostname', 'database', 'username', 'password'])
    t.same(pg?.initialConfiguration, { port: 5432, ssl: false, change_detection: false })
    t.equal(types.find((type) => type.id === 'salesforce')?.use_oauth, true)

    for (const headers of [P, bearer(W.deploymentKey), bearer(W.org.orgKey)]) {
      t.equal((await call(app, 'GET', '/api/connection_types', headers)).status, 200)
    }

    for (const version of ['2021-05-23', '2024-02-08', '2025-09-18']) {
      const schema = await call(app, 'GET', '/api/connection_types/postgresql', {
        ...J,
        'x-polytomic-version': version
      })
      t.equal(schema.status, 200)
      t.match(
        schema.body,
        {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          required: ['hostname', 'database', 'username', 'password']
        },
        `bare in ${version}`
      )
      t.same(
        (schema.body as { properties: { password: unknown } }).properties.password,
        { type: 'string', title: 'Password', writeOnly: true },
        'secrets are marked writeOnly'
      )
      t.notOk('data' in (schema.body as object))
    }
    const unknown = await call(app, 'GET', '/api/connection_types/oracle', J)
    t.same(
      [unknown.status, unknown.body],
      [404, apiError(404, 'connection_type_not_found', 'connection type not found')]
    )
    t.equal((await call(app, 'GET', '/api/connection_types')).status, 401)
  }
)

t.test("parameter values: a field's fixed choices, filtered by query; other fields have none", async (t) => {
  const app = await build(t)
  const region = await call(app, 'POST', '/api/connection_types/s3/parameter_values', J, {
    field: 's3_bucket_region',
    query: 'EU-'
  })
  t.same(region.body, {
    data: {
      s3_bucket_region: {
        allows_creation: false,
        values: [
          { label: 'eu-west-1', value: 'eu-west-1' },
          { label: 'eu-central-1', value: 'eu-central-1' }
        ]
      }
    }
  })
  const free = await call(app, 'POST', '/api/connection_types/postgresql/parameter_values', J, { field: 'hostname' })
  t.same(free.body, { data: { hostname: { allows_creation: false, values: [] } } })
  const wrong = await call(app, 'POST', '/api/connection_types/postgresql/parameter_values', J, { field: 'hostnme' })
  t.same(
    [wrong.status, wrong.body],
    [
      422,
      apiError(422, 'validation_failed', 'field: is not a configuration field of postgresql (did you mean hostname?)', {
        field: 'field',
        problem: 'is not a configuration field of postgresql (did you mean hostname?)'
      })
    ]
  )
  t.equal((await call(app, 'POST', '/api/connection_types/nope/parameter_values', J, { field: 'x' })).status, 404)
  t.equal(
    (await call(app, 'POST', '/api/connection_types/s3/parameter_values', J, {})).status,
    422,
    'field is required'
  )
  const byConnection = await call(app, 'GET', `/api/connections/${W.warehouse.copyId}/parameter_values`, J)
  t.same(byConnection.body, { data: {} }, 'PostgreSQL has no field with fixed choices')
  const otherOrg = await call(app, 'POST', '/api/connection_types/s3/parameter_values', bearer(W.globex.adminKey), {
    field: 's3_bucket_region',
    connection_id: W.warehouse.id
  })
  t.same([otherOrg.status, otherOrg.body], [404, NOT_FOUND], 'connection_id must be within reach')
})

t.test('create, get, list, update and delete a connection; the type is an object in responses', async (t) => {
  const app = await build(t)
  const p1 = await createPolicy(app)
  const created = await call(app, 'POST', '/api/connections', J, {
    name: ' Analytics DB ',
    type: 'postgresql',
    configuration: postgres(),
    policies: [p1.toUpperCase()],
    healthcheck_interval: '1h'
  })
  t.equal(created.status, 200)
  const saved = dataOf(created)
  t.same(created.body, {
    data: {
      id: saved.id,
      name: 'Analytics DB',
      organization_id: W.org.id,
      type: {
        id: 'postgresql',
        name: 'PostgreSQL',
        operations: ['bulksync_source', 'bulksync_target', 'modelsync_source', 'modelsync_target', 'query'],
        logo_url: 'https://app.polytomic.com/static/logos/postgresql.svg'
      },
      configuration: postgres({ password: MASK }),
      status: 'healthy',
      saved: true,
      policies: [p1],
      healthcheck_interval: '1h'
    }
  })
  const got = await call(app, 'GET', `/api/connections/${saved.id.toUpperCase()}`, J)
  t.match(got.body, {
    data: {
      id: saved.id,
      name: 'Analytics DB',
      configuration: postgres({ password: MASK }),
      status: 'healthy',
      created_by: { id: W.jane.id, name: W.jane.email, type: 'user' },
      updated_by: { type: 'user' }
    }
  })
  t.notOk('healthcheck_interval' in dataOf(got), 'get has no healthcheck_interval (ConnectionResponseSchema)')
  const list = await call(app, 'GET', '/api/connections', J)
  t.same(
    dataOf<Saved[]>(list).map((c) => c.name),
    [W.warehouse.name, W.analytics.name, 'Analytics DB'],
    'the shared copy first, then creation order'
  )

  const replaced = await call(app, 'PUT', `/api/connections/${saved.id}`, J, {
    name: 'Analytics',
    configuration: { hostname: 'db2.example.com', database: 'analytics', username: 'loader' }
  })
  t.equal(replaced.status, 200)
  t.same(
    dataOf(replaced).configuration,
    { hostname: 'db2.example.com', database: 'analytics', username: 'loader', password: MASK },
    'PUT replaces the configuration: port is gone, the password is kept'
  )
  t.same(dataOf<{ policies: string[] }>(replaced).policies, [], 'PUT replaces policies too')
  const stored = app.store.connections.find(saved.id)
  t.equal(stored?.configuration.password, 's3cret-pw', 'the stored secret is the one given at create')
  const masked = await call(app, 'PUT', `/api/connections/${saved.id}`, J, {
    name: 'Analytics',
    configuration: postgres({ password: MASK })
  })
  t.equal(masked.status, 200)
  t.equal(
    app.store.connections.find(saved.id)?.configuration.password,
    's3cret-pw',
    'the mask sent back keeps the stored secret'
  )
  await call(app, 'PUT', `/api/connections/${saved.id}`, J, {
    name: 'Analytics',
    configuration: postgres({ password: 'rotated' })
  })
  t.equal(app.store.connections.find(saved.id)?.configuration.password, 'rotated', 'a new secret replaces it')

  const removed = await call(app, 'DELETE', `/api/connections/${saved.id}`, J)
  t.same([removed.status, removed.body], [200, undefined], 'DELETE answers 2xx with no body')
  t.same((await call(app, 'GET', `/api/connections/${saved.id}`, J)).body, NOT_FOUND)
  t.same((await call(app, 'DELETE', `/api/connections/${saved.id}`, J)).body, NOT_FOUND)
  t.same(
    (await call(app, 'PUT', `/api/connections/${saved.id}`, J, { name: 'x', configuration: postgres() })).body,
    NOT_FOUND
  )
})

t.test('configuration is validated against the type, naming the field', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [
      { name: 'a', type: 'postgress', configuration: postgres() },
      'type',
      'unknown connection type "postgress" (did you mean postgresql?)'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ hostname: undefined }) },
      'configuration.hostname',
      'is required'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ hostname: '' }) },
      'configuration.hostname',
      'must NOT have fewer than 1 characters'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ port: '5432' }) },
      'configuration.port',
      'must be integer'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ port: 70000 }) },
      'configuration.port',
      'must be <= 65535'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ ssl: 'yes' }) },
      'configuration.ssl',
      'must be boolean'
    ],
    [
      { name: 'a', type: 'postgresql', configuration: postgres({ hostnme: 'x' }) },
      'configuration.hostnme',
      'unknown field (did you mean hostname?)'
    ],
    [
      {
        name: 'a',
        type: 's3',
        configuration: {
          aws_access_key_id: 'a',
          aws_secret_access_key: 'b',
          s3_bucket_name: 'c',
          s3_bucket_region: 'mars-1'
        }
      },
      'configuration.s3_bucket_region',
      'must be one of us-east-1, us-east-2, us-west-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1'
    ],
    [{ name: 'a', type: 'postgresql' }, 'configuration', 'is required'],
    [{ name: 'a', type: 'postgresql', configuration: [] }, 'configuration', 'must be object'],
    [{ type: 'postgresql', configuration: postgres() }, 'name', 'is required'],
    [{ name: '   ', type: 'postgresql', configuration: postgres() }, 'name', 'must not be empty']
  ]
  for (const [body, field, problem] of cases) {
    const res = await call(app, 'POST', '/api/connections', J, body)
    t.same(
      [res.status, res.body],
      [422, apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem })],
      `${field}: ${problem}`
    )
  }
  t.equal(app.store.connections.list(W.org.id).length, 2, 'nothing was stored')
  const typeChange = await call(app, 'PUT', `/api/connections/${W.warehouse.id}`, P, {
    name: 'x',
    type: 'mysql',
    configuration: postgres()
  })
  t.same(
    typeChange.body,
    apiError(422, 'validation_failed', "type: a connection's type cannot change (this one is postgresql)", {
      field: 'type',
      problem: "a connection's type cannot change (this one is postgresql)"
    })
  )
})

t.test('names are unique per organization, case-insensitively', async (t) => {
  const app = await build(t)
  const dup = await call(app, 'POST', '/api/connections', J, {
    name: 'acme WAREHOUSE',
    type: 'postgresql',
    configuration: postgres()
  })
  t.same(
    [dup.status, dup.body],
    [
      409,
      apiError(409, 'connection_name_taken', 'a connection with this name already exists in the organization', {
        field: 'name'
      })
    ]
  )
  const elsewhere = await call(app, 'POST', '/api/connections', bearer(W.globex.adminKey), {
    name: 'Acme Warehouse',
    type: 'postgresql',
    configuration: postgres()
  })
  t.equal(elsewhere.status, 200, 'the same name in another organization is fine')
  const other = dataOf(
    await call(app, 'POST', '/api/connections', P, { name: 'Second', type: 'postgresql', configuration: postgres() })
  )
  const rename = await call(app, 'PUT', `/api/connections/${other.id}`, P, {
    name: 'ACME warehouse',
    configuration: postgres()
  })
  t.equal(rename.status, 409, 'a rename onto a taken name')
  t.equal(
    (await call(app, 'PUT', `/api/connections/${other.id}`, P, { name: 'second', configuration: postgres() })).status,
    200,
    'its own name in another case'
  )
})

t.test(
  'scope: API keys act in their organization, partner keys in theirs, deployment keys anywhere; the rest is 404',
  async (t) => {
    const app = await build(t)
    const body = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      name,
      type: 'postgresql',
      configuration: postgres(),
      ...extra
    })
    const inOrg = async (
      headers: Record<string, string>,
      name: string,
      extra: Record<string, unknown> = {}
    ): Promise<string> => {
      const res = await call(app, 'POST', '/api/connections', headers, body(name, extra))
      t.equal(res.status, 200, name)
      return dataOf(res).organization_id
    }
    t.equal(await inOrg(J, 'by jane'), W.org.id)
    t.equal(await inOrg(bearer(W.john.key), 'by john'), W.org.id, 'a plain user may create connections')
    t.equal(await inOrg(bearer(W.org.orgKey), 'by org key'), W.org.id)
    t.equal(await inOrg(basic(W.org.id, W.acme.key), 'by basic partner'), W.org.id)
    t.equal(await inOrg(basic(W.org.id, W.deploymentKey), 'by basic deployment'), W.org.id)
    t.equal(await inOrg(P, 'by partner'), W.acme.ownerOrgId, 'an unscoped partner key defaults to its own organization')
    t.equal(await inOrg(P, 'by partner for customer', { organization_id: W.org.id }), W.org.id)
    t.equal(
      await inOrg(bearer(W.deploymentKey), 'by deployment', { organization_id: W.globex.customerOrgId }),
      W.globex.customerOrgId
    )

    const noOrg = await call(app, 'POST', '/api/connections', bearer(W.deploymentKey), body('x'))
    t.same(
      [noOrg.status, noOrg.body],
      [400, apiError(400, 'organization_id_required', 'organization_id is required for this credential')]
    )
    for (const [headers, org] of [
      [P, W.globex.customerOrgId],
      [J, W.acme.ownerOrgId],
      [basic(W.org.id, W.acme.key), W.acme.ownerOrgId]
    ] as const) {
      const res = await call(app, 'POST', '/api/connections', headers, body('intruder', { organization_id: org }))
      t.same([res.status, res.body], [404, apiError(404, 'organization_not_found', 'organization not found')])
    }

    const globex = bearer(W.globex.adminKey)
    t.same(
      (await call(app, 'GET', `/api/connections/${W.warehouse.id}`, globex)).body,
      NOT_FOUND,
      "another partner's connection is 404"
    )
    t.same(
      (await call(app, 'GET', `/api/connections/${W.warehouse.id}`, J)).body,
      NOT_FOUND,
      "the partner's own connection is out of a customer key's reach"
    )
    t.same((await call(app, 'GET', `/api/connections/${W.warehouse.copyId}`, bearer(W.globex.key))).body, NOT_FOUND)
    t.equal(
      (await call(app, 'GET', `/api/connections/${W.warehouse.copyId}`, P)).status,
      200,
      "a partner reaches its customers' connections"
    )
    t.equal((await call(app, 'GET', `/api/connections/${W.warehouse.copyId}`, bearer(W.deploymentKey))).status, 200)
    t.same(
      (await call(app, 'DELETE', `/api/connections/${W.warehouse.id}?organization_id=${W.org.id}`, P)).body,
      NOT_FOUND,
      'an organization_id that does not hold it'
    )
    t.same((await call(app, 'GET', '/api/connections?organization_id=' + W.globex.customerOrgId, P)).status, 404)
    t.same(
      dataOf<Saved[]>(await call(app, 'GET', `/api/connections?organization_id=${W.org.id}`, P))
        .map((c) => c.organization_id)
        .every((id) => id === W.org.id),
      true
    )
    t.equal(
      (await call(app, 'GET', '/api/connections', bearer(W.deploymentKey))).status,
      400,
      'an unscoped deployment key names the organization'
    )
    t.equal((await call(app, 'GET', '/api/connections')).status, 401)
  }
)

t.test(
  'the check: passes by default; a control-plane rule fails it by type or name, with its message, a number of times',
  async (t) => {
    const app = await build(t)
    const rule = await call(
      app,
      'POST',
      '/__admin/connection-checks',
      {},
      { type: 'postgresql', name: 'Prod *', message: 'could not connect to server: Connection refused', times: 2 }
    )
    t.equal(rule.status, 201)
    t.match(rule.body, {
      id: String,
      type: 'postgresql',
      name: 'Prod *',
      message: 'could not connect to server: Connection refused',
      times: 2,
      failed: 0
    })

    const passes = await call(app, 'POST', '/api/connections', J, {
      name: 'Staging DB',
      type: 'postgresql',
      configuration: postgres(),
      validate: true
    })
    t.match(passes.body, { data: { status: 'healthy' } }, 'a name the pattern does not match passes')
    const refused = await call(app, 'POST', '/api/connections', J, {
      name: 'Prod DB',
      type: 'postgresql',
      configuration: postgres(),
      validate: true
    })
    t.same(
      [refused.status, refused.body],
      [
        422,
        apiError(422, 'connection_validation_failed', 'could not connect to server: Connection refused', {
          type: 'postgresql'
        })
      ]
    )
    t.equal(app.store.connections.list(W.org.id).length, 3, 'a refused connection is not stored')
    const unhealthy = await call(app, 'POST', '/api/connections', J, {
      name: 'Prod DB',
      type: 'postgresql',
      configuration: postgres()
    })
    t.equal(unhealthy.status, 200, 'without validate the connection is saved')
    t.match(unhealthy.body, {
      data: { status: 'unhealthy', status_error: 'could not connect to server: Connection refused' }
    })
    t.match((await call(app, 'GET', `/api/connections/${dataOf(unhealthy).id}`, J)).body, {
      data: { status: 'unhealthy', status_error: 'could not connect to server: Connection refused' }
    })
    t.same((await call(app, 'GET', '/__admin/connection-checks')).body, [], 'the rule is gone after failing twice')
    const healed = await call(app, 'PUT', `/api/connections/${dataOf(unhealthy).id}`, J, {
      name: 'Prod DB',
      configuration: postgres(),
      reconnect: true
    })
    t.same(
      [dataOf(healed).status, 'status_error' in dataOf(healed)],
      ['healthy', false],
      'status reflects the last check'
    )

    await call(app, 'POST', '/__admin/connection-checks', {}, { message: 'every check fails' })
    const test = await call(app, 'POST', '/api/connections/test', J, {
      type: 'mysql',
      configuration: { hostname: 'h', database: 'd', account: 'a', passwd: 'p' }
    })
    t.same(
      [test.status, test.body],
      [400, apiError(400, 'connection_test_failed', 'every check fails', { type: 'mysql' })]
    )
    const update = await call(app, 'PUT', `/api/connections/${dataOf(unhealthy).id}`, J, {
      name: 'Prod DB',
      configuration: postgres(),
      validate: true
    })
    t.equal(update.status, 422, 'validate on update refuses too')
    t.equal(app.store.connections.find(dataOf(unhealthy).id)?.status, 'healthy', 'a refused update changes nothing')
    const [standing] = (await call(app, 'GET', '/__admin/connection-checks')).body as Array<{
      id: string
      failed: number
    }>
    t.equal(standing?.failed, 2)
    t.same((await call(app, 'DELETE', `/__admin/connection-checks/${standing?.id ?? ''}`)).body, {
      status: 'ok',
      id: standing?.id
    })
    t.equal((await call(app, 'DELETE', `/__admin/connection-checks/${standing?.id ?? ''}`)).status, 404)
    await call(app, 'POST', '/__admin/connection-checks', {}, { message: 'x' })
    t.same((await call(app, 'DELETE', '/__admin/connection-checks')).body, { status: 'ok', cleared: 1 })
    await call(app, 'POST', '/__admin/connection-checks', {}, { message: 'x' })
    await call(app, 'POST', '/__admin/reset')
    t.same((await call(app, 'GET', '/__admin/connection-checks')).body, [], 'reset clears the rules')
    const bad = await call(app, 'POST', '/__admin/connection-checks', {}, { type: 'postgresql' })
    t.same([bad.status, (bad.body as { key: string }).key], [422, 'validation_failed'], 'a rule needs its message')
  }
)

t.test(
  'POST /api/connections/test: nothing is stored; connection_id is the base the configuration is merged over',
  async (t) => {
    const app = await build(t)
    const before = app.store.world.counts()
    const ok = await call(app, 'POST', '/api/connections/test', J, { type: 'postgresql', configuration: postgres() })
    t.same([ok.status, ok.body], [200, undefined])
    const partial = await call(app, 'POST', '/api/connections/test', P, {
      type: 'postgresql',
      configuration: { database: 'other', password: MASK },
      connection_id: W.warehouse.id
    })
    t.equal(
      partial.status,
      200,
      'a partial configuration over the stored one, its masked secret meaning the stored value'
    )
    const invalid = await call(app, 'POST', '/api/connections/test', J, {
      type: 'postgresql',
      configuration: { hostname: 'h' }
    })
    t.same((invalid.body as { metadata: unknown }).metadata, {
      field: 'configuration.database',
      problem: 'is required'
    })
    const wrongType = await call(app, 'POST', '/api/connections/test', P, {
      type: 'mysql',
      configuration: {},
      connection_id: W.warehouse.id
    })
    t.equal(wrongType.status, 422)
    t.same(
      (
        await call(app, 'POST', '/api/connections/test', J, {
          type: 'postgresql',
          configuration: {},
          connection_id: W.warehouse.id
        })
      ).body,
      NOT_FOUND
    )
    t.same(app.store.world.counts(), before)
  }
)

t.test('secrets never leave: responses, the journal, exports and log lines', async (t) => {
  const lines: string[] = []
  const app = await build(t, {
    logger: {
      level: 'trace',
      stream: {
        write: (line: string) => {
          lines.push(line)
        }
      }
    }
  })
  const secret = 'hunter2-very-secret'
  const created = await call(app, 'POST', '/api/connections', J, {
    name: 'S3 drop',
    type: 's3',
    configuration: {
      aws_access_key_id: 'AKIA1',
      aws_secret_access_key: secret,
      s3_bucket_name: 'b',
      s3_bucket_region: 'us-east-1'
    }
  })
  const id = dataOf(created).id
  await call(app, 'POST', '/api/connections', J, {
    name: 'API',
    type: 'api',
    configuration: { url: 'https://x.example', auth_method: 'bearer', token: secret, header_value: secret }
  })
  await call(app, 'POST', '/api/connections/test', J, {
    type: 's3',
    configuration: {
      aws_access_key_id: 'AKIA1',
      aws_secret_access_key: secret,
      s3_bucket_name: 'b',
      s3_bucket_region: 'us-east-1'
    }
  })
  const responses = [
    created,
    await call(app, 'GET', `/api/connections/${id}`, J),
    await call(app, 'GET', '/api/connections', J)
  ]
  for (const res of responses) t.notMatch(JSON.stringify(res.body), secret)
  t.match(dataOf(created).configuration, { aws_secret_access_key: MASK, aws_access_key_id: 'AKIA1' })
  const journal = JSON.stringify((await call(app, 'GET', '/__admin/requests')).body)
  t.notMatch(journal, secret, 'the journal keeps no secret of a request body')
  t.match(journal, '"aws_secret_access_key":"[redacted]"')
  t.match(journal, '"header_value":"[redacted]"')
  for (const [url, shown] of [
    ['/__admin/fixtures', MASK],
    ['/__admin/fixtures?redact=true', '[redacted]']
  ] as const) {
    const exported = (await call(app, 'GET', url)).body as {
      connections: Array<{ id: string; configuration?: Record<string, unknown> }>
    }
    t.notMatch(JSON.stringify(exported), secret, url)
    t.same(exported.connections.find((c) => c.id === id)?.configuration?.aws_secret_access_key, shown, url)
  }
  t.ok(lines.length > 0, 'the logger wrote')
  t.notMatch(lines.join(''), secret, 'no log line holds the secret')
})

t.test('idempotency, faults and versions apply to the connection routes as to every other', async (t) => {
  const app = await build(t)
  const headers = { ...J, 'idempotency-key': 'create-connection-1' }
  const first = await call(app, 'POST', '/api/connections', headers, {
    name: 'Once',
    type: 'postgresql',
    configuration: postgres()
  })
  const again = await call(app, 'POST', '/api/connections', headers, {
    name: 'Once',
    type: 'postgresql',
    configuration: postgres()
  })
  t.same([again.status, again.body], [200, first.body], 'the replay answers the first outcome')
  t.equal(app.store.connections.list(W.org.id).filter((c) => c.name === 'Once').length, 1)

  await call(app, 'POST', '/__admin/faults', {}, { path: '/api/connections*', status: 503, times: 1 })
  const faulted = await call(app, 'GET', '/api/connections', J)
  t.equal(faulted.status, 503)
  t.equal((await call(app, 'GET', '/api/connections', J)).status, 200)

  const legacy = await call(app, 'GET', `/api/connections/${W.warehouse.copyId}`, {
    ...J,
    'x-polytomic-version': '2021-05-23'
  })
  t.match(legacy.body, { result: { id: W.warehouse.copyId }, error: null })
  const legacyError = await call(app, 'GET', '/api/connections/00000000-0000-4000-8000-000000000000', {
    ...J,
    'x-polytomic-version': '2021-05-23'
  })
  t.same(legacyError.body, { result: null, error: NOT_FOUND })
})

t.test('deleting an organization removes its connections and their shared copies', async (t) => {
  const app = await build(t)
  const org = dataOf(await call(app, 'POST', '/api/organizations', P, { name: 'Short-lived' }))
  const conn = dataOf(
    await call(app, 'POST', '/api/connections', P, {
      name: 'Theirs',
      type: 'postgresql',
      configuration: postgres(),
      organization_id: org.id
    })
  )
  const copy = dataOf<{ id: string }>(
    await call(app, 'POST', `/api/connections/${conn.id}/share`, P, { child_organization_id: W.org.id })
  )
  t.equal((await call(app, 'DELETE', `/api/organizations/${org.id}`, P)).status, 200)
  t.equal(app.store.connections.find(conn.id), undefined)
  t.equal(app.store.connections.find(copy.id), undefined, 'the copy in another organization went with its parent')
})
