// The console's server side: its page and files, the journal's live feed, and the world's views it reads
// (partners, one organization, runs), with hanging a run. The page in a real browser: test/slow/console.test.ts.
import t from 'tap'
import { AdminClient, AdminError } from '../../src/client.js'
import type { JournalEntry } from '../../src/control/journal.js'
import { W, bearer, build, call, listen } from '../helper.js'

const usersUrl = `/api/organizations/${W.org.id}/users`

t.test('the page and its files are served without the token; the page names its scripts in its policy', async (t) => {
  const app = await build(t, { config: { adminToken: 'sesame' } })
  const page = await app.inject({ method: 'GET', url: '/__admin/console' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<script type="importmap">/)
  t.match(page.headers['content-security-policy'], /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
  for (const file of ['app.js', 'api.js', 'requests.js', 'world.js', 'controls.js', 'style.css']) {
    const res = await app.inject({ method: 'GET', url: `/__admin/console/${file}` })
    t.equal(res.statusCode, 200, file)
  }
  for (const vendor of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
    const res = await app.inject({ method: 'GET', url: `/__admin/console/vendor/${vendor}` })
    t.equal(res.statusCode, 200, vendor)
    t.match(res.headers['content-type'], /javascript/)
  }
  for (const url of [
    '/__admin/console/nothing.js',
    '/__admin/console/vendor/react.mjs',
    '/__admin/console/..%2f..%2fpackage.json',
    '/__admin/console/.hidden'
  ]) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.json(), { key: 'route_not_found' })
  }
  // A path that climbs out of the console is another admin path: refused, never a file.
  const climbed = await app.inject({ method: 'GET', url: '/__admin/console/%2e%2e/package.json' })
  t.equal(climbed.statusCode, 401)
  t.notMatch(climbed.body, /polytomic-mock/)
  const slash = await app.inject({ method: 'GET', url: '/__admin/console/' })
  t.equal(slash.statusCode, 302)
  const views = await app.inject({ method: 'GET', url: '/__admin/partners' })
  t.equal(views.statusCode, 401, 'the data behind the page still needs the token')
})

t.test('partners, an organization and its runs: what the console shows', async (t) => {
  const app = await build(t)
  const partners = (await call(app, 'GET', '/__admin/partners')).body as Array<{
    id: string
    organizations: Array<{ id: string; users: number; syncs: number }>
  }>
  const acme = partners.find((p) => p.id === W.acme.partnerId)
  t.match(acme?.organizations.find((o) => o.id === W.org.id), { users: 2, syncs: 1 })

  await call(app, 'POST', '/api/connections/connect', bearer(W.acme.key), {
    name: 'Pending',
    redirect_url: 'https://partner.example/back',
    type: 'postgresql',
    organization_id: W.org.id
  })
  const org = await call(app, 'GET', `/__admin/organizations/${W.org.id.toUpperCase()}`)
  t.equal(org.status, 200)
  t.match(org.body, {
    id: W.org.id,
    partner_id: W.acme.partnerId,
    users: [{ email: W.jane.email, roles: ['Admin'] }, { email: W.john.email, roles: ['Member'] }],
    connections: [{ id: W.warehouse.copyId, type: null, parent_connection_id: W.warehouse.id }, { id: W.analytics.id }],
    bulk_syncs: [
      {
        id: W.bulkSync.id,
        connection_ids: [W.warehouse.copyId, W.analytics.id],
        executions: [{ kind: 'bulk', hanging: false, execution: { id: W.bulkSync.executionId, status: 'completed' } }]
      }
    ],
    connect_sessions: [{ name: 'Pending', token: String }]
  })
  t.notOk(JSON.stringify(org.body).includes('secret'), 'no webhook secret, no key')
  t.match(await call(app, 'GET', '/__admin/organizations/00000000-0000-4000-8000-000000000000'), {
    status: 404,
    body: { key: 'organization_not_found' }
  })

  const runs = await call(app, 'GET', `/__admin/executions?sync_id=${W.bulkSync.id}`)
  t.match(runs.body, [{ sync_id: W.bulkSync.id, execution: { id: W.bulkSync.executionId } }])
  t.same((await call(app, 'GET', '/__admin/executions?status=running')).body, [])
  t.equal((await call(app, 'GET', '/__admin/executions?status=sideways')).status, 422)
  t.equal((await call(app, 'GET', '/__admin/executions?limit=-1')).status, 422)
  const one = await call(app, 'GET', `/__admin/executions/${W.bulkSync.executionId}`)
  t.match(one.body, { execution: { id: W.bulkSync.executionId }, console_log: Array })
  t.ok((one.body as { console_log: unknown[] }).console_log.length > 0, 'with its console log')
})

t.test('hanging a run holds it where it is until it is advanced', async (t) => {
  const app = await build(t, { config: { syncRunDurationMs: 1 } })
  const started = await call(app, 'POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, bearer(W.jane.key), {})
  const id = (started.body as { data: { id: string } }).data.id
  const held = await call(app, 'POST', `/__admin/executions/${id}/advance`, {}, { status: 'hanging' })
  t.match(held.body, { hanging: true, execution: { status: /^(created|running)$/ } })
  await app.control.queriesAnswered()
  t.match(app.control.settleExecutions(), { finished: 0, hanging: 1 }, 'settling leaves it')
  t.match((await call(app, 'GET', `/__admin/executions/${id}`)).body, { hanging: true, execution: { status: 'running' } })
  const failed = await call(app, 'POST', `/__admin/executions/${id}/advance`, {}, { status: 'failed', message: 'boom' })
  t.match(failed.body, { hanging: false, execution: { status: 'failed', status_message: 'boom' } })
  const again = await call(app, 'POST', `/__admin/executions/${id}/advance`, {}, { status: 'hanging' })
  t.match(again, { status: 409, body: { key: 'execution_finished' } })
})

t.test('the journal filters by organization, by an id a request touched, and after an id', async (t) => {
  const app = await build(t)
  await call(app, 'GET', `${usersUrl}/${W.jane.id}`, bearer(W.acme.key))
  const created = await call(app, 'POST', usersUrl, bearer(W.acme.key), { email: 'new@example.com' })
  const newId = (created.body as { data: { id: string } }).data.id
  await call(app, 'GET', `/api/organizations/${W.globex.customerOrgId}`, bearer(W.globex.key))
  const ids = async (query: string): Promise<number[]> =>
    ((await call(app, 'GET', `/__admin/requests?${query}`)).body as JournalEntry[]).map((e) => e.id)
  t.same(await ids(`organization_id=${W.org.id.toUpperCase()}`), [2, 1])
  t.same(await ids(`touches=${newId}`), [2], 'the POST that answered with the new id')
  t.same(await ids(`touches=${W.jane.id}`), [1])
  t.same(await ids('after=1'), [3, 2])
  t.equal((await call(app, 'GET', '/__admin/requests?after=x')).status, 422)
  t.equal((await call(app, 'GET', '/__admin/requests?touches=')).status, 422)
})

t.test('the live feed: new requests as they are recorded, filtered, behind the token, bounded', async (t) => {
  const app = await build(t, { config: { adminToken: 'sesame', adminStreamsMax: 2 } })
  const url = await listen(app)
  const admin = new AdminClient(url, { token: 'sesame' })
  await call(app, 'GET', '/api/me', bearer(W.jane.key))

  // A follower from the start of the journal gets /api/me when it opens: then the server counts it.
  const second = new AbortController()
  const other = admin.followRequests({ after: 0 }, { signal: second.signal })[Symbol.asyncIterator]()
  t.match((await other.next()).value, { path: '/api/me' }, 'a follower without a filter sees every request')

  const aborted = new AbortController()
  const seen: JournalEntry[] = []
  let firstSeen: () => void = () => {}
  const first = new Promise<void>((resolve) => { firstSeen = resolve })
  const following = (async () => {
    for await (const entry of admin.followRequests({ status: 422, after: 1 }, { signal: aborted.signal })) {
      seen.push(entry)
      if (seen.length === 1) firstSeen()
      if (seen.length === 2) aborted.abort()
    }
  })()
  await send422(app)
  await first
  const third = await fetch(`${url}/__admin/requests/stream`, { headers: { authorization: 'Bearer sesame' } })
  t.equal(third.status, 429, 'one follower more than ADMIN_STREAMS_MAX is refused')
  t.match(await third.json(), { key: 'too_many_requests' })
  await send422(app)
  await following
  t.same(seen.map((e) => e.status), [422, 422], 'only the matching requests, oldest first')
  t.match(seen[0], { method: 'POST', path: usersUrl, response: { key: 'validation_failed' } })
  t.match((await other.next()).value, { status: 422 }, 'and the other follower sees them too')
  second.abort()

  const wrong = await fetch(`${url}/__admin/requests/stream`, { headers: { authorization: 'Bearer nope' } })
  t.equal(wrong.status, 401)
  const refused = new AdminClient(url, { token: 'nope' }).followRequests()
  await t.rejects(refused.next(), AdminError)
  const bad = await fetch(`${url}/__admin/requests/stream?status=abc&after=-2`, {
    headers: { authorization: 'Bearer sesame' }
  })
  t.equal(bad.status, 422)
})

/** A request the feed above waits for: a 422. */
async function send422 (app: Awaited<ReturnType<typeof build>>): Promise<void> {
  await call(app, 'POST', usersUrl, bearer(W.acme.key), { email: 42 })
}

t.test('closing the app ends open followers', async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const res = await fetch(`${url}/__admin/requests/stream`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/event-stream/)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const first = new TextDecoder().decode((await reader.read()).value)
  t.match(first, /event: open/)
  await app.close()
  let done = false
  while (!done) done = (await reader.read()).done
  t.ok(done, 'the feed ended with the server')
})
