import t from 'tap'
import { JANE, W, apiError, bearer, build, call } from './helper.js'

const P = bearer(W.acme.key)
const usersUrl = `/api/organizations/${W.org.id}/users`
const janeUrl = `${usersUrl}/${W.jane.id}`
const JOHN = {
  id: W.john.id,
  email: W.john.email,
  organization_id: W.org.id,
  role: 'user',
  role_ids: [W.org.memberRoleId]
}

t.test("GET users lists the organization's users in creation order", async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', usersUrl, P)
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  t.same(res.body, { data: [JANE, JOHN] })
})

t.test('GET users returns [] for an organization without users', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', `/api/organizations/${W.globex.ownerOrgId}/users`, bearer(W.globex.key))
  t.equal(res.status, 200)
  t.same(res.body, { data: [] })
})

t.test('GET user returns the user', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', janeUrl, P)
  t.equal(res.status, 200)
  t.same(res.body, { data: JANE })
})

t.test('GET user matches ids case-insensitively', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', `/api/organizations/${W.org.id.toUpperCase()}/users/${W.jane.id.toUpperCase()}`, P)
  t.equal(res.status, 200)
  t.same(res.body, { data: JANE })
})

t.test('GET user returns 404 for an unknown user, a malformed id and a user of another organization', async (t) => {
  const app = await build(t)
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const res = await call(app, 'GET', `${usersUrl}/${id}`, P)
    t.equal(res.status, 404)
    t.same(res.body, apiError(404, 'user_not_found', 'user not found'))
  }
  const other = await call(app, 'GET', `/api/organizations/${W.acme.ownerOrgId}/users/${W.jane.id}`, P)
  t.equal(other.status, 404)
  t.same(other.body, apiError(404, 'user_not_found', 'user not found'))
})

t.test('POST users creates a user, trimming and lowercasing the email, defaulting to the user role', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', usersUrl, P, { email: '  New.Person@Example.COM ' })
  t.equal(res.status, 200)
  const created = (res.body as { data: { id: string } }).data
  t.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.same(res.body, {
    data: {
      id: created.id,
      email: 'new.person@example.com',
      organization_id: W.org.id,
      role: 'user',
      role_ids: [W.org.memberRoleId]
    }
  })
  const listed = await call(app, 'GET', usersUrl, P)
  t.same((listed.body as { data: unknown[] }).data.at(-1), {
    id: created.id,
    email: 'new.person@example.com',
    organization_id: W.org.id,
    role: 'user',
    role_ids: [W.org.memberRoleId]
  })
})

t.test('POST users maps the legacy role, case-insensitively, to the system role', async (t) => {
  const app = await build(t)
  const admin = await call(app, 'POST', usersUrl, P, { email: 'a@example.com', role: 'ADMIN' })
  t.equal(admin.status, 200)
  t.match(admin.body, { data: { role: 'admin', role_ids: [W.org.adminRoleId] } })
  const user = await call(app, 'POST', usersUrl, P, { email: 'u@example.com', role: 'User' })
  t.match(user.body, { data: { role: 'user', role_ids: [W.org.memberRoleId] } })
})

t.test('POST users with role_ids keeps their order and derives the legacy role', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', usersUrl, P, {
    email: 'r@example.com',
    role_ids: [W.org.analystRoleId, W.org.adminRoleId, W.org.analystRoleId]
  })
  t.equal(res.status, 200)
  t.match(res.body, { data: { role: 'admin', role_ids: [W.org.analystRoleId, W.org.adminRoleId] } })
  const analyst = await call(app, 'POST', usersUrl, P, { email: 's@example.com', role_ids: [W.org.analystRoleId] })
  t.match(analyst.body, { data: { role: 'user', role_ids: [W.org.analystRoleId] } })
})

t.test('POST users ignores unknown body fields', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', usersUrl, P, {
    email: 'x@example.com',
    nickname: 'x',
    organization_id: W.acme.ownerOrgId
  })
  t.equal(res.status, 200)
  t.match(res.body, { data: { email: 'x@example.com', organization_id: W.org.id } })
})

t.test('POST users rejects invalid input with 422 naming the field, and stores nothing', async (t) => {
  const app = await build(t)
  const cases: Array<[unknown, string, string]> = [
    [{}, 'email', 'is required'],
    [{ email: 42 }, 'email', 'must be string'],
    [{ email: '   ' }, 'email', 'is required'],
    [{ email: 'not-an-email' }, 'email', 'must be an email address'],
    [{ email: 'JANE.DOE@polytomic.com' }, 'email', 'a user with this email already exists in the organization'],
    [
      { email: 'b@example.com', role: 'admin', role_ids: [W.org.adminRoleId] },
      'role',
      'send either role or role_ids, not both'
    ],
    [{ email: 'b@example.com', role: 'owner' }, 'role', 'must be one of admin, user'],
    [{ email: 'b@example.com', role_ids: [] }, 'role_ids', 'must contain at least one role id'],
    [
      { email: 'b@example.com', role_ids: ['00000000-0000-4000-8000-000000000000'] },
      'role_ids[0]',
      'is not a role of this organization'
    ],
    [{ email: 'b@example.com', role_ids: [W.org.adminRoleId, 7] }, 'role_ids[1]', 'must be string'],
    [[{ email: 'b@example.com' }], 'body', 'must be object']
  ]
  for (const [body, field, problem] of cases) {
    const res = await call(app, 'POST', usersUrl, P, body)
    t.equal(res.status, 422, JSON.stringify(body))
    t.same(
      res.body,
      apiError(422, 'validation_failed', `${field}: ${problem}`, { field, problem }),
      JSON.stringify(body)
    )
  }
  const globexAdminRole = await call(
    app,
    'POST',
    `/api/organizations/${W.globex.customerOrgId}/users`,
    bearer(W.globex.key),
    { email: 'g@example.com', role_ids: [W.org.adminRoleId] }
  )
  t.equal(globexAdminRole.status, 422, 'a role of another organization is rejected')
  const listed = await call(app, 'GET', usersUrl, P)
  t.same(listed.body, { data: [JANE, JOHN] })
})

t.test('POST users answers 400 to a body that is not JSON, whatever its content type', async (t) => {
  const app = await build(t)
  for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    const res = await call(app, 'POST', usersUrl, { ...P, 'content-type': contentType }, '{"email": ')
    t.equal(res.status, 400)
    t.same(res.body, apiError(400, 'malformed_json', 'the request body is not valid JSON'))
  }
  const labelled = await call(
    app,
    'POST',
    usersUrl,
    { ...P, 'content-type': 'text/plain' },
    '{"email":"plain@example.com"}'
  )
  t.equal(labelled.status, 200, 'a JSON body labelled text/plain is still read as JSON')
})

t.test('POST users answers 422 to a missing body', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', usersUrl, P)
  t.equal(res.status, 422)
  t.same(
    res.body,
    apiError(422, 'validation_failed', 'body: must be object', { field: 'body', problem: 'must be object' })
  )
})

t.test('the same email may exist in two organizations', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', `/api/organizations/${W.acme.ownerOrgId}/users`, P, { email: W.jane.email })
  t.equal(res.status, 200)
})

t.test('PUT user replaces the roles and never changes the email', async (t) => {
  const app = await build(t)
  const res = await call(app, 'PUT', janeUrl, P, { email: 'other@example.com', role_ids: [W.org.analystRoleId] })
  t.equal(res.status, 200)
  t.same(res.body, { data: { ...JANE, role: 'user', role_ids: [W.org.analystRoleId] } })
  const reset = await call(app, 'PUT', janeUrl, P, { email: W.jane.email })
  t.same(
    reset.body,
    { data: { ...JANE, role: 'user', role_ids: [W.org.memberRoleId] } },
    'no roles given: back to Member'
  )
  const admin = await call(app, 'PUT', janeUrl, P, { email: W.jane.email, role: 'admin' })
  t.same(admin.body, { data: JANE })
  const fetched = await call(app, 'GET', janeUrl, P)
  t.same(fetched.body, { data: JANE })
})

t.test('PUT user requires the email and applies the role rules', async (t) => {
  const app = await build(t)
  const noEmail = await call(app, 'PUT', janeUrl, P, { role: 'user' })
  t.equal(noEmail.status, 422)
  t.same(
    noEmail.body,
    apiError(422, 'validation_failed', 'email: is required', { field: 'email', problem: 'is required' })
  )
  const both = await call(app, 'PUT', janeUrl, P, { email: W.jane.email, role: 'user', role_ids: [W.org.memberRoleId] })
  t.equal(both.status, 422)
  const empty = await call(app, 'PUT', janeUrl, P, { email: W.jane.email, role_ids: [] })
  t.equal(empty.status, 422)
  const fetched = await call(app, 'GET', janeUrl, P)
  t.same(fetched.body, { data: JANE }, 'nothing changed')
})

t.test('PATCH user keeps omitted fields', async (t) => {
  const app = await build(t)
  const nothing = await call(app, 'PATCH', janeUrl, P, {})
  t.equal(nothing.status, 200)
  t.same(nothing.body, { data: JANE })
  const role = await call(app, 'PATCH', janeUrl, P, { role: 'user' })
  t.same(role.body, { data: { ...JANE, role: 'user', role_ids: [W.org.memberRoleId] } })
  const badEmail = await call(app, 'PATCH', janeUrl, P, { email: 'nope' })
  t.equal(badEmail.status, 422)
})

t.test('PUT and PATCH on an unknown user are 404', async (t) => {
  const app = await build(t)
  for (const method of ['PUT', 'PATCH'] as const) {
    const res = await call(app, method, `${usersUrl}/00000000-0000-4000-8000-000000000000`, P, {
      email: 'a@example.com'
    })
    t.equal(res.status, 404)
    t.same(res.body, apiError(404, 'user_not_found', 'user not found'))
  }
})

t.test('DELETE user returns the user as it was; a second delete is 404', async (t) => {
  const app = await build(t)
  const res = await call(app, 'DELETE', janeUrl, P)
  t.equal(res.status, 200)
  t.same(res.body, { data: JANE })
  const again = await call(app, 'DELETE', janeUrl, P)
  t.equal(again.status, 404)
  t.same(again.body, apiError(404, 'user_not_found', 'user not found'))
  const gone = await call(app, 'GET', janeUrl, P)
  t.equal(gone.status, 404)
  const listed = await call(app, 'GET', usersUrl, P)
  t.same(listed.body, { data: [JOHN] })
})

t.test("DELETE user revokes the user's keys", async (t) => {
  const app = await build(t)
  const before = await call(app, 'GET', usersUrl, { ...bearer(W.jane.key), 'x-polytomic-version': '2024-02-08' })
  t.equal(before.status, 200)
  await call(app, 'DELETE', janeUrl, P)
  const after = await call(app, 'GET', usersUrl, { ...bearer(W.jane.key), 'x-polytomic-version': '2024-02-08' })
  t.equal(after.status, 401)
  t.same(after.body, { status: 'Unauthorized', error: 'invalid or unknown API key', code: 401 })
})

t.test('POST keys mints a user API key that authenticates as that user', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', `${janeUrl}/keys`, P)
  t.equal(res.status, 200)
  const value = (res.body as { data: { value: string } }).data.value
  t.match(value, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.same(res.body, { data: { value } })
  const used = await call(app, 'GET', janeUrl, { ...bearer(value), 'x-polytomic-version': '2024-02-08' })
  t.equal(used.status, 200)
  t.same(used.body, { data: JANE })
  const stored = app.store.db
    .prepare('SELECT key, key_hash FROM api_keys WHERE user_id = ? ORDER BY seq DESC')
    .get(W.jane.id) as { key: string | null; key_hash: string }
  t.equal(stored.key, null, 'the value is not stored')
  t.match(stored.key_hash, /^[0-9a-f]{64}$/, 'only its SHA-256 digest')
})

t.test('POST keys without force leaves older keys valid; force=true revokes them', async (t) => {
  const app = await build(t)
  const v = { 'x-polytomic-version': '2024-02-08' }
  const first = ((await call(app, 'POST', `${janeUrl}/keys`, P)).body as { data: { value: string } }).data.value
  const second = ((await call(app, 'POST', `${janeUrl}/keys?force=false`, P)).body as { data: { value: string } }).data
    .value
  t.not(first, second)
  t.equal((await call(app, 'GET', janeUrl, { ...bearer(first), ...v })).status, 200)
  t.equal((await call(app, 'GET', janeUrl, { ...bearer(second), ...v })).status, 200)
  const forced = ((await call(app, 'POST', `${janeUrl}/keys?force=true`, P)).body as { data: { value: string } }).data
    .value
  for (const old of [first, second, W.jane.key]) {
    const res = await call(app, 'GET', janeUrl, { ...bearer(old), ...v })
    t.equal(res.status, 401, 'an old key is revoked')
  }
  t.equal((await call(app, 'GET', janeUrl, { ...bearer(forced), ...v })).status, 200)
})

t.test('POST keys accepts an empty JSON body and rejects a bad force value', async (t) => {
  const app = await build(t)
  const empty = await app.inject({
    method: 'POST',
    url: `${janeUrl}/keys`,
    headers: { ...P, 'content-type': 'application/json' },
    payload: ''
  })
  t.equal(empty.statusCode, 200)
  const bad = await call(app, 'POST', `${janeUrl}/keys?force=yes`, P)
  t.equal(bad.status, 422)
  t.same(
    bad.body,
    apiError(422, 'validation_failed', 'force: must be one of true, false', {
      field: 'force',
      problem: 'must be one of true, false'
    })
  )
})

t.test('POST keys for an unknown user is 404', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', `${usersUrl}/00000000-0000-4000-8000-000000000000/keys`, P)
  t.equal(res.status, 404)
  t.same(res.body, apiError(404, 'user_not_found', 'user not found'))
})

t.test('an unknown /api route is 404 in the error shape', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/api/nothing/here', P)
  t.equal(res.status, 404)
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  t.same(res.body, apiError(404, 'route_not_found', 'no such route'))
  const method = await call(app, 'POST', janeUrl, P, { email: 'a@example.com' })
  t.equal(method.status, 404)
  const outside = await call(app, 'GET', '/elsewhere')
  t.equal(outside.status, 404)
  t.same(outside.body, apiError(404, 'route_not_found', 'no such route'))
})
