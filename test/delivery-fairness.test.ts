// One tenant's dead receivers must not hold up another's deliveries, and settle can wait for one tenant.
import t from 'tap'
import { W, bearer, build, call } from './helper.js'
import { receiver } from './support/receiver.js'
import { PER_PARTNER } from '../src/background/dispatcher.js'

t.test(
  "a partner whose 64 receivers never answer holds only its own slots: another partner's first attempt goes out at once",
  async (t) => {
    // Attempts at the dead receivers last far longer than the wait below: only fair turns let the healthy one through.
    const app = await build(t, { config: { webhookTimeoutMs: 600_000, webhookRetryBaseMs: 2 } })
    const dead = await receiver(t, () => 'hang')
    const healthy = await receiver(t)
    const hostile = app.control.createTenant({ name: 'hostile' })
    const partner = bearer(hostile.partner_key)
    const organizations: string[] = []
    for (let i = 0; i < 64; i++) {
      const org = await call(app, 'POST', '/api/organizations', partner, { name: `Dead end ${i}` })
      const id = (org.body as { data: { id: string } }).data.id
      const hook = await call(app, 'POST', '/api/webhooks', partner, {
        organization_id: id,
        endpoint: dead.url,
        secret: 'whsec'
      })
      t.equal(hook.status, 200)
      organizations.push(id)
    }
    for (const id of organizations) app.control.emitEvent({ organization_id: id, type: 'sync.failed', event: {} })
    await dead.waitFor(PER_PARTNER)

    const created = await call(app, 'POST', '/api/webhooks', bearer(W.globex.adminKey), {
      endpoint: healthy.url,
      secret: 'whsec'
    })
    t.equal(created.status, 200)
    app.control.emitEvent({ organization_id: W.globex.customerOrgId, type: 'sync.failed', event: {} })
    await healthy.waitFor(1)
    t.equal(healthy.received.length, 1, 'the healthy receiver got its delivery while the dead ones still hold theirs')
    t.equal(dead.received.length, PER_PARTNER, `the hostile partner has ${PER_PARTNER} attempts under way, no more`)

    const own = await app.control.settleDeliveries({ partner_id: W.globex.partnerId, timeout_ms: 60_000 })
    t.match(
      own,
      { settled: true, pending: 0, in_flight: 0 },
      'a settle scoped to the healthy partner does not wait for the other'
    )
    const byOrganization = await call(
      app,
      'POST',
      '/__admin/deliveries/settle',
      {},
      { organization_id: W.globex.customerOrgId, timeout_ms: 60_000 }
    )
    t.match(byOrganization.body, { settled: true, pending: 0 })
    const theirs = await call(
      app,
      'POST',
      '/__admin/deliveries/settle',
      {},
      { partner_id: hostile.partner_id, timeout_ms: 0 }
    )
    t.match(
      theirs.body,
      { settled: false, pending: 64, in_flight: PER_PARTNER },
      "the hostile partner's own settle sees its backlog"
    )
    const everyone = await app.control.settleDeliveries({ timeout_ms: 0 })
    t.match(everyone, { settled: false, pending: 64 }, 'an unscoped settle waits for everyone')
  }
)
