import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { validationError } from '../../core/errors.js'
import { checkSchedule, type ScheduleParts } from './schedule.js'
import type { FixtureModelSync } from '../../http/schemas/fixtures.js'
import { ModelSyncBody, type ModelSyncInput, type StartModelSyncInput } from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { ConnectionRepository, StoredConnection } from '../connections/connections.js'
import type { Db } from '../db.js'
import type { CatalogRepository } from '../catalogs/catalogs.js'
import type { ExecutionRepository, StartRequest, SyncFacts } from './executions.js'
import { canonicalId } from '../ids.js'
import { modelFields, type ModelRepository } from './models.js'
import { pickKnown } from '../shape.js'
import { defined, usableConnection } from './sync-rules.js'
import { SyncRepository, type CheckedSync, type StoredSyncBase, type SyncRow } from './sync-repository.js'
import { statements } from '../table.js'
import { requiredName } from '../text.js'

/** What a model sync was given, as stored (CreateModelSyncRequest without name and organization). */
type ModelSyncDefinition = Omit<ModelSyncInput, 'name' | 'organization_id' | 'active'>

export interface StoredModelSync extends StoredSyncBase<ModelSyncDefinition> {
  target_connection_id: string
  mode: string
  model_ids: string[]
}

type Source = { model_id: string; field: string }

interface ModelLinks {
  unlinkModels: Statement<[string]>
  linkModel: Statement<[string, string]>
}

/**
 * Model syncs (reference 7): a target connection of the organization with the destination
 * capability, fields mapped from models of the organization (a field a model does not have is a
 * 422), an identity for the modes that match records (update, updateOrCreate). model_ids are the
 * models the sync reads, in the order first named. Unlike a bulk sync, turning one off leaves a
 * running execution to finish (reference 7.3).
 */
export class ModelSyncRepository extends SyncRepository<StoredModelSync, ModelSyncDefinition, ModelSyncInput> {
  private readonly links: ModelLinks

  constructor (
    db: Db,
    clock: Clock,
    private readonly connections: ConnectionRepository,
    private readonly types: ConnectionTypeCatalog,
    private readonly models: ModelRepository,
    executions: ExecutionRepository,
    /** What is inside the target: its objects and their fields. */
    private readonly catalogs: CatalogRepository
  ) {
    super(db, 'model_syncs', ['target_connection_id', 'mode'], clock, executions)
    this.links = statements<ModelLinks>(db, {
      unlinkModels: 'DELETE FROM model_sync_models WHERE sync_id = ?',
      linkModel: 'INSERT OR IGNORE INTO model_sync_models (sync_id, model_id) VALUES (?, ?)'
    })
  }

  protected override toStored (base: StoredSyncBase<ModelSyncDefinition>, row: SyncRow): StoredModelSync {
    return {
      ...base,
      target_connection_id: row.target_connection_id as string,
      mode: row.mode as string,
      model_ids: modelIdsOf(base.definition)
    }
  }

  list (
    organizationId: string,
    filter: { active?: boolean; mode?: string; target_connection_id?: string } = {}
  ): StoredModelSync[] {
    return this.inOrganization(organizationId).filter(
      (sync) =>
        (filter.active === undefined || sync.active === filter.active) &&
        (filter.mode === undefined || sync.mode === filter.mode) &&
        (filter.target_connection_id === undefined ||
          sync.target_connection_id === canonicalId(filter.target_connection_id))
    )
  }

  /**
   * A source (model and field) the sync names: a model of the organization, and one of its fields when it
   * declares any.
   */
  private checkSource (organizationId: string, source: Source, field: string): Source {
    const model = this.models.find(source.model_id)
    if (model === undefined || model.organization_id !== organizationId) {
      throw validationError(`${field}.model_id`, 'no model with this id in the organization')
    }
    const names = modelFields(model).map((f) => f.name)
    if (names.length > 0 && !names.includes(source.field)) {
      throw validationError(`${field}.field`, `is not a field of model ${model.name}${didYouMean(source.field, names)}`)
    }
    return { model_id: model.id, field: source.field }
  }

  protected override check (organizationId: string, input: ModelSyncInput): CheckedSync<ModelSyncDefinition> {
    const name = requiredName(input.name)
    const given = pickKnown(input, ModelSyncBody) as ModelSyncInput
    const target = usableConnection(
      this.connections,
      this.types,
      organizationId,
      given.target.connection_id,
      'destination',
      'target.connection_id'
    )
    if (given.fields.length === 0) throw validationError('fields', 'must map at least one field')
    const mapFields = (
      list: ModelSyncInput['fields'] | undefined,
      field: string
    ): ModelSyncInput['fields'] | undefined =>
      list?.map((f, index) => {
        if (f.source === undefined && f.override_value === undefined) {
          throw validationError(`${field}[${index}]`, 'needs a source (model_id and field) or an override_value')
        }
        return f.source === undefined
          ? f
          : { ...f, source: this.checkSource(organizationId, f.source, `${field}[${index}].source`) }
      })
    const identity =
      given.identity === undefined
        ? undefined
        : { ...given.identity, source: this.checkSource(organizationId, given.identity.source, 'identity.source') }
    if (identity === undefined && (given.mode === 'update' || given.mode === 'updateOrCreate')) {
      throw validationError('identity', `is required for mode ${given.mode}: it says how records are matched`)
    }
    const filters = given.filters?.map((f, index) =>
      f.field === undefined ? f : { ...f, field: this.checkSource(organizationId, f.field, `filters[${index}].field`) }
    )
    const overrides = given.overrides?.map((o, index) =>
      o.field === undefined
        ? o
        : { ...o, field: this.checkSource(organizationId, o.field, `overrides[${index}].field`) }
    )
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
    this.checkTarget(target, given)
    return {
      name,
      active: input.active ?? false,
      columns: { target_connection_id: definition.target.connection_id, mode: definition.mode },
      definition
    }
  }

  /**
   * The target object must be one the target's catalog has (unless the sync creates it: target.create or new_name),
   * and each mapped field one of its fields (unless `new`): a 422 naming the unknown one.
   */
  private checkTarget (target: StoredConnection, given: ModelSyncInput): void {
    const object = given.target.object
    if (object === undefined || object === '') return
    const schema = this.catalogs.schemaByName(target, object)
    if (schema === undefined) {
      if (given.target.create !== undefined || given.target.new_name !== undefined) return
      const known = this.catalogs.schemas(target).map((s) => s.id)
      const problem = `target connection ${target.id} has no object ${object}${didYouMean(object, known)}`
      throw validationError('target.object', problem)
    }
    const names = schema.fields.map((f) => f.id)
    for (const list of ['fields', 'override_fields'] as const) {
      given[list]?.forEach((field, index) => {
        if (field.new !== true && !names.includes(field.target)) {
          const problem = `${schema.id} has no field ${field.target}${didYouMean(field.target, names)}`
          throw validationError(`${list}[${index}].target`, problem)
        }
      })
    }
  }

  /** The models it reads, linked again after each write (a model in use cannot be deleted). */
  protected override written (id: string, checked: CheckedSync<ModelSyncDefinition>): void {
    this.links.unlinkModels.run(id)
    for (const modelId of modelIdsOf(checked.definition)) this.links.linkModel.run(id, modelId)
  }

  facts (sync: StoredModelSync): SyncFacts {
    return {
      kind: 'model',
      id: sync.id,
      organization_id: sync.organization_id,
      name: sync.name,
      target_connection_id: sync.target_connection_id
    }
  }

  startRequest (input: StartModelSyncInput | null | undefined, trigger: 'manual' | 'schedule'): StartRequest {
    const given = input ?? {}
    if (given.test === true && given.resync === true) {
      throw validationError('test', 'a test run cannot also be a resync')
    }
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

  /**
   * ListSyncItem (2025-09-18's list): the summary of a sync, its target as two fields; no field mappings,
   * filters, overrides, identity, passphrase or policies.
   */
  listItem (sync: StoredModelSync): Record<string, unknown> {
    const d = sync.definition
    return defined({
      id: sync.id,
      organization_id: sync.organization_id,
      name: sync.name,
      active: sync.active,
      mode: d.mode,
      model_ids: sync.model_ids,
      schedule: d.schedule,
      only_enrich_updates: d.only_enrich_updates,
      skip_initial_backfill: d.skip_initial_backfill,
      sync_all_records: d.sync_all_records,
      target_connection_id: d.target.connection_id,
      target_object: d.target.object,
      created_at: sync.created_at,
      created_by: sync.created_by,
      updated_at: sync.updated_at,
      updated_by: sync.updated_by
    })
  }

  load (organizationId: string, fixture: FixtureModelSync): void {
    this.loadOne(organizationId, fixture)
  }

  exportAll (): FixtureModelSync[] {
    return this.listAll().map((s) => ({
      id: s.id,
      organization_id: s.organization_id,
      name: s.name,
      active: s.active,
      ...s.definition,
      created_at: s.created_at,
      updated_at: s.updated_at
    }))
  }
}

/** The models a sync reads, in the order first named: fields, override fields, identity, filters, overrides. */
function modelIdsOf (definition: ModelSyncDefinition): string[] {
  const ids: string[] = []
  const add = (source: Source | undefined): void => {
    if (source !== undefined && !ids.includes(source.model_id)) ids.push(source.model_id)
  }
  for (const f of definition.fields) add(f.source)
  for (const f of definition.override_fields ?? []) add(f.source)
  add(definition.identity?.source)
  for (const f of definition.filters ?? []) add(f.field)
  for (const o of definition.overrides ?? []) add(o.field)
  return ids
}
