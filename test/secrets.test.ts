// Every place a secret could leak through the journal, the logs, the delivery log and redacted
// exports, each redacted by the one secrets module (src/core/secrets.ts).
import { Writable } from 'node:stream'
import t from 'tap'
import { REDACTED_PATHS } from '../src/core/logging.js'
import { W, bearer, build, call } from './helper.js'

const JANE = bearer(W.jane.key)

async function journalText (app: Awaited<ReturnType<typeof build>>): Promise<string> {
  return JSON.stringify((await call(app, 'GET', '/__admin/requests')).body)
}

t.test(
  "a Connect session's token is in neither the journal (its redirect_url included) nor the page's log line",
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
    const res = await call(app, 'POST', '/api/connections/connect', JANE, {
      name: 'Via Connect',
      type: 'postgresql',
      redirect_url: 'https://partner.example.com/done'
    })
    const { token, redirect_url: redirectUrl } = (res.body as { data: { token: string; redirect_url: string } }).data
    t.ok(redirectUrl.endsWith(token), 'the page URL carries the token')
    await app.inject({ method: 'GET', url: `/connect/${token}` })
    const journal = await journalText(app)
    t.notOk(journal.includes(token), 'not in the journal')
    t.match(journal, /\/connect\/\[redacted\]/, 'the page URL is there, its token replaced')
    t.notOk(lines.join('\n').includes(token), 'not in a log line')
    t.ok(
      lines.some((line) => line.includes('"path":"/connect/[redacted]"')),
      "the page's request line has its path without the token"
    )
  }
)

t.test(
  'a secret field whose name is written with escapes is redacted, whole or cut at JOURNAL_BODY_BYTES',
  async (t) => {
    for (const journalBodyBytes of [65536, 64]) {
      const app = await build(t, { config: { journalBodyBytes } })
      const body = `{"name":"Escaped","secr\\u0065t":"escaped-secret-value-${'x'.repeat(80)}","client_s\\u0065cret":"other-secret-value"}`
      await call(app, 'POST', '/api/organizations', bearer(W.acme.key), body)
      const journal = await journalText(app)
      t.notOk(journal.includes('escaped-secret-value'), `not kept with JOURNAL_BODY_BYTES=${journalBodyBytes}`)
      t.notOk(journal.includes('other-secret-value'), `nor the second, with JOURNAL_BODY_BYTES=${journalBodyBytes}`)
    }
  }
)

t.test(
  'query parameters and secret headers (Proxy-Authorization, Cookie, X-Api-Key) are redacted; Authorization stays a fingerprint',
  async (t) => {
    const app = await build(t)
    await call(app, 'GET', '/api/me?password=query-secret-value&token=query-token-value&name=plain', {
      ...JANE,
      'proxy-authorization': 'Basic proxy-secret-value',
      cookie: 'session=cookie-secret-value',
      'x-api-key': 'header-key-secret-value'
    })
    const [entry] = (await call(app, 'GET', '/__admin/requests')).body as Array<{
      query: Record<string, string>
      headers: Record<string, string>
    }>
    t.same(entry?.query, { password: '[redacted]', token: '[redacted]', name: 'plain' })
    t.match(entry?.headers, {
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      authorization: /^Bearer user sha256:[0-9a-f]{8}$/
    })
    const text = JSON.stringify(entry)
    for (const secret of [
      'query-secret-value',
      'query-token-value',
      'proxy-secret-value',
      'cookie-secret-value',
      'header-key-secret-value',
      W.jane.key
    ]) {
      t.notOk(text.includes(secret), secret)
    }
  }
)

t.test("the secret fields of parameter_values' parameters are redacted like a configuration's", async (t) => {
  const app = await build(t)
  await call(app, 'POST', '/api/connection_types/s3/parameter_values', JANE, {
    field: 'aws_region',
    parameters: { aws_access_key_id: 'AKIA', aws_secret_access_key: 'aws-secret-value' }
  })
  await call(app, 'POST', '/api/connection_types/api/parameter_values', JANE, {
    field: 'auth_method',
    parameters: { url: 'https://x.example.com', header_name: 'X-Key', header_value: 'header-value-secret' }
  })
  const journal = await journalText(app)
  t.notOk(journal.includes('aws-secret-value'))
  t.notOk(journal.includes('header-value-secret'))
  t.match(journal, /"aws_secret_access_key":"\[redacted\]"/)
})

t.test(
  'credentials in a webhook URL are in no log line, journal entry, delivery attempt or redacted export',
  async (t) => {
    const lines: string[] = []
    const stream = new Writable({
      write (chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      }
    })
    const app = await build(t, {
      logger: { level: 'info', stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      config: { webhookRetryBaseMs: 1 }
    })
    const endpoint = 'http://hook-user:hook-pass-secret@127.0.0.1:1/hooks?token=hook-query-secret'
    t.equal((await call(app, 'POST', '/api/webhooks', JANE, { endpoint, secret: 'whsec' })).status, 200)
    app.control.emitEvent({ organization_id: W.org.id, type: 'sync.failed', event: {} })
    await app.control.settleDeliveries({ timeout_ms: 60_000, fast_forward: true })
    const deliveries = JSON.stringify((await call(app, 'GET', '/__admin/deliveries')).body)
    const exported = JSON.stringify((await call(app, 'GET', '/__admin/fixtures?redact=true')).body)
    const places = { log: lines.join('\n'), journal: await journalText(app), deliveries, exported }
    for (const [place, text] of Object.entries(places)) {
      for (const secret of ['hook-user', 'hook-pass-secret', 'hook-query-secret']) {
        t.notOk(text.includes(secret), `${secret} is not in the ${place}`)
      }
    }
    t.match(
      deliveries,
      /"endpoint":"http:\/\/\[redacted\]@127\.0\.0\.1:1\/hooks\?token=\[redacted\]"/,
      'the endpoint is still recognisable'
    )
    const plain = JSON.stringify((await call(app, 'GET', '/__admin/fixtures')).body)
    t.ok(plain.includes(endpoint), 'the default export keeps what a reload needs')
  }
)
