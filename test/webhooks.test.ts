// The webhook API's rules (partner-surface reference 4): one per organization, endpoint and secret
// required, scoping as elsewhere. Deliveries are in deliveries.test.ts.
import t from 'tap'
import { W, apiError, basic, bearer, build, call } from './helper.js'

const JANE = bearer(W.jane.key)
const ACME = bearer(W.acme.key)
const hook = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  endpoint: 'https://hooks.example.com/polytomic',
  secret: 'whsec-1',
  ...overrides
})

t.test('create, get, list, update, disable, enable and delete with a user key', async (t) => {
  const app = await build(t)
  const created = await call(app, 'POST', '/api/webhooks', JANE, hook())
  t.equal(created.status, 200)
  const webhook = (created.body as { data: Record<string, unknown> }).data
  t.match(webhook, {
    organization_id: W.org.id,
    endpoint: 'https://hooks.example.com/polytomic',
    secret: 'whsec-1',
    disabled: false
  })
  t.match(webhook.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  const id = webhook.id as string

  t.same((await call(app, 'GET', `/api/webhooks/${id}`, JANE)).body, { data: webhook })
  t.same(
    (await call(app, 'GET', `/api/webhooks/${id.toUpperCase()}`, JANE)).body,
    { data: webhook },
    'ids match case-insensitively'
  )
  t.same((await call(app, 'GET', '/api/webhooks', JANE)).body, { data: [webhook] })

  const updated = await call(
    app,
    'PUT',
    `/api/webhooks/${id}`,
    JANE,
    hook({ endpoint: 'http://receiver.internal:9000/in', secret: 'whsec-2' })
  )
  t.same(
    updated.body,
    { data: { ...webhook, endpoint: 'http://receiver.internal:9000/in', secret: 'whsec-2' } },
    'both fields replaced; id, state and time kept'
  )

  t.match((await call(app, 'POST', `/api/webhooks/${id}/disable`, JANE)).body, { data: { id, disabled: true } })
  t.match(
    (await call(app, 'GET', `/api/webhooks/${id}`, JANE)).body,
    { data: { disabled: true, endpoint: 'http://receiver.internal:9000/in' } },
    'disabling keeps the configuration'
  )
  t.match((await call(app, 'POST', `/api/webhooks/${id}/enable`, JANE)).body, { data: { id, disabled: false } })

  const removed = await call(app, 'DELETE', `/api/webhooks/${id}`, JANE)
  t.equal(removed.status, 200)
  t.equal(removed.body, undefined, 'an empty body')
  t.same(
    (await call(app, 'GET', `/api/webhooks/${id}`, JANE)).body,
    apiError(404, 'webhook_not_found', 'webhook not found')
  )
  t.same((await call(app, 'GET', '/api/webhooks', JANE)).body, { data: [] })
  t.equal((await call(app, 'POST', '/api/webhooks', JANE, hook())).status, 200, 'a new one may be created after delete')
})

t.test('one webhook per organization: a second create is a 409', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'POST', '/api/webhooks', JANE, hook())).status, 200)
  t.same(
    (await call(app, 'POST', '/api/webhooks', bearer(W.org.orgKey), hook({ endpoint: 'https://other.example.com/' })))
      .body,
    apiError(409, 'webhook_exists', 'this organization already has a webhook: update it, or delete it first')
  )
  t.equal((await call(app, 'POST', '/api/webhooks', ACME, hook())).status, 200, 'another organization may have its own')
})

t.test('endpoint must be an absolute http or https URL, and secret is required: 422 naming the field', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ secret: 's' }, 'endpoint', 'is required'],
    [{ endpoint: 'https://a.example' }, 'secret', 'is required'],
    [hook({ endpoint: '/relative/path' }), 'endpoint', 'must be an absolute http or https URL'],
    [hook({ endpoint: 'ftp://files.example.com/in' }), 'endpoint', 'must be an absolute http or https URL'],
    [hook({ endpoint: 'javascript:alert(1)' }), 'endpoint', 'must be an absolute http or https URL'],
    [hook({ endpoint: 'http://[::1' }), 'endpoint', 'must be an absolute http or https URL'],
    [hook({ endpoint: '' }), 'endpoint', 'must NOT have fewer than 1 characters'],
    [hook({ secret: '' }), 'secret', 'must NOT have fewer than 1 characters'],
    [hook({ secret: '   ' }), 'secret', 'must not be empty'],
    [hook({ secret: 5 }), 'secret', 'must be string']
  ]
  for (const [body, field, problem] of cases) {
    const res = await call(app, 'POST', '/api/webhooks', JANE, body)
    t.equal(res.status, 422, JSON.stringify(body))
    t.match(
      res.body,
      { key: 'validation_failed', metadata: { field, problem: new RegExp(`^${problem.replace(/[()[\]]/g, '\\$&')}`) } },
      JSON.stringify(body)
    )
  }
  const created = (await call(app, 'POST', '/api/webhooks', JANE, hook())).body as { data: { id: string } }
  t.equal(
    (await call(app, 'POST', '/api/webhooks', JANE, hook({ extra: true }))).status,
    409,
    'unknown fields are ignored (the one webhook exists already)'
  )
  const put = await call(app, 'PUT', `/api/webhooks/${created.data.id}`, JANE, {
    endpoint: 'https://only-endpoint.example'
  })
  t.match(put.body, { status: 422, metadata: { field: 'secret' } }, 'an update replaces both fields: both are required')
  t.same(
    ((await call(app, 'GET', '/__admin/fixtures')).body as { webhooks: unknown[] }).webhooks,
    [created.data],
    'nothing refused was stored'
  )
})

t.test('WEBHOOK_ALLOWED_HOSTS: an endpoint on another host is refused (422), subdomain patterns match', async (t) => {
  const app = await build(t, {
    config: { webhookAllowedHosts: ['hooks.example.com', '*.partner.example', '127.0.0.1'] }
  })
  t.match((await call(app, 'POST', '/api/webhooks', JANE, hook({ endpoint: 'https://evil.example/in' }))).body, {
    status: 422,
    metadata: {
      field: 'endpoint',
      problem: 'host evil.example is not in WEBHOOK_ALLOWED_HOSTS (hooks.example.com, *.partner.example, 127.0.0.1)'
    }
  })
  t.match((await call(app, 'POST', '/api/webhooks', ACME, hook({ endpoint: 'https://a.b.partner.example/in' }))).body, {
    data: { endpoint: 'https://a.b.partner.example/in' }
  })
  t.match((await call(app, 'POST', '/api/webhooks', JANE, hook({ endpoint: 'http://127.0.0.1:9/in' }))).body, {
    data: { endpoint: 'http://127.0.0.1:9/in' }
  })
  const id = ((await call(app, 'GET', '/api/webhooks', JANE)).body as { data: Array<{ id: string }> }).data[0]
    ?.id as string
  t.match(
    (await call(app, 'PUT', `/api/webhooks/${id}`, JANE, hook({ endpoint: 'https://partner.example.evil.example/' })))
      .body,
    { status: 422, metadata: { field: 'endpoint' } },
    'updates are checked too'
  )
})

t.test("partner and deployment keys act on their organizations; anyone else's webhook is a 404", async (t) => {
  const app = await build(t)
  const forCustomer = await call(
    app,
    'POST',
    '/api/webhooks',
    bearer(W.globex.key),
    hook({ organization_id: W.globex.customerOrgId })
  )
  t.match(
    forCustomer.body,
    { data: { organization_id: W.globex.customerOrgId } },
    'a partner key names a customer organization'
  )
  const own = await call(app, 'POST', '/api/webhooks', bearer(W.globex.key), hook())
  t.match(
    own.body,
    { data: { organization_id: W.globex.ownerOrgId } },
    "without organization_id: the partner's owner organization"
  )
  t.match(
    (await call(app, 'POST', '/api/webhooks', bearer(W.deploymentKey), hook())).body,
    apiError(400, 'organization_id_required', 'organization_id is required for this credential')
  )
  t.match(
    (await call(app, 'POST', '/api/webhooks', bearer(W.deploymentKey), hook({ organization_id: W.org.id }))).body,
    { data: { organization_id: W.org.id } }
  )
  t.equal(
    (await call(app, 'POST', '/api/webhooks', ACME, hook({ organization_id: W.globex.customerOrgId }))).status,
    404,
    "another partner's organization"
  )
  t.equal(
    (await call(app, 'POST', '/api/webhooks', JANE, hook({ organization_id: W.acme.ownerOrgId }))).status,
    404,
    'a user key naming another organization'
  )

  const customerHook = (forCustomer.body as { data: { id: string } }).data.id
  const listed = (await call(app, 'GET', '/api/webhooks', bearer(W.globex.key))).body as {
    data: Array<{ organization_id: string }>
  }
  t.same(
    listed.data.map((w) => w.organization_id),
    [W.globex.ownerOrgId, W.globex.customerOrgId],
    'an unscoped partner key lists the webhooks of all its organizations, owner first'
  )
  t.same(
    (
      (await call(app, 'GET', `/api/webhooks?organization_id=${W.globex.customerOrgId}`, bearer(W.globex.key)))
        .body as { data: unknown[] }
    ).data.length,
    1,
    'or of one it names'
  )
  t.same(
    (
      (await call(app, 'GET', '/api/webhooks', basic(W.globex.customerOrgId, W.globex.key))).body as {
        data: Array<{ id: string }>
      }
    ).data.map((w) => w.id),
    [customerHook],
    'an org-scoped partner key: that organization alone'
  )
  t.equal(
    ((await call(app, 'GET', '/api/webhooks', bearer(W.deploymentKey))).body as { data: unknown[] }).data.length,
    3,
    "an unscoped deployment key sees every organization's"
  )

  for (const [method, path, body] of [
    ['GET', '', undefined],
    ['PUT', '', hook()],
    ['DELETE', '', undefined],
    ['POST', '/disable', undefined],
    ['POST', '/enable', undefined]
  ] as const) {
    for (const outsider of [ACME, JANE, bearer(W.john.key)]) {
      t.same(
        (await call(app, method, `/api/webhooks/${customerHook}${path}`, outsider, body)).body,
        apiError(404, 'webhook_not_found', 'webhook not found'),
        `${method} ${path} by an outsider`
      )
    }
  }
  t.match(
    (
      await call(
        app,
        'PUT',
        `/api/webhooks/${customerHook}`,
        bearer(W.globex.key),
        hook({ organization_id: W.globex.ownerOrgId })
      )
    ).body,
    { status: 404 },
    'a body naming another organization does not hold it'
  )
  t.match(
    (await call(app, 'GET', `/api/webhooks/${customerHook}`, bearer(W.globex.key))).body,
    { data: { endpoint: 'https://hooks.example.com/polytomic' } },
    'nothing changed'
  )
})

t.test('every version serves the webhook routes, in its envelope; the secret never reaches the journal', async (t) => {
  const app = await build(t)
  const legacy = await call(
    app,
    'POST',
    '/api/webhooks',
    { ...JANE, 'x-polytomic-version': '2021-05-23' },
    hook({ secret: 'very-secret-value' })
  )
  t.match(legacy.body, { result: { endpoint: 'https://hooks.example.com/polytomic' }, error: null })
  t.match(
    (await call(app, 'GET', '/api/webhooks', { ...JANE, 'x-polytomic-version': '2022-12-12' })).body,
    { data: [{ secret: 'very-secret-value' }] },
    "the secret is echoed, as the SDK's Webhook type has it"
  )
  t.notMatch(JSON.stringify((await call(app, 'GET', '/__admin/requests')).body), 'very-secret-value')
  t.notMatch(JSON.stringify((await call(app, 'GET', '/__admin/fixtures?redact=true')).body), 'very-secret-value')
  t.equal((await call(app, 'GET', '/api/webhooks')).status, 401, 'credentials are required')
})
