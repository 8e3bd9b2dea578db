import type { FastifyInstance } from 'fastify'
import { Errors } from '../../core/errors.js'
import { nestsDeeperThan } from '../../core/json.js'
import { LIMITS } from '../../core/limits.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for the journal; null when none was read (none sent, or over the body limit). */
    bodyText: string | null
  }
}

/**
 * Any content type is read as JSON, as Polytomic's Go handlers decode the body whatever it is
 * labelled; an empty body is no body. A body nested deeper than LIMITS.jsonDepth is refused here,
 * before any hook or route could keep or serialize it.
 */
export function registerJsonBody (app: FastifyInstance): void {
  app.decorateRequest('bodyText', null)
  const parseJson = app.getDefaultJsonParser('error', 'remove')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text === '') return done(null, undefined)
    request.bodyText = text
    if (nestsDeeperThan(text, LIMITS.jsonDepth)) return done(Errors.BodyTooDeep())
    parseJson(request, text, done) as unknown
  })
}
