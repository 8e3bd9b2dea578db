import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { LatencyRange } from '../config.js'
import type { ControlPlane } from '../control-plane.js'
import { ApiError, errorForStatus } from '../errors.js'
import type { Faults } from '../faults.js'
import type { Journal } from '../journal.js'
import { hashKey } from '../store/ids.js'
import type { Store } from '../store/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    journal: Journal
    faults: Faults
    control: ControlPlane
  }
  interface FastifyRequest {
    /** The fault rule that fired for this request, if any. */
    faultId: string | null
    /** The serialized response, kept for the journal. */
    journalResponse: string | null
    actingFor: ActingFor | null
  }
}

interface ActingFor { partnerId: string | null, organizationId: string | null }

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/** The partner and organization a request acted for: from the path, else from the credential. */
function actingFor (request: FastifyRequest, store: Store): ActingFor {
  if (request.actingFor !== null) return request.actingFor
  const params = request.params as Record<string, string | undefined>
  const caller = request.caller
  let organizationId = params.org_id ?? (request.routeOptions.url === '/api/organizations/:id' ? params.id : undefined) ?? null
  if (organizationId === null && caller !== null) {
    organizationId = caller.kind === 'user' || caller.kind === 'organization' ? caller.organizationId : caller.scopedOrganizationId
  }
  organizationId = organizationId?.toLowerCase() ?? null
  let partnerId: string | null = caller?.kind === 'partner' ? caller.partnerId : null
  if (partnerId === null && organizationId !== null) partnerId = store.organizations.find(organizationId)?.partner_id ?? null
  request.actingFor = { partnerId, organizationId }
  return request.actingFor
}

/** "Bearer partner sha256:1a2b3c4d": the scheme, the kind of credential and a short fingerprint, never the secret. */
function describeAuthorization (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const space = header.indexOf(' ')
  const scheme = space === -1 ? 'unknown' : header.slice(0, space)
  const digest = request.caller?.keyHash ?? hashKey(space === -1 ? header : header.slice(space + 1))
  return `${scheme} ${request.caller?.kind ?? 'unknown'} sha256:${digest.slice(0, 8)}`
}

/** Content-Length of a body that was never read (over the limit), if it is a number. */
function declaredLength (request: FastifyRequest): number | undefined {
  const header = request.headers['content-length']
  const length = header === undefined ? NaN : Number(header)
  return Number.isSafeInteger(length) && length > 0 ? length : undefined
}

function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Global latency (LATENCY_MS): before auth, so that every /api response is delayed. */
export function registerLatency (api: FastifyInstance, latency: LatencyRange | null, random: () => number): void {
  if (latency === null) return
  api.addHook('onRequest', (_request, _reply, done: HookHandlerDoneFunction) => {
    const ms = latency.min + Math.round(random() * (latency.max - latency.min))
    setTimeout(done, ms)
  })
}

/**
 * Fault rules, applied after auth (a rule may name a partner) and before any route logic. A rule
 * with a status answers with it; delay_ms alone only delays.
 */
export function registerFaults (api: FastifyInstance, faults: Faults, store: Store): void {
  api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!faults.active) return done()
    const rule = faults.fire(request.method, pathOf(request.url), actingFor(request, store).partnerId)
    if (rule === undefined) return done()
    request.faultId = rule.id
    const answer = (): void => {
      if (rule.status === undefined) return done()
      for (const [name, value] of Object.entries(rule.headers ?? {})) reply.header(name, value)
      if (rule.body === undefined) {
        const def = errorForStatus(rule.status)
        done(def !== undefined ? def({ message: `${def.message} (injected fault)` }) : new ApiError(rule.status, 'injected_fault', 'injected fault'))
        return
      }
      reply.code(rule.status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(rule.body)
    }
    if (rule.delay_ms !== undefined && rule.delay_ms > 0) sleep(rule.delay_ms).then(answer, done)
    else answer()
  })
}

/** Records every /api request in the journal, with the Authorization header reduced to a fingerprint. */
export function registerJournal (api: FastifyInstance, journal: Journal, store: Store): void {
  if (!journal.enabled) return
  api.addHook('onSend', (request, _reply, payload, done) => {
    request.journalResponse = typeof payload === 'string' ? payload : payload === null || payload === undefined ? null : String(payload)
    done(null, payload)
  })
  api.addHook('onResponse', (request, reply, done) => {
    const headers: Record<string, unknown> = { ...request.headers }
    const authorization = describeAuthorization(request)
    if (authorization !== undefined) headers.authorization = authorization
    const acting = actingFor(request, store)
    journal.record({
      time: Date.now() - reply.elapsedTime,
      method: request.method,
      path: pathOf(request.url),
      query: { ...(request.query as Record<string, unknown>) },
      headers,
      body: request.bodyText,
      unreadBodySize: request.bodyText === null ? declaredLength(request) : undefined,
      status: reply.statusCode,
      response: request.journalResponse,
      duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      partner_id: acting.partnerId,
      organization_id: acting.organizationId,
      fault: request.faultId
    })
    done()
  })
}

