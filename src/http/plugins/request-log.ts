import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { redactUrlSecrets } from '../../core/secrets.js'

/** Whether a logger writes at info (a logger without levels, such as a test double, always does). */
function infoEnabled (logger: FastifyBaseLogger): boolean {
  const withLevels = logger as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }
  return typeof withLevels.isLevelEnabled !== 'function' || withLevels.isLevelEnabled('info')
}

/**
 * One log line per request: request id, method, path, status, duration, version and kind of
 * caller; never a header, a query or a body. Every field is one the simulator chose, and the path
 * is rid of the one secret a path holds (a Connect page's token), so the line is written by a child
 * logger made once with no redaction: pino's redaction of seven plain fields per request cost more
 * than the rest of a GET. Below info, nothing is added at all.
 */
export function registerRequestLog (app: FastifyInstance): void {
  if (!infoEnabled(app.log)) return
  const lines = app.log.child({}, { redact: [] })
  app.addHook('onResponse', (request, reply, done) => {
    const q = request.url.indexOf('?')
    lines.info(
      {
        reqId: request.id,
        method: request.method,
        // The hosted Connect page's path holds its session's token.
        path: redactUrlSecrets(q === -1 ? request.url : request.url.slice(0, q)),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        version: request.apiVersion,
        caller: request.caller?.kind ?? null
      },
      'request'
    )
    done()
  })
}
