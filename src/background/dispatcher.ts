/**
 * Webhook deliveries, off the request path: a timer-driven worker takes due deliveries from the
 * queue in SQLite (src/store/events/deliveries.ts), POSTs each to its webhook's endpoint signed, and
 * records every attempt. A non-2xx answer (a redirect included: none is followed), a connection
 * error or no answer within the timeout is retried with exponential backoff, up to 5 retries.
 */
import http from 'node:http'
import type { Clock } from '../control/clock.js'
import { SIGNATURE_HEADER, signBody, type SignatureOptions } from '../core/signature.js'
import type { DeliveryScope, DueDelivery } from '../store/events/deliveries.js'
import type { Store } from '../store/index.js'
import { hostAllowed } from '../store/events/webhooks.js'
import { SELF_REFUSAL, pointsAtSelf } from '../core/self-address.js'
import { SELF_LOOKUP, TIMED_OUT, send } from '../core/outbound.js'
import { Worker } from './worker.js'
import { redactUrlSecrets } from '../core/secrets.js'

/** Retries after the first attempt (reference 5.3: "up to 5 times"). */
export const MAX_RETRIES = 5
/** Bytes of a receiver's answer read (and kept in the attempt): the rest is not read. */
export const RESPONSE_BYTES = 1024
/**
 * Deliveries in flight at once: one per webhook, at most PER_PARTNER for one partner, at most
 * CONCURRENCY in all. Partners take turns for free slots, so one tenant's stalled receivers hold
 * only that tenant's slots: another's first attempt waits for no one else's timeouts.
 */
export const PER_PARTNER = 4
export const CONCURRENCY = 64

/**
 * canceled: the delivery was removed (reset, restore, a deletion, a disabled webhook) while this attempt was
 * in flight.
 */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'dropped' | 'canceled'

/** One attempt, as GET /__admin/deliveries lists it. */
export interface DeliveryAttempt {
  id: number
  delivery_id: string
  event_id: string
  event_type: string
  organization_id: string
  webhook_id: string
  endpoint: string
  /** 1 for the first try, up to 6. */
  attempt: number
  /** When the attempt started (simulated time). */
  time: string
  outcome: DeliveryOutcome
  /** The receiver's status, or null when none came. */
  status: number | null
  /** What went wrong when no 2xx came: a connection error, a timeout, a fault rule's drop. */
  error: string | null
  /** The start of the receiver's answer, up to RESPONSE_BYTES. */
  response: string | null
  duration_ms: number
  /** The Polytomic-Signature header sent (null when nothing was sent). */
  signature: string | null
  /** When the next attempt is due, for a retry. */
  next_attempt_at: string | null
  /** The delivery fault rule that shaped this delivery, if any. */
  fault: string | null
}

export interface DeliveryFilter {
  organization_id?: string
  event_id?: string
  webhook_id?: string
  limit?: number
}

/** Recent attempts, newest first when read; bounded like the journal. */
export class DeliveryLog {
  private entries: DeliveryAttempt[] = []
  private nextId = 1

  constructor (
    private readonly size: number,
    private readonly onRecord: (attempt: DeliveryAttempt) => void = () => {}
  ) {}

  /** The endpoint is kept without what its URL may carry of a secret (user information, a token in its query). */
  record (attempt: Omit<DeliveryAttempt, 'id'>): void {
    const entry = { id: this.nextId++, ...attempt, endpoint: redactUrlSecrets(attempt.endpoint) }
    this.onRecord(entry)
    if (this.size === 0) return
    this.entries.push(entry)
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size)
  }

  query (filter: DeliveryFilter = {}): DeliveryAttempt[] {
    const result: DeliveryAttempt[] = []
    const limit = filter.limit ?? 100
    const organization = filter.organization_id?.toLowerCase()
    const event = filter.event_id?.toLowerCase()
    const webhook = filter.webhook_id?.toLowerCase()
    for (let i = this.entries.length - 1; i >= 0 && result.length < limit; i--) {
      const entry = this.entries[i] as DeliveryAttempt
      if (organization !== undefined && entry.organization_id !== organization) continue
      if (event !== undefined && entry.event_id !== event) continue
      if (webhook !== undefined && entry.webhook_id !== webhook) continue
      result.push({ ...entry })
    }
    return result
  }

  clear (): number {
    const cleared = this.entries.length
    this.entries = []
    return cleared
  }
}

export interface DispatcherOptions {
  retryBaseMs: number
  timeoutMs: number
  allowedHosts: readonly string[] | null
  signature: SignatureOptions
  userAgent: string
}

/** An attempt under way: whose it is, for fair turns and for a scoped settle. */
interface InFlight {
  promise: Promise<void>
  deliveryId: string
  organizationId: string
  partner: string
}

export interface SettleOptions {
  timeoutMs?: number
  fastForward?: boolean
  /** Wait only for this organization's deliveries (fast_forward only them too). */
  organizationId?: string
  /** Wait only for the deliveries of this partner's organizations. */
  partnerId?: string
}

export interface SettleResult {
  /** True when nothing is left to deliver. */
  settled: boolean
  /** Deliveries still pending (waiting for a retry, delayed or held) when the bound ran out. */
  pending: number
  /** Attempts under way when the bound ran out. */
  in_flight: number
  /** Attempts made while settling. */
  attempts: number
  /**
   * What is still to go when not settled (the first WAITING_SHOWN, soonest due first): empty when settled.
   */
  waiting: WaitingDelivery[]
}

/** A delivery an unsettled settle is still waiting for, and why. */
export interface WaitingDelivery
  extends Pick<
    DeliveryAttempt,
    'delivery_id' | 'event_id' | 'event_type' | 'organization_id' | 'webhook_id' | 'endpoint'
  > {
  /** Attempts made so far (0: not tried yet). */
  attempts: number
  /** When it is next due (simulated time); a held one is due when its hold ends. */
  next_attempt_at: string
  /** Held back by a reorder delivery fault until a later delivery to its webhook has gone. */
  held: boolean
  /** An attempt of it is under way now. */
  in_flight: boolean
  /** What went wrong at its last attempt (the receiver's status, a connection error, a timeout), or null. */
  last_error: string | null
}

/** How many waiting deliveries an unsettled settle lists. */
export const WAITING_SHOWN = 20

/**
 * The worker. It wakes when an event is emitted, when a timer for the next due delivery fires,
 * and when simulated time moves; close() stops it, aborting attempts in flight (their deliveries
 * stay queued, so a file database resumes them at the next start).
 */
export class DeliveryDispatcher extends Worker {
  /** By webhook id. */
  private readonly inFlight = new Map<string, InFlight>()
  private readonly active = new Set<http.ClientRequest>()
  private readonly progress = new Set<() => void>()
  private attempts = 0
  private readonly unsubscribe: Array<() => void>

  constructor (
    private readonly store: Store,
    private readonly clock: Clock,
    readonly log: DeliveryLog,
    private readonly options: DispatcherOptions
  ) {
    super()
    this.unsubscribe = [store.events.onEmit(() => this.wake()), clock.onMove(() => this.wake())]
  }

  protected turn (): void {
    const now = this.clock.now()
    this.store.deliveries.sweep()
    const busy = new Set(this.inFlight.keys())
    let capacity = CONCURRENCY - this.inFlight.size
    if (capacity > 0) {
      const running = new Map<string, number>()
      for (const flight of this.inFlight.values()) running.set(flight.partner, (running.get(flight.partner) ?? 0) + 1)
      // The partner with the fewest attempts under way goes first, then the next, in turns.
      const due = this.store.deliveries
        .due(now, busy, PER_PARTNER)
        .map((delivery, index) => ({ delivery, index, place: delivery.turn + (running.get(delivery.partner) ?? 0) }))
        .sort((a, b) => a.place - b.place || a.index - b.index)
      for (const { delivery } of due) {
        if (capacity === 0) break
        const partnerRunning = running.get(delivery.partner) ?? 0
        if (partnerRunning >= PER_PARTNER) continue
        running.set(delivery.partner, partnerRunning + 1)
        capacity--
        busy.add(delivery.webhook_id)
        const promise = this.attemptSafely(delivery).finally(() => {
          this.inFlight.delete(delivery.webhook_id)
          this.notify()
          this.wake()
        })
        this.inFlight.set(delivery.webhook_id, {
          promise,
          deliveryId: delivery.id,
          organizationId: delivery.organization_id,
          partner: delivery.partner
        })
      }
    }
    const next = this.store.deliveries.nextDue(busy)
    if (next !== null && next > now) this.wakeIn(next - now)
  }

  /** An attempt that cannot reject: anything unexpected ends the delivery as failed, with the reason recorded. */
  private async attemptSafely (delivery: DueDelivery): Promise<void> {
    try {
      await this.attempt(delivery)
    } catch (err) {
      if (this.closed) return
      this.store.deliveries.finish(delivery.id)
      this.log.record({
        ...attemptOf(delivery, delivery.attempts + 1, this.clock.now()),
        outcome: 'failed',
        status: null,
        error: `the simulator could not attempt this delivery: ${(err as Error).message}`,
        response: null,
        duration_ms: 0,
        signature: null,
        next_attempt_at: null
      })
    }
  }

  private async attempt (delivery: DueDelivery): Promise<void> {
    const started = this.clock.now()
    const attemptNumber = delivery.attempts + 1
    const base = attemptOf(delivery, attemptNumber, started)
    this.attempts++
    /** Ends the delivery unsent (nothing to retry), recording why. */
    const endUnsent = (outcome: 'dropped' | 'failed', error: string, durationMs = 0): void => {
      this.store.deliveries.finish(delivery.id)
      this.log.record({
        ...base,
        outcome,
        status: null,
        error,
        response: null,
        duration_ms: durationMs,
        signature: null,
        next_attempt_at: null
      })
    }
    if (delivery.fault_action === 'drop') {
      return endUnsent('dropped', `dropped by delivery fault ${delivery.fault_id ?? ''}`)
    }
    const url = new URL(delivery.endpoint)
    if (!hostAllowed(this.options.allowedHosts, url)) {
      return endUnsent('failed', `host ${url.hostname} is not in WEBHOOK_ALLOWED_HOSTS`)
    }
    if (pointsAtSelf(url, this.store.webhooks.listeningPorts)) {
      return endUnsent('failed', `refused: the endpoint ${SELF_REFUSAL}`)
    }
    const signature = signBody(delivery.body, delivery.secret, this.options.signature)
    const headers = {
      'content-type': 'application/json',
      'user-agent': this.options.userAgent,
      [SIGNATURE_HEADER.toLowerCase()]: signature
    }
    const wallStart = performance.now()
    const sent = await send(url, {
      method: 'POST',
      headers,
      body: delivery.body,
      timeoutMs: this.options.timeoutMs,
      maxBytes: RESPONSE_BYTES,
      active: this.active,
      ports: this.store.webhooks.listeningPorts
    })
    const answer = {
      status: sent.status,
      error: sent.error === TIMED_OUT ? `no answer within ${this.options.timeoutMs} ms` : sent.error,
      response: sent.status === null ? null : sent.body.toString('utf8')
    }
    const duration = Math.round(performance.now() - wallStart)
    if (this.closed) return
    if (answer.error === SELF_LOOKUP) {
      return endUnsent(
        'failed',
        `refused: ${url.hostname} resolves to this machine, and the endpoint ${SELF_REFUSAL}`,
        duration
      )
    }
    const ok = answer.status !== null && answer.status >= 200 && answer.status < 300 && answer.error === null
    const error = ok ? null : (answer.error ?? `answered ${answer.status ?? 'nothing'}`)
    const record = {
      ...base,
      status: answer.status,
      error,
      response: answer.response,
      duration_ms: duration,
      signature
    }
    if (ok || attemptNumber > MAX_RETRIES) {
      const live = this.store.deliveries.finish(delivery.id)
      this.log.record({ ...record, outcome: ok ? 'delivered' : live ? 'failed' : 'canceled', next_attempt_at: null })
    } else {
      const due = this.clock.now() + this.options.retryBaseMs * 2 ** (attemptNumber - 1)
      const live = this.store.deliveries.retryAt(delivery.id, attemptNumber, due)
      this.log.record({
        ...record,
        outcome: live ? 'retrying' : 'canceled',
        next_attempt_at: live ? new Date(due).toISOString() : null
      })
    }
    this.store.deliveries.releaseHeld(delivery.webhook_id, this.clock.now())
  }

  private notify (): void {
    for (const listener of [...this.progress]) listener()
  }

  /** Resolves on the next finished attempt, or after ms at most. */
  private nextProgress (ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.progress.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.progress.add(done)
    })
  }

  /**
   * Waits until no delivery is pending or in flight, for at most timeoutMs. With fastForward every
   * waiting retry, delay and hold falls due at once (the attempts still happen, in order). Held
   * deliveries with nothing left to overtake them are released rather than waited for.
   */
  async settle (options: SettleOptions = {}): Promise<SettleResult> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000)
    const before = this.attempts
    const scope = { organizationId: options.organizationId, partnerId: options.partnerId }
    const organization = options.organizationId?.toLowerCase()
    const partner = options.partnerId?.toLowerCase()
    const inFlight = (): number => {
      let count = 0
      for (const flight of this.inFlight.values()) {
        if (
          (organization === undefined || flight.organizationId === organization) &&
          (partner === undefined || flight.partner === partner)
        ) {
          count++
        }
      }
      return count
    }
    const unsettled = (pending: number, flying: number): SettleResult => ({
      settled: false,
      pending,
      in_flight: flying,
      attempts: this.attempts - before,
      waiting: this.waiting(scope)
    })
    for (;;) {
      if (this.closed) return unsettled(this.store.deliveries.counts(scope).pending, 0)
      this.store.deliveries.sweep()
      const { pending, held } = this.store.deliveries.counts(scope)
      const flying = inFlight()
      if (pending === 0 && flying === 0) {
        return { settled: true, pending: 0, in_flight: 0, attempts: this.attempts - before, waiting: [] }
      }
      if (options.fastForward === true) this.store.deliveries.fastForward(this.clock.now(), scope)
      else if (held === pending && flying === 0) this.store.deliveries.releaseAllHeld(this.clock.now(), scope)
      const remaining = deadline - Date.now()
      if (remaining <= 0) return unsettled(pending, flying)
      this.wake()
      await this.nextProgress(Math.min(remaining, 50))
    }
  }

  /** The deliveries a settle still waits for, each with its next attempt time and its last attempt's error. */
  private waiting (scope: DeliveryScope): WaitingDelivery[] {
    return this.store.deliveries.waiting(scope, WAITING_SHOWN).map((row) => {
      const last = this.log
        .query({ event_id: row.event_id, webhook_id: row.webhook_id })
        .find((attempt) => attempt.delivery_id === row.id)
      const failure =
        last === undefined || last.outcome === 'delivered'
          ? null
          : (last.error ?? (last.status === null ? last.outcome : `the receiver answered ${last.status}`))
      return {
        delivery_id: row.id,
        event_id: row.event_id,
        event_type: row.event_type,
        organization_id: row.organization_id,
        webhook_id: row.webhook_id,
        endpoint: redactUrlSecrets(row.endpoint),
        attempts: row.attempts,
        next_attempt_at: new Date(row.due_ms).toISOString(),
        held: row.held === 1,
        in_flight: this.inFlight.get(row.webhook_id)?.deliveryId === row.id,
        last_error: failure
      }
    })
  }

  /** Stops the worker: no timer is left, attempts in flight are aborted and awaited. Safe to call twice. */
  async close (): Promise<void> {
    if (this.closed) return
    this.stop()
    for (const stop of this.unsubscribe) stop()
    for (const request of this.active) request.destroy(new Error('the simulator is closing'))
    await Promise.allSettled([...this.inFlight.values()].map((flight) => flight.promise))
    this.notify()
  }
}

/** What every attempt record says of its delivery: which one, where it went, which attempt, when, under which fault. */
function attemptOf (delivery: DueDelivery, attempt: number, at: number) {
  return {
    delivery_id: delivery.id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    organization_id: delivery.organization_id,
    webhook_id: delivery.webhook_id,
    endpoint: delivery.endpoint,
    attempt,
    time: new Date(at).toISOString(),
    fault: delivery.fault_id
  }
}
