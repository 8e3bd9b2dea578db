import t from 'tap'
import { PACKAGE_VERSION } from '../../src/core/package-info.js'
import { JANE, W, apiError, bearer, build, call } from '../helper.js'

const P = bearer(W.acme.key)
const usersUrl = `/api/organizations/${W.org.id}/users`

/** A sequence of writes touching every table. */
async function scribble (app: Parameters<typeof call>[0]): Promise<void> {
  await call(app, 'POST', usersUrl, P, { email: 'new@example.com', role: 'admin' })
  await call(app, 'DELETE', `${usersUrl}/${W.john.id}`, P)
  await call(app, 'PUT', `${usersUrl}/${W.jane.id}`, P, { email: W.jane.email, role_ids: [W.org.analystRoleId] })
  await call(app, 'POST', `${usersUrl}/${W.jane.id}/keys?force=true`, P)
  await call(app, 'POST', '/api/organizations', P, { name: 'Scribble Co' })
  await call(app, 'DELETE', `/api/organizations/${W.globex.customerOrgId}`, bearer(W.globex.key))
  await call(app, 'POST', '/api/permissions/roles', bearer(W.org.orgKey), { name: 'Extra' })
}

t.test('GET /__admin/health reports ok, the package version and uptime', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/__admin/health')
  t.equal(res.status, 200)
  const body = res.body as { status: string; version: string; uptime_s: number; token_required: boolean }
  t.same(Object.keys(body).sort(), ['status', 'token_required', 'uptime_s', 'version'])
  t.equal(body.token_required, false)
  t.same([body.status, body.version], ['ok', PACKAGE_VERSION])
  t.ok(Number.isInteger(body.uptime_s) && body.uptime_s >= 0 && body.uptime_s < 60, `uptime_s ${body.uptime_s}`)
  t.equal(res.headers['x-polytomic-version'], undefined)
})

t.test('GET /__admin/fixtures exports the world in the fixture format', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/__admin/fixtures')
  t.equal(res.status, 200)
  const doc = res.body as Record<string, Array<Record<string, unknown>>>
  t.same(doc.deployment_keys, [W.deploymentKey])
  t.same(
    doc.partners?.map((p) => p.key),
    [W.acme.key, W.globex.key]
  )
  t.same(doc.users?.[0], {
    id: W.jane.id,
    organization_id: W.org.id,
    email: W.jane.email,
    role_ids: [W.org.adminRoleId]
  })
  t.same(doc.organizations?.[1], {
    id: W.org.id,
    name: 'My Organization',
    partner_id: W.acme.partnerId,
    sso_domain: 'polytomic.com',
    sso_org_id: 'org_123456'
  })
  t.ok(
    doc.roles?.some((r) => r.id === W.org.memberRoleId && r.system === true),
    'derived system roles are exported with their ids'
  )
  t.same(doc.api_keys?.[0], { key: W.jane.key, organization_id: W.org.id, user_id: W.jane.id })
})

t.test('a minted key is exported as its digest and survives a round trip', async (t) => {
  const app = await build(t)
  const minted = ((await call(app, 'POST', `${usersUrl}/${W.jane.id}/keys`, P)).body as { data: { value: string } })
    .data.value
  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as { api_keys: Array<Record<string, string>> }
  const entry = exported.api_keys.at(-1) as Record<string, string>
  t.same(Object.keys(entry).sort(), ['key_sha256', 'organization_id', 'user_id'])
  t.notOk(JSON.stringify(exported).includes(minted), 'the value is not exported')
  const other = await build(t, { fixtures: {} })
  const put = await call(other, 'PUT', '/__admin/fixtures', {}, exported)
  t.equal(put.status, 200)
  t.equal(
    (await call(other, 'GET', '/api/me', bearer(minted))).status,
    200,
    'the minted key works in the imported world'
  )
  t.same((await call(other, 'GET', '/__admin/fixtures')).body, exported, 'export, import, export is stable')
})

t.test('POST /__admin/reset after a sequence of writes gives back exactly the fixture world', async (t) => {
  const app = await build(t)
  const before = (await call(app, 'GET', '/__admin/fixtures')).body
  await scribble(app)
  t.not(
    JSON.stringify((await call(app, 'GET', '/__admin/fixtures')).body),
    JSON.stringify(before),
    'the writes changed the world'
  )
  await call(app, 'POST', '/__admin/faults', {}, { path: '/api/me', status: 500 })
  const reset = await call(app, 'POST', '/__admin/reset')
  t.equal(reset.status, 200)
  t.same(reset.body, {
    status: 'ok',
    counts: {
      partners: 2,
      organizations: 4,
      roles: 9,
      users: 4,
      user_roles: 4,
      api_keys: 4,
      deployment_keys: 1,
      connection_types: 0,
      connections: 3,
      connection_catalogs: 0,
      policies: 0,
      proxy_calls: 0,
      error_subscribers: 0,
      notifications: 0,
      webhooks: 0,
      events: 0,
      models: 0,
      model_syncs: 0,
      model_sync_models: 0,
      bulk_syncs: 1,
      bulk_sync_schemas: 3,
      bulk_sync_schedules: 0,
      executions: 1,
      jobs: 0
    }
  })
  t.same((await call(app, 'GET', '/__admin/requests')).body, [], 'the journal is cleared')
  t.same((await call(app, 'GET', '/__admin/faults')).body, [], 'fault rules are cleared')
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, before)
  t.same((await call(app, 'GET', `${usersUrl}/${W.jane.id}`, P)).body, { data: JANE })
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 200, 'the revoked fixture key is back')
})

t.test('PUT /__admin/fixtures replaces the world atomically and becomes the reset baseline', async (t) => {
  const app = await build(t)
  const ORG = '11111111-1111-4111-8111-111111111111'
  const PARTNER = '22222222-2222-4222-8222-222222222222'
  const doc = {
    partners: [{ id: PARTNER, name: 'P', key: 'p-key', organization_id: ORG }],
    organizations: [{ id: ORG, name: 'Org', partner_id: PARTNER }]
  }
  const res = await call(app, 'PUT', '/__admin/fixtures', {}, doc)
  t.equal(res.status, 200)
  t.equal((await call(app, 'GET', '/api/me', P)).status, 401, 'the old world is gone')
  t.equal((await call(app, 'GET', `/api/organizations/${ORG}/users`, bearer('p-key'))).status, 200)
  await call(app, 'POST', `/api/organizations/${ORG}/users`, bearer('p-key'), { email: 'a@example.com' })
  await call(app, 'POST', '/__admin/reset')
  t.same(
    (await call(app, 'GET', `/api/organizations/${ORG}/users`, bearer('p-key'))).body,
    { data: [] },
    'reset returns to the new fixtures'
  )
})

t.test('PUT /__admin/fixtures rejects a bad document with 422 naming the entry, and changes nothing', async (t) => {
  const app = await build(t)
  const before = (await call(app, 'GET', '/__admin/fixtures')).body
  const broken = JSON.parse(JSON.stringify(before)) as { users: Array<Record<string, unknown>> }
  ;(broken.users[2] as Record<string, unknown>).email = 'nope'
  const res = await call(app, 'PUT', '/__admin/fixtures', {}, broken)
  t.equal(res.status, 422)
  t.same(
    res.body,
    apiError(422, 'invalid_fixtures', '<request body>: users[2].email: must be an email address', {
      path: 'users[2].email',
      problem: 'must be an email address'
    })
  )
  const schema = await call(app, 'PUT', '/__admin/fixtures', {}, { users: 'none' })
  t.same(
    schema.body,
    apiError(422, 'invalid_fixtures', '<request body>: users: must be array', {
      path: 'users',
      problem: 'must be array'
    })
  )
  const notJson = await call(app, 'PUT', '/__admin/fixtures', {}, '{"users": [')
  t.equal(notJson.status, 400)
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'nothing changed')
})

t.test('snapshots: save, write, restore gives back the snapshot; list and delete', async (t) => {
  const app = await build(t)
  await call(app, 'POST', usersUrl, P, { email: 'before.snapshot@example.com' })
  const saved = await call(app, 'POST', '/__admin/snapshots', {}, { name: 'checkpoint-1' })
  t.equal(saved.status, 201)
  t.match(saved.body, { name: 'checkpoint-1', created_at: String, counts: { users: 5 } })
  const atSnapshot = (await call(app, 'GET', '/__admin/fixtures')).body
  await scribble(app)
  const restored = await call(app, 'POST', '/__admin/snapshots/checkpoint-1/restore')
  t.equal(restored.status, 200)
  t.match(restored.body, { status: 'ok', name: 'checkpoint-1', counts: { users: 5 } })
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, atSnapshot)
  const created = await call(app, 'POST', usersUrl, P, { email: 'after.restore@example.com' })
  t.equal(created.status, 200, 'writes work after a restore')
  t.match((await call(app, 'GET', '/__admin/snapshots')).body, [{ name: 'checkpoint-1', created_at: String }])
  t.equal(
    (await call(app, 'POST', '/__admin/snapshots', {}, { name: 'checkpoint-1' })).status,
    201,
    'saving under the same name replaces it'
  )
  t.equal(
    (await call(app, 'GET', '/__admin/snapshots')).body &&
      ((await call(app, 'GET', '/__admin/snapshots')).body as unknown[]).length,
    1
  )
  const deleted = await call(app, 'DELETE', '/__admin/snapshots/checkpoint-1')
  t.same(deleted.body, { status: 'ok', name: 'checkpoint-1' })
  const unknown = await call(app, 'POST', '/__admin/snapshots/checkpoint-1/restore')
  t.equal(unknown.status, 404)
  t.same(unknown.body, apiError(404, 'snapshot_not_found', 'no snapshot with this name'))
  t.equal((await call(app, 'DELETE', '/__admin/snapshots/checkpoint-1')).status, 404)
})

t.test('snapshots: names are validated', async (t) => {
  const app = await build(t)
  for (const body of [{}, { name: '' }, { name: 'has space' }, { name: 'x'.repeat(101) }, { name: 5 }]) {
    const res = await call(app, 'POST', '/__admin/snapshots', {}, body)
    t.equal(res.status, 422, JSON.stringify(body))
    t.match(res.body, { status: 422, key: 'validation_failed', message: /^name: / })
  }
})

t.test('a restore brings back a world of thousands of rows, and their role links', async (t) => {
  const app = await build(t)
  app.store.transaction(() => {
    for (let i = 0; i < 3000; i++) app.store.users.create(W.org.id, { email: `bulk${i}@example.com` })
  })
  await call(app, 'POST', '/__admin/snapshots', {}, { name: 'big' })
  await call(app, 'POST', '/__admin/reset')
  const res = await call(app, 'POST', '/__admin/snapshots/big/restore')
  t.equal(res.status, 200)
  t.match(res.body, { counts: { users: 3004, user_roles: 3004 } })
  const listed = (await call(app, 'GET', `/api/organizations/${W.org.id}/users`, bearer(W.acme.key))).body as {
    data: Array<{ email: string }>
  }
  t.equal(listed.data.length, 3002, 'the restored users are served')
  t.ok(listed.data.some((u) => u.email === 'bulk2999@example.com'))
})
