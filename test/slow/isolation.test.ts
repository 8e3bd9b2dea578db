// Randomized isolation: several tenants with data; every /api operation of one tenant's
// credentials aimed at every other tenant's ids must be a 404 or 403, and change nothing.
import t from 'tap'
import { seededRandom } from '../../src/control/faults.js'
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
  bulkSyncs: string[]
  bulkExecutions: string[]
  schedules: string[]
  models: string[]
  modelSyncs: string[]
  modelExecutions: string[]
  jobs: string[]
  queries: string[]
  policies: string[]
}

t.test(
  "no tenant can reach another tenant's organizations, users, roles, keys, connections, webhooks, events, syncs, models or jobs",
  async (t) => {
    const random = seededRandom(seed)
    // Webhooks call 127.0.0.1 port 1 (nothing listens): deliveries fail at once and give up in milliseconds.
    const app = await build(t, { config: { webhookRetryBaseMs: 1, webhookAllowedHosts: ['127.0.0.1'] } })
    const worlds: World[] = []
    for (let n = 0; n < TENANTS; n++) {
      const tenant = app.control.createTenant({ name: `Isolated ${n}` })
      const P = bearer(tenant.partner_key)
      const orgs = [tenant.organization_id]
      for (let i = 0; i < 2; i++) {
        orgs.push(
          (
            (await call(app, 'POST', '/api/organizations', P, { name: `T${n} customer ${i}` })).body as {
              data: { id: string }
            }
          ).data.id
        )
      }
      const users = [tenant.admin_user_id]
      const roles: string[] = []
      for (const org of orgs) {
        for (let i = 0; i < 2; i++) {
          users.push(
            (
              (await call(app, 'POST', `/api/organizations/${org}/users`, P, { email: `u${i}@t${n}.example` }))
                .body as { data: { id: string } }
            ).data.id
          )
        }
        roles.push(
          (
            (await call(app, 'POST', '/api/permissions/roles', P, { name: `Role ${n}`, organization_id: org }))
              .body as { data: { id: string } }
          ).data.id
        )
        const system = (await call(app, 'GET', `/api/permissions/roles?organization_id=${org}`, P)).body as {
          data: Array<{ id: string }>
        }
        roles.push(...system.data.map((r) => r.id))
      }
      const configuration = { hostname: `db${n}.example`, database: 'd', username: 'u', password: `pw-${n}` }
      const connection = (
        (await call(app, 'POST', '/api/connections', P, { name: `T${n} warehouse`, type: 'postgresql', configuration }))
          .body as { data: { id: string } }
      ).data.id
      const copy = (
        (await call(app, 'POST', `/api/connections/${connection}/share`, P, { child_organization_id: orgs[1] }))
          .body as { data: { id: string } }
      ).data.id
      const own = (
        (
          await call(app, 'POST', '/api/connections', P, {
            name: `T${n} own`,
            type: 's3',
            organization_id: orgs[2],
            configuration: {
              aws_access_key_id: 'a',
              aws_secret_access_key: 's',
              s3_bucket_name: 'b',
              s3_bucket_region: 'us-east-1'
            }
          })
        ).body as { data: { id: string } }
      ).data.id
      const webhooks: string[] = []
      const events: string[] = []
      for (const org of orgs) {
        webhooks.push(
          (
            (
              await call(app, 'POST', '/api/webhooks', P, {
                endpoint: `http://127.0.0.1:1/t${n}`,
                secret: `whsec-${n}`,
                organization_id: org
              })
            ).body as { data: { id: string } }
          ).data.id
        )
        events.push(
          app.control.emitEvent({ organization_id: org, type: 'bulk_sync.completed', event: { sync_name: `T${n}` } }).id
        )
      }
      // A bulk sync and a model sync in the customer organization that holds the shared copy, each with a
      // finished run; a job.
      const data = (res: { body: unknown }): { id: string } => (res.body as { data: { id: string } }).data
      const org1 = orgs[1] as string
      const destination = data(
        await call(app, 'POST', '/api/connections', P, {
          name: `T${n} lake`,
          type: 's3',
          organization_id: org1,
          configuration: {
            aws_access_key_id: 'a',
            aws_secret_access_key: 's',
            s3_bucket_name: 'b',
            s3_bucket_region: 'us-east-1'
          }
        })
      ).id
      const bulk = data(
        await call(app, 'POST', '/api/bulk/syncs', P, {
          name: `T${n} bulk`,
          organization_id: org1,
          source_connection_id: copy,
          destination_connection_id: destination,
          destination_configuration: {},
          default_schedule: { frequency: 'manual' },
          schemas: ['public.users']
        })
      ).id
      const schedule = data(
        await call(app, 'POST', `/api/bulk/syncs/${bulk}/schedules`, P, { schedule: { frequency: 'daily' } })
      ).id
      const bulkRun = data(await call(app, 'POST', `/api/bulk/syncs/${bulk}/executions`, P, {})).id
      const model = data(
        await call(app, 'POST', '/api/models', P, {
          name: `T${n} model`,
          organization_id: org1,
          connection_id: copy,
          configuration: {},
          fields: ['id']
        })
      ).id
      const job = (
        await call(app, 'POST', '/api/models?async=true', P, {
          name: `T${n} async`,
          organization_id: org1,
          connection_id: copy,
          configuration: {}
        })
      ).body as { job: { job_id: string } }
      const modelSync = data(
        await call(app, 'POST', '/api/syncs', P, {
          name: `T${n} sync`,
          organization_id: org1,
          mode: 'create',
          schedule: {},
          target: { connection_id: destination },
          fields: [{ target: 'ID', source: { model_id: model, field: 'id' } }]
        })
      ).id
      const modelRun = data(await call(app, 'POST', `/api/syncs/${modelSync}/executions`, P, {})).id
      // What is inside the connections: a catalog of the tenant's own, a user field, a query of its own.
      app.control.replaceCatalog(connection, {
        schemas: [{ id: 'public.secrets', fields: [{ id: 'id', type: 'number' }], rows: [{ id: n }] }]
      })
      await call(app, 'POST', `/api/connections/${copy}/schemas/public.users/fields`, P, {
        fields: [{ field_id: `t${n}`, label: 'Mine', type: 'string' }]
      })
      const query = data(await call(app, 'POST', `/api/connections/${copy}/query?query=SELECT%201`, P, {})).id
      await app.control.queriesAnswered()
      // A policy in each organization (the one of the customer holding the syncs names it on its bulk sync), and
      // global error subscribers; an HTTP API connection for the proxy (it calls 127.0.0.1 port 1: nothing listens).
      const policies: string[] = []
      for (const org of orgs) {
        policies.push(
          data(
            await call(app, 'POST', '/api/permissions/policies', P, {
              name: `T${n} policy`,
              organization_id: org,
              policy_actions: [{ action: 'read' }, { action: 'update', role_ids: [] }]
            })
          ).id
        )
        await call(app, 'PUT', '/api/notifications/global-error-subscribers', P, {
          organization_id: org,
          emails: [`ops@t${n}.example`]
        })
      }
      const api = data(
        await call(app, 'POST', '/api/connections', P, {
          name: `T${n} api`,
          type: 'api',
          organization_id: org1,
          configuration: { url: 'http://127.0.0.1:1', auth_method: 'bearer', token: `token-${n}` }
        })
      ).id
      app.control.settleExecutions()
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
        connections: [connection, copy, own, api],
        webhooks,
        events,
        bulkSyncs: [bulk],
        bulkExecutions: [bulkRun],
        schedules: [schedule],
        models: [model],
        modelSyncs: [modelSync],
        modelExecutions: [modelRun],
        jobs: [job.job.job_id],
        queries: [query],
        policies
      })
    }
    t.match(
      await app.control.settleDeliveries({ timeout_ms: 60_000 }),
      { settled: true },
      'every delivery has run its course'
    )
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
            // A bulk sync's schedule as the version names it.
            const when =
              version === '2025-09-18'
                ? { default_schedule: { frequency: 'manual' }, additional_schedules: [{ frequency: 'hourly' }] }
                : { schedule: { frequency: 'manual' } }
            for (const org of b.orgs) {
              probes.push(
                ['GET', `/api/organizations/${org}`, h, undefined],
                ['PUT', `/api/organizations/${org}`, h, { name: 'Hijacked' }],
                ['PATCH', `/api/organizations/${org}`, h, { sso_domain: 'evil.example' }],
                ['DELETE', `/api/organizations/${org}`, h, undefined],
                ['GET', `/api/organizations/${org}/users`, h, undefined],
                ['POST', `/api/organizations/${org}/users`, h, { email: 'intruder@evil.example' }],
                ['GET', `/api/permissions/roles?organization_id=${org}`, h, undefined],
                ['POST', '/api/permissions/roles', h, { name: 'Intruder', organization_id: org }]
              )
              for (const user of b.users) {
                probes.push(
                  ['GET', `/api/organizations/${org}/users/${user}`, h, undefined],
                  ['DELETE', `/api/organizations/${org}/users/${user}`, h, undefined],
                  ['PUT', `/api/organizations/${org}/users/${user}`, h, { email: 'x@evil.example', role: 'admin' }],
                  ['POST', `/api/organizations/${org}/users/${user}/keys?force=true`, h, undefined]
                )
              }
            }
            for (const user of b.users) {
              probes.push(
                ['GET', `/api/organizations/${a.orgs[0]}/users/${user}`, h, undefined],
                ['DELETE', `/api/organizations/${a.orgs[0]}/users/${user}`, h, undefined],
                ['POST', `/api/organizations/${a.orgs[0]}/users/${user}/keys`, h, undefined]
              )
              if (version === '2025-09-18') {
                probes.push(
                  ['GET', `/api/organization/users/${user}`, h, undefined],
                  ['PUT', `/api/organization/users/${user}`, h, { role: 'admin' }],
                  ['DELETE', `/api/organization/users/${user}`, h, undefined]
                )
              }
            }
            for (const org of b.orgs) {
              const named = {
                name: 'Intruder',
                type: 'postgresql',
                organization_id: org,
                configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
              }
              probes.push(
                ['GET', `/api/connections?organization_id=${org}`, h, undefined],
                ['POST', '/api/connections', h, named],
                [
                  'POST',
                  '/api/connections/connect',
                  h,
                  { name: 'Intruder', redirect_url: 'https://evil.example', organization_id: org }
                ],
                ['POST', `/api/connections/${a.connections[0] ?? ''}/share`, h, { child_organization_id: org }]
              )
              if (version === '2025-09-18') {
                for (const connection of b.connections) {
                  probes.push(
                    ['GET', `/api/organizations/${org}/connections/${connection}/shared`, h, undefined],
                    [
                      'POST',
                      `/api/organizations/${org}/connections/${connection}/shared`,
                      h,
                      { child_organization_id: a.orgs[1] }
                    ]
                  )
                }
              }
            }
            for (const connection of b.connections) {
              probes.push(
                ['GET', `/api/connections/${connection}`, h, undefined],
                [
                  'PUT',
                  `/api/connections/${connection}`,
                  h,
                  { name: 'Hijacked', configuration: { hostname: 'evil.example', database: 'd', username: 'u' } }
                ],
                ['DELETE', `/api/connections/${connection}?force=true`, h, undefined],
                ['GET', `/api/connections/${connection}/parameter_values`, h, undefined],
                ['POST', `/api/connections/${connection}/share`, h, { child_organization_id: a.orgs[1] }],
                ['GET', `/api/connections/${connection}/shared`, h, undefined],
                [
                  'POST',
                  '/api/connections/test',
                  h,
                  { type: 'postgresql', configuration: {}, connection_id: connection }
                ],
                [
                  'POST',
                  '/api/connection_types/postgresql/parameter_values',
                  h,
                  { field: 'hostname', connection_id: connection }
                ],
                [
                  'POST',
                  '/api/connections/connect',
                  h,
                  { name: 'Reauth', redirect_url: 'https://evil.example', connection }
                ]
              )
            }
            for (const connection of b.connections) {
              const schemas = `/api/connections/${connection}/schemas`
              const sync = `/api/connections/${connection}/modelsync`
              probes.push(
                ['GET', `${schemas}/public.users`, h, undefined],
                ['GET', `${schemas}/public.users/records`, h, undefined],
                ['GET', `${schemas}/status`, h, undefined],
                ['POST', `${schemas}/refresh`, h, undefined],
                ['POST', `${schemas}/public.users/fields`, h, { fields: [{ field_id: 'x', label: 'X', type: 'string' }] }],
                ['DELETE', `${schemas}/public.users/fields/t0`, h, undefined],
                ['PUT', `${schemas}/public.users/primary_keys`, h, { fields: [{ field_id: 'email', is_primary_key: true }] }],
                ['DELETE', `${schemas}/public.users/primary_keys`, h, undefined],
                ['POST', `/api/connections/${connection}/query?query=SELECT%201`, h, {}],
                ['GET', `/api/connections/${connection}/bulksync/source?include_fields=true`, h, undefined],
                ['GET', `/api/connections/${connection}/bulksync/target`, h, undefined],
                ['GET', `${sync}/source`, h, undefined],
                ['GET', `${sync}/source/fields?params=${encodeURIComponent('{"table":["public.users"]}')}`, h, undefined],
                ['GET', `${sync}/target`, h, undefined],
                ['GET', `${sync}/target/fields?target=public.users`, h, undefined],
                ['GET', `${sync}/targetobjects`, h, undefined],
                ['GET', `${sync}/targetobjects/properties/schema`, h, undefined],
                ['GET', `${sync}/enrichment-source`, h, undefined],
                ['POST', `/api/enrichment/${connection}/inputfields`, h, {}]
              )
            }
            for (const query of b.queries) probes.push(['GET', `/api/queries/${query}`, h, undefined])
            for (const org of b.orgs) {
              probes.push(
                [
                  'POST',
                  '/api/model-preview',
                  h,
                  { name: 'Peek', organization_id: org, connection_id: b.connections[1], configuration: { table: 'users' } }
                ],
                ['GET', `/api/webhooks?organization_id=${org}`, h, undefined],
                [
                  'POST',
                  '/api/webhooks',
                  h,
                  { endpoint: 'http://127.0.0.1:1/intruder', secret: 's', organization_id: org }
                ],
                ['GET', `/api/events?organization_id=${org}`, h, undefined],
                ['GET', `/api/events?organization_id=${org}&type=bulk_sync.completed&limit=100`, h, undefined]
              )
            }
            for (const webhook of b.webhooks) {
              probes.push(
                ['GET', `/api/webhooks/${webhook}`, h, undefined],
                ['PUT', `/api/webhooks/${webhook}`, h, { endpoint: 'http://127.0.0.1:1/hijacked', secret: 'mine' }],
                ['DELETE', `/api/webhooks/${webhook}`, h, undefined],
                ['POST', `/api/webhooks/${webhook}/disable`, h, undefined],
                ['POST', `/api/webhooks/${webhook}/enable`, h, undefined]
              )
            }
            for (const org of b.orgs) {
              probes.push(
                ['GET', `/api/bulk/syncs?organization_id=${org}`, h, undefined],
                ['GET', `/api/bulk/syncs/status?organization_id=${org}&all=true`, h, undefined],
                [
                  'POST',
                  '/api/bulk/syncs',
                  h,
                  {
                    name: 'Intruder',
                    organization_id: org,
                    source_connection_id: b.connections[1],
                    destination_connection_id: b.connections[1],
                    destination_configuration: {},
                    ...when
                  }
                ],
                ['GET', `/api/models?organization_id=${org}`, h, undefined],
                [
                  'POST',
                  '/api/models',
                  h,
                  { name: 'Intruder', organization_id: org, connection_id: b.connections[1], configuration: {} }
                ],
                ['GET', `/api/syncs?organization_id=${org}`, h, undefined],
                [
                  'POST',
                  '/api/syncs',
                  h,
                  {
                    name: 'Intruder',
                    organization_id: org,
                    mode: 'create',
                    schedule: {},
                    target: { connection_id: b.connections[1] },
                    fields: [{ target: 'x', override_value: 'y' }]
                  }
                ]
              )
            }
            for (const [index, sync] of b.bulkSyncs.entries()) {
              const url = `/api/bulk/syncs/${sync}`
              const run = b.bulkExecutions[index] ?? ''
              const schedule = b.schedules[index] ?? ''
              probes.push(
                ['GET', url, h, undefined],
                [
                  'PUT',
                  url,
                  h,
                  {
                    name: 'Hijacked',
                    source_connection_id: b.connections[1],
                    destination_connection_id: b.connections[1],
                    destination_configuration: {},
                    ...when
                  }
                ],
                ['DELETE', url, h, undefined],
                ['POST', `${url}/activate`, h, { active: true }],
                ['POST', `${url}/cancel`, h, undefined],
                ['POST', `${url}/executions`, h, {}],
                ['GET', `${url}/executions`, h, undefined],
                ['GET', `${url}/executions/${run}`, h, undefined],
                ['POST', `${url}/executions/${run}/cancel`, h, undefined],
                ['GET', `${url}/status`, h, undefined],
                ['GET', `/api/bulk/syncs/status?sync_id=${sync}`, h, undefined],
                ['GET', `${url}/schedules`, h, undefined],
                ['POST', `${url}/schedules`, h, { schedule: { frequency: 'hourly' } }],
                ['GET', `${url}/schedules/${schedule}`, h, undefined],
                ['PUT', `${url}/schedules/${schedule}`, h, { schedule: { frequency: 'hourly' } }],
                ['DELETE', `${url}/schedules/${schedule}`, h, undefined],
                ['GET', `${url}/schemas`, h, undefined],
                ['PATCH', `${url}/schemas`, h, { schemas: [{ id: 'public.users', enabled: false }] }],
                ['GET', `${url}/schemas/public.users`, h, undefined],
                ['PUT', `${url}/schemas/public.users`, h, { enabled: false }],
                // Its run under one of the caller's own syncs is not found either.
                ['GET', `/api/bulk/syncs/${a.bulkSyncs[0] ?? ''}/executions/${run}`, h, undefined],
                ['GET', `/api/bulk/syncs/${a.bulkSyncs[0] ?? ''}/executions/${run}/consolelog`, h, undefined]
              )
              if (version === '2025-09-18') {
                probes.push(
                  ['GET', `${url}/executions/${run}/consolelog`, h, undefined],
                  ['GET', `${url}/executions/${run}/consolelog?after=0-0&limit=5`, h, undefined],
                  ['GET', `${url}/executions/${run}/schemas/public.users/consolelog`, h, undefined]
                )
              }
            }
            for (const model of b.models) {
              probes.push(
                ['GET', `/api/models/${model}`, h, undefined],
                ['GET', `/api/models/${model}/sample`, h, undefined],
                [
                  'PUT',
                  `/api/models/${model}`,
                  h,
                  { name: 'Hijacked', connection_id: b.connections[1], configuration: {} }
                ],
                ['DELETE', `/api/models/${model}`, h, undefined]
              )
            }
            for (const [index, sync] of b.modelSyncs.entries()) {
              const url = `/api/syncs/${sync}`
              const run = b.modelExecutions[index] ?? ''
              probes.push(
                ['GET', url, h, undefined],
                [
                  'PUT',
                  url,
                  h,
                  {
                    name: 'Hijacked',
                    mode: 'create',
                    schedule: {},
                    target: { connection_id: b.connections[1] },
                    fields: [{ target: 'x', override_value: 'y' }]
                  }
                ],
                ['DELETE', url, h, undefined],
                ['POST', `${url}/activate`, h, { active: true }],
                ['POST', `${url}/cancel`, h, undefined],
                ['POST', `${url}/executions`, h, {}],
                ['GET', `${url}/executions`, h, undefined],
                ['GET', `${url}/executions/${run}`, h, undefined],
                ['GET', `${url}/status`, h, undefined],
                ['GET', `/api/syncs/${a.modelSyncs[0] ?? ''}/executions/${run}`, h, undefined],
                ['PUT', `${url}/executions/${run}`, h, { status: 'canceled' }]
              )
              if (version === '2025-09-18') {
                probes.push(
                  ['GET', `${url}/executions/${run}/consolelog`, h, undefined],
                  ['POST', `${url}/executions/${run}/cancel`, h, undefined],
                  ['POST', `/api/syncs/${a.modelSyncs[0] ?? ''}/executions/${run}/cancel`, h, undefined]
                )
              }
            }
            for (const job of b.jobs) probes.push(['GET', `/api/jobs/createmodel/${job}`, h, undefined])
            if (version === '2025-09-18') {
              // The entity resolver knows every id, and tells no one about another tenant's.
              const ids = [
                ...b.orgs,
                ...b.users,
                ...b.connections,
                ...b.bulkSyncs,
                ...b.bulkExecutions,
                ...b.models,
                ...b.modelSyncs,
                ...b.modelExecutions
              ]
              for (const id of ids) {
                probes.push(['GET', `/api/entities/${id}`, h, undefined], [
                  'GET',
                  `/api/organizations/entities/${id}`,
                  h,
                  undefined
                ])
              }
            }
            for (const policy of b.policies) {
              probes.push(
                ['GET', `/api/permissions/policies/${policy}`, h, undefined],
                ['PUT', `/api/permissions/policies/${policy}`, h, { name: 'Hijacked', policy_actions: [] }],
                ['DELETE', `/api/permissions/policies/${policy}`, h, undefined]
              )
            }
            for (const org of b.orgs) {
              probes.push(
                ['GET', `/api/permissions/policies?organization_id=${org}`, h, undefined],
                ['POST', '/api/permissions/policies', h, { name: 'Intruder', organization_id: org }],
                ['GET', `/api/notifications/global-error-subscribers?organization_id=${org}`, h, undefined],
                [
                  'PUT',
                  '/api/notifications/global-error-subscribers',
                  h,
                  { organization_id: org, emails: ['intruder@evil.example'] }
                ]
              )
            }
            for (const [index, sync] of b.bulkSyncs.entries()) {
              const url = `/api/bulk/syncs/${sync}`
              const run = b.bulkExecutions[index] ?? ''
              probes.push(
                ['GET', `${url}/executions/${run}/logs`, h, undefined],
                ['POST', `${url}/executions/${run}/logs/export?notify=true`, h, undefined],
                ['POST', `${url}/schemas/public.users/cancel`, h, undefined],
                ['GET', `/api/bulk/syncs/${a.bulkSyncs[0] ?? ''}/executions/${run}/logs`, h, undefined]
              )
            }
            for (const [index, sync] of b.modelSyncs.entries()) {
              const url = `/api/syncs/${sync}/executions/${b.modelExecutions[index] ?? ''}`
              probes.push(
                ['GET', `${url}/records`, h, undefined],
                ['GET', `${url}/errors/records-${b.modelExecutions[index] ?? ''}.jsonl`, h, undefined]
              )
            }
            if (version === '2025-09-18') {
              for (const connection of b.connections) {
                probes.push(
                  ['POST', `/api/connections/${connection}/proxy`, h, { request: { method: 'GET', path: '/' } }],
                  ['GET', `/api/connections/${connection}/proxy/info`, h, undefined]
                )
              }
            }
            for (const role of b.roles) {
              probes.push(
                ['GET', `/api/permissions/roles/${role}`, h, undefined],
                ['PUT', `/api/permissions/roles/${role}`, h, { name: 'Hijacked' }],
                ['DELETE', `/api/permissions/roles/${role}`, h, undefined]
              )
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
      const res = await call(app, method, url, headers, body)
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
    for (const w of worlds) {
      const status = await call(app, 'GET', `/api/connections/${w.connections[1] ?? ''}/schemas/status`, bearer(w.partnerKey))
      t.same(status.body, { data: { cache_status: 'fresh' } }, 'no other tenant refreshed its schemas')
    }

    // The lists a tenant may read hold its own webhooks and events, never another's.
    for (const a of worlds) {
      const others = new Set(
        worlds
          .filter((w) => w !== a)
          .flatMap((w) => [...w.webhooks, ...w.events, ...w.bulkSyncs, ...w.models, ...w.modelSyncs])
      )
      for (const headers of [bearer(a.partnerKey), a.scoped, bearer(a.adminKey), bearer(a.orgKey)]) {
        const seen = [
          (await call(app, 'GET', '/api/webhooks', headers)).body,
          (await call(app, 'GET', '/api/events?limit=100', headers)).body
        ]
        for (const list of ['/api/bulk/syncs', '/api/bulk/syncs/status', '/api/models', '/api/syncs']) {
          seen.push((await call(app, 'GET', list, headers)).body)
        }
        for (const org of a.orgs) {
          seen.push((await call(app, 'GET', `/api/events?organization_id=${org}&limit=100`, headers)).body)
          for (const list of ['/api/bulk/syncs', '/api/models', '/api/syncs']) {
            seen.push((await call(app, 'GET', `${list}?organization_id=${org}`, headers)).body)
          }
        }
        const ids = seen.flatMap((body) =>
          ((body as { data?: Array<{ id?: string; sync_id?: string }> }).data ?? []).map(
            (item) => item.id ?? item.sync_id
          )
        )
        t.notOk(
          ids.some((id) => id !== undefined && others.has(id)),
          "no other tenant's webhook, event, sync or model is listed"
        )
      }
    }
    const deliveries = app.control.deliveries({ limit: 100_000 })
    t.ok(deliveries.length > 0)
    for (const w of worlds) {
      for (const attempt of deliveries.filter((d) => w.events.includes(d.event_id))) {
        if (!w.webhooks.includes(attempt.webhook_id)) {
          t.fail(`event ${attempt.event_id} was delivered to another tenant's webhook`)
        }
      }
    }
    t.same(app.control.notifications().filter((n) => n.kind === 'logs_exported'), [], 'no export told anyone')

    // A resource may not name another tenant's policy: the same 422 as a policy that does not exist.
    for (const a of worlds) {
      for (const b of worlds.filter((w) => w !== a)) {
        const put = async (policy: string): Promise<unknown> =>
          (await call(app, 'PUT', `/api/connections/${a.connections[0] ?? ''}`, bearer(a.partnerKey), {
            name: 'Mine',
            configuration: { hostname: 'h', database: 'd', username: 'u' },
            policies: [policy]
          })).body
        const missing = '00000000-0000-4000-8000-00000000beef'
        const theirs = b.policies[0] as string
        t.same(
          JSON.stringify(await put(theirs)).replaceAll(theirs, 'ID'),
          JSON.stringify(await put(missing)).replaceAll(missing, 'ID'),
          "another tenant's policy reads as none"
        )
      }
    }
    t.same((await call(app, 'GET', '/__admin/fixtures')).body, before, 'and nothing changed')

    // A tenant's log URLs read its own run's log, and a signature made for one run opens no other.
    const [first, second] = worlds as [World, World]
    const logs = (await call(
      app,
      'GET',
      `/api/bulk/syncs/${first.bulkSyncs[0] ?? ''}/executions/${first.bulkExecutions[0] ?? ''}/logs`,
      bearer(first.partnerKey)
    )).body as { data: { URLs: string[] } }
    const url = new URL(logs.data.URLs[0] as string)
    t.equal((await app.inject({ method: 'GET', url: url.pathname + url.search })).statusCode, 200)
    const swapped = url.pathname.replace(first.bulkExecutions[0] ?? '', second.bulkExecutions[0] ?? '') + url.search
    t.equal((await app.inject({ method: 'GET', url: swapped })).statusCode, 403, "another run's file is refused")
    t.same(integrityProblems(app.store.db), [])
  }
)
