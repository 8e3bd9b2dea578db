import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { validationError } from '../../core/errors.js'
import { checkSchedule, type ScheduleParts } from './schedule.js'
import type { FixtureModelSync } from '../../http/schemas/fixtures.js'
import { ModelSyncBody, type ModelSyncInput, type StartModelSyncInput } from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository } from '../connections/connections.js'
import type { Db } from '../db.js'
import type { ExecutionRepository, StartRequest, SyncFacts } from './executions.js'
import { canonicalId, newId } from '../ids.js'
import { modelFields, type ModelRepository } from './models.js'
import { pickKnown } from '../shape.js'
import { actorJson, actorOf, anchorAfter, defined, stamp, usableConnection } from './sync-rules.js'
import { requiredName } from '../text.js'

/** What a model sync was given, as stored (CreateModelSyncRequest without name and organization). */
type ModelSyncDefinition = Omit<ModelSyncInput, 'name' | 'organization_id' | 'active'>

interface ModelSyncRow {
  id: string
  organization_id: string
  target_connection_id: string
  name: string
  mode: string
  active: number
  definition: string
  schedule_anchor_ms: number
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
}

export interface StoredModelSync {
  id: string
  organization_id: string
  target_connection_id: string
  name: string
  mode: string
  active: boolean
  definition: ModelSyncDefinition
  model_ids: string[]
  schedule_anchor_ms: number
  created_at: string
  created_by: Actor | undefined
  updated_at: string
  updated_by: Actor | undefined
}

type Source = { model_id: string, field: string }

/**
 * Model syncs (reference 7): a target connection of the organization with the destination
 * capability, fields mapped from models of the organization (a field a model does not have is a
 * 422), an identity for the modes that match records (update, updateOrCreate). model_ids are the
 * models the sync reads, in the order first named.
 */
export class ModelSyncRepository {
  private readonly byId: Statement<[string], ModelSyncRow>
  private readonly byOrganization: Statement<[string], ModelSyncRow>
  private readonly all: Statement<[], ModelSyncRow>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly update: Statement<[Record<string, unknown>]>
  private readonly updateActive: Statement<[number, number, string, string, string]>
  private readonly remove: Statement<[string]>
  private readonly unlinkModels: Statement<[string]>
  private readonly linkModel: Statement<[string, string]>

  constructor (db: Db, private readonly clock: Clock, private readonly connections: ConnectionRepository, private readonly types: ConnectionTypeCatalog,
    private readonly models: ModelRepository, private readonly executions: ExecutionRepository) {
    const columns = 'id, organization_id, target_connection_id, name, mode, active, definition, schedule_anchor_ms, created_at, created_by, updated_at, updated_by'
    this.byId = db.prepare(`SELECT ${columns} FROM model_syncs WHERE id = ?`)
    this.byOrganization = db.prepare(`SELECT ${columns} FROM model_syncs WHERE organization_id = ? ORDER BY seq`)
    this.all = db.prepare(`SELECT ${columns} FROM model_syncs ORDER BY seq`)
    this.insert = db.prepare(`INSERT INTO model_syncs (${columns}) VALUES (@id, @organization_id, @target_connection_id, @name, @mode, @active, @definition,
      @schedule_anchor_ms, @created_at, @created_by, @updated_at, @updated_by)`)
    this.update = db.prepare(`UPDATE model_syncs SET target_connection_id = @target_connection_id, name = @name, mode = @mode, active = @active,
      definition = @definition, schedule_anchor_ms = @schedule_anchor_ms, updated_at = @updated_at, updated_by = @updated_by WHERE id = @id`)
    this.updateActive = db.prepare('UPDATE model_syncs SET active = ?, schedule_anchor_ms = ?, updated_at = ?, updated_by = ? WHERE id = ?')
    this.remove = db.prepare('DELETE FROM model_syncs WHERE id = ?')
    this.unlinkModels = db.prepare('DELETE FROM model_sync_models WHERE sync_id = ?')
    this.linkModel = db.prepare('INSERT OR IGNORE INTO model_sync_models (sync_id, model_id) VALUES (?, ?)')
  }

  private toStored (row: ModelSyncRow): StoredModelSync {
    const definition = JSON.parse(row.definition) as ModelSyncDefinition
    return {
      ...row,
      active: row.active === 1,
      definition,
      model_ids: modelIdsOf(definition),
      created_by: actorOf(row.created_by),
      updated_by: actorOf(row.updated_by)
    }
  }

  find (id: string): StoredModelSync | undefined {
    const row = this.byId.get(canonicalId(id))
    return row === undefined ? undefined : this.toStored(row)
  }

  list (organizationId: string, filter: { active?: boolean, mode?: string, target_connection_id?: string } = {}): StoredModelSync[] {
    return this.byOrganization.all(organizationId).map((row) => this.toStored(row)).filter((sync) =>
      (filter.active === undefined || sync.active === filter.active) &&
      (filter.mode === undefined || sync.mode === filter.mode) &&
      (filter.target_connection_id === undefined || sync.target_connection_id === canonicalId(filter.target_connection_id)))
  }

  listAll (): StoredModelSync[] {
    return this.all.all().map((row) => this.toStored(row))
  }

  /** A source (model and field) the sync names: a model of the organization, and one of its fields when it declares any. */
  private checkSource (organizationId: string, source: Source, field: string): Source {
    const model = this.models.find(source.model_id)
    if (model === undefined || model.organization_id !== organizationId) throw validationError(`${field}.model_id`, 'no model with this id in the organization')
    const names = modelFields(model).map((f) => f.name)
    if (names.length > 0 && !names.includes(source.field)) throw validationError(`${field}.field`, `is not a field of model ${model.name}${didYouMean(source.field, names)}`)
    return { model_id: model.id, field: source.field }
  }

  private checked (organizationId: string, input: ModelSyncInput): { name: string, active: boolean, definition: ModelSyncDefinition } {
    const name = requiredName(input.name)
    const given = pickKnown(input, ModelSyncBody) as ModelSyncInput
    const target = usableConnection(this.connections, this.types, organizationId, given.target.connection_id, 'destination', 'target.connection_id')
    if (given.fields.length === 0) throw validationError('fields', 'must map at least one field')
    const mapFields = (list: ModelSyncInput['fields'] | undefined, field: string): ModelSyncInput['fields'] | undefined => list?.map((f, index) => {
      if (f.source === undefined && f.override_value === undefined) throw validationError(`${field}[${index}]`, 'needs a source (model_id and field) or an override_value')
      return f.source === undefined ? f : { ...f, source: this.checkSource(organizationId, f.source, `${field}[${index}].source`) }
    })
    const identity = given.identity === undefined ? undefined : { ...given.identity, source: this.checkSource(organizationId, given.identity.source, 'identity.source') }
    if (identity === undefined && (given.mode === 'update' || given.mode === 'updateOrCreate')) throw validationError('identity', `is required for mode ${given.mode}: it says how records are matched`)
    const filters = given.filters?.map((f, index) => f.field === undefined ? f : { ...f, field: this.checkSource(organizationId, f.field, `filters[${index}].field`) })
    const overrides = given.overrides?.map((o, index) => o.field === undefined ? o : { ...o, field: this.checkSource(organizationId, o.field, `overrides[${index}].field`) })
    const definition = defined({
      ...given,
      name: undefined,
      organization_id: undefined,
      active: undefined,
      schedule: checkSchedule(given.schedule as ScheduleParts, 'schedule'),
      target: { ...given.target, connection_id: target.id },
      fields: mapFields(given.fields, 'fields'),
      override_fields: mapFields(given.override_fields, 'override_fields'),
      identity,
      filters,
      overrides
    }) as ModelSyncDefinition
    return { name, active: input.active ?? false, definition }
  }

  private link (syncId: string, definition: ModelSyncDefinition): void {
    this.unlinkModels.run(syncId)
    for (const modelId of modelIdsOf(definition)) this.linkModel.run(syncId, modelId)
  }

  /** Call inside a transaction. */
  create (organizationId: string, input: ModelSyncInput, actor: Actor | null, options: { id?: string, created_at?: string, updated_at?: string } = {}): StoredModelSync {
    const checked = this.checked(organizationId, input)
    const id = options.id ?? newId()
    const now = this.clock.now()
    this.insert.run({
      id,
      organization_id: organizationId,
      target_connection_id: checked.definition.target.connection_id,
      name: checked.name,
      mode: checked.definition.mode,
      active: checked.active ? 1 : 0,
      definition: JSON.stringify(checked.definition),
      schedule_anchor_ms: now,
      created_at: stamp(options.created_at, now),
      created_by: actorJson(actor),
      updated_at: stamp(options.updated_at ?? options.created_at, now),
      updated_by: actorJson(actor)
    })
    this.link(id, checked.definition)
    return this.find(id) as StoredModelSync
  }

  /** PUT: a full replacement. Call inside a transaction. */
  replace (existing: StoredModelSync, input: ModelSyncInput, actor: Actor): StoredModelSync {
    const checked = this.checked(existing.organization_id, input)
    const now = this.clock.now()
    this.update.run({
      id: existing.id,
      target_connection_id: checked.definition.target.connection_id,
      name: checked.name,
      mode: checked.definition.mode,
      active: checked.active ? 1 : 0,
      definition: JSON.stringify(checked.definition),
      schedule_anchor_ms: anchorAfter(existing, checked.active, now),
      updated_at: new Date(now).toISOString(),
      updated_by: JSON.stringify(actor)
    })
    this.link(existing.id, checked.definition)
    return this.find(existing.id) as StoredModelSync
  }

  /** activate: on or off; unlike a bulk sync, a running execution is left to finish (reference 7.3). Call inside a transaction. */
  setActive (existing: StoredModelSync, active: boolean, actor: Actor): StoredModelSync {
    const now = this.clock.now()
    this.updateActive.run(active ? 1 : 0, anchorAfter(existing, active, now), new Date(now).toISOString(), JSON.stringify(actor), existing.id)
    return this.find(existing.id) as StoredModelSync
  }

  /** Its running execution canceled, then the sync and its history. Call inside a transaction. */
  delete (existing: StoredModelSync): void {
    this.executions.cancelForDeletion(existing.id)
    this.remove.run(existing.id)
  }

  facts (sync: StoredModelSync): SyncFacts {
    return { kind: 'model', id: sync.id, organization_id: sync.organization_id, name: sync.name, target_connection_id: sync.target_connection_id }
  }

  startRequest (input: StartModelSyncInput | null | undefined, trigger: 'manual' | 'schedule'): StartRequest {
    const given = input ?? {}
    if (given.test === true && given.resync === true) throw validationError('test', 'a test run cannot also be a resync')
    return { trigger, test: given.test, resync: given.resync, identities: given.identities }
  }

  /** ModelSyncResponse. */
  view (sync: StoredModelSync): Record<string, unknown> {
    return defined({
      id: sync.id,
      organization_id: sync.organization_id,
      name: sync.name,
      active: sync.active,
      ...sync.definition,
      policies: sync.definition.policies ?? [],
      model_ids: sync.model_ids,
      created_at: sync.created_at,
      created_by: sync.created_by,
      updated_at: sync.updated_at,
      updated_by: sync.updated_by
    })
  }

  load (organizationId: string, fixture: FixtureModelSync): void {
    this.create(organizationId, fixture as ModelSyncInput, null, { id: canonicalId(fixture.id), created_at: fixture.created_at, updated_at: fixture.updated_at })
  }

  exportAll (): FixtureModelSync[] {
    return this.listAll().map((s) => ({
      id: s.id, organization_id: s.organization_id, name: s.name, active: s.active, ...s.definition, created_at: s.created_at, updated_at: s.updated_at
    }) as FixtureModelSync)
  }
}

/** The models a sync reads, in the order first named: fields, override fields, identity, filters, overrides. */
function modelIdsOf (definition: ModelSyncDefinition): string[] {
  const ids: string[] = []
  const add = (source: Source | undefined): void => { if (source !== undefined && !ids.includes(source.model_id)) ids.push(source.model_id) }
  for (const f of definition.fields) add(f.source)
  for (const f of definition.override_fields ?? []) add(f.source)
  add(definition.identity?.source)
  for (const f of definition.filters ?? []) add(f.field)
  for (const o of definition.overrides ?? []) add(o.field)
  return ids
}
