import t from 'tap'
import { W, apiError, basic, bearer, build, call } from './helper.js'

const P = bearer(W.acme.key)
const V2024 = { 'x-polytomic-version': '2024-02-08' }
const ACME_HQ = { id: W.acme.ownerOrgId, name: 'Acme Partner HQ' }
const MY_ORG = { id: W.org.id, name: 'My Organization', sso_domain: 'polytomic.com', sso_org_id: 'org_123456' }
const GLOBEX_HQ = { id: W.globex.ownerOrgId, name: 'Globex Partner HQ' }
const GLOBEX_CUSTOMER = { id: W.globex.customerOrgId, name: 'Globex Customer' }
const NOT_FOUND = apiError(404, 'organization_not_found', 'organization not found')
const PARTNER_ONLY = apiError(403, 'partner_key_required', 'this endpoint requires a partner or deployment key')

t.test('GET organizations: a partner sees its owner organization first, then creation order', async (t) => {
  const app = await build(t)
  const created = await call(app, 'POST', '/api/organizations', P, { name: 'Zeta' })
  const zeta = (created.body as { data: { id: string } }).data
  const res = await call(app, 'GET', '/api/organizations', P)
  t.equal(res.status, 200)
  t.same(res.body, { data: [ACME_HQ, MY_ORG, { id: zeta.id, name: 'Zeta' }] })
  const globex = await call(app, 'GET', '/api/organizations', bearer(W.globex.key))
  t.same(globex.body, { data: [GLOBEX_HQ, GLOBEX_CUSTOMER] })
})

t.test('GET organizations: owner first even when it was created last', async (t) => {
  const partner = '22222222-2222-4222-8222-222222222222'
  const owner = '11111111-1111-4111-8111-111111111111'
  const other = '33333333-3333-4333-8333-333333333333'
  const app = await build(t, {
    fixtures: {
      partners: [{ id: partner, name: 'P', key: 'p', organization_id: owner }],
      organizations: [
        { id: other, name: 'Customer', partner_id: partner },
        { id: owner, name: 'Owner', partner_id: partner }
      ]
    }
  })
  const res = await call(app, 'GET', '/api/organizations', bearer('p'))
  t.same(res.body, {
    data: [
      { id: owner, name: 'Owner' },
      { id: other, name: 'Customer' }
    ]
  })
})

t.test('GET organizations: a deployment key sees all; scoped credentials see their organization', async (t) => {
  const app = await build(t)
  const all = await call(app, 'GET', '/api/organizations', bearer(W.deploymentKey))
  t.same(all.body, { data: [ACME_HQ, MY_ORG, GLOBEX_HQ, GLOBEX_CUSTOMER] })
  const scoped = await call(app, 'GET', '/api/organizations', basic(W.org.id, W.acme.key))
  t.same(scoped.body, { data: [MY_ORG] })
  const deploymentScoped = await call(app, 'GET', '/api/organizations', basic(W.globex.customerOrgId, W.deploymentKey))
  t.same(deploymentScoped.body, { data: [GLOBEX_CUSTOMER] })
})

t.test('GET organizations: API keys see their own organization up to 2024-02-08, 403 in 2025-09-18', async (t) => {
  const app = await build(t)
  for (const key of [W.jane.key, W.john.key, W.org.orgKey]) {
    const old = await call(app, 'GET', '/api/organizations', { ...bearer(key), ...V2024 })
    t.equal(old.status, 200)
    t.same(old.body, { data: [MY_ORG] })
    const own = await call(app, 'GET', `/api/organizations/${W.org.id}`, { ...bearer(key), ...V2024 })
    t.same(own.body, { data: MY_ORG })
    const other = await call(app, 'GET', `/api/organizations/${W.acme.ownerOrgId}`, { ...bearer(key), ...V2024 })
    t.equal(other.status, 404)
    t.same(other.body, NOT_FOUND)
    const current = await call(app, 'GET', '/api/organizations', bearer(key))
    t.equal(current.status, 403)
    t.same(current.body, PARTNER_ONLY)
    const one = await call(app, 'GET', `/api/organizations/${W.org.id}`, bearer(key))
    t.same(one.body, PARTNER_ONLY)
  }
})

t.test("POST organizations creates an organization under the caller's partner", async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', '/api/organizations', P, {
    name: '  Initech ',
    sso_domain: 'initech.com',
    sso_org_id: 'org_42',
    issuer: 'https://idp.initech.com',
    client_id: 'cid',
    client_secret: 'shh',
    unknown: 1
  })
  t.equal(res.status, 200)
  const id = (res.body as { data: { id: string } }).data.id
  t.same(
    res.body,
    {
      data: { id, name: 'Initech', sso_domain: 'initech.com', sso_org_id: 'org_42', issuer: 'https://idp.initech.com' }
    },
    'client_id and client_secret are never returned'
  )
  t.same((await call(app, 'GET', `/api/organizations/${id}`, P)).body, res.body)
  t.equal(
    (await call(app, 'GET', `/api/organizations/${id}`, bearer(W.globex.key))).status,
    404,
    'another partner cannot see it'
  )
  const roles = await call(app, 'GET', `/api/permissions/roles?organization_id=${id}`, P)
  t.match(
    roles.body,
    {
      data: [
        { name: 'Admin', system: true },
        { name: 'Member', system: true }
      ]
    },
    'it has its system roles'
  )
  const stored = app.store.db.prepare('SELECT client_id, client_secret FROM organizations WHERE id = ?').get(id)
  t.same(stored, { client_id: 'cid', client_secret: 'shh' }, 'OIDC client settings are stored')
})

t.test('POST organizations: name required (422), unique per partner case-insensitively (409)', async (t) => {
  const app = await build(t)
  const missing = await call(app, 'POST', '/api/organizations', P, { sso_domain: 'x.com' })
  t.equal(missing.status, 422)
  t.same(
    missing.body,
    apiError(422, 'validation_failed', 'name: is required', { field: 'name', problem: 'is required' })
  )
  const blank = await call(app, 'POST', '/api/organizations', P, { name: '  ' })
  t.same(
    blank.body,
    apiError(422, 'validation_failed', 'name: must not be empty', { field: 'name', problem: 'must not be empty' })
  )
  const wrongType = await call(app, 'POST', '/api/organizations', P, { name: 'X', sso_domain: 5 })
  t.equal(wrongType.status, 422)
  const taken = await call(app, 'POST', '/api/organizations', P, { name: 'my organization' })
  t.equal(taken.status, 409)
  t.same(
    taken.body,
    apiError(409, 'organization_name_taken', 'an organization with this name already exists', { field: 'name' })
  )
  const otherPartner = await call(app, 'POST', '/api/organizations', bearer(W.globex.key), { name: 'My Organization' })
  t.equal(otherPartner.status, 200, 'names are unique within a partner only')
})

t.test('POST organizations: who may create', async (t) => {
  const app = await build(t)
  const deployment = await call(app, 'POST', '/api/organizations', bearer(W.deploymentKey), { name: 'On-prem' })
  t.equal(deployment.status, 200)
  const id = (deployment.body as { data: { id: string } }).data.id
  t.equal(
    (await call(app, 'GET', '/api/organizations', P)).body &&
      ((await call(app, 'GET', '/api/organizations', P)).body as { data: Array<{ id: string }> }).data.some(
        (o) => o.id === id
      ),
    false,
    "a deployment's organization belongs to no partner"
  )
  t.equal((await call(app, 'POST', '/api/organizations', bearer(W.deploymentKey), { name: 'ON-PREM' })).status, 409)
  for (const key of [W.jane.key, W.org.orgKey]) {
    for (const version of ['2024-02-08', '2025-09-18']) {
      const res = await call(
        app,
        'POST',
        '/api/organizations',
        { ...bearer(key), 'x-polytomic-version': version },
        { name: 'Nope' }
      )
      t.equal(res.status, 403)
      t.same(res.body, PARTNER_ONLY)
    }
  }
  const scoped = await call(app, 'POST', '/api/organizations', basic(W.org.id, W.acme.key), { name: 'Nope' })
  t.equal(scoped.status, 403)
  t.same(
    scoped.body,
    apiError(403, 'unscoped_key_required', 'an organization-scoped credential cannot create organizations')
  )
})

t.test('PUT organization replaces the settings, clearing omitted ones; PATCH keeps them', async (t) => {
  const app = await build(t)
  const url = `/api/organizations/${W.org.id}`
  const put = await call(app, 'PUT', url, P, { name: 'Renamed', issuer: 'https://idp.example.com' })
  t.equal(put.status, 200)
  t.same(put.body, { data: { id: W.org.id, name: 'Renamed', issuer: 'https://idp.example.com' } })
  const patch = await call(app, 'PATCH', url, P, { sso_domain: 'renamed.com' })
  t.same(patch.body, {
    data: { id: W.org.id, name: 'Renamed', sso_domain: 'renamed.com', issuer: 'https://idp.example.com' }
  })
  const cleared = await call(app, 'PATCH', url, P, { issuer: null })
  t.same(cleared.body, { data: { id: W.org.id, name: 'Renamed', sso_domain: 'renamed.com' } })
  const empty = await call(app, 'PATCH', url, P, { sso_domain: '' })
  t.same(
    empty.body,
    { data: { id: W.org.id, name: 'Renamed' } },
    'an empty string is stored as unset, never returned as ""'
  )
  t.same((await call(app, 'GET', url, P)).body, empty.body)
})

t.test('PUT organization: name required, 409 on a taken name, 404 out of reach, 403 for API keys', async (t) => {
  const app = await build(t)
  const url = `/api/organizations/${W.org.id}`
  t.equal((await call(app, 'PUT', url, P, { sso_domain: 'x.com' })).status, 422)
  const taken = await call(app, 'PUT', url, P, { name: 'ACME PARTNER HQ' })
  t.equal(taken.status, 409)
  t.equal(
    (await call(app, 'PUT', url, P, { name: 'My Organization', sso_domain: 'polytomic.com', sso_org_id: 'org_123456' }))
      .status,
    200,
    'keeping its own name is fine'
  )
  const other = await call(app, 'PUT', url, bearer(W.globex.key), { name: 'Mine now' })
  t.equal(other.status, 404)
  t.same(other.body, NOT_FOUND)
  const userKey = await call(app, 'PUT', url, { ...bearer(W.jane.key), ...V2024 }, { name: 'Mine now' })
  t.equal(userKey.status, 403)
  t.same(userKey.body, PARTNER_ONLY)
  t.same((await call(app, 'GET', url, P)).body, { data: MY_ORG }, 'nothing changed')
})

t.test('DELETE organization removes it with its users, roles and keys; a second delete is 404', async (t) => {
  const app = await build(t)
  const url = `/api/organizations/${W.org.id}`
  const res = await app.inject({ method: 'DELETE', url, headers: P })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '')
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  t.equal((await call(app, 'GET', url, P)).status, 404)
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 401, 'its user keys are gone')
  t.equal((await call(app, 'GET', '/api/me', bearer(W.org.orgKey))).status, 401, 'its organization key is gone')
  const counts = app.store.db
    .prepare(
      `SELECT (SELECT count(*) FROM users WHERE organization_id = ?) AS users,
    (SELECT count(*) FROM roles WHERE organization_id = ?) AS roles, (SELECT count(*) FROM api_keys WHERE organization_id = ?) AS keys`
    )
    .get(W.org.id, W.org.id, W.org.id)
  t.same(counts, { users: 0, roles: 0, keys: 0 })
  const again = await call(app, 'DELETE', url, P)
  t.equal(again.status, 404)
  t.same(again.body, NOT_FOUND)
})

t.test(
  'DELETE organization: the owner organization is protected; others need reach and a partner or deployment key',
  async (t) => {
    const app = await build(t)
    const owner = await call(app, 'DELETE', `/api/organizations/${W.acme.ownerOrgId}`, P)
    t.equal(owner.status, 403)
    t.same(
      owner.body,
      apiError(403, 'owner_organization_protected', 'a partner cannot delete its own owner organization')
    )
    t.equal((await call(app, 'DELETE', `/api/organizations/${W.acme.ownerOrgId}`, bearer(W.deploymentKey))).status, 403)
    t.equal((await call(app, 'DELETE', `/api/organizations/${W.org.id}`, bearer(W.globex.key))).status, 404)
    t.equal(
      (await call(app, 'DELETE', `/api/organizations/${W.org.id}`, { ...bearer(W.org.orgKey), ...V2024 })).status,
      403
    )
    t.equal(
      (await call(app, 'DELETE', `/api/organizations/${W.globex.customerOrgId}`, bearer(W.deploymentKey))).status,
      200
    )
  }
)
