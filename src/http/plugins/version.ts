import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify'
import { Errors } from '../../core/errors.js'
import { successBody } from '../envelope.js'
import {
  GENERATIONS,
  SUPPORTED_VERSIONS,
  generationOf,
  isSupportedVersion,
  type ApiVersion,
  type Generation
} from '../../core/versions.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The version serving this /api request; null outside /api. */
    apiVersion: ApiVersion | null
  }
}

/** At the root: every request has an apiVersion, null outside /api. */
export function decorateVersion (app: FastifyInstance): void {
  app.decorateRequest('apiVersion', null)
}

export const VERSION_HEADER = 'x-polytomic-version'

/** The router constraint that picks a route by the generation of the request's version. */
export const GENERATION_CONSTRAINT = 'apiGeneration'

/**
 * The router's strategy for GENERATION_CONSTRAINT: a request's generation is that of the version it names
 * (an unsupported value counts as the default; the version check answers it with a 400). A route that names
 * a generation serves only it; one that names none serves every version the others do not take, so a
 * version's shapes are one route beside the shared one, and a route new in a generation is a 404 before it.
 */
export function generationStrategy (defaultVersion: ApiVersion) {
  const fallback = generationOf(defaultVersion)
  return {
    name: GENERATION_CONSTRAINT,
    mustMatchWhenDerived: false,
    storage () {
      const handlers = new Map<string, unknown>()
      return {
        get: (generation: string) => handlers.get(generation) ?? null,
        set: (generation: string, handler: unknown) => {
          handlers.set(generation, handler)
        }
      }
    },
    deriveConstraint (request: IncomingMessage): string | undefined {
      const raw = request.headers[VERSION_HEADER]
      return typeof raw === 'string' && isSupportedVersion(raw) ? generationOf(raw) : fallback
    },
    validate (value: unknown): void {
      if (!(GENERATIONS as readonly unknown[]).includes(value)) {
        throw new TypeError(`${String(value)} does not start a generation: ${GENERATIONS.join(', ')}`)
      }
    }
  }
}

/** Route options of a route that belongs to one generation (the shapes or routes it brought). */
export function inGeneration (generation: Generation): Pick<RouteShorthandOptions, 'constraints'> {
  return { constraints: { [GENERATION_CONSTRAINT]: generation } }
}

/** Every route registered in this scope belongs to the generation: a 404 route in versions before it. */
export function onlyInGeneration (scope: FastifyInstance, generation: Generation): void {
  scope.addHook('onRoute', (route) => {
    route.constraints = { ...route.constraints, [GENERATION_CONSTRAINT]: generation }
  })
}

/** The generation a route names, or null for a route every version shares. */
export function generationOfRoute (constraints: unknown): Generation | null {
  const value = (constraints as Record<string, unknown> | undefined)?.[GENERATION_CONSTRAINT]
  return typeof value === 'string' ? (value as Generation) : null
}

export interface VersionOptions {
  defaultVersion: ApiVersion
  requireVersion: boolean
}

/**
 * Resolves X-Polytomic-Version before auth, so that every response (a 401 included) names the
 * version that served it (reference 6). An unsupported value is answered under the default version.
 */
export function registerVersionCheck (api: FastifyInstance, options: VersionOptions): void {
  const unsupportedMessage = `unsupported API version; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`
  api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    const raw = request.headers[VERSION_HEADER]
    request.apiVersion = options.defaultVersion
    reply.header(VERSION_HEADER, options.defaultVersion)
    if (raw === undefined) {
      if (options.requireVersion) {
        return done(
          Errors.VersionRequired({
            message: `the X-Polytomic-Version header is required; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`
          })
        )
      }
      return done()
    }
    if (typeof raw !== 'string' || !isSupportedVersion(raw)) {
      return done(
        Errors.UnsupportedVersion({
          message: unsupportedMessage,
          metadata: { supported_versions: [...SUPPORTED_VERSIONS] }
        })
      )
    }
    request.apiVersion = raw
    reply.header(VERSION_HEADER, raw)
    done()
  })
}

/** A success body in the envelope of the request's version (src/http/envelope.ts). */
export function envelopeBody<T> (request: FastifyRequest, data: T): { data: T } | { result: T; error: null } {
  return successBody(request.apiVersion, data)
}

/** The version of an /api request; the version hook has always set it by the time a handler runs. */
export function versionOf (request: FastifyRequest): ApiVersion {
  if (request.apiVersion === null) throw Errors.Internal({ message: 'no API version on an /api route' })
  return request.apiVersion
}
