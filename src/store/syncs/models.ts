import { UNCHECKED_POLICIES, type PolicyNames } from '../identity/policies.js'
import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import type { FixtureModel } from '../../http/schemas/fixtures.js'
import { ModelBody, type ModelInput } from '../../http/schemas/syncs.js'
import { didYouMean } from '../../core/suggest.js'
import type { ConnectionTypeCatalog } from '../connections/connection-types.js'
import type { Actor, ConnectionRepository, StoredConnection } from '../connections/connections.js'
import { checkModelFields, type ModelSource } from '../catalogs/model-source.js'
import type { Db } from '../db.js'
import { canonicalId } from '../ids.js'
import { pickKnown } from '../shape.js'
import { actorOf, defined, usableConnection } from './sync-rules.js'
import {
  AUDIT_COLUMNS,
  insertOwned,
  ownedTable,
  statements,
  updatedStamps,
  type CreateOptions,
  type OwnedTable
} from '../table.js'
import { requiredName } from '../text.js'

/** A model's field (ModelField): a field named in `fields`, or one of `additional_fields` (user added). */
export interface ModelFieldView {
  id: string
  name: string
  label: string
  type: string
  example?: string
  user_added: boolean
}

/** What the model was given, as stored (CreateModelRequest without name, connection and organization). */
type ModelDefinition = Omit<ModelInput, 'name' | 'connection_id' | 'organization_id' | 'refresh'> & {
  configuration: Record<string, unknown>
  /** The types of the columns its table or query has, as the catalog gave them when it was saved (not exported). */
  field_types?: Record<string, { type: string; remote_type?: string }>
}

/** What a model's configuration reads from its connection (src/store/catalogs/model-source.ts). */
export type ModelSourceOf = (
  connection: StoredConnection,
  configuration: Record<string, unknown>
) => ModelSource | undefined

interface ModelRow {
  id: string
  organization_id: string
  connection_id: string
  name: string
  definition: string
  version: number
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
}

export interface StoredModel {
  id: string
  organization_id: string
  connection_id: string
  name: string
  definition: ModelDefinition
  version: number
  created_at: string
  created_by: Actor | undefined
  updated_at: string
  updated_by: Actor | undefined
}

function toStored (row: ModelRow): StoredModel {
  return {
    ...row,
    definition: JSON.parse(row.definition) as ModelDefinition,
    created_by: actorOf(row.created_by),
    updated_by: actorOf(row.updated_by)
  }
}

/**
 * The fields of a model (ModelField): those it names (every column of its table or query when it names none), typed
 * as its source's columns, then the additional ones; ids are the field names.
 */
export function modelFields (model: Pick<StoredModel, 'definition'>): ModelFieldView[] {
  const types = model.definition.field_types
  const named = (model.definition.fields ?? Object.keys(types ?? {})).map((name) =>
    defined({
      id: name,
      name,
      label: name,
      type: types?.[name]?.type ?? 'string',
      remote_type: types?.[name]?.remote_type,
      user_added: false
    })
  )
  const added = (model.definition.additional_fields ?? []).map((f) =>
    defined({ id: f.name, name: f.name, label: f.label, type: f.type, example: f.example, user_added: true })
  )
  return [...named, ...added]
}

/** What ModelResponse shows of a model's definition. */
function definitionView (d: ModelDefinition): Record<string, unknown> {
  return {
    configuration: d.configuration,
    fields: modelFields({ definition: d }),
    identifier: d.identifier,
    labels: (d.labels ?? []).map((label) => ({ name: label })),
    relations: d.relations,
    tracking_columns: d.tracking_columns,
    enricher: d.enricher,
    policies: d.policies ?? []
  }
}

/**
 * Models (reference 9): a query or table of a source connection of the organization. A model whose
 * configuration names a `table` or a `query` is checked against the connection's catalog (an unknown table,
 * a query that does not run or a field that is not a column is a 422) and takes its fields from it; one that
 * names neither has the fields it names (fields, additional_fields). A model a sync uses cannot be deleted
 * (422); every update counts up its version.
 */
export class ModelRepository {
  private readonly table: OwnedTable<ModelRow>
  private readonly sql: {
    update: Statement<[Record<string, unknown>]>
    usedBy: Statement<[string], { sync_id: string }>
  }

  /** The policies a model names, checked in its organization (the store sets the policy repository's). */
  namedPolicies: PolicyNames = UNCHECKED_POLICIES

  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly connections: ConnectionRepository,
    private readonly types: ConnectionTypeCatalog,
    private readonly sourceOf: ModelSourceOf
  ) {
    this.table = ownedTable<ModelRow>(db, 'models', [
      'id',
      'organization_id',
      'connection_id',
      'name',
      'definition',
      'version',
      ...AUDIT_COLUMNS
    ])
    this.sql = statements<ModelRepository['sql']>(db, {
      update: `UPDATE models SET connection_id = @connection_id, name = @name, definition = @definition, version =
        version + 1,
        updated_at = @updated_at, updated_by = @updated_by WHERE id = @id`,
      usedBy: 'SELECT sync_id FROM model_sync_models WHERE model_id = ? ORDER BY sync_id'
    })
  }

  find (id: string): StoredModel | undefined {
    const row = this.table.byId.get(canonicalId(id))
    return row === undefined ? undefined : toStored(row)
  }

  list (organizationId: string): StoredModel[] {
    return this.table.byOrganization.all(organizationId).map(toStored)
  }

  private checked (
    organizationId: string,
    input: ModelInput
  ): { name: string; connection: string; definition: ModelDefinition } {
    const name = requiredName(input.name)
    const connection = usableConnection(
      this.connections,
      this.types,
      organizationId,
      input.connection_id,
      'source',
      'connection_id'
    )
    const given = pickKnown(input, ModelBody) as ModelInput
    const definition = defined({
      ...given,
      name: undefined,
      connection_id: undefined,
      organization_id: undefined,
      refresh: undefined
    }) as ModelDefinition
    if (given.policies !== undefined) definition.policies = this.namedPolicies(organizationId, given.policies)
    const source = this.sourceOf(connection, given.configuration)
    if (source !== undefined) {
      checkModelFields(source, given.fields ?? [])
      definition.field_types = Object.fromEntries(
        source.columns.map((c) => [c.name, defined({ type: c.type, remote_type: c.remote_type })])
      )
    }
    const columns = given.fields ?? source?.columns.map((c) => c.name) ?? []
    const names = [...columns, ...(given.additional_fields ?? []).map((f) => f.name)]
    // Where a duplicate comes from: the fields named, the source's own columns, or the additional fields.
    const origin = (index: number): string =>
      index >= columns.length ? 'additional_fields' : given.fields === undefined ? 'configuration' : `fields[${index}]`
    const seen = new Set<string>()
    names.forEach((field, index) => {
      if (seen.has(field)) throw validationError(origin(index), `duplicate field ${field}`)
      seen.add(field)
    })
    if (given.identifier !== undefined && names.length > 0 && !names.includes(given.identifier)) {
      throw validationError('identifier', `is not one of the model's fields${didYouMean(given.identifier, names)}`)
    }
    return { name, connection: connection.id, definition }
  }

  /**
   * models.preview: what the model would be, checked like a create, without saving it (no id, no stamps), with the
   * connection it reads.
   */
  preview (organizationId: string, input: ModelInput): { view: Record<string, unknown>; connection: StoredConnection } {
    const checked = this.checked(organizationId, input)
    const connection = this.connections.find(checked.connection) as StoredConnection
    const view = defined({
      organization_id: organizationId,
      name: checked.name,
      type: connection.type,
      connection_id: connection.id,
      ...definitionView(checked.definition),
      version: 0
    })
    return { view, connection }
  }

  /** Call inside a transaction. */
  create (
    organizationId: string,
    input: ModelInput,
    actor: Actor | null,
    options: CreateOptions & { version?: number } = {}
  ): StoredModel {
    const checked = this.checked(organizationId, input)
    const id = insertOwned(
      this.table,
      organizationId,
      {
        connection_id: checked.connection,
        name: checked.name,
        definition: JSON.stringify(checked.definition),
        version: options.version ?? 1
      },
      actor,
      options,
      this.clock.now()
    )
    return this.find(id) as StoredModel
  }

  /** PUT: a full replacement; the version counts up. Call inside a transaction. */
  replace (existing: StoredModel, input: ModelInput, actor: Actor): StoredModel {
    const checked = this.checked(existing.organization_id, input)
    this.sql.update.run({
      id: existing.id,
      connection_id: checked.connection,
      name: checked.name,
      definition: JSON.stringify(checked.definition),
      ...updatedStamps(actor, this.clock.now())
    })
    return this.find(existing.id) as StoredModel
  }

  /** A model a sync uses is a 422 naming the syncs. Call inside a transaction. */
  delete (existing: StoredModel): void {
    const syncs = this.sql.usedBy.all(existing.id).map((row) => row.sync_id)
    if (syncs.length > 0) throw Errors.ModelInUse({ metadata: { syncs } })
    this.table.remove.run(existing.id)
  }

  /** ModelResponse. */
  view (model: StoredModel): Record<string, unknown> {
    return defined({
      id: model.id,
      organization_id: model.organization_id,
      name: model.name,
      type: this.connections.find(model.connection_id)?.type,
      connection_id: model.connection_id,
      ...definitionView(model.definition),
      version: model.version,
      created_at: model.created_at,
      created_by: model.created_by,
      updated_at: model.updated_at,
      updated_by: model.updated_by
    })
  }

  load (organizationId: string, fixture: FixtureModel): void {
    this.create(organizationId, fixture, null, {
      id: canonicalId(fixture.id),
      created_at: fixture.created_at,
      updated_at: fixture.updated_at,
      version: fixture.version
    })
  }

  exportAll (): FixtureModel[] {
    return this.table.all
      .all()
      .map(toStored)
      .map((m) => ({
        id: m.id,
        organization_id: m.organization_id,
        name: m.name,
        connection_id: m.connection_id,
        ...m.definition,
        field_types: undefined,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at
      }))
  }
}
