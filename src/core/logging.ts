import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { LogLevel } from './config.js'
import { REDACTED, loggerRedactPaths } from './secrets.js'

/**
 * Wherever a secret could appear in a log object, it is censored: the fields of src/core/secrets.ts, and the
 * request's header.
 */
export const REDACTED_PATHS = ['req.headers.authorization', ...loggerRedactPaths()]

/** What pino writes lines to. */
export interface LineSink {
  write: (line: string) => void
}

/**
 * Lines gathered for one turn of the event loop and written together at its end, in one write:
 * under load one turn answers many requests, and a write per line (a system call each) cost more
 * than everything else a GET does. A line is never held past the turn it was logged in, and what
 * is pending when the process exits is written then.
 */
export function lineBatcher (out: LineSink): LineSink & { flush: () => void } {
  let pending: string[] = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    out.write(text)
  }
  process.on('exit', flush)
  return {
    write (line: string): void {
      pending.push(line)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush
  }
}

/**
 * Whether pino-pretty can be loaded from here. It is an optional peer: the package and the image do
 * not carry it, and a terminal without it gets JSON lines.
 */
export function prettyInstalled (resolve: (name: string) => string = createRequire(import.meta.url).resolve): boolean {
  try {
    resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}

/**
 * pino JSON lines on stdout, one write per event-loop turn (lineBatcher); pretty output only when a person is
 * watching a terminal and pino-pretty is installed.
 */
export function loggerOptions (
  level: LogLevel,
  terminal: boolean,
  pretty = terminal && prettyInstalled()
): FastifyServerOptions['logger'] {
  const redact = { paths: REDACTED_PATHS, censor: REDACTED }
  if (pretty) {
    return {
      level,
      redact,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } }
    }
  }
  return { level, redact, stream: lineBatcher(pino.destination({ dest: 1, sync: true })) }
}
