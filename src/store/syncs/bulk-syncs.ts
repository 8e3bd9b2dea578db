import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import { checkSchedule, type ScheduleParts } from './schedule.js'
import type { FixtureBulkSync } from '../../http/schemas/fixtures.js'
import {
  CreateBulkSyncBody,
  SchemaConfigurationShape,
  UpdateBulkSchemaBody,
  type CreateBulkSyncInput,
  type ScheduleApiInput,
  type StartBulkSyncInput,
  type UpdateBulkSchemaInput,
  type UpdateBulkSyncInput
} from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository } from '../connections/connections.js'
import type { Db } from '../db.js'
import { outputName, type ExecutionRepository, type StartRequest, type SyncFacts } from './executions.js'
import { canonicalId, newId } from '../ids.js'
import { pickKnown } from '../shape.js'
import { defined, usableConnection } from './sync-rules.js'
import { SyncRepository, type CheckedSync, type StoredSyncBase, type SyncRow } from './sync-repository.js'
import { statements } from '../table.js'
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

export interface StoredBulkSync extends StoredSyncBase<BulkDefinition> {
  source_connection_id: string
  destination_connection_id: string
}

interface FieldSetting {
  id: string
  enabled: boolean
  obfuscated: boolean
  user_output_name?: string
}
interface Filter {
  field_id?: string
  function: string
  value?: unknown
}

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

interface BulkStatements {
  schemaRows: Statement<[string], { id: string; definition: string }>
  schemaRow: Statement<[string, string], { id: string; definition: string }>
  upsertSchema: Statement<[Record<string, unknown>]>
  nextPosition: Statement<[string], { next: number }>
  scheduleRows: Statement<[string], Record<string, string | null>>
  scheduleRow: Statement<[string], Record<string, string | null>>
  insertSchedule: Statement<[Record<string, unknown>]>
  updateSchedule: Statement<[Record<string, unknown>]>
  removeSchedule: Statement<[string]>
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

/** The schedule of an additional schedule in the snake-case form nextRunAfter reads. */
export function scheduleParts (schedule: ScheduleApiInput): ScheduleParts {
  return {
    frequency: schedule.frequency,
    minute: schedule.minute,
    hour: schedule.hour,
    day_of_week: schedule.dayOfWeek,
    day_of_month: schedule.dayOfMonth,
    month: schedule.month
  }
}

/** A field setting from a request: its id alone (enabled), or an object. */
function fieldSetting (value: unknown): FieldSetting {
  if (typeof value === 'string') return { id: value, enabled: true, obfuscated: false }
  const given = value as {
    id: string
    enabled?: boolean
    obfuscate?: boolean
    obfuscated?: boolean
    user_output_name?: string
  }
  return defined({
    id: given.id,
    enabled: given.enabled ?? true,
    obfuscated: given.obfuscated ?? given.obfuscate ?? false,
    user_output_name: given.user_output_name
  })
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
  if (typeof value === 'string') {
    return { id: value, output_name: outputName(value), enabled: true, fields: [], filters: [] }
  }
  const given = pickKnown(value, {
    properties: { ...SchemaConfigurationShape.properties, output_name: {} }
  }) as UpdateBulkSchemaInput & { id: string; output_name?: string; fields?: unknown[] }
  const fields = (given.fields ?? []).map(fieldSetting)
  return defined({
    ...given,
    id: given.id,
    output_name: given.output_name ?? outputName(given.id),
    enabled: given.enabled ?? true,
    fields,
    filters: given.filters ?? []
  })
}

/**
 * Bulk syncs (reference 6): a source and a destination connection of the organization, each with
 * the capability it needs; a schedule; schemas (the simulator knows no source catalog, so a sync's
 * schemas are those it is given); additional schedules. PUT replaces the top level and leaves the
 * schemas alone. Runs are the execution repository's.
 */
export class BulkSyncRepository extends SyncRepository<
  StoredBulkSync,
  BulkDefinition,
  CreateBulkSyncInput | UpdateBulkSyncInput
> {
  private readonly bulk: BulkStatements

  constructor (
    db: Db,
    clock: Clock,
    private readonly connections: ConnectionRepository,
    private readonly types: ConnectionTypeCatalog,
    executions: ExecutionRepository
  ) {
    super(db, 'bulk_syncs', ['source_connection_id', 'destination_connection_id'], clock, executions)
    const scheduleColumns = 'id, sync_id, definition, created_at, created_by, updated_at, updated_by'
    this.bulk = statements<BulkStatements>(db, {
      schemaRows: 'SELECT id, definition FROM bulk_sync_schemas WHERE sync_id = ? ORDER BY position',
      schemaRow: 'SELECT id, definition FROM bulk_sync_schemas WHERE sync_id = ? AND id = ?',
      upsertSchema: `INSERT INTO bulk_sync_schemas (sync_id, id, position, definition) VALUES (@sync_id, @id,
        @position, @definition)
        ON CONFLICT (sync_id, id) DO UPDATE SET definition = excluded.definition`,
      nextPosition: 'SELECT coalesce(max(position), -1) + 1 AS next FROM bulk_sync_schemas WHERE sync_id = ?',
      scheduleRows: `SELECT ${scheduleColumns} FROM bulk_sync_schedules WHERE sync_id = ? ORDER BY seq`,
      scheduleRow: `SELECT ${scheduleColumns} FROM bulk_sync_schedules WHERE id = ?`,
      insertSchedule: `INSERT INTO bulk_sync_schedules (${scheduleColumns}) VALUES (@id, @sync_id, @definition,
        @created_at, @created_by, @updated_at, @updated_by)`,
      updateSchedule:
        `UPDATE bulk_sync_schedules SET definition = @definition, updated_at = @updated_at, updated_by =
          @updated_by WHERE id = @id`,
      removeSchedule: 'DELETE FROM bulk_sync_schedules WHERE id = ?'
    })
  }

  protected override toStored (base: StoredSyncBase<BulkDefinition>, row: SyncRow): StoredBulkSync {
    return {
      ...base,
      source_connection_id: row.source_connection_id as string,
      destination_connection_id: row.destination_connection_id as string
    }
  }

  list (organizationId: string, active?: boolean): StoredBulkSync[] {
    return this.inOrganization(organizationId).filter((sync) => active === undefined || sync.active === active)
  }

  /** The checked top level of a create or PUT: a 422 names the first problem. */
  protected override check (
    organizationId: string,
    input: CreateBulkSyncInput | UpdateBulkSyncInput
  ): CheckedSync<BulkDefinition> {
    const name = requiredName(input.name)
    const source = usableConnection(
      this.connections,
      this.types,
      organizationId,
      input.source_connection_id,
      'source',
      'source_connection_id'
    )
    const destination = usableConnection(
      this.connections,
      this.types,
      organizationId,
      input.destination_connection_id,
      'destination',
      'destination_connection_id'
    )
    const given = pickKnown(input, {
      properties: { ...CreateBulkSyncBody.properties, schemas: undefined }
    }) as CreateBulkSyncInput
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
    return {
      name,
      active: input.active ?? false,
      columns: { source_connection_id: source.id, destination_connection_id: destination.id },
      definition
    }
  }

  /** A new bulk sync's schemas, as create gives them; PUT leaves the schemas alone. */
  protected override written (
    id: string,
    _checked: CheckedSync<BulkDefinition>,
    input: CreateBulkSyncInput | UpdateBulkSyncInput,
    created: boolean
  ): void {
    if (!created) return
    const schemas = (input.schemas ?? []).map(schemaFrom)
    uniqueIds(
      schemas.map((s) => s.id),
      'schemas'
    )
    schemas.forEach((schema, position) => this.writeSchema(id, schema, position))
  }

  /** Turning a bulk sync off also asks its running execution to stop (reference 6.2). */
  protected override deactivated (existing: StoredBulkSync): void {
    this.executions.cancelActive(existing.id)
  }

  /** What its events and runs say about it. */
  facts (sync: StoredBulkSync): SyncFacts {
    return {
      kind: 'bulk',
      id: sync.id,
      organization_id: sync.organization_id,
      name: sync.name,
      source_connection_id: sync.source_connection_id,
      destination_connection_id: sync.destination_connection_id
    }
  }

  /**
   * A run as asked (StartBulkSyncRequest): test and a resync mode exclude each other, the legacy
   * resync flag is refused, named schemas must be the sync's. Without names, every enabled schema.
   */
  startRequest (
    sync: StoredBulkSync,
    input: StartBulkSyncInput | null | undefined,
    trigger: 'manual' | 'schedule'
  ): StartRequest {
    const given = input ?? {}
    if (given.resync === true) {
      throw validationError('resync', 'is no longer accepted: use resync_mode (refetch, resync or rebuild)')
    }
    if (given.test === true && given.resync_mode !== undefined) {
      throw validationError('test', 'a test run cannot also be a resync (resync_mode)')
    }
    const schemas = this.schemas(sync.id)
    let selected = schemas.filter((s) => s.enabled)
    if (given.schemas !== undefined && given.schemas.length > 0) {
      const ids = schemas.map((s) => s.id)
      given.schemas.forEach((id, index) => {
        if (!ids.includes(id)) {
          throw validationError(`schemas[${index}]`, `is not a schema of this sync${didYouMean(id, ids)}`)
        }
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
    return defined({
      ...this.fields(sync),
      created_at: sync.created_at,
      created_by: sync.created_by,
      updated_at: sync.updated_at,
      updated_by: sync.updated_by
    })
  }

  // Schemas

  schemas (syncId: string): StoredSchema[] {
    return this.bulk.schemaRows.all(syncId).map((row) => JSON.parse(row.definition) as StoredSchema)
  }

  schema (syncId: string, schemaId: string): StoredSchema {
    const row = this.bulk.schemaRow.get(syncId, schemaId)
    if (row === undefined) throw Errors.SchemaNotFound()
    return JSON.parse(row.definition) as StoredSchema
  }

  private writeSchema (syncId: string, schema: StoredSchema, position?: number): void {
    this.bulk.upsertSchema.run({
      sync_id: syncId,
      id: schema.id,
      position: position ?? this.bulk.nextPosition.get(syncId)?.next ?? 0,
      definition: JSON.stringify(schema)
    })
  }

  /** UpdateBulkSchema over a stored schema: what is given replaces; an empty fields list enables every field. */
  private applySchemaUpdate (schema: StoredSchema, input: UpdateBulkSchemaInput): StoredSchema {
    const given = pickKnown(input, UpdateBulkSchemaBody) as UpdateBulkSchemaInput
    const { fields: _fields, filters: _filters, ...rest } = given
    const next: StoredSchema = { ...schema, ...defined(rest) }
    if (given.fields !== undefined) {
      uniqueIds(
        given.fields.map((f) => f.id),
        'fields'
      )
      next.fields =
        given.fields.length === 0 ? schema.fields.map((f) => ({ ...f, enabled: true })) : given.fields.map(fieldSetting)
    }
    if (given.filters !== undefined) next.filters = given.filters
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
    uniqueIds(
      list.map((s) => s.id),
      'schemas'
    )
    for (const entry of list) {
      const row = this.bulk.schemaRow.get(syncId, entry.id)
      const base = row === undefined ? schemaFrom(entry.id) : (JSON.parse(row.definition) as StoredSchema)
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw validationError('filters', 'must be a JSON object, like {"enabled":"true"}')
    }
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
    return this.bulk.scheduleRows.all(syncId).map(scheduleOf)
  }

  schedule (syncId: string, scheduleId: string): StoredSchedule {
    const row = this.bulk.scheduleRow.get(canonicalId(scheduleId))
    if (row === undefined || row.sync_id !== syncId) throw Errors.ScheduleNotFound()
    return scheduleOf(row)
  }

  /** Call inside a transaction. */
  addSchedule (
    syncId: string,
    input: ScheduleApiInput,
    actor: Actor | null,
    options: { id?: string } = {}
  ): StoredSchedule {
    const id = options.id ?? newId()
    const now = new Date(this.clock.now()).toISOString()
    this.bulk.insertSchedule.run({
      id,
      sync_id: syncId,
      definition: JSON.stringify(checkedScheduleApi(input)),
      created_at: now,
      created_by: actorName(actor),
      updated_at: now,
      updated_by: actorName(actor)
    })
    return this.schedule(syncId, id)
  }

  /** Call inside a transaction. */
  replaceSchedule (existing: StoredSchedule, input: ScheduleApiInput, actor: Actor): StoredSchedule {
    this.bulk.updateSchedule.run({
      id: existing.id,
      definition: JSON.stringify(checkedScheduleApi(input)),
      updated_at: new Date(this.clock.now()).toISOString(),
      updated_by: actorName(actor)
    })
    return this.schedule(existing.sync_id, existing.id)
  }

  deleteSchedule (existing: StoredSchedule): void {
    this.bulk.removeSchedule.run(existing.id)
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
    const sync = this.loadOne(organizationId, fixture)
    for (const schedule of fixture.schedules ?? []) {
      this.addSchedule(sync.id, schedule.schedule, null, { id: canonicalId(schedule.id) })
    }
  }

  exportAll (): FixtureBulkSync[] {
    return this.listAll().map((sync) => {
      const fixture: FixtureBulkSync = {
        ...this.fields(sync),
        schemas: this.schemas(sync.id),
        created_at: sync.created_at,
        updated_at: sync.updated_at
      }
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
  return defined({
    frequency: input.frequency,
    minute: parts.minute,
    hour: parts.hour,
    dayOfWeek: parts.day_of_week,
    dayOfMonth: parts.day_of_month,
    month: parts.month,
    selectiveMode: input.selectiveMode
  })
}

function actorName (actor: Actor | null): string | null {
  return actor === null ? null : (actor.id ?? actor.name ?? actor.type)
}
