// Randomized isolation: several tenants with data; every /api operation of one tenant's
// credentials aimed at every other tenant's ids must be a 404 or 403, and change nothing.
import t from 'tap'
import { seededRandom } from '../../src/faults.js'
import { integrityProblems } from '../../src/store/integrity.js'
import { basic, bearer, build, call } from '../helper.js'
import { seedFrom } from '../support/seed.js'

const TENANTS = 4
const seed = seedFrom('ISOLATION_SEED')

interface World {
  partnerKey: string
  adminKey: string
  orgKey: string
  scoped: Record<string, string>
  orgs: string[]
  users: string[]
  roles: string[]
  connections: string[]
  webhooks: string[]
  events: string[]
}

t.test('no tenant can reach another tenant\'s organizations, users, roles, keys, connections, webhooks or events', async (t) => {
  const random = seededRandom(seed)
  // Webhooks call 127.0.0.1 port 1 (nothing listens): deliveries fail at once and give up in milliseconds.
  const app = await build(t, { config: { webhookRetryBaseMs: 1, webhookAllowedHosts: ['127.0.0.1'] } })
  const worlds: World[] = []
  for (let n = 0; n < TENANTS; n++) {
    const tenant = app.control.createTenant({ name: `Isolated ${n}` })
    const P = bearer(tenant.partner_key)
    const orgs = [tenant.organization_id]
    for (let i = 0; i < 2; i++) orgs.push(((await call(app, 'POST', '/api/organizations', P, { name: `T${n} customer ${i}` })).body as { data: { id: string } }).data.id)
    const users = [tenant.admin_user_id]
    const roles: string[] = []
    for (const org of orgs) {
      for (let i = 0; i < 2; i++) users.push(((await call(app, 'POST', `/api/organizations/${org}/users`, P, { email: `u${i}@t${n}.example` })).body as { data: { id: string } }).data.id)
      roles.push(((await call(app, 'POST', '/api/permissions/roles', P, { name: `Role ${n}`, organization_id: org })).body as { data: { id: string } }).data.id)
      const system = (await call(app, 'GET', `/api/permissions/roles?organization_id=${org}`, P)).body as { data: Array<{ id: string }> }
      roles.push(...system.data.map((r) => r.id))
    }
    const configuration = { hostname: `db${n}.example`, database: 'd', username: 'u', password: `pw-${n}` }
    const connection = ((await call(app, 'POST', '/api/connections', P, { name: `T${n} warehouse`, type: 'postgresql', configuration })).body as { data: { id: string } }).data.id
    const copy = ((await call(app, 'POST', `/api/connections/${connection}/share`, P, { child_organization_id: orgs[1] })).body as { data: { id: string } }).data.id
    const own = ((await call(app, 'POST', '/api/connections', P, { name: `T${n} own`, type: 's3', organization_id: orgs[2], configuration: { aws_access_key_id: 'a', aws_secret_access_key: 's', s3_bucket_name: 'b', s3_bucket_region: 'us-east-1' } })).body as { data: { id: string } }).data.id
    const webhooks: string[] = []
    const events: string[] = []
    for (const org of orgs) {
      webhooks.push(((await call(app, 'POST', '/api/webhooks', P, { endpoint: `http://127.0.0.1:1/t${n}`, secret: `whsec-${n}`, organization_id: org })).body as { data: { id: string } }).data.id)
      events.push(app.control.emitEvent({ organization_id: org, type: 'bulk_sync.completed', event: { sync_name: `T${n}` } }).id)
    }
    app.store.credentials.addApiKey(`org-key-tenant-${n}`, tenant.organization_id, null)
    await call(app, 'POST', `/api/organizations/${orgs[1]}/users/${users[1]}/keys`, P)
    worlds.push({
      partnerKey: tenant.partner_key,
      adminKey: tenant.admin_user_key,
      orgKey: `org-key-tenant-${n}`,
      scoped: basic(tenant.organization_id, tenant.partner_key),
      orgs,
      users,
      roles,
      connections: [connection, copy, own],
      webhooks,
      events
    })
  }
  t.match(await app.control.settleDeliveries({ timeoutMs: 60_000 }), { settled: true }, 'every delivery has run its course')
  const before = (await call(app, 'GET', '/__admin/fixtures')).body

  type Probe = [string, string, Record<string, string>, unknown]
  const probes: Probe[] = []
  for (const a of worlds) {
    const credentials = [bearer(a.partnerKey), a.scoped, bearer(a.adminKey), bearer(a.orgKey)]
    for (const b of worlds) {
      if (a === b) continue
      for (const headers of credentials) {
        for (const version of ['2024-02-08', '2025-09-18']) {
          const h = { ...headers, 'x-polytomic-version': version }
          for (const org of b.orgs) {
            probes.push(['GET', `/api/organizations/${org}`, h, undefined], ['PUT', `/api/organizations/${org}`, h, { name: 'Hijacked' }],
              ['PATCH', `/api/organizations/${org}`, h, { sso_domain: 'evil.example' }], ['DELETE', `/api/organizations/${org}`, h, undefined],
              ['GET', `/api/organizations/${org}/users`, h, undefined], ['POST', `/api/organizations/${org}/users`, h, { email: 'intruder@evil.example' }],
              ['GET', `/api/permissions/roles?organization_id=${org}`, h, undefined], ['POST', '/api/permissions/roles', h, { name: 'Intruder', organization_id: org }])
            for (const user of b.users) {
              probes.push(['GET', `/api/organizations/${org}/users/${user}`, h, undefined], ['DELETE', `/api/organizations/${org}/users/${user}`, h, undefined],
                ['PUT', `/api/organizations/${org}/users/${user}`, h, { email: 'x@evil.example', role: 'admin' }],
                ['POST', `/api/organizations/${org}/users/${user}/keys?force=true`, h, undefined])
            }
          }
          for (const user of b.users) {
            probes.push(['GET', `/api/organizations/${a.orgs[0]}/users/${user}`, h, undefined], ['DELETE', `/api/organizations/${a.orgs[0]}/users/${user}`, h, undefined],
              ['POST', `/api/organizations/${a.orgs[0]}/users/${user}/keys`, h, undefined])
            if (version === '2025-09-18') {
              probes.push(['GET', `/api/organization/users/${user}`, h, undefined], ['PUT', `/api/organization/users/${user}`, h, { role: 'admin' }], ['DELETE', `/api/organization/users/${user}`, h, undefined])
            }
          }
          for (const org of b.orgs) {
            const named = { name: 'Intruder', type: 'postgresql', organization_id: org, configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' } }
            probes.push(['GET', `/api/connections?organization_id=${org}`, h, undefined], ['POST', '/api/connections', h, named],
              ['POST', '/api/connections/connect', h, { name: 'Intruder', redirect_url: 'https://evil.example', organization_id: org }],
              ['POST', `/api/connections/${a.connections[0] ?? ''}/share`, h, { child_organization_id: org }])
            if (version === '2025-09-18') {
              for (const connection of b.connections) probes.push(['GET', `/api/organizations/${org}/connections/${connection}/shared`, h, undefined], ['POST', `/api/organizations/${org}/connections/${connection}/shared`, h, { child_organization_id: a.orgs[1] }])
            }
          }
          for (const connection of b.connections) {
            probes.push(['GET', `/api/connections/${connection}`, h, undefined], ['PUT', `/api/connections/${connection}`, h, { name: 'Hijacked', configuration: { hostname: 'evil.example', database: 'd', username: 'u' } }],
              ['DELETE', `/api/connections/${connection}?force=true`, h, undefined], ['GET', `/api/connections/${connection}/parameter_values`, h, undefined],
              ['POST', `/api/connections/${connection}/share`, h, { child_organization_id: a.orgs[1] }], ['GET', `/api/connections/${connection}/shared`, h, undefined],
              ['POST', '/api/connections/test', h, { type: 'postgresql', configuration: {}, connection_id: connection }],
              ['POST', '/api/connection_types/postgresql/parameter_values', h, { field: 'hostname', connection_id: connection }],
              ['POST', '/api/connections/connect', h, { name: 'Reauth', redirect_url: 'https://evil.example', connection }])
          }
          for (const org of b.orgs) {
            probes.push(['GET', `/api/webhooks?organization_id=${org}`, h, undefined], ['POST', '/api/webhooks', h, { endpoint: 'http://127.0.0.1:1/intruder', secret: 's', organization_id: org }],
              ['GET', `/api/events?organization_id=${org}`, h, undefined], ['GET', `/api/events?organization_id=${org}&type=bulk_sync.completed&limit=100`, h, undefined])
          }
          for (const webhook of b.webhooks) {
            probes.push(['GET', `/api/webhooks/${webhook}`, h, undefined], ['PUT', `/api/webhooks/${webhook}`, h, { endpoint: 'http://127.0.0.1:1/hijacked', secret: 'mine' }],
              ['DELETE', `/api/webhooks/${webhook}`, h, undefined], ['POST', `/api/webhooks/${webhook}/disable`, h, undefined], ['POST', `/api/webhooks/${webhook}/enable`, h, undefined])
          }
          for (const role of b.roles) {
            probes.push(['GET', `/api/permissions/roles/${role}`, h, undefined], ['PUT', `/api/permissions/roles/${role}`, h, { name: 'Hijacked' }],
              ['DELETE', `/api/permissions/roles/${role}`, h, undefined])
          }
        }
      }
    }
  }
  // Shuffle (Fisher-Yates, seeded) so that the order of probes is different every run.
  for (let i = probes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[probes[i], probes[j]] = [probes[j] as Probe, probes[i] as Probe]
  }

  const outcomes = new Map<number, number>()
  let leaks = 0
  for (const [method, url, headers, body] of probes) {
    const res = await call(app, method as 'GET', url, headers, body)
    outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1)
    if (res.status !== 403 && res.status !== 404) {
      leaks++
      t.fail(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.body)}`)
    }
  }
  t.comment(`${probes.length} probes: ${[...outcomes.entries()].map(([s, n]) => `${s}×${n}`).join(' ')}`)
  t.ok(probes.length > 2000, `${probes.length} probes`)
  t.equal(leaks, 0, 'every probe was 403 or 404')
  t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'no data of any tenant changed')

  // The lists a tenant may read hold its own webhooks and events, never another's.
  for (const a of worlds) {
    const others = new Set(worlds.filter((w) => w !== a).flatMap((w) => [...w.webhooks, ...w.events]))
    for (const headers of [bearer(a.partnerKey), a.scoped, bearer(a.adminKey), bearer(a.orgKey)]) {
      const seen = [(await call(app, 'GET', '/api/webhooks', headers)).body, (await call(app, 'GET', '/api/events?limit=100', headers)).body]
      for (const org of a.orgs) seen.push((await call(app, 'GET', `/api/events?organization_id=${org}&limit=100`, headers)).body)
      const ids = seen.flatMap((body) => ((body as { data?: Array<{ id: string }> }).data ?? []).map((item) => item.id))
      t.notOk(ids.some((id) => others.has(id)), 'no other tenant\'s webhook or event is listed')
    }
  }
  const deliveries = app.control.deliveries({ limit: 100_000 })
  t.ok(deliveries.length > 0)
  for (const w of worlds) {
    for (const attempt of deliveries.filter((d) => w.events.includes(d.event_id))) {
      if (!w.webhooks.includes(attempt.webhook_id)) t.fail(`event ${attempt.event_id} was delivered to another tenant's webhook`)
    }
  }
  t.same(integrityProblems(app.store.db), [])
})
