import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'
import { WORLD_TABLES } from './schema.js'
import type {
  Fixtures,
  FixtureApiKey,
  FixtureOrganization,
  FixtureRole,
  FixtureUser
} from '../http/schemas/fixtures.js'
import type { OrganizationRow } from './types.js'
import type { ConnectionTypeCatalog } from './connections/connection-types.js'
import type { ConnectionRepository } from './connections/connections.js'
import type { EventLog } from './events/events.js'
import type { WebhookRepository } from './events/webhooks.js'
import type { BulkSyncRepository } from './syncs/bulk-syncs.js'
import type { ExecutionRepository } from './syncs/executions.js'
import type { JobRepository } from './syncs/jobs.js'
import type { CatalogRepository } from './catalogs/catalogs.js'
import type { ModelRepository } from './syncs/models.js'
import type { ModelSyncRepository } from './syncs/model-syncs.js'
import type { PolicyRepository } from './identity/policies.js'
import type { NotificationRepository } from './events/notifications.js'

/** What exports the sync part of the world. */
export interface SyncExports {
  readonly models: Pick<ModelRepository, 'exportAll'>
  readonly modelSyncs: Pick<ModelSyncRepository, 'exportAll'>
  readonly bulkSyncs: Pick<BulkSyncRepository, 'exportAll'>
  readonly executions: Pick<ExecutionRepository, 'exportAll'>
  readonly jobs: Pick<JobRepository, 'exportAll'>
  readonly catalogs: Pick<CatalogRepository, 'exportAll'>
  readonly policies: Pick<PolicyRepository, 'exportAll'>
  readonly notifications: Pick<NotificationRepository, 'exportSubscribers'>
}

const OPTIONAL_ORGANIZATION_FIELDS = ['sso_domain', 'sso_org_id', 'issuer', 'client_id', 'client_secret'] as const

export interface SnapshotInfo {
  name: string
  created_at: string
  counts: Record<string, number>
}

/** Internal name of the world the simulator started with (or last loaded): what reset restores. */
export const BASELINE = '\u0000baseline'

/**
 * The whole world at once: export in the fixture format, clear it, and copy it to and from
 * snapshots. Snapshots are tables in an attached in-memory database, copied with INSERT ... SELECT
 * inside one transaction, so a restore of thousands of rows takes milliseconds.
 */
export class WorldRepository {
  private readonly exportStatements: {
    deploymentKeys: Statement<[], { key: string | null }>
    partners: Statement<[], { id: string; name: string; key: string; organization_id: string }>
    organizations: Statement<[], OrganizationRow>
    roles: Statement<[], { id: string; organization_id: string; name: string; kind: string }>
    users: Statement<[], { id: string; organization_id: string; email: string; role_ids: string }>
    apiKeys: Statement<[], { key: string | null; key_hash: string; organization_id: string; user_id: string | null }>
  }

  private readonly countRows: Statement<[], Record<string, number>>
  private readonly snapshots = new Map<string, SnapshotInfo & { slot: number }>()
  private nextSlot = 0

  constructor (
    private readonly db: Db,
    private readonly connectionTypes: ConnectionTypeCatalog,
    private readonly connections: ConnectionRepository,
    private readonly webhooks: WebhookRepository,
    private readonly events: EventLog,
    private readonly syncs: SyncExports
  ) {
    db.exec("ATTACH DATABASE ':memory:' AS snapshots")
    this.countRows = db.prepare(
      `SELECT ${WORLD_TABLES.map((table) => `(SELECT count(*) FROM main.${table}) AS ${table}`).join(', ')}`
    )
    this.exportStatements = {
      deploymentKeys: db.prepare('SELECT key FROM deployment_keys ORDER BY seq'),
      partners: db.prepare('SELECT id, name, key, organization_id FROM partners ORDER BY seq'),
      organizations: db.prepare(
        `SELECT id, partner_id, name, sso_domain, sso_org_id, issuer, client_id, client_secret FROM organizations
          ORDER BY seq`
      ),
      roles: db.prepare('SELECT id, organization_id, name, kind FROM roles ORDER BY seq'),
      users: db.prepare(`SELECT u.id, u.organization_id, u.email,
        (SELECT json_group_array(role_id) FROM (SELECT role_id FROM user_roles WHERE user_id = u.id ORDER BY
          position)) AS role_ids
        FROM users u ORDER BY u.seq`),
      apiKeys: db.prepare('SELECT key, key_hash, organization_id, user_id FROM api_keys ORDER BY seq')
    }
  }

  /** The current world as a fixture document; keys known only by digest come out as key_sha256. */
  export (): Fixtures {
    const s = this.exportStatements
    return {
      deployment_keys: s.deploymentKeys.all().flatMap((row) => (row.key === null ? [] : [row.key])),
      partners: s.partners.all(),
      organizations: s.organizations.all().map((row) => {
        const org: FixtureOrganization = { id: row.id, name: row.name, partner_id: row.partner_id }
        for (const field of OPTIONAL_ORGANIZATION_FIELDS) if (row[field] !== null) org[field] = row[field]
        return org
      }),
      roles: s.roles.all().map((row): FixtureRole => ({
        id: row.id,
        organization_id: row.organization_id,
        name: row.name,
        system: row.kind !== 'custom'
      })),
      policies: this.syncs.policies.exportAll().map((p) => ({
        id: p.id,
        organization_id: p.organization_id,
        name: p.name,
        policy_actions: p.policy_actions
      })),
      users: s.users.all().map((row): FixtureUser => ({
        id: row.id,
        organization_id: row.organization_id,
        email: row.email,
        role_ids: JSON.parse(row.role_ids) as string[]
      })),
      api_keys: s.apiKeys.all().map((row): FixtureApiKey => {
        const apiKey: FixtureApiKey =
          row.key === null
            ? { key_sha256: row.key_hash, organization_id: row.organization_id }
            : { key: row.key, organization_id: row.organization_id }
        if (row.user_id !== null) apiKey.user_id = row.user_id
        return apiKey
      }),
      error_subscribers: this.syncs.notifications.exportSubscribers(),
      connection_types: this.connectionTypes.definitions(),
      connections: this.connectionsWithCatalogs(),
      webhooks: this.webhooks.exportAll(),
      events: this.events.exportAll(),
      models: this.syncs.models.exportAll(),
      model_syncs: this.syncs.modelSyncs.exportAll(),
      bulk_syncs: this.syncs.bulkSyncs.exportAll(),
      executions: this.syncs.executions.exportAll(),
      jobs: this.syncs.jobs.exportAll()
    }
  }

  /** The connections, each with what its catalog holds of its own. */
  private connectionsWithCatalogs (): Fixtures['connections'] {
    const catalogs = this.syncs.catalogs.exportAll()
    return this.connections.exportAll().map((c) => ({ ...c, ...catalogs.get(c.id) }))
  }

  /** Deletes every row of the world. Call inside a transaction. */
  clear (): void {
    this.db.pragma('defer_foreign_keys = ON')
    for (const table of [...WORLD_TABLES].reverse()) this.db.exec(`DELETE FROM main.${table}`)
  }

  counts (): Record<string, number> {
    return { ...this.countRows.get() }
  }

  /** Saves the current world under a name, replacing a snapshot of that name. Call inside a transaction. */
  saveSnapshot (name: string): SnapshotInfo {
    const slot = this.snapshots.get(name)?.slot ?? this.nextSlot++
    for (const table of WORLD_TABLES) {
      this.db.exec(`DROP TABLE IF EXISTS snapshots.s${slot}_${table}`)
      this.db.exec(`CREATE TABLE snapshots.s${slot}_${table} AS SELECT * FROM main.${table}`)
    }
    const info = { name, created_at: new Date().toISOString(), counts: this.counts(), slot }
    this.snapshots.set(name, info)
    return publicInfo(info)
  }

  /** Replaces the world with a snapshot; false for an unknown name. Call inside a transaction. */
  restoreSnapshot (name: string): boolean {
    const info = this.snapshots.get(name)
    if (info === undefined) return false
    this.clear()
    for (const table of WORLD_TABLES) {
      this.db.exec(`INSERT INTO main.${table} SELECT * FROM snapshots.s${info.slot}_${table}`)
    }
    return true
  }

  deleteSnapshot (name: string): boolean {
    const info = this.snapshots.get(name)
    if (info === undefined) return false
    for (const table of WORLD_TABLES) this.db.exec(`DROP TABLE IF EXISTS snapshots.s${info.slot}_${table}`)
    this.snapshots.delete(name)
    return true
  }

  /** User-named snapshots, oldest first (the baseline is internal). */
  listSnapshots (): SnapshotInfo[] {
    return [...this.snapshots.values()].filter((info) => info.name !== BASELINE).map(publicInfo)
  }

  hasSnapshot (name: string): boolean {
    return this.snapshots.has(name)
  }
}

function publicInfo (info: SnapshotInfo & { slot: number }): SnapshotInfo {
  return { name: info.name, created_at: info.created_at, counts: { ...info.counts } }
}
