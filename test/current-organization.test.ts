import t from 'tap'
import { JANE, W, apiError, basic, bearer, build, call } from './helper.js'

const MY_ORG = { id: W.org.id, name: 'My Organization', sso_domain: 'polytomic.com', sso_org_id: 'org_123456' }
const JOHN = {
  id: W.john.id,
  email: W.john.email,
  organization_id: W.org.id,
  role: 'user',
  role_ids: [W.org.memberRoleId]
}
const J = bearer(W.jane.key)
const API_KEY_ONLY = apiError(
  403,
  'organization_credential_required',
  'this endpoint requires a user key, an organization key or an organization-scoped key'
)

t.test("GET /api/organization returns the caller's own organization", async (t) => {
  const app = await build(t)
  for (const headers of [
    J,
    bearer(W.john.key),
    bearer(W.org.orgKey),
    basic(W.org.id, W.acme.key),
    basic(W.org.id, W.deploymentKey)
  ]) {
    const res = await call(app, 'GET', '/api/organization', headers)
    t.equal(res.status, 200)
    t.same(res.body, { data: MY_ORG })
  }
})

t.test('a Bearer partner or deployment key gets 403 on the current-organization endpoints', async (t) => {
  const app = await build(t)
  for (const key of [W.acme.key, W.deploymentKey]) {
    for (const [method, url, body] of [
      ['GET', '/api/organization'],
      ['GET', '/api/organization/users'],
      ['POST', '/api/organization/users', { email: 'x@example.com' }],
      ['GET', `/api/organization/users/${W.jane.id}`],
      ['PUT', `/api/organization/users/${W.jane.id}`, {}],
      ['DELETE', `/api/organization/users/${W.john.id}`]
    ] as const) {
      const res = await call(app, method, url, bearer(key), body)
      t.equal(res.status, 403, `${method} ${url}`)
      t.same(res.body, API_KEY_ONLY)
    }
  }
})

t.test('the current-organization endpoints are a 404 route before 2025-09-18', async (t) => {
  const app = await build(t)
  for (const version of ['2021-05-23', '2022-12-12', '2023-04-25', '2024-02-08']) {
    for (const [method, url, body] of [
      ['GET', '/api/organization'],
      ['GET', '/api/organization/users'],
      ['POST', '/api/organization/users', { bad: true }],
      ['DELETE', `/api/organization/users/${W.john.id}`]
    ] as const) {
      const res = await call(app, method, url, { ...J, 'x-polytomic-version': version }, body)
      t.equal(res.status, 404, `${version} ${method} ${url}`)
      const error = apiError(404, 'route_not_found', 'no such route')
      t.same(res.body, version === '2021-05-23' ? { result: null, error } : error)
    }
  }
  t.equal((await call(app, 'GET', '/api/organization/users', J)).status, 200, 'they exist in 2025-09-18')
})

t.test('current-organization users: list, create, get, update, delete', async (t) => {
  const app = await build(t)
  t.same((await call(app, 'GET', '/api/organization/users', J)).body, { data: [JANE, JOHN] })
  const created = await call(app, 'POST', '/api/organization/users', J, { email: ' New@Example.com ', role: 'admin' })
  t.equal(created.status, 200)
  const id = (created.body as { data: { id: string } }).data.id
  const user = { id, email: 'new@example.com', organization_id: W.org.id, role: 'admin', role_ids: [W.org.adminRoleId] }
  t.same(created.body, { data: user })
  t.same((await call(app, 'GET', `/api/organization/users/${id}`, J)).body, { data: user })
  const updated = await call(app, 'PUT', `/api/organization/users/${id}`, J, {
    role_ids: [W.org.analystRoleId],
    email: 'ignored@example.com'
  })
  t.same(updated.body, { data: { ...user, role: 'user', role_ids: [W.org.analystRoleId] } })
  const reset = await call(app, 'PUT', `/api/organization/users/${id}`, J, {})
  t.same(
    reset.body,
    { data: { ...user, role: 'user', role_ids: [W.org.memberRoleId] } },
    'PUT replaces the roles: none given is Member'
  )
  const removed = await call(app, 'DELETE', `/api/organization/users/${id}`, J)
  t.same(removed.body, { data: { ...user, role: 'user', role_ids: [W.org.memberRoleId] } })
  t.equal((await call(app, 'GET', `/api/organization/users/${id}`, J)).status, 404)
})

t.test('current-organization users: the same rules as the partner endpoints', async (t) => {
  const app = await build(t)
  const both = await call(app, 'POST', '/api/organization/users', J, {
    email: 'a@example.com',
    role: 'user',
    role_ids: [W.org.memberRoleId]
  })
  t.equal(both.status, 422)
  t.equal((await call(app, 'POST', '/api/organization/users', J, { email: W.jane.email })).status, 422)
  t.equal((await call(app, 'PUT', `/api/organization/users/${W.john.id}`, J, { role_ids: [] })).status, 422)
  t.equal(
    (await call(app, 'PUT', `/api/organization/users/${W.john.id}`, J, { role_ids: [W.globex.customerAdminRoleId] }))
      .status,
    422
  )
  const otherOrgUser = await call(app, 'GET', `/api/organization/users/${W.globex.adminUserId}`, J)
  t.equal(otherOrgUser.status, 404)
  t.same(otherOrgUser.body, apiError(404, 'user_not_found', 'user not found'))
})

t.test('current-organization users: writes need an admin user key, an organization key or a scoped key', async (t) => {
  const app = await build(t)
  const john = bearer(W.john.key)
  t.equal((await call(app, 'GET', '/api/organization/users', john)).status, 200, 'a non-admin may read')
  t.equal((await call(app, 'GET', `/api/organization/users/${W.jane.id}`, john)).status, 200)
  for (const [method, url, body] of [
    ['POST', '/api/organization/users', { email: 'x@example.com' }],
    ['PUT', `/api/organization/users/${W.jane.id}`, {}],
    ['DELETE', `/api/organization/users/${W.jane.id}`]
  ] as const) {
    const res = await call(app, method, url, john, body)
    t.equal(res.status, 403, `${method} ${url}`)
    t.same(res.body, apiError(403, 'admin_role_required', 'this operation requires an admin user'))
  }
  t.equal(
    (await call(app, 'POST', '/api/organization/users', bearer(W.org.orgKey), { email: 'o@example.com' })).status,
    200
  )
  t.equal(
    (await call(app, 'POST', '/api/organization/users', basic(W.org.id, W.acme.key), { email: 'p@example.com' }))
      .status,
    200
  )
})
