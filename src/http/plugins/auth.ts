import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import bearerAuth from '@fastify/bearer-auth'
import basicAuth from '@fastify/basic-auth'
import { Errors } from '../../core/errors.js'
import type { ActingFor } from '../../store/identity/access.js'
import type { Caller, Store } from '../../store/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller of an /api request; null before auth and outside /api. */
    caller: Caller | null
    /** Memo of actingFor(). */
    actingFor: ActingFor | null
  }
}

/** At the root: every request has a caller and what it acts for, null until known. */
export function decorateAuth (app: FastifyInstance): void {
  app.decorateRequest('caller', null)
  app.decorateRequest('actingFor', null)
}

/**
 * The partner and organization a request acts for (the store's rule, src/store/identity/access.ts), worked
 * out once per request.
 */
export function actingFor (request: FastifyRequest, store: Store): ActingFor {
  if (request.actingFor !== null) return request.actingFor
  const params = request.params as Record<string, string | undefined>
  const pathOrganizationId =
    params.org_id ?? (request.routeOptions.url === '/api/organizations/:id' ? params.id : undefined) ?? null
  request.actingFor = store.access.actingFor(request.caller, pathOrganizationId)
  return request.actingFor
}

/**
 * Bearer (user, organization, partner or deployment key) and Basic ("<org uuid>:<partner or
 * deployment key>" or "<deployment key>:") composed in one onRequest hook that dispatches on the
 * scheme. Sets request.caller; never logs the header.
 */
export async function registerAuth (api: FastifyInstance, store: Store): Promise<void> {
  await api.register(bearerAuth, {
    addHook: false,
    specCompliance: 'rfc6749', // scheme compared case-insensitively (RFC 7235 section 2.1)
    verifyErrorLogLevel: 'debug',
    keys: [],
    auth: (key: string, request: FastifyRequest) => {
      request.caller = store.credentials.resolveBearer(key)
      return request.caller !== null
    }
  })
  await api.register(basicAuth, {
    validate: (
      username: string,
      password: string,
      request: FastifyRequest,
      _reply: FastifyReply,
      done: (err?: Error) => void
    ) => {
      request.caller = store.credentials.resolveBasic(username, password)
      done(request.caller === null ? Errors.InvalidCredentials() : undefined)
    }
  })

  const verifyBearer = api.verifyBearerAuth
  if (verifyBearer === undefined) throw new Error('@fastify/bearer-auth did not decorate verifyBearerAuth')
  api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const header = request.headers.authorization
    // The plugins' own errors become ours in the error handler (by their code), like every other error.
    if (header === undefined || header === '') return done(Errors.MissingCredentials())
    const scheme = header.slice(0, 7).toLowerCase()
    if (scheme === 'bearer ') {
      // A known key is settled here and now; anything else goes through @fastify/bearer-auth for its
      // errors. (Its wrapper always waits a promise turn before going on, which a GET could feel.)
      const caller = store.credentials.resolveBearer(header.slice(7).trim())
      if (caller === null) return verifyBearer(request, reply, done)
      request.caller = caller
      return done()
    }
    if (scheme.startsWith('basic ')) return api.basicAuth(request, reply, done)
    done(Errors.MalformedCredentials())
  })
}

/**
 * The caller of an /api route; the auth hook has always set it by the time a handler runs. A user's carries
 * the request's action on what it names, for permission policies: GET reads, DELETE deletes, the rest update.
 */
export function callerOf (request: FastifyRequest): Caller {
  const caller = request.caller
  if (caller === null) throw Errors.Internal({ message: 'no caller on an authenticated route' })
  if (caller.kind !== 'user') return caller
  return { ...caller, action: request.method === 'GET' ? 'read' : request.method === 'DELETE' ? 'delete' : 'update' }
}
