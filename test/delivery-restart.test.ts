// Pending deliveries live in SQLite: with a file database they survive a restart and are resumed.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { verifySignature } from '../src/core/signature.js'
import { W, bearer, call, until } from './helper.js'
import { receiver } from './support/receiver.js'

t.test(
  'a delivery waiting for its retry, and one never attempted, are sent after a restart on the same file',
  async (t) => {
    const database = join(mkdtempSync(join(tmpdir(), 'pm-deliveries-')), 'world.db')
    let up = false
    const hooks = await receiver(t, () => (up ? { status: 200 } : { status: 503 }))

    const first = await buildApp({ config: { database, webhookRetryBaseMs: 3_600_000, validateResponses: true } })
    await call(first, 'POST', '/api/webhooks', bearer(W.jane.key), { endpoint: hooks.url, secret: 'persisted' })
    const retried = first.control.emitEvent({ organization_id: W.org.id, type: 'bulk_sync.failed' })
    await until('the first attempt to be recorded', () => first.control.deliveries().length === 1)
    t.match(first.control.deliveries()[0], { outcome: 'retrying', status: 503 })
    // Emitted and closed in the same turn: the worker never got to it.
    const unsent = first.control.emitEvent({ organization_id: W.org.id, type: 'bulk_sync.completed' })
    await first.close()
    t.equal(hooks.received.length, 1, 'only the first attempt went out before the restart')

    up = true
    const second = await buildApp({ config: { database, webhookRetryBaseMs: 3_600_000, validateResponses: true } })
    t.teardown(() => second.close())
    await hooks.waitFor(2)
    await until(
      'the attempt to finish',
      async () => (await second.control.settleDeliveries({ timeout_ms: 0 })).in_flight === 0
    )
    t.equal(
      hooks.received[1]?.body.type,
      'bulk_sync.completed',
      'the unsent delivery goes out at start, without waiting'
    )
    t.match(
      await second.control.settleDeliveries({ timeout_ms: 0 }),
      { settled: false, pending: 1 },
      'the retry keeps its due time across the restart'
    )
    t.match(await second.control.settleDeliveries({ timeout_ms: 60_000, fast_forward: true }), { settled: true })
    t.same(
      hooks.received.map((r) => r.body.type),
      ['bulk_sync.failed', 'bulk_sync.completed', 'bulk_sync.failed']
    )
    for (const got of hooks.received) t.ok(verifySignature(got.raw, got.headers['polytomic-signature'], 'persisted'))
    t.same(
      second.control.deliveries({ event_id: retried.id }).map((a) => [a.attempt, a.outcome]),
      [[2, 'delivered']],
      'the attempt count carried over'
    )
    t.same(
      second.control.deliveries({ event_id: unsent.id }).map((a) => [a.attempt, a.outcome]),
      [[1, 'delivered']]
    )
  }
)

t.test(
  'a stored webhook on a host WEBHOOK_ALLOWED_HOSTS no longer allows is not called: the attempt fails, and says why',
  async (t) => {
    const database = join(mkdtempSync(join(tmpdir(), 'pm-allowed-')), 'world.db')
    const hooks = await receiver(t)
    const first = await buildApp({ config: { database } })
    await call(first, 'POST', '/api/webhooks', bearer(W.jane.key), { endpoint: hooks.url, secret: 's' })
    await first.close()

    const second = await buildApp({ config: { database, webhookAllowedHosts: ['hooks.example.com'] } })
    t.teardown(() => second.close())
    const event = second.control.emitEvent({ organization_id: W.org.id, type: 'sync.running' })
    t.match(await second.control.settleDeliveries({ timeout_ms: 60_000 }), { settled: true })
    t.same(
      second.control.deliveries({ event_id: event.id }).map((a) => [a.attempt, a.outcome, a.error]),
      [[1, 'failed', 'host 127.0.0.1 is not in WEBHOOK_ALLOWED_HOSTS']],
      'given up at once, not retried'
    )
    t.equal(hooks.received.length, 0)
  }
)
