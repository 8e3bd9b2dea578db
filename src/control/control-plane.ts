import { ApiError, Errors, validationError } from '../core/errors.js'
import type { Notification, NotificationFilter } from '../store/events/notifications.js'
import type { FaultRule, FaultRuleInput, Faults } from './faults.js'
import type { Journal, JournalEntry, JournalFilter } from './journal.js'
import { unsafeJsonProblem } from '../core/json.js'
import { LIMITS } from '../core/limits.js'
import {
  AdvanceExecutionBody,
  ClockBody,
  ConnectCompleteBody,
  ConnectionCheckBody,
  DeliveryFaultBody,
  EmitEventBody,
  ExecutionFilterShape,
  ExecutionRuleBody,
  FaultBody,
  SettleBody
} from '../http/schemas/admin.js'
import type { ExecutionRule, ExecutionRuleInput } from './execution-rules.js'
import type { AdvanceTarget } from '../store/syncs/executions.js'
import type { DeliveryFaultInput, DeliveryFaultRule } from './delivery-faults.js'
import type { DeliveryAttempt, DeliveryDispatcher, DeliveryFilter, SettleResult } from '../background/dispatcher.js'
import type { Health, SettleDeliveriesInput } from './controls.js'
import { PACKAGE_VERSION } from '../core/package-info.js'
import { plausiblePayload, type EventView } from '../store/events/events.js'
import type { EventType } from '../http/schemas/events.js'
import type { ConnectionCheckInput, ConnectionCheckRule } from './connection-checks.js'
import type { SavedConnectionView } from '../store/connections/connections.js'
import { redactSecrets } from '../core/secrets.js'
import type { Fixtures } from '../http/schemas/fixtures.js'
import { FixtureError, validateFixtures } from '../store/fixtures.js'
import type { Store } from '../store/index.js'
import { createTenant, deleteTenant, type Tenant } from '../store/tenants.js'
import { BASELINE, type SnapshotInfo } from '../store/world.js'
import type { ValidateFunction } from 'ajv'
import { compileSchema, firstIssue } from '../http/validation.js'
import { CatalogShape, type CatalogInput } from '../http/schemas/catalogs.js'
import type { Catalog } from '../store/catalogs/catalog.js'
import type { StoredConnection } from '../store/connections/connections.js'
import type { ConsoleEntry } from '../store/syncs/console-log.js'
import type {
  ExecutionFilter,
  ExecutionView,
  OrganizationView,
  PartnerView
} from '../store/world-view.js'

export type { ExecutionFilter, ExecutionView, OrganizationView, PartnerView }

/** GET /__admin/executions/:id, sim.execution: a run and its console log, oldest line first. */
export interface ExecutionDetail extends ExecutionView {
  console_log: ConsoleEntry[]
}

/** The route's own validator (POST /__admin/faults), so that a rule added in-process meets the same checks. */
const validateFaultRule = compileSchema<FaultRuleInput>(FaultBody)
const validateConnectionCheck = compileSchema<ConnectionCheckInput>(ConnectionCheckBody)
const validateEmitEvent = compileSchema<EmitEventInput>(EmitEventBody)
const validateDeliveryFault = compileSchema<DeliveryFaultInput>(DeliveryFaultBody)
const validateSettle = compileSchema<SettleDeliveriesInput>(SettleBody)
const validateClock = compileSchema<{ advance_s: number }>(ClockBody)
const validateExecutionRule = compileSchema<ExecutionRuleInput>(ExecutionRuleBody)
const validateAdvance = compileSchema<AdvanceInput>(AdvanceExecutionBody)
const validateExecutionFilter = compileSchema<ExecutionFilter>(ExecutionFilterShape)
const validateCatalog = compileSchema<CatalogInput>(CatalogShape)
const validateConnectCompletion = compileSchema<{ type?: string; configuration: Record<string, unknown> }>(
  ConnectCompleteBody
)

/**
 * A copy of an in-process input checked by its route's schema (an unknown field is refused): a 422 naming the
 * field.
 */
function checked<T> (validate: ValidateFunction<T>, given: unknown): T {
  const input = typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given } : given
  if (!validate(input)) {
    const issue = firstIssue(validate.errors ?? [])
    throw validationError(
      issue === undefined || issue.path === '' ? 'body' : issue.path,
      issue?.problem ?? 'is invalid'
    )
  }
  return input
}

/** POST /__admin/events, sim.emitEvent: an event of a type for an organization, with any fields of its payload. */
export interface EmitEventInput {
  organization_id: string
  type: EventType
  event?: Record<string, unknown>
}

/** POST /__admin/executions/:id/advance, sim.advanceExecution: the next state, or a named one. */
export interface AdvanceInput {
  status?: AdvanceTarget
  message?: string
}

/** The clock as GET and POST /__admin/clock show it. */
export interface ClockView {
  now: string
  offset_ms: number
}

function invalidFixtures (err: FixtureError): ApiError {
  return Errors.InvalidFixtures({ message: err.message, metadata: { path: err.path, problem: err.problem } })
}

/**
 * The test control plane's operations, shared by the /__admin routes and the in-process API.
 * Every write is one transaction, so it never interleaves half-way with an API request.
 */
export class ControlPlane {
  private readonly startedAt = Date.now()

  constructor (
    private readonly store: Store,
    private readonly journal: Journal,
    private readonly faults: Faults,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly tokenRequired = false
  ) {}

  health (): Health {
    return {
      status: 'ok',
      version: PACKAGE_VERSION,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      token_required: this.tokenRequired
    }
  }

  /**
   * Back to the baseline world; minted keys, idempotency records, Connect sessions, fault rules,
   * connection-check rules, delivery fault rules, execution rules, the journal and the delivery log are cleared too,
   * deliveries of events that are gone are cancelled, and simulated time is the wall clock again.
   */
  reset (): Record<string, number> {
    this.store.reset()
    this.store.idempotency.clear()
    this.store.checks.clear()
    this.store.deliveryFaults.clear()
    this.store.executionRules.clear()
    this.journal.clear()
    this.dispatcher.log.clear()
    this.faults.clear()
    return this.store.world.counts()
  }

  /**
   * The world as a fixture document; with redact, every secret field (src/core/secrets.ts) is replaced, for
   * sharing rather than reloading.
   */
  exportFixtures (options: { redact?: boolean } = {}): Fixtures {
    const document = this.store.world.export()
    return options.redact === true ? redactSecrets(document) : document
  }

  /** Replaces the world (and the reset baseline) with a fixture document; a bad one is a 422 and changes nothing. */
  replaceFixtures (document: unknown, source = '<request body>'): Record<string, number> {
    try {
      this.store.replaceWorld(validateFixtures(document, source), source)
    } catch (err) {
      throw err instanceof FixtureError ? invalidFixtures(err) : err
    }
    return this.store.world.counts()
  }

  snapshot (name: string): SnapshotInfo {
    return this.store.transaction(() => this.store.world.saveSnapshot(name))
  }

  /** The snapshot's world; pending deliveries of events or webhooks it does not hold are cancelled. */
  restore (name: string): Record<string, number> {
    if (name === BASELINE || !this.store.world.hasSnapshot(name)) throw Errors.SnapshotNotFound()
    this.store.transaction(() => {
      this.store.world.restoreSnapshot(name)
      this.store.deliveries.sweep()
    })
    return this.store.world.counts()
  }

  deleteSnapshot (name: string): void {
    if (name === BASELINE || !this.store.world.deleteSnapshot(name)) throw Errors.SnapshotNotFound()
  }

  snapshots (): SnapshotInfo[] {
    return this.store.world.listSnapshots()
  }

  createTenant (input: { name?: string } = {}): Tenant {
    return this.store.transaction(() => createTenant(this.store, input))
  }

  /** The partner and everything under it, pending webhook deliveries included. */
  deleteTenant (partnerId: string): void {
    this.store.transaction(() => {
      deleteTenant(this.store, partnerId)
      this.store.deliveries.sweep()
    })
  }

  requests (filter: JournalFilter = {}): JournalEntry[] {
    return this.journal.query(filter)
  }

  clearRequests (): number {
    return this.journal.clear()
  }

  addFault (given: FaultRuleInput): FaultRule {
    const input = checked(validateFaultRule, given)
    // Over HTTP the body parser already refused such a body; in-process, anything can be passed.
    const problem = input.body === undefined ? null : unsafeJsonProblem(input.body, LIMITS.jsonDepth)
    if (problem !== null) throw validationError('body', problem)
    return this.faults.add(input)
  }

  faultRules (): FaultRule[] {
    return this.faults.list()
  }

  removeFault (id: string): void {
    if (!this.faults.remove(id)) throw Errors.FaultNotFound()
  }

  clearFaults (): number {
    return this.faults.clear()
  }

  /** Makes the simulated connection check fail for a type and/or a name pattern, `times` times or until removed. */
  addConnectionCheck (given: ConnectionCheckInput): ConnectionCheckRule {
    return this.store.checks.add(checked(validateConnectionCheck, given))
  }

  connectionChecks (): ConnectionCheckRule[] {
    return this.store.checks.list()
  }

  removeConnectionCheck (id: string): void {
    if (!this.store.checks.remove(id)) throw Errors.ConnectionCheckNotFound()
  }

  clearConnectionChecks (): number {
    return this.store.checks.clear()
  }

  /**
   * Completes a Connect session as the customer's browser would (the hosted form's submit): the
   * connection is created in the session's organization and the token is used up.
   */
  completeConnect (
    token: string,
    given: { type?: string; configuration: Record<string, unknown> }
  ): { connection: SavedConnectionView; redirect_url: string } {
    const input = checked(validateConnectCompletion, given)
    const { connection, redirectUrl } = this.store.transaction(() => this.store.connect.complete(token, input))
    return { connection: this.store.connections.savedView(connection), redirect_url: redirectUrl }
  }

  /**
   * Emits an event as Polytomic would (into the log, and to the organization's webhook): the
   * payload's fields are checked against the type's shape and the rest filled in plausibly.
   */
  emitEvent (given: EmitEventInput): EventView {
    const input = checked(validateEmitEvent, given)
    return this.store.transaction(() => {
      const organization = this.store.organizations.find(input.organization_id)
      if (organization === undefined) throw Errors.OrganizationNotFound()
      return this.store.events.emit(
        organization.id,
        input.type,
        plausiblePayload(input.type, organization.id, input.event ?? {}, this.store.random)
      )
    })
  }

  deliveries (filter: DeliveryFilter = {}): DeliveryAttempt[] {
    return this.dispatcher.log.query(filter)
  }

  /**
   * What the simulator would have mailed (no mail leaves it), oldest first: run failures to the global error
   * subscribers, exported logs to whoever asked with notify. Kept with the world: reset and restore take them.
   */
  notifications (filter: NotificationFilter = {}): Notification[] {
    return this.store.notifications.list(filter)
  }

  /**
   * Waits (at most timeout_ms, default 10 s) until no webhook delivery is pending or in flight: every
   * organization's, or only one organization's or one partner's. With fail_if_unsettled, running out of time is a
   * 409 whose metadata lists what is still waiting.
   */
  async settleDeliveries (given: SettleDeliveriesInput | null = {}): Promise<SettleResult> {
    const input = checked(validateSettle, given ?? {})
    const result = await this.dispatcher.settle({
      timeoutMs: input.timeout_ms,
      fastForward: input.fast_forward,
      organizationId: input.organization_id,
      partnerId: input.partner_id
    })
    if (!result.settled && input.fail_if_unsettled === true) {
      const first = result.waiting[0]
      throw Errors.DeliveriesUnsettled({
        message:
          `${result.pending} deliveries still pending and ${result.in_flight} in flight when the bound ran out` +
          (first === undefined
            ? ''
            : `; the first, ${first.event_type} to ${first.endpoint}, is due at ${first.next_attempt_at}` +
              (first.last_error === null ? '' : ` after: ${first.last_error}`)),
        metadata: { ...result }
      })
    }
    return result
  }

  addDeliveryFault (given: DeliveryFaultInput): DeliveryFaultRule {
    return this.store.deliveryFaults.add(checked(validateDeliveryFault, given))
  }

  deliveryFaults (): DeliveryFaultRule[] {
    return this.store.deliveryFaults.list()
  }

  removeDeliveryFault (id: string): void {
    if (!this.store.deliveryFaults.remove(id)) throw Errors.DeliveryFaultNotFound()
  }

  clearDeliveryFaults (): number {
    return this.store.deliveryFaults.clear()
  }

  /**
   * Decides how the next matching sync runs end (complete, fail, complete with errors, hang), `times` times
   * or until removed.
   */
  addExecutionRule (given: ExecutionRuleInput): ExecutionRule {
    return this.store.executionRules.add(checked(validateExecutionRule, given))
  }

  executionRules (): ExecutionRule[] {
    return this.store.executionRules.list()
  }

  removeExecutionRule (id: string): void {
    if (!this.store.executionRules.remove(id)) throw Errors.ExecutionRuleNotFound()
  }

  clearExecutionRules (): number {
    return this.store.executionRules.clear()
  }

  /** Every partner with its organizations (the console's world), organizations no partner owns last. */
  partners (): PartnerView[] {
    return this.store.view.partnerList()
  }

  /** One organization and what is in it: users, connections, syncs with their newest runs, webhooks, events. */
  organization (id: string): OrganizationView {
    return this.store.view.organizationView(id, Date.now())
  }

  /** Sync runs, newest first: an organization's, a sync's, or in one status. */
  executions (filter: ExecutionFilter = {}): ExecutionView[] {
    const given = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined))
    return this.store.view.executionList(checked(validateExecutionFilter, given))
  }

  /** One run with its console log. */
  execution (id: string): ExecutionDetail {
    const view = this.store.view.executionView(id)
    const stored = this.store.executions.find(id) as NonNullable<ReturnType<typeof this.store.executions.find>>
    return { ...view, console_log: this.store.executions.consoleLog(stored) }
  }

  /** Moves one run to its next state now, or to a named one (its events are emitted on the way). */
  advanceExecution (id: string, given: AdvanceInput = {}): ExecutionView {
    const input = checked(validateAdvance, given)
    this.store.transaction(() => this.store.executions.advance(id, input.status, input.message))
    return this.store.view.executionView(id)
  }

  /**
   * Every run that is not hanging taken to its end now, and every job finished: what the runner
   * would do as simulated time passes, at once. Hanging runs are counted (advance them).
   */
  settleExecutions (): { finished: number; hanging: number; jobs: number; refreshes: number } {
    return this.store.transaction(() => {
      const runs = this.store.executions.settle()
      return {
        ...runs,
        jobs: this.store.jobs.finishDue(Number.MAX_SAFE_INTEGER),
        refreshes: this.store.catalogs.finishDue(Number.MAX_SAFE_INTEGER)
      }
    })
  }

  /** Resolves once every query the query runner was given has its answer (then settleExecutions reports it). */
  queriesAnswered (): Promise<void> {
    return this.store.queries.idle()
  }

  private connection (id: string): StoredConnection {
    const connection = this.store.connections.find(id)
    if (connection === undefined) throw Errors.ConnectionNotFound()
    return connection
  }

  /** What a connection's source holds now (its parent's, for a shared copy): schemas and rows. */
  catalog (connectionId: string): Catalog {
    return this.store.catalogs.source(this.connection(connectionId)).catalog
  }

  /**
   * The source of a connection now holds this catalog (a table added, a column dropped, rows changed). Rows and
   * queries see it at once; the API's schemas only after a schema refresh, as with Polytomic.
   */
  replaceCatalog (connectionId: string, given: unknown): { status: 'ok'; schemas: number; rows: number } {
    const input = checked(validateCatalog, given)
    const connection = this.connection(connectionId)
    this.store.transaction(() => this.store.catalogs.replaceSource(connection, input))
    const catalog = this.catalog(connectionId)
    const rows = catalog.schemas.reduce((n, s) => n + s.rows.length, 0)
    return { status: 'ok', schemas: catalog.schemas.length, rows }
  }

  clock (): ClockView {
    return { now: new Date(this.store.clock.now()).toISOString(), offset_ms: this.store.clock.offsetMs }
  }

  /** Moves simulated time forward: events age (retention), waiting retries and delays fall due. */
  advanceClock (seconds: number): ClockView {
    this.store.clock.advance(checked(validateClock, { advance_s: seconds }).advance_s * 1000)
    return this.clock()
  }
}
