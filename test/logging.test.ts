import { Writable } from 'node:stream'
import t from 'tap'
import { REDACTED_PATHS, lineBatcher } from '../src/core/logging.js'
import { SECRET_FIELDS } from '../src/core/secrets.js'
import { W, basic, bearer, build, call } from './helper.js'

t.test(
  'one JSON log line per request, with method, path, status, duration, version and caller; no secrets',
  async (t) => {
    const lines: string[] = []
    const stream = new Writable({
      write (chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      }
    })
    const app = await build(t, {
      logger: { level: 'info', stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
    })
    await call(app, 'GET', `/api/organizations/${W.org.id}/users/${W.jane.id}?x=1`, {
      ...bearer(W.acme.key),
      'x-polytomic-version': '2024-02-08'
    })
    await call(app, 'POST', '/api/organizations', bearer(W.acme.key), {
      name: 'Logged',
      client_secret: 'top-secret-value'
    })
    await call(app, 'GET', '/api/me', basic(W.org.id, W.deploymentKey))
    await call(app, 'GET', '/api/me', bearer('wrong-key-secret'))
    const minted = await call(app, 'POST', `/api/organizations/${W.org.id}/users/${W.jane.id}/keys`, bearer(W.acme.key))
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => r.msg === 'request')
    t.equal(records.length, 5, 'one line per request')
    t.match(records[0], {
      level: 30,
      method: 'GET',
      path: `/api/organizations/${W.org.id}/users/${W.jane.id}`,
      status: 200,
      duration_ms: Number,
      version: '2024-02-08',
      caller: 'partner',
      reqId: String
    })
    t.match(records[2], { caller: 'deployment', status: 200 })
    t.match(records[3], { caller: null, status: 401 })
    const all = lines.join('\n')
    const value = (minted.body as { data: { value: string } }).data.value
    for (const secret of [W.acme.key, W.deploymentKey, 'top-secret-value', 'wrong-key-secret', value]) {
      t.notOk(all.includes(secret), `${secret.slice(0, 8)}… is not logged`)
    }
  }
)

t.test('redaction censors every secret field of the one list (src/core/secrets.ts), and nothing else', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  const app = await build(t, {
    logger: { level: 'info', stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
  })
  const secrets: string[] = []
  for (const field of SECRET_FIELDS) {
    const secret = `s3cret-${field}`
    secrets.push(secret)
    const [parent, name] = field.includes('.') ? (field.split('.') as [string, string]) : [null, field]
    const holder =
      parent === null
        ? { [name]: secret }
        : { [parent]: parent.endsWith('s') ? [{ [name]: secret }] : { [name]: secret } }
    app.log.info({ body: holder }, `probe ${field}`)
  }
  app.log.info({ err: { key: 'user_not_found', status: 404 }, data: { id: 'x' } }, 'not a secret')
  const all = lines.join('\n')
  for (const secret of secrets) t.notOk(all.includes(secret), `${secret} is not logged`)
  t.equal(
    lines.filter((l) => l.includes('[redacted]')).length,
    SECRET_FIELDS.length,
    'each probe line shows the field, redacted'
  )
  const plain = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'not a secret')
  t.same(plain?.err, { key: 'user_not_found', status: 404 }, 'an error key is not a secret')
})

t.test(
  'one log line per webhook delivery attempt: event, endpoint, outcome; never the body, secret or signature',
  async (t) => {
    const lines: string[] = []
    const stream = new Writable({
      write (chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      }
    })
    const app = await build(t, {
      logger: { level: 'trace', stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      config: { webhookRetryBaseMs: 1 }
    })
    await call(app, 'POST', '/api/webhooks', bearer(W.jane.key), {
      endpoint: 'http://127.0.0.1:1/nothing',
      secret: 'whsec-never-logged'
    })
    const event = app.control.emitEvent({
      organization_id: W.org.id,
      type: 'sync.failed',
      event: { error: 'payload-never-logged' }
    })
    await app.control.settleDeliveries({ timeout_ms: 60_000 })
    const records = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((r) => r.msg === 'webhook delivery')
    t.equal(records.length, 6, 'one line per attempt')
    t.match(records[0], {
      level: 30,
      delivery: {
        event_id: event.id,
        event_type: 'sync.failed',
        organization_id: W.org.id,
        endpoint: 'http://127.0.0.1:1/nothing',
        attempt: 1,
        outcome: 'retrying',
        error: 'ECONNREFUSED'
      }
    })
    t.match(records[5], { delivery: { attempt: 6, outcome: 'failed' } })
    const signature = app.control.deliveries()[0]?.signature as string
    for (const secret of ['whsec-never-logged', 'payload-never-logged', signature]) {
      t.notOk(lines.join('\n').includes(secret), `${secret.slice(0, 12)}… is not logged`)
    }
  }
)

t.test('log lines of one event-loop turn reach stdout in one write at its end, none later', async (t) => {
  const writes: string[] = []
  const sink = lineBatcher({
    write: (text) => {
      writes.push(text)
    }
  })
  sink.write('{"a":1}\n')
  sink.write('{"b":2}\n')
  t.same(writes, [], 'nothing written mid-turn')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(writes, ['{"a":1}\n{"b":2}\n'], 'one write for the turn')
  sink.write('{"c":3}\n')
  sink.flush()
  t.same(writes, ['{"a":1}\n{"b":2}\n', '{"c":3}\n'], 'flush writes what is pending at once (as at exit)')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(writes.length, 2, 'and nothing twice')
})

t.test('pino-pretty is optional: pretty on a terminal when it is installed, JSON lines otherwise', async (t) => {
  const { loggerOptions, prettyInstalled } = await import('../src/core/logging.js')
  t.equal(prettyInstalled(), true, 'installed here, as a devDependency')
  t.equal(
    prettyInstalled(() => {
      throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' })
    }),
    false
  )
  t.match(loggerOptions('info', true), { transport: { target: 'pino-pretty' } }, 'a terminal, pino-pretty installed')
  const plain = loggerOptions('info', true, false) as { transport?: unknown; stream?: unknown }
  t.equal(plain.transport, undefined, 'a terminal without pino-pretty')
  t.ok(plain.stream !== undefined, 'gets the JSON line writer')
  t.equal((loggerOptions('info', false) as { transport?: unknown }).transport, undefined, 'no terminal: JSON lines')
})
