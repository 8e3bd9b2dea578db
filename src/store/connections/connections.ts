import { UNCHECKED_POLICIES, type PolicyNames } from '../identity/policies.js'
import type { Statement } from 'better-sqlite3'
import type { ConnectionChecks } from '../../control/connection-checks.js'
import { Errors, validationError } from '../../core/errors.js'
import type { CreateConnectionInput, UpdateConnectionInput } from '../../http/schemas/connections.js'
import type { FixtureConnection } from '../../http/schemas/fixtures.js'
import {
  type ConnectionTypeCatalog,
  type ConnectionTypeEntry,
  MASK,
  checkConfiguration,
  maskConfiguration,
  replaceConfiguration
} from './connection-types.js'
import type { Db } from '../db.js'
import { canonicalId, newId } from '../ids.js'
import { requiredName } from '../text.js'

type Configuration = Record<string, unknown>

/** Who created or last changed a connection (the SDK's OutputActor). */
export interface Actor {
  id?: string
  name?: string
  type: string
}

interface ConnectionRow {
  id: string
  organization_id: string
  parent_id: string | null
  name: string
  type: string | null
  configuration: string | null
  policies: string
  healthcheck_interval: string | null
  status: string
  status_error: string | null
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
}

/** A connection with its parent's type, configuration and health resolved (a shared copy follows its parent). */
export interface StoredConnection {
  id: string
  organization_id: string
  parent_id: string | null
  name: string
  type: string
  configuration: Configuration
  policies: string[]
  healthcheck_interval: string | null
  status: string
  status_error: string | null
  created_at: string
  created_by: Actor | null
  updated_at: string
  updated_by: Actor | null
}

/** How a connection reads in responses (ConnectionResponseSchema). */
export interface ConnectionView {
  id: string
  name: string
  organization_id: string
  type: { id: string; name: string; logo_url?: string; operations: string[] }
  configuration: Configuration
  status: string
  status_error?: string
  saved: boolean
  policies: string[]
  created_at: string
  created_by?: Actor
  updated_at: string
  updated_by?: Actor
  parent_connection_id?: string
}

/** How a created or updated connection reads (CreateConnectionResponseSchema). */
export interface SavedConnectionView {
  id: string
  name: string
  organization_id: string
  type: ConnectionView['type']
  configuration: Configuration
  status: string
  status_error?: string
  saved: boolean
  policies: string[]
  healthcheck_interval?: string
}

const COLUMNS = `c.id, c.organization_id, c.parent_id, c.name,
  coalesce(c.type, p.type) AS type, coalesce(c.configuration, p.configuration) AS configuration,
  c.policies, c.healthcheck_interval,
  CASE WHEN c.parent_id IS NULL THEN c.status ELSE p.status END AS status,
  CASE WHEN c.parent_id IS NULL THEN c.status_error ELSE p.status_error END AS status_error,
  c.created_at, c.created_by, c.updated_at, c.updated_by`
const FROM = 'FROM connections c LEFT JOIN connections p ON p.id = c.parent_id'

function toStored (row: ConnectionRow): StoredConnection {
  return {
    id: row.id,
    organization_id: row.organization_id,
    parent_id: row.parent_id,
    name: row.name,
    type: row.type ?? '',
    configuration: JSON.parse(row.configuration ?? '{}') as Configuration,
    policies: JSON.parse(row.policies) as string[],
    healthcheck_interval: row.healthcheck_interval,
    status: row.status,
    status_error: row.status_error,
    created_at: row.created_at,
    created_by: row.created_by === null ? null : (JSON.parse(row.created_by) as Actor),
    updated_at: row.updated_at,
    updated_by: row.updated_by === null ? null : (JSON.parse(row.updated_by) as Actor)
  }
}

/** The outcome of the simulated upstream check (src/control/connection-checks.ts), as a connection records it. */
interface Health {
  status: 'healthy' | 'unhealthy'
  status_error: string | null
}

export class ConnectionRepository {
  private readonly byId: Statement<[string], ConnectionRow>
  private readonly byOrganization: Statement<[string], ConnectionRow>
  private readonly byParent: Statement<[string], ConnectionRow>
  private readonly all: Statement<[], ConnectionRow>
  private readonly nameOwner: Statement<[string, string], { id: string }>
  private readonly shareInto: Statement<[string, string], { id: string }>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly update: Statement<[Record<string, unknown>]>
  private readonly remove: Statement<[string]>
  private readonly dependents: Statement<[string], { kind: string; id: string }>
  private readonly removeSyncsReading: Statement<[string]>
  /** Called with the syncs a forced delete takes along, before it does (their running executions are canceled). */
  beforeSyncsRemoved: (syncIds: string[]) => void = () => {}
  /** The policies a connection names, checked in its organization (the store sets the policy repository's). */
  namedPolicies: PolicyNames = UNCHECKED_POLICIES

  constructor (
    db: Db,
    private readonly types: ConnectionTypeCatalog,
    private readonly checks: ConnectionChecks
  ) {
    this.byId = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.id = ?`)
    this.byOrganization = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.organization_id = ? ORDER BY c.seq`)
    this.byParent = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.parent_id = ? ORDER BY c.seq`)
    this.all = db.prepare(`SELECT ${COLUMNS} ${FROM} ORDER BY c.seq`)
    this.nameOwner = db.prepare('SELECT id FROM connections WHERE organization_id = ? AND name_key = ?')
    this.shareInto = db.prepare('SELECT id FROM connections WHERE parent_id = ? AND organization_id = ?')
    this.insert =
      db.prepare(`INSERT INTO connections (id, organization_id, parent_id, name, name_key, type, configuration,
        policies,
      healthcheck_interval, status, status_error, created_at, created_by, updated_at, updated_by)
      VALUES (@id, @organization_id, @parent_id, @name, @name_key, @type, @configuration, @policies,
      @healthcheck_interval, @status, @status_error, @created_at, @created_by, @updated_at, @updated_by)`)
    this.update =
      db.prepare(`UPDATE connections SET name = @name, name_key = @name_key, configuration = @configuration,
        policies = @policies, healthcheck_interval = @healthcheck_interval, status = @status,
        status_error = @status_error, updated_at = @updated_at, updated_by = @updated_by
      WHERE id = @id`)
    this.remove = db.prepare('DELETE FROM connections WHERE id = ?')
    // What uses a connection (or its shared copies, given as a JSON array): models, and the syncs that
    // name it or read a model of it.
    this.dependents = db.prepare(`WITH ids(id) AS (SELECT value FROM json_each(?)),
      used_models AS (SELECT id FROM models WHERE connection_id IN (SELECT id FROM ids))
      SELECT 'bulk_syncs' AS kind, id FROM bulk_syncs WHERE source_connection_id IN (SELECT id FROM ids) OR
        destination_connection_id IN (SELECT id FROM ids)
      UNION SELECT 'syncs', id FROM model_syncs WHERE target_connection_id IN (SELECT id FROM ids)
        OR id IN (SELECT sync_id FROM model_sync_models WHERE model_id IN (SELECT id FROM used_models))
      UNION SELECT 'models', id FROM used_models
      ORDER BY 1, 2`)
    this.removeSyncsReading = db.prepare(`DELETE FROM model_syncs WHERE id IN (SELECT sync_id FROM model_sync_models
      WHERE model_id IN (SELECT id FROM models WHERE connection_id IN (SELECT value FROM json_each(?))))`)
  }

  find (id: string): StoredConnection | undefined {
    const row = this.byId.get(canonicalId(id))
    return row === undefined ? undefined : toStored(row)
  }

  list (organizationId: string): StoredConnection[] {
    return this.byOrganization.all(organizationId).map(toStored)
  }

  /** The shared copies of a connection, oldest first. */
  sharedCopies (parentId: string): StoredConnection[] {
    return this.byParent.all(parentId).map(toStored)
  }

  listAll (): StoredConnection[] {
    return this.all.all().map(toStored)
  }

  /**
   * A new connection: its type known, its configuration valid for the type, its name free in the
   * organization. The upstream check runs; with validate, a failure refuses the connection (422),
   * otherwise it is saved unhealthy. Call inside a transaction.
   */
  create (
    organizationId: string,
    input: CreateConnectionInput,
    actor: Actor,
    options: { id?: string } = {}
  ): StoredConnection {
    const now = new Date().toISOString()
    return this.insertOwn(
      organizationId,
      { ...input, id: options.id ?? newId() },
      (entry, name) => this.check(entry, name, input.validate === true),
      { created_at: now, updated_at: now, actor }
    )
  }

  /** Inserts a connection of its own (not a shared copy) after the checks every way in makes. */
  private insertOwn (
    organizationId: string,
    input: {
      id: string
      name: unknown
      type: string
      configuration: Configuration
      policies?: string[]
      healthcheck_interval?: string
    },
    health: (entry: ConnectionTypeEntry, name: string) => Health,
    stamp: { created_at: string; updated_at: string; actor: Actor | null }
  ): StoredConnection {
    const entry = this.types.require(input.type)
    const configuration = checkConfiguration(entry, { ...input.configuration })
    const name = requiredName(input.name)
    this.assertNameFree(organizationId, name, null)
    const actor = stamp.actor === null ? null : JSON.stringify(stamp.actor)
    this.insert.run({
      id: input.id,
      organization_id: organizationId,
      parent_id: null,
      name,
      name_key: name.toLowerCase(),
      type: entry.definition.id,
      configuration: JSON.stringify(configuration),
      policies: JSON.stringify(this.namedPolicies(organizationId, input.policies)),
      healthcheck_interval: input.healthcheck_interval ?? null,
      ...health(entry, name),
      created_at: stamp.created_at,
      created_by: actor,
      updated_at: stamp.updated_at,
      updated_by: actor
    })
    return this.find(input.id) as StoredConnection
  }

  /**
   * PUT: name, configuration (a full replacement; secrets left out or sent back masked are kept),
   * policies and health-check interval. A shared copy cannot be changed, nor a connection's type.
   * Call inside a transaction.
   */
  replace (existing: StoredConnection, input: UpdateConnectionInput, actor: Actor): StoredConnection {
    if (existing.parent_id !== null) throw Errors.SharedConnectionReadOnly()
    const entry = this.types.require(existing.type)
    if (input.type !== undefined && input.type !== existing.type) {
      throw validationError('type', `a connection's type cannot change (this one is ${existing.type})`)
    }
    const configuration = checkConfiguration(
      entry,
      replaceConfiguration(entry, existing.configuration, input.configuration)
    )
    const name = requiredName(input.name)
    this.assertNameFree(existing.organization_id, name, existing.id)
    const health = this.check(entry, name, input.validate === true)
    this.update.run({
      id: existing.id,
      name,
      name_key: name.toLowerCase(),
      configuration: JSON.stringify(configuration),
      policies: JSON.stringify(this.namedPolicies(existing.organization_id, input.policies)),
      healthcheck_interval: input.healthcheck_interval ?? null,
      ...health,
      updated_at: new Date().toISOString(),
      updated_by: JSON.stringify(actor)
    })
    return this.find(existing.id) as StoredConnection
  }

  /**
   * Without force, a connection with shared copies, or that models or syncs use (its copies
   * included), is in use (422, naming them); with force they all go: copies, the models of it and
   * of its copies, and every sync that names one of them or reads such a model. Call inside a transaction.
   */
  delete (connection: StoredConnection, force: boolean): void {
    const copies = connection.parent_id !== null ? [] : this.sharedCopies(connection.id)
    const ids = JSON.stringify([connection.id, ...copies.map((c) => c.id)])
    const used: Record<string, string[]> = {}
    for (const row of this.dependents.all(ids)) (used[row.kind] ??= []).push(row.id)
    if (!force) {
      if (copies.length > 0 && Object.keys(used).length === 0) {
        throw Errors.ConnectionInUse({ metadata: { shared_copies: copies.map((c) => c.id) } })
      }
      if (Object.keys(used).length > 0) {
        const metadata = copies.length > 0 ? { shared_copies: copies.map((c) => c.id), ...used } : used
        throw Errors.ConnectionInUse({
          message: `connection in use by ${Object.entries(used)
            .map(([kind, list]) => `${list.length} ${kind.replace('_', ' ')}`)
            .join(', ')}${copies.length > 0 ? ' and shared copies' : ''}; delete with force=true to remove them too`,
          metadata
        })
      }
    }
    this.beforeSyncsRemoved([...(used.bulk_syncs ?? []), ...(used.syncs ?? [])])
    this.removeSyncsReading.run(ids)
    this.remove.run(connection.id)
  }

  /**
   * A shared copy of a connection in another organization: it follows the parent's type,
   * configuration and health, and is named after it unless given a name. Call inside a transaction.
   */
  share (
    parent: StoredConnection,
    childOrganizationId: string,
    givenName: string | undefined,
    actor: Actor,
    options: { id?: string; created_at?: string } = {}
  ): StoredConnection {
    if (parent.parent_id !== null) {
      throw validationError('id', 'a shared connection cannot be shared again: share its parent')
    }
    if (childOrganizationId === parent.organization_id) {
      throw validationError('child_organization_id', 'is the organization that owns the connection')
    }
    if (this.shareInto.get(parent.id, childOrganizationId) !== undefined) throw Errors.ConnectionAlreadyShared()
    const name = givenName === undefined ? parent.name : requiredName(givenName)
    this.assertNameFree(childOrganizationId, name, null)
    const id = options.id ?? newId()
    const now = options.created_at ?? new Date().toISOString()
    this.insert.run({
      id,
      organization_id: childOrganizationId,
      parent_id: parent.id,
      name,
      name_key: name.toLowerCase(),
      type: null,
      configuration: null,
      policies: '[]',
      healthcheck_interval: null,
      status: 'healthy',
      status_error: null,
      created_at: now,
      created_by: JSON.stringify(actor),
      updated_at: now,
      updated_by: JSON.stringify(actor)
    })
    return this.find(id) as StoredConnection
  }

  /**
   * POST /api/connections/test: the configuration (over a stored connection's, when one is named)
   * checked against its type, then the upstream check; nothing is stored. A failure is a 400.
   */
  test (typeId: string, given: Configuration, base: StoredConnection | undefined): void {
    const entry = this.types.require(typeId)
    if (base !== undefined && base.type !== entry.definition.id) {
      throw validationError('type', `does not match the connection's type (${base.type})`)
    }
    const merged = base === undefined ? { ...given } : { ...base.configuration, ...withoutMasks(entry, given) }
    checkConfiguration(entry, merged)
    const failure = this.checks.run(entry.definition.id, base?.name ?? '')
    if (failure !== null) {
      throw Errors.ConnectionTestFailed({ message: failure, metadata: { type: entry.definition.id } })
    }
  }

  /**
   * A connection from a fixture document: checked as the API checks it, except that no upstream check runs.
   * Call inside a transaction.
   */
  load (organizationId: string, fixture: FixtureConnection, parent: StoredConnection | undefined): void {
    const id = canonicalId(fixture.id)
    if (parent !== undefined) {
      this.share(
        parent,
        organizationId,
        fixture.name,
        { type: 'system', name: 'fixtures' },
        { id, created_at: fixture.created_at }
      )
      return
    }
    if (fixture.type === undefined) {
      throw validationError('type', 'is required (or parent_connection_id, for a shared copy)')
    }
    if (fixture.configuration === undefined) throw validationError('configuration', 'is required')
    const created = fixture.created_at ?? new Date().toISOString()
    const health: Health =
      fixture.status === 'unhealthy'
        ? { status: 'unhealthy', status_error: fixture.status_error ?? 'unhealthy' }
        : { status: 'healthy', status_error: null }
    this.insertOwn(
      organizationId,
      { ...fixture, id, type: fixture.type, configuration: fixture.configuration },
      () => health,
      { created_at: created, updated_at: fixture.updated_at ?? created, actor: null }
    )
  }

  /** A connection as a fixture document holds it: secrets masked, a shared copy by its parent alone. */
  exportAll (): FixtureConnection[] {
    return this.listAll().map((c) => {
      const fixture: FixtureConnection = { id: c.id, organization_id: c.organization_id, name: c.name }
      if (c.parent_id !== null) {
        fixture.parent_connection_id = c.parent_id
      } else {
        fixture.type = c.type
        fixture.configuration = maskConfiguration(this.types.find(c.type), c.configuration)
        if (c.policies.length > 0) fixture.policies = c.policies
        if (c.healthcheck_interval !== null) fixture.healthcheck_interval = c.healthcheck_interval
        fixture.status = c.status === 'unhealthy' ? 'unhealthy' : 'healthy'
        if (c.status_error !== null) fixture.status_error = c.status_error
      }
      fixture.created_at = c.created_at
      fixture.updated_at = c.updated_at
      return fixture
    })
  }

  /** The `type` object of responses. */
  typeRef (typeId: string): ConnectionView['type'] {
    const entry = this.types.find(typeId)
    if (entry === undefined) return { id: typeId, name: typeId, operations: [] }
    const ref: ConnectionView['type'] = {
      id: typeId,
      name: entry.definition.name,
      operations: [...(entry.definition.operations ?? [])]
    }
    if (entry.definition.logo_url !== undefined) ref.logo_url = entry.definition.logo_url
    return ref
  }

  /** What both response shapes hold: the connection with its type resolved and its secrets masked. */
  private common (c: StoredConnection): SavedConnectionView {
    const view: SavedConnectionView = {
      id: c.id,
      name: c.name,
      organization_id: c.organization_id,
      type: this.typeRef(c.type),
      configuration: maskConfiguration(this.types.find(c.type), c.configuration),
      status: c.status,
      saved: true,
      policies: c.policies
    }
    if (c.status_error !== null) view.status_error = c.status_error
    return view
  }

  /** ConnectionResponseSchema: list, get, shared copies. */
  view (c: StoredConnection): ConnectionView {
    const view: ConnectionView = { ...this.common(c), created_at: c.created_at, updated_at: c.updated_at }
    if (c.created_by !== null) view.created_by = c.created_by
    if (c.updated_by !== null) view.updated_by = c.updated_by
    if (c.parent_id !== null) view.parent_connection_id = c.parent_id
    return view
  }

  /** CreateConnectionResponseSchema: create and update. */
  savedView (c: StoredConnection): SavedConnectionView {
    const view = this.common(c)
    if (c.healthcheck_interval !== null) view.healthcheck_interval = c.healthcheck_interval
    return view
  }

  assertNameFree (organizationId: string, name: string, self: string | null): void {
    const owner = this.nameOwner.get(organizationId, name.toLowerCase())
    if (owner !== undefined && owner.id !== self) throw Errors.ConnectionNameTaken({ metadata: { field: 'name' } })
  }

  /**
   * The upstream check: with validate, a failure is the API's 422; otherwise it is recorded as the
   * connection's health.
   */
  private check (entry: ConnectionTypeEntry, name: string, validate: boolean): Health {
    const failure = this.checks.run(entry.definition.id, name)
    if (failure === null) return { status: 'healthy', status_error: null }
    if (validate) throw Errors.ConnectionValidationFailed({ message: failure, metadata: { type: entry.definition.id } })
    return { status: 'unhealthy', status_error: failure }
  }
}

/** A test's configuration over a stored one: a masked secret sent back means "the stored value". */
function withoutMasks (entry: ConnectionTypeEntry, given: Configuration): Configuration {
  const result: Configuration = {}
  for (const [name, value] of Object.entries(given)) {
    if (!(entry.secrets.has(name) && value === MASK)) result[name] = value
  }
  return result
}
