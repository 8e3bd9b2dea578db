// Models, model syncs and jobs (partner-surface reference 7 to 9): create, read, replace, delete;
// a model on a source connection of the organization; a sync's target with the destination
// capability, its fields from the organization's models; asynchronous model writes and the jobs
// that report them; scoping. Runs are executions.test.ts's.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, apiError, bearer, build, call, createPolicy } from './helper.js'

const J = bearer(W.jane.key)
const GLOBEX = bearer(W.globex.key)
type Data = Record<string, unknown>
const dataOf = <T = Data>(res: { body: unknown }): T => (res.body as { data: T }).data

/** Users with their account's plan: a query the catalog of the warehouse answers. */
const QUERY = 'SELECT u.id, u.email, a.plan FROM users u JOIN accounts a ON a.id = u.account_id'

const model = (overrides: Data = {}): Data => ({
  name: 'Accounts',
  connection_id: W.warehouse.copyId,
  configuration: { query: QUERY },
  fields: ['id', 'email', 'plan'],
  ...overrides
})

async function createModel (app: FastifyInstance, overrides: Data = {}): Promise<string> {
  return dataOf(await call(app, 'POST', '/api/models', J, model(overrides))).id as string
}

const sync = (modelId: string, overrides: Data = {}): Data => ({
  name: 'Accounts to Snowflake',
  mode: 'updateOrCreate',
  schedule: { frequency: 'hourly', minute: '10' },
  target: { connection_id: W.analytics.id, object: 'PUBLIC.USERS', configuration: { batch: 500 } },
  fields: [
    { target: 'EMAIL', source: { model_id: modelId, field: 'email' } },
    { target: 'SOURCE', override_value: 'polytomic', new: true }
  ],
  identity: { source: { model_id: modelId, field: 'id' }, target: 'ID', function: 'Equality' },
  ...overrides
})

t.test('models: create, get, list, replace (the version counts up) and delete', async (t) => {
  const app = await build(t)
  const created = await call(
    app,
    'POST',
    '/api/models',
    J,
    model({
      additional_fields: [{ name: 'score', label: 'Score', type: 'number', example: '7' }],
      identifier: 'id',
      labels: ['crm'],
      tracking_columns: ['updated_at']
    })
  )
  t.equal(created.status, 200)
  const m = dataOf(created)
  t.match(m, {
    organization_id: W.org.id,
    name: 'Accounts',
    type: 'postgresql',
    connection_id: W.warehouse.copyId,
    configuration: { query: QUERY },
    identifier: 'id',
    labels: [{ name: 'crm' }],
    tracking_columns: ['updated_at'],
    policies: [],
    version: 1,
    created_by: { id: W.jane.id }
  })
  t.same(m.fields, [
    { id: 'id', name: 'id', label: 'id', type: 'number', remote_type: 'integer', user_added: false },
    { id: 'email', name: 'email', label: 'email', type: 'string', remote_type: 'text', user_added: false },
    { id: 'plan', name: 'plan', label: 'plan', type: 'string', remote_type: 'text', user_added: false },
    { id: 'score', name: 'score', label: 'Score', type: 'number', example: '7', user_added: true }
  ])
  t.notOk('job' in (created.body as Data), 'no job unless async=true')
  const id = m.id as string
  t.same(dataOf(await call(app, 'GET', `/api/models/${id}`, J)), m)
  t.same(
    dataOf<Data[]>(await call(app, 'GET', '/api/models', J)).map((x) => x.id),
    [id]
  )
  const replaced = dataOf(
    await call(app, 'PUT', `/api/models/${id}`, J, model({ name: 'Accounts v2', fields: ['id'] }))
  )
  t.match(replaced, { id, name: 'Accounts v2', version: 2, fields: [{ name: 'id' }] })
  t.notOk('identifier' in replaced, 'a full replacement')
  t.equal((await call(app, 'DELETE', `/api/models/${id}`, J)).status, 200)
  t.same((await call(app, 'GET', `/api/models/${id}`, J)).body, apiError(404, 'model_not_found', 'model not found'))
})

t.test(
  'models are checked: a source connection of the organization, fields named once, an identifier among them',
  async (t) => {
    const app = await build(t)
    const cases: Array<[Data, string, string]> = [
      [model({ connection_id: W.warehouse.id }), 'connection_id', 'no connection with this id in the organization'],
      [model({ fields: ['id', 'id'] }), 'fields[1]', 'duplicate field id'],
      [model({ identifier: 'emial' }), 'identifier', "is not one of the model's fields (did you mean email?)"],
      [model({ configuration: 'SELECT 1' }), 'configuration', 'must be object'],
      [model({ name: '' }), 'name', 'must not be empty'],
      [{ name: 'x', configuration: {} }, 'connection_id', 'is required']
    ]
    for (const [given, field, problem] of cases) {
      const res = await call(app, 'POST', '/api/models', J, given)
      t.same(
        [res.status, res.body],
        [422, apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem })],
        `${field}: ${problem}`
      )
    }
    t.same(dataOf(await call(app, 'GET', '/api/models', J)), [], 'nothing refused was stored')
  }
)

t.test(
  "async=true: the model is written and a job reports it, running until the runner's next turn, then done with the model",
  async (t) => {
    const app = await build(t)
    const created = await call(app, 'POST', '/api/models?async=true', J, model())
    const { data, job } = created.body as { data: Data; job: Data }
    t.match(job, { job_id: String, type: 'createmodel', status: 'running' })
    t.notOk('result' in job, 'no result while running')
    const url = `/api/jobs/createmodel/${job.job_id as string}`
    t.match(dataOf(await call(app, 'GET', url, J)), { status: /^(running|done)$/ })
    const settled = (await call(app, 'POST', '/__admin/executions/settle')).body as { jobs: number }
    t.ok(settled.jobs <= 1, 'the runner already finished it, or settle does')
    t.same(dataOf(await call(app, 'GET', url, J)), {
      job_id: job.job_id,
      type: 'createmodel',
      status: 'done',
      result: data
    })
    const update = (
      await call(app, 'PUT', `/api/models/${data.id as string}?async=true`, J, model({ name: 'Renamed' }))
    ).body as { job: Data }
    app.control.settleExecutions()
    t.match(dataOf(await call(app, 'GET', `/api/jobs/updatemodel/${update.job.job_id as string}`, J)), {
      status: 'done',
      result: { name: 'Renamed', version: 2 }
    })

    t.same(
      (await call(app, 'GET', `/api/jobs/exploded/${job.job_id as string}`, J)).body,
      apiError(
        400,
        'unknown_job_type',
        'unknown job type exploded: one of createmodel, updatemodel, previewmodel, samplemodel, exportlogs'
      )
    )
    t.same(
      (await call(app, 'GET', `/api/jobs/updatemodel/${job.job_id as string}`, J)).body,
      apiError(404, 'job_not_found', 'job not found'),
      'a job of another type'
    )
    t.equal((await call(app, 'GET', url, GLOBEX)).status, 404, "another partner's job")
  }
)

t.test('model syncs: create, get, list with filters, replace, activate and delete', async (t) => {
  const app = await build(t)
  const modelId = await createModel(app)
  const p = await createPolicy(app)
  const created = await call(app, 'POST', '/api/syncs', J, sync(modelId, { policies: [p] }))
  t.equal(created.status, 200)
  const s = dataOf(created)
  t.match(s, {
    organization_id: W.org.id,
    name: 'Accounts to Snowflake',
    mode: 'updateOrCreate',
    active: false,
    schedule: { frequency: 'hourly', minute: '10' },
    target: { connection_id: W.analytics.id, object: 'PUBLIC.USERS', configuration: { batch: 500 } },
    model_ids: [modelId],
    policies: [p],
    identity: { source: { model_id: modelId, field: 'id' }, target: 'ID', function: 'Equality' }
  })
  t.same(s.fields, [
    { target: 'EMAIL', source: { model_id: modelId, field: 'email' } },
    { target: 'SOURCE', override_value: 'polytomic', new: true }
  ])
  const id = s.id as string
  t.same(dataOf(await call(app, 'GET', `/api/syncs/${id}`, J)), s)
  const other = dataOf(
    await call(
      app,
      'POST',
      '/api/syncs',
      J,
      sync(modelId, { name: 'Append', mode: 'append', identity: undefined, active: true })
    )
  ).id
  // The whole list of the versions before 2025-09-18 (test/wire-2025-09-18.test.ts pages 2025-09-18's).
  const list = async (query: string): Promise<unknown[]> =>
    dataOf<Data[]>(await call(app, 'GET', `/api/syncs${query}`, { ...J, 'x-polytomic-version': '2024-02-08' })).map(
      (x) => x.id
    )
  t.same(await list(''), [id, other])
  t.same(await list('?active=true'), [other])
  t.same(await list('?mode=updateOrCreate'), [id])
  t.same(await list(`?target_connection_id=${W.analytics.id}`), [id, other])
  t.same(await list('?target_connection_id=00000000-0000-4000-8000-000000000000'), [])

  const replaced = dataOf(
    await call(
      app,
      'PUT',
      `/api/syncs/${id}`,
      J,
      sync(modelId, { name: 'Replaced', mode: 'create', identity: undefined, schedule: {} })
    )
  )
  t.match(replaced, { id, name: 'Replaced', mode: 'create', active: false, schedule: {} })
  t.notOk('identity' in replaced, 'a full replacement')
  t.same(dataOf(await call(app, 'POST', `/api/syncs/${id}/activate`, J, { active: true })), { id, active: true })
  t.equal((await call(app, 'DELETE', `/api/syncs/${id}`, J)).status, 200)
  t.same((await call(app, 'GET', `/api/syncs/${id}`, J)).body, apiError(404, 'sync_not_found', 'sync not found'))
})

t.test(
  'model syncs are checked: a destination of the organization, fields from its models, an identity for matching modes',
  async (t) => {
    const app = await build(t)
    const modelId = await createModel(app)
    const foreign = dataOf(
      await call(app, 'POST', '/api/connections', GLOBEX, {
        name: 'Globex PG',
        type: 'postgresql',
        configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
      })
    ).id as string
    const cases: Array<[Data, string, string]> = [
      [
        sync(modelId, { target: { connection_id: foreign } }),
        'target.connection_id',
        'no connection with this id in the organization'
      ],
      [
        sync(modelId, { fields: [{ target: 'X', source: { model_id: modelId, field: 'emails' } }] }),
        'fields[0].source.field',
        'is not a field of model Accounts (did you mean email?)'
      ],
      [
        sync(modelId, {
          fields: [{ target: 'X', source: { model_id: '00000000-0000-4000-8000-000000000000', field: 'id' } }]
        }),
        'fields[0].source.model_id',
        'no model with this id in the organization'
      ],
      [
        sync(modelId, { fields: [{ target: 'X' }] }),
        'fields[0]',
        'needs a source (model_id and field) or an override_value'
      ],
      [sync(modelId, { fields: [] }), 'fields', 'must map at least one field'],
      [
        sync(modelId, { identity: undefined }),
        'identity',
        'is required for mode updateOrCreate: it says how records are matched'
      ],
      [
        sync(modelId, { identity: { source: { model_id: modelId, field: 'id' }, target: 'ID', function: 'Fuzzy' } }),
        'identity.function',
        'must be one of Equality, ISubstring, OneOf, DomainMatch, HostnameMatch'
      ],
      [
        sync(modelId, { mode: 'upsert' }),
        'mode',
        'must be one of create, update, updateOrCreate, replace, append, remove, snapshot'
      ],
      [
        sync(modelId, { schedule: { frequency: 'hourly', minute: '60' } }),
        'schedule.minute',
        'must be a number from 0 to 59, or "*"'
      ],
      [
        sync(modelId, { filters: [{ field: { model_id: modelId, field: 'nope' }, function: 'IsNull' }] }),
        'filters[0].field.field',
        'is not a field of model Accounts'
      ]
    ]
    for (const [given, field, problem] of cases) {
      const res = await call(app, 'POST', '/api/syncs', J, given)
      t.same(
        [res.status, (res.body as Data).key, (res.body as { metadata: Data }).metadata.field],
        [422, 'validation_failed', field],
        `${field}: ${problem}`
      )
      t.match((res.body as { metadata: Data }).metadata.problem, problem)
    }
    t.same(dataOf(await call(app, 'GET', '/api/syncs', J)), [], 'nothing refused was stored')
  }
)

t.test('a model a sync reads cannot be deleted (422 naming the syncs); once the sync is gone it can', async (t) => {
  const app = await build(t)
  const modelId = await createModel(app)
  const syncId = dataOf(await call(app, 'POST', '/api/syncs', J, sync(modelId))).id as string
  const refused = await call(app, 'DELETE', `/api/models/${modelId}`, J)
  t.same(
    [refused.status, refused.body],
    [
      422,
      apiError(422, 'model_in_use', 'model in use: a sync uses it; delete or change the sync first', {
        syncs: [syncId]
      })
    ]
  )
  await call(app, 'PUT', `/api/syncs/${syncId}`, J, sync(await createModel(app, { name: 'Other' })))
  t.equal((await call(app, 'DELETE', `/api/models/${modelId}`, J)).status, 200, 'a replaced sync no longer reads it')
})

t.test("partner keys act on their organizations; anyone else's model or model sync is a 404", async (t) => {
  const app = await build(t)
  const modelId = await createModel(app)
  const syncId = dataOf(await call(app, 'POST', '/api/syncs', J, sync(modelId))).id as string
  const viaPartner = await call(
    app,
    'POST',
    '/api/models',
    bearer(W.acme.key),
    model({ organization_id: W.org.id, name: 'By partner' })
  )
  t.match(dataOf(viaPartner), { organization_id: W.org.id, created_by: { type: 'partner' } })
  for (const [method, path, sent] of [
    ['GET', `/api/models/${modelId}`],
    ['PUT', `/api/models/${modelId}`, model()],
    ['DELETE', `/api/models/${modelId}`],
    ['GET', `/api/syncs/${syncId}`],
    ['PUT', `/api/syncs/${syncId}`, sync(modelId)],
    ['DELETE', `/api/syncs/${syncId}`],
    ['POST', `/api/syncs/${syncId}/activate`, { active: true }],
    ['POST', `/api/syncs/${syncId}/cancel`],
    ['POST', `/api/syncs/${syncId}/executions`, {}],
    ['GET', `/api/syncs/${syncId}/executions`],
    ['GET', `/api/syncs/${syncId}/status`]
  ] as Array<[string, string, Data?]>) {
    const res = await call(app, method, path, GLOBEX, sent)
    t.same(
      [res.status, (res.body as Data).key],
      [404, path.startsWith('/api/models') ? 'model_not_found' : 'sync_not_found'],
      `${method} ${path} by an outsider`
    )
  }
  t.same(dataOf(await call(app, 'GET', '/api/syncs', GLOBEX)), [], 'lists show only what is in reach')
  t.equal(app.store.executions.count(syncId), 0, 'no outsider started a run')
})
