import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'
import { canonicalId } from './ids.js'

/** What an id can name (2025-09-18 surface 3.8). */
export type EntityType =
  | 'organization'
  | 'user'
  | 'connection'
  | 'model'
  | 'sync'
  | 'sync_execution'
  | 'bulk_sync'
  | 'bulk_sync_execution'

/** What the one query finds for an id: its kind, its organization, and the resource it hangs from, if any. */
interface Found {
  type: EntityType
  id: string
  organization_id: string
  parent_id: string | null
  plan: string | null
}

/** EntityResponse. */
export interface Entity {
  id: string
  type: EntityType
  canonical_path: string
  organization_id: string
  relationships: Record<string, { id: string; path: string }>
  context?: Record<string, unknown>
}

const PATHS: Record<EntityType, (id: string, organizationId: string, parentId: string | null) => string> = {
  organization: (id) => `/api/organizations/${id}`,
  user: (id, organizationId) => `/api/organizations/${organizationId}/users/${id}`,
  connection: (id) => `/api/connections/${id}`,
  model: (id) => `/api/models/${id}`,
  sync: (id) => `/api/syncs/${id}`,
  sync_execution: (id, _o, syncId) => `/api/syncs/${String(syncId)}/executions/${id}`,
  bulk_sync: (id) => `/api/bulk/syncs/${id}`,
  bulk_sync_execution: (id, _o, syncId) => `/api/bulk/syncs/${String(syncId)}/executions/${id}`
}

/** What an entity with a parent hangs from: the relationship's name and the parent's kind. */
const PARENTS: Partial<Record<EntityType, EntityType>> = {
  connection: 'connection',
  sync_execution: 'sync',
  bulk_sync_execution: 'bulk_sync'
}
const RELATIONSHIP_NAMES: Partial<Record<EntityType, string>> = { connection: 'parent_connection' }

/**
 * GET /api/entities/:id and /api/organizations/entities/:id: any id of the world resolved to what it names,
 * where that lives and what it belongs to. Who may see it is the access policy's to say.
 */
export class EntityResolver {
  private readonly find: Statement<{ id: string }, Found>

  constructor (db: Db) {
    this.find = db.prepare(`
      SELECT 'organization' AS type, id, id AS organization_id, NULL AS parent_id, NULL AS plan
        FROM organizations WHERE id = @id
      UNION ALL SELECT 'user', id, organization_id, NULL, NULL FROM users WHERE id = @id
      UNION ALL SELECT 'connection', id, organization_id, parent_id, NULL FROM connections WHERE id = @id
      UNION ALL SELECT 'model', id, organization_id, NULL, NULL FROM models WHERE id = @id
      UNION ALL SELECT 'sync', id, organization_id, NULL, NULL FROM model_syncs WHERE id = @id
      UNION ALL SELECT 'bulk_sync', id, organization_id, NULL, NULL FROM bulk_syncs WHERE id = @id
      UNION ALL SELECT CASE WHEN bulk_sync_id IS NULL THEN 'sync_execution' ELSE 'bulk_sync_execution' END, id,
        organization_id, coalesce(bulk_sync_id, model_sync_id), plan FROM executions WHERE id = @id
      LIMIT 1`)
  }

  /** What the id names, or undefined. */
  resolve (id: string): Entity | undefined {
    const found = this.find.get({ id: canonicalId(id) })
    if (found === undefined) return undefined
    const entity: Entity = {
      id: found.id,
      type: found.type,
      canonical_path: PATHS[found.type](found.id, found.organization_id, found.parent_id),
      organization_id: found.organization_id,
      relationships: {}
    }
    const parent = PARENTS[found.type]
    if (found.parent_id !== null && parent !== undefined) {
      entity.relationships[RELATIONSHIP_NAMES[found.type] ?? parent] = {
        id: found.parent_id,
        path: PATHS[parent](found.parent_id, found.organization_id, null)
      }
    }
    if (found.type === 'bulk_sync_execution' && found.plan !== null) {
      const plan = JSON.parse(found.plan) as { schemas?: Array<{ schema: string }> }
      entity.context = { schema_ids: (plan.schemas ?? []).map((s) => s.schema) }
    }
    return entity
  }
}
