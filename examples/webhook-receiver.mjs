// A webhook receiver for Polytomic events that verifies each delivery's signature before trusting it.
// It uses node:crypto alone, so it is what your own receiver should do; point a webhook at it:
//
//   PORT=9000 WEBHOOK_SECRET=whsec-1 node examples/webhook-receiver.mjs
//
// Polytomic-Signature is an HMAC of the raw request body keyed with the webhook's secret. The
// simulator sends HMAC-SHA256 in lowercase hex (WEBHOOK_SIGNATURE_ALGORITHM / _ENCODING change it).
// Verify the bytes as received, before parsing: re-serialized JSON would not match.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { Buffer } from 'node:buffer'

const secret = process.env.WEBHOOK_SECRET ?? 'whsec-1'
const port = Number(process.env.PORT ?? 9000)
const MAX_BODY = 1024 * 1024

function verified (raw, header) {
  if (typeof header !== 'string') return false
  const expected = createHmac('sha256', secret).update(raw).digest()
  const given = Buffer.from(header.trim().toLowerCase(), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const seen = new Set()
const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end()
    return
  }
  const chunks = []
  let size = 0
  req.on('data', (chunk) => {
    size += chunk.length
    if (size > MAX_BODY) {
      res.writeHead(413).end()
      req.destroy()
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    const raw = Buffer.concat(chunks)
    if (!verified(raw, req.headers['polytomic-signature'])) {
      process.stdout.write(`rejected: bad signature (${raw.length} bytes)\n`)
      res.writeHead(401).end()
      return
    }
    const { type, event } = JSON.parse(raw.toString('utf8'))
    // Deliveries may repeat and arrive out of order: handle each execution's state once, by id.
    const key = `${type}:${event.execution_id}`
    const duplicate = seen.has(key)
    seen.add(key)
    process.stdout.write(
      `verified: ${type} sync=${event.sync_name} execution=${event.execution_id}${duplicate ? ' (duplicate, ignored)' : ''}\n`
    )
    res.writeHead(204).end()
  })
})

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)))
