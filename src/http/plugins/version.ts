import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Errors } from '../../core/errors.js'
import { successBody } from '../envelope.js'
import { SUPPORTED_VERSIONS, isSupportedVersion, type ApiVersion } from '../../core/versions.js'

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
