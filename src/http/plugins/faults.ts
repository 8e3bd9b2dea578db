import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ApiError, errorForStatus } from '../../core/errors.js'
import type { Faults } from '../../control/faults.js'
import { pathOf } from '../../control/journal.js'
import type { Store } from '../../store/index.js'
import { actingFor } from './auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    faults: Faults
  }
  interface FastifyRequest {
    /** The fault rule that fired for this request, if any. */
    faultId: string | null
  }
}

/** At the root: the rules for the control plane, and every request's faultId. */
export function decorateFaults (app: FastifyInstance, faults: Faults): void {
  app.decorate('faults', faults)
  app.decorateRequest('faultId', null)
}

function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Fault rules, applied after auth (a rule may name a partner) and before any route logic. A rule
 * with a status answers with it; delay_ms alone only delays.
 */
export function registerFaults (api: FastifyInstance, faults: Faults, store: Store, retryAfterS: number): void {
  api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!faults.active) return done()
    const rule = faults.fire(request.method, pathOf(request.url), actingFor(request, store).partnerId)
    if (rule === undefined) return done()
    request.faultId = rule.id
    const answer = (): void => {
      if (rule.status === undefined) return done()
      // A 429 or 503 says when to come back, so that a client that retries (SDK v25 waits Retry-After) does so
      // at a known pace; the rule's own headers win.
      const named = new Set(Object.keys(rule.headers ?? {}).map((name) => name.toLowerCase()))
      if ((rule.status === 429 || rule.status === 503) && !named.has('retry-after')) {
        reply.header('retry-after', String(retryAfterS))
      }
      for (const [name, value] of Object.entries(rule.headers ?? {})) reply.header(name, value)
      if (rule.body === undefined) {
        const def = errorForStatus(rule.status)
        done(
          def !== undefined
            ? def({ message: `${def.message} (injected fault)` })
            : new ApiError(rule.status, 'injected_fault', 'injected fault')
        )
        return
      }
      reply.code(rule.status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(rule.body)
    }
    if (rule.delay_ms !== undefined && rule.delay_ms > 0) sleep(rule.delay_ms).then(answer, done)
    else answer()
  })
}
