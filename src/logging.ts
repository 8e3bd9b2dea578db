import type { FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { LogLevel } from './config.js'
import { REDACTED, loggerRedactPaths } from './secrets.js'

/** Wherever a secret could appear in a log object, it is censored: the fields of src/secrets.ts, and the request's header. */
export const REDACTED_PATHS = ['req.headers.authorization', ...loggerRedactPaths()]

/**
 * pino JSON lines; pretty output only when a person is watching a terminal. Lines go to stdout
 * synchronously, each as it is logged: the asynchronous default spent more per request on its
 * write callbacks than the line itself costs, and a synchronous line is never lost at exit.
 */
export function loggerOptions (level: LogLevel, pretty: boolean): FastifyServerOptions['logger'] {
  const redact = { paths: REDACTED_PATHS, censor: REDACTED }
  if (pretty) return { level, redact, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
  return { level, redact, stream: pino.destination({ dest: 1, sync: true }) }
}
