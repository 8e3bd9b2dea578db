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
