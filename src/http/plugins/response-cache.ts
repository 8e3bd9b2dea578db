import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onSendHookHandler,
  preValidationHookHandler
} from 'fastify'
import { ResponseCache } from '../response-cache.js'
import { boundOrganizationId } from '../../store/identity/access.js'
import type { Caller, Store } from '../../store/index.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This GET's answer depends only on the database, the credential, the version and the URL (no
     * simulated time, no test-control state), so it may be served from the response cache.
     */
    cacheable?: boolean
  }
  interface FastifyRequest {
    /** Where this request's answer goes in the response cache, when it was not there. */
    cacheSlot: { key: string; generation: number } | null
  }
}

/** At the root: every request has a cache slot, null unless a cacheable route missed. */
export function decorateResponseCache (app: FastifyInstance): void {
  app.decorateRequest('cacheSlot', null)
}

const asIs = (payload: unknown): string => payload as string

/**
 * Everything a cacheable answer depends on besides the database: the credential, the organization a Basic
 * credential names, the version and the URL.
 */
export function responseCacheKey (caller: Caller, version: string | null, url: string): string {
  return `${caller.keyHash}\n${boundOrganizationId(caller) ?? ''}\n${version ?? ''}\n${url}`
}

/**
 * The response cache (src/http/response-cache.ts) on the routes that declare `config: { cacheable: true }`.
 * The lookup runs before validation, after every onRequest hook: versions, auth, idempotency and
 * fault rules have had their say, and the journal, the request log and response validation see a
 * cached answer as they see any other.
 */
export function registerResponseCache (api: FastifyInstance, store: Store, cache = new ResponseCache()): void {
  const lookup: preValidationHookHandler = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction
  ) => {
    const caller = request.caller
    if (caller === null) return done()
    const key = responseCacheKey(caller, request.apiVersion, request.url)
    const generation = store.writeGeneration()
    const answer = cache.get(key, generation)
    if (answer === undefined) {
      request.cacheSlot = { key, generation }
      return done()
    }
    reply.code(200).headers(answer.headers).serializer(asIs).send(answer.payload)
  }

  const keep: onSendHookHandler = (request, reply, payload, done) => {
    const slot = request.cacheSlot
    // Kept only if nothing was written while it was computed: a handler that wrote is not a pure read.
    if (
      slot !== null &&
      reply.statusCode === 200 &&
      typeof payload === 'string' &&
      store.writeGeneration() === slot.generation
    ) {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (name !== 'content-length' && value !== undefined) headers[name] = String(value)
      }
      cache.set(slot.key, slot.generation, { headers, payload })
    }
    done(null, payload)
  }

  api.addHook('onRoute', (route) => {
    if (route.config?.cacheable !== true || route.method !== 'GET') return
    route.preValidation = [...asArray(route.preValidation), lookup]
    route.onSend = [...asArray(route.onSend), keep]
  })
}

function asArray<T> (value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}
