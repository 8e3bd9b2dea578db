import type { FastifyServerOptions } from 'fastify'
import type { LogLevel } from './config.js'
import { REDACTED, loggerRedactPaths } from './secrets.js'

/** Wherever a secret could appear in a log object, it is censored: the fields of src/secrets.ts, and the request's header. */
export const REDACTED_PATHS = ['req.headers.authorization', ...loggerRedactPaths()]

/** pino JSON lines; pretty output only when a person is watching a terminal. */
export function loggerOptions (level: LogLevel, pretty: boolean): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
