// Webhook deliveries to real receivers on loopback: signature, body, retries with backoff, the
// bounds (redirects, timeouts, answers), settle, delivery faults, and what cancels a delivery.
// Every wait is on a signal (settle, a received request), never on the clock.
import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { verifySignature } from '../src/index.js'
import { W, bearer, build, call, until } from './helper.js'
import { receiver, type Receiver } from './support/receiver.js'
import type { AppOptions } from '../src/http/app.js'

const JANE = bearer(W.jane.key)
const SECRET = 'whsec-test-secret'

/** An app whose retries wait milliseconds, with My Organization's webhook pointed at `target`. */
async function withWebhook (
  t: Test,
  target: string,
  config: AppOptions['config'] = {}
): Promise<{ app: FastifyInstance; webhookId: string }> {
  const app = await build(t, { config: { webhookRetryBaseMs: 2, ...config } })
  const created = await call(app, 'POST', '/api/webhooks', JANE, { endpoint: target, secret: SECRET })
  if (created.status !== 200) throw new Error(`webhook: ${JSON.stringify(created.body)}`)
  return { app, webhookId: (created.body as { data: { id: string } }).data.id }
}

function emit (
  app: FastifyInstance,
  type = 'sync.failed',
  organizationId: string = W.org.id,
  event: Record<string, unknown> = {}
): { id: string } {
  return app.control.emitEvent({ organization_id: organizationId, type: type as 'sync.failed', event })
}

async function settled (t: Test, app: FastifyInstance, options: { fast_forward?: boolean } = {}): Promise<void> {
  const result = await app.control.settleDeliveries({ timeout_ms: 60_000, ...options })
  t.match(result, { settled: true, pending: 0 }, 'settled')
}

t.test('each event is POSTed as {type, event}, signed with HMAC-SHA256 of the raw body in hex', async (t) => {
  const hooks = await receiver(t)
  const { app, webhookId } = await withWebhook(t, hooks.url)
  const event = emit(app, 'bulk_sync.completed', W.org.id, { sync_name: 'Warehouse → CRM' })
  await settled(t, app)
  t.equal(hooks.received.length, 1)
  const got = hooks.received[0] as Receiver['received'][number]
  t.equal(got.method, 'POST')
  t.equal(got.url, '/hooks/polytomic')
  t.equal(got.headers['content-type'], 'application/json')
  t.match(got.headers['user-agent'], /^polytomic-mock\/\d+\.\d+\.\d+/)
  const listed = (
    (await call(app, 'GET', '/api/events', JANE)).body as { data: Array<{ id: string; type: string; event: unknown }> }
  ).data[0]
  t.same(
    got.body,
    { type: 'bulk_sync.completed', event: listed?.event },
    "the body is the type and the event's payload"
  )
  t.equal(listed?.id, event.id)
  const expected = createHmac('sha256', SECRET).update(got.raw).digest('hex')
  t.equal(got.headers['polytomic-signature'], expected, 'verified independently with node:crypto over the raw bytes')
  t.ok(verifySignature(got.raw, got.headers['polytomic-signature'], SECRET), 'the shipped helper agrees')
  t.notOk(
    verifySignature(Buffer.concat([got.raw, Buffer.from(' ')]), got.headers['polytomic-signature'], SECRET),
    'a changed body fails'
  )
  t.notOk(verifySignature(got.raw, got.headers['polytomic-signature'], 'another secret'), 'another secret fails')
  t.notOk(verifySignature(got.raw, undefined, SECRET), 'no header fails')
  t.throws(
    () => verifySignature(JSON.parse(got.raw.toString()) as never, got.headers['polytomic-signature'], SECRET),
    { name: 'TypeError', message: /pass the raw body bytes as received .* not a parsed object/ },
    'a parsed body is refused, saying what to pass'
  )
  t.notOk(verifySignature(got.raw, 'zz-not-hex', SECRET), 'a malformed header fails')

  const [attempt, ...rest] = app.control.deliveries()
  t.same(rest, [])
  t.match(attempt, {
    event_id: event.id,
    event_type: 'bulk_sync.completed',
    webhook_id: webhookId,
    organization_id: W.org.id,
    endpoint: hooks.url,
    attempt: 1,
    outcome: 'delivered',
    status: 200,
    error: null,
    signature: expected,
    next_attempt_at: null
  })
  t.type(attempt?.duration_ms, 'number')
})

t.test(
  'WEBHOOK_SIGNATURE_ALGORITHM and _ENCODING change the signature; verifySignature takes the same options',
  async (t) => {
    const hooks = await receiver(t)
    const { app } = await withWebhook(t, hooks.url, {
      webhookSignatureAlgorithm: 'sha512',
      webhookSignatureEncoding: 'base64'
    })
    emit(app)
    await settled(t, app)
    const got = hooks.received[0] as Receiver['received'][number]
    t.equal(got.headers['polytomic-signature'], createHmac('sha512', SECRET).update(got.raw).digest('base64'))
    t.ok(
      verifySignature(got.raw, got.headers['polytomic-signature'], SECRET, { algorithm: 'sha512', encoding: 'base64' })
    )
    t.notOk(verifySignature(got.raw, got.headers['polytomic-signature'], SECRET), 'not with the defaults')
  }
)

t.test(
  'a receiver that fails twice then succeeds: three attempts of the same signed body, backoff doubling',
  async (t) => {
    const hooks = await receiver(t, (n) => (n <= 2 ? { status: 503, body: 'busy' } : { status: 204 }))
    const { app } = await withWebhook(t, hooks.url, { webhookRetryBaseMs: 40 })
    const event = emit(app)
    await settled(t, app)
    t.equal(hooks.received.length, 3)
    t.equal(new Set(hooks.received.map((r) => r.raw.toString())).size, 1, 'the same body each time')
    t.equal(new Set(hooks.received.map((r) => r.headers['polytomic-signature'])).size, 1, 'and the same signature')
    const attempts = app.control.deliveries({ event_id: event.id }).reverse()
    t.same(
      attempts.map((a) => [a.attempt, a.outcome, a.status, a.error]),
      [
        [1, 'retrying', 503, 'answered 503'],
        [2, 'retrying', 503, 'answered 503'],
        [3, 'delivered', 204, null]
      ]
    )
    t.equal(attempts[0]?.response, 'busy', 'the start of the answer is kept')
    const waits = attempts.slice(0, 2).map((a) => Date.parse(a.next_attempt_at as string) - Date.parse(a.time))
    t.ok(
      (waits[0] as number) >= 40 && (waits[1] as number) >= 80,
      `waits of at least 40 and 80 ms (${waits.join(', ')})`
    )
  }
)

t.test('after 5 retries a delivery gives up; connection errors count as failures', async (t) => {
  const hooks = await receiver(t, () => ({ status: 500 }))
  const { app } = await withWebhook(t, hooks.url)
  const event = emit(app)
  await settled(t, app)
  t.equal(hooks.received.length, 6, 'one try and five retries')
  t.same(
    app.control.deliveries({ event_id: event.id }).map((a) => a.outcome),
    ['failed', 'retrying', 'retrying', 'retrying', 'retrying', 'retrying']
  )

  const refused = await withWebhook(t, 'http://127.0.0.1:1/nothing-listens-here')
  const lost = emit(refused.app)
  await settled(t, refused.app)
  const tries = refused.app.control.deliveries({ event_id: lost.id })
  t.equal(tries.length, 6)
  t.match(tries[0], { outcome: 'failed', status: null, error: 'ECONNREFUSED' })
})

t.test('redirects are not followed, a silent receiver times out, a long answer is read only to a bound', async (t) => {
  const elsewhere = await receiver(t)
  const redirecting = await receiver(t, () => ({ status: 307, headers: { location: elsewhere.url } }))
  const { app } = await withWebhook(t, redirecting.url)
  emit(app)
  await settled(t, app)
  t.equal(redirecting.received.length, 6, 'a redirect is a failed attempt')
  t.equal(elsewhere.received.length, 0, 'and its target is never called')

  const silent = await receiver(t, () => 'hang')
  const slow = await withWebhook(t, silent.url, { webhookTimeoutMs: 50, webhookRetryBaseMs: 1 })
  const event = emit(slow.app)
  await settled(t, slow.app)
  t.match(slow.app.control.deliveries({ event_id: event.id })[0], {
    outcome: 'failed',
    status: null,
    error: 'no answer within 50 ms'
  })

  const chatty = await receiver(t, () => ({ status: 200, body: 'x'.repeat(5 * 1024 * 1024) }))
  const big = await withWebhook(t, chatty.url)
  emit(big.app)
  await settled(t, big.app)
  const [attempt] = big.app.control.deliveries()
  t.match(attempt, { outcome: 'delivered', status: 200 })
  t.equal(attempt?.response?.length, 1024, 'at most 1 KiB of the answer is kept')
})

t.test('delivery runs off the request path: API requests answer while a receiver holds a delivery open', async (t) => {
  const silent = await receiver(t, () => 'hang')
  const { app } = await withWebhook(t, silent.url, { webhookTimeoutMs: 60_000 })
  emit(app)
  await silent.waitFor(1)
  const emitted = await call(app, 'POST', '/__admin/events', {}, { organization_id: W.org.id, type: 'sync.running' })
  t.equal(emitted.status, 201, 'emitting another event does not wait')
  t.equal((await call(app, 'GET', '/api/events', JANE)).status, 200, 'nor does the API')
  t.equal(silent.received.length, 1, 'the second delivery waits behind the first: one at a time per webhook')
  t.match(
    await app.control.settleDeliveries({ timeout_ms: 0 }),
    { settled: false, pending: 2 },
    'settle is bounded: it reports what is left'
  )
})

t.test('settle over HTTP and in-process; fast_forward runs waiting retries at once', async (t) => {
  const hooks = await receiver(t, (n) => (n === 1 ? { status: 500 } : { status: 200 }))
  const { app } = await withWebhook(t, hooks.url, { webhookRetryBaseMs: 3_600_000 })
  emit(app)
  const first = await call(app, 'POST', '/__admin/deliveries/settle', {}, { timeout_ms: 0 })
  t.match(first.body, { settled: false })
  await hooks.waitFor(1)
  t.match(
    (await call(app, 'POST', '/__admin/deliveries/settle', {}, { timeout_ms: 50 })).body,
    { settled: false, pending: 1 },
    'a retry an hour away is still pending'
  )
  t.match((await call(app, 'POST', '/__admin/deliveries/settle', {}, { fast_forward: true })).body, {
    settled: true,
    pending: 0,
    attempts: 1
  })
  t.equal(hooks.received.length, 2)
  t.match(
    (await call(app, 'POST', '/__admin/deliveries/settle')).body,
    { settled: true, pending: 0, attempts: 0 },
    'nothing left: settles at once, no body needed'
  )
  t.equal((await call(app, 'POST', '/__admin/deliveries/settle', {}, { timeout_ms: -1 })).status, 422)
})

t.test('a waiting retry does not hold back later events: they overtake it', async (t) => {
  const hooks = await receiver(t, (n) => (n === 1 ? { status: 500 } : { status: 200 }))
  const { app } = await withWebhook(t, hooks.url, { webhookRetryBaseMs: 3_600_000 })
  emit(app, 'sync.running')
  await until('the first attempt to be recorded', () => app.control.deliveries().length === 1)
  emit(app, 'sync.completed')
  await hooks.waitFor(2)
  await settled(t, app, { fast_forward: true })
  t.same(
    hooks.received.map((r) => r.body.type),
    ['sync.running', 'sync.completed', 'sync.running'],
    'the later event went first; the retry came after'
  )
})

t.test('advancing simulated time makes a waiting retry due', async (t) => {
  const hooks = await receiver(t, (n) => (n === 1 ? { status: 500 } : { status: 200 }))
  const { app } = await withWebhook(t, hooks.url, { webhookRetryBaseMs: 3_600_000 })
  emit(app)
  await until('the first attempt to be recorded', () => app.control.deliveries().length === 1)
  app.control.advanceClock(3600)
  await hooks.waitFor(2)
  await settled(t, app)
  t.same(
    app.control.deliveries().map((a) => a.outcome),
    ['delivered', 'retrying']
  )
})

t.test(
  'a disabled webhook gets nothing, and enabling it replays nothing; a deleted one stops its retries',
  async (t) => {
    const hooks = await receiver(t)
    const { app, webhookId } = await withWebhook(t, hooks.url)
    await call(app, 'POST', `/api/webhooks/${webhookId}/disable`, JANE)
    emit(app, 'sync.running')
    await settled(t, app)
    await call(app, 'POST', `/api/webhooks/${webhookId}/enable`, JANE)
    const after = emit(app, 'sync.completed')
    await settled(t, app)
    t.same(
      hooks.received.map((r) => r.body.type),
      ['sync.completed'],
      'only the event after enabling'
    )
    t.equal(app.control.deliveries()[0]?.event_id, after.id)
    t.equal(
      ((await call(app, 'GET', '/api/events', JANE)).body as { data: unknown[] }).data.length,
      2,
      'both are in the log all the same'
    )

    const failing = await receiver(t, () => ({ status: 500 }))
    const other = await withWebhook(t, failing.url, { webhookRetryBaseMs: 3_600_000 })
    emit(other.app)
    await until('the first attempt to be recorded', () => other.app.control.deliveries().length === 1)
    await call(other.app, 'POST', `/api/webhooks/${other.webhookId}/disable`, JANE)
    await settled(t, other.app, { fast_forward: true })
    await call(other.app, 'POST', `/api/webhooks/${other.webhookId}/enable`, JANE)
    await settled(t, other.app, { fast_forward: true })
    t.equal(failing.received.length, 1, 'disabling cancels a waiting retry; enabling does not bring it back')
    emit(other.app)
    await until('the next attempt to be recorded', () => other.app.control.deliveries().length === 2)
    await call(other.app, 'DELETE', `/api/webhooks/${other.webhookId}`, JANE)
    await settled(t, other.app, { fast_forward: true })
    t.equal(failing.received.length, 2, 'no retry after the webhook is deleted')
  }
)

t.test('the endpoint and secret at the time of an attempt are used: a retry follows an update', async (t) => {
  const before = await receiver(t, () => ({ status: 500 }))
  const after = await receiver(t)
  const { app, webhookId } = await withWebhook(t, before.url, { webhookRetryBaseMs: 3_600_000 })
  emit(app)
  await before.waitFor(1)
  await call(app, 'PUT', `/api/webhooks/${webhookId}`, JANE, { endpoint: after.url, secret: 'rotated' })
  await settled(t, app, { fast_forward: true })
  t.equal(after.received.length, 1)
  t.ok(
    verifySignature(after.received[0]?.raw as Buffer, after.received[0]?.headers['polytomic-signature'], 'rotated'),
    'signed with the new secret'
  )
})

t.test(
  'delivery faults: drop, duplicate, delay, reorder; by organization and event type; counted; cleared by reset',
  async (t) => {
    const hooks = await receiver(t)
    const { app } = await withWebhook(t, hooks.url)
    const add = async (rule: Record<string, unknown>): Promise<{ id: string; fired: number }> => {
      const res = await call(app, 'POST', '/__admin/delivery-faults', {}, rule)
      t.equal(res.status, 201, JSON.stringify(rule))
      return res.body as { id: string; fired: number }
    }

    const drop = await add({ action: 'drop', event_type: 'sync.failed', times: 1 })
    const dropped = emit(app, 'sync.failed')
    const kept = emit(app, 'sync.failed')
    await settled(t, app)
    t.same(
      hooks.received.map((r) => r.body.event.execution_id),
      [
        app.control.deliveries({ event_id: kept.id })[0] !== undefined
          ? hooks.received[0]?.body.event.execution_id
          : 'missing'
      ]
    )
    t.match(
      app.control.deliveries({ event_id: dropped.id }),
      [{ outcome: 'dropped', fault: drop.id, signature: null, error: `dropped by delivery fault ${drop.id}` }],
      'a drop is recorded, and nothing is sent'
    )
    t.same((await call(app, 'GET', '/__admin/delivery-faults')).body, [], 'a rule with times: 1 is spent after one')

    hooks.received.length = 0
    await add({ action: 'duplicate', organization_id: W.org.id.toUpperCase() })
    const twice = emit(app, 'sync.running')
    await settled(t, app)
    t.equal(hooks.received.length, 2, 'a duplicate arrives twice')
    t.equal(hooks.received[0]?.raw.toString(), hooks.received[1]?.raw.toString(), 'byte for byte')
    t.equal(app.control.deliveries({ event_id: twice.id }).length, 2)
    t.match((await call(app, 'GET', '/__admin/delivery-faults')).body, [
      { action: 'duplicate', fired: 1, organization_id: W.org.id }
    ])
    await call(app, 'DELETE', '/__admin/delivery-faults')

    hooks.received.length = 0
    await add({ action: 'delay', delay_ms: 3_600_000, event_type: 'bulk_sync.completed' })
    const late = emit(app, 'bulk_sync.completed')
    const prompt = emit(app, 'bulk_sync.running')
    await hooks.waitFor(1)
    await until(
      'the prompt delivery to finish',
      async () => (await app.control.settleDeliveries({ timeout_ms: 0 })).in_flight === 0
    )
    t.match(
      await app.control.settleDeliveries({ timeout_ms: 0 }),
      { settled: false, pending: 1 },
      'the delayed one is still pending after the other went'
    )
    t.same(
      hooks.received.map((r) => r.body.type),
      ['bulk_sync.running']
    )
    await settled(t, app, { fast_forward: true })
    t.same(
      hooks.received.map((r) => r.body.type),
      ['bulk_sync.running', 'bulk_sync.completed'],
      'it arrives in the end'
    )
    t.ok(
      app.control.deliveries({ event_id: late.id })[0]?.fault !== null &&
        app.control.deliveries({ event_id: prompt.id })[0]?.fault === null
    )
    await call(app, 'DELETE', '/__admin/delivery-faults')

    hooks.received.length = 0
    await add({ action: 'reorder', times: 1 })
    const firstEmitted = emit(app, 'sync.running')
    const secondEmitted = emit(app, 'sync.completed')
    await settled(t, app)
    t.same(
      hooks.received.map((r) => r.body.type),
      ['sync.completed', 'sync.running'],
      'the later event overtakes the reordered one'
    )
    t.ok(firstEmitted.id !== secondEmitted.id)

    hooks.received.length = 0
    await add({ action: 'reorder', times: 1 })
    emit(app, 'sync.canceled')
    await settled(t, app)
    t.same(
      hooks.received.map((r) => r.body.type),
      ['sync.canceled'],
      'a reordered delivery with nothing to overtake it is released by settle'
    )

    hooks.received.length = 0
    await add({ action: 'reorder', delay_ms: 5000, times: 1 })
    emit(app, 'sync.completed_with_errors')
    app.control.advanceClock(5)
    await hooks.waitFor(1)
    t.same(
      hooks.received.map((r) => r.body.type),
      ['sync.completed_with_errors'],
      'or when its hold (delay_ms) runs out, without settle'
    )

    await add({ action: 'drop', organization_id: W.acme.ownerOrgId })
    const other = await call(app, 'POST', '/__admin/delivery-faults', {}, { action: 'delay' })
    t.match(other.body, { status: 422, metadata: { field: 'delay_ms' } }, 'delay needs delay_ms')
    t.match((await call(app, 'POST', '/__admin/delivery-faults', {}, { action: 'explode' })).body, {
      status: 422,
      metadata: { field: 'action' }
    })
    t.equal(app.control.deliveryFaults().length, 1, 'the drop rule for Acme stands')
    await call(app, 'POST', '/__admin/reset')
    t.same((await call(app, 'GET', '/__admin/delivery-faults')).body, [], 'reset clears delivery fault rules')
    t.same((await call(app, 'GET', '/__admin/deliveries')).body, [], 'and the delivery log')
    t.equal((await call(app, 'DELETE', '/__admin/delivery-faults/00000000-0000-4000-8000-000000000000')).status, 404)
  }
)

t.test('a probability draws from FAULT_SEED: the same seed drops the same deliveries', async (t) => {
  const pattern = async (): Promise<string[]> => {
    const hooks = await receiver(t)
    const { app } = await withWebhook(t, hooks.url, { faultSeed: 99 })
    app.control.addDeliveryFault({ action: 'drop', probability: 0.5 })
    for (let i = 0; i < 12; i++) emit(app, 'sync.running')
    await settled(t, app)
    return app.control
      .deliveries({ limit: 100 })
      .reverse()
      .map((a) => a.outcome)
  }
  const first = await pattern()
  t.same(await pattern(), first)
  t.ok(first.includes('dropped') && first.includes('delivered'), first.join(','))
})

t.test(
  'GET /__admin/deliveries filters by organization, event and webhook, newest first, bounded by DELIVERY_LOG_SIZE',
  async (t) => {
    const hooks = await receiver(t)
    const { app, webhookId } = await withWebhook(t, hooks.url, { deliveryLogSize: 5 })
    const other = (
      await call(app, 'POST', '/api/webhooks', bearer(W.acme.key), { endpoint: hooks.url, secret: 'acme' })
    ).body as { data: { id: string } }
    const ours = emit(app, 'sync.running')
    const theirs = emit(app, 'sync.running', W.acme.ownerOrgId)
    await settled(t, app)
    t.same(
      (
        (await call(app, 'GET', `/__admin/deliveries?organization_id=${W.acme.ownerOrgId}`)).body as Array<{
          event_id: string
        }>
      ).map((a) => a.event_id),
      [theirs.id]
    )
    t.same(
      ((await call(app, 'GET', `/__admin/deliveries?event_id=${ours.id}`)).body as Array<{ webhook_id: string }>).map(
        (a) => a.webhook_id
      ),
      [webhookId]
    )
    t.same(((await call(app, 'GET', `/__admin/deliveries?webhook_id=${other.data.id}`)).body as unknown[]).length, 1)
    t.ok(
      verifySignature(
        hooks.received.find((r) => r.body.event.organization_id === W.acme.ownerOrgId)?.raw as Buffer,
        hooks.received.find((r) => r.body.event.organization_id === W.acme.ownerOrgId)?.headers['polytomic-signature'],
        'acme'
      ),
      "each organization's own secret"
    )
    for (let i = 0; i < 6; i++) emit(app, 'sync.running')
    await settled(t, app)
    const all = (await call(app, 'GET', '/__admin/deliveries?limit=100')).body as Array<{ id: number }>
    t.equal(all.length, 5, 'the oldest attempts go first')
    t.ok(
      all.every((a, i) => i === 0 || a.id < (all[i - 1] as { id: number }).id),
      'newest first'
    )
    t.equal(((await call(app, 'GET', '/__admin/deliveries?limit=2')).body as unknown[]).length, 2)
    t.equal((await call(app, 'GET', '/__admin/deliveries?limit=x')).status, 422)
  }
)

t.test('reset, snapshot restore, tenant and organization deletion cancel the deliveries they remove', async (t) => {
  const hooks = await receiver(t, () => ({ status: 500 }))
  const { app } = await withWebhook(t, hooks.url, { webhookRetryBaseMs: 3_600_000 })
  const attempted = async (count: number): Promise<void> =>
    until(
      `${count} attempts`,
      () =>
        hooks.received.length >= count && app.control.settleDeliveries({ timeout_ms: 0 }).then((r) => r.in_flight === 0)
    )
  emit(app)
  await attempted(1)
  t.match(await app.control.settleDeliveries({ timeout_ms: 0 }), { pending: 1 })
  app.control.reset()
  t.match(
    await app.control.settleDeliveries({ timeout_ms: 60_000 }),
    { settled: true, pending: 0 },
    'reset: the event and the webhook are gone, so is the delivery'
  )

  await call(app, 'POST', '/api/webhooks', JANE, { endpoint: hooks.url, secret: SECRET })
  app.control.snapshot('with-webhook')
  emit(app)
  await attempted(2)
  app.control.restore('with-webhook')
  t.match(
    await app.control.settleDeliveries({ timeout_ms: 60_000 }),
    { settled: true },
    'restore: the snapshot has no such event'
  )
  const kept = emit(app)
  await attempted(3)
  app.control.snapshot('with-event')
  app.control.restore('with-event')
  t.match(
    await app.control.settleDeliveries({ timeout_ms: 0 }),
    { settled: false, pending: 1 },
    'a snapshot holding the event and the webhook keeps its delivery'
  )
  t.ok(kept.id)

  const tenant = app.control.createTenant()
  await call(app, 'POST', '/api/webhooks', bearer(tenant.partner_key), { endpoint: hooks.url, secret: 'tenant' })
  emit(app, 'sync.running', tenant.organization_id)
  await attempted(4)
  app.control.deleteTenant(tenant.partner_id)
  const customer = (
    (await call(app, 'POST', '/api/organizations', bearer(W.acme.key), { name: 'Short-lived' })).body as {
      data: { id: string }
    }
  ).data.id
  await call(app, 'POST', '/api/webhooks', bearer(W.acme.key), {
    endpoint: hooks.url,
    secret: 'short',
    organization_id: customer
  })
  emit(app, 'sync.running', customer)
  await attempted(5)
  await call(app, 'DELETE', `/api/organizations/${customer}`, bearer(W.acme.key))
  t.match(
    await app.control.settleDeliveries({ timeout_ms: 0 }),
    { pending: 1 },
    "only My Organization's delivery is left"
  )
  await settled(t, app, { fast_forward: true })
  t.same(
    app.control.deliveries({ organization_id: customer }).map((a) => a.attempt),
    [1],
    "the deleted organization's was not retried"
  )
})

t.test('close() stops deliveries: nothing in flight or scheduled is left running', async (t) => {
  const silent = await receiver(t, () => 'hang')
  const { app } = await withWebhook(t, silent.url, { webhookTimeoutMs: 600_000 })
  emit(app)
  await silent.waitFor(1)
  await app.close()
  t.equal(silent.received.length, 1)
  t.pass('close returned while a delivery was in flight')
})
