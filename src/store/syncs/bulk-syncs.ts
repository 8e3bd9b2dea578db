import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import { checkSchedule, type ScheduleParts } from './schedule.js'
import type { FixtureBulkSync } from '../../http/schemas/fixtures.js'
import {
  CreateBulkSyncBody, SchemaConfigurationShape, UpdateBulkSchemaBody,
  type CreateBulkSyncInput, type ScheduleApiInput, type StartBulkSyncInput, type UpdateBulkSchemaInput, type UpdateBulkSyncInput
} from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository } from '../connections/connections.js'
import type { Db } from '../db.js'
import { outputName, type ExecutionRepository, type StartRequest, type SyncFacts } from './executions.js'
import { canonicalId, newId } from '../ids.js'
import { pickKnown } from '../shape.js'
import { actorJson, actorOf, anchorAfter, defined, stamp, usableConnection } from './sync-rules.js'
import { requiredName } from '../text.js'

/** Everything of a bulk sync but its id, organization, name, connections and active flag (BulkSyncResponse). */
export interface BulkDefinition {
  mode?: string
  schedule: ScheduleParts & { multi?: Record<string, unknown> }
  source_configuration?: Record<string, unknown>
  destination_configuration: Record<string, unknown>
  automatically_add_new_fields: string
  automatically_add_new_objects: string
  normalize_names: string
  discover: boolean
  concurrency_limit?: number
  resync_concurrency_limit?: number
  data_cutoff_timestamp?: string
  disable_record_timestamps: boolean
  policies: string[]
}

interface BulkSyncRow {
  id: string
  organization_id: string
  source_connection_id: string
  destination_connection_id: string
  name: string
  active: number
  definition: string
  schedule_anchor_ms: number
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
}

export interface StoredBulkSync {
  id: string
  organization_id: string
  name: string
  active: boolean
  source_connection_id: string
  destination_connection_id: string
  definition: BulkDefinition
  schedule_anchor_ms: number
  created_at: string
  created_by: Actor | undefined
  updated_at: string
  updated_by: Actor | undefined
}

interface FieldSetting { id: string, enabled: boolean, obfuscated: boolean, user_output_name?: string }
interface Filter { field_id?: string, function: string, value?: unknown }

/** A bulk sync's schema (BulkSchema), as stored. */
export interface StoredSchema {
  id: string
  output_name: string
  user_output_name?: string
  enabled: boolean
  partition_key?: string
  tracking_field?: string
  data_cutoff_timestamp?: string
  disable_data_cutoff?: boolean
  fields: FieldSetting[]
  filters: Filter[]
}

/** An additional schedule (V4BulkSyncScheduleApi: camelCase). */
interface StoredSchedule {
  id: string
  sync_id: string
  schedule: ScheduleApiInput
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
}

function toStored (row: BulkSyncRow): StoredBulkSync {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    active: row.active === 1,
    source_connection_id: row.source_connection_id,
    destination_connection_id: row.destination_connection_id,
    definition: JSON.parse(row.definition) as BulkDefinition,
    schedule_anchor_ms: row.schedule_anchor_ms,
    created_at: row.created_at,
    created_by: actorOf(row.created_by),
    updated_at: row.updated_at,
    updated_by: actorOf(row.updated_by)
  }
}

/** The schedule of an additional schedule in the snake-case form nextRunAfter reads. */
export function scheduleParts (schedule: ScheduleApiInput): ScheduleParts {
  return { frequency: schedule.frequency, minute: schedule.minute, hour: schedule.hour, day_of_week: schedule.dayOfWeek, day_of_month: schedule.dayOfMonth, month: schedule.month }
}

/** A field setting from a request: its id alone (enabled), or an object. */
function fieldSetting (value: unknown): FieldSetting {
  if (typeof value === 'string') return { id: value, enabled: true, obfuscated: false }
  const given = value as { id: string, enabled?: boolean, obfuscate?: boolean, obfuscated?: boolean, user_output_name?: string }
  return defined({ id: given.id, enabled: given.enabled ?? true, obfuscated: given.obfuscated ?? given.obfuscate ?? false, user_output_name: given.user_output_name })
}

/** No two of a list share an id: a 422 naming the second. */
function uniqueIds (ids: string[], field: string): void {
  const seen = new Set<string>()
  ids.forEach((id, index) => {
    if (seen.has(id)) throw validationError(`${field}[${index}]`, `duplicate id ${id}`)
    seen.add(id)
  })
}

/** A schema as create (or a fixture) gives it: its id alone (enabled, every field), or a SchemaConfiguration. */
function schemaFrom (value: unknown): StoredSchema {
  if (typeof value === 'string') return { id: value, output_name: outputName(value), enabled: true, fields: [], filters: [] }
  const given = pickKnown(value, { properties: { ...SchemaConfigurationShape.properties, output_name: {} } }) as UpdateBulkSchemaInput & { id: string, output_name?: string, fields?: unknown[] }
  const fields = (given.fields ?? []).map(fieldSetting)
  return defined({
    ...given,
    id: given.id,
    output_name: given.output_name ?? outputName(given.id),
    enabled: given.enabled ?? true,
    fields,
    filters: (given.filters ?? []) as Filter[]
  })
}

/**
 * Bulk syncs (reference 6): a source and a destination connection of the organization, each with
 * the capability it needs; a schedule; schemas (the simulator knows no source catalog, so a sync's
 * schemas are those it is given); additional schedules. PUT replaces the top level and leaves the
 * schemas alone. Runs are the execution repository's.
 */
export class BulkSyncRepository {
  private readonly byId: Statement<[string], BulkSyncRow>
  private readonly byOrganization: Statement<[string], BulkSyncRow>
  private readonly all: Statement<[], BulkSyncRow>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly update: Statement<[Record<string, unknown>]>
  private readonly updateActive: Statement<[number, number, string, string, string]>
  private readonly remove: Statement<[string]>
  private readonly schemaRows: Statement<[string], { id: string, definition: string }>
  private readonly schemaRow: Statement<[string, string], { id: string, definition: string }>
  private readonly upsertSchema: Statement<[Record<string, unknown>]>
  private readonly nextPosition: Statement<[string], { next: number }>
  private readonly scheduleRows: Statement<[string], Record<string, string | null>>
  private readonly scheduleRow: Statement<[string], Record<string, string | null>>
  private readonly insertSchedule: Statement<[Record<string, unknown>]>
  private readonly updateSchedule: Statement<[Record<string, unknown>]>
  private readonly removeSchedule: Statement<[string]>

  constructor (db: Db, private readonly clock: Clock, private readonly connections: ConnectionRepository, private readonly types: ConnectionTypeCatalog,
    private readonly executions: ExecutionRepository) {
    const columns = 'id, organization_id, source_connection_id, destination_connection_id, name, active, definition, schedule_anchor_ms, created_at, created_by, updated_at, updated_by'
    this.byId = db.prepare(`SELECT ${columns} FROM bulk_syncs WHERE id = ?`)
    this.byOrganization = db.prepare(`SELECT ${columns} FROM bulk_syncs WHERE organization_id = ? ORDER BY seq`)
    this.all = db.prepare(`SELECT ${columns} FROM bulk_syncs ORDER BY seq`)
    this.insert = db.prepare(`INSERT INTO bulk_syncs (${columns}) VALUES (@id, @organization_id, @source_connection_id, @destination_connection_id, @name, @active,
      @definition, @schedule_anchor_ms, @created_at, @created_by, @updated_at, @updated_by)`)
    this.update = db.prepare(`UPDATE bulk_syncs SET source_connection_id = @source_connection_id, destination_connection_id = @destination_connection_id,
      name = @name, active = @active, definition = @definition, schedule_anchor_ms = @schedule_anchor_ms, updated_at = @updated_at, updated_by = @updated_by WHERE id = @id`)
    this.updateActive = db.prepare('UPDATE bulk_syncs SET active = ?, schedule_anchor_ms = ?, updated_at = ?, updated_by = ? WHERE id = ?')
    this.remove = db.prepare('DELETE FROM bulk_syncs WHERE id = ?')
    this.schemaRows = db.prepare('SELECT id, definition FROM bulk_sync_schemas WHERE sync_id = ? ORDER BY position')
    this.schemaRow = db.prepare('SELECT id, definition FROM bulk_sync_schemas WHERE sync_id = ? AND id = ?')
    this.upsertSchema = db.prepare(`INSERT INTO bulk_sync_schemas (sync_id, id, position, definition) VALUES (@sync_id, @id, @position, @definition)
      ON CONFLICT (sync_id, id) DO UPDATE SET definition = excluded.definition`)
    this.nextPosition = db.prepare('SELECT coalesce(max(position), -1) + 1 AS next FROM bulk_sync_schemas WHERE sync_id = ?')
    const scheduleColumns = 'id, sync_id, definition, created_at, created_by, updated_at, updated_by'
    this.scheduleRows = db.prepare(`SELECT ${scheduleColumns} FROM bulk_sync_schedules WHERE sync_id = ? ORDER BY seq`)
    this.scheduleRow = db.prepare(`SELECT ${scheduleColumns} FROM bulk_sync_schedules WHERE id = ?`)
    this.insertSchedule = db.prepare(`INSERT INTO bulk_sync_schedules (${scheduleColumns}) VALUES (@id, @sync_id, @definition, @created_at, @created_by, @updated_at, @updated_by)`)
    this.updateSchedule = db.prepare('UPDATE bulk_sync_schedules SET definition = @definition, updated_at = @updated_at, updated_by = @updated_by WHERE id = @id')
    this.removeSchedule = db.prepare('DELETE FROM bulk_sync_schedules WHERE id = ?')
  }

  find (id: string): StoredBulkSync | undefined {
    const row = this.byId.get(canonicalId(id))
    return row === undefined ? undefined : toStored(row)
  }

  list (organizationId: string, active?: boolean): StoredBulkSync[] {
    return this.byOrganization.all(organizationId).map(toStored).filter((sync) => active === undefined || sync.active === active)
  }

  listAll (): StoredBulkSync[] {
    return this.all.all().map(toStored)
  }

  /** The checked top level of a create or PUT: a 422 names the first problem. */
  private checked (organizationId: string, input: CreateBulkSyncInput | UpdateBulkSyncInput): { name: string, source: string, destination: string, active: boolean, definition: BulkDefinition } {
    const name = requiredName(input.name)
    const source = usableConnection(this.connections, this.types, organizationId, input.source_connection_id, 'source', 'source_connection_id')
    const destination = usableConnection(this.connections, this.types, organizationId, input.destination_connection_id, 'destination', 'destination_connection_id')
    const given = pickKnown(input, { properties: { ...CreateBulkSyncBody.properties, schemas: undefined } }) as CreateBulkSyncInput
    const definition: BulkDefinition = defined({
      mode: given.mode,
      schedule: checkSchedule(given.schedule as ScheduleParts, 'schedule'),
      source_configuration: given.source_configuration,
      destination_configuration: given.destination_configuration,
      automatically_add_new_fields: given.automatically_add_new_fields ?? 'all',
      automatically_add_new_objects: given.automatically_add_new_objects ?? 'none',
      normalize_names: given.normalize_names ?? 'enabled',
      discover: given.discover ?? false,
      concurrency_limit: given.concurrency_limit,
      resync_concurrency_limit: given.resync_concurrency_limit,
      data_cutoff_timestamp: given.data_cutoff_timestamp,
      disable_record_timestamps: given.disable_record_timestamps ?? false,
      policies: given.policies ?? []
    })
    return { name, source: source.id, destination: destination.id, active: input.active ?? false, definition }
  }

  /** A new bulk sync with its schemas. Call inside a transaction. */
  create (organizationId: string, input: CreateBulkSyncInput, actor: Actor | null, options: { id?: string, created_at?: string, updated_at?: string } = {}): StoredBulkSync {
    const checked = this.checked(organizationId, input)
    const schemas = (input.schemas ?? []).map(schemaFrom)
    uniqueIds(schemas.map((s) => s.id), 'schemas')
    const id = options.id ?? newId()
    const now = this.clock.now()
    this.insert.run({
      id,
      organization_id: organizationId,
      source_connection_id: checked.source,
      destination_connection_id: checked.destination,
      name: checked.name,
      active: checked.active ? 1 : 0,
      definition: JSON.stringify(checked.definition),
      schedule_anchor_ms: now,
      created_at: stamp(options.created_at, now),
      created_by: actorJson(actor),
      updated_at: stamp(options.updated_at ?? options.created_at, now),
      updated_by: actorJson(actor)
    })
    schemas.forEach((schema, position) => this.writeSchema(id, schema, position))
    return this.find(id) as StoredBulkSync
  }

  /** PUT: the top level replaced (what is left out goes back to its default); schemas stay. Call inside a transaction. */
  replace (existing: StoredBulkSync, input: UpdateBulkSyncInput, actor: Actor): StoredBulkSync {
    const checked = this.checked(existing.organization_id, input)
    const now = this.clock.now()
    this.update.run({
      id: existing.id,
      source_connection_id: checked.source,
      destination_connection_id: checked.destination,
      name: checked.name,
      active: checked.active ? 1 : 0,
      definition: JSON.stringify(checked.definition),
      schedule_anchor_ms: anchorAfter(existing, checked.active, now),
      updated_at: new Date(now).toISOString(),
      updated_by: actorJson(actor)
    })
    return this.find(existing.id) as StoredBulkSync
  }

  /**
   * activate: on or off. Turning a bulk sync off also asks its running execution to stop
   * (reference 6.2); turning it on schedules from now. Call inside a transaction.
   */
  setActive (existing: StoredBulkSync, active: boolean, actor: Actor): StoredBulkSync {
    const now = this.clock.now()
    this.updateActive.run(active ? 1 : 0, anchorAfter(existing, active, now), new Date(now).toISOString(), JSON.stringify(actor), existing.id)
    if (!active) this.executions.cancelActive(existing.id)
    return this.find(existing.id) as StoredBulkSync
  }

  /** Its running execution canceled, then the sync with its schemas, schedules and history. Call inside a transaction. */
  delete (existing: StoredBulkSync): void {
    this.executions.cancelForDeletion(existing.id)
    this.remove.run(existing.id)
  }

  /** What its events and runs say about it. */
  facts (sync: StoredBulkSync): SyncFacts {
    return { kind: 'bulk', id: sync.id, organization_id: sync.organization_id, name: sync.name, source_connection_id: sync.source_connection_id, destination_connection_id: sync.destination_connection_id }
  }

  /**
   * A run as asked (StartBulkSyncRequest): test and a resync mode exclude each other, the legacy
   * resync flag is refused, named schemas must be the sync's. Without names, every enabled schema.
   */
  startRequest (sync: StoredBulkSync, input: StartBulkSyncInput | null | undefined, trigger: 'manual' | 'schedule'): StartRequest {
    const given = input ?? {}
    if (given.resync === true) throw validationError('resync', 'is no longer accepted: use resync_mode (refetch, resync or rebuild)')
    if (given.test === true && given.resync_mode !== undefined) throw validationError('test', 'a test run cannot also be a resync (resync_mode)')
    const schemas = this.schemas(sync.id)
    let selected = schemas.filter((s) => s.enabled)
    if (given.schemas !== undefined && given.schemas.length > 0) {
      const ids = schemas.map((s) => s.id)
      given.schemas.forEach((id, index) => {
        if (!ids.includes(id)) throw validationError(`schemas[${index}]`, `is not a schema of this sync${didYouMean(id, ids)}`)
      })
      selected = schemas.filter((s) => given.schemas?.includes(s.id))
    }
    return {
      trigger,
      test: given.test,
      resync_mode: given.resync_mode,
      fetch_mode: given.fetch_mode,
      schemas: selected.map((s) => ({ id: s.id, output_name: s.user_output_name ?? s.output_name })),
      partial: given.schemas !== undefined && given.schemas.length > 0
    }
  }

  /** What the response and a fixture both hold: the sync's own fields and its definition. */
  private fields (sync: StoredBulkSync): Omit<FixtureBulkSync, 'schemas' | 'schedules' | 'created_at' | 'updated_at'> {
    return {
      id: sync.id,
      organization_id: sync.organization_id,
      name: sync.name,
      active: sync.active,
      source_connection_id: sync.source_connection_id,
      destination_connection_id: sync.destination_connection_id,
      ...sync.definition
    } as FixtureBulkSync
  }

  /** BulkSyncResponse. */
  view (sync: StoredBulkSync): Record<string, unknown> {
    return defined({ ...this.fields(sync), created_at: sync.created_at, created_by: sync.created_by, updated_at: sync.updated_at, updated_by: sync.updated_by })
  }

  // Schemas

  schemas (syncId: string): StoredSchema[] {
    return this.schemaRows.all(syncId).map((row) => JSON.parse(row.definition) as StoredSchema)
  }

  schema (syncId: string, schemaId: string): StoredSchema {
    const row = this.schemaRow.get(syncId, schemaId)
    if (row === undefined) throw Errors.SchemaNotFound()
    return JSON.parse(row.definition) as StoredSchema
  }

  private writeSchema (syncId: string, schema: StoredSchema, position?: number): void {
    this.upsertSchema.run({ sync_id: syncId, id: schema.id, position: position ?? this.nextPosition.get(syncId)?.next ?? 0, definition: JSON.stringify(schema) })
  }

  /** UpdateBulkSchema over a stored schema: what is given replaces; an empty fields list enables every field. */
  private applySchemaUpdate (schema: StoredSchema, input: UpdateBulkSchemaInput): StoredSchema {
    const given = pickKnown(input, UpdateBulkSchemaBody) as UpdateBulkSchemaInput
    const { fields: _fields, filters: _filters, ...rest } = given
    const next: StoredSchema = { ...schema, ...defined(rest) }
    if (given.fields !== undefined) {
      uniqueIds(given.fields.map((f) => f.id), 'fields')
      next.fields = given.fields.length === 0 ? schema.fields.map((f) => ({ ...f, enabled: true })) : given.fields.map(fieldSetting)
    }
    if (given.filters !== undefined) next.filters = given.filters as Filter[]
    return next
  }

  /** PUT .../schemas/:schema_id: an existing schema updated. Call inside a transaction. */
  updateSchema (syncId: string, schemaId: string, input: UpdateBulkSchemaInput): StoredSchema {
    const next = this.applySchemaUpdate(this.schema(syncId, schemaId), input)
    this.writeSchema(syncId, next)
    return next
  }

  /**
   * PATCH .../schemas: the listed schemas updated, matched by id; a schema the sync does not have
   * yet is added (the simulator has no source catalog to take it from). Call inside a transaction.
   */
  patchSchemas (syncId: string, list: Array<UpdateBulkSchemaInput & { id: string }>): StoredSchema[] {
    uniqueIds(list.map((s) => s.id), 'schemas')
    for (const entry of list) {
      const row = this.schemaRow.get(syncId, entry.id)
      const base = row === undefined ? schemaFrom(entry.id) : JSON.parse(row.definition) as StoredSchema
      this.writeSchema(syncId, this.applySchemaUpdate(base, entry))
    }
    return this.schemas(syncId)
  }

  /** BulkSchema. */
  schemaView (schema: StoredSchema): Record<string, unknown> {
    return { ...schema, fields: schema.fields.map((f) => defined({ ...f, output_name: outputName(f.id) })) }
  }

  /**
   * GET .../schemas?filters={"enabled":"true"}: the SDK sends the map as one JSON string. Keys:
   * enabled, id, output_name; anything else, or a value that is not JSON, is a 422.
   */
  filterSchemas (schemas: StoredSchema[], filters: string | undefined): StoredSchema[] {
    if (filters === undefined || filters.trim() === '') return schemas
    let parsed: unknown
    try {
      parsed = JSON.parse(filters)
    } catch {
      throw validationError('filters', 'must be a JSON object, like {"enabled":"true"}')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw validationError('filters', 'must be a JSON object, like {"enabled":"true"}')
    const keys = ['enabled', 'id', 'output_name']
    let result = schemas
    for (const [key, value] of Object.entries(parsed)) {
      const text = String(value)
      if (key === 'enabled') {
        if (text !== 'true' && text !== 'false') throw validationError('filters.enabled', 'must be "true" or "false"')
        result = result.filter((s) => s.enabled === (text === 'true'))
      } else if (key === 'id' || key === 'output_name') {
        result = result.filter((s) => s[key] === text)
      } else {
        throw validationError(`filters.${key}`, `unknown filter${didYouMean(key, keys)}`)
      }
    }
    return result
  }

  // Additional schedules

  schedules (syncId: string): StoredSchedule[] {
    return this.scheduleRows.all(syncId).map(scheduleOf)
  }

  schedule (syncId: string, scheduleId: string): StoredSchedule {
    const row = this.scheduleRow.get(canonicalId(scheduleId))
    if (row === undefined || row.sync_id !== syncId) throw Errors.ScheduleNotFound()
    return scheduleOf(row)
  }

  /** Call inside a transaction. */
  addSchedule (syncId: string, input: ScheduleApiInput, actor: Actor | null, options: { id?: string } = {}): StoredSchedule {
    const id = options.id ?? newId()
    const now = new Date(this.clock.now()).toISOString()
    this.insertSchedule.run({ id, sync_id: syncId, definition: JSON.stringify(checkedScheduleApi(input)), created_at: now, created_by: actorName(actor), updated_at: now, updated_by: actorName(actor) })
    return this.schedule(syncId, id)
  }

  /** Call inside a transaction. */
  replaceSchedule (existing: StoredSchedule, input: ScheduleApiInput, actor: Actor): StoredSchedule {
    this.updateSchedule.run({ id: existing.id, definition: JSON.stringify(checkedScheduleApi(input)), updated_at: new Date(this.clock.now()).toISOString(), updated_by: actorName(actor) })
    return this.schedule(existing.sync_id, existing.id)
  }

  deleteSchedule (existing: StoredSchedule): void {
    this.removeSchedule.run(existing.id)
  }

  /** BulkBulkSyncSchedule (camelCase), with the id the routes take. */
  scheduleView (s: StoredSchedule): Record<string, unknown> {
    return defined({
      id: s.id,
      syncId: s.sync_id,
      ...s.schedule,
      syncMode: 'normal',
      schemas: [],
      isDefault: false,
      createdAt: s.created_at,
      createdBy: s.created_by,
      updatedAt: s.updated_at,
      updatedBy: s.updated_by
    })
  }

  // Fixtures

  /** A bulk sync from a fixture document, checked as the API checks it. Call inside a transaction. */
  load (organizationId: string, fixture: FixtureBulkSync): void {
    const sync = this.create(organizationId, fixture as CreateBulkSyncInput, null, { id: canonicalId(fixture.id), created_at: fixture.created_at, updated_at: fixture.updated_at })
    for (const schedule of fixture.schedules ?? []) this.addSchedule(sync.id, schedule.schedule, null, { id: canonicalId(schedule.id) })
  }

  exportAll (): FixtureBulkSync[] {
    return this.listAll().map((sync) => {
      const fixture: FixtureBulkSync = { ...this.fields(sync), schemas: this.schemas(sync.id), created_at: sync.created_at, updated_at: sync.updated_at }
      const schedules = this.schedules(sync.id)
      if (schedules.length > 0) fixture.schedules = schedules.map((s) => ({ id: s.id, schedule: s.schedule }))
      return fixture
    })
  }
}

function scheduleOf (row: Record<string, string | null>): StoredSchedule {
  return {
    id: row.id as string,
    sync_id: row.sync_id as string,
    schedule: JSON.parse(row.definition as string) as ScheduleApiInput,
    created_at: row.created_at as string,
    created_by: row.created_by ?? null,
    updated_at: row.updated_at as string,
    updated_by: row.updated_by ?? null
  }
}

/** A V4BulkSyncScheduleApi checked like every schedule, its time parts as strings. */
function checkedScheduleApi (input: ScheduleApiInput): ScheduleApiInput {
  const parts = checkSchedule(scheduleParts(input), 'schedule')
  return defined({ frequency: input.frequency, minute: parts.minute, hour: parts.hour, dayOfWeek: parts.day_of_week, dayOfMonth: parts.day_of_month, month: parts.month, selectiveMode: input.selectiveMode }) as ScheduleApiInput
}

function actorName (actor: Actor | null): string | null {
  return actor === null ? null : actor.id ?? actor.name ?? actor.type
}
