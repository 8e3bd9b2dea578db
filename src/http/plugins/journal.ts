import type { FastifyInstance, FastifyRequest } from 'fastify'
import { pathOf, type Journal } from '../../control/journal.js'
import { hashKey } from '../../store/ids.js'
import type { Store } from '../../store/index.js'
import { actingFor } from './auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    journal: Journal
  }
  interface FastifyRequest {
    /** The serialized response, kept for the journal. */
    journalResponse: string | null
  }
}

/** At the root: the journal for the control plane, and every request's journalResponse. */
export function decorateJournal (app: FastifyInstance, journal: Journal): void {
  app.decorate('journal', journal)
  app.decorateRequest('journalResponse', null)
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

/** Records every /api request in the journal, with the Authorization header reduced to a fingerprint. */
export function registerJournal (api: FastifyInstance, journal: Journal, store: Store): void {
  if (!journal.enabled) return
  api.addHook('onSend', (request, _reply, payload, done) => {
    request.journalResponse =
      typeof payload === 'string'
        ? payload
        : payload === null || payload === undefined
          ? null
          : Buffer.isBuffer(payload)
            ? payload.toString()
            : '[stream]'
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
