import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { Errors } from '../../core/errors.js'
import { boundOrganizationId } from '../../store/identity/access.js'
import type { Store } from '../../store/index.js'
import type { IdempotencyClaim } from '../../store/idempotency.js'
import { VERSION_HEADER } from './version.js'
import { actingFor } from './auth.js'
import { holdsSecret } from '../../core/secrets.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request claimed, if it is the first with that key. */
    idempotency: (IdempotencyClaim & { completed: boolean }) | null
  }
}

/** At the root: every request has an idempotency claim, null unless it made one. */
export function decorateIdempotency (app: FastifyInstance): void {
  app.decorateRequest('idempotency', null)
}

const KEY_RE = /^[A-Za-z0-9_-]{8,255}$/
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const PURGE_EVERY_MS = 60_000

/**
 * Idempotency-Key on writes (reference 7). Runs after auth, since keys belong to a credential, and
 * before faults, so that a delayed or failed first request still holds and fixes the outcome.
 */
export function registerIdempotency (api: FastifyInstance, store: Store, ttlSeconds: number): void {
  const ttlMs = ttlSeconds * 1000
  let lastPurge = 0

  api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const key = request.headers['idempotency-key']
    if (key === undefined || !WRITES.has(request.method)) return done()
    if (typeof key !== 'string' || !KEY_RE.test(key)) return done(Errors.InvalidIdempotencyKey())
    const caller = request.caller
    if (caller === null) return done()
    // A key belongs to a credential, and to the organization a Basic org-scoped credential names.
    const scope = `${caller.keyHash}:${boundOrganizationId(caller) ?? ''}`
    const now = Date.now()
    if (now - lastPurge > PURGE_EVERY_MS) {
      lastPurge = now
      store.idempotency.purgeOlderThan(now - ttlMs)
    }
    const partner = actingFor(request, store).partnerId ?? ''
    const outcome = store.idempotency.start(scope, key, now, ttlMs, partner)
    if (outcome.kind === 'in-flight') return done(Errors.IdempotencyKeyInUse())
    if (outcome.kind === 'sealed') return done(Errors.IdempotencyReplayUnavailable())
    if (outcome.kind === 'new') {
      request.idempotency = { scope, key, partner, completed: false }
      return done()
    }
    reply
      .code(outcome.status)
      .headers(outcome.headers)
      .header('idempotent-replayed', 'true')
      .serializer((payload) => payload as string)
      .send(outcome.body)
  })

  api.addHook('onSend', (request, reply, payload, done) => {
    const claim = request.idempotency
    if (claim !== null && !claim.completed) {
      claim.completed = true
      const headers: Record<string, string> = {}
      for (const name of ['content-type', VERSION_HEADER]) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      const body = typeof payload === 'string' ? payload : ''
      store.idempotency.complete(claim, reply.statusCode, headers, body, holdsSecret(body))
    }
    done(null, payload)
  })

  api.addHook('onResponse', (request, _reply, done) => {
    if (request.idempotency !== null && !request.idempotency.completed) {
      store.idempotency.abandon(request.idempotency.scope, request.idempotency.key)
    }
    done()
  })
}
