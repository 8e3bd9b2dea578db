import http from 'node:http'
import https from 'node:https'
import { performance } from 'node:perf_hooks'
import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors } from '../../core/errors.js'
import { SELF_LOOKUP, TIMED_OUT, send } from '../../core/outbound.js'
import { pointsAtSelf, type ListeningPorts } from '../../core/self-address.js'
import type { Db } from '../db.js'
import { hostAllowed } from '../events/webhooks.js'
import { newId } from '../ids.js'
import { statements } from '../table.js'
import type { StoredConnection } from './connections.js'

/** ConnectionProxyCall: what the caller asks the proxy to send. */
export interface ProxyCall {
  method: string
  path: string
  headers?: Record<string, string>
  query?: Record<string, unknown>
  rawQuery?: string
  body?: unknown
}

export const PROXY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
/** The most a request body may weigh, and the most of an answer's body kept (the rest cut, truncated: true). */
export const PROXY_MAX_REQUEST_BYTES = 1024 * 1024
export const PROXY_MAX_RESPONSE_BYTES = 1024 * 1024

/** Headers a caller may not send: they are the proxy's to set, or would carry the caller's own credentials. */
const BLOCKED_REQUEST_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'upgrade',
  'x-forwarded-for',
  'x-forwarded-host'
] as const
/** Headers of the upstream answer the proxy drops. */
const BLOCKED_RESPONSE_HEADERS = [
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-authenticate',
  'content-length'
] as const

const DAY = 24 * 3600 * 1000

/** A header the connection always sends: its name, and its value (a secret's redacted when described). */
interface LockedHeader {
  name: string
  value: string
  secret: boolean
}

/** A connection's proxy calls since a time: all, by class of status, and the last one's time. */
interface CallCounts {
  calls: number
  ok: number
  client: number
  server: number
  last: number | null
}

interface ProxyStatements {
  insert: Statement<[{ connection: string; status: number; at: number }]>
  prune: Statement<[{ connection: string; keep: number }]>
  since: Statement<[{ connection: string; since: number }], CallCounts>
}

export interface ProxySettings {
  /** Hosts the proxy may call (PROXY_ALLOWED_HOSTS); null for any. */
  allowedHosts: readonly string[] | null
  timeoutMs: number
  /** Calls one connection may make per minute of simulated time (PROXY_RATE_PER_MINUTE): one more is a 429. */
  ratePerMinute: number
  /** Calls remembered per connection, for its stats and the rate (PROXY_CALLS_MAX). */
  keep: number
}

/**
 * The connection proxy (2025-09-18's connections.executeProxy and getProxyInfo): a request sent to the
 * connection's own base URL (an HTTP API connection's `url`) with its stored credentials applied, and the answer
 * passed back. Only hosts PROXY_ALLOWED_HOSTS names are called (this machine's by default), never the simulator
 * itself; no answer within PROXY_TIMEOUT_MS is a 504, a connection error a 502. Calls are remembered (their status
 * and time, PROXY_CALLS_MAX a connection) for the stats that proxy/info gives and its rate limit.
 */
export class ConnectionProxy {
  private readonly sql: ProxyStatements
  private readonly active = new Set<http.ClientRequest>()
  private closed = false
  /** Connections to upstream APIs, kept alive between calls (a stub API answers many). */
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64 })
  }

  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly ports: ListeningPorts,
    private readonly settings: ProxySettings
  ) {
    this.sql = statements<ProxyStatements>(db, {
      insert: 'INSERT INTO proxy_calls (connection_id, status, created_ms) VALUES (@connection, @status, @at)',
      prune: `DELETE FROM proxy_calls WHERE seq IN (SELECT seq FROM proxy_calls WHERE connection_id = @connection
        ORDER BY seq DESC LIMIT -1 OFFSET @keep)`,
      since: `SELECT count(*) AS calls, count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS ok,
        count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client,
        count(*) FILTER (WHERE status >= 500) AS server, max(created_ms) AS last
        FROM proxy_calls WHERE connection_id = @connection AND created_ms > @since`
    })
  }

  /** ConnectionProxyInfoResponse. A connection without a base URL is a 400. */
  info (connection: StoredConnection): Record<string, unknown> {
    const baseUrl = baseUrlOf(connection)
    const now = this.clock.now()
    const day = this.sql.since.get({ connection: connection.id, since: now - DAY })
    const stats: Record<string, unknown> = {
      callsLast24h: day?.calls ?? 0,
      proxyCallsLast24h: day?.calls ?? 0,
      proxy2xxLast24h: day?.ok ?? 0,
      proxy4xxLast24h: day?.client ?? 0,
      proxy5xxLast24h: day?.server ?? 0
    }
    if (day?.last !== null && day?.last !== undefined) stats.lastProxyCallAt = new Date(day.last).toISOString()
    return {
      connectionId: connection.id,
      backendType: connection.type,
      inheritedBase: {
        baseUrl: baseUrl.toString(),
        lockedHeaders: lockedHeaders(connection).map((h) => ({
          name: h.name,
          value: h.secret ? '[REDACTED]' : h.value,
          redacted: h.secret
        })),
        lockedQuery: {}
      },
      mergeRules: {
        headers: "the caller's headers are added to the connection's; the connection's own cannot be overridden",
        query: "the caller's query (query or rawQuery) comes after the connection's own parameters"
      },
      requestContract: {
        allowedMethods: [...PROXY_METHODS],
        blockedRequestHeaders: [...BLOCKED_REQUEST_HEADERS],
        blockedResponseHeaders: [...BLOCKED_RESPONSE_HEADERS],
        bodyTypes: ['object', 'array', 'string', 'number', 'boolean', 'null'],
        maxRequestBodyBytes: PROXY_MAX_REQUEST_BYTES,
        maxResponseBodyBytes: PROXY_MAX_RESPONSE_BYTES,
        pathRule: 'relative to the base URL: starts with "/", no "..", no query string or fragment',
        queryModes: ['query', 'rawQuery'],
        queryValueTypes: ['string', 'number', 'boolean', 'array'],
        rateLimitPerMinute: this.settings.ratePerMinute,
        rawQueryRule: 'appended as it is after the connection\'s parameters; the caller encodes it',
        timeoutMs: this.settings.timeoutMs
      },
      stats
    }
  }

  /** ConnectionProxyResponse: the call checked, sent, and its answer; never throws but for the caller's errors. */
  async execute (connection: StoredConnection, call: ProxyCall): Promise<Record<string, unknown>> {
    const url = this.target(connection, call)
    const locked = lockedHeaders(connection)
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      const key = name.toLowerCase()
      if ((BLOCKED_REQUEST_HEADERS as readonly string[]).includes(key)) {
        throw Errors.BadRequest({ message: `request.headers: ${name} is blocked by the proxy` })
      }
      if (locked.some((h) => h.name.toLowerCase() === key)) {
        throw Errors.BadRequest({
          message: `request.headers: ${name} is the connection's own and cannot be overridden`
        })
      }
      headers[key] = value
    }
    const body = bodyOf(call.body, headers)
    for (const h of locked) headers[h.name.toLowerCase()] = h.value
    const now = this.clock.now()
    const rate = this.settings.ratePerMinute
    if ((this.sql.since.get({ connection: connection.id, since: now - 60_000 })?.calls ?? 0) >= rate) {
      throw Errors.TooManyRequests({ message: `the proxy takes at most ${rate} calls a minute per connection` })
    }
    const started = performance.now()
    const answer = await send(url, {
      method: call.method,
      headers,
      body,
      timeoutMs: this.settings.timeoutMs,
      maxBytes: PROXY_MAX_RESPONSE_BYTES,
      active: this.active,
      ports: this.ports,
      agents: this.agents
    })
    const latencyMs = Math.round(performance.now() - started)
    // Cut by close(): the store is going, so nothing is recorded.
    if (this.closed) throw Errors.ServiceUnavailable({ message: 'the simulator is shutting down' })
    if (answer.status === null) {
      const timedOut = answer.error === TIMED_OUT
      this.record(connection.id, timedOut ? 504 : 502)
      if (timedOut) {
        throw Errors.GatewayTimeout({ message: `${url.host} did not answer within ${this.settings.timeoutMs} ms` })
      }
      if (answer.error === SELF_LOOKUP) {
        throw Errors.ProxyHostRefused({
          message: `${url.hostname} resolves to this simulator, which the proxy never calls`
        })
      }
      throw Errors.BadGateway({ message: `could not reach ${url.host}: ${answer.error ?? 'no answer'}` })
    }
    this.record(connection.id, answer.status)
    const responseHeaders: Record<string, string> = {}
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || (BLOCKED_RESPONSE_HEADERS as readonly string[]).includes(name)) continue
      responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value
    }
    return {
      status: answer.status,
      headers: responseHeaders,
      body: answer.body.toString('utf8'),
      contentType: answer.headers['content-type'] ?? '',
      latencyMs,
      proxyCallId: newId(),
      truncated: answer.truncated
    }
  }

  /** Stops the calls in flight (Store.close). */
  close (): void {
    this.closed = true
    for (const request of this.active) request.destroy()
    this.active.clear()
    this.agents.http.destroy()
    this.agents.https.destroy()
  }

  /** The URL a call goes to: the base URL's path, then the call's, then its query; a refused host is a 403. */
  private target (connection: StoredConnection, call: ProxyCall): URL {
    const base = baseUrlOf(connection)
    const path = call.path
    if (!path.startsWith('/') || path.startsWith('//') || /[?#]/.test(path) || path.split('/').includes('..')) {
      throw Errors.BadRequest({
        message: 'request.path: must be relative to the base URL, start with "/", and hold no "..", query or fragment'
      })
    }
    if (call.query !== undefined && call.rawQuery !== undefined) {
      throw Errors.BadRequest({ message: 'request: query and rawQuery cannot both be given' })
    }
    const url = new URL(base.toString())
    url.pathname = base.pathname.replace(/\/$/, '') + path
    const params = new URLSearchParams(base.search)
    for (const [name, value] of Object.entries(call.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== null && typeof item === 'object') {
          throw Errors.BadRequest({
            message: `request.query.${name}: must be a string, number, boolean or an array of them`
          })
        }
        params.append(name, String(item))
      }
    }
    const query = params.toString()
    url.search = [query, call.rawQuery ?? ''].filter((part) => part !== '').join('&')
    if (!hostAllowed(this.settings.allowedHosts, url)) {
      throw Errors.ProxyHostRefused({
        message: `host ${url.hostname} is not in PROXY_ALLOWED_HOSTS (${(this.settings.allowedHosts ?? []).join(', ')})`
      })
    }
    if (pointsAtSelf(url, this.ports)) {
      throw Errors.ProxyHostRefused({ message: 'the base URL points at this simulator, which the proxy never calls' })
    }
    return url
  }

  private record (connectionId: string, status: number): void {
    this.sql.insert.run({ connection: connectionId, status, at: this.clock.now() })
    this.sql.prune.run({ connection: connectionId, keep: this.settings.keep })
  }
}

/** The connection's base URL (its configuration's `url`); a connection without one is a 400. */
function baseUrlOf (connection: StoredConnection): URL {
  const value = connection.configuration.url
  if (typeof value !== 'string') {
    throw Errors.OperationNotSupported({
      message: `a ${connection.type} connection has no base URL to proxy to (an HTTP API connection's url)`
    })
  }
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url
  } catch {}
  throw Errors.OperationNotSupported({ message: "the connection's url is not an http(s) URL" })
}

/** The headers the connection's stored auth adds (an HTTP API connection's auth_method). */
function lockedHeaders (connection: StoredConnection): LockedHeader[] {
  const c = connection.configuration
  const text = (value: unknown): string => (typeof value === 'string' ? value : '')
  switch (c.auth_method) {
    case 'bearer':
      return [{ name: 'Authorization', value: `Bearer ${text(c.token)}`, secret: true }]
    case 'basic':
      return [{
        name: 'Authorization',
        value: `Basic ${Buffer.from(`${text(c.username)}:${text(c.password)}`).toString('base64')}`,
        secret: true
      }]
    case 'header':
      if (text(c.header_name) === '') return []
      return [{ name: text(c.header_name), value: text(c.header_value), secret: true }]
    default:
      return []
  }
}

/** The bytes a call's body sends: a string as it is, anything else as JSON; a content type set when none is given. */
function bodyOf (body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  if (Buffer.byteLength(text) > PROXY_MAX_REQUEST_BYTES) {
    throw Errors.BadRequest({ message: `request.body: at most ${PROXY_MAX_REQUEST_BYTES} bytes` })
  }
  headers['content-type'] ??= typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'
  return text
}
