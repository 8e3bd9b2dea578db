import type { Statement } from 'better-sqlite3'
import { openDatabase, type Db } from './db.js'
import { AccessPolicy } from './identity/access.js'
import { CredentialRepository } from './identity/credentials.js'
import { OrganizationRepository } from './identity/organizations.js'
import { RoleRepository } from './identity/roles.js'
import { PolicyRepository } from './identity/policies.js'
import { UserRepository } from './identity/users.js'
import { describeCaller, type Identity } from './identity/identity.js'
import { loadFixtures } from './fixtures.js'
import { BASELINE, WorldRepository } from './world.js'
import { WorldView } from './world-view.js'
import { IdempotencyRepository } from './idempotency.js'
import type { Fixtures } from '../http/schemas/fixtures.js'
import type { Caller } from './types.js'
import { ConnectionChecks } from '../control/connection-checks.js'
import { ConnectionTypeCatalog } from './connections/connection-types.js'
import { ConnectionRepository, type Actor } from './connections/connections.js'
import { ConnectSessionRepository } from './connections/connect.js'
import { ConnectionProxy } from './connections/proxy.js'
import { LOOPBACK_HOSTS } from '../core/config.js'
import { Clock } from '../control/clock.js'
import { DeliveryFaults } from '../control/delivery-faults.js'
import { DeliveryQueue } from './events/deliveries.js'
import { EventLog } from './events/events.js'
import { WebhookRepository } from './events/webhooks.js'
import { NotificationRepository } from './events/notifications.js'
import { ExecutionRules } from '../control/execution-rules.js'
import { ExecutionRepository } from './syncs/executions.js'
import { RunLogs } from './syncs/run-logs.js'
import { BulkSyncRepository } from './syncs/bulk-syncs.js'
import { ModelRepository } from './syncs/models.js'
import { ModelSyncRepository } from './syncs/model-syncs.js'
import { JobRepository } from './syncs/jobs.js'
import { EntityResolver } from './entities.js'
import { CatalogRepository } from './catalogs/catalogs.js'
import { DefaultCatalogs } from './catalogs/catalog.js'
import { SqlEngine } from './catalogs/sql.js'
import { QueryRunner } from './catalogs/queries.js'
import { modelSource } from './catalogs/model-source.js'
import { SyncScheduler } from '../background/scheduler.js'
import { DEFAULT_BOUNDS, QUERY_QUEUE, type Bounds } from '../core/bounds.js'

export interface StoreOptions {
  /** How long the event log keeps an event, in simulated milliseconds (default 48 hours). */
  eventRetentionMs?: number
  /** Hosts webhook endpoints may name; null (the default) for any. */
  webhookAllowedHosts?: readonly string[] | null
  /** The seeded random source (FAULT_SEED) for delivery faults and plausible event payloads. */
  random?: () => number
  /** How long a sync run takes from running to its end, in simulated milliseconds (default 5 s). */
  syncRunDurationMs?: number
  /** How much of what callers can grow is kept (src/core/bounds.ts); the defaults for what is left out. */
  bounds?: Partial<Bounds>
  /** How long a run log file's signed URL works, in simulated milliseconds (default 15 minutes). */
  logUrlTtlMs?: number
  /** Hosts the connection proxy may call; null for any (default: this machine's, LOOPBACK_HOSTS). */
  proxyAllowedHosts?: readonly string[] | null
  /** How long the connection proxy waits for an answer, in ms (default 30 s). */
  proxyTimeoutMs?: number
  /** Proxy calls one connection may make per minute of simulated time (default 600). */
  proxyRatePerMinute?: number
}

let bundledCatalogs: DefaultCatalogs | undefined
/** The bundled default catalogs, read once per process. */
function defaultCatalogs (): DefaultCatalogs {
  return (bundledCatalogs ??= new DefaultCatalogs())
}

/** The tables the store's caches read: a write to one of them reaches tableWritten. */
const CACHED_TABLES = ['api_keys', 'partners', 'deployment_keys', 'organizations', 'roles', 'connection_types'] as const

/** Owns the connection and every repository over it. No Fastify in here. */
export class Store {
  readonly db: Db
  readonly roles: RoleRepository
  readonly policies: PolicyRepository
  readonly organizations: OrganizationRepository
  readonly users: UserRepository
  readonly credentials: CredentialRepository
  readonly access: AccessPolicy
  readonly world: WorldRepository
  /** The world as the console shows it: partners, one organization's contents, runs. */
  readonly view: WorldView
  readonly idempotency: IdempotencyRepository
  readonly connectionTypes: ConnectionTypeCatalog
  readonly connections: ConnectionRepository
  readonly connect: ConnectSessionRepository
  /** The connection proxy (2025-09-18): requests sent to a connection's own API. */
  readonly proxy: ConnectionProxy
  /** The simulated upstream check's failure rules (test control state, not the world). */
  readonly checks = new ConnectionChecks()
  /** Simulated time: event times, retention and delivery due times. */
  readonly clock = new Clock()
  readonly webhooks: WebhookRepository
  readonly events: EventLog
  /** Global error subscribers, and the notifications they would have been sent. */
  readonly notifications: NotificationRepository
  readonly deliveries: DeliveryQueue
  /** Delivery fault rules (test control state, not the world). */
  readonly deliveryFaults: DeliveryFaults
  readonly random: () => number
  /** How sync runs end, as tests decide (test control state, not the world). */
  readonly executionRules = new ExecutionRules()
  readonly executions: ExecutionRepository
  /** Runs' log files and their signed URLs. */
  readonly runLogs: RunLogs
  readonly models: ModelRepository
  readonly modelSyncs: ModelSyncRepository
  readonly bulkSyncs: BulkSyncRepository
  readonly jobs: JobRepository
  /** What an id names (2025-09-18's entity resolver). */
  readonly entities: EntityResolver
  readonly scheduler: SyncScheduler
  /** What is inside each connection: schemas, rows, user fields, primary keys, refreshes. */
  readonly catalogs: CatalogRepository
  /** The query runner (queryRunner.*, model samples): SQL in a process of its own. */
  readonly queries: QueryRunner
  private readonly sqlEngine: SqlEngine
  private closed = false
  private readonly inTransaction: (fn: () => unknown) => unknown
  private readonly totalChanges: Statement

  constructor (filename: string, options: StoreOptions = {}) {
    this.db = openDatabase(filename)
    this.random = options.random ?? Math.random
    const bounds: Bounds = { ...DEFAULT_BOUNDS, ...options.bounds }
    for (const rules of [this.checks, this.executionRules]) rules.maxRules = bounds.rules
    this.policies = new PolicyRepository(this.db)
    this.roles = new RoleRepository(this.db, this.policies)
    this.organizations = new OrganizationRepository(this.db, this.roles)
    this.users = new UserRepository(this.db, this.roles)
    this.credentials = new CredentialRepository(this.db)
    this.connectionTypes = new ConnectionTypeCatalog(this.db)
    this.connections = new ConnectionRepository(this.db, this.connectionTypes, this.checks)
    this.connect = new ConnectSessionRepository(this.db, this.connectionTypes, this.connections, bounds.connectSessions)
    this.proxy = new ConnectionProxy(this.db, this.clock, () => this.webhooks.listeningPorts(), {
      allowedHosts: options.proxyAllowedHosts === undefined ? [...LOOPBACK_HOSTS] : options.proxyAllowedHosts,
      timeoutMs: options.proxyTimeoutMs ?? 30_000,
      ratePerMinute: options.proxyRatePerMinute ?? 600,
      keep: bounds.proxyCalls
    })
    this.deliveries = new DeliveryQueue(this.db, bounds.webhookQueue)
    this.webhooks = new WebhookRepository(this.db, this.clock, options.webhookAllowedHosts ?? null, this.deliveries)
    this.deliveryFaults = new DeliveryFaults(this.random)
    this.deliveryFaults.maxRules = bounds.rules
    this.events = new EventLog(
      this.db,
      this.clock,
      { retentionMs: options.eventRetentionMs ?? 48 * 3600 * 1000, perOrganization: bounds.events },
      this.webhooks,
      this.deliveries,
      this.deliveryFaults
    )
    this.notifications = new NotificationRepository(this.db, this.clock, bounds.notifications)
    this.executions = new ExecutionRepository(
      this.db,
      this.clock,
      this.events,
      this.executionRules,
      this.random,
      options.syncRunDurationMs ?? 5000,
      bounds.runsPerSync,
      bounds.consoleLogEntries,
      this.notifications
    )
    this.runLogs = new RunLogs(this.executions, this.clock, options.logUrlTtlMs ?? 15 * 60 * 1000)
    this.catalogs = new CatalogRepository(this.db, this.clock, defaultCatalogs(), {
      maxRows: bounds.catalogRows,
      cacheSize: bounds.catalogCache
    })
    this.models = new ModelRepository(this.db, this.clock, this.connections, this.connectionTypes, (c, configuration) =>
      modelSource(this.catalogs, this.queries, c, configuration)
    )
    this.modelSyncs = new ModelSyncRepository(
      this.db,
      this.clock,
      this.connections,
      this.connectionTypes,
      this.models,
      this.executions,
      this.catalogs
    )
    this.bulkSyncs = new BulkSyncRepository(
      this.db,
      this.clock,
      this.connections,
      this.connectionTypes,
      this.executions,
      bounds.schedulesPerSync,
      this.catalogs
    )
    this.jobs = new JobRepository(this.db, this.clock, { count: bounds.jobs, bytes: bounds.jobBytes })
    this.sqlEngine = new SqlEngine({
      timeoutMs: bounds.queryTimeoutMs,
      maxRows: bounds.queryRows,
      cacheSize: bounds.catalogCache,
      queueMax: QUERY_QUEUE
    })
    this.queries = new QueryRunner(this, this.sqlEngine)
    this.scheduler = new SyncScheduler(this.db, this.bulkSyncs, this.modelSyncs, this.executions)
    this.connections.beforeSyncsRemoved = (syncIds) => {
      for (const id of syncIds) this.executions.cancelForDeletion(id)
    }
    this.entities = new EntityResolver(this.db)
    const namedPolicies = (organizationId: string, ids: readonly string[] | undefined): string[] =>
      this.policies.requireNamed(organizationId, ids)
    for (const repository of [this.connections, this.models, this.modelSyncs, this.bulkSyncs]) {
      repository.namedPolicies = namedPolicies
    }
    this.access = new AccessPolicy(
      this.organizations,
      this.users,
      this.roles,
      this.connections,
      this.webhooks,
      this,
      this.policies
    )
    this.world = new WorldRepository(this.db, this.connectionTypes, this.connections, this.webhooks, this.events, this)
    this.view = new WorldView(this.db, this.executions)
    this.idempotency = new IdempotencyRepository(this.db, {
      records: bounds.idempotencyRecords,
      bytes: bounds.idempotencyBytes
    })
    this.idempotency.dropStaleClaims()
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn())
    this.totalChanges = this.db.prepare('SELECT total_changes()').pluck()
    this.watchCachedTables()
  }

  /**
   * Replaces the world with a validated fixture document, atomically, and makes it the baseline
   * that reset() returns to. A bad entry throws FixtureError and changes nothing.
   */
  replaceWorld (fixtures: Fixtures, source: string): void {
    this.transaction(() => {
      this.world.clear()
      loadFixtures(this, fixtures, source)
      this.world.saveSnapshot(BASELINE)
    })
  }

  /** Every cache, at once: after a transaction that rolled back (it may have cached what never landed). */
  private invalidateCaches (): void {
    this.credentials.invalidate()
    this.organizations.invalidate()
    this.roles.invalidate()
    this.connectionTypes.invalidate()
  }

  /**
   * Drops what a write to `table` made stale, and only that: a user's new role leaves resolved
   * credentials alone, a revoked key does not clear organizations. Called by SQLite itself (temporary
   * triggers, see watchCachedTables), so a write anywhere (a route, fixtures, a restore, a cascade
   * from a deleted partner) reaches the caches; no code path has to remember to.
   */
  private tableWritten (table: string): void {
    switch (table) {
      case 'api_keys':
      case 'partners':
      case 'deployment_keys':
        this.credentials.invalidate()
        break
      case 'organizations':
        // A Basic credential names an organization and is valid only while it belongs to the key's partner.
        this.credentials.invalidate()
        this.organizations.invalidate()
        break
      case 'roles':
        this.roles.invalidate()
        break
      case 'connection_types':
        this.connectionTypes.invalidate()
        break
    }
  }

  /**
   * Temporary triggers (this connection's only: never written into a database file) that tell
   * tableWritten about every insert, update and delete on a table a cache reads, foreign key
   * cascades included.
   */
  private watchCachedTables (): void {
    this.db.function('pm_table_written', { deterministic: false }, (table: unknown) => {
      this.tableWritten(String(table))
      return null
    })
    for (const table of CACHED_TABLES) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        this.db.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS pm_${table}_${event.toLowerCase()} AFTER ${event} ON main.${table}
            BEGIN SELECT pm_table_written('${table}'); END`
        )
      }
    }
  }

  /**
   * A number that changes whenever anything in the database is written (SQLite's total_changes()
   * on this connection): the response cache (src/http/plugins/response-cache.ts) keeps an answer only
   * while it stays the same.
   */
  writeGeneration (): number {
    return this.totalChanges.get() as number
  }

  /** Keeps the world as it is (a persisted database) as the baseline. */
  adoptWorldAsBaseline (): void {
    this.transaction(() => this.world.saveSnapshot(BASELINE))
  }

  /**
   * Back to the baseline: the fixtures loaded at start or by the last replaceWorld(); open Connect
   * sessions end, deliveries of events the baseline does not hold are cancelled, simulated time is
   * the wall clock again.
   */
  reset (): void {
    this.transaction(() => {
      this.world.restoreSnapshot(BASELINE)
      this.connect.clear()
      this.deliveries.sweep()
    })
    this.clock.reset()
  }

  /**
   * Runs fn in one transaction: all of its writes land, or none do. fn must be synchronous.
   * Caches drop what the writes touch as they happen (tableWritten); a transaction that fails
   * drops them all, since a read inside it may have cached a row that was rolled back.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.inTransaction(fn) as T
    } catch (err) {
      this.invalidateCaches()
      throw err
    }
  }

  /** What GET /api/me says about a caller (reference 3). */
  identityOf (caller: Caller): Identity {
    return describeCaller(caller, this.organizations, this.users)
  }

  /** Who a caller is, as a connection records its creator (the SDK's OutputActor). */
  actorOf (caller: Caller): Actor {
    switch (caller.kind) {
      case 'user':
        return { id: caller.userId, name: this.users.find(caller.organizationId, caller.userId).email, type: 'user' }
      case 'organization':
        return {
          id: caller.organizationId,
          name: this.organizations.find(caller.organizationId)?.name ?? 'organization',
          type: 'organization'
        }
      case 'partner':
        return {
          id: caller.partnerId,
          name: this.credentials.findPartner(caller.partnerId)?.name ?? 'partner',
          type: 'partner'
        }
      case 'deployment':
        return { name: 'deployment key', type: 'system' }
    }
  }

  /**
   * Who is told when something the caller asked for is ready (exported logs with notify): a user key's user,
   * otherwise the organization's global error subscribers.
   */
  recipientsOf (caller: Caller, organizationId: string): string[] {
    if (caller.kind === 'user') return [this.users.find(caller.organizationId, caller.userId).email]
    return this.notifications.subscribers(organizationId)
  }

  /** True when no world has been loaded yet: fixtures go only into an empty database. */
  isEmpty (): boolean {
    return (
      this.db
        .prepare(
          `SELECT NOT EXISTS (SELECT 1 FROM organizations) AND NOT EXISTS (SELECT 1 FROM partners)
      AND NOT EXISTS (SELECT 1 FROM deployment_keys) AS empty`
        )
        .pluck()
        .get() === 1
    )
  }

  get isClosed (): boolean {
    return this.closed
  }

  /** Safe to call twice. */
  close (): void {
    if (this.closed) return
    this.closed = true
    this.proxy.close()
    this.sqlEngine.close()
    this.db.close()
  }
}

export type { Caller, CallerKind, Organization, OrganizationRecord, Role, User, Partner } from './types.js'
