import t from 'tap'
import { W, basic, bearer, build, call } from './helper.js'

interface Policy {
  id: string
  name: string
  organization_id: string
  policy_actions: Array<{ action: string; role_ids: string[] }>
  system: boolean
}

const data = <T>(res: { body: unknown }): T => (res.body as { data: T }).data

t.test('policies: create, list, get, update and delete, in the caller organization', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const created = await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'Analysts read',
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId.toUpperCase()] }]
  })
  t.equal(created.status, 200)
  const policy = data<Policy>(created)
  t.same(policy, {
    id: policy.id,
    name: 'Analysts read',
    organization_id: W.org.id,
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }],
    system: false
  }, 'role ids come back canonical')

  t.same(data<Policy[]>(await call(app, 'GET', '/api/permissions/policies', jane)), [policy])
  t.same(data<Policy>(await call(app, 'GET', `/api/permissions/policies/${policy.id}`, jane)), policy)
  const updated = await call(app, 'PUT', `/api/permissions/policies/${policy.id}`, jane, {
    name: 'Analysts write',
    policy_actions: [{ action: 'update', role_ids: [W.org.analystRoleId] }]
  })
  t.equal(updated.status, 200)
  t.same(data<Policy>(updated).policy_actions, [{ action: 'update', role_ids: [W.org.analystRoleId] }], 'replaced')

  // The same name again is a conflict; another organization cannot see it.
  const again = await call(app, 'POST', '/api/permissions/policies', jane, { name: 'analysts WRITE' })
  t.equal(again.status, 409)
  t.match(again.body, { key: 'policy_name_taken' })
  const globex = await call(app, 'GET', `/api/permissions/policies/${policy.id}`, bearer(W.globex.adminKey))
  t.equal(globex.status, 404)
  t.match(globex.body, { key: 'policy_not_found' })

  t.equal((await call(app, 'DELETE', `/api/permissions/policies/${policy.id}`, jane)).status, 200)
  t.equal((await call(app, 'GET', `/api/permissions/policies/${policy.id}`, jane)).status, 404)
})

t.test('a policy names actions it knows and roles of its organization; a member cannot change policies', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const unknown = await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'x',
    policy_actions: [{ action: 'raed' }]
  })
  t.equal(unknown.status, 422)
  t.match(unknown.body, { metadata: { field: 'policy_actions[0].action', problem: /did you mean read/ } })
  const foreignRole = await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'x',
    policy_actions: [{ action: 'read', role_ids: [W.globex.customerAdminRoleId] }]
  })
  t.equal(foreignRole.status, 422)
  t.match(foreignRole.body, { metadata: { field: 'policy_actions[0].role_ids[0]' } })
  const member = await call(app, 'POST', '/api/permissions/policies', bearer(W.john.key), { name: 'mine' })
  t.equal(member.status, 403)
  t.match(member.body, { key: 'admin_role_required' })
  t.equal((await call(app, 'GET', '/api/permissions/policies', bearer(W.john.key))).status, 200, 'but reads them')
})

t.test('partner, deployment and organization keys reach policies as they reach roles', async (t) => {
  const app = await build(t)
  const asPartner = await call(app, 'POST', '/api/permissions/policies', bearer(W.acme.key), {
    name: 'From the partner',
    organization_id: W.org.id
  })
  t.equal(asPartner.status, 200)
  t.equal(data<Policy>(asPartner).organization_id, W.org.id)
  const scoped = await call(app, 'GET', '/api/permissions/policies', basic(W.org.id, W.acme.key))
  t.same(data<Policy[]>(scoped).map((p) => p.name), ['From the partner'])
  const deployment = await call(app, 'GET', '/api/permissions/policies', bearer(W.deploymentKey))
  t.equal(deployment.status, 400, 'an unscoped deployment key names an organization')
  const other = await call(app, 'GET', `/api/permissions/policies?organization_id=${W.globex.customerOrgId}`, bearer(W.acme.key))
  t.equal(other.status, 404, "another partner's organization is out of reach")
  t.equal((await call(app, 'GET', '/api/permissions/policies', bearer(W.org.orgKey))).status, 200)
})

t.test('resources name existing policies, and what a policy grants is enforced for users', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const john = bearer(W.john.key)
  const connection = data<{ configuration: Record<string, unknown> }>(
    await call(app, 'GET', `/api/connections/${W.analytics.id}`, jane)
  )
  const missing = await call(app, 'PUT', `/api/connections/${W.analytics.id}`, jane, {
    name: W.analytics.name,
    configuration: connection.configuration,
    policies: ['00000000-0000-4000-8000-000000000009']
  })
  t.equal(missing.status, 422)
  t.match(missing.body, { metadata: { field: 'policies[0]' } })

  const policy = data<Policy>(await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'Analysts read',
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }]
  }))
  const named = await call(app, 'PUT', `/api/connections/${W.analytics.id}`, jane, {
    name: W.analytics.name,
    configuration: connection.configuration,
    policies: [policy.id]
  })
  t.equal(named.status, 200, JSON.stringify(named.body))

  // John has no role the policy grants anything to: refused. Given Analyst, he reads, but cannot update.
  const refused = await call(app, 'GET', `/api/connections/${W.analytics.id}`, john)
  t.equal(refused.status, 403)
  t.match(refused.body, { key: 'policy_denied', metadata: { action: 'read', policies: [policy.id] } })
  const withAnalyst = await call(app, 'PUT', `/api/organizations/${W.org.id}/users/${W.john.id}`, bearer(W.acme.key), {
    email: W.john.email,
    role_ids: [W.org.analystRoleId]
  })
  t.equal(withAnalyst.status, 200, JSON.stringify(withAnalyst.body))
  t.equal((await call(app, 'GET', `/api/connections/${W.analytics.id}`, john)).status, 200)
  const write = await call(app, 'PUT', `/api/connections/${W.analytics.id}`, john, {
    name: 'Renamed',
    configuration: connection.configuration
  })
  t.equal(write.status, 403)
  t.match(write.body, { metadata: { action: 'update' } })
  t.equal((await call(app, 'GET', `/api/connections/${W.analytics.id}`, jane)).status, 200, 'an admin passes')
  t.equal((await call(app, 'GET', `/api/connections/${W.analytics.id}`, bearer(W.org.orgKey))).status, 200)

  // Deleting the policy takes it out of the connection: what it granted (and held back) is gone with it.
  t.equal((await call(app, 'DELETE', `/api/permissions/policies/${policy.id}`, jane)).status, 200)
  const after = await call(app, 'GET', `/api/connections/${W.analytics.id}`, john)
  t.equal(after.status, 200)
  t.same(data<{ policies: string[] }>(after).policies, [])
})

t.test('a deleted role no longer appears in the policies that granted it an action', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const policy = data<Policy>(await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'p',
    policy_actions: [{ action: 'delete', role_ids: [W.org.analystRoleId, W.org.adminRoleId] }]
  }))
  t.equal((await call(app, 'DELETE', `/api/permissions/roles/${W.org.analystRoleId}`, jane)).status, 200)
  const after = data<Policy>(await call(app, 'GET', `/api/permissions/policies/${policy.id}`, jane))
  t.same(after.policy_actions, [{ action: 'delete', role_ids: [W.org.adminRoleId] }])
})

t.test('policies and subscribers go through export, reset, snapshots and tenant deletion', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const policy = data<Policy>(await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'Kept',
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }]
  }))
  await call(app, 'PUT', '/api/notifications/global-error-subscribers', jane, { emails: ['ops@example.com'] })
  const exported = (await call(app, 'GET', '/__admin/fixtures')).body as Record<string, unknown>
  t.same(exported.policies, [{
    id: policy.id,
    organization_id: W.org.id,
    name: 'Kept',
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }]
  }])
  t.same(exported.error_subscribers, [{ organization_id: W.org.id, emails: ['ops@example.com'] }])
  t.equal((await call(app, 'POST', '/__admin/snapshots', {}, { name: 'with' })).status, 201)
  t.equal((await call(app, 'POST', '/__admin/reset')).status, 200)
  t.same(data<Policy[]>(await call(app, 'GET', '/api/permissions/policies', jane)), [], 'reset drops it')
  t.same((await call(app, 'GET', '/api/notifications/global-error-subscribers', jane)).body, { emails: [] })
  t.equal((await call(app, 'POST', '/__admin/snapshots/with/restore')).status, 200)
  t.equal(data<Policy[]>(await call(app, 'GET', '/api/permissions/policies', jane)).length, 1, 'restore brings it')
  t.equal((await call(app, 'PUT', '/__admin/fixtures', {}, exported)).status, 200, 'and the export loads back')
  t.same(data<Policy[]>(await call(app, 'GET', '/api/permissions/policies', jane)).map((p) => p.id), [policy.id])
  t.equal((await call(app, 'DELETE', `/__admin/tenants/${W.acme.partnerId}`)).status, 200)
  t.equal(app.store.db.prepare('SELECT count(*) AS n FROM policies').pluck().get(), 0, "the tenant's go with it")
})

t.test('a bulk sync and a model that name a policy hold users to it, their runs and logs included', async (t) => {
  const app = await build(t)
  const jane = bearer(W.jane.key)
  const john = bearer(W.john.key)
  const policy = data<Policy>(await call(app, 'POST', '/api/permissions/policies', jane, {
    name: 'Analysts read',
    policy_actions: [{ action: 'read', role_ids: [W.org.analystRoleId] }]
  }))
  const bulk = data<Record<string, unknown>>(await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}`, jane))
  const guarded = await call(app, 'PUT', `/api/bulk/syncs/${W.bulkSync.id}`, jane, {
    name: bulk.name,
    source_connection_id: bulk.source_connection_id,
    destination_connection_id: bulk.destination_connection_id,
    destination_configuration: bulk.destination_configuration,
    default_schedule: { frequency: 'manual' },
    policies: [policy.id]
  })
  t.equal(guarded.status, 200, JSON.stringify(guarded.body))
  const model = data<{ id: string }>(await call(app, 'POST', '/api/models', jane, {
    name: 'Users',
    connection_id: W.warehouse.copyId,
    configuration: { table: 'public.users' },
    policies: [policy.id]
  }))
  const logs = `/api/bulk/syncs/${W.bulkSync.id}/executions/${W.bulkSync.executionId}/logs`
  for (const url of [`/api/bulk/syncs/${W.bulkSync.id}`, logs, `/api/models/${model.id}`]) {
    t.match((await call(app, 'GET', url, john)).body, { status: 403, key: 'policy_denied' }, `${url}: no role granted`)
  }
  await call(app, 'PUT', `/api/organizations/${W.org.id}/users/${W.john.id}`, bearer(W.acme.key), {
    email: W.john.email,
    role_ids: [W.org.analystRoleId]
  })
  for (const url of [`/api/bulk/syncs/${W.bulkSync.id}`, logs, `/api/models/${model.id}`]) {
    t.equal((await call(app, 'GET', url, john)).status, 200, `${url}: read is granted`)
  }
  const start = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, john, {})
  t.match(start.body, { status: 403, metadata: { action: 'update' } }, 'starting a run is an update')
  const remove = await call(app, 'DELETE', `/api/models/${model.id}`, john)
  t.match(remove.body, { status: 403, metadata: { action: 'delete' } })
  t.equal((await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, jane, {})).status, 200, 'admins pass')
})
