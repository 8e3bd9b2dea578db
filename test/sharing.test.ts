import t from 'tap'
import { W, apiError, basic, bearer, build, call, postgres } from './helper.js'

const P = bearer(W.acme.key)
const J = bearer(W.jane.key)
const V2025 = { 'x-polytomic-version': '2025-09-18' }
const V2024 = { 'x-polytomic-version': '2024-02-08' }
const NOT_FOUND = apiError(404, 'connection_not_found', 'connection not found')

interface Connection {
  id: string
  name: string
  organization_id: string
  status: string
  status_error?: string
  configuration: Record<string, unknown>
  parent_connection_id?: string
}
const dataOf = <T = Connection>(res: { body: unknown }): T => (res.body as { data: T }).data

t.test("the bundled world: Acme's Postgres connection, shared into My Organization", async (t) => {
  const app = await build(t)
  const copy = dataOf(await call(app, 'GET', `/api/connections/${W.warehouse.copyId}`, J))
  t.match(copy, {
    id: W.warehouse.copyId,
    name: W.warehouse.name,
    organization_id: W.org.id,
    parent_connection_id: W.warehouse.id,
    type: { id: 'postgresql' },
    status: 'healthy'
  })
  t.same(copy.configuration, {
    hostname: 'postgres.acme-partner.example',
    port: 5432,
    database: 'warehouse',
    username: 'polytomic',
    password: '********',
    ssl: true
  })
  const shared = await call(app, 'GET', `/api/connections/${W.warehouse.id}/shared`, P)
  t.same(
    dataOf<Connection[]>(shared).map((c) => c.id),
    [W.warehouse.copyId]
  )
})

t.test('a partner shares a connection into a customer organization; the copy follows its parent', async (t) => {
  const app = await build(t)
  const customer = dataOf(await call(app, 'POST', '/api/organizations', P, { name: 'Customer Two' }))
  const shared = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {
    child_organization_id: customer.id,
    name: 'Warehouse (shared)'
  })
  t.equal(shared.status, 200)
  const copyId = dataOf<{ id: string }>(shared).id
  t.same(shared.body, { data: { id: copyId } })
  const copy = dataOf(await call(app, 'GET', `/api/connections/${copyId}`, P))
  t.match(copy, { name: 'Warehouse (shared)', organization_id: customer.id, parent_connection_id: W.warehouse.id })
  t.same(
    dataOf<Connection[]>(await call(app, 'GET', `/api/connections?organization_id=${customer.id}`, P)).map((c) => c.id),
    [copyId],
    'listed in the customer organization'
  )

  await call(
    app,
    'POST',
    '/__admin/connection-checks',
    {},
    { type: 'postgresql', message: 'password authentication failed', times: 1 }
  )
  const changed = await call(app, 'PUT', `/api/connections/${W.warehouse.id}`, P, {
    name: W.warehouse.name,
    configuration: postgres({ hostname: 'new-host.example' })
  })
  t.match(changed.body, { data: { status: 'unhealthy' } })
  const after = dataOf(await call(app, 'GET', `/api/connections/${copyId}`, P))
  t.same(
    [after.configuration.hostname, after.status, after.status_error],
    ['new-host.example', 'unhealthy', 'password authentication failed'],
    'configuration and health come from the parent'
  )

  const readOnly = await call(app, 'PUT', `/api/connections/${copyId}`, P, { name: 'x', configuration: postgres() })
  t.same(
    [readOnly.status, readOnly.body],
    [
      403,
      apiError(
        403,
        'shared_connection_read_only',
        'a shared connection follows its parent: change the parent connection instead'
      )
    ]
  )
  const listed = await call(app, 'GET', `/api/connections/${W.warehouse.id}/shared`, P)
  t.same(
    dataOf<Connection[]>(listed).map((c) => c.id),
    [W.warehouse.copyId, copyId],
    'the copies, not the parent, oldest first'
  )
})

t.test(
  'sharing rules: partner keys only; a child of another partner is 404; twice is a conflict; a copy is not shared again',
  async (t) => {
    const app = await build(t)
    for (const headers of [J, bearer(W.org.orgKey), bearer(W.globex.adminKey)]) {
      const res = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, headers, {
        child_organization_id: W.org.id
      })
      t.same(
        [res.status, res.body],
        [403, apiError(403, 'partner_key_required', 'this endpoint requires a partner or deployment key')]
      )
      t.equal((await call(app, 'GET', `/api/connections/${W.warehouse.id}/shared`, headers)).status, 403)
    }
    const otherPartner = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {
      child_organization_id: W.globex.customerOrgId
    })
    t.same(
      [otherPartner.status, otherPartner.body],
      [404, apiError(404, 'organization_not_found', 'organization not found')]
    )
    t.same(
      (
        await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, bearer(W.globex.key), {
          child_organization_id: W.globex.customerOrgId
        })
      ).body,
      NOT_FOUND,
      "another partner's connection"
    )
    const twice = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {
      child_organization_id: W.org.id,
      name: 'Another name'
    })
    t.same(
      [twice.status, twice.body],
      [409, apiError(409, 'connection_already_shared', 'this connection is already shared with the organization')]
    )
    const itself = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {
      child_organization_id: W.acme.ownerOrgId
    })
    t.same(
      [itself.status, (itself.body as { metadata: unknown }).metadata],
      [422, { field: 'child_organization_id', problem: 'is the organization that owns the connection' }]
    )
    const again = await call(app, 'POST', `/api/connections/${W.warehouse.copyId}/share`, P, {
      child_organization_id: W.acme.ownerOrgId
    })
    t.equal(again.status, 422, 'a shared copy cannot be shared')
    const customer = dataOf(await call(app, 'POST', '/api/organizations', P, { name: 'Named Clash' }))
    await call(app, 'POST', '/api/connections', P, {
      name: W.warehouse.name,
      type: 'mysql',
      configuration: { hostname: 'h', database: 'd', account: 'a', passwd: 'p' },
      organization_id: customer.id
    })
    const clash = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {
      child_organization_id: customer.id
    })
    t.same(
      [clash.status, (clash.body as { key: string }).key],
      [409, 'connection_name_taken'],
      'the default name is taken in the child'
    )
    t.equal(
      (await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, {})).status,
      422,
      'child_organization_id is required'
    )
    const deployment = await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, bearer(W.deploymentKey), {
      child_organization_id: customer.id,
      name: 'Via deployment'
    })
    t.equal(deployment.status, 200, 'a deployment key may share')
    const scoped = await call(
      app,
      'POST',
      `/api/connections/${W.warehouse.id}/share`,
      basic(W.acme.ownerOrgId, W.acme.key),
      { child_organization_id: W.org.id }
    )
    t.equal(scoped.status, 404, "a key scoped to the parent's organization cannot reach the child")
  }
)

t.test(
  'removing: a parent with copies is in use without force; with force its copies go; removing a copy leaves the parent',
  async (t) => {
    const app = await build(t)
    // The bundled bulk sync reads the copy; what syncs do to a delete is test/syncs-dependents.test.ts's.
    t.equal((await call(app, 'DELETE', `/api/bulk/syncs/${W.bulkSync.id}`, J)).status, 200)
    const inUse = await call(app, 'DELETE', `/api/connections/${W.warehouse.id}`, P)
    t.same(
      [inUse.status, inUse.body],
      [
        422,
        apiError(
          422,
          'connection_in_use',
          'connection in use: it has shared copies; delete with force=true to remove them too',
          { shared_copies: [W.warehouse.copyId] }
        )
      ]
    )
    t.equal(
      (await call(app, 'DELETE', `/api/connections/${W.warehouse.copyId}`, J)).status,
      200,
      'a customer removes its copy'
    )
    t.equal((await call(app, 'GET', `/api/connections/${W.warehouse.id}`, P)).status, 200, 'the parent stays')
    const again = dataOf<{ id: string }>(
      await call(app, 'POST', `/api/connections/${W.warehouse.id}/share`, P, { child_organization_id: W.org.id })
    )
    t.equal((await call(app, 'DELETE', `/api/connections/${W.warehouse.id}?force=false`, P)).status, 422)
    t.equal((await call(app, 'DELETE', `/api/connections/${W.warehouse.id}?force=true`, P)).status, 200)
    t.same((await call(app, 'GET', `/api/connections/${again.id}`, J)).body, NOT_FOUND, 'the copy went with the parent')
  }
)

t.test('2025-09-18: sharing under the owning organization; earlier versions have no such route', async (t) => {
  const app = await build(t)
  const customer = dataOf(await call(app, 'POST', '/api/organizations', P, { name: 'Customer 2025' }))
  const url = `/api/organizations/${W.acme.ownerOrgId}/connections/${W.warehouse.id}/shared`
  const created = await call(app, 'POST', url, { ...P, ...V2025 }, { child_organization_id: customer.id })
  t.equal(created.status, 200)
  const copyId = dataOf<{ id: string }>(created).id
  t.same(
    dataOf<Connection[]>(await call(app, 'GET', url, { ...P, ...V2025 })).map((c) => c.id),
    [W.warehouse.copyId, copyId]
  )
  t.same(dataOf<Connection[]>(await call(app, 'GET', url, P)).length, 2, 'the default version is 2025-09-18')
  const wrongOrg = await call(app, 'GET', `/api/organizations/${W.org.id}/connections/${W.warehouse.id}/shared`, {
    ...P,
    ...V2025
  })
  t.same(
    [wrongOrg.status, wrongOrg.body],
    [404, NOT_FOUND],
    'the connection must belong to the organization in the path'
  )
  t.equal(
    (
      await call(app, 'GET', `/api/organizations/${W.globex.customerOrgId}/connections/${W.warehouse.id}/shared`, {
        ...P,
        ...V2025
      })
    ).status,
    404
  )
  t.equal((await call(app, 'GET', url, { ...J, ...V2025 })).status, 403)
  const older = await call(app, 'GET', url, { ...P, ...V2024 })
  t.same([older.status, (older.body as { key: string }).key], [404, 'route_not_found'])
  const older2 = dataOf(await call(app, 'POST', '/api/organizations', P, { name: 'Older' }))
  const legacyShare = await call(
    app,
    'POST',
    `/api/connections/${W.warehouse.id}/share`,
    { ...P, ...V2024 },
    { child_organization_id: older2.id }
  )
  t.equal(legacyShare.status, 200, 'POST /api/connections/:id/share (what SDK 1.18.1 sends) works in every version')
})
