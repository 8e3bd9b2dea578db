import { connect } from 'node:net'
import t from 'tap'
import { W, apiError, bearer, build, call, listen } from './helper.js'
import { GENEROUS_MS } from './support/child.js'

const usersUrl = `/api/organizations/${W.org.id}/users`

/**
 * Sends raw bytes, `gapMs` apart (a slow client is the stimulus), and collects what comes back until
 * the server closes the socket. `sentAll` says whether every chunk went out before the close.
 */
async function raw (url: string, chunks: string[], gapMs = 0): Promise<{ text: string; sentAll: boolean }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let text = ''
    let sentAll = false
    const guard = setTimeout(() => {
      socket.destroy()
      reject(new Error('the server never closed the socket'))
    }, GENEROUS_MS)
    socket.on('data', (chunk) => {
      text += chunk.toString()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(guard)
      resolve({ text, sentAll })
    })
    const send = async (): Promise<void> => {
      for (const chunk of chunks) {
        if (socket.destroyed) return
        socket.write(chunk)
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
      }
      sentAll = true
    }
    socket.on('connect', () => {
      send().catch(() => socket.destroy())
    })
  })
}

function bodyOf (response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))
}

t.test('a body over BODY_LIMIT is 413 in the error shape', async (t) => {
  const app = await build(t, { config: { bodyLimit: 1024 } })
  const res = await call(app, 'POST', usersUrl, bearer(W.acme.key), {
    email: 'big@example.com',
    role: 'x'.repeat(2000)
  })
  t.equal(res.status, 413)
  t.same(res.body, apiError(413, 'payload_too_large', 'the request body is too large'))
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
})

t.test('the default body limit is 1 MiB', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', usersUrl, bearer(W.acme.key), {
    email: 'big@example.com',
    padding: 'x'.repeat(1024 * 1024)
  })
  t.equal(res.status, 413)
})

t.test('a path parameter over 200 characters is 414', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', `${usersUrl}/${'a'.repeat(300)}`, bearer(W.acme.key))
  t.equal(res.status, 414)
  t.same(res.body, apiError(414, 'uri_too_long', 'the request URL is too long'))
})

t.test('headers over 16 KiB get 431 in the error shape, on the raw socket', async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const { text } = await raw(url, [
    `GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'k'.repeat(20_000)}\r\n\r\n`
  ])
  t.match(text, /^HTTP\/1\.1 431 /)
  t.same(bodyOf(text), apiError(431, 'headers_too_large', 'the request headers are too large'))
})

t.test('bytes that are not HTTP get 400 in the error shape', async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const { text } = await raw(url, ['NOT HTTP AT ALL\r\n\r\n'])
  t.match(text, /^HTTP\/1\.1 400 /)
  t.same(bodyOf(text), apiError(400, 'bad_request', 'the request is not valid HTTP'))
})

t.test('a client that stalls while sending headers is cut off (slowloris)', async (t) => {
  const app = await build(t, { config: { requestTimeoutMs: 1000 } })
  const url = await listen(app)
  const drip = [
    'GET /api/me HTTP/1.1\r\n',
    'Host: x\r\n',
    ...Array.from({ length: 40 }, (_, i) => `X-Drip-${i}: ${i}\r\n`)
  ]
  // 42 lines a quarter second apart take ten times the 1 s timeout: the server must close first.
  const { text, sentAll } = await raw(url, drip, 250)
  t.notOk(sentAll, 'the server closed the socket before the client finished dripping')
  if (text !== '') t.same(bodyOf(text), apiError(408, 'request_timeout', 'the request took too long to arrive'))
  const ok = await fetch(`${url}/api/me`, { headers: bearer(W.jane.key) })
  t.equal(ok.status, 200, 'the server still serves others')
})

t.test('a client that stalls while sending its body is cut off', async (t) => {
  const app = await build(t, { config: { requestTimeoutMs: 1000 } })
  const url = await listen(app)
  const head = `POST ${usersUrl} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${W.acme.key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`
  const { sentAll } = await raw(url, [head, '{"email":', ...Array.from({ length: 20 }, () => ' ')], 300)
  t.notOk(sentAll, 'the server closed the socket before the client finished its body')
})
