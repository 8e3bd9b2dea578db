import type { Statement } from 'better-sqlite3'
import Database from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import { didYouMean } from '../../core/suggest.js'
import type {
  CatalogInput,
  CatalogStructureInput,
  SchemaOverridesInput,
  UserFieldInput
} from '../../http/schemas/catalogs.js'
import type { StoredConnection } from '../connections/connections.js'
import type { Db } from '../db.js'
import { statements } from '../table.js'
import {
  checkedCatalog,
  checkedStructure,
  digestOf,
  structureOf,
  type Catalog,
  type CatalogField,
  type CatalogSchema,
  type CatalogStructure,
  type DefaultCatalogs
} from './catalog.js'
import { createCatalogDatabase, layoutOf } from './sql.js'

/** A catalog's row without its source (which may weigh megabytes: it is read only when not parsed yet). */
interface CatalogRow {
  connection_id: string
  digest: string | null
  cached: string | null
  overrides: string
  refresh_started_ms: number | null
  refresh_finished_ms: number | null
  refresh_due_ms: number | null
}

type Overrides = SchemaOverridesInput

/** What a connection's fixture carries of its catalog. */
interface CatalogExport {
  catalog?: Catalog
  cached_catalog?: CatalogStructure
  schema_overrides?: Overrides
}

/** A schema as the API shows it: its fields with user fields added and primary keys as overridden. */
export interface SchemaView {
  id: string
  name: string
  fields: Array<CatalogField & { is_primary_key: boolean; user_added?: boolean }>
}

/** A connection's source catalog, parsed once per digest. */
export interface LoadedCatalog {
  digest: string
  catalog: Catalog
  /** Its tables without rows, to check queries against (built on first use). */
  structureDb: () => Database.Database
  close: () => void
}

/** User-defined fields one schema of a connection may have: one more is a 400. */
export const USER_FIELDS_PER_SCHEMA = 1000

/** A 400 naming what is wrong (the schemas.* operations document 400, not 422). */
function badField (field: string, problem: string): Error {
  return Errors.BadRequest({ message: `${field}: ${problem}`, metadata: { field, problem } })
}

/**
 * What is inside every connection (its catalog): the source's schemas and rows (the type's default from
 * fixtures/connection-catalogs.json until a fixture or the control route gives it its own), what the API last saw of
 * them (a change of the source shows only after a schema refresh), and the connection's own user fields and
 * primary-key overrides. A shared copy reads its parent's source and refresh state, and keeps overrides of its own.
 */
export class CatalogRepository {
  private readonly sql: {
    row: Statement<[string], CatalogRow>
    sourceText: Statement<[string], { source: string }>
    ensure: Statement<[string]>
    setSource: Statement<[{ id: string; source: string; digest: string; cached: string | null }]>
    setOverrides: Statement<[string, string]>
    startRefresh: Statement<[{ now: number; id: string }]>
    due: Statement<[number], { connection_id: string }>
    finish: Statement<[number, string]>
    nextDue: Statement<[], { due: number | null }>
    load: Statement<[Record<string, unknown>]>
    all: Statement<[], CatalogRow & { source: string | null }>
  }

  private readonly parsed = new Map<string, LoadedCatalog>()
  private readonly listeners = new Set<() => void>()

  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly defaults: DefaultCatalogs,
    private readonly bounds: { maxRows: number; cacheSize: number }
  ) {
    const columns = `connection_id, digest, cached, overrides, refresh_started_ms, refresh_finished_ms,
      refresh_due_ms`
    this.sql = statements<CatalogRepository['sql']>(db, {
      row: `SELECT ${columns} FROM connection_catalogs WHERE connection_id = ?`,
      sourceText: 'SELECT source FROM connection_catalogs WHERE connection_id = ?',
      ensure: 'INSERT INTO connection_catalogs (connection_id) VALUES (?) ON CONFLICT DO NOTHING',
      setSource: `UPDATE connection_catalogs SET source = @source, digest = @digest, cached = @cached
        WHERE connection_id = @id`,
      setOverrides: 'UPDATE connection_catalogs SET overrides = ? WHERE connection_id = ?',
      startRefresh: `UPDATE connection_catalogs SET refresh_started_ms = @now, refresh_due_ms = @now
        WHERE connection_id = @id`,
      due: 'SELECT connection_id FROM connection_catalogs WHERE refresh_due_ms <= ? ORDER BY refresh_due_ms LIMIT 500',
      finish: `UPDATE connection_catalogs SET cached = NULL, refresh_finished_ms = ?, refresh_due_ms = NULL
        WHERE connection_id = ?`,
      nextDue: 'SELECT min(refresh_due_ms) AS due FROM connection_catalogs',
      load: `INSERT INTO connection_catalogs (source, ${columns}) VALUES (@source, @connection_id, @digest, @cached,
        @overrides, @refresh_started_ms, @refresh_finished_ms, @refresh_due_ms)`,
      all: `SELECT source, ${columns} FROM connection_catalogs ORDER BY connection_id`
    })
  }

  private static ownerOf (connection: StoredConnection): string {
    return connection.parent_id ?? connection.id
  }

  private rowOf (connectionId: string): CatalogRow | undefined {
    return this.sql.row.get(connectionId)
  }

  /** The source catalog of a connection (its parent's, for a shared copy): rows and all. */
  source (connection: StoredConnection): LoadedCatalog {
    const owner = CatalogRepository.ownerOf(connection)
    const digest = this.rowOf(owner)?.digest ?? null
    const fallback = digest === null ? this.defaults.of(connection.type) : undefined
    const key = fallback?.digest ?? (digest as string)
    let loaded = this.parsed.get(key)
    if (loaded === undefined) {
      const json = fallback?.json ?? (this.sql.sourceText.get(owner) as { source: string }).source
      const catalog = JSON.parse(json) as Catalog
      let structureDb: Database.Database | null = null
      loaded = {
        digest: key,
        catalog,
        structureDb: () => (structureDb ??= createCatalogDatabase(Database, layoutOf(catalog, false))),
        close: () => structureDb?.close()
      }
    }
    // Newest last; past the bound the oldest parsed catalog (and its database) goes (CATALOG_CACHE).
    this.parsed.delete(key)
    this.parsed.set(key, loaded)
    for (const [digest, old] of this.parsed) {
      if (this.parsed.size <= this.bounds.cacheSize) break
      old.close()
      this.parsed.delete(digest)
    }
    return loaded
  }

  /** What the API saw of the source at its last refresh. */
  private seen (connection: StoredConnection): CatalogStructure {
    const cached = this.rowOf(CatalogRepository.ownerOf(connection))?.cached
    return cached == null ? this.source(connection).catalog : (JSON.parse(cached) as CatalogStructure)
  }

  private overridesOf (connectionId: string): Overrides {
    return JSON.parse(this.rowOf(connectionId)?.overrides ?? '{}') as Overrides
  }

  /** The connection's schemas as the API shows them (schemas.get, getSource, targets). */
  schemas (connection: StoredConnection): SchemaView[] {
    const overrides = this.overridesOf(connection.id)
    return this.seen(connection).schemas.map((schema) => view(schema, overrides[schema.id]))
  }

  /** One schema by id; an unknown one is a 404 naming the known. */
  schema (connection: StoredConnection, schemaId: string): SchemaView {
    const schemas = this.schemas(connection)
    const found = schemas.find((s) => s.id === schemaId)
    if (found === undefined) {
      const known = schemas.map((s) => s.id)
      throw Errors.SchemaNotFound({
        message: `connection ${connection.id} has no schema ${schemaId}${didYouMean(schemaId, known)}`
      })
    }
    return found
  }

  /**
   * A schema by the name a model or a query gives: its id ("public.users"), or the table alone ("users") when
   * just one schema has it.
   */
  schemaByName (connection: StoredConnection, name: string): SchemaView | undefined {
    const schemas = this.schemas(connection)
    const exact = schemas.find((s) => s.id === name)
    if (exact !== undefined) return exact
    const byTable = schemas.filter((s) => s.id.slice(s.id.lastIndexOf('.') + 1) === name)
    return byTable.length === 1 ? byTable[0] : undefined
  }

  /** The rows the source holds for a schema the API knows (an empty list when the source no longer has it). */
  rows (connection: StoredConnection, schemaId: string): Array<Record<string, unknown>> {
    this.schema(connection, schemaId)
    return this.source(connection).catalog.schemas.find((s) => s.id === schemaId)?.rows ?? []
  }

  /** How many rows the source holds for a schema, known or not (a run's counts); undefined for no such schema. */
  rowCount (connection: StoredConnection, schemaId: string): number | undefined {
    return this.source(connection).catalog.schemas.find((s) => s.id === schemaId)?.rows.length
  }

  /**
   * The control route: the source now holds this catalog. The API goes on seeing what it saw until the next
   * schema refresh. Call inside a transaction.
   */
  replaceSource (connection: StoredConnection, given: CatalogInput): void {
    if (connection.parent_id !== null) {
      throw validationError('id', `a shared copy reads its parent's catalog: change ${connection.parent_id}'s`)
    }
    const catalog = checkedCatalog(given, 'catalog', this.bounds.maxRows)
    // What the API saw stays what it sees until a refresh.
    const stale = JSON.stringify(structureOf(this.seen(connection)))
    this.sql.ensure.run(connection.id)
    const json = JSON.stringify(catalog)
    this.sql.setSource.run({ id: connection.id, source: json, digest: digestOf(json), cached: stale })
  }

  /** schemas.refresh: the cache refreshes at the runner's next turn. Call inside a transaction. */
  refresh (connection: StoredConnection): void {
    if (connection.status !== 'healthy') {
      throw Errors.ConnectionUnhealthy({ metadata: { status: connection.status } })
    }
    const owner = CatalogRepository.ownerOf(connection)
    this.sql.ensure.run(owner)
    this.sql.startRefresh.run({ now: this.clock.now(), id: owner })
    for (const listener of this.listeners) listener()
  }

  /** schemas.getStatus. */
  status (connection: StoredConnection): Record<string, string> {
    const row = this.rowOf(CatalogRepository.ownerOf(connection))
    const iso = (ms: number | null | undefined): string | undefined =>
      ms == null ? undefined : new Date(ms).toISOString()
    const status: Record<string, string> = { cache_status: row?.refresh_due_ms == null ? 'fresh' : 'refreshing' }
    const started = iso(row?.refresh_started_ms)
    const finished = iso(row?.refresh_finished_ms)
    if (started !== undefined) status.last_refresh_started = started
    if (finished !== undefined) status.last_refresh_finished = finished
    return status
  }

  /** Finishes the refreshes due by now: the API sees the source as it is. Call inside a transaction. */
  finishDue (now: number): number {
    const rows = this.sql.due.all(now)
    for (const row of rows) this.sql.finish.run(now, row.connection_id)
    return rows.length
  }

  nextDue (): number | null {
    return this.sql.nextDue.get()?.due ?? null
  }

  private writeOverrides (
    connection: StoredConnection,
    schemaId: string,
    change: (o: Overrides[string]) => void
  ): void {
    const overrides = this.overridesOf(connection.id)
    const entry = { ...overrides[schemaId] }
    change(entry)
    if (entry.user_fields?.length === 0) delete entry.user_fields
    if (Object.keys(entry).length === 0) delete overrides[schemaId]
    else overrides[schemaId] = entry
    this.sql.ensure.run(connection.id)
    this.sql.setOverrides.run(JSON.stringify(overrides), connection.id)
  }

  /** schemas.upsertField: user fields by field_id (a field the source has is a 400). Call inside a transaction. */
  upsertFields (connection: StoredConnection, schemaId: string, fields: UserFieldInput[]): void {
    const schema = this.schema(connection, schemaId)
    const detected = new Set(schema.fields.filter((f) => f.user_added !== true).map((f) => f.id))
    fields.forEach((field, index) => {
      if (detected.has(field.field_id)) {
        const problem = `${schema.id} already has a field ${field.field_id} from its source`
        throw badField(`fields[${index}].field_id`, problem)
      }
    })
    this.writeOverrides(connection, schema.id, (entry) => {
      const kept = (entry.user_fields ?? []).filter((f) => !fields.some((g) => g.field_id === f.field_id))
      entry.user_fields = [...kept, ...fields.map((f) => ({ ...f }))]
      if (entry.user_fields.length > USER_FIELDS_PER_SCHEMA) {
        throw badField('fields', `a schema has at most ${USER_FIELDS_PER_SCHEMA} user-defined fields`)
      }
    })
  }

  /** schemas.deleteField: only a user field goes (a 404 for any other). Call inside a transaction. */
  deleteField (connection: StoredConnection, schemaId: string, fieldId: string): void {
    const schema = this.schema(connection, schemaId)
    const own = this.overridesOf(connection.id)[schema.id]?.user_fields ?? []
    if (!own.some((f) => f.field_id === fieldId)) {
      throw Errors.FieldNotFound({ message: `${schema.id} has no user-defined field ${fieldId}` })
    }
    this.writeOverrides(connection, schema.id, (entry) => {
      entry.user_fields = own.filter((f) => f.field_id !== fieldId)
      if (entry.primary_keys !== undefined) entry.primary_keys = entry.primary_keys.filter((k) => k !== fieldId)
    })
  }

  /** schemas.setPrimaryKeys: the whole override; an empty list clears it. Call inside a transaction. */
  setPrimaryKeys (
    connection: StoredConnection,
    schemaId: string,
    fields: Array<{ field_id: string; is_primary_key: boolean }>
  ): void {
    const schema = this.schema(connection, schemaId)
    const known = schema.fields.map((f) => f.id)
    fields.forEach((field, index) => {
      if (!known.includes(field.field_id)) {
        const problem = `is not a field of ${schema.id}${didYouMean(field.field_id, known)}`
        throw badField(`fields[${index}].field_id`, problem)
      }
    })
    const keys = [...new Set(fields.filter((f) => f.is_primary_key).map((f) => f.field_id))]
    this.writeOverrides(connection, schema.id, (entry) => {
      if (fields.length === 0) delete entry.primary_keys
      else entry.primary_keys = keys
    })
  }

  /** schemas.resetPrimaryKeys: back to the keys the source reports. Call inside a transaction. */
  resetPrimaryKeys (connection: StoredConnection, schemaId: string): void {
    const schema = this.schema(connection, schemaId)
    this.writeOverrides(connection, schema.id, (entry) => {
      delete entry.primary_keys
    })
  }

  /** A fixture connection's catalog, cached view and overrides. Call inside a transaction. */
  load (
    connectionId: string,
    fixture: { catalog?: CatalogInput; cached_catalog?: CatalogStructureInput; schema_overrides?: Overrides }
  ): void {
    const { catalog, cached_catalog: cachedCatalog, schema_overrides: overrides } = fixture
    if (catalog === undefined && cachedCatalog === undefined && overrides === undefined) return
    const { maxRows } = this.bounds
    const source = catalog === undefined ? null : JSON.stringify(checkedCatalog(catalog, 'catalog', maxRows))
    const cached =
      cachedCatalog === undefined ? null : JSON.stringify(checkedStructure(cachedCatalog, 'cached_catalog'))
    this.sql.load.run({
      connection_id: connectionId,
      source,
      digest: source === null ? null : digestOf(source),
      cached,
      overrides: JSON.stringify(overrides ?? {}),
      refresh_started_ms: null,
      refresh_finished_ms: null,
      refresh_due_ms: null
    })
  }

  /** What a connection's fixture carries of its catalog, by connection id (only what differs from the defaults). */
  exportAll (): Map<string, CatalogExport> {
    const out = new Map<string, CatalogExport>()
    for (const row of this.sql.all.all()) {
      const entry: CatalogExport = {}
      if (row.source !== null) entry.catalog = JSON.parse(row.source) as Catalog
      if (row.cached !== null) entry.cached_catalog = JSON.parse(row.cached) as CatalogStructure
      if (row.overrides !== '{}') entry.schema_overrides = JSON.parse(row.overrides) as Overrides
      if (Object.keys(entry).length > 0) out.set(row.connection_id, entry)
    }
    return out
  }
}

/** A schema with a connection's overrides applied. */
function view (schema: CatalogSchema, overrides: Overrides[string] | undefined): SchemaView {
  const keys = overrides?.primary_keys ?? schema.primary_keys
  const fields: SchemaView['fields'] = schema.fields.map((f) => ({ ...f, is_primary_key: keys.includes(f.id) }))
  for (const user of overrides?.user_fields ?? []) {
    const key = keys.includes(user.field_id)
    fields.push({ id: user.field_id, name: user.label, type: user.type, is_primary_key: key, user_added: true })
  }
  return { id: schema.id, name: schema.name, fields }
}
