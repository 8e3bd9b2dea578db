import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/** Whether a logger writes at info (a logger without levels, such as a test double, always does). */
function infoEnabled (logger: FastifyBaseLogger): boolean {
  const withLevels = logger as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }
  return typeof withLevels.isLevelEnabled !== 'function' || withLevels.isLevelEnabled('info')
}

/**
 * One log line per request: request id, method, path, status, duration, version and kind of
 * caller; never a header or a body. Every field is one the simulator chose, none can hold a
 * secret, so the line is written by a child logger made once with no redaction: redacting six
 * plain fields per request cost more than the rest of a GET. Below info, nothing is added at all.
 */
export function registerRequestLog (app: FastifyInstance): void {
  if (!infoEnabled(app.log)) return
  const lines = app.log.child({}, { redact: [] })
  app.addHook('onResponse', (request, reply, done) => {
    const q = request.url.indexOf('?')
    lines.info({
      reqId: request.id,
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
