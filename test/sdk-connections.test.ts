import t from 'tap'
import { Polytomic, PolytomicClient } from 'polytomic'
import { W, build, listen, postgres } from './helper.js'

const once = { maxRetries: 0 }

t.test(
  'the multitenancy workflow with the official SDK over a real socket: connection, customer, share, Connect, clean-up',
  async (t) => {
    const app = await build(t)
    const environment = await listen(app)
    const partner = new PolytomicClient({ environment, token: W.acme.key })

    // The catalog, as a setup UI would read it.
    const types = await partner.connections.getTypes(once)
    t.ok(types.data?.some((type) => type.id === 'postgresql' && type.capabilities.source))
    const schema = await partner.connections.getConnectionTypeSchema('postgresql', once)
    t.same(schema.required, ['hostname', 'database', 'username', 'password'], 'the bare JSON Schema')
    const regions = await partner.connections.getTypeParameterValues(
      's3',
      { field: 's3_bucket_region', query: 'us-west' },
      once
    )
    t.same(
      regions.data?.s3_bucket_region?.values?.map((v) => v.value),
      ['us-west-1', 'us-west-2']
    )

    // 1. A connection in the partner's own organization, tested first.
    await partner.connections.testConnection({ type: 'postgresql', configuration: postgres() }, once)
    const created = await partner.connections.create(
      { name: 'Shared warehouse', type: 'postgresql', configuration: postgres(), validate: true },
      once
    )
    const parentId = created.data?.id as string
    t.match(created.data, {
      name: 'Shared warehouse',
      organization_id: W.acme.ownerOrgId,
      status: 'healthy',
      saved: true,
      type: { id: 'postgresql', name: 'PostgreSQL' }
    })
    t.equal(created.data?.configuration?.password, '********')

    // 2. One organization per customer, with a user and a key.
    const customer = await partner.organization.create({ name: 'Customer One' }, once)
    const customerId = customer.data?.id as string
    const user = await partner.users.create(customerId, { email: 'admin@customer-one.example', role: 'admin' }, once)
    const key = await partner.users.createApiKey(customerId, user.data?.id as string, { force: true }, once)

    // 3. Share the connection into it; the customer's key sees the copy, and only that.
    const shared = await partner.connections.createSharedConnection(
      parentId,
      { child_organization_id: customerId, name: 'Warehouse' },
      once
    )
    const copyId = shared.data?.id as string
    const copies = await partner.connections.listSharedConnections(parentId, once)
    t.same(
      copies.data?.map((c) => [c.id, c.parent_connection_id, c.organization_id]),
      [[copyId, parentId, customerId]]
    )
    const asCustomer = new PolytomicClient({ environment, token: key.data?.value as string })
    const seen = await asCustomer.connections.list(once)
    t.same(
      seen.data?.map((c) => c.id),
      [copyId]
    )
    const copy = await asCustomer.connections.get(copyId, once)
    t.match(copy.data, {
      name: 'Warehouse',
      parent_connection_id: parentId,
      configuration: { hostname: 'db.example.com', password: '********' }
    })
    const hidden = await asCustomer.connections.get(parentId, once).catch((err: unknown) => err)
    t.ok(hidden instanceof Polytomic.NotFoundError, "the parent is out of the customer's reach")
    const readOnly = await asCustomer.connections
      .update(copyId, { name: 'mine now', configuration: postgres() }, once)
      .catch((err: unknown) => err)
    t.ok(readOnly instanceof Polytomic.ForbiddenError, 'a shared copy cannot be edited')
    const values = await asCustomer.connections.getParameterValues(copyId, once)
    t.same(values.data, {})

    // 4. A second customer goes through Connect, completed over HTTP as its browser would.
    const second = await partner.organization.create({ name: 'Customer Two' }, once)
    const secondId = second.data?.id as string
    const session = await partner.connections.connect(
      {
        name: 'Their Snowflake',
        redirect_url: 'https://partner.example/connected',
        organization_id: secondId,
        type: 'snowflake'
      },
      once
    )
    const pageUrl = session.data?.redirect_url as string
    t.match(pageUrl, `${environment}/connect/`)
    const page = await (await fetch(pageUrl)).text()
    t.match(page, 'name="warehouse"')
    const submit = await fetch(pageUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        __type: 'snowflake',
        account: 'xy12345',
        username: 'loader',
        password: 'snow-pw',
        dbname: 'ANALYTICS'
      }).toString()
    })
    t.equal(submit.status, 303)
    const connectedId = new URL(submit.headers.get('location') as string).searchParams.get('connection_id') as string
    const connected = await partner.connections.get(connectedId, once)
    t.match(connected.data, {
      name: 'Their Snowflake',
      organization_id: secondId,
      type: { id: 'snowflake' },
      configuration: { account: 'xy12345', password: '********' }
    })
    const reused = await fetch(pageUrl)
    t.equal(reused.status, 410, 'the token was single use')

    // 5. Remove everything: the parent is in use until forced; organizations take their connections along.
    const inUse = await partner.connections.remove(parentId, {}, once).catch((err: unknown) => err)
    t.ok(inUse instanceof Polytomic.UnprocessableEntityError, 'in use without force')
    await partner.connections.remove(parentId, { force: true }, once)
    const gone = await asCustomer.connections.get(copyId, once).catch((err: unknown) => err)
    t.ok(gone instanceof Polytomic.NotFoundError, 'the copy went with its parent')
    await partner.organization.remove(customerId, once)
    await partner.organization.remove(secondId, once)
    const after = await partner.connections.get(connectedId, once).catch((err: unknown) => err)
    t.ok(after instanceof Polytomic.NotFoundError, 'the Connect connection went with its organization')
    t.same(
      (await partner.connections.list(once)).data?.map((c) => c.id),
      [W.warehouse.id],
      'the partner organization is back to its fixture connection'
    )
  }
)

t.test("the SDK maps the API's connection errors to its typed errors", async (t) => {
  const app = await build(t)
  const environment = await listen(app)
  const partner = new PolytomicClient({ environment, token: W.acme.key })
  const invalid = await partner.connections
    .create({ name: 'x', type: 'postgresql', configuration: { hostname: 'h' } }, once)
    .catch((err: unknown) => err)
  t.ok(invalid instanceof Polytomic.UnprocessableEntityError)
  t.match((invalid as Polytomic.UnprocessableEntityError).body, {
    key: 'validation_failed',
    metadata: { field: 'configuration.database' }
  })
  app.control.addConnectionCheck({ message: 'host not found' })
  const failed = await partner.connections
    .testConnection({ type: 'postgresql', configuration: postgres() }, once)
    .catch((err: unknown) => err)
  t.ok(failed instanceof Polytomic.BadRequestError)
  t.match((failed as Polytomic.BadRequestError).body, { key: 'connection_test_failed', message: 'host not found' })
  const unknownType = await partner.connections.getConnectionTypeSchema('oracle', once).catch((err: unknown) => err)
  t.ok(unknownType instanceof Polytomic.NotFoundError)
  const asUser = new PolytomicClient({ environment, token: W.jane.key })
  const share = await asUser.connections
    .createSharedConnection(W.warehouse.id, { child_organization_id: W.org.id }, once)
    .catch((err: unknown) => err)
  t.ok(share instanceof Polytomic.ForbiddenError, 'sharing requires a partner key')
})
