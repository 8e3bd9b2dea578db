import { validationError } from '../../core/errors.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository, StoredConnection } from '../connections/connections.js'

/** What a connection is used for by a sync or a model: the capability of its type it needs. */
export type ConnectionRole = 'source' | 'destination'

/**
 * A connection a sync or model names in a body: it must exist in the same organization (a shared
 * copy counts: it is the organization's own) and its type must have the capability the role needs,
 * from the connection type catalog. Either problem is a 422 naming the field.
 */
export function usableConnection (
  connections: ConnectionRepository,
  types: ConnectionTypeCatalog,
  organizationId: string,
  id: string,
  role: ConnectionRole,
  field: string
): StoredConnection {
  const connection = connections.find(id)
  if (connection === undefined || connection.organization_id !== organizationId) {
    throw validationError(field, 'no connection with this id in the organization')
  }
  const capabilities = types.find(connection.type)?.definition.capabilities
  if (capabilities?.[role] !== true) {
    throw validationError(
      field,
      `a ${connection.type} connection cannot be a ${role} (its type does not have the ${role} capability)`
    )
  }
  return connection
}

/** An actor from its column. */
export const actorOf = (json: string | null): Actor | undefined =>
  json === null ? undefined : (JSON.parse(json) as Actor)

/** Copies the fields of an object that are set (not undefined), for a response. */
export function defined<T extends Record<string, unknown>> (value: T): T {
  const result: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) if (field !== undefined && field !== null) result[key] = field
  return result as T
}

/**
 * A sync's scheduling anchor after a write: now when it has just been turned on (no run is made up for the
 * time it was off), else as it was.
 */
export function anchorAfter (
  was: { active: boolean; schedule_anchor_ms: number },
  active: boolean,
  now: number
): number {
  return active && !was.active ? now : was.schedule_anchor_ms
}
