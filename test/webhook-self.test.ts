// A webhook must never reach the simulator itself: refused when set, and again when delivered.
import http from 'node:http'
import { hostname } from 'node:os'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { W, bearer, build, call, listen } from './helper.js'

const JANE = bearer(W.jane.key)

t.test(
  'an endpoint on the port the simulator listens on, at any name of this machine, is refused with 422 naming endpoint',
  async (t) => {
    const app = await build(t, {
      config: {
        webhookAllowedHosts: [
          '127.0.0.1',
          'localhost',
          '[::1]',
          '[::ffff:7f00:1]',
          '0.0.0.0',
          '127.1.2.3',
          'a.localhost'
        ]
      }
    })
    const url = await listen(app)
    const port = new URL(url).port
    for (const host of [
      '127.0.0.1',
      'localhost',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '0.0.0.0',
      '127.1.2.3',
      'a.localhost'
    ]) {
      for (const path of ['/__admin/reset', '/api/me', '/']) {
        const res = await call(app, 'POST', '/api/webhooks', JANE, {
          endpoint: `http://${host}:${port}${path}`,
          secret: 's3cret'
        })
        t.equal(res.status, 422, `${host}${path}`)
        t.match(res.body, {
          key: 'validation_failed',
          metadata: { field: 'endpoint', problem: /points at this simulator itself/ }
        })
      }
    }
    t.equal(
      (await call(app, 'POST', '/api/webhooks', JANE, { endpoint: 'http://127.0.0.1:1/hooks', secret: 's3cret' }))
        .status,
      200,
      'another port on loopback is a receiver'
    )
    const [webhook] = ((await call(app, 'GET', '/api/webhooks', JANE)).body as { data: Array<{ id: string }> }).data
    const update = await call(app, 'PUT', `/api/webhooks/${webhook?.id ?? ''}`, JANE, {
      endpoint: `http://localhost:${port}/__admin/reset`,
      secret: 's3cret'
    })
    t.equal(update.status, 422, 'an update is checked alike')
  }
)

t.test(
  'a webhook that came to point at the simulator (its port was free when it was set) is refused at delivery, and the control plane is untouched',
  async (t) => {
    const app = await build(t, { config: { webhookRetryBaseMs: 2 } })
    // Take a free port, set the webhook to it while the simulator does not listen, then listen there.
    const placeholder = http.createServer()
    await new Promise<void>((resolve) => placeholder.listen(0, '127.0.0.1', resolve))
    const { port } = placeholder.address() as AddressInfo
    const created = await call(app, 'POST', '/api/webhooks', JANE, {
      endpoint: `http://127.0.0.1:${port}/__admin/reset`,
      secret: 's3cret'
    })
    t.equal(created.status, 200)
    await new Promise<void>((resolve) => placeholder.close(() => resolve()))
    await app.listen({ port, host: '127.0.0.1' })
    await call(app, 'POST', '/__admin/snapshots', {}, { name: 'marker' })
    const role = await call(app, 'POST', '/api/permissions/roles', JANE, { name: 'Made after start' })
    t.equal(role.status, 200)
    app.control.emitEvent({ organization_id: W.org.id, type: 'sync.failed', event: {} })
    t.match(await app.control.settleDeliveries({ timeout_ms: 60_000 }), { settled: true })
    const [attempt, ...rest] = app.control.deliveries()
    t.same(rest, [], 'one attempt, not retried')
    t.match(attempt, {
      outcome: 'failed',
      status: null,
      signature: null,
      error: /^refused: the endpoint points at this simulator itself/
    })
    const roleId = (role.body as { data: { id: string } }).data.id
    t.equal((await call(app, 'GET', `/api/permissions/roles/${roleId}`, JANE)).status, 200, 'nothing was reset')
  }
)

t.test('a host name that resolves to this machine is refused at delivery too', async (t) => {
  const app = await build(t, { config: { webhookRetryBaseMs: 2 } })
  const placeholder = http.createServer()
  await new Promise<void>((resolve) => placeholder.listen(0, '127.0.0.1', resolve))
  const { port } = placeholder.address() as AddressInfo
  // The machine's own name: not an address, so only the delivery's lookup can see where it leads.
  const name = hostname()
  const created = await call(app, 'POST', '/api/webhooks', JANE, {
    endpoint: `http://${name}:${port}/__admin/reset`,
    secret: 's3cret'
  })
  t.equal(created.status, 200)
  await new Promise<void>((resolve) => placeholder.close(() => resolve()))
  await app.listen({ port, host: '127.0.0.1' })
  app.control.emitEvent({ organization_id: W.org.id, type: 'sync.failed', event: {} })
  t.match(await app.control.settleDeliveries({ timeout_ms: 60_000 }), { settled: true })
  const attempts = app.control.deliveries()
  t.equal(attempts.length, 1, 'one attempt, not retried')
  t.match(attempts[0], { outcome: 'failed', error: /^refused: .* resolves to this machine/ })
})
