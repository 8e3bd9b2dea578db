// One module of limits (src/core/limits.ts) serves the route schemas and the store: each limit is
// accepted at its edge and refused one past it, with the same message whichever layer refuses
// (the schema on the API, the store's rule in a fixture document).
import t from 'tap'
import { LIMITS } from '../src/core/limits.js'
import { buildApp } from '../src/http/app.js'
import { apiError, W, bearer, build, call } from './helper.js'
import type { Fixtures } from '../src/http/schemas/fixtures.js'

const P = bearer(W.acme.key)
const usersUrl = `/api/organizations/${W.org.id}/users`

/** An email of exactly n characters. */
function emailOf (n: number): string {
  const domain = '@example.com'
  return `${'a'.repeat(n - domain.length)}${domain}`
}

const tooLong = (field: string, limit: number): Record<string, unknown> =>
  apiError(422, 'validation_failed', `${field}: must be at most ${limit} characters`, {
    field,
    problem: `must be at most ${limit} characters`
  })

t.test('the limits are the documented ones', async (t) => {
  t.same(LIMITS, {
    name: 255,
    ssoField: 2048,
    email: 254,
    id: 64,
    roleName: 64,
    url: 2048,
    configurationValue: 65536,
    roleIds: 1000,
    jsonDepth: 64
  })
})

t.test(
  'organization name and SSO fields: at the limit accepted, one past it refused, on create, replace and merge',
  async (t) => {
    const app = await build(t)
    const atLimit = {
      name: 'n'.repeat(LIMITS.name),
      sso_domain: 'd'.repeat(LIMITS.ssoField),
      sso_org_id: 'o'.repeat(LIMITS.ssoField),
      issuer: 'i'.repeat(LIMITS.ssoField),
      client_id: 'c'.repeat(LIMITS.ssoField),
      client_secret: 's'.repeat(LIMITS.ssoField)
    }
    const created = await call(app, 'POST', '/api/organizations', P, atLimit)
    t.equal(created.status, 200)
    const id = (created.body as { data: { id: string } }).data.id
    for (const [method, url] of [
      ['POST', '/api/organizations'],
      ['PUT', `/api/organizations/${id}`],
      ['PATCH', `/api/organizations/${id}`]
    ] as const) {
      const name = await call(app, method, url, P, { name: 'm'.repeat(LIMITS.name + 1) })
      t.same([name.status, name.body], [422, tooLong('name', LIMITS.name)], `${method} name`)
      for (const field of ['sso_domain', 'sso_org_id', 'issuer', 'client_id', 'client_secret']) {
        const res = await call(app, method, url, P, { name: `ok ${method}`, [field]: 'x'.repeat(LIMITS.ssoField + 1) })
        t.same([res.status, res.body], [422, tooLong(field, LIMITS.ssoField)], `${method} ${field}`)
      }
    }
  }
)

t.test('role names: at the limit accepted, one past it refused', async (t) => {
  const app = await build(t)
  const ok = await call(app, 'POST', '/api/permissions/roles', bearer(W.jane.key), { name: 'r'.repeat(LIMITS.name) })
  t.equal(ok.status, 200)
  const res = await call(app, 'POST', '/api/permissions/roles', bearer(W.jane.key), {
    name: 'r'.repeat(LIMITS.name + 1)
  })
  t.same([res.status, res.body], [422, tooLong('name', LIMITS.name)])
})

t.test(
  'connections: name, redirect_url and a configuration value at the limit accepted, one past it refused',
  async (t) => {
    const app = await build(t)
    const configuration = (password: string): Record<string, unknown> => ({
      hostname: 'db.example',
      database: 'd',
      username: 'u',
      password
    })
    const ok = await call(app, 'POST', '/api/connections', P, {
      name: 'c'.repeat(LIMITS.name),
      type: 'postgresql',
      configuration: configuration('p'.repeat(LIMITS.configurationValue))
    })
    t.equal(ok.status, 200)
    const name = await call(app, 'POST', '/api/connections', P, {
      name: 'c'.repeat(LIMITS.name + 1),
      type: 'postgresql',
      configuration: configuration('p')
    })
    t.same([name.status, name.body], [422, tooLong('name', LIMITS.name)])
    const value = await call(app, 'POST', '/api/connections', P, {
      name: 'long secret',
      type: 'postgresql',
      configuration: configuration('p'.repeat(LIMITS.configurationValue + 1))
    })
    t.same([value.status, value.body], [422, tooLong('configuration.password', LIMITS.configurationValue)])
    const url = `https://partner.example/${'u'.repeat(LIMITS.url - 'https://partner.example/'.length)}`
    t.equal(
      (await call(app, 'POST', '/api/connections/connect', P, { name: 'at limit', redirect_url: url })).status,
      200
    )
    const long = await call(app, 'POST', '/api/connections/connect', P, { name: 'past limit', redirect_url: `${url}u` })
    t.same([long.status, long.body], [422, tooLong('redirect_url', LIMITS.url)])
  }
)

t.test('emails and role_ids: at the limit accepted, one past it refused', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'POST', usersUrl, P, { email: emailOf(LIMITS.email) })).status, 200)
  const res = await call(app, 'POST', usersUrl, P, { email: emailOf(LIMITS.email + 1) })
  t.same([res.status, res.body], [422, tooLong('email', LIMITS.email)])
  const many = await call(app, 'POST', usersUrl, P, {
    email: 'many@example.com',
    role_ids: Array.from({ length: LIMITS.roleIds + 1 }, () => W.org.adminRoleId)
  })
  t.same(
    [many.status, many.body],
    [
      422,
      apiError(422, 'validation_failed', `role_ids: must have at most ${LIMITS.roleIds} items`, {
        field: 'role_ids',
        problem: `must have at most ${LIMITS.roleIds} items`
      })
    ]
  )
  const repeated = await call(app, 'POST', usersUrl, P, {
    email: 'repeat@example.com',
    role_ids: Array.from({ length: LIMITS.roleIds }, () => W.org.adminRoleId)
  })
  t.equal(repeated.status, 200, `${LIMITS.roleIds} role ids are accepted`)
})

t.test('a fixture document meets the same limits through the store, with the same words', async (t) => {
  const org = '11111111-1111-4111-8111-111111111111'
  const world = (name: string, email: string, ssoDomain: string): Fixtures => ({
    organizations: [{ id: org, name, sso_domain: ssoDomain }],
    users: [{ id: '22222222-2222-4222-8222-222222222222', organization_id: org, email }]
  })
  const ok = await buildApp({
    fixtures: world('n'.repeat(LIMITS.name), emailOf(LIMITS.email), 'd'.repeat(LIMITS.ssoField))
  })
  await ok.close()
  await t.rejects(buildApp({ fixtures: world('n'.repeat(LIMITS.name + 1), 'a@example.com', 'd') }), {
    message: `<fixtures option>: organizations[0].name: must be at most ${LIMITS.name} characters`
  })
  await t.rejects(buildApp({ fixtures: world('n', emailOf(LIMITS.email + 1), 'd') }), {
    message: `<fixtures option>: users[0].email: must be at most ${LIMITS.email} characters`
  })
  await t.rejects(buildApp({ fixtures: world('n', 'a@example.com', 'd'.repeat(LIMITS.ssoField + 1)) }), {
    message: `<fixtures option>: organizations[0].sso_domain: must be at most ${LIMITS.ssoField} characters`
  })
})
