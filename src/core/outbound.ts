import http from 'node:http'
import https from 'node:https'
import dns, { type LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { isOwnAddress, portOf, type ListeningPorts } from './self-address.js'

/** The code of a lookup refused because the name resolves to this simulator (final: never retried). */
export const SELF_LOOKUP = 'ESELF'
/** The error of a request that got no answer in time. */
export const TIMED_OUT = 'ETIMEDOUT'

/**
 * A DNS lookup that refuses a name resolving to this machine when the port is one the simulator
 * listens on: a name (the machine's own, an /etc/hosts entry) must not get around pointsAtSelf.
 */
function lookupRefusingSelf (port: number, ports: ListeningPorts): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) return callback(err, '', 4)
      if (ports().includes(port) && addresses.some((entry) => isOwnAddress(entry.address))) {
        return callback(Object.assign(new Error(`${hostname} resolves to this machine`), { code: SELF_LOOKUP }), '', 4)
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      const first = addresses[0] as LookupAddress
      callback(null, first.address, first.family)
    })
  }
}

export interface OutboundRequest {
  method: string
  headers: Record<string, string>
  body?: string | Buffer
  timeoutMs: number
  /** Bytes of the answer read; past them it is cut short (truncated) and the rest not read. */
  maxBytes: number
  /** Requests in flight, for an owner that aborts them all when it closes. */
  active: Set<http.ClientRequest>
  /** The simulator's own ports: a name resolving to this machine on one of them is refused (SELF_LOOKUP). */
  ports: ListeningPorts
  /** Connections to keep alive between requests (the caller destroys it when it closes); none by default. */
  agents?: { http: http.Agent; https: https.Agent }
}

export interface OutboundAnswer {
  /** The status, or null when none came. */
  status: number | null
  headers: http.IncomingHttpHeaders
  body: Buffer
  truncated: boolean
  /** A connection error's code, TIMED_OUT, SELF_LOOKUP, or null. */
  error: string | null
}

/** Sends one request and reads at most maxBytes of the answer; never follows a redirect, never throws. */
export async function send (url: URL, request: OutboundRequest): Promise<OutboundAnswer> {
  return await new Promise((resolve) => {
    let done = false
    const chunks: Buffer[] = []
    let read = 0
    let status: number | null = null
    let headers: http.IncomingHttpHeaders = {}
    const finish = (error: string | null, truncated = false, complete = false): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      request.active.delete(outgoing)
      // An answer read to its end leaves its socket to the agent (kept alive, if it keeps any); anything else cuts it.
      if (!complete) outgoing.destroy()
      resolve({ status, headers, body: Buffer.concat(chunks).subarray(0, request.maxBytes), truncated, error })
    }
    const body = request.body ?? ''
    const client = url.protocol === 'https:' ? https : http
    const outgoing = client.request(url, {
      method: request.method,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: request.agents?.[url.protocol === 'https:' ? 'https' : 'http'] ?? false,
      lookup: lookupRefusingSelf(portOf(url), request.ports)
    })
    request.active.add(outgoing)
    const timer = setTimeout(() => finish(TIMED_OUT), request.timeoutMs)
    outgoing.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message))
    outgoing.on('response', (response) => {
      status = response.statusCode ?? null
      headers = response.headers
      response.on('data', (chunk: Buffer) => {
        if (read < request.maxBytes) chunks.push(chunk)
        read += chunk.length
        if (read > request.maxBytes) finish(null, true)
      })
      response.on('end', () => finish(null, false, true))
      response.on('error', () => finish(null))
    })
    outgoing.end(body)
  })
}
