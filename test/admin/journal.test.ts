import t from 'tap'
import { W, apiError, basic, bearer, build, call, until } from '../helper.js'

const usersUrl = `/api/organizations/${W.org.id}/users`

t.test('the journal records /api requests newest first, with the secret replaced by a fingerprint', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `${usersUrl}/${W.jane.id}`, bearer(W.acme.key))
  await call(
    app,
    'POST',
    `${usersUrl}?trace=1`,
    { ...bearer(W.acme.key), 'x-polytomic-version': '2024-02-08' },
    { email: 'j@example.com' }
  )
  await call(app, 'GET', '/__admin/health')
  const res = await call(app, 'GET', '/__admin/requests')
  t.equal(res.status, 200)
  const [post, get] = res.body as Array<Record<string, unknown>>
  t.equal((res.body as unknown[]).length, 2, 'admin requests are not journaled')
  t.match(post, {
    id: 2,
    time: String,
    method: 'POST',
    path: usersUrl,
    query: { trace: '1' },
    headers: {
      'x-polytomic-version': '2024-02-08',
      'content-type': 'application/json',
      authorization: /^Bearer partner sha256:[0-9a-f]{8}$/
    },
    body: { email: 'j@example.com' },
    status: 200,
    response: { data: { email: 'j@example.com', organization_id: W.org.id } },
    duration_ms: Number,
    partner_id: W.acme.partnerId,
    organization_id: W.org.id,
    fault: null
  })
  t.match(get, { id: 1, method: 'GET', status: 200, response: { data: { id: W.jane.id } } })
  t.notOk(JSON.stringify(res.body).includes(W.acme.key), 'the key never appears')
})

t.test(
  'the journal fingerprints failed and Basic credentials too, and resolves the partner of API-key calls',
  async (t) => {
    const app = await build(t)
    await call(app, 'GET', '/api/me', bearer('not-a-real-key'))
    await call(app, 'GET', '/api/me', basic(W.org.id, W.acme.key))
    await call(app, 'GET', '/api/me', bearer(W.jane.key))
    const [jane, scoped, failed] = (await call(app, 'GET', '/__admin/requests')).body as Array<{
      headers: { authorization: string }
      status: number
      partner_id: string | null
      organization_id: string | null
    }>
    t.match(failed, {
      status: 401,
      headers: { authorization: /^Bearer unknown sha256:[0-9a-f]{8}$/ },
      partner_id: null,
      organization_id: null
    })
    t.match(scoped, {
      status: 200,
      headers: { authorization: /^Basic partner sha256:/ },
      partner_id: W.acme.partnerId,
      organization_id: W.org.id
    })
    t.match(jane, {
      headers: { authorization: /^Bearer user sha256:/ },
      partner_id: W.acme.partnerId,
      organization_id: W.org.id
    })
    t.notOk(JSON.stringify([jane, scoped, failed]).includes('not-a-real-key'))
  }
)

t.test('journal filters: method, exact and prefix path, status, partner_id, since, limit', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `${usersUrl}/${W.jane.id}`, bearer(W.acme.key))
  // A midpoint after the first entry, and the clock past it before the next: waits on the clock's value, not a sleep.
  const midpointMs = Date.now() + 2
  const midpoint = new Date(midpointMs).toISOString()
  await until('the clock to pass the midpoint', () => Date.now() >= midpointMs + 2)
  await call(app, 'POST', usersUrl, bearer(W.acme.key), { email: 'bad' })
  await call(app, 'GET', `/api/organizations/${W.globex.customerOrgId}/users`, bearer(W.globex.key))
  await call(app, 'GET', '/api/me', bearer(W.jane.key))
  const q = async (query: string): Promise<Array<{ id: number }>> =>
    (await call(app, 'GET', `/__admin/requests?${query}`)).body as Array<{ id: number }>
  t.same(
    (await q('method=post')).map((e) => e.id),
    [2]
  )
  t.same(
    (await q(`path=${encodeURIComponent(usersUrl)}`)).map((e) => e.id),
    [2]
  )
  t.same(
    (await q(`path=${encodeURIComponent('/api/organizations/*')}`)).map((e) => e.id),
    [3, 2, 1]
  )
  t.same(
    (await q('status=422')).map((e) => e.id),
    [2]
  )
  t.same(
    (await q(`partner_id=${W.globex.partnerId}`)).map((e) => e.id),
    [3]
  )
  t.same(
    (await q(`partner_id=${W.acme.partnerId}`)).map((e) => e.id),
    [4, 2, 1]
  )
  t.same(
    (await q(`since=${encodeURIComponent(midpoint)}`)).map((e) => e.id),
    [4, 3, 2]
  )
  t.same(
    (await q('limit=2')).map((e) => e.id),
    [4, 3]
  )
  const bad = await call(app, 'GET', '/__admin/requests?status=abc')
  t.equal(bad.status, 422)
  t.equal((await call(app, 'GET', '/__admin/requests?since=yesterday')).status, 422)
  const cleared = await call(app, 'DELETE', '/__admin/requests')
  t.same(cleared.body, { status: 'ok', cleared: 4 })
  t.same((await call(app, 'GET', '/__admin/requests')).body, [])
})

t.test('the journal is bounded by JOURNAL_SIZE, dropping the oldest first', async (t) => {
  const app = await build(t, { config: { journalSize: 3 } })
  for (let i = 0; i < 7; i++) await call(app, 'GET', '/api/me', bearer(W.jane.key))
  const entries = (await call(app, 'GET', '/__admin/requests')).body as Array<{ id: number }>
  t.same(
    entries.map((e) => e.id),
    [7, 6, 5]
  )
})

t.test('JOURNAL_SIZE=0 turns the journal off', async (t) => {
  const app = await build(t, { config: { journalSize: 0 } })
  await call(app, 'GET', '/api/me', bearer(W.jane.key))
  t.same((await call(app, 'GET', '/__admin/requests')).body, [])
})

const nested = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

t.test(
  'a body nested deeper than 64 levels is 400 in the error shape, on /api and /__admin alike; the journal still reads',
  async (t) => {
    const app = await build(t)
    for (const kind of ['array', 'object'] as const) {
      for (const depth of [65, 10_000, 100_000]) {
        const body = `{"name":"deep ${kind} ${depth}","extra":${nested(depth - 1, kind)}}`
        const res = await call(app, 'POST', '/api/organizations', bearer(W.acme.key), body)
        t.same(
          [res.status, res.body],
          [400, apiError(400, 'body_too_deep', 'the request body nests objects and arrays deeper than 64 levels')],
          `${kind} ${depth}`
        )
      }
      const atLimit = await call(
        app,
        'POST',
        '/api/organizations',
        bearer(W.acme.key),
        `{"name":"deep ${kind} 64","extra":${nested(63, kind)}}`
      )
      t.equal(atLimit.status, 200, `${kind}: 64 levels is fine`)
      const fault = await call(app, 'POST', '/__admin/faults', {}, `{"status":500,"body":${nested(100_000, kind)}}`)
      t.equal(fault.status, 400, `${kind}: a fault rule with such a body is refused`)
    }
    for (const route of ['/__admin/requests', '/__admin/faults', '/__admin/fixtures', '/__admin/health']) {
      const res = await app.inject({ method: 'GET', url: route })
      t.equal(res.statusCode, 200, route)
    }
    const entries = (await call(app, 'GET', '/__admin/requests?status=400')).body as Array<{
      body: unknown
      body_size: number
    }>
    t.equal(entries.length, 6)
    for (const entry of entries) {
      t.type(entry.body, 'string', 'a refused deep body is kept as text, never as a structure')
    }
  }
)

t.test(
  'each entry keeps at most JOURNAL_BODY_BYTES of the body and of the response, saying so and giving the full size',
  async (t) => {
    const app = await build(t, { config: { journalBodyBytes: 1024 } })
    const padding = 'é'.repeat(3000)
    const body = JSON.stringify({ email: 'big@example.com', padding })
    const res = await call(app, 'POST', usersUrl, bearer(W.acme.key), body)
    t.equal(res.status, 200)
    for (let i = 0; i < 20; i++) await call(app, 'POST', usersUrl, bearer(W.acme.key), { email: `u${i}@example.com` })
    const list = await app.inject({ method: 'GET', url: usersUrl, headers: bearer(W.acme.key) })
    const entries = (await call(app, 'GET', '/__admin/requests')).body as Array<Record<string, unknown>>
    const [listed] = entries
    const posted = entries.at(-1) as Record<string, unknown>
    t.match(posted, { body_truncated: true, body_size: Buffer.byteLength(body), response_truncated: false })
    t.type(posted.body, 'string')
    t.ok(Buffer.byteLength(posted.body as string) <= 1024, 'at most 1024 bytes are kept')
    t.ok(body.startsWith(posted.body as string), 'the kept text is the start of the body, no character cut in half')
    t.match(listed, {
      response_truncated: true,
      response_size: Buffer.byteLength(list.body),
      body: null,
      body_size: 0,
      body_truncated: false
    })
    t.ok(list.body.startsWith(listed?.response as string))
    const small = entries[1] as Record<string, unknown>
    t.match(small, {
      body: { email: 'u19@example.com' },
      body_truncated: false,
      response: { data: { email: 'u19@example.com' } },
      response_truncated: false
    })
  }
)

t.test('the journal stays within JOURNAL_BYTES, dropping the oldest first, and always keeps the newest', async (t) => {
  const app = await build(t, { config: { journalBodyBytes: 4096, journalBytes: 40_000 } })
  for (let i = 0; i < 50; i++) {
    await call(app, 'POST', '/api/nowhere', bearer(W.jane.key), { n: i, padding: 'x'.repeat(5000) })
  }
  const entries = (await call(app, 'GET', '/__admin/requests')).body as Array<{ id: number }>
  t.ok(entries.length > 3 && entries.length < 10, `${entries.length} entries kept`)
  t.equal(entries[0]?.id, 50, 'the newest is kept')
  t.same(
    entries.map((e) => e.id),
    entries.map((_, i) => 50 - i),
    'and those before it, without gaps'
  )
  t.ok(app.journal.heldBytes <= 40_000, `${app.journal.heldBytes} bytes held`)
  const tiny = await build(t, { config: { journalBytes: 10 } })
  await call(tiny, 'GET', '/api/me', bearer(W.jane.key))
  await call(tiny, 'GET', '/api/me', bearer(W.john.key))
  t.same(
    ((await call(tiny, 'GET', '/__admin/requests')).body as Array<{ id: number }>).map((e) => e.id),
    [2],
    'a budget below one entry still keeps the newest'
  )
})

t.test('a body that was never read (over BODY_LIMIT) is journaled with its declared size', async (t) => {
  const app = await build(t, { config: { bodyLimit: 1024 } })
  const res = await call(app, 'POST', usersUrl, bearer(W.acme.key), {
    email: 'x@example.com',
    padding: 'x'.repeat(5000)
  })
  t.equal(res.status, 413)
  const [entry] = (await call(app, 'GET', '/__admin/requests')).body as Array<Record<string, unknown>>
  t.match(entry, { status: 413, body: null, body_truncated: false })
  t.ok((entry?.body_size as number) > 5000)
})

t.test(
  'the journal never keeps a secret: minted keys and client_secret are redacted in place, the field kept',
  async (t) => {
    const app = await build(t)
    const minted = await call(app, 'POST', `${usersUrl}/${W.jane.id}/keys`, bearer(W.acme.key))
    const legacy = await call(app, 'POST', `${usersUrl}/${W.john.id}/keys`, {
      ...bearer(W.acme.key),
      'x-polytomic-version': '2021-05-23'
    })
    const keys = [
      (minted.body as { data: { value: string } }).data.value,
      (legacy.body as { result: { value: string } }).result.value
    ]
    const sso = {
      name: 'Initech SSO',
      sso_domain: 'initech.com',
      sso_org_id: 'org_1',
      issuer: 'https://idp.initech.com',
      client_id: 'cid',
      client_secret: 'oidc-client-secret-value'
    }
    t.equal((await call(app, 'POST', '/api/organizations', bearer(W.acme.key), sso)).status, 200)
    t.equal(
      (
        await call(app, 'PATCH', `/api/organizations/${W.org.id}`, bearer(W.acme.key), {
          client_secret: 'patched-secret-value'
        })
      ).status,
      200
    )
    await call(
      app,
      'POST',
      '/api/organizations',
      bearer(W.acme.key),
      '{"name": "broken", "client_secret": "malformed-body-secret", '
    )
    const cut = await build(t, { config: { journalBodyBytes: 64 } })
    await call(cut, 'POST', '/api/organizations', bearer(W.acme.key), {
      name: 'Cut',
      client_secret: 'cut-short-secret-value-that-runs-past-the-cap'
    })
    const journal = (await call(app, 'GET', '/__admin/requests')).body as Array<Record<string, unknown>>
    const text = JSON.stringify(journal) + JSON.stringify((await call(cut, 'GET', '/__admin/requests')).body)
    for (const secret of [
      ...keys,
      'oidc-client-secret-value',
      'patched-secret-value',
      'malformed-body-secret',
      'cut-short-secret'
    ]) {
      t.notOk(text.includes(secret), `${secret.slice(0, 12)}… is not in the journal`)
    }
    const [malformed, patched, created, legacyKey, key] = journal
    t.match(key, { response: { data: { value: '[redacted]' } } })
    t.match(legacyKey, { response: { result: { value: '[redacted]' }, error: null } })
    t.match(created, { body: { ...sso, client_secret: '[redacted]' } })
    t.match(patched, { body: { client_secret: '[redacted]' } })
    t.match(malformed, { status: 400, body: /"client_secret": "\[redacted\]"/ })
    t.match(
      key,
      { headers: { authorization: /^Bearer partner sha256:[0-9a-f]{8}$/ } },
      'the Authorization fingerprint stays'
    )
  }
)

t.test(
  'GET /__admin/fixtures?redact=true replaces every secret; the default export still reloads as it was',
  async (t) => {
    const app = await build(t)
    await call(app, 'PATCH', `/api/organizations/${W.org.id}`, bearer(W.acme.key), { client_secret: 'exported-secret' })
    const plain = (await call(app, 'GET', '/__admin/fixtures')).body as Record<string, Array<Record<string, unknown>>>
    const redacted = (await call(app, 'GET', '/__admin/fixtures?redact=true')).body as Record<
      string,
      Array<Record<string, unknown>>
    >
    t.ok(JSON.stringify(plain).includes('exported-secret'), 'the default export keeps what a reload needs')
    const text = JSON.stringify(redacted)
    for (const secret of ['exported-secret', W.acme.key, W.globex.key, W.deploymentKey, W.jane.key, W.org.orgKey]) {
      t.notOk(text.includes(secret), secret)
    }
    t.same(
      redacted.deployment_keys,
      plain.deployment_keys?.map(() => '[redacted]')
    )
    t.match(
      redacted.partners,
      plain.partners?.map((p) => ({ ...p, key: '[redacted]' }))
    )
    t.same(redacted.users, plain.users, 'what is not secret is unchanged')
    t.equal((await call(app, 'GET', '/__admin/fixtures?redact=maybe')).status, 422)
    t.equal((await call(app, 'PUT', '/__admin/fixtures', {}, plain)).status, 200, 'the default export reloads')
  }
)
