import t from 'tap'
import { SUPPORTED_VERSIONS } from '../src/core/versions.js'
import { W, basic, bearer, build, call } from './helper.js'

const FLAGS = { is_user: false, is_organization: false, is_partner: false, is_system: false }

const cases: Array<[string, Record<string, string>, Record<string, unknown>]> = [
  [
    'a user key names the user and its organization',
    bearer(W.jane.key),
    {
      ...FLAGS,
      id: W.jane.id,
      email: W.jane.email,
      role: 'admin',
      organization_id: W.org.id,
      organization_name: 'My Organization',
      is_user: true
    }
  ],
  [
    'a non-admin user key names its legacy role',
    bearer(W.john.key),
    {
      ...FLAGS,
      id: W.john.id,
      email: W.john.email,
      role: 'user',
      organization_id: W.org.id,
      organization_name: 'My Organization',
      is_user: true
    }
  ],
  [
    'an organization key names its organization only',
    bearer(W.org.orgKey),
    { ...FLAGS, organization_id: W.org.id, organization_name: 'My Organization', is_organization: true }
  ],
  [
    'a partner key names its owner organization',
    bearer(W.acme.key),
    { ...FLAGS, organization_id: W.acme.ownerOrgId, organization_name: 'Acme Partner HQ', is_partner: true }
  ],
  [
    'a Basic org-scoped partner key names the organization in the username',
    basic(W.org.id, W.acme.key),
    { ...FLAGS, organization_id: W.org.id, organization_name: 'My Organization', is_partner: true }
  ],
  ['a deployment key is a system actor with no organization', bearer(W.deploymentKey), { ...FLAGS, is_system: true }],
  ['a Basic "key:" deployment key is the same', basic(W.deploymentKey, ''), { ...FLAGS, is_system: true }],
  [
    'an org-scoped deployment key names the organization',
    basic(W.globex.customerOrgId, W.deploymentKey),
    { ...FLAGS, organization_id: W.globex.customerOrgId, organization_name: 'Globex Customer', is_system: true }
  ]
]

for (const [name, headers, identity] of cases) {
  t.test(`GET /api/me: ${name}`, async (t) => {
    const app = await build(t)
    for (const version of SUPPORTED_VERSIONS) {
      const res = await call(app, 'GET', '/api/me', { ...headers, 'x-polytomic-version': version })
      t.equal(res.status, 200, version)
      t.same(res.body, version === '2021-05-23' ? { result: identity, error: null } : { data: identity }, version)
    }
  })
}

t.test('GET /api/me without valid credentials is 401', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/api/me', bearer('nope'))
  t.equal(res.status, 401)
  t.same(res.body, { status: 401, message: 'invalid or unknown API key', key: 'invalid_credentials', metadata: {} })
})
