import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

/** One request a receiver got: the raw body bytes, as a verifier must see them. */
export interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  raw: Buffer
  body: { type: string; event: Record<string, unknown> }
}

/** What the receiver does with its nth request (1-based): answer a status (and body), or hold the request open. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang'

export interface Receiver {
  url: string
  received: Received[]
  /** Resolves once `count` requests have arrived (bounded, generously: a wait on a signal). */
  waitFor: (count: number) => Promise<void>
}

/**
 * A webhook receiver on 127.0.0.1 port 0 for the delivery tests, closed when the test ends
 * (requests it holds open are cut). `answer` decides each response; the default is 200.
 */
export async function receiver (
  t: Test,
  answer: (n: number, request: Received) => Answer = () => ({ status: 200 })
): Promise<Receiver> {
  const received: Received[] = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks)
      let body: Received['body']
      try {
        body = JSON.parse(raw.toString('utf8')) as Received['body']
      } catch {
        body = { type: '', event: {} }
      }
      const entry: Received = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        raw,
        body
      }
      received.push(entry)
      for (const waiter of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      const reply = answer(received.length, entry)
      if (reply === 'hang') return
      response.writeHead(reply.status, reply.headers ?? {})
      response.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/polytomic`,
    received,
    waitFor: async (count) => {
      if (received.length >= count) return
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`gave up waiting for request ${count} after 60 s (got ${received.length})`)),
          60_000
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve()
          }
        })
      })
    }
  }
}
