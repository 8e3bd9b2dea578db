/**
 * The test controls, one interface for both ways in: in-process (`Simulator`, from createSimulator) and over
 * HTTP (`AdminClient`, for a simulator in another process). Same names, same arguments in the admin API's wire
 * names, same results, same errors (`AdminError`); every /__admin route is one method, and CONTROL_ROUTES says
 * which (a test holds both to the route table). In-process a control answers at once, except where it waits
 * (settleDeliveries, settleExecutions, openApi); over HTTP every control is a promise. `await` works for both.
 */
import type { Catalog } from '../store/catalogs/catalog.js'
import type { CatalogInput } from '../http/schemas/catalogs.js'
import type { ConnectionCheckInput, ConnectionCheckRule } from './connection-checks.js'
import type { DeliveryAttempt, DeliveryFilter, SettleResult } from '../background/dispatcher.js'
import type { DeliveryFaultInput, DeliveryFaultRule } from './delivery-faults.js'
import type { EventView } from '../store/events/events.js'
import type { ExecutionRule, ExecutionRuleInput } from './execution-rules.js'
import type { FaultRule, FaultRuleInput } from './faults.js'
import type { Fixtures } from '../http/schemas/fixtures.js'
import type { JournalEntry, JournalFilter } from './journal.js'
import type { Notification, NotificationFilter } from '../store/events/notifications.js'
import type { SavedConnectionView } from '../store/connections/connections.js'
import type { SnapshotInfo } from '../store/world.js'
import type { Tenant } from '../store/tenants.js'
import type { ApiVersion } from '../core/versions.js'
import type {
  AdvanceInput,
  ClockView,
  EmitEventInput,
  ExecutionDetail,
  ExecutionFilter,
  ExecutionView,
  OrganizationView,
  PartnerView
} from './control-plane.js'

/** Rows of each table loaded, by table name: what reset, restore and loadFixtures report. */
export type Counts = Record<string, number>

export interface Health {
  status: 'ok'
  version: string
  uptime_s: number
  /** The other admin routes need the ADMIN_TOKEN (the console asks for it before its first call). */
  token_required: boolean
}

/** settleDeliveries' options, in the wire names of POST /__admin/deliveries/settle. */
export interface SettleDeliveriesInput {
  /** How long to wait at most (default 10,000 ms). */
  timeout_ms?: number
  /** Every waiting retry, delay and hold falls due at once (the attempts still happen, in order). */
  fast_forward?: boolean
  /** Wait only for this organization's deliveries. */
  organization_id?: string
  /** Wait only for the deliveries of this partner's organizations (a tenant's). */
  partner_id?: string
  /**
   * Throw (409 deliveries_unsettled, the waiting deliveries in its metadata) instead of answering settled: false
   * when the bound runs out.
   */
  fail_if_unsettled?: boolean
}

/** What settleExecutions finished: runs taken to their end, runs left hanging, jobs and schema refreshes. */
export interface ExecutionsSettled {
  finished: number
  hanging: number
  jobs: number
  refreshes: number
}

/** A connection's source catalog after replaceCatalog: how many schemas and rows it holds. */
export interface CatalogReplaced {
  status: 'ok'
  schemas: number
  rows: number
}

/** What completeConnect made: the connection and where the customer's browser is sent. */
export interface ConnectCompleted {
  connection: SavedConnectionView
  redirect_url: string
}

/** A control's answer: itself in-process (Remote false), a promise of it over HTTP (Remote true). */
export type Answer<Remote extends boolean, T> = Remote extends true ? Promise<T> : T

/**
 * The controls. `Controls<true>` is the admin client's (every answer a promise), `Controls<false>` the
 * simulator's; a helper that takes either declares `AnyControls` and awaits each answer.
 */
export interface Controls<Remote extends boolean = true> {
  /** GET /__admin/health: the simulator's version and uptime (answers without the admin token). */
  health(): Answer<Remote, Health>
  /** The OpenAPI document of a version's /api routes (default: the simulator's default version). */
  openApi(version?: ApiVersion): Promise<Record<string, unknown>>
  /**
   * Back to the fixtures the simulator started with (or last loaded); minted keys, rules, the journal and the
   * delivery log are cleared, and simulated time is the wall clock again.
   */
  reset(): Answer<Remote, Counts>
  /** The world as a fixture document; { redact: true } replaces every secret (for sharing, not for reloading). */
  exportFixtures(options?: { redact?: boolean }): Answer<Remote, Fixtures>
  /** Replaces the world, and what reset returns to, with a fixture document; a bad one changes nothing (422). */
  loadFixtures(document: Fixtures): Answer<Remote, Counts>
  /** The saved snapshots. */
  snapshots(): Answer<Remote, SnapshotInfo[]>
  /** Saves the world under a name (replacing a snapshot of that name). */
  snapshot(name: string): Answer<Remote, SnapshotInfo>
  /** Puts the world back as it was saved; deliveries of events it does not hold are cancelled. */
  restore(name: string): Answer<Remote, Counts>
  deleteSnapshot(name: string): Answer<Remote, void>
  /** A partner of its own, with an organization, an admin user and their keys: one per test file. */
  createTenant(input?: { name?: string }): Answer<Remote, Tenant>
  /** Removes a tenant's partner and everything it owns, pending webhook deliveries included. */
  deleteTenant(partnerId: string): Answer<Remote, void>
  /** The request journal of /api, newest first; scope it by your tenant's partner_id. */
  requests(filter?: JournalFilter): Answer<Remote, JournalEntry[]>
  /** Empties the journal; how many entries it held. */
  clearRequests(): Answer<Remote, number>
  /** The fault rules in force. */
  faults(): Answer<Remote, FaultRule[]>
  /** Answers matching /api requests with an error, a delay or a body of your choosing, `times` times. */
  addFault(rule: FaultRuleInput): Answer<Remote, FaultRule>
  removeFault(id: string): Answer<Remote, void>
  /** Removes every fault rule; how many there were. */
  clearFaults(): Answer<Remote, number>
  connectionChecks(): Answer<Remote, ConnectionCheckRule[]>
  /**
   * Makes the simulated connection check fail (validate, test, Connect) for a type and/or a name pattern
   * ("Prod *").
   */
  addConnectionCheck(rule: ConnectionCheckInput): Answer<Remote, ConnectionCheckRule>
  removeConnectionCheck(id: string): Answer<Remote, void>
  clearConnectionChecks(): Answer<Remote, number>
  /** Completes a Connect session as the customer's browser would; the token is used up. */
  completeConnect(
    token: string,
    input: { type?: string; configuration: Record<string, unknown> }
  ): Answer<Remote, ConnectCompleted>
  /** Emits an event for an organization (into its log and to its webhook); payload fields left out are filled in. */
  emitEvent(input: EmitEventInput): Answer<Remote, EventView>
  /** Webhook delivery attempts, newest first. */
  deliveries(filter?: DeliveryFilter): Answer<Remote, DeliveryAttempt[]>
  /** What would have been mailed (failed runs to global error subscribers, exported logs), oldest first. */
  notifications(filter?: NotificationFilter): Answer<Remote, Notification[]>
  /**
   * Resolves once no webhook delivery is pending or in flight: everyone's, or one organization's or partner's.
   * When the bound runs out, settled is false and `waiting` says what is left and why (or, with
   * fail_if_unsettled, it throws).
   */
  settleDeliveries(options?: SettleDeliveriesInput): Promise<SettleResult>
  deliveryFaults(): Answer<Remote, DeliveryFaultRule[]>
  /** Drops, duplicates, delays or reorders the next matching deliveries. */
  addDeliveryFault(rule: DeliveryFaultInput): Answer<Remote, DeliveryFaultRule>
  removeDeliveryFault(id: string): Answer<Remote, void>
  clearDeliveryFaults(): Answer<Remote, number>
  executionRules(): Answer<Remote, ExecutionRule[]>
  /**
   * Decides how the next matching sync runs end: complete, fail (with a message), complete_with_errors, or
   * hang until advanced.
   */
  addExecutionRule(rule: ExecutionRuleInput): Answer<Remote, ExecutionRule>
  removeExecutionRule(id: string): Answer<Remote, void>
  clearExecutionRules(): Answer<Remote, number>
  /**
   * Moves one sync run to its next state now, or to a named one (running, completed, completed_with_errors,
   * failed, canceled), or holds it where it is until advanced (hanging).
   */
  advanceExecution(id: string, input?: AdvanceInput): Answer<Remote, ExecutionView>
  /**
   * Waits until every query given to the query runner has its answer, then takes every sync run that is not
   * hanging to its end and finishes every job and schema refresh.
   */
  settleExecutions(): Promise<ExecutionsSettled>
  /** What a connection's source holds now: schemas and rows. */
  catalog(connectionId: string): Answer<Remote, Catalog>
  /** The source of a connection now holds this catalog; the API's schemas follow at the next schema refresh. */
  replaceCatalog(connectionId: string, catalog: CatalogInput): Answer<Remote, CatalogReplaced>
  /** Every partner with its organizations (what the console's world lists); organizations of no partner last. */
  partners(): Answer<Remote, PartnerView[]>
  /**
   * One organization and what it holds: users, connections with their status, bulk and model syncs with their
   * newest runs, the webhook, the newest events, pending Connect sessions.
   */
  organization(id: string): Answer<Remote, OrganizationView>
  /** Sync runs, newest first: an organization's, a sync's, or in one status (at most 1,000). */
  executions(filter?: ExecutionFilter): Answer<Remote, ExecutionView[]>
  /** One sync run, with its console log. */
  execution(id: string): Answer<Remote, ExecutionDetail>
  /** Simulated time now. */
  clock(): Answer<Remote, ClockView>
  /** Moves simulated time forward (event retention, waiting retries, log URLs' expiry, schedules). */
  advanceClock(seconds: number): Answer<Remote, ClockView>
}

/** Either kind of controls: a helper written against it works with a Simulator and an AdminClient alike. */
export type AnyControls = Controls<boolean>

export type ControlName = keyof Controls

/**
 * Each control's admin route, "METHOD /path" under /__admin. The one table both implementations follow; a test
 * holds it to the routes the admin plugin registers.
 */
export const CONTROL_ROUTES = {
  health: 'GET /health',
  openApi: 'GET /openapi.json',
  reset: 'POST /reset',
  exportFixtures: 'GET /fixtures',
  loadFixtures: 'PUT /fixtures',
  snapshots: 'GET /snapshots',
  snapshot: 'POST /snapshots',
  restore: 'POST /snapshots/:name/restore',
  deleteSnapshot: 'DELETE /snapshots/:name',
  createTenant: 'POST /tenants',
  deleteTenant: 'DELETE /tenants/:partner_id',
  requests: 'GET /requests',
  clearRequests: 'DELETE /requests',
  faults: 'GET /faults',
  addFault: 'POST /faults',
  removeFault: 'DELETE /faults/:id',
  clearFaults: 'DELETE /faults',
  connectionChecks: 'GET /connection-checks',
  addConnectionCheck: 'POST /connection-checks',
  removeConnectionCheck: 'DELETE /connection-checks/:id',
  clearConnectionChecks: 'DELETE /connection-checks',
  completeConnect: 'POST /connect/:token/complete',
  emitEvent: 'POST /events',
  deliveries: 'GET /deliveries',
  notifications: 'GET /notifications',
  settleDeliveries: 'POST /deliveries/settle',
  deliveryFaults: 'GET /delivery-faults',
  addDeliveryFault: 'POST /delivery-faults',
  removeDeliveryFault: 'DELETE /delivery-faults/:id',
  clearDeliveryFaults: 'DELETE /delivery-faults',
  executionRules: 'GET /execution-rules',
  addExecutionRule: 'POST /execution-rules',
  removeExecutionRule: 'DELETE /execution-rules/:id',
  clearExecutionRules: 'DELETE /execution-rules',
  advanceExecution: 'POST /executions/:id/advance',
  settleExecutions: 'POST /executions/settle',
  catalog: 'GET /connections/:id/catalog',
  replaceCatalog: 'PUT /connections/:id/catalog',
  partners: 'GET /partners',
  organization: 'GET /organizations/:id',
  executions: 'GET /executions',
  execution: 'GET /executions/:id',
  clock: 'GET /clock',
  advanceClock: 'POST /clock'
} as const satisfies Record<ControlName, string>

/** Routes kept for older callers that are another name of a control: POST /executions adds an execution rule. */
export const ROUTE_ALIASES: Readonly<Record<string, ControlName>> = { 'POST /executions': 'addExecutionRule' }

/** The error body of the admin API (Polytomic's error shape). */
export interface AdminErrorBody {
  status?: number
  key?: string
  message?: string
  metadata?: Record<string, unknown>
}

/**
 * A control the simulator refused, in-process or over HTTP alike: its status, its key (the error body's `key`:
 * "fault_not_found", "deliveries_unsettled", ...), the body's metadata, and the body itself. Over HTTP, a
 * simulator that did not answer at all is status 0, key "unreachable".
 */
export class AdminError extends Error {
  readonly status: number
  readonly key: string
  readonly metadata: Record<string, unknown>
  readonly body: unknown

  constructor (method: string, path: string, status: number, body: unknown, options?: { cause?: unknown }) {
    const error = typeof body === 'object' && body !== null ? (body as AdminErrorBody) : {}
    const detail = typeof error.message === 'string' ? error.message : JSON.stringify(body)
    const key = typeof error.key === 'string' ? error.key : status === 0 ? 'unreachable' : `http_${status}`
    super(
      status === 0 ? `${method} ${path}: ${detail}` : `${method} ${path} answered ${status} (${key}): ${detail}`,
      options
    )
    this.name = 'AdminError'
    this.status = status
    this.key = key
    this.metadata = typeof error.metadata === 'object' && error.metadata !== null ? error.metadata : {}
    this.body = body
  }
}

/** A route's path with its parameters filled in (each encoded). */
export function routePath (name: ControlName, params: readonly string[] = []): { method: string; path: string } {
  const [method, pattern] = CONTROL_ROUTES[name].split(' ') as [string, string]
  let next = 0
  const path = pattern.replace(/:[a-z_]+/g, () => encodeURIComponent(params[next++] ?? ''))
  return { method, path }
}
