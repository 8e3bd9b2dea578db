import { timingSafeEqual } from 'node:crypto'
import { CatalogShape } from '../schemas/catalogs.js'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { Errors } from '../../core/errors.js'
import type { FaultRuleInput } from '../../control/faults.js'
import {
  OpenApiQuery,
  AdvanceExecutionBody,
  ClockBody,
  NoBody,
  NoQuery,
  ConnectCompleteBody,
  ExecutionRuleBody,
  ExecutionListQuery,
  ConnectTokenParam,
  ConnectionCheckBody,
  DeliveryFaultBody,
  DeliveryQuery,
  NotificationQuery,
  EmitEventBody,
  ExportQuery,
  FaultBody,
  IdParam,
  JournalQuery,
  PartnerIdParam,
  SettleBody,
  SnapshotBody,
  SnapshotParams,
  TenantBody
} from '../schemas/admin.js'
import type { AdvanceInput, EmitEventInput } from '../../control/control-plane.js'
import type { SettleDeliveriesInput } from '../../control/controls.js'
import type { ExecutionRuleInput } from '../../control/execution-rules.js'
import type { DeliveryFaultInput } from '../../control/delivery-faults.js'
import type { ConnectionCheckInput } from '../../control/connection-checks.js'
import { hashKey } from '../../store/ids.js'
import type { ApiVersion } from '../../core/versions.js'
import { compileSchema } from '../validation.js'
import { closestName } from '../../core/suggest.js'
import { pathOf, type JournalFilter } from '../../control/journal.js'

export interface AdminOptions {
  adminToken: string | null
}

function sameSecret (a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashKey(a), 'hex'), Buffer.from(hashKey(b), 'hex'))
}

/** The journal filter a query names (GET /__admin/requests, and its live feed /requests/stream). */
export function journalFilterOf (q: Record<string, string | undefined>): JournalFilter {
  return {
    method: q.method,
    path: q.path,
    status: q.status === undefined ? undefined : Number(q.status),
    partner_id: q.partner_id,
    organization_id: q.organization_id,
    touches: q.touches
  }
}

/** The admin token's check (a hook): with no ADMIN_TOKEN set, everyone passes. */
export function adminGate (adminToken: string | null): onRequestHookHandler {
  return (request, _reply, done) => {
    if (adminToken === null) return done()
    const header = request.headers.authorization ?? ''
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : ''
    done(token !== '' && sameSecret(token, adminToken) ? undefined : Errors.AdminUnauthorized())
  }
}

/** /__admin: the test control plane over HTTP. No Polytomic path uses it; it is never journaled. */
export default async function adminRoutes (admin: FastifyInstance, options: AdminOptions): Promise<void> {
  const { control } = admin

  // The control plane takes no field it does not know: a misspelt one would change what a call does
  // (the /api routes drop unknown fields instead, as Polytomic does). Every route gets a closed query
  // schema, and every route that could carry a body a closed body schema, unless it declares its own.
  admin.setValidatorCompiler(({ schema }) => compileSchema(schema))
  const routes: string[] = []
  admin.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`)
    const schema = { ...route.schema }
    schema.querystring ??= NoQuery
    if (route.method !== 'GET' && route.method !== 'HEAD' && route.bodyLimit === undefined) schema.body ??= NoBody
    route.schema = schema
  })

  const gate = adminGate(options.adminToken)
  admin.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url === '/__admin/health') return done()
    gate.call(admin, request, reply, done)
  })

  // An admin path that is not a route: say which route was likely meant.
  admin.setNotFoundHandler((request, reply) => {
    reply.send(Errors.RouteNotFound({ message: adminRouteMissing(request.method, pathOf(request.url), routes) }))
  })

  admin.get('/health', async () => control.health())

  admin.get<{ Querystring: { version?: ApiVersion } }>(
    '/openapi.json',
    { schema: { querystring: OpenApiQuery } },
    async (request) => await admin.openApiDocument(request.query.version)
  )

  admin.post('/reset', async () => ({ status: 'ok', counts: control.reset() }))

  admin.get<{ Querystring: { redact?: string } }>(
    '/fixtures',
    { schema: { querystring: ExportQuery } },
    async (request) => control.exportFixtures({ redact: request.query.redact === 'true' })
  )

  admin.put('/fixtures', { bodyLimit: 256 * 1024 * 1024 }, async (request) => ({
    status: 'ok',
    counts: control.replaceFixtures(request.body)
  }))

  admin.get('/snapshots', async () => control.snapshots())

  admin.post<{ Body: { name: string } }>('/snapshots', { schema: { body: SnapshotBody } }, async (request, reply) =>
    reply.code(201).send(control.snapshot(request.body.name))
  )

  admin.post<{ Params: { name: string } }>(
    '/snapshots/:name/restore',
    { schema: { params: SnapshotParams } },
    async (request) => ({ status: 'ok', name: request.params.name, counts: control.restore(request.params.name) })
  )

  admin.delete<{ Params: { name: string } }>(
    '/snapshots/:name',
    { schema: { params: SnapshotParams } },
    async (request) => {
      control.deleteSnapshot(request.params.name)
      return { status: 'ok', name: request.params.name }
    }
  )

  admin.post<{ Body: { name?: string } | null }>('/tenants', { schema: { body: TenantBody } }, async (request, reply) =>
    reply.code(201).send(control.createTenant(request.body ?? {}))
  )

  admin.delete<{ Params: { partner_id: string } }>(
    '/tenants/:partner_id',
    { schema: { params: PartnerIdParam } },
    async (request) => {
      control.deleteTenant(request.params.partner_id)
      return { status: 'ok', partner_id: request.params.partner_id.toLowerCase() }
    }
  )

  admin.get<{ Querystring: Record<string, string | undefined> }>(
    '/requests',
    { schema: { querystring: JournalQuery } },
    async (request) => {
      const q = request.query
      return control.requests({
        ...journalFilterOf(q),
        since: q.since,
        after: q.after === undefined ? undefined : Number(q.after),
        limit: q.limit === undefined ? undefined : Number(q.limit)
      })
    }
  )

  admin.delete('/requests', async () => ({ status: 'ok', cleared: control.clearRequests() }))

  admin.get('/faults', async () => control.faultRules())

  admin.post<{ Body: FaultRuleInput }>('/faults', { schema: { body: FaultBody } }, async (request, reply) =>
    reply.code(201).send(control.addFault(request.body))
  )

  admin.delete<{ Params: { id: string } }>('/faults/:id', { schema: { params: IdParam } }, async (request) => {
    control.removeFault(request.params.id)
    return { status: 'ok', id: request.params.id }
  })

  admin.delete('/faults', async () => ({ status: 'ok', cleared: control.clearFaults() }))

  admin.get('/connection-checks', async () => control.connectionChecks())

  admin.post<{ Body: ConnectionCheckInput }>(
    '/connection-checks',
    { schema: { body: ConnectionCheckBody } },
    async (request, reply) => reply.code(201).send(control.addConnectionCheck(request.body))
  )

  admin.delete<{ Params: { id: string } }>(
    '/connection-checks/:id',
    { schema: { params: IdParam } },
    async (request) => {
      control.removeConnectionCheck(request.params.id)
      return { status: 'ok', id: request.params.id }
    }
  )

  admin.delete('/connection-checks', async () => ({ status: 'ok', cleared: control.clearConnectionChecks() }))

  admin.post<{ Params: { token: string }; Body: { type?: string; configuration: Record<string, unknown> } }>(
    '/connect/:token/complete',
    {
      schema: {
        params: ConnectTokenParam,
        body: ConnectCompleteBody,
        response: {
          200: { type: 'object', additionalProperties: true },
          409: { type: 'object', additionalProperties: true },
          410: { type: 'object', additionalProperties: true }
        }
      }
    },
    async (request) => control.completeConnect(request.params.token, request.body)
  )

  admin.post<{ Body: EmitEventInput }>('/events', { schema: { body: EmitEventBody } }, async (request, reply) =>
    reply.code(201).send(control.emitEvent(request.body))
  )

  admin.get<{ Querystring: Record<string, string | undefined> }>(
    '/deliveries',
    { schema: { querystring: DeliveryQuery } },
    async (request) => {
      const q = request.query
      return control.deliveries({
        organization_id: q.organization_id,
        event_id: q.event_id,
        webhook_id: q.webhook_id,
        limit: q.limit === undefined ? undefined : Number(q.limit)
      })
    }
  )

  admin.get<{ Querystring: Record<string, string | undefined> }>(
    '/notifications',
    { schema: { querystring: NotificationQuery } },
    async (request) => {
      const q = request.query
      return control.notifications({
        organization_id: q.organization_id,
        kind: q.kind,
        limit: q.limit === undefined ? undefined : Number(q.limit)
      })
    }
  )

  admin.post<{ Body: SettleDeliveriesInput | null }>(
    '/deliveries/settle',
    { schema: { body: SettleBody, response: { 409: { type: 'object', additionalProperties: true } } } },
    async (request) => await control.settleDeliveries(request.body)
  )

  admin.get('/delivery-faults', async () => control.deliveryFaults())

  admin.post<{ Body: DeliveryFaultInput }>(
    '/delivery-faults',
    { schema: { body: DeliveryFaultBody } },
    async (request, reply) => reply.code(201).send(control.addDeliveryFault(request.body))
  )

  admin.delete<{ Params: { id: string } }>('/delivery-faults/:id', { schema: { params: IdParam } }, async (request) => {
    control.removeDeliveryFault(request.params.id)
    return { status: 'ok', id: request.params.id }
  })

  admin.delete('/delivery-faults', async () => ({ status: 'ok', cleared: control.clearDeliveryFaults() }))

  // Sync runs: rules for how they end, and stepping or settling them.
  for (const url of ['/executions', '/execution-rules']) {
    admin.post<{ Body: ExecutionRuleInput }>(url, { schema: { body: ExecutionRuleBody } }, async (request, reply) =>
      reply.code(201).send(control.addExecutionRule(request.body))
    )
  }

  admin.get('/execution-rules', async () => control.executionRules())

  admin.delete<{ Params: { id: string } }>('/execution-rules/:id', { schema: { params: IdParam } }, async (request) => {
    control.removeExecutionRule(request.params.id)
    return { status: 'ok', id: request.params.id }
  })

  admin.delete('/execution-rules', async () => ({ status: 'ok', cleared: control.clearExecutionRules() }))

  admin.post('/executions/settle', async () => {
    await control.queriesAnswered()
    return { status: 'ok', ...control.settleExecutions() }
  })

  // What is inside a connection: its source's catalog, replaced at run time.
  admin.get<{ Params: { id: string } }>('/connections/:id/catalog', { schema: { params: IdParam } }, async (request) =>
    control.catalog(request.params.id)
  )

  admin.put<{ Params: { id: string }; Body: unknown }>(
    '/connections/:id/catalog',
    { schema: { params: IdParam, body: CatalogShape }, bodyLimit: 64 * 1024 * 1024 },
    async (request) => control.replaceCatalog(request.params.id, request.body)
  )

  admin.post<{ Params: { id: string }; Body: AdvanceInput | null }>(
    '/executions/:id/advance',
    { schema: { params: IdParam, body: AdvanceExecutionBody } },
    async (request) => control.advanceExecution(request.params.id, request.body ?? {})
  )

  // The world as the console shows it: partners and organizations, what one organization holds, its runs.
  admin.get('/partners', async () => control.partners())

  admin.get<{ Params: { id: string } }>('/organizations/:id', { schema: { params: IdParam } }, async (request) =>
    control.organization(request.params.id)
  )

  admin.get<{ Querystring: Record<string, string | undefined> }>(
    '/executions',
    { schema: { querystring: ExecutionListQuery } },
    async (request) => {
      const q = request.query
      return control.executions({
        organization_id: q.organization_id,
        sync_id: q.sync_id,
        status: q.status,
        limit: q.limit === undefined ? undefined : Number(q.limit)
      })
    }
  )

  admin.get<{ Params: { id: string } }>('/executions/:id', { schema: { params: IdParam } }, async (request) =>
    control.execution(request.params.id)
  )

  admin.get('/clock', async () => control.clock())

  admin.post<{ Body: { advance_s: number } }>('/clock', { schema: { body: ClockBody } }, async (request) =>
    control.advanceClock(request.body.advance_s)
  )
}

/**
 * "no such admin route: GET /__admin/delivery (did you mean GET /__admin/deliveries?)". Parameters of a route are
 * filled in from the path asked for, so /faults/abc/x is compared with DELETE /__admin/faults/abc.
 */
export function adminRouteMissing (method: string, path: string, routes: readonly string[]): string {
  const asked = `${method} ${path}`
  const segments = path.split('/')
  const candidates = routes.map((route) => {
    const [routeMethod, url] = route.split(' ') as [string, string]
    const parts = url.split('/')
    return `${routeMethod} ${parts.map((part, i) => (part.startsWith(':') ? (segments[i] ?? part) : part)).join('/')}`
  })
  let hint = ''
  if (path.startsWith('/__admin/__admin')) {
    hint = ' (the path has /__admin twice: give the client the simulator\'s base URL, http://host:port)'
  } else {
    const samePath = candidates.filter((candidate) => candidate.endsWith(` ${path}`))
    const suggestion = samePath.length > 0 ? samePath.join(' or ') : closestName(asked, candidates)
    if (suggestion !== undefined) hint = ` (did you mean ${suggestion}?)`
  }
  return `no such admin route: ${asked}${hint}; docs/admin-api.md lists the admin routes`
}
