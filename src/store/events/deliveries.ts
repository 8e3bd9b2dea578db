import type { Statement } from 'better-sqlite3'
import type { DeliveryFaultRule } from '../../control/delivery-faults.js'
import type { Db } from '../db.js'
import { newId } from '../ids.js'

/** A pending delivery as the dispatcher takes it: the queued body and the webhook's current endpoint and secret. */
export interface DueDelivery {
  id: string
  event_id: string
  event_type: string
  organization_id: string
  webhook_id: string
  endpoint: string
  secret: string
  body: string
  /** Attempts made so far. */
  attempts: number
  fault_id: string | null
  fault_action: string | null
  /** The partner of the delivery's organization ('' for a deployment's): deliveries take turns by it. */
  partner: string
  /** 1 for the partner's oldest due delivery, 2 for its next, ... */
  turn: number
}

/** A live delivery still to go, as an unsettled settle reports it. */
export interface WaitingRow
  extends Pick<DueDelivery, 'id' | 'event_id' | 'event_type' | 'organization_id' | 'webhook_id' | 'endpoint'> {
  attempts: number
  due_ms: number
  held: number
}

/** Whose deliveries settle waits for: one organization's, one partner's, or (neither) everyone's. */
export interface DeliveryScope {
  organizationId?: string | null
  partnerId?: string | null
}

/** A scope's filter over `deliveries d`, for statements that take @organization and @partner. */
const IN_SCOPE = `(@organization IS NULL OR d.organization_id = @organization)
  AND (@partner IS NULL OR EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id AND o.partner_id =
    @partner))`

function scopeParams (scope: DeliveryScope): { organization: string | null; partner: string | null } {
  return { organization: scope.organizationId?.toLowerCase() ?? null, partner: scope.partnerId?.toLowerCase() ?? null }
}

/** How long a reordered delivery is held back for a later one when its rule gives no delay_ms. */
export const DEFAULT_HOLD_MS = 60_000

/** A live delivery: its event and webhook still exist, and the webhook is enabled. */
const LIVE = `EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id)
  AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.disabled = 0)`

/**
 * The queue of pending webhook deliveries, in SQLite so that with a file database it survives a
 * restart. A row lives until its delivery succeeds, gives up or is dropped; a row whose event or
 * webhook is gone (reset, snapshot restore, deleted organization or tenant) or whose webhook is
 * disabled is cancelled by sweep(). Times are simulated (src/control/clock.ts).
 */
export class DeliveryQueue {
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly dueRows: Statement<[{ now: number; busy: string; turns: number }], DueDelivery>
  private readonly earliest: Statement<[string], { due: number | null }>
  private readonly removeDead: Statement<[]>
  private readonly countLive: Statement<
    [{ organization: string | null; partner: string | null }],
    { pending: number; held: number }
  >

  private readonly waitingRows: Statement<
    [{ organization: string | null; partner: string | null; limit: number }],
    WaitingRow
  >

  private readonly reschedule: Statement<[number, number, string]>
  private readonly removeOne: Statement<[string]>
  private readonly forward: Statement<[{ now: number; organization: string | null; partner: string | null }]>
  private readonly releaseFor: Statement<[number, string]>
  private readonly releaseEvery: Statement<[{ now: number; organization: string | null; partner: string | null }]>

  private readonly dropOldest: Statement<[{ webhook: string; keep: number }]>

  /**
   * `perWebhook`: deliveries a webhook may have waiting (WEBHOOK_QUEUE_MAX); past it the oldest waiting are
   * dropped.
   */
  constructor (
    db: Db,
    private readonly perWebhook: number
  ) {
    this.dropOldest =
      db.prepare(`DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries WHERE webhook_id = @webhook
      ORDER BY seq DESC LIMIT -1 OFFSET @keep)`)
    this.insert =
      db.prepare(`INSERT INTO deliveries (id, event_id, webhook_id, organization_id, event_type, body, due_ms,
        held, fault_id, fault_action)
      VALUES (@id, @event_id, @webhook_id, @organization_id, @event_type, @body, @due_ms, @held, @fault_id,
        @fault_action)`)
    // Due now, one per webhook at a time (its oldest first), none for a webhook already being called;
    // partners take turns: every partner's first, then every partner's second, and so on up to @turns.
    this.dueRows = db.prepare(`WITH due AS (
        SELECT d.id, d.event_id, d.event_type, d.organization_id, d.webhook_id, w.endpoint, w.secret, d.body,
          d.attempts, d.fault_id, d.fault_action,
          coalesce((SELECT o.partner_id FROM organizations o WHERE o.id = d.organization_id), '') AS partner,
            d.due_ms, d.seq
        FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.due_ms <= @now AND w.disabled = 0 AND d.webhook_id NOT IN (SELECT value FROM json_each(@busy))
          AND EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id)
          AND d.seq = (SELECT min(d2.seq) FROM deliveries d2 WHERE d2.webhook_id = d.webhook_id AND d2.due_ms <= @now)
      ), ranked AS (SELECT *, row_number() OVER (PARTITION BY partner ORDER BY due_ms, seq) AS turn FROM due)
      SELECT id, event_id, event_type, organization_id, webhook_id, endpoint, secret, body, attempts, fault_id,
        fault_action, partner, turn
      FROM ranked WHERE turn <= @turns ORDER BY turn, due_ms, seq`)
    this.earliest = db.prepare(
      `SELECT min(d.due_ms) AS due FROM deliveries d WHERE d.webhook_id NOT IN (SELECT value FROM json_each(?)) AND
        ${LIVE}`
    )
    this.removeDead = db.prepare(`DELETE FROM deliveries AS d WHERE NOT (${LIVE})`)
    this.countLive = db.prepare(
      `SELECT count(*) AS pending, coalesce(sum(held), 0) AS held FROM deliveries d WHERE ${LIVE} AND ${IN_SCOPE}`
    )
    this.waitingRows = db.prepare(
      `SELECT d.id, d.event_id, d.event_type, d.organization_id, d.webhook_id, w.endpoint, d.attempts, d.due_ms, d.held
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE ${LIVE} AND ${IN_SCOPE} ORDER BY d.due_ms, d.seq
      LIMIT @limit`
    )
    this.reschedule = db.prepare('UPDATE deliveries SET attempts = ?, due_ms = ?, held = 0 WHERE id = ?')
    this.removeOne = db.prepare('DELETE FROM deliveries WHERE id = ?')
    this.forward = db.prepare(`UPDATE deliveries AS d SET due_ms = min(due_ms, @now), held = 0 WHERE ${IN_SCOPE}`)
    this.releaseFor = db.prepare(
      'UPDATE deliveries SET due_ms = min(due_ms, ?), held = 0 WHERE held = 1 AND webhook_id = ?'
    )
    this.releaseEvery = db.prepare(
      `UPDATE deliveries AS d SET due_ms = min(due_ms, @now), held = 0 WHERE held = 1 AND ${IN_SCOPE}`
    )
  }

  /**
   * Queues the delivery of an event to a webhook, as a fault rule shapes it: a drop is queued too
   * (the dispatcher records it and sends nothing), a duplicate twice, a delay later, a reorder held
   * back until a later delivery to the webhook has gone (or the hold runs out).
   */
  enqueue (
    delivery: { event_id: string; event_type: string; organization_id: string; webhook_id: string; body: string },
    now: number,
    fault: DeliveryFaultRule | undefined
  ): void {
    const action = fault?.action ?? null
    const row = {
      ...delivery,
      due_ms:
        action === 'delay'
          ? now + (fault?.delay_ms ?? 0)
          : action === 'reorder'
            ? now + (fault?.delay_ms ?? DEFAULT_HOLD_MS)
            : now,
      held: action === 'reorder' ? 1 : 0,
      fault_id: fault?.id ?? null,
      fault_action: action
    }
    this.insert.run({ ...row, id: newId() })
    if (action === 'duplicate') this.insert.run({ ...row, id: newId() })
    this.dropOldest.run({ webhook: delivery.webhook_id, keep: this.perWebhook })
  }

  /**
   * Deliveries due at `now`, skipping webhooks being called: each partner's `turns` oldest, in
   * turns (every partner's first before anyone's second), so that no partner's backlog stands in
   * front of another's.
   */
  due (now: number, busyWebhooks: ReadonlySet<string>, turns: number): DueDelivery[] {
    return this.dueRows.all({ now, busy: JSON.stringify([...busyWebhooks]), turns })
  }

  /** When the next delivery falls due (held ones at the end of their hold), or null for none. */
  nextDue (busyWebhooks: ReadonlySet<string>): number | null {
    return this.earliest.get(JSON.stringify([...busyWebhooks]))?.due ?? null
  }

  /** Cancels deliveries whose event or webhook is gone, or whose webhook is disabled; returns how many. */
  sweep (): number {
    return this.removeDead.run().changes
  }

  /** Live deliveries still to go (in a scope), and how many of them are held back by a reorder rule. */
  counts (scope: DeliveryScope = {}): { pending: number; held: number } {
    return this.countLive.get(scopeParams(scope)) ?? { pending: 0, held: 0 }
  }

  /** The first `limit` live deliveries still to go (in a scope), the soonest due first. */
  waiting (scope: DeliveryScope, limit: number): WaitingRow[] {
    return this.waitingRows.all({ ...scopeParams(scope), limit })
  }

  /** False when the delivery is gone (cancelled while its attempt was in flight). */
  retryAt (id: string, attempts: number, due: number): boolean {
    return this.reschedule.run(attempts, due, id).changes > 0
  }

  /** Delivered, given up or dropped; false when it was gone already. */
  finish (id: string): boolean {
    return this.removeOne.run(id).changes > 0
  }

  /** Everything pending (in a scope) becomes due now: held deliveries and waiting retries alike. */
  fastForward (now: number, scope: DeliveryScope = {}): void {
    this.forward.run({ now, ...scopeParams(scope) })
  }

  /** A delivery to this webhook has gone: what a reorder rule held back for it may follow. */
  releaseHeld (webhookId: string, now: number): void {
    this.releaseFor.run(now, webhookId)
  }

  releaseAllHeld (now: number, scope: DeliveryScope = {}): void {
    this.releaseEvery.run({ now, ...scopeParams(scope) })
  }
}
