import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError, type ApiError } from '../../core/errors.js'
import { checkSchedule, type ScheduleParts } from './schedule.js'
import type { FixtureBulkSync } from '../../http/schemas/fixtures.js'
import {
  CreateBulkSyncBody,
  SchemaConfigurationShape,
  UpdateBulkSchemaBody,
  type AdditionalScheduleInput,
  type CreateBulkSyncInput,
  type CreateBulkSyncInput2025,
  type DefaultScheduleInput,
  type ScheduleApiInput,
  type StartBulkSyncInput,
  type UpdateBulkSchemaInput,
  type UpdateBulkSyncInput,
  type UpdateBulkSyncInput2025
} from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository, StoredConnection } from '../connections/connections.js'
import type { CatalogRepository } from '../catalogs/catalogs.js'
import type { Db } from '../db.js'
import { outputName, type ExecutionRepository, type StartRequest, type SyncFacts } from './executions.js'
import { canonicalId, newId, uuidV5 } from '../ids.js'
import { pickKnown } from '../shape.js'
import { actorOf, defined, usableConnection } from './sync-rules.js'
import { SyncRepository, type CheckedSync, type StoredSyncBase, type SyncRow } from './sync-repository.js'
import { statements } from '../table.js'
import { requiredName } from '../text.js'

/**
 * A create or PUT as either generation sends it: schedule (1.18.1 and the versions before 2025-09-18), or
 * default_schedule with additional_schedules (2025-09-18).
 */
export type BulkSyncInput =
  | CreateBulkSyncInput
  | UpdateBulkSyncInput
  | CreateBulkSyncInput2025
  | UpdateBulkSyncInput2025

/** Whether a body is in the 2025-09-18 form. */
function is2025 (input: BulkSyncInput): input is CreateBulkSyncInput2025 | UpdateBulkSyncInput2025 {
  return (input as { default_schedule?: unknown }).default_schedule !== undefined
}

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
  scheduleCount: Statement<[string], { n: number }>
}

/**
 * An additional schedule as stored: V4BulkSyncScheduleApi (camelCase), with the run it asks for (a resync
 * mode) and the schemas it covers (all when none), which only 2025-09-18's additional_schedules set.
 */
export type ScheduleDefinition = ScheduleApiInput & { syncMode?: string; schemas?: string[] }

interface StoredSchedule {
  id: string
  sync_id: string
  schedule: ScheduleDefinition
  created_at: string
  created_by: Actor | undefined
  updated_at: string
  updated_by: Actor | undefined
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
export class BulkSyncRepository extends SyncRepository<StoredBulkSync, BulkDefinition, BulkSyncInput> {
  private readonly bulk: BulkStatements

  constructor (
    db: Db,
    clock: Clock,
    private readonly connections: ConnectionRepository,
    private readonly types: ConnectionTypeCatalog,
    executions: ExecutionRepository,
    /** Additional schedules a sync may have (SCHEDULES_PER_SYNC): one more is a 422. */
    private readonly schedulesPerSync: number,
    /** What is inside the source: the schemas a sync may pick, and their rows. */
    private readonly catalogs: CatalogRepository
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
      removeSchedule: 'DELETE FROM bulk_sync_schedules WHERE id = ?',
      scheduleCount: 'SELECT count(*) AS n FROM bulk_sync_schedules WHERE sync_id = ?'
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
  protected override check (organizationId: string, input: BulkSyncInput): CheckedSync<BulkDefinition> {
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
      schedule: is2025(input)
        ? checkSchedule(defaultScheduleParts(input.default_schedule), 'default_schedule')
        : checkSchedule(given.schedule as ScheduleParts, 'schedule'),
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

  /**
   * PUT at 2025-09-18 sends back the default schedule's id from a GET: another id is a 422, not a second
   * default schedule.
   */
  override replace (existing: StoredBulkSync, input: BulkSyncInput, actor: Actor): StoredBulkSync {
    if (is2025(input) && input.default_schedule.id !== undefined) {
      if (canonicalId(input.default_schedule.id) !== defaultScheduleId(existing.id)) {
        throw validationError(
          'default_schedule.id',
          "is not this sync's default schedule: send the id a GET gives, or none"
        )
      }
    }
    return super.replace(existing, input, actor)
  }

  private sourceOf (connectionId: string): StoredConnection {
    return this.connections.find(connectionId) as StoredConnection
  }

  /** A schema a sync picks, and the fields it names, must be the source catalog's: a 422 naming the unknown one. */
  private checkInSource (source: StoredConnection, schema: StoredSchema, path: string): void {
    const known = this.catalogs.schemas(source)
    const found = known.find((s) => s.id === schema.id)
    if (found === undefined) {
      throw validationError(
        path,
        `source connection ${source.id} has no schema ${schema.id}${didYouMean(schema.id, known.map((s) => s.id))}`
      )
    }
    const fields = found.fields.map((f) => f.id)
    schema.fields.forEach((field, index) => {
      if (!fields.includes(field.id)) {
        const problem = `${schema.id} has no field ${field.id}${didYouMean(field.id, fields)}`
        throw validationError(`${path}.fields[${index}]`, problem)
      }
    })
  }

  /**
   * A new bulk sync's schemas, as create gives them (PUT leaves the schemas alone); at 2025-09-18, its
   * additional schedules as the body lists them.
   */
  protected override written (
    id: string,
    checked: CheckedSync<BulkDefinition>,
    input: BulkSyncInput,
    created: boolean,
    actor: Actor | null
  ): void {
    if (created) {
      const source = this.sourceOf(checked.columns.source_connection_id as string)
      const schemas = input.schemas === undefined
        ? this.catalogs.schemas(source).map((s) => schemaFrom(s.id))
        : input.schemas.map(schemaFrom)
      uniqueIds(
        schemas.map((s) => s.id),
        'schemas'
      )
      schemas.forEach((schema, index) => this.checkInSource(source, schema, `schemas[${index}]`))
      schemas.forEach((schema, position) => this.writeSchema(id, schema, position))
    }
    if (is2025(input)) this.replaceAdditionalSchedules(id, input.additional_schedules ?? [], actor)
  }

  /**
   * additional_schedules (2025-09-18) over the sync's schedules, which are those of the schedules routes too: an
   * entry with the id of one updates it, one without an id adds one, and one the list leaves out goes (PUT
   * replaces the whole sync). Call inside a transaction.
   */
  private replaceAdditionalSchedules (syncId: string, list: AdditionalScheduleInput[], actor: Actor | null): void {
    const existing = new Map(this.schedules(syncId).map((s) => [s.id, s]))
    const kept = new Set<string>()
    const schemaIds = this.schemas(syncId).map((s) => s.id)
    const definitions = list.map((entry, index) => {
      const field = `additional_schedules[${index}]`
      if (entry.id !== undefined) {
        const id = canonicalId(entry.id)
        if (!existing.has(id)) throw validationError(`${field}.id`, 'is not a schedule of this sync')
        if (kept.has(id)) throw validationError(`${field}.id`, `duplicate id ${id}`)
        kept.add(id)
      }
      ;(entry.schemas ?? []).forEach((schema, at) => {
        if (!schemaIds.includes(schema)) {
          const problem = `is not a schema of this sync${didYouMean(schema, schemaIds)}`
          throw validationError(`${field}.schemas[${at}]`, problem)
        }
      })
      return checkedScheduleApi(scheduleApiOf(entry), field)
    })
    for (const id of existing.keys()) if (!kept.has(id)) this.bulk.removeSchedule.run(id)
    if (definitions.length > this.schedulesPerSync) throw this.tooManySchedules('additional_schedules')
    list.forEach((entry, index) => {
      const definition = definitions[index] as ScheduleDefinition
      const found = entry.id === undefined ? undefined : existing.get(canonicalId(entry.id))
      if (found === undefined) this.insertSchedule(syncId, definition, actor)
      else if (JSON.stringify(found.schedule) !== JSON.stringify(definition)) {
        this.writeSchedule(found, definition, actor)
      }
    })
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
    refuseLegacyResync(given.resync)
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
    const source = this.sourceOf(sync.source_connection_id)
    return {
      trigger,
      test: given.test,
      resync_mode: given.resync_mode,
      fetch_mode: given.fetch_mode,
      schemas: selected.map((s) => ({
        id: s.id,
        output_name: s.user_output_name ?? s.output_name,
        rows: this.catalogs.rowCount(source, s.id)
      })),
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

  /** BulkSyncResponse (before 2025-09-18). */
  view (sync: StoredBulkSync): Record<string, unknown> {
    return defined({
      ...this.fields(sync),
      created_at: sync.created_at,
      created_by: sync.created_by,
      updated_at: sync.updated_at,
      updated_by: sync.updated_by
    })
  }

  /**
   * BulkSyncResponse at 2025-09-18: the schedule as default_schedule (its id derived from the sync's; written
   * with the sync, so its stamps are the sync's), the schedules of the schedules routes as additional_schedules.
   */
  view2025 (sync: StoredBulkSync): Record<string, unknown> {
    const { schedule, discover: _discover, ...fields } = this.fields(sync) as unknown as Record<string, unknown> & {
      schedule: ScheduleParts & { multi?: unknown }
    }
    const { multi: _multi, ...times } = schedule
    const stamps = {
      created_at: sync.created_at,
      created_by: sync.created_by,
      updated_at: sync.updated_at,
      updated_by: sync.updated_by
    }
    return defined({
      ...fields,
      default_schedule: defined({ id: defaultScheduleId(sync.id), ...times, ...stamps }),
      additional_schedules: this.schedules(sync.id).map((s) =>
        defined({
          id: s.id,
          frequency: s.schedule.frequency,
          minute: s.schedule.minute,
          hour: s.schedule.hour,
          day_of_week: s.schedule.dayOfWeek,
          day_of_month: s.schedule.dayOfMonth,
          month: s.schedule.month,
          selective_mode: s.schedule.selectiveMode,
          resync_mode: s.schedule.syncMode ?? 'normal',
          schemas: s.schedule.schemas ?? [],
          created_at: s.created_at,
          created_by: s.created_by,
          updated_at: s.updated_at,
          updated_by: s.updated_by
        })
      ),
      ...stamps
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
   * yet is added, if the source's catalog has it. Call inside a transaction.
   */
  patchSchemas (sync: StoredBulkSync, list: Array<UpdateBulkSchemaInput & { id: string }>): StoredSchema[] {
    const syncId = sync.id
    uniqueIds(
      list.map((s) => s.id),
      'schemas'
    )
    list.forEach((entry, index) => {
      const row = this.bulk.schemaRow.get(syncId, entry.id)
      const base = row === undefined ? schemaFrom(entry.id) : (JSON.parse(row.definition) as StoredSchema)
      const next = this.applySchemaUpdate(base, entry)
      if (row === undefined) this.checkInSource(this.sourceOf(sync.source_connection_id), next, `schemas[${index}]`)
      this.writeSchema(syncId, next)
    })
    return this.schemas(syncId)
  }

  /** BulkSchema. */
  schemaView (schema: StoredSchema): Record<string, unknown> {
    return { ...schema, fields: schema.fields.map((f) => defined({ ...f, output_name: outputName(f.id) })) }
  }

  /** BulkSchemaListItem (2025-09-18's list): the schema without its fields and filters. */
  schemaListItem (schema: StoredSchema): Record<string, unknown> {
    const { fields: _fields, filters: _filters, ...item } = schema
    return item
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

  /** The 422 past SCHEDULES_PER_SYNC, by either road. */
  private tooManySchedules (field: string): ApiError {
    const most = this.schedulesPerSync
    return validationError(field, `a bulk sync has at most ${most} additional schedules (SCHEDULES_PER_SYNC)`)
  }

  /** POST .../schedules: one more, within SCHEDULES_PER_SYNC. Call inside a transaction. */
  addSchedule (
    syncId: string,
    input: ScheduleDefinition,
    actor: Actor | null,
    options: { id?: string } = {}
  ): StoredSchedule {
    if ((this.bulk.scheduleCount.get(syncId)?.n ?? 0) >= this.schedulesPerSync) throw this.tooManySchedules('schedule')
    return this.insertSchedule(syncId, checkedScheduleApi(input), actor, options.id)
  }

  private insertSchedule (
    syncId: string,
    definition: ScheduleDefinition,
    actor: Actor | null,
    id: string = newId()
  ): StoredSchedule {
    const now = new Date(this.clock.now()).toISOString()
    const by = actor === null ? null : JSON.stringify(actor)
    this.bulk.insertSchedule.run({
      id,
      sync_id: syncId,
      definition: JSON.stringify(definition),
      created_at: now,
      created_by: by,
      updated_at: now,
      updated_by: by
    })
    return this.schedule(syncId, id)
  }

  /**
   * PUT .../schedules/:id: the V4BulkSyncScheduleApi replaced; what only additional_schedules sets (a resync
   * mode, schemas) stays. Call inside a transaction.
   */
  replaceSchedule (existing: StoredSchedule, input: ScheduleApiInput, actor: Actor): StoredSchedule {
    const { syncMode, schemas } = existing.schedule
    return this.writeSchedule(existing, checkedScheduleApi({ ...input, syncMode, schemas }), actor)
  }

  private writeSchedule (
    existing: StoredSchedule,
    definition: ScheduleDefinition,
    actor: Actor | null
  ): StoredSchedule {
    this.bulk.updateSchedule.run({
      id: existing.id,
      definition: JSON.stringify(definition),
      updated_at: new Date(this.clock.now()).toISOString(),
      updated_by: actor === null ? null : JSON.stringify(actor)
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
      syncMode: s.schedule.syncMode ?? 'normal',
      schemas: s.schedule.schemas ?? [],
      isDefault: false,
      createdAt: s.created_at,
      createdBy: actorName(s.created_by),
      updatedAt: s.updated_at,
      updatedBy: actorName(s.updated_by)
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
      if (schedules.length > 0) {
        fixture.schedules = schedules.map((s) => ({
          id: s.id,
          schedule: s.schedule as NonNullable<FixtureBulkSync['schedules']>[number]['schedule']
        }))
      }
      return fixture
    })
  }
}

/** A schedule's actor: JSON as the other audit columns hold it, or (kept before 2025-09-18) its id alone. */
function scheduleActor (stored: string | null): Actor | undefined {
  if (stored === null) return undefined
  return stored.startsWith('{') ? actorOf(stored) : { id: stored, type: 'user' }
}

function scheduleOf (row: Record<string, string | null>): StoredSchedule {
  return {
    id: row.id as string,
    sync_id: row.sync_id as string,
    schedule: JSON.parse(row.definition as string) as ScheduleDefinition,
    created_at: row.created_at as string,
    created_by: scheduleActor(row.created_by ?? null),
    updated_at: row.updated_at as string,
    updated_by: scheduleActor(row.updated_by ?? null)
  }
}

/**
 * The legacy resync flag of a start: refused in every version (the docs of both SDK generations say it is no
 * longer accepted; 2025-09-18's type no longer has it).
 */
export function refuseLegacyResync (resync: unknown): void {
  if (resync !== undefined && resync !== false) {
    throw validationError('resync', 'is no longer accepted: use resync_mode (refetch, resync or rebuild)')
  }
}

/** A V4BulkSyncScheduleApi checked like every schedule, its time parts as strings. */
function checkedScheduleApi (input: ScheduleDefinition, field = 'schedule'): ScheduleDefinition {
  const parts = checkSchedule(scheduleParts(input), field)
  return defined({
    frequency: input.frequency,
    minute: parts.minute,
    hour: parts.hour,
    dayOfWeek: parts.day_of_week,
    dayOfMonth: parts.day_of_month,
    month: parts.month,
    selectiveMode: input.selectiveMode,
    syncMode: input.syncMode,
    schemas: input.schemas
  })
}

/** An additional schedule of 2025-09-18 (snake case) in the stored, camel-case form. */
function scheduleApiOf (entry: AdditionalScheduleInput): ScheduleDefinition {
  return {
    frequency: entry.frequency,
    minute: entry.minute,
    hour: entry.hour,
    dayOfWeek: entry.day_of_week,
    dayOfMonth: entry.day_of_month,
    month: entry.month,
    selectiveMode: entry.selective_mode,
    syncMode: entry.resync_mode,
    schemas: entry.schemas
  }
}

/** default_schedule's time parts, without the id it may carry. */
function defaultScheduleParts (input: DefaultScheduleInput): ScheduleParts {
  const { id: _id, ...parts } = input
  return parts
}

/**
 * The id of a bulk sync's default schedule (2025-09-18's default_schedule.id): derived from the sync's, so
 * that it holds across PUTs, exports and restarts without being stored.
 */
export function defaultScheduleId (syncId: string): string {
  return uuidV5(syncId, 'default_schedule')
}

function actorName (actor: Actor | undefined): string | undefined {
  return actor === undefined ? undefined : (actor.id ?? actor.name ?? actor.type)
}
