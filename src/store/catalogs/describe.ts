import { Errors } from '../../core/errors.js'
import { didYouMean } from '../../core/suggest.js'
import type { StoredConnection } from '../connections/connections.js'
import type { Store } from '../index.js'
import { decodePageToken, page, pageSize } from '../paging.js'
import type { SchemaView } from './catalogs.js'
import { modelSource } from './model-source.js'
import { tableName } from './sql.js'

/**
 * What the source, target and enrichment operations say of a connection, read from its catalog: the schemas a
 * bulk sync can pick, what a model can read, the objects a model sync can write and their fields.
 */

/** A connection whose type lacks an operation (bulksync_source, modelsync_target, enrichment...) is a 400. */
export function requireOperation (store: Store, connection: StoredConnection, operation: string, what: string): void {
  const type = store.connectionTypes.find(connection.type)?.definition
  const enrichment = operation === 'enrichment' && type?.capabilities?.enrichment === true
  if (type?.operations?.includes(operation) !== true && !enrichment) {
    throw Errors.OperationNotSupported({
      message: `connection ${connection.id} is of type ${connection.type}, which is not ${what}`,
      metadata: { connection_type: connection.type, operation }
    })
  }
}

/** Schema (the SDK's): its fields as SchemaField, or none when `withFields` is false. */
export function schemaWire (schema: SchemaView, withFields = true): Record<string, unknown> {
  if (!withFields) return { id: schema.id, name: schema.name }
  return {
    id: schema.id,
    name: schema.name,
    fields: schema.fields.map((f) => {
      const field: Record<string, unknown> = { id: f.id, name: f.name, type: f.type, is_primary_key: f.is_primary_key }
      if (f.remote_type !== undefined) field.remote_type = f.remote_type
      if (f.association !== undefined) field.association = f.association
      if (f.values !== undefined) field.values = f.values
      return field
    })
  }
}

/** schemas.getRecords: a page of the rows the source holds (limit at most 1,000, 100 by default). */
export function recordsPage (
  store: Store,
  connection: StoredConnection,
  schemaId: string,
  query: { limit?: string; page_token?: string }
): { data: Array<Record<string, unknown>>; pagination?: { next_page_token: string } } {
  const rows = store.catalogs.rows(connection, schemaId)
  const listed = page(rows, decodePageToken(query.page_token), pageSize(query.limit, 100, 1000))
  return listed.next_page_token === undefined
    ? { data: listed.items }
    : { data: listed.items, pagination: { next_page_token: listed.next_page_token } }
}

/** bulkSync.getSource (BulkSyncSource). */
export function bulkSource (
  store: Store,
  connection: StoredConnection,
  includeFields: boolean
): Record<string, unknown> {
  requireOperation(store, connection, 'bulksync_source', 'a bulk sync source')
  return {
    capabilities: { supports_tracking_fields: store.queries.runsSql(connection) },
    configuration: {},
    schemas: store.catalogs.schemas(connection).map((s) => schemaWire(s, includeFields))
  }
}

/** bulkSync.getDestination (BulkSyncDest). */
export function bulkDestination (store: Store, connection: StoredConnection): Record<string, unknown> {
  requireOperation(store, connection, 'bulksync_target', 'a bulk sync destination')
  return {
    configuration: {
      schema: { type: 'string', title: 'Output schema', description: 'Where the synced tables are written' }
    },
    modes: [
      { id: 'replicate', label: 'Replicate', description: 'Keep the destination up to date with the source' },
      { id: 'snapshot', label: 'Snapshot', description: 'Write a full copy of the source each run' }
    ],
    supported_resync_modes: ['refetch', 'resync', 'rebuild']
  }
}

/** The `params` query (a map sent as one JSON string): a 400 when it is not such a map. */
export function parseParams (text: string | undefined): Record<string, string[]> {
  if (text === undefined || text === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw Errors.BadRequest({ message: 'params: not JSON', metadata: { field: 'params' } })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw Errors.BadRequest({ message: 'params: must be an object of string lists', metadata: { field: 'params' } })
  }
  const params: Record<string, string[]> = {}
  for (const [key, list] of Object.entries(value)) {
    params[key] = (Array.isArray(list) ? list : [list]).map(String)
  }
  return params
}

/** modelSync.getSource and models.getEnrichmentSource (GetModelSyncSourceMeta): what a model can read. */
export function sourceMeta (store: Store, connection: StoredConnection, operation: string): Record<string, unknown> {
  requireOperation(store, connection, operation, operation === 'enrichment' ? 'an enrichment source' : 'a model source')
  const tables = store.catalogs.schemas(connection).map((s) => ({ value: s.id, label: s.name }))
  const sql = store.queries.runsSql(connection)
  const configuration: Record<string, unknown> = { table: { type: 'string', items: tables.map((t) => t.value) } }
  if (sql) configuration.query = { type: 'string', items: [] }
  return {
    configuration,
    items: { table: { has_items: tables.length > 0, items: tables } },
    requires_one_of: sql ? ['query', 'table'] : ['table']
  }
}

/** modelSync.getSourceFields: the fields a model of these params (table or query) would have. */
export function sourceFields (
  store: Store,
  connection: StoredConnection,
  params: Record<string, string[]>
): Array<Record<string, unknown>> {
  requireOperation(store, connection, 'modelsync_source', 'a model source')
  const configuration = { table: params.table?.[0], query: params.query?.[0] }
  const source = modelSource(store.catalogs, store.queries, connection, configuration, 'params')
  if (source === undefined) {
    throw Errors.BadRequest({ message: 'params: name a table or a query', metadata: { field: 'params' } })
  }
  return source.columns.map((c) => {
    const field: Record<string, unknown> = { id: c.name, name: c.name, label: c.name, type: c.type, user_added: false }
    if (c.remote_type !== undefined) field.remote_type = c.remote_type
    return field
  })
}

/** A property of a target object a sync can create (TargetCreateInput). */
interface TargetProperty {
  id: string
  title: string
  enum: boolean
}

const SQL_MODES = ['updateOrCreate', 'create', 'replace', 'append'] as const
const APP_MODES = ['updateOrCreate', 'create', 'update', 'remove'] as const

function modesOf (store: Store, connection: StoredConnection): readonly string[] {
  return store.queries.runsSql(connection) ? SQL_MODES : APP_MODES
}

/** modelSync.targets.getTarget (1.18.1's ConnectionMeta): the objects to pick, found by `search`. */
export function targetMeta (
  store: Store,
  connection: StoredConnection,
  search: string | undefined
): Record<string, unknown> {
  requireOperation(store, connection, 'modelsync_target', 'a model sync target')
  const needle = search?.toLowerCase() ?? ''
  const objects = store.catalogs
    .schemas(connection)
    .filter((s) => needle === '' || s.id.toLowerCase().includes(needle) || s.name.toLowerCase().includes(needle))
    .map((s) => ({ value: s.id, label: s.name }))
  return {
    configuration: { object: { type: 'string', items: objects.map((o) => o.value) } },
    items: { object: { has_items: objects.length > 0, items: objects } },
    requires_one_of: ['object']
  }
}

/** modelSync.targets.list: the target's objects, and whether it can create one (a SQL destination can). */
export function targetObjects (store: Store, connection: StoredConnection): Record<string, unknown> {
  requireOperation(store, connection, 'modelsync_target', 'a model sync target')
  const modes = modesOf(store, connection).map((id) => ({
    id,
    requires_identity: needsIdentity(id),
    supports_per_field_mode: id === 'updateOrCreate',
    supports_target_filters: false
  }))
  const properties = creatableProperties(store, connection)
  return {
    data: store.catalogs.schemas(connection).map((s) => ({ id: s.id, name: s.name, modes })),
    target_creation: { supported: properties.length > 0, properties }
  }
}

/** What a sync that creates a target object names of it: a SQL target's schema and table; none for others. */
function creatableProperties (store: Store, connection: StoredConnection): TargetProperty[] {
  return store.queries.runsSql(connection)
    ? [{ id: 'schema', title: 'Schema', enum: true }, { id: 'table', title: 'Table name', enum: false }]
    : []
}

/** Whether a mode matches records in the target by an identity (all but the ones that only add or replace). */
function needsIdentity (mode: string): boolean {
  return mode !== 'create' && mode !== 'append' && mode !== 'replace'
}

/** modelSync.targets.getCreateProperty: the values a property of a new target object takes. */
export function createProperty (store: Store, connection: StoredConnection, property: string): Record<string, unknown> {
  requireOperation(store, connection, 'modelsync_target', 'a model sync target')
  const properties = creatableProperties(store, connection)
  const found = properties.find((p) => p.id === property)
  if (found === undefined) {
    const known = properties.map((p) => p.id)
    throw Errors.NotFound({
      message: `connection ${connection.id} has no target property ${property}${didYouMean(property, known)}`
    })
  }
  const namespaces = [...new Set(store.catalogs.schemas(connection).map((s) => tableName(s.id).schema ?? 'main'))]
  return { ...found, values: found.enum ? namespaces.map((n) => ({ label: n, value: n })) : [] }
}

/** modelSync.targets.getTargetFields (TargetResponse): an object's fields, as a target writes them. */
export function targetFields (store: Store, connection: StoredConnection, target: string): Record<string, unknown> {
  requireOperation(store, connection, 'modelsync_target', 'a model sync target')
  const schema = store.catalogs.schema(connection, target)
  const sql = store.queries.runsSql(connection)
  const status = store.catalogs.status(connection)
  return {
    id: schema.id,
    name: schema.name,
    fields: schema.fields.map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type,
      source_type: f.remote_type ?? f.type,
      required: false,
      createable: !f.is_primary_key || sql,
      updateable: !f.is_primary_key,
      filterable: true,
      encryptable: f.type === 'string',
      association: f.association !== undefined,
      supports_identity: f.type === 'string' || f.type === 'number',
      identity_functions: f.type === 'string' || f.type === 'number' ? [{ id: 'Equality', label: 'Equality' }] : []
    })),
    modes: modesOf(store, connection).map((mode) => ({
      mode,
      label: mode,
      requires_identity: needsIdentity(mode),
      supports_field_sync_mode: mode === 'updateOrCreate',
      supports_target_filters: false
    })),
    properties: {
      supports_field_creation: sql,
      target_creator: sql,
      supports_field_type_selection: sql,
      supports_target_filters: false
    },
    refreshed_at: status.last_refresh_finished ?? connection.created_at
  }
}

/** models.post (enrichment input fields): the field sets an enrichment can look records up by, its schemas' keys. */
export function enrichmentInputs (
  store: Store,
  connection: StoredConnection,
  configuration: Record<string, unknown>
): string[][] {
  requireOperation(store, connection, 'enrichment', 'an enrichment source')
  const named = typeof configuration.table === 'string' ? configuration.table : undefined
  const schemas = store.catalogs.schemas(connection).filter((s) => named === undefined || s.id === named)
  if (named !== undefined && schemas.length === 0) store.catalogs.schema(connection, named)
  return schemas
    .map((s) => s.fields.filter((f) => f.is_primary_key).map((f) => f.id))
    .filter((keys) => keys.length > 0)
}
