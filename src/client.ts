/**
 * The admin client: the simulator's controls (`Controls`, src/control/controls.ts) over HTTP, for a simulator in
 * another process: a container, a CLI started by a script, the one a runner's global set-up started. Its methods
 * are the in-process Simulator's, with the same arguments and results, as promises. It needs nothing but fetch,
 * so it is cheap to import from every test file.
 *
 *   const admin = new AdminClient('http://127.0.0.1:8080', { token: adminToken })
 *   const tenant = await admin.createTenant({ name: 'my suite' })
 */
import type { Catalog } from './store/catalogs/catalog.js'
import type { CatalogInput } from './http/schemas/catalogs.js'
import type { ConnectionCheckInput, ConnectionCheckRule } from './control/connection-checks.js'
import type { DeliveryAttempt, DeliveryFilter, SettleResult, WaitingDelivery } from './background/dispatcher.js'
import type { DeliveryFaultInput, DeliveryFaultRule } from './control/delivery-faults.js'
import type { EventView } from './store/events/events.js'
import type { ExecutionRule, ExecutionRuleInput } from './control/execution-rules.js'
import type { FaultRule, FaultRuleInput } from './control/faults.js'
import type { Fixtures } from './http/schemas/fixtures.js'
import type { JournalEntry, JournalFilter } from './control/journal.js'
import type { Notification, NotificationFilter } from './store/events/notifications.js'
import type { SnapshotInfo } from './store/world.js'
import type { Tenant } from './store/tenants.js'
import type { ApiVersion } from './core/versions.js'
import type {
  AdvanceInput,
  ClockView,
  EmitEventInput,
  ExecutionDetail,
  ExecutionFilter,
  ExecutionView,
  OrganizationView,
  PartnerView
} from './control/control-plane.js'
import {
  AdminError,
  CONTROL_ROUTES,
  routePath,
  type AnyControls,
  type CatalogReplaced,
  type ConnectCompleted,
  type ControlName,
  type Controls,
  type Counts,
  type ExecutionsSettled,
  type Health,
  type SettleDeliveriesInput
} from './control/controls.js'

export { AdminError, CONTROL_ROUTES }
export type {
  AnyControls,
  CatalogReplaced,
  ConnectCompleted,
  ControlName,
  Controls,
  Counts,
  ExecutionsSettled,
  FaultRule,
  FaultRuleInput,
  Health,
  JournalEntry,
  JournalFilter,
  SettleDeliveriesInput,
  SettleResult,
  SnapshotInfo,
  Tenant,
  WaitingDelivery
}
/** @deprecated the name of SettleDeliveriesInput before the controls were one interface. */
export type SettleDeliveriesBody = SettleDeliveriesInput

export interface AdminClientOptions {
  /** The ADMIN_TOKEN the simulator was started with; leave out when it has none. */
  token?: string | null
}

/** A filter as a query string ("" when it names nothing). */
export function queryOf (filter: object): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(filter)) if (value !== undefined) query.set(name, String(value))
  const qs = query.toString()
  return qs === '' ? '' : `?${qs}`
}

/** What a failed fetch means for the one who called: the system's code and what to check. */
function unreachable (url: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  const code = cause?.code ?? ''
  const why =
    code === 'ECONNREFUSED'
      ? 'nothing listens there'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : code === 'ECONNRESET'
          ? 'the connection was reset'
          : (cause?.message ?? (err as Error).message)
  return (
    `cannot reach the simulator at ${url} (${code === '' ? why : `${code}: ${why}`}); check that it is running ` +
    "and that this is its base URL (a runner's global set-up names it in POLYTOMIC_MOCK_URL; a container is " +
    'reached on its published port)'
  )
}

/** A `request` event of the journal's feed as its entry; any other event (open, comments) is undefined. */
function eventEntry (block: string): JournalEntry | undefined {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7)
    else if (line.startsWith('data: ')) data.push(line.slice(6))
  }
  return event === 'request' && data.length > 0 ? (JSON.parse(data.join('\n')) as JournalEntry) : undefined
}

export class AdminClient implements Controls<true> {
  /** The simulator's base URL, without a trailing slash (nor /__admin). */
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
    if (parsed.search !== '' || parsed.hash !== '') {
      throw new TypeError(`AdminClient needs the simulator's base URL without a query or fragment, got ${url}`)
    }
    // The base URL, or the admin API's own (…/__admin), which is what it ends in.
    this.url = parsed.href.replace(/\/+$/, '').replace(/\/__admin$/, '')
    this.#token = options.token ?? null
  }

  health (): Promise<Health> {
    return this.#control('health')
  }

  openApi (version?: ApiVersion): Promise<Record<string, unknown>> {
    return this.#control('openApi', [], { query: { version } })
  }

  async reset (): Promise<Counts> {
    return (await this.#control<{ counts: Counts }>('reset')).counts
  }

  exportFixtures (options: { redact?: boolean } = {}): Promise<Fixtures> {
    return this.#control('exportFixtures', [], { query: { redact: options.redact === true ? 'true' : undefined } })
  }

  async loadFixtures (document: Fixtures): Promise<Counts> {
    return (await this.#control<{ counts: Counts }>('loadFixtures', [], { body: document })).counts
  }

  snapshots (): Promise<SnapshotInfo[]> {
    return this.#control('snapshots')
  }

  snapshot (name: string): Promise<SnapshotInfo> {
    return this.#control('snapshot', [], { body: { name } })
  }

  async restore (name: string): Promise<Counts> {
    return (await this.#control<{ counts: Counts }>('restore', [name])).counts
  }

  async deleteSnapshot (name: string): Promise<void> {
    await this.#control('deleteSnapshot', [name])
  }

  createTenant (input: { name?: string } = {}): Promise<Tenant> {
    return this.#control('createTenant', [], { body: input })
  }

  async deleteTenant (partnerId: string): Promise<void> {
    await this.#control('deleteTenant', [partnerId])
  }

  requests (filter: JournalFilter = {}): Promise<JournalEntry[]> {
    return this.#control('requests', [], { query: filter })
  }

  async clearRequests (): Promise<number> {
    return (await this.#control<{ cleared: number }>('clearRequests')).cleared
  }

  faults (): Promise<FaultRule[]> {
    return this.#control('faults')
  }

  addFault (rule: FaultRuleInput): Promise<FaultRule> {
    return this.#control('addFault', [], { body: rule })
  }

  async removeFault (id: string): Promise<void> {
    await this.#control('removeFault', [id])
  }

  async clearFaults (): Promise<number> {
    return (await this.#control<{ cleared: number }>('clearFaults')).cleared
  }

  connectionChecks (): Promise<ConnectionCheckRule[]> {
    return this.#control('connectionChecks')
  }

  addConnectionCheck (rule: ConnectionCheckInput): Promise<ConnectionCheckRule> {
    return this.#control('addConnectionCheck', [], { body: rule })
  }

  async removeConnectionCheck (id: string): Promise<void> {
    await this.#control('removeConnectionCheck', [id])
  }

  async clearConnectionChecks (): Promise<number> {
    return (await this.#control<{ cleared: number }>('clearConnectionChecks')).cleared
  }

  completeConnect (
    token: string,
    input: { type?: string; configuration: Record<string, unknown> }
  ): Promise<ConnectCompleted> {
    return this.#control('completeConnect', [token], { body: input })
  }

  emitEvent (input: EmitEventInput): Promise<EventView> {
    return this.#control('emitEvent', [], { body: input })
  }

  deliveries (filter: DeliveryFilter = {}): Promise<DeliveryAttempt[]> {
    return this.#control('deliveries', [], { query: filter })
  }

  notifications (filter: NotificationFilter = {}): Promise<Notification[]> {
    return this.#control('notifications', [], { query: filter })
  }

  settleDeliveries (options: SettleDeliveriesInput = {}): Promise<SettleResult> {
    return this.#control('settleDeliveries', [], { body: options })
  }

  deliveryFaults (): Promise<DeliveryFaultRule[]> {
    return this.#control('deliveryFaults')
  }

  addDeliveryFault (rule: DeliveryFaultInput): Promise<DeliveryFaultRule> {
    return this.#control('addDeliveryFault', [], { body: rule })
  }

  async removeDeliveryFault (id: string): Promise<void> {
    await this.#control('removeDeliveryFault', [id])
  }

  async clearDeliveryFaults (): Promise<number> {
    return (await this.#control<{ cleared: number }>('clearDeliveryFaults')).cleared
  }

  executionRules (): Promise<ExecutionRule[]> {
    return this.#control('executionRules')
  }

  addExecutionRule (rule: ExecutionRuleInput): Promise<ExecutionRule> {
    return this.#control('addExecutionRule', [], { body: rule })
  }

  async removeExecutionRule (id: string): Promise<void> {
    await this.#control('removeExecutionRule', [id])
  }

  async clearExecutionRules (): Promise<number> {
    return (await this.#control<{ cleared: number }>('clearExecutionRules')).cleared
  }

  advanceExecution (id: string, input: AdvanceInput = {}): Promise<ExecutionView> {
    return this.#control('advanceExecution', [id], { body: input })
  }

  async settleExecutions (): Promise<ExecutionsSettled> {
    const { finished, hanging, jobs, refreshes } = await this.#control<ExecutionsSettled>('settleExecutions')
    return { finished, hanging, jobs, refreshes }
  }

  catalog (connectionId: string): Promise<Catalog> {
    return this.#control('catalog', [connectionId])
  }

  replaceCatalog (connectionId: string, catalog: CatalogInput): Promise<CatalogReplaced> {
    return this.#control('replaceCatalog', [connectionId], { body: catalog })
  }

  partners (): Promise<PartnerView[]> {
    return this.#control('partners')
  }

  organization (id: string): Promise<OrganizationView> {
    return this.#control('organization', [id])
  }

  executions (filter: ExecutionFilter = {}): Promise<ExecutionView[]> {
    return this.#control('executions', [], { query: filter })
  }

  execution (id: string): Promise<ExecutionDetail> {
    return this.#control('execution', [id])
  }

  clock (): Promise<ClockView> {
    return this.#control('clock')
  }

  advanceClock (seconds: number): Promise<ClockView> {
    return this.#control('advanceClock', [], { body: { advance_s: seconds } })
  }

  /**
   * The journal as it grows (GET /__admin/requests/stream): each new request matching the filter, oldest first,
   * until `signal` aborts or the simulator closes the feed. `after` starts after that entry's id (default: now).
   * Over HTTP only: in-process, read sim.requests({ after }).
   *
   *   for await (const entry of admin.followRequests({ partner_id }, { signal })) seen.push(entry)
   */
  async * followRequests (
    filter: Omit<JournalFilter, 'since' | 'limit'> = {},
    options: { signal?: AbortSignal } = {}
  ): AsyncGenerator<JournalEntry> {
    const path = `/requests/stream${queryOf(filter)}`
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`
    let res: Response
    try {
      res = await fetch(`${this.url}/__admin${path}`, { headers, signal: options.signal })
    } catch (err) {
      if (options.signal?.aborted === true) return
      throw new AdminError('GET', `${this.url}/__admin${path}`, 0, { message: unreachable(this.url, err) }, {
        cause: err
      })
    }
    if (!res.ok || res.body === null) {
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        /* kept as text */
      }
      throw new AdminError('GET', `/__admin${path}`, res.status, parsed)
    }
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const entry = eventEntry(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (entry !== undefined) yield entry
        }
      }
    } catch (err) {
      if (options.signal?.aborted === true) return
      throw err
    }
  }

  /** A control by its route (CONTROL_ROUTES): its parameters in the path, a filter as the query, a body. */
  #control<T>(name: ControlName, params: string[] = [], input: { query?: object; body?: unknown } = {}): Promise<T> {
    const { method, path } = routePath(name, params)
    return this.call<T>(method, path + queryOf(input.query ?? {}), input.body)
  }

  /**
   * Any admin route: the path after /__admin, e.g. call('POST', '/executions/settle'). Every route has its
   * method above; this is for a route newer than this client. Throws AdminError on a 4xx or 5xx, and (status 0)
   * when the simulator does not answer.
   */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const route = path.startsWith('/__admin/') ? path.slice('/__admin'.length) : path
    let res: Response
    try {
      res = await fetch(`${this.url}/__admin${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (err) {
      throw new AdminError(method, `${this.url}/__admin${route}`, 0, { message: unreachable(this.url, err) }, {
        cause: err
      })
    }
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      /* kept as text */
    }
    if (!res.ok) throw new AdminError(method, `/__admin${route}`, res.status, parsed)
    return parsed as T
  }
}
