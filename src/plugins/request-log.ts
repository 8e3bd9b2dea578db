import type { FastifyInstance } from 'fastify'

/** One log line per request: method, path, status, duration, version and kind of caller; never a header or a body. */
export function registerRequestLog (app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    const q = request.url.indexOf('?')
    request.log.info({
      method: request.method,
      path: q === -1 ? request.url : request.url.slice(0, q),
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      version: request.apiVersion,
      caller: request.caller?.kind ?? null
    }, 'request')
    done()
  })
}
