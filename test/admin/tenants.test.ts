import t from 'tap'
import { apiError, bearer, build, call } from '../helper.js'

interface Tenant {
  partner_id: string
  partner_key: string
  organization_id: string
  admin_user_id: string
  admin_user_key: string
}

async function tenant (app: Parameters<typeof call>[0]): Promise<Tenant> {
  const res = await call(app, 'POST', '/__admin/tenants')
  return res.body as Tenant
}

t.test('POST /__admin/tenants returns a working partner, organization and admin user', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', '/__admin/tenants', {}, { name: 'Suite A' })
  t.equal(res.status, 201)
  const x = res.body as Tenant
  t.same(Object.keys(x).sort(), ['admin_user_id', 'admin_user_key', 'organization_id', 'partner_id', 'partner_key'])
  const orgs = await call(app, 'GET', '/api/organizations', bearer(x.partner_key))
  t.same(orgs.body, { data: [{ id: x.organization_id, name: 'Suite A HQ' }] })
  const me = await call(app, 'GET', '/api/me', bearer(x.admin_user_key))
  t.match(me.body, { data: { id: x.admin_user_id, role: 'admin', organization_id: x.organization_id, is_user: true } })
  const roles = await call(app, 'GET', '/api/permissions/roles', bearer(x.admin_user_key))
  t.match(roles.body, {
    data: [
      { name: 'Admin', system: true },
      { name: 'Member', system: true }
    ]
  })
  const unnamed = await call(app, 'POST', '/__admin/tenants')
  t.equal(unnamed.status, 201, 'the body is optional')
  t.equal((await call(app, 'POST', '/__admin/tenants', {}, { name: 5 })).status, 422)
})

t.test("two tenants created side by side cannot read, list, update or delete each other's data", async (t) => {
  const app = await build(t)
  const a = await tenant(app)
  const b = await tenant(app)
  const bUser = (
    (
      await call(app, 'POST', `/api/organizations/${b.organization_id}/users`, bearer(b.partner_key), {
        email: 'b@example.com'
      })
    ).body as { data: { id: string } }
  ).data.id
  const bCustomer = (
    (await call(app, 'POST', '/api/organizations', bearer(b.partner_key), { name: 'B customer' })).body as {
      data: { id: string }
    }
  ).data.id
  const bRole = (
    (await call(app, 'POST', '/api/permissions/roles', bearer(b.admin_user_key), { name: 'B role' })).body as {
      data: { id: string }
    }
  ).data.id
  const before = (await call(app, 'GET', '/__admin/fixtures')).body

  const A = bearer(a.partner_key)
  const aAdmin = bearer(a.admin_user_key)
  const listed = await call(app, 'GET', '/api/organizations', A)
  t.same(
    (listed.body as { data: Array<{ id: string }> }).data.map((o) => o.id),
    [a.organization_id],
    'A lists only its own organization'
  )
  const attempts: Array<[string, string, Record<string, string>, unknown, number]> = [
    ['GET', `/api/organizations/${b.organization_id}`, A, undefined, 404],
    ['GET', `/api/organizations/${bCustomer}`, A, undefined, 404],
    ['PUT', `/api/organizations/${bCustomer}`, A, { name: 'Taken over' }, 404],
    ['PATCH', `/api/organizations/${bCustomer}`, A, { name: 'Taken over' }, 404],
    ['DELETE', `/api/organizations/${bCustomer}`, A, undefined, 404],
    ['GET', `/api/organizations/${b.organization_id}/users`, A, undefined, 404],
    ['POST', `/api/organizations/${b.organization_id}/users`, A, { email: 'intruder@example.com' }, 404],
    ['GET', `/api/organizations/${b.organization_id}/users/${bUser}`, A, undefined, 404],
    [
      'PUT',
      `/api/organizations/${b.organization_id}/users/${bUser}`,
      A,
      { email: 'b@example.com', role: 'admin' },
      404
    ],
    ['DELETE', `/api/organizations/${b.organization_id}/users/${bUser}`, A, undefined, 404],
    ['POST', `/api/organizations/${b.organization_id}/users/${bUser}/keys`, A, undefined, 404],
    ['GET', `/api/organizations/${a.organization_id}/users/${bUser}`, A, undefined, 404],
    ['DELETE', `/api/organizations/${a.organization_id}/users/${b.admin_user_id}`, A, undefined, 404],
    ['GET', `/api/permissions/roles?organization_id=${b.organization_id}`, A, undefined, 404],
    ['GET', `/api/permissions/roles/${bRole}`, aAdmin, undefined, 404],
    ['PUT', `/api/permissions/roles/${bRole}`, aAdmin, { name: 'Mine' }, 404],
    ['DELETE', `/api/permissions/roles/${bRole}`, aAdmin, undefined, 404],
    ['GET', `/api/organization/users/${bUser}`, aAdmin, undefined, 404],
    ['DELETE', `/api/organization/users/${b.admin_user_id}`, aAdmin, undefined, 404]
  ]
  for (const [method, url, headers, body, status] of attempts) {
    const res = await call(app, method, url, headers, body)
    t.equal(res.status, status, `${method} ${url}`)
  }
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'nothing of B changed')
})

t.test('DELETE /__admin/tenants removes the tenant and everything under it', async (t) => {
  const app = await build(t)
  const x = await tenant(app)
  await call(app, 'POST', '/api/organizations', bearer(x.partner_key), { name: 'Child' })
  const counts = (await call(app, 'POST', '/__admin/snapshots', {}, { name: 'before' })).body as {
    counts: Record<string, number>
  }
  const res = await call(app, 'DELETE', `/__admin/tenants/${x.partner_id}`)
  t.equal(res.status, 200)
  t.same(res.body, { status: 'ok', partner_id: x.partner_id })
  t.equal((await call(app, 'GET', '/api/me', bearer(x.partner_key))).status, 401)
  t.equal((await call(app, 'GET', '/api/me', bearer(x.admin_user_key))).status, 401)
  const after = (await call(app, 'POST', '/__admin/snapshots', {}, { name: 'after' })).body as {
    counts: Record<string, number>
  }
  t.same(after.counts, {
    ...counts.counts,
    partners: counts.counts.partners! - 1,
    organizations: counts.counts.organizations! - 2,
    roles: counts.counts.roles! - 4,
    users: counts.counts.users! - 1,
    user_roles: counts.counts.user_roles! - 1,
    api_keys: counts.counts.api_keys! - 1
  })
  const again = await call(app, 'DELETE', `/__admin/tenants/${x.partner_id}`)
  t.equal(again.status, 404)
  t.same(again.body, apiError(404, 'tenant_not_found', 'no partner with this id'))
})
