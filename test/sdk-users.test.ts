import t from 'tap'
import { Polytomic, PolytomicClient } from 'polytomic'
import { JANE, W, build, listen } from './helper.js'

/** Retries off: the SDK re-sends 409 and 5xx by default (reference 7). */
const once = { maxRetries: 0 }

t.test('the official polytomic SDK (1.18.1) drives the users API end to end', async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  const client = new PolytomicClient({ environment, token: W.acme.key })

  const listed = await client.users.list(W.org.id, once)
  t.same(
    listed.data?.map((u) => u.email),
    [W.jane.email, W.john.email]
  )

  const fetched = await client.users.get(W.jane.id, W.org.id, once)
  t.same(fetched, { data: JANE })

  const created = await client.users.create(W.org.id, { email: 'SDK.User@Example.com', role: 'admin' }, once)
  const id = created.data?.id as string
  t.same(created, {
    data: { id, email: 'sdk.user@example.com', organization_id: W.org.id, role: 'admin', role_ids: [W.org.adminRoleId] }
  })

  const updated = await client.users.update(
    id,
    W.org.id,
    { email: 'sdk.user@example.com', role_ids: [W.org.analystRoleId, W.org.adminRoleId] },
    once
  )
  t.same(updated, {
    data: {
      id,
      email: 'sdk.user@example.com',
      organization_id: W.org.id,
      role: 'admin',
      role_ids: [W.org.analystRoleId, W.org.adminRoleId]
    }
  })

  const key = await client.users.createApiKey(W.org.id, id, { force: true }, once)
  t.match(key.data?.value, /^[0-9a-f-]{36}$/)
  const asUser = new PolytomicClient({ environment, token: key.data?.value as string, version: '2024-02-08' })
  t.equal((await asUser.users.get(id, W.org.id, once)).data?.id, id, 'the minted key works')

  const removed = await client.users.remove(id, W.org.id, once)
  t.equal(removed.data?.id, id)
  t.equal(removed.data?.email, 'sdk.user@example.com')
})

t.test('the SDK raises its typed errors for 401, 403, 404 and 422', async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  const partner = new PolytomicClient({ environment, token: W.acme.key })

  const unauthorized = new PolytomicClient({ environment, token: 'wrong-key', version: '2024-02-08' })
  const e401 = await unauthorized.users.list(W.org.id, once).catch((err: unknown) => err)
  t.ok(e401 instanceof Polytomic.UnauthorizedError, 'UnauthorizedError')
  t.same((e401 as Polytomic.UnauthorizedError).body, {
    status: 'Unauthorized',
    error: 'invalid or unknown API key',
    code: 401
  })

  const userKey = new PolytomicClient({ environment, token: W.jane.key })
  const e403 = await userKey.users.list(W.org.id, once).catch((err: unknown) => err)
  t.ok(e403 instanceof Polytomic.ForbiddenError, 'ForbiddenError')
  t.equal((e403 as Polytomic.ForbiddenError).statusCode, 403)
  t.same((e403 as Polytomic.ForbiddenError).body, {
    status: 403,
    message: 'this endpoint requires a partner or deployment key',
    key: 'partner_key_required',
    metadata: {}
  })

  const e404 = await partner.users
    .get('00000000-0000-4000-8000-000000000000', W.org.id, once)
    .catch((err: unknown) => err)
  t.ok(e404 instanceof Polytomic.NotFoundError, 'NotFoundError')
  t.same((e404 as Polytomic.NotFoundError).body, {
    status: 404,
    message: 'user not found',
    key: 'user_not_found',
    metadata: {}
  })

  const e422 = await partner.users.create(W.org.id, { email: 'not-an-email' }, once).catch((err: unknown) => err)
  t.ok(e422 instanceof Polytomic.UnprocessableEntityError, 'UnprocessableEntityError')
  t.same((e422 as Polytomic.UnprocessableEntityError).body, {
    status: 422,
    message: 'email: must be an email address',
    key: 'validation_failed',
    metadata: { field: 'email', problem: 'must be an email address' }
  })
})
