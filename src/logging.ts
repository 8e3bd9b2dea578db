import type { FastifyServerOptions } from 'fastify'
import type { LogLevel } from './config.js'

/** Wherever a secret could appear in a log object, it is censored. */
export const REDACTED_PATHS = [
  'req.headers.authorization', 'headers.authorization', '*.authorization',
  '*.client_secret', '*.key', '*.partner_key', '*.admin_user_key', '*.value', '*.token'
]

/** pino JSON lines; pretty output only when a person is watching a terminal. */
export function loggerOptions (level: LogLevel, pretty: boolean): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
