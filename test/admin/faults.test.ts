import t from 'tap'
import { W, apiError, bearer, build, call } from '../helper.js'

const me = '/api/me'
const J = bearer(W.jane.key)

t.test('a status rule answers with that status in the error shape, and the journal says so', async (t) => {
  const app = await build(t)
  const added = await call(app, 'POST', '/__admin/faults', {}, { method: 'get', path: me, status: 500 })
  t.equal(added.status, 201)
  const rule = added.body as { id: string }
  t.match(rule, { id: String, method: 'GET', path: me, status: 500, fired: 0, created_at: String })
  const res = await call(app, 'GET', me, J)
  t.equal(res.status, 500)
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  t.same(res.body, apiError(500, 'internal_error', 'internal server error (injected fault)'))
  t.equal(
    (await call(app, 'POST', '/api/permissions/roles', J, { name: 'X' })).status,
    200,
    'other requests are untouched'
  )
  const [, entry] = (await call(app, 'GET', '/__admin/requests')).body as Array<{
    fault: string | null
    status: number
  }>
  t.same([entry?.fault, entry?.status], [rule.id, 500])
  t.match((await call(app, 'GET', '/__admin/faults')).body, [{ id: rule.id, fired: 1 }])
})

t.test('a times: 2 rule fires exactly twice, then disappears', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { path: '/api/*', status: 503, times: 2 })
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await call(app, 'GET', me, J)).status)
  t.same(statuses, [503, 503, 200, 200])
  t.same((await call(app, 'GET', '/__admin/faults')).body, [])
})

t.test('a 429 rule carries Retry-After; a custom body is sent as given', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { path: me, status: 429, headers: { 'Retry-After': '3' }, times: 1 })
  const limited = await call(app, 'GET', me, J)
  t.equal(limited.status, 429)
  t.equal(limited.headers['retry-after'], '3')
  t.same(limited.body, apiError(429, 'too_many_requests', 'too many requests (injected fault)'))
  await call(app, 'POST', '/__admin/faults', {}, { path: me, status: 502, body: { oops: true }, times: 1 })
  const custom = await call(app, 'GET', me, J)
  t.same([custom.status, custom.body], [502, { oops: true }])
  await call(app, 'POST', '/__admin/faults', {}, { path: me, status: 418, times: 1 })
  const teapot = await call(app, 'GET', me, J)
  t.same([teapot.status, teapot.body], [418, apiError(418, 'injected_fault', 'injected fault')])
})

t.test('a legacy-version request gets the legacy error envelope from a fault', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { path: me, status: 404 })
  const res = await call(app, 'GET', me, { ...J, 'x-polytomic-version': '2021-05-23' })
  t.same(res.body, { result: null, error: apiError(404, 'not_found', 'not found (injected fault)') })
})

t.test(
  'a status rule without a body answers with the generic error of that status, not another entry of it',
  async (t) => {
    const app = await build(t)
    const expected: Array<[number, string, string]> = [
      [400, 'bad_request', 'the request could not be understood'],
      [401, 'unauthorized', 'unauthorized'],
      [403, 'forbidden', 'forbidden'],
      [404, 'not_found', 'not found'],
      [409, 'conflict', 'conflict'],
      [422, 'validation_failed', 'the request is not valid'],
      [429, 'too_many_requests', 'too many requests'],
      [500, 'internal_error', 'internal server error'],
      [502, 'bad_gateway', 'bad gateway'],
      [503, 'service_unavailable', 'service unavailable'],
      [504, 'gateway_timeout', 'gateway timeout']
    ]
    for (const [status, key, message] of expected) {
      await call(app, 'POST', '/__admin/faults', {}, { path: me, status, times: 1 })
      const res = await call(app, 'GET', me, J)
      t.same([res.status, res.body], [status, apiError(status, key, `${message} (injected fault)`)], `${status}`)
    }
  }
)

t.test(
  'a fault rule given in-process with a body that cannot be written as JSON is refused, and nothing is stored',
  async (t) => {
    const app = await build(t)
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    for (const [name, body, problem] of [
      ['deep', deep, 'body: nests deeper than 64 levels'],
      ['circular', circular, 'body: cannot be written as JSON (it contains itself)'],
      ['bigint', { n: 1n }, 'body: cannot be written as JSON (a BigInt)']
    ] as const) {
      t.throws(
        () => app.control.addFault({ path: me, status: 500, body }),
        { status: 422, key: 'validation_failed', message: problem },
        name
      )
    }
    t.same(app.control.faultRules(), [])
    t.equal((await call(app, 'GET', '/__admin/faults')).status, 200)
    t.equal((await call(app, 'GET', me, J)).status, 200)
  }
)

t.test('delay_ms alone only delays', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { path: me, delay_ms: 60 })
  const started = Date.now()
  const res = await call(app, 'GET', me, J)
  t.equal(res.status, 200)
  t.ok(Date.now() - started >= 55, 'the response waited')
})

t.test('a rule may match by partner', async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/__admin/faults', {}, { partner_id: W.globex.partnerId.toUpperCase(), status: 500 })
  t.equal((await call(app, 'GET', '/api/organizations', bearer(W.globex.key))).status, 500)
  t.equal(
    (await call(app, 'GET', `/api/organizations/${W.globex.customerOrgId}/users`, bearer(W.deploymentKey))).status,
    500,
    "a deployment key acting in that partner's organization"
  )
  t.equal((await call(app, 'GET', '/api/organizations', bearer(W.acme.key))).status, 200)
})

t.test('probability with FAULT_SEED is repeatable', async (t) => {
  const run = async (): Promise<number[]> => {
    const app = await build(t, { config: { faultSeed: 7 } })
    await call(app, 'POST', '/__admin/faults', {}, { path: me, status: 500, probability: 0.5 })
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) statuses.push((await call(app, 'GET', me, J)).status)
    return statuses
  }
  const first = await run()
  t.same(await run(), first)
  t.ok(first.includes(500) && first.includes(200), `both outcomes occur: ${first.join(' ')}`)
})

t.test('rules are validated; they can be deleted one by one or all at once', async (t) => {
  const app = await build(t)
  for (const body of [
    {},
    { path: me },
    { status: 99 },
    { status: 700 },
    { status: 500, probability: 2 },
    { status: 500, times: 0 },
    { status: 500, path: 'no-slash' },
    { status: 500, method: 'TRACE' },
    { delay_ms: -1 }
  ]) {
    const res = await call(app, 'POST', '/__admin/faults', {}, body)
    t.equal(res.status, 422, JSON.stringify(body))
    t.match(res.body, { status: 422, key: 'validation_failed' })
  }
  const a = (await call(app, 'POST', '/__admin/faults', {}, { status: 500, path: '/api/x' })).body as { id: string }
  await call(app, 'POST', '/__admin/faults', {}, { status: 500, path: '/api/y' })
  t.same((await call(app, 'DELETE', `/__admin/faults/${a.id}`)).body, { status: 'ok', id: a.id })
  t.equal((await call(app, 'DELETE', `/__admin/faults/${a.id}`)).status, 404)
  t.same((await call(app, 'DELETE', '/__admin/faults')).body, { status: 'ok', cleared: 1 })
  t.same((await call(app, 'GET', '/__admin/faults')).body, [])
})

t.test('LATENCY_MS delays every /api response, fixed or within a range', async (t) => {
  const fixed = await build(t, { config: { latencyMs: { min: 50, max: 50 } } })
  let started = Date.now()
  t.equal((await call(fixed, 'GET', me, bearer('wrong'))).status, 401)
  t.ok(Date.now() - started >= 45, 'even a 401 waits')
  const ranged = await build(t, { config: { latencyMs: { min: 20, max: 40 }, faultSeed: 1 } })
  started = Date.now()
  await call(ranged, 'GET', me, J)
  t.ok(Date.now() - started >= 18)
})

t.test('LATENCY_MS leaves the control plane alone: /__admin answers while an /api request is still held', async (t) => {
  const app = await build(t, { config: { latencyMs: { min: 1000, max: 1000 } } })
  const order: string[] = []
  const held = call(app, 'GET', me, J).then((res) => {
    order.push('api')
    return res
  })
  const admin = await call(app, 'GET', '/__admin/health')
  order.push('admin')
  t.equal(admin.status, 200)
  t.equal((await held).status, 200)
  t.same(order, ['admin', 'api'], 'the admin route did not wait for the delay')
})

t.test(
  'a rule is checked by its route schema over HTTP and in-process alike: the same message, an unknown field refused',
  async (t) => {
    const app = await build(t)
    const overHttp = await call(app, 'POST', '/__admin/faults', {}, { path: me })
    t.same(
      overHttp.body,
      apiError(422, 'validation_failed', 'body: must have status or delay_ms', {
        field: 'body',
        problem: 'must have status or delay_ms'
      })
    )
    t.throws(() => app.control.addFault({ path: me }), {
      status: 422,
      key: 'validation_failed',
      message: 'body: must have status or delay_ms'
    })

    const given = { path: me, status: 503, stauts: 500 }
    const refused = await call(app, 'POST', '/__admin/faults', {}, given)
    t.same(
      refused.body,
      apiError(422, 'validation_failed', 'stauts: unknown field (did you mean status?)', {
        field: 'stauts',
        problem: 'unknown field (did you mean status?)'
      })
    )
    t.throws(
      () => app.control.addFault(given),
      { status: 422, message: 'stauts: unknown field (did you mean status?)' },
      'and in-process'
    )
    t.same(given, { path: me, status: 503, stauts: 500 }, "the caller's object is left as it was")
    t.same((await call(app, 'GET', '/__admin/faults')).body, [], 'no rule was added')
  }
)

t.test(
  'a request aimed out of reach is attributed to its caller: it fires no rule scoped to the target and is journaled under its own partner',
  async (t) => {
    const app = await build(t)
    const acmeRule = (
      await call(app, 'POST', '/__admin/faults', {}, { partner_id: W.acme.partnerId, status: 503, times: 1 })
    ).body as { id: string }
    const v2024 = { 'x-polytomic-version': '2024-02-08' }
    const probe = await call(app, 'GET', `/api/organizations/${W.org.id}/users`, {
      ...bearer(W.globex.adminKey),
      ...v2024
    })
    t.equal(probe.status, 404, "a Globex user key gets the plain 404, not Acme's injected 503")
    t.match(
      (await call(app, 'GET', '/__admin/faults')).body,
      [{ id: acmeRule.id, fired: 0 }],
      "Acme's rule is still unspent"
    )
    t.equal(
      (await call(app, 'GET', `/api/organizations/${W.org.id}/users`, { ...bearer(W.acme.key), ...v2024 })).status,
      503,
      "Acme's own next request gets it"
    )
    const acmeEntries = (await call(app, 'GET', `/__admin/requests?partner_id=${W.acme.partnerId}`)).body as Array<{
      status: number
    }>
    t.same(
      acmeEntries.map((e) => e.status),
      [503],
      "the probe is not in Acme's journal"
    )
    const [entry] = (await call(app, 'GET', `/__admin/requests?partner_id=${W.globex.partnerId}`)).body as Array<{
      status: number
      organization_id: string | null
    }>
    t.same(
      [entry?.status, entry?.organization_id],
      [404, W.globex.customerOrgId],
      "it is in Globex's, at the caller's own organization"
    )
    const unauthenticated = await call(app, 'GET', `/api/organizations/${W.org.id}/users`, bearer('no-such-key'))
    t.equal(unauthenticated.status, 401)
    const [refused] = (await call(app, 'GET', '/__admin/requests?limit=1')).body as Array<{
      partner_id: string | null
      organization_id: string | null
    }>
    t.same(
      [refused?.partner_id, refused?.organization_id],
      [null, null],
      'a request without a caller is attributed to nobody'
    )
  }
)

t.test(
  'a rule scoped to a partner fires for its user keys and for a deployment key acting in its organizations',
  async (t) => {
    const app = await build(t)
    await call(app, 'POST', '/__admin/faults', {}, { partner_id: W.acme.partnerId, status: 503 })
    t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 503)
    t.equal(
      (
        await call(app, 'GET', `/api/organizations/${W.org.id}`, {
          ...bearer(W.deploymentKey),
          'x-polytomic-version': '2024-02-08'
        })
      ).status,
      503
    )
    t.equal((await call(app, 'GET', '/api/me', bearer(W.globex.adminKey))).status, 200)
  }
)
