import { Writable } from 'node:stream'
import t from 'tap'
import { JANE, W, apiError, basic, bearer, build, call } from './helper.js'

const janeUrl = (orgId: string = W.org.id): string =>
  `/api/organizations/${orgId}/users/${orgId === W.org.id ? W.jane.id : W.globex.adminUserId}`
const V2024 = { 'x-polytomic-version': '2024-02-08' }
const NOT_FOUND = apiError(404, 'organization_not_found', 'organization not found')
const PARTNER_ONLY = apiError(403, 'partner_key_required', 'this endpoint requires a partner or deployment key')
const ADMIN_ONLY = apiError(403, 'admin_role_required', 'this operation requires an admin user')
const GLOBEX_ADMIN = {
  id: W.globex.adminUserId,
  email: 'admin@globex.example',
  organization_id: W.globex.customerOrgId,
  role: 'admin',
  role_ids: [W.globex.customerAdminRoleId]
}
const UNKNOWN = '00000000-0000-4000-8000-000000000000'

interface Case {
  name: string
  headers: Record<string, string>
  url: string
  status: number
  body?: unknown
}

const cases: Case[] = [
  // partner key, Bearer
  { name: 'a partner key reaches its customer organization', headers: bearer(W.acme.key), url: janeUrl(), status: 200 },
  {
    name: 'a partner key reaches its owner organization',
    headers: bearer(W.acme.key),
    url: `/api/organizations/${W.acme.ownerOrgId}/users`,
    status: 200,
    body: {
      data: [
        {
          id: 'c5f3e1a4-9d6f-4bac-9e4a-3f4d5b6c7e8f',
          email: 'ops@acme-partner.example',
          organization_id: W.acme.ownerOrgId,
          role: 'admin',
          role_ids: [String]
        }
      ]
    }
  },
  {
    name: "a partner key gets 404 for another partner's organization",
    headers: bearer(W.acme.key),
    url: janeUrl(W.globex.customerOrgId),
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'a partner key gets 404 for an organization that does not exist',
    headers: bearer(W.acme.key),
    url: `/api/organizations/${UNKNOWN}/users`,
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'a partner key works in 2024-02-08 too',
    headers: { ...bearer(W.acme.key), ...V2024 },
    url: janeUrl(),
    status: 200
  },
  // partner key, Basic org-scoped
  {
    name: 'Basic org:partner-key reaches the named organization',
    headers: basic(W.org.id, W.acme.key),
    url: janeUrl(),
    status: 200
  },
  {
    name: 'Basic org:partner-key gets 404 for another organization of the same partner',
    headers: basic(W.org.id, W.acme.key),
    url: `/api/organizations/${W.acme.ownerOrgId}/users`,
    status: 404,
    body: NOT_FOUND
  },
  {
    name: "Basic with another partner's organization is not a credential",
    headers: basic(W.globex.customerOrgId, W.acme.key),
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  {
    name: 'Basic with an unknown organization is not a credential',
    headers: basic(UNKNOWN, W.acme.key),
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  {
    name: 'Basic with a username that is not a uuid is not a credential',
    headers: basic('acme', W.acme.key),
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  // deployment key
  {
    name: 'a deployment key (Bearer) reaches every organization',
    headers: bearer(W.deploymentKey),
    url: janeUrl(W.globex.customerOrgId),
    status: 200
  },
  {
    name: 'a deployment key (Basic key:) reaches every organization',
    headers: basic(W.deploymentKey, ''),
    url: janeUrl(),
    status: 200
  },
  {
    name: 'a deployment key (Basic org:key) reaches the named organization',
    headers: basic(W.org.id, W.deploymentKey),
    url: janeUrl(),
    status: 200
  },
  {
    name: 'a deployment key (Basic org:key) gets 404 elsewhere',
    headers: basic(W.org.id, W.deploymentKey),
    url: janeUrl(W.globex.customerOrgId),
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'a partner key as Basic "key:" is not a credential',
    headers: basic(W.acme.key, ''),
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  // user and organization keys
  {
    name: "an admin user key may manage its own organization's users up to 2024-02-08",
    headers: { ...bearer(W.jane.key), ...V2024 },
    url: janeUrl(),
    status: 200
  },
  {
    name: 'an admin user key also works in 2021-05-23',
    headers: { ...bearer(W.jane.key), 'x-polytomic-version': '2021-05-23' },
    url: janeUrl(),
    status: 200,
    body: { result: JANE, error: null }
  },
  {
    name: "an organization key may manage its own organization's users up to 2024-02-08",
    headers: { ...bearer(W.org.orgKey), ...V2024 },
    url: janeUrl(),
    status: 200
  },
  {
    name: 'a non-admin user key gets 403 on its own organization',
    headers: { ...bearer(W.john.key), ...V2024 },
    url: janeUrl(),
    status: 403,
    body: ADMIN_ONLY
  },
  {
    name: 'a user key gets 404 for another organization',
    headers: { ...bearer(W.jane.key), ...V2024 },
    url: janeUrl(W.globex.customerOrgId),
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'a non-admin user key gets 404, not 403, for another organization',
    headers: { ...bearer(W.john.key), ...V2024 },
    url: janeUrl(W.globex.customerOrgId),
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'an organization key gets 404 for another organization',
    headers: { ...bearer(W.org.orgKey), ...V2024 },
    url: janeUrl(W.globex.customerOrgId),
    status: 404,
    body: NOT_FOUND
  },
  {
    name: 'a user key gets 403 in 2025-09-18, where these endpoints are partner-only',
    headers: bearer(W.jane.key),
    url: janeUrl(),
    status: 403,
    body: PARTNER_ONLY
  },
  {
    name: 'an organization key gets 403 in 2025-09-18',
    headers: bearer(W.org.orgKey),
    url: janeUrl(),
    status: 403,
    body: PARTNER_ONLY
  },
  {
    name: 'the kind check comes before reach in 2025-09-18',
    headers: bearer(W.jane.key),
    url: janeUrl(W.globex.customerOrgId),
    status: 403,
    body: PARTNER_ONLY
  },
  // bad credentials
  {
    name: 'no Authorization header is 401',
    headers: {},
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'missing_credentials', 'missing Authorization header')
  },
  {
    name: 'an empty Authorization header is 401',
    headers: { authorization: '' },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'missing_credentials', 'missing Authorization header')
  },
  {
    name: 'an unknown scheme is 401',
    headers: { authorization: `Token ${W.acme.key}` },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'malformed_credentials', 'malformed Authorization header')
  },
  {
    name: 'a bare key without a scheme is 401',
    headers: { authorization: W.acme.key },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'malformed_credentials', 'malformed Authorization header')
  },
  {
    name: 'an unknown Bearer key is 401',
    headers: bearer('nope'),
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  {
    name: 'an empty Bearer key is 401',
    headers: { authorization: 'Bearer ' },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'invalid_credentials', 'invalid or unknown API key')
  },
  {
    name: 'Basic that is not base64 is 401',
    headers: { authorization: 'Basic %%%' },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'malformed_credentials', 'malformed Authorization header')
  },
  {
    name: 'Basic without a colon is 401',
    headers: { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
    url: janeUrl(),
    status: 401,
    body: apiError(401, 'malformed_credentials', 'malformed Authorization header')
  },
  {
    name: 'the scheme is case-insensitive',
    headers: { authorization: `bearer ${W.acme.key}` },
    url: janeUrl(),
    status: 200
  },
  {
    name: 'an unknown key before 2025-09-18 gets the RestErrResponse body',
    headers: { ...bearer('nope'), ...V2024 },
    url: janeUrl(),
    status: 401,
    body: { status: 'Unauthorized', error: 'invalid or unknown API key', code: 401 }
  }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const app = await build(t)
    const res = await call(app, 'GET', c.url, c.headers)
    t.equal(res.status, c.status)
    if (c.body !== undefined) t.match(res.body, c.body)
    else t.same(res.body, { data: c.url.includes(W.globex.customerOrgId) ? GLOBEX_ADMIN : JANE })
    t.same(Object.keys(res.body as object).sort(), Object.keys(c.body ?? { data: 1 }).sort(), 'no other fields')
  })
}

t.test('every user endpoint applies the same checks', async (t) => {
  const app = await build(t)
  const base = `/api/organizations/${W.org.id}/users`
  const endpoints: Array<[string, string, unknown]> = [
    ['GET', base, undefined],
    ['POST', base, { email: 'n@example.com' }],
    ['GET', `${base}/${W.jane.id}`, undefined],
    ['PUT', `${base}/${W.jane.id}`, { email: W.jane.email }],
    ['PATCH', `${base}/${W.jane.id}`, {}],
    ['POST', `${base}/${W.jane.id}/keys`, undefined],
    ['DELETE', `${base}/${W.john.id}`, undefined]
  ]
  for (const [method, url, body] of endpoints) {
    const what = `${method} ${url}`
    t.equal((await call(app, method as 'GET', url, {}, body)).status, 401, `${what}: no credentials`)
    t.equal(
      (await call(app, method as 'GET', url, bearer(W.jane.key), body)).status,
      403,
      `${what}: user key in 2025-09-18`
    )
    t.equal(
      (await call(app, method as 'GET', url, { ...bearer(W.john.key), ...V2024 }, body)).status,
      403,
      `${what}: non-admin user key`
    )
    t.equal((await call(app, method as 'GET', url, bearer(W.globex.key), body)).status, 404, `${what}: another partner`)
    t.equal((await call(app, method as 'GET', url, bearer(W.acme.key), body)).status, 200, `${what}: the partner`)
  }
})

t.test('a revoked partner-minted key gets 401', async (t) => {
  const app = await build(t)
  const minted = await call(app, 'POST', `/api/organizations/${W.org.id}/users/${W.john.id}/keys`, bearer(W.acme.key))
  const key = (minted.body as { data: { value: string } }).data.value
  await call(app, 'POST', `/api/organizations/${W.org.id}/users/${W.john.id}/keys?force=true`, bearer(W.acme.key))
  const res = await call(app, 'GET', janeUrl(), { ...bearer(key), ...V2024 })
  t.equal(res.status, 401)
  t.same(res.body, { status: 'Unauthorized', error: 'invalid or unknown API key', code: 401 })
})

t.test('the Authorization header never reaches the logs', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  const app = await build(t, { logger: { level: 'trace', stream } })
  await call(app, 'GET', janeUrl(), bearer(W.acme.key))
  await call(app, 'GET', janeUrl(), bearer('a-secret-that-is-wrong'))
  await call(app, 'GET', janeUrl(), basic(W.org.id, W.acme.key))
  t.ok(lines.length > 0, 'something was logged')
  const all = lines.join('')
  for (const secret of [
    W.acme.key,
    'a-secret-that-is-wrong',
    Buffer.from(`${W.org.id}:${W.acme.key}`).toString('base64')
  ]) {
    t.notOk(all.includes(secret), `no ${secret.slice(0, 6)}… in the logs`)
  }
})
