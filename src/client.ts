/**
 * A typed client of the admin API (/__admin) for a simulator in another process: a container, a
 * CLI started by a script, the one a runner's global set-up started. It needs nothing but fetch,
 * so it is cheap to import from every test file.
 *
 *   const admin = new AdminClient('http://127.0.0.1:8080', { token: adminToken })
 *   const tenant = await admin.createTenant({ name: 'my suite' })
 */
import type { Notification, NotificationFilter } from './store/events/notifications.js'
import type { SettleResult } from './background/dispatcher.js'
import type { FaultRule, FaultRuleInput } from './control/faults.js'
import type { JournalEntry, JournalFilter } from './control/journal.js'
import type { Tenant } from './store/tenants.js'
import type { SnapshotInfo } from './store/world.js'

export type { FaultRule, FaultRuleInput, JournalEntry, JournalFilter, SettleResult, SnapshotInfo, Tenant }

export interface AdminClientOptions {
  /** The ADMIN_TOKEN the simulator was started with; leave out when it has none. */
  token?: string | null
}

/** POST /__admin/deliveries/settle, in its wire names. */
export interface SettleDeliveriesBody {
  timeout_ms?: number
  fast_forward?: boolean
  organization_id?: string
  partner_id?: string
}

export interface Health {
  status: 'ok'
  version: string
  uptime_s: number
}

/** An admin call the simulator refused: its status and its error body ({ status, message, key, metadata }). */
/** A filter as a query string ("" when it names nothing). */
function queryOf (filter: object): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(filter)) if (value !== undefined) query.set(name, String(value))
  const qs = query.toString()
  return qs === '' ? '' : `?${qs}`
}

export class AdminError extends Error {
  readonly status: number
  readonly body: unknown

  constructor (method: string, path: string, status: number, body: unknown) {
    const detail =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : JSON.stringify(body)
    super(`${method} /__admin${path} answered ${status}: ${detail}`)
    this.name = 'AdminError'
    this.status = status
    this.body = body
  }
}

export class AdminClient {
  /** The simulator's base URL, without a trailing slash. */
  readonly url: string
  readonly #token: string | null

  constructor (url: string, options: AdminClientOptions = {}) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new TypeError(`AdminClient needs the simulator's base URL (http://host:port), got ${JSON.stringify(url)}`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`AdminClient needs an http(s) URL, got ${JSON.stringify(url)}`)
    }
    this.url = parsed.href.replace(/\/+$/, '')
    this.#token = options.token ?? null
  }

  /** GET /__admin/health: answers without the token. */
  async health (): Promise<Health> {
    return this.call('GET', '/health')
  }

  /** Back to the fixtures the simulator started with; counts of what was loaded. */
  async reset (): Promise<Record<string, number>> {
    return (await this.call<{ counts: Record<string, number> }>('POST', '/reset')).counts
  }

  /** A partner of its own, with an organization, an admin user and their keys: one per test file. */
  async createTenant (input: { name?: string } = {}): Promise<Tenant> {
    return this.call('POST', '/tenants', input)
  }

  /** Removes a tenant's partner and everything it owns. */
  async deleteTenant (partnerId: string): Promise<void> {
    await this.call('DELETE', `/tenants/${encodeURIComponent(partnerId)}`)
  }

  /** The request journal, newest first. */
  async requests (filter: JournalFilter = {}): Promise<JournalEntry[]> {
    return this.call('GET', `/requests${queryOf(filter)}`)
  }

  /** What would have been mailed (failed runs to global error subscribers, exported logs), oldest first. */
  async notifications (filter: NotificationFilter = {}): Promise<Notification[]> {
    return this.call('GET', `/notifications${queryOf(filter)}`)
  }

  async addFault (rule: FaultRuleInput): Promise<FaultRule> {
    return this.call('POST', '/faults', rule)
  }

  /**
   * Waits until no webhook delivery is pending or in flight: everyone's, or one organization's or
   * partner's (a tenant waits only for its own).
   */
  async settleDeliveries (options: SettleDeliveriesBody = {}): Promise<SettleResult> {
    return this.call('POST', '/deliveries/settle', options)
  }

  /** Removes every fault rule; how many there were. */
  async clearFaults (): Promise<number> {
    return (await this.call<{ cleared: number }>('DELETE', '/faults')).cleared
  }

  async snapshot (name: string): Promise<SnapshotInfo> {
    return this.call('POST', '/snapshots', { name })
  }

  async restore (name: string): Promise<Record<string, number>> {
    return (
      await this.call<{ counts: Record<string, number> }>('POST', `/snapshots/${encodeURIComponent(name)}/restore`)
    ).counts
  }

  /**
   * Any admin route: the path after /__admin, e.g. call('POST', '/executions/settle'). Throws AdminError on a
   * 4xx or 5xx.
   */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${this.url}/__admin${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      /* kept as text */
    }
    if (!res.ok) throw new AdminError(method, path, res.status, parsed)
    return parsed as T
  }
}
