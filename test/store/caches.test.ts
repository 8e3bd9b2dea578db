import t from 'tap'
import { W, basic, bearer, build, call } from '../helper.js'

const janeUrl = `/api/organizations/${W.org.id}/users/${W.jane.id}`

t.test('a user write keeps resolved credentials; a write to keys drops them', async (t) => {
  const app = await build(t)
  const { credentials, users, transaction } = {
    credentials: app.store.credentials,
    users: app.store.users,
    transaction: app.store.transaction.bind(app.store)
  }
  const before = credentials.resolveBearer(W.acme.key)
  transaction(() => users.update(users.find(W.org.id, W.john.id), { email: W.john.email, role: 'admin' }, 'replace'))
  t.equal(credentials.resolveBearer(W.acme.key), before, 'the same cached caller after a user write')
  transaction(() => credentials.mintUserKey(W.org.id, W.john.id, false))
  t.not(credentials.resolveBearer(W.acme.key), before, 'looked up again after a key write')
  t.same(credentials.resolveBearer(W.acme.key), before, 'and still the same caller')
})

t.test('a key stops working at once when a cascade removes it: its user, its organization, its partner', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 200)
  await call(app, 'DELETE', janeUrl, bearer(W.acme.key))
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 401, "the deleted user's key")

  const created = await call(app, 'POST', '/api/organizations', bearer(W.acme.key), { name: 'Short-lived' })
  const orgId = (created.body as { data: { id: string } }).data.id
  t.equal((await call(app, 'GET', '/api/me', basic(orgId, W.acme.key))).status, 200)
  await call(app, 'DELETE', `/api/organizations/${orgId}`, bearer(W.acme.key))
  t.equal(
    (await call(app, 'GET', '/api/me', basic(orgId, W.acme.key))).status,
    401,
    'a Basic credential naming the deleted organization'
  )

  t.equal((await call(app, 'GET', '/api/me', bearer(W.globex.key))).status, 200)
  app.store.transaction(() => app.store.credentials.deletePartner(W.globex.partnerId))
  t.equal((await call(app, 'GET', '/api/me', bearer(W.globex.key))).status, 401, "the deleted partner's key")
  t.equal(
    (await call(app, 'GET', '/api/me', bearer(W.globex.adminKey))).status,
    401,
    'a user key of its organizations, gone by cascade'
  )
})

t.test('a transaction that fails leaves nothing cached from inside it', async (t) => {
  const app = await build(t)
  const { store } = app
  const partner = { id: '7b3e0c1a-2d4f-4a6b-8c9d-0e1f2a3b4c5d', name: 'Ghost', organization_id: W.org.id }
  t.throws(
    () =>
      store.transaction(() => {
        store.credentials.addPartner(partner, 'ghost-partner-key')
        t.ok(store.credentials.resolveBearer('ghost-partner-key'), 'known inside the transaction')
        t.ok(store.organizations.find(W.org.id))
        throw new Error('rolled back')
      }),
    /rolled back/
  )
  t.equal(store.credentials.resolveBearer('ghost-partner-key'), null, 'unknown once it rolled back')
  t.equal((await call(app, 'GET', '/api/me', bearer('ghost-partner-key'))).status, 401)
})

t.test(
  'a renamed organization is read afresh; a defined connection type is listed at once (written past the repositories)',
  async (t) => {
    const app = await build(t)
    await call(app, 'GET', `/api/organizations/${W.org.id}`, bearer(W.acme.key))
    // Plain SQL, so that only the triggers can tell the caches.
    app.store.db.prepare("UPDATE organizations SET name = 'Renamed Inc' WHERE id = ?").run(W.org.id)
    t.equal(app.store.organizations.find(W.org.id)?.name, 'Renamed Inc')
    const types = app.store.connectionTypes.list().length
    const definition = structuredClone(app.store.connectionTypes.list()[0]!.definition)
    app.store.db
      .prepare('INSERT INTO connection_types (id, definition) VALUES (?, ?)')
      .run('cache_probe_type', JSON.stringify({ ...definition, id: 'cache_probe_type', name: 'Cache probe' }))
    t.equal(app.store.connectionTypes.list().length, types + 1)
  }
)
