import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { W, apiError, bearer, build, call, listen, postgres } from './helper.js'

const P = bearer(W.acme.key)
const J = bearer(W.jane.key)
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

interface Session {
  redirect_url: string
  token: string
}

async function start (app: FastifyInstance, body: Record<string, unknown>, headers = J): Promise<Session> {
  const res = await call(app, 'POST', '/api/connections/connect', headers, body)
  if (res.status !== 200) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`)
  return (res.body as { data: Session }).data
}

async function page (
  app: FastifyInstance,
  token: string,
  query = ''
): Promise<{ status: number; body: string; type: string }> {
  const res = await app.inject({ method: 'GET', url: `/connect/${token}${query}` })
  return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) }
}

t.test(
  "POST /api/connections/connect returns the hosted page's URL and a token, with or without the trailing slash",
  async (t) => {
    const app = await build(t)
    for (const url of ['/api/connections/connect', '/api/connections/connect/']) {
      const res = await call(
        app,
        'POST',
        url,
        { ...J, host: 'sim.example:8080' },
        { name: `Customer DB ${url}`, redirect_url: 'https://partner.example/done' }
      )
      t.equal(res.status, 200)
      const { token, redirect_url: redirectUrl } = (res.body as { data: Session }).data
      t.match(token, /^[0-9a-f-]{36}$/)
      t.equal(redirectUrl, `http://sim.example:8080/connect/${token}`)
    }
    const alias = await call(app, 'POST', '/api/connections/connect', J, {
      name: 'Alias',
      redirectURL: 'https://partner.example/x'
    })
    t.equal(alias.status, 200, "the guide's redirectURL spelling is taken")
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ name: 'x' }, 422, 'must have redirect_url or redirectURL'],
      [{ redirect_url: 'https://p.example' }, 422, 'name: is required'],
      [{ name: 'x', redirect_url: '/relative' }, 422, 'redirect_url: must be an absolute http or https URL'],
      [{ name: 'x', redirect_url: 'javascript:alert(1)' }, 422, 'redirect_url: must be an absolute http or https URL'],
      [{ name: 'x', redirect_url: 'https://p.example', type: 'oracle' }, 422, 'type: unknown connection type "oracle"'],
      [
        { name: 'x', redirect_url: 'https://p.example', whitelist: ['postgresql', 'mysqll'] },
        422,
        'whitelist[1]: unknown connection type "mysqll" (did you mean mysql?)'
      ],
      [
        { name: W.warehouse.name, redirect_url: 'https://p.example' },
        409,
        'a connection with this name already exists in the organization'
      ],
      [{ name: 'x', redirect_url: 'https://p.example', connection: W.warehouse.id }, 404, 'connection not found'],
      [
        { name: 'x', redirect_url: 'https://p.example', connection: W.warehouse.copyId },
        403,
        'a shared connection follows its parent: change the parent connection instead'
      ],
      [
        { name: 'x', redirect_url: 'https://p.example', organization_id: W.globex.customerOrgId },
        404,
        'organization not found'
      ]
    ]
    for (const [body, status, message] of cases) {
      const res = await call(app, 'POST', '/api/connections/connect', J, body)
      t.equal(res.status, status, message)
      t.match((res.body as { message: string }).message, message)
    }
    t.equal(
      (await call(app, 'POST', '/api/connections/connect', {}, { name: 'x', redirect_url: 'https://p.example' }))
        .status,
      401
    )
  }
)

t.test('the hosted page: a type picker, or the form of the one type; dark honoured; every value escaped', async (t) => {
  const app = await build(t)
  const all = await start(app, { name: 'Pick <b>one</b>', redirect_url: 'https://partner.example/done', dark: true })
  const picker = await page(app, all.token)
  t.equal(picker.status, 200)
  t.match(picker.type, /^text\/html/)
  t.match(picker.body, '<body class="dark">')
  t.match(picker.body, 'Pick &#60;b&#62;one&#60;/b&#62;', 'the name is escaped')
  t.notMatch(picker.body, '<b>one</b>')
  t.equal((picker.body.match(/href="\?type=/g) ?? []).length, 9, 'every type is offered')
  const chosen = await page(app, all.token, '?type=snowflake')
  t.match(chosen.body, 'name="warehouse"')
  t.match(
    chosen.body,
    '<input type="password" id="f-password" name="password" value="" required>',
    'secrets are password fields'
  )

  const listed = await start(app, {
    name: 'Listed',
    redirect_url: 'https://partner.example/done',
    whitelist: ['mysql', 'postgresql']
  })
  const listedPage = await page(app, listed.token)
  t.same(
    [...listedPage.body.matchAll(/href="\?type=(\w+)"/g)].map((m) => m[1]),
    ['mysql', 'postgresql'],
    'the whitelist, in its order'
  )
  t.match(listedPage.body, '<body class="light">')
  t.equal(
    (await page(app, listed.token, '?type=s3')).body.includes('href="?type='),
    true,
    'a type outside the whitelist shows the picker again'
  )

  const fixed = await start(app, {
    name: 'Fixed',
    redirect_url: 'https://partner.example/done',
    type: 's3',
    whitelist: ['mysql']
  })
  const form = await page(app, fixed.token)
  t.match(
    form.body,
    '<select id="f-s3_bucket_region" name="s3_bucket_region">',
    'type wins over whitelist; a choice is a select'
  )
  t.notMatch(form.body, 'href="?type=')
  const single = await start(app, {
    name: 'Single',
    redirect_url: 'https://partner.example/done',
    whitelist: ['bigquery']
  })
  t.match(
    (await page(app, single.token)).body,
    'name="project_id"',
    'a one-element whitelist goes straight to its form'
  )
  const unknown = await page(app, '00000000-0000-4000-8000-000000000000')
  t.equal(unknown.status, 404)
  t.same(JSON.parse(unknown.body), apiError(404, 'connect_session_not_found', 'no Connect session with this token'))
})

t.test(
  'submitting the form creates the connection in the organization and redirects with its id; the token is single use',
  async (t) => {
    const app = await build(t)
    const session = await start(app, {
      name: 'Customer Postgres',
      redirect_url: 'https://partner.example/done?step=2',
      type: 'postgresql'
    })
    const submit = await app.inject({
      method: 'POST',
      url: `/connect/${session.token}`,
      headers: FORM,
      payload: 'hostname=db.customer.example&port=6543&database=prod&username=ro&password=pw%26%3D&ssl=true'
    })
    t.equal(submit.statusCode, 303)
    const location = new URL(submit.headers.location as string)
    t.equal(`${location.origin}${location.pathname}`, 'https://partner.example/done')
    t.equal(location.searchParams.get('step'), '2', "the partner's own query is kept")
    const id = location.searchParams.get('connection_id') as string
    const created = await call(app, 'GET', `/api/connections/${id}`, J)
    t.match(created.body, {
      data: {
        name: 'Customer Postgres',
        organization_id: W.org.id,
        type: { id: 'postgresql' },
        configuration: {
          hostname: 'db.customer.example',
          port: 6543,
          ssl: true,
          change_detection: false,
          password: '********'
        },
        created_by: { id: W.jane.id, type: 'user' }
      }
    })
    t.equal(app.store.connections.find(id)?.configuration.password, 'pw&=', "the form's secret is stored as typed")

    const reuse = await app.inject({
      method: 'POST',
      url: `/connect/${session.token}`,
      headers: FORM,
      payload: 'hostname=x&database=d&username=u&password=p'
    })
    t.same(
      [reuse.statusCode, JSON.parse(reuse.body)],
      [410, apiError(410, 'connect_session_used', 'this Connect session has already been completed; start a new one')]
    )
    t.equal((await page(app, session.token)).status, 410)
  }
)

t.test(
  'a configuration the type refuses, or a failed check, shows the form again with the problem; the session stays open',
  async (t) => {
    const app = await build(t)
    const session = await start(app, {
      name: 'Retry',
      redirect_url: 'https://partner.example/done',
      type: 'postgresql'
    })
    const missing = await app.inject({
      method: 'POST',
      url: `/connect/${session.token}`,
      headers: FORM,
      payload: 'hostname=db&port=abc&database=d&username=u&password=p'
    })
    t.equal(missing.statusCode, 422)
    t.match(missing.body, '<p class="error" role="alert">configuration.port: must be integer</p>')
    t.match(missing.body, 'value="db"', 'what was typed is kept')
    t.notMatch(missing.body, 'value="p"', 'except the secret')
    await call(
      app,
      'POST',
      '/__admin/connection-checks',
      {},
      { name: 'Retry', message: 'timeout connecting to db:5432', times: 1 }
    )
    const failed = await app.inject({
      method: 'POST',
      url: `/connect/${session.token}`,
      headers: FORM,
      payload: 'hostname=db&database=d&username=u&password=p'
    })
    t.equal(failed.statusCode, 422)
    t.match(failed.body, 'timeout connecting to db:5432')
    t.equal(
      app.store.connections.list(W.org.id).length,
      2,
      'nothing was created (the shared copy and the Snowflake destination are the bundled ones)'
    )
    const ok = await app.inject({
      method: 'POST',
      url: `/connect/${session.token}`,
      headers: FORM,
      payload: 'hostname=db&database=d&username=u&password=p'
    })
    t.equal(ok.statusCode, 303, 'the same token works once the check passes')
  }
)

t.test('the admin completion does what the browser would, for tests without one', async (t) => {
  const app = await build(t)
  const session = await start(
    app,
    { name: 'Headless', redirect_url: 'https://partner.example/done', whitelist: ['mysql', 'postgresql'] },
    P
  )
  const noType = await call(
    app,
    'POST',
    `/__admin/connect/${session.token}/complete`,
    {},
    { configuration: postgres() }
  )
  t.same(
    [noType.status, (noType.body as { message: string }).message],
    [422, 'type: is required: this session offers mysql, postgresql']
  )
  const notOffered = await call(
    app,
    'POST',
    `/__admin/connect/${session.token}/complete`,
    {},
    { type: 's3', configuration: {} }
  )
  t.same(
    [notOffered.status, (notOffered.body as { message: string }).message],
    [422, 'type: this session offers mysql, postgresql, not "s3"']
  )
  const done = await call(
    app,
    'POST',
    `/__admin/connect/${session.token}/complete`,
    {},
    { type: 'postgresql', configuration: postgres() }
  )
  t.equal(done.status, 200)
  const body = done.body as {
    connection: { id: string; organization_id: string; configuration: Record<string, unknown> }
    redirect_url: string
  }
  t.equal(body.connection.organization_id, W.acme.ownerOrgId, "the partner key's own organization")
  t.equal(body.connection.configuration.password, '********')
  t.equal(body.redirect_url, `https://partner.example/done?connection_id=${body.connection.id}`)
  t.equal(
    (
      await call(
        app,
        'POST',
        `/__admin/connect/${session.token}/complete`,
        {},
        { type: 'postgresql', configuration: postgres() }
      )
    ).status,
    410
  )
  t.equal((await call(app, 'POST', '/__admin/connect/nope/complete', {}, { configuration: {} })).status, 404)
})

t.test('connection: a session that re-authenticates an existing connection replaces its configuration', async (t) => {
  const app = await build(t)
  const created = await call(app, 'POST', '/api/connections', J, {
    name: 'Reauth me',
    type: 'postgresql',
    configuration: postgres()
  })
  const id = (created.body as { data: { id: string } }).data.id
  const session = await start(app, {
    name: 'ignored for an update',
    redirect_url: 'https://partner.example/done',
    connection: id,
    type: 'mysql'
  })
  const form = await page(app, session.token)
  t.match(form.body, 'name="hostname"', "the connection's own type, whatever type says")
  t.notMatch(form.body, 'name="account"')
  const done = await call(
    app,
    'POST',
    `/__admin/connect/${session.token}/complete`,
    {},
    { configuration: { hostname: 'rotated.example', database: 'd', username: 'u' } }
  )
  t.equal(done.status, 200)
  const after = app.store.connections.find(id)
  t.same(
    [after?.name, after?.configuration.hostname, after?.configuration.password],
    ['Reauth me', 'rotated.example', 's3cret-pw'],
    'name kept, configuration replaced, secret kept'
  )
})

t.test("tokens expire (CONNECT_TOKEN_TTL_S), and a reset or the organization's deletion ends them", async (t) => {
  const expiring = await build(t, { config: { connectTokenTtlS: 0 } })
  const session = await start(expiring, { name: 'Too late', redirect_url: 'https://partner.example/done' })
  const late = await page(expiring, session.token)
  t.same([late.status, (JSON.parse(late.body) as { key: string }).key], [410, 'connect_session_expired'])
  t.equal(
    (
      await call(
        expiring,
        'POST',
        `/__admin/connect/${session.token}/complete`,
        {},
        { type: 'postgresql', configuration: postgres() }
      )
    ).status,
    410
  )

  const app = await build(t)
  const before = await start(app, { name: 'Reset me', redirect_url: 'https://partner.example/done' })
  await call(app, 'POST', '/__admin/reset')
  t.equal((await page(app, before.token)).status, 404, 'reset ends open sessions')
  const customer = (await call(app, 'POST', '/api/organizations', P, { name: 'Leaving' })).body as {
    data: { id: string }
  }
  const theirs = await start(
    app,
    { name: 'Theirs', redirect_url: 'https://partner.example/done', organization_id: customer.data.id },
    P
  )
  await call(app, 'DELETE', `/api/organizations/${customer.data.id}`, P)
  t.equal((await page(app, theirs.token)).status, 404, 'deleting the organization ends its sessions')
})

t.test('over a real socket: a browser-like client follows the whole Connect flow', async (t) => {
  const app = await build(t)
  const base = await listen(app)
  const started = await fetch(`${base}/api/connections/connect/`, {
    method: 'POST',
    headers: { ...P, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Browser flow',
      redirect_url: 'https://partner.example/back',
      organization_id: W.org.id
    })
  })
  const { data } = (await started.json()) as { data: Session }
  t.equal(data.redirect_url, `${base}/connect/${data.token}`, 'the URL points at this server')
  const picker = await (await fetch(data.redirect_url)).text()
  const href = /href="(\?type=hubspot)"/.exec(picker)?.[1] as string
  const form = await (await fetch(new URL(href, data.redirect_url))).text()
  const action = /action="([^"]+)"/.exec(form)?.[1] as string
  const hidden = /name="__type" value="([^"]+)"/.exec(form)?.[1] as string
  const submit = await fetch(new URL(action, data.redirect_url), {
    method: 'POST',
    redirect: 'manual',
    headers: FORM,
    body: new URLSearchParams({
      __type: hidden,
      hub_domain: 'customer.hubspot.example',
      private_app_token: 'pat-123'
    }).toString()
  })
  t.equal(submit.status, 303)
  const id = new URL(submit.headers.get('location') as string).searchParams.get('connection_id') as string
  const list = await fetch(`${base}/api/connections`, { headers: J })
  const connections = (
    (await list.json()) as {
      data: Array<{ id: string; name: string; type: { id: string }; configuration: Record<string, unknown> }>
    }
  ).data
  t.match(
    connections.find((c) => c.id === id),
    {
      name: 'Browser flow',
      type: { id: 'hubspot' },
      configuration: { hub_domain: 'customer.hubspot.example', private_app_token: '********' }
    }
  )
})
