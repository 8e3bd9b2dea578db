import type { Catalog } from '../store/catalogs/catalog.js'
import type { CatalogInput } from '../http/schemas/catalogs.js'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp } from '../http/app.js'
import { ConfigError, configFromOptions, type Config } from '../core/config.js'
import type { FaultRule, FaultRuleInput } from '../control/faults.js'
import type { ConnectionCheckInput, ConnectionCheckRule } from '../control/connection-checks.js'
import type { SavedConnectionView } from '../store/connections/connections.js'
import type { JournalEntry, JournalFilter } from '../control/journal.js'
import type { AdvanceInput, ClockView, EmitEventInput, ExecutionView } from '../control/control-plane.js'
import type { ExecutionRule, ExecutionRuleInput } from '../control/execution-rules.js'
import type { DeliveryFaultInput, DeliveryFaultRule } from '../control/delivery-faults.js'
import type { DeliveryAttempt, DeliveryFilter, SettleOptions, SettleResult } from '../background/dispatcher.js'
import type { Notification, NotificationFilter } from '../store/events/notifications.js'
import type { EventView } from '../store/events/events.js'
import type { Fixtures } from '../http/schemas/fixtures.js'
import type { Tenant } from '../store/tenants.js'
import type { SnapshotInfo } from '../store/world.js'

/** A setting in code: its typed value, or the command line's string form ("250", "100-400", "true"). */
export type SettingOptions = {
  [K in Exclude<keyof Config, 'fixtures'>]?: Config[K] | string | (K extends 'latencyMs' ? number : never)
}

export type SimulatorOptions = SettingOptions & {
  /** A fixture file path, or the document itself. Defaults to the bundled fixtures. */
  fixtures?: string | Fixtures
  /** Fastify logger options; off unless given. */
  logger?: FastifyServerOptions['logger']
}

export interface ListenOptions {
  port?: number
  host?: string
  /** Keep the process running while the simulator listens, as a server does; off for a test suite's simulator. */
  keepProcessAlive?: boolean
}

export interface Simulator {
  /** The Fastify instance: use app.inject() for requests without a socket. */
  readonly app: FastifyInstance
  /** The base URL once listening, else null. */
  readonly url: string | null
  readonly config: Config
  /**
   * Starts listening (defaults: the configured port and host; port 0 picks a free one) and returns
   * the base URL. The socket does not keep the process alive, so a test run that forgets close()
   * still ends; a script whose only job is to serve passes keepProcessAlive: true (the CLI does).
   */
  listen(options?: ListenOptions): Promise<string>
  /** Stops listening, waits for in-flight requests and closes the database. Safe to call twice. */
  close(): Promise<void>
  /** close(), for `await using sim = await createSimulator()`. */
  [Symbol.asyncDispose](): Promise<void>
  reset(): Record<string, number>
  snapshot(name: string): SnapshotInfo
  restore(name: string): Record<string, number>
  createTenant(input?: { name?: string }): Tenant
  deleteTenant(partnerId: string): void
  requests(filter?: JournalFilter): JournalEntry[]
  addFault(rule: FaultRuleInput): FaultRule
  clearFaults(): number
  /**
   * Makes the simulated connection check fail (validate, test, Connect) for a type and/or a name pattern
   * ("Prod *").
   */
  addConnectionCheck(rule: ConnectionCheckInput): ConnectionCheckRule
  clearConnectionChecks(): number
  /**
   * Completes a Connect session as the customer's browser would; returns the connection and where the browser
   * is sent.
   */
  completeConnect(
    token: string,
    input: { type?: string; configuration: Record<string, unknown> }
  ): { connection: SavedConnectionView; redirect_url: string }
  /** Emits an event for an organization (into its log and to its webhook); payload fields left out are filled in. */
  emitEvent(input: EmitEventInput): EventView
  /** Webhook delivery attempts, newest first. */
  deliveries(filter?: DeliveryFilter): DeliveryAttempt[]
  /** What would have been mailed (failed runs to global error subscribers, exported logs), oldest first. */
  notifications(filter?: NotificationFilter): Notification[]
  /**
   * Resolves once no webhook delivery is pending or in flight (or after timeoutMs, default 10 s: then
   * settled is false); with organizationId or partnerId, only that tenant's.
   */
  settleDeliveries(options?: SettleOptions): Promise<SettleResult>
  /** Drops, duplicates, delays or reorders the next matching deliveries. */
  addDeliveryFault(rule: DeliveryFaultInput): DeliveryFaultRule
  clearDeliveryFaults(): number
  /** Moves simulated time forward (event retention, waiting retries). */
  advanceClock(seconds: number): ClockView
  /**
   * Decides how the next matching sync runs end: complete, fail (with a message), complete_with_errors, or
   * hang until advanced.
   */
  addExecutionRule(rule: ExecutionRuleInput): ExecutionRule
  clearExecutionRules(): number
  /**
   * Moves one sync run to its next state now, or to a named one (running, completed, completed_with_errors,
   * failed, canceled).
   */
  advanceExecution(id: string, input?: AdvanceInput): ExecutionView
  /**
   * Takes every sync run that is not hanging to its end now, and finishes every job and schema refresh (a query
   * the runner is still computing finishes once queriesAnswered() resolves).
   */
  settleExecutions(): { finished: number; hanging: number; jobs: number; refreshes: number }
  /** Resolves once every query given to the query runner has its answer. */
  queriesAnswered(): Promise<void>
  /** What a connection's source holds now: schemas and rows. */
  catalog(connectionId: string): Catalog
  /** The source of a connection now holds this catalog; the API's schemas follow at the next schema refresh. */
  replaceCatalog(connectionId: string, catalog: CatalogInput): { status: 'ok'; schemas: number; rows: number }
  /** The world as a fixture document; { redact: true } replaces every secret (for sharing, not for reloading). */
  exportFixtures(options?: { redact?: boolean }): Fixtures
  loadFixtures(document: Fixtures): Record<string, number>
}

/**
 * Writes the port whole or not at all (a temporary file renamed over it), so a script polling for the file
 * never reads half of it.
 */
function writePortFile (file: string, port: number): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${port}\n`)
  renameSync(temporary, file)
}

/**
 * The simulator as a library: a test suite starts it in-process, listens on port 0 and points its
 * client at `url`. Options are the CLI's settings, checked by the same rules (a bad value or an
 * unknown name throws a TypeError naming it); nothing is read from the environment.
 */
export async function createSimulator (options: SimulatorOptions = {}): Promise<Simulator> {
  const { fixtures, logger, ...settings } = options
  if (fixtures !== undefined && typeof fixtures !== 'string' && (typeof fixtures !== 'object' || fixtures === null)) {
    throw new ConfigError(
      `fixtures must be a file path or a fixture document, got ${fixtures === null ? 'null' : typeof fixtures}`
    )
  }
  const config = configFromOptions({ ...settings, ...(typeof fixtures === 'string' ? { fixtures } : {}) })
  const app = await buildApp({ config, fixtures: typeof fixtures === 'object' ? fixtures : undefined, logger })
  const { control } = app
  let url: string | null = null
  let closed = false
  let portFileWritten = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await app.close()
    url = null
    if (portFileWritten && config.portFile !== null) rmSync(config.portFile, { force: true })
  }

  return {
    app,
    config,
    get url () {
      return url
    },
    async listen (listenOptions = {}) {
      url = await app.listen({ port: listenOptions.port ?? config.port, host: listenOptions.host ?? config.host })
      if (listenOptions.keepProcessAlive !== true) {
        // Neither the listening socket nor a kept-alive connection holds the event loop: a test
        // runner (node:test, tap) ends once its tests are done, closed or not. Timers are unref'd where made.
        app.server.unref()
        app.server.on('connection', (socket) => socket.unref())
      }
      if (config.portFile !== null) {
        try {
          writePortFile(config.portFile, (app.server.address() as AddressInfo).port)
        } catch (err) {
          await close()
          throw new Error(`PORT_FILE ${config.portFile} cannot be written (${(err as Error).message})`)
        }
        portFileWritten = true
      }
      return url
    },
    close,
    [Symbol.asyncDispose]: close,
    reset: () => control.reset(),
    snapshot: (name) => control.snapshot(name),
    restore: (name) => control.restore(name),
    createTenant: (input) => control.createTenant(input),
    deleteTenant: (partnerId) => control.deleteTenant(partnerId),
    requests: (filter) => control.requests(filter),
    addFault: (rule) => control.addFault(rule),
    clearFaults: () => control.clearFaults(),
    addConnectionCheck: (rule) => control.addConnectionCheck(rule),
    clearConnectionChecks: () => control.clearConnectionChecks(),
    completeConnect: (token, input) => control.completeConnect(token, input),
    emitEvent: (input) => control.emitEvent(input),
    deliveries: (filter) => control.deliveries(filter),
    notifications: (filter) => control.notifications(filter),
    settleDeliveries: async (settleOptions) => control.settleDeliveries(settleOptions),
    addDeliveryFault: (rule) => control.addDeliveryFault(rule),
    clearDeliveryFaults: () => control.clearDeliveryFaults(),
    advanceClock: (seconds) => control.advanceClock(seconds),
    addExecutionRule: (rule) => control.addExecutionRule(rule),
    clearExecutionRules: () => control.clearExecutionRules(),
    advanceExecution: (id, input) => control.advanceExecution(id, input),
    settleExecutions: () => control.settleExecutions(),
    queriesAnswered: async () => await control.queriesAnswered(),
    catalog: (connectionId) => control.catalog(connectionId),
    replaceCatalog: (connectionId, catalog) => control.replaceCatalog(connectionId, catalog),
    exportFixtures: (exportOptions) => control.exportFixtures(exportOptions),
    loadFixtures: (document) => control.replaceFixtures(document, '<loadFixtures>')
  }
}
