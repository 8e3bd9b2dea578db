// The official SDK (1.18.1) over a real socket: client.webhooks.* and client.events.*, with the
// webhook pointed at a loopback receiver that checks each delivery's signature independently.
import { createHmac } from 'node:crypto'
import t from 'tap'
import { PolytomicClient } from 'polytomic'
import { W, build, listen } from './helper.js'
import { receiver } from './support/receiver.js'

const once = { maxRetries: 0 }
/** The status an SDK call failed with (undefined when it succeeded). */
const statusOf = async (call: Promise<unknown>): Promise<number | undefined> =>
  call.then(
    () => undefined,
    (err: { statusCode?: number }) => err.statusCode
  )

t.test(
  "a partner sets up a customer's webhook with the SDK, receives signed events, pages the log and manages the webhook",
  async (t) => {
    const app = await build(t, { config: { webhookRetryBaseMs: 2 } })
    const environment = await listen(app)
    const partner = new PolytomicClient({ environment, token: W.globex.key })
    const hooks = await receiver(t)

    const types = await partner.events.getTypes(once)
    t.equal(types.data?.length, 10)
    t.ok(types.data?.includes('bulk_sync.completed_with_error'))

    const created = await partner.webhooks.create(
      { endpoint: hooks.url, secret: 'sdk-secret', organization_id: W.globex.customerOrgId },
      once
    )
    const id = created.data?.id as string
    t.match(created.data, {
      organization_id: W.globex.customerOrgId,
      endpoint: hooks.url,
      secret: 'sdk-secret',
      disabled: false
    })
    t.equal(
      await statusOf(
        partner.webhooks.create({ endpoint: hooks.url, secret: 'again', organization_id: W.globex.customerOrgId }, once)
      ),
      409,
      'one per organization'
    )
    t.equal(await statusOf(partner.webhooks.create({ endpoint: 'not a url', secret: 's' }, once)), 422)

    const emitted = []
    for (const type of ['bulk_sync.running', 'bulk_sync.completed', 'sync.failed'] as const) {
      emitted.push(
        app.control.emitEvent({
          organization_id: W.globex.customerOrgId,
          type,
          event: { sync_name: `via SDK ${type}` }
        })
      )
    }
    t.match(await app.control.settleDeliveries({ timeout_ms: 60_000 }), { settled: true })
    t.same(
      hooks.received.map((r) => r.body.type),
      ['bulk_sync.running', 'bulk_sync.completed', 'sync.failed'],
      'in order: one at a time per webhook'
    )
    for (const got of hooks.received) {
      t.equal(got.headers['polytomic-signature'], createHmac('sha256', 'sdk-secret').update(got.raw).digest('hex'))
    }

    const all = await partner.events.list({ organization_id: W.globex.customerOrgId, limit: 100 }, once)
    t.same(
      all.data?.map((e) => e.id),
      emitted.map((e) => e.id).reverse(),
      'newest first'
    )
    t.match(all.data?.[0], {
      type: 'sync.failed',
      organization_id: W.globex.customerOrgId,
      event: { sync_name: 'via SDK sync.failed' }
    })
    const second = emitted[1] as { created_at: string }
    const older = await partner.events.list(
      { organization_id: W.globex.customerOrgId, ending_before: new Date(second.created_at) as unknown as string },
      once
    )
    t.same(
      older.data?.map((e) => e.type),
      ['bulk_sync.running'],
      "a Date bound, as the SDK's example passes it"
    )
    const newer = await partner.events.list(
      { organization_id: W.globex.customerOrgId, starting_after: second.created_at, type: 'sync.failed' },
      once
    )
    t.same(
      newer.data?.map((e) => e.type),
      ['sync.failed']
    )
    t.equal(await statusOf(partner.events.list({ limit: 1000 }, once)), 422)

    t.same(
      (await partner.webhooks.list(once)).data?.map((w) => w.id),
      [id]
    )
    t.match((await partner.webhooks.get(id, once)).data, { id, endpoint: hooks.url })
    t.match((await partner.webhooks.update(id, { endpoint: `${hooks.url}?v=2`, secret: 'rotated' }, once)).data, {
      endpoint: `${hooks.url}?v=2`,
      secret: 'rotated'
    })
    t.match((await partner.webhooks.disable(id, once)).data, { disabled: true })
    app.control.emitEvent({ organization_id: W.globex.customerOrgId, type: 'sync.running' })
    t.match((await partner.webhooks.enable(id, once)).data, { disabled: false })
    app.control.emitEvent({ organization_id: W.globex.customerOrgId, type: 'sync.completed' })
    await app.control.settleDeliveries({ timeout_ms: 60_000 })
    t.same(
      hooks.received.slice(3).map((r) => [r.url, r.body.type]),
      [['/hooks/polytomic?v=2', 'sync.completed']],
      'nothing while disabled; the new endpoint after'
    )

    await partner.webhooks.remove(id, once)
    t.equal(await statusOf(partner.webhooks.get(id, once)), 404)
    const outsider = new PolytomicClient({ environment, token: W.acme.key })
    t.equal(
      await statusOf(outsider.events.list({ organization_id: W.globex.customerOrgId }, once)),
      404,
      'another partner cannot read the log'
    )
  }
)
