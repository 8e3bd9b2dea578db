import t from 'tap'
import { W, apiError, basic, bearer, build, call } from './helper.js'

const ADMIN = { id: W.org.adminRoleId, name: 'Admin', organization_id: W.org.id, system: true }
const MEMBER = { id: W.org.memberRoleId, name: 'Member', organization_id: W.org.id, system: true }
const ANALYST = { id: W.org.analystRoleId, name: 'Analyst', organization_id: W.org.id, system: false }
const P = bearer(W.acme.key)
const J = bearer(W.jane.key)
const ROLE_NOT_FOUND = apiError(404, 'role_not_found', 'role not found')

t.test("GET roles lists the caller's organization's roles, system roles first", async (t) => {
  const app = await build(t)
  for (const headers of [
    J,
    bearer(W.john.key),
    bearer(W.org.orgKey),
    basic(W.org.id, W.acme.key),
    basic(W.org.id, W.deploymentKey)
  ]) {
    const res = await call(app, 'GET', '/api/permissions/roles', headers)
    t.equal(res.status, 200)
    t.same(res.body, { data: [ADMIN, MEMBER, ANALYST] })
  }
  const named = await call(app, 'GET', `/api/permissions/roles?organization_id=${W.org.id}`, J)
  t.same(named.body, { data: [ADMIN, MEMBER, ANALYST] }, 'naming its own organization is fine')
})

t.test('GET roles: a Bearer partner or deployment key must name the organization', async (t) => {
  const app = await build(t)
  for (const key of [W.acme.key, W.deploymentKey]) {
    const missing = await call(app, 'GET', '/api/permissions/roles', bearer(key))
    t.equal(missing.status, 400)
    t.same(missing.body, apiError(400, 'organization_id_required', 'organization_id is required for this credential'))
    const named = await call(app, 'GET', `/api/permissions/roles?organization_id=${W.org.id}`, bearer(key))
    t.same(named.body, { data: [ADMIN, MEMBER, ANALYST] })
  }
  const outOfReach = await call(app, 'GET', `/api/permissions/roles?organization_id=${W.org.id}`, bearer(W.globex.key))
  t.equal(outOfReach.status, 404)
  t.same(outOfReach.body, apiError(404, 'organization_not_found', 'organization not found'))
  const otherOrg = await call(app, 'GET', `/api/permissions/roles?organization_id=${W.globex.customerOrgId}`, J)
  t.equal(otherOrg.status, 404, 'an API key cannot name another organization')
})

t.test('POST roles creates a custom role; names are unique per organization', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', '/api/permissions/roles', J, { name: ' Viewer ' })
  t.equal(res.status, 200)
  const id = (res.body as { data: { id: string } }).data.id
  t.same(res.body, { data: { id, name: 'Viewer', organization_id: W.org.id, system: false } })
  t.same((await call(app, 'GET', `/api/permissions/roles/${id}`, J)).body, res.body)
  for (const name of ['viewer', 'ADMIN', 'member']) {
    const dup = await call(app, 'POST', '/api/permissions/roles', J, { name })
    t.equal(dup.status, 409, name)
    t.same(
      dup.body,
      apiError(409, 'role_name_taken', 'a role with this name already exists in the organization', { field: 'name' })
    )
  }
  const partner = await call(app, 'POST', '/api/permissions/roles', P, {
    name: 'Viewer',
    organization_id: W.acme.ownerOrgId
  })
  t.equal(partner.status, 200, 'the same name in another organization is fine')
  t.match(partner.body, { data: { organization_id: W.acme.ownerOrgId } })
})

t.test('POST roles: validation, organization and admin rules', async (t) => {
  const app = await build(t)
  const noName = await call(app, 'POST', '/api/permissions/roles', J, {})
  t.same(
    noName.body,
    apiError(422, 'validation_failed', 'name: is required', { field: 'name', problem: 'is required' })
  )
  t.equal((await call(app, 'POST', '/api/permissions/roles', J, { name: '' })).status, 422)
  t.equal(
    (await call(app, 'POST', '/api/permissions/roles', P, { name: 'X' })).status,
    400,
    'a Bearer partner key needs organization_id'
  )
  t.equal(
    (await call(app, 'POST', '/api/permissions/roles', bearer(W.globex.key), { name: 'X', organization_id: W.org.id }))
      .status,
    404
  )
  const member = await call(app, 'POST', '/api/permissions/roles', bearer(W.john.key), { name: 'X' })
  t.equal(member.status, 403)
  t.same(member.body, apiError(403, 'admin_role_required', 'this operation requires an admin user'))
  t.equal(
    (await call(app, 'POST', '/api/permissions/roles', bearer(W.org.orgKey), { name: 'X' })).status,
    200,
    'an organization key counts as admin'
  )
})

t.test('GET role by id: 404 for unknown ids and roles out of reach', async (t) => {
  const app = await build(t)
  t.same((await call(app, 'GET', `/api/permissions/roles/${W.org.analystRoleId}`, P)).body, { data: ANALYST })
  t.same((await call(app, 'GET', `/api/permissions/roles/${W.org.analystRoleId}`, bearer(W.john.key))).body, {
    data: ANALYST
  })
  for (const [headers, id] of [
    [J, '00000000-0000-4000-8000-000000000000'],
    [J, 'nope'],
    [bearer(W.globex.key), W.org.analystRoleId],
    [bearer(W.globex.adminKey), W.org.adminRoleId],
    [basic(W.acme.ownerOrgId, W.acme.key), W.org.analystRoleId]
  ] as const) {
    const res = await call(app, 'GET', `/api/permissions/roles/${id}`, headers)
    t.equal(res.status, 404)
    t.same(res.body, ROLE_NOT_FOUND)
  }
})

t.test('PUT and PATCH role rename a custom role', async (t) => {
  const app = await build(t)
  const url = `/api/permissions/roles/${W.org.analystRoleId}`
  const put = await call(app, 'PUT', url, J, { name: 'Data Analyst' })
  t.same(put.body, { data: { ...ANALYST, name: 'Data Analyst' } })
  const patch = await call(app, 'PATCH', url, P, { name: 'Analyst', organization_id: W.org.id })
  t.same(patch.body, { data: ANALYST })
  t.equal((await call(app, 'PUT', url, J, { name: 'admin' })).status, 409)
  t.equal(
    (await call(app, 'PUT', url, J, { name: 'ANALYST' })).status,
    200,
    'renaming to itself in another case is fine'
  )
  t.equal((await call(app, 'PUT', url, J, {})).status, 422)
  const moved = await call(app, 'PUT', url, P, { name: 'X', organization_id: W.acme.ownerOrgId })
  t.equal(moved.status, 404, 'a role does not move to another organization')
  t.same(moved.body, ROLE_NOT_FOUND)
  t.equal((await call(app, 'PUT', url, bearer(W.john.key), { name: 'X' })).status, 403)
  t.equal((await call(app, 'PUT', url, bearer(W.globex.key), { name: 'X' })).status, 404)
})

t.test('system roles cannot be updated or deleted', async (t) => {
  const app = await build(t)
  for (const id of [W.org.adminRoleId, W.org.memberRoleId]) {
    const put = await call(app, 'PUT', `/api/permissions/roles/${id}`, J, { name: 'Boss' })
    t.equal(put.status, 403)
    t.same(put.body, apiError(403, 'system_role_protected', 'system roles cannot be modified or deleted'))
    const del = await call(app, 'DELETE', `/api/permissions/roles/${id}`, J)
    t.equal(del.status, 403)
    t.same(del.body, apiError(403, 'system_role_protected', 'system roles cannot be modified or deleted'))
  }
  t.same((await call(app, 'GET', '/api/permissions/roles', J)).body, { data: [ADMIN, MEMBER, ANALYST] })
})

t.test('DELETE role removes it from users; a user left with no role falls back to Member', async (t) => {
  const app = await build(t)
  const users = `/api/organizations/${W.org.id}/users`
  const onlyAnalyst = (
    (await call(app, 'POST', users, P, { email: 'a@example.com', role_ids: [W.org.analystRoleId] })).body as {
      data: { id: string }
    }
  ).data.id
  const adminAnalyst = (
    (await call(app, 'POST', users, P, { email: 'b@example.com', role_ids: [W.org.analystRoleId, W.org.adminRoleId] }))
      .body as { data: { id: string } }
  ).data.id
  const res = await app.inject({ method: 'DELETE', url: `/api/permissions/roles/${W.org.analystRoleId}`, headers: J })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '')
  t.match((await call(app, 'GET', `${users}/${onlyAnalyst}`, P)).body, {
    data: { role: 'user', role_ids: [W.org.memberRoleId] }
  })
  t.match((await call(app, 'GET', `${users}/${adminAnalyst}`, P)).body, {
    data: { role: 'admin', role_ids: [W.org.adminRoleId] }
  })
  const again = await call(app, 'DELETE', `/api/permissions/roles/${W.org.analystRoleId}`, J)
  t.equal(again.status, 404)
  t.same(again.body, ROLE_NOT_FOUND)
  t.same((await call(app, 'GET', '/api/permissions/roles', J)).body, { data: [ADMIN, MEMBER] })
})

t.test('DELETE role needs an admin and reach', async (t) => {
  const app = await build(t)
  const url = `/api/permissions/roles/${W.org.analystRoleId}`
  t.equal((await call(app, 'DELETE', url, bearer(W.john.key))).status, 403)
  t.equal((await call(app, 'DELETE', url, bearer(W.globex.key))).status, 404)
  t.equal((await call(app, 'DELETE', url, bearer(W.deploymentKey))).status, 200)
})
