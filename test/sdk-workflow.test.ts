import t from 'tap'
import { Polytomic, PolytomicClient } from 'polytomic'
import { W, build, listen } from './helper.js'

const once = { maxRetries: 0 }

t.test('the documented partner workflow, end to end with the official SDK over a real socket', async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  const partner = new PolytomicClient({ environment, token: W.acme.key })

  const organization = await partner.organization.create({ name: 'Customer Co', sso_domain: 'customer.example' }, once)
  const orgId = organization.data?.id as string
  t.same(organization, { data: { id: orgId, name: 'Customer Co', sso_domain: 'customer.example' } })
  t.same((await partner.organization.get(orgId, once)).data?.name, 'Customer Co')

  const user = await partner.users.create(orgId, { email: 'first.admin@customer.example', role: 'admin' }, once)
  const userId = user.data?.id as string
  t.equal(user.data?.organization_id, orgId)

  const key = await partner.users.createApiKey(orgId, userId, { force: true }, once)
  const asUser = new PolytomicClient({ environment, token: key.data?.value as string })
  const me = await asUser.identity.get(once)
  t.same(me, {
    data: {
      id: userId,
      email: 'first.admin@customer.example',
      role: 'admin',
      organization_id: orgId,
      organization_name: 'Customer Co',
      is_user: true,
      is_organization: false,
      is_partner: false,
      is_system: false
    }
  })

  const roles = await asUser.permissions.roles.list(once)
  t.same(
    roles.data?.map((r) => r.name),
    ['Admin', 'Member']
  )
  const custom = await asUser.permissions.roles.create({ name: 'Analyst' }, once)
  t.equal(custom.data?.organization_id, orgId)
  await asUser.permissions.roles.remove(custom.data?.id as string, once)

  await partner.organization.remove(orgId, once)
  const after = await asUser.identity.get(once).catch((err: unknown) => err)
  t.ok(after instanceof Polytomic.UnauthorizedError, 'the minted key is revoked with its organization')
  t.equal((after as Polytomic.UnauthorizedError).statusCode, 401)

  const gone = await partner.organization.get(orgId, once).catch((err: unknown) => err)
  t.ok(gone instanceof Polytomic.NotFoundError)
})

t.test(
  'the SDK raises ConflictError for a duplicate organization name and ForbiddenError for the owner organization',
  async (t) => {
    const app = await build(t)
    const environment = await listen(app)
    const partner = new PolytomicClient({ environment, token: W.acme.key })
    const conflict = await partner.organization.create({ name: 'my organization' }, once).catch((err: unknown) => err)
    t.ok(conflict instanceof Polytomic.ConflictError)
    const owner = await partner.organization.remove(W.acme.ownerOrgId, once).catch((err: unknown) => err)
    t.ok(owner instanceof Polytomic.ForbiddenError)
    const list = await partner.organization.list(once)
    t.same(
      list.data?.map((o) => o.id),
      [W.acme.ownerOrgId, W.org.id]
    )
  }
)

t.test("the SDK's retries are journaled as retries of the first attempt", async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  // SDK 1.18.1 retries 408, 409, 429 and 5xx twice (with a short backoff): one refused call, three requests.
  const partner = new PolytomicClient({ environment, token: W.acme.key, version: '2024-02-08' })
  const rule = app.control.addFault({ partner_id: W.acme.partnerId, path: '/api/organizations', status: 503 })
  const refused = await partner.organization.list().catch((err: unknown) => err)
  t.equal((refused as { statusCode?: number }).statusCode, 503)
  t.equal(app.control.faultRules()[0]?.fired, 3, 'the rule fired three times for one call')
  const entries = app.control.requests({ path: '/api/organizations' }).reverse()
  t.same(
    entries.map((e) => [e.status, e.retry_of]),
    [
      [503, null],
      [503, entries[0]?.id],
      [503, entries[0]?.id]
    ],
    'the second and third are retries of the first'
  )
  app.control.removeFault(rule.id)
  await partner.organization.list()
  t.equal(
    app.control.requests({ path: '/api/organizations', limit: 1 })[0]?.retry_of,
    entries[0]?.id,
    'calling again after a refusal is a retry too, whoever repeats it'
  )
  await partner.organization.list()
  t.equal(app.control.requests({ path: '/api/organizations', limit: 1 })[0]?.retry_of, null, 'after a 200, a new call')

  // A times: 1 fault is used up by the first attempt: the SDK's retry succeeds, and says it is one.
  app.control.addFault({ partner_id: W.acme.partnerId, method: 'POST', status: 500, times: 1 })
  const created = await partner.organization.create({ name: 'Retried Co' })
  t.equal(created.data?.name, 'Retried Co')
  const posts = app.control.requests({ method: 'POST', path: '/api/organizations' })
  t.same(
    posts.map((e) => [e.status, e.retry_of]),
    [
      [200, posts[1]?.id],
      [500, null]
    ]
  )
  // The same body again after a success is a new call, not a retry; its 409 (the name is taken) the SDK retries.
  await partner.organization.create({ name: 'Retried Co' }).catch(() => undefined)
  const again = app.control.requests({ method: 'POST', path: '/api/organizations', limit: 3 })
  t.same(
    again.map((e) => [e.status, e.retry_of]),
    [
      [409, again[2]?.id],
      [409, again[2]?.id],
      [409, null]
    ]
  )
})
