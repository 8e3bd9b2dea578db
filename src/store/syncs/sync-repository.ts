import { UNCHECKED_POLICIES, type PolicyNames } from '../identity/policies.js'
import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import type { Actor } from '../connections/connections.js'
import type { Db } from '../db.js'
import type { ExecutionRepository } from './executions.js'
import { canonicalId } from '../ids.js'
import {
  AUDIT_COLUMNS,
  insertOwned,
  ownedTable,
  statements,
  updatedStamps,
  type CreateOptions,
  type OwnedTable
} from '../table.js'
import { actorOf, anchorAfter } from './sync-rules.js'

/** The columns both kinds of sync store; a kind adds its own (its connections, a model sync's mode). */
const SYNC_COLUMNS = [
  'id',
  'organization_id',
  'name',
  'active',
  'definition',
  'schedule_anchor_ms',
  ...AUDIT_COLUMNS
] as const

/** A sync's row: the shared columns, and the kind's own as text. */
export interface SyncRow {
  id: string
  organization_id: string
  name: string
  active: number
  definition: string
  schedule_anchor_ms: number
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
  [kindColumn: string]: string | number | null
}

interface SyncStatements {
  update: Statement<[Record<string, unknown>]>
  updateActive: Statement<[number, number, string, string, string]>
}

/** What both kinds of sync hold once read. */
export interface StoredSyncBase<D> {
  id: string
  organization_id: string
  name: string
  active: boolean
  definition: D
  schedule_anchor_ms: number
  created_at: string
  created_by: Actor | undefined
  updated_at: string
  updated_by: Actor | undefined
}

/**
 * A create or PUT as the kind checked it: the name, the active flag, the kind's columns, the definition kept
 * as JSON.
 */
export interface CheckedSync<D> {
  name: string
  active: boolean
  columns: Record<string, string>
  definition: D
}

/**
 * The life cycle both kinds of sync share (bulk syncs, reference 6; model syncs, reference 7):
 * create, read, PUT, activate (which anchors scheduling), delete (which cancels a running
 * execution first), fixtures. A kind supplies its table and columns, how a body is checked, how a
 * row reads, and what follows a write (a bulk sync's schemas, a model sync's models).
 */
export abstract class SyncRepository<S extends StoredSyncBase<D>, D, Input> {
  protected readonly table: OwnedTable<SyncRow>
  private readonly sync: SyncStatements

  protected constructor (
    db: Db,
    tableName: string,
    private readonly kindColumns: readonly string[],
    protected readonly clock: Clock,
    protected readonly executions: ExecutionRepository
  ) {
    const columns = [...SYNC_COLUMNS, ...kindColumns]
    this.table = ownedTable<SyncRow>(db, tableName, columns)
    const replaced = [...kindColumns, 'name', 'active', 'definition', 'schedule_anchor_ms', 'updated_at', 'updated_by']
    this.sync = statements<SyncStatements>(db, {
      update: `UPDATE ${tableName} SET ${replaced.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`,
      updateActive: `UPDATE ${tableName} SET active = ?, schedule_anchor_ms = ?, updated_at = ?, updated_by = ?
        WHERE id = ?`
    })
  }

  /** The policies a sync names, checked in its organization (the store sets the policy repository's). */
  namedPolicies: PolicyNames = UNCHECKED_POLICIES

  /** A body checked in the organization, the policies it names too; a 422 names the first problem. */
  private checkAll (organizationId: string, input: Input): CheckedSync<D> {
    const checked = this.check(organizationId, input)
    const definition = checked.definition as { policies?: string[] }
    if (definition.policies !== undefined) definition.policies = this.namedPolicies(organizationId, definition.policies)
    return checked
  }

  /** A body checked in the organization; a 422 names the first problem. */
  protected abstract check (organizationId: string, input: Input): CheckedSync<D>
  /** The kind's fields over the shared ones. */
  protected abstract toStored (base: StoredSyncBase<D>, row: SyncRow): S
  /** What follows a create or PUT in the same transaction. */
  protected written (
    _id: string,
    _checked: CheckedSync<D>,
    _input: Input,
    _created: boolean,
    _actor: Actor | null
  ): void {}

  /** What follows turning a sync off (a bulk sync stops its running execution). */
  protected deactivated (_existing: S): void {}

  private read (row: SyncRow): S {
    return this.toStored(
      {
        id: row.id,
        organization_id: row.organization_id,
        name: row.name,
        active: row.active === 1,
        definition: JSON.parse(row.definition) as D,
        schedule_anchor_ms: row.schedule_anchor_ms,
        created_at: row.created_at,
        created_by: actorOf(row.created_by),
        updated_at: row.updated_at,
        updated_by: actorOf(row.updated_by)
      },
      row
    )
  }

  find (id: string): S | undefined {
    const row = this.table.byId.get(canonicalId(id))
    return row === undefined ? undefined : this.read(row)
  }

  protected inOrganization (organizationId: string): S[] {
    return this.table.byOrganization.all(organizationId).map((row) => this.read(row))
  }

  listAll (): S[] {
    return this.table.all.all().map((row) => this.read(row))
  }

  /** Call inside a transaction. */
  create (organizationId: string, input: Input, actor: Actor | null, options: CreateOptions = {}): S {
    const checked = this.checkAll(organizationId, input)
    const now = this.clock.now()
    const id = insertOwned(
      this.table,
      organizationId,
      {
        ...checked.columns,
        name: checked.name,
        active: checked.active ? 1 : 0,
        definition: JSON.stringify(checked.definition),
        schedule_anchor_ms: now
      },
      actor,
      options,
      now
    )
    this.written(id, checked, input, true, actor)
    return this.find(id) as S
  }

  /** PUT: the sync's body replaced (what is left out goes back to its default). Call inside a transaction. */
  replace (existing: S, input: Input, actor: Actor): S {
    const checked = this.checkAll(existing.organization_id, input)
    const now = this.clock.now()
    this.sync.update.run({
      id: existing.id,
      ...checked.columns,
      name: checked.name,
      active: checked.active ? 1 : 0,
      definition: JSON.stringify(checked.definition),
      schedule_anchor_ms: anchorAfter(existing, checked.active, now),
      ...updatedStamps(actor, now)
    })
    this.written(existing.id, checked, input, false, actor)
    return this.find(existing.id) as S
  }

  /** activate: on or off; turning a sync on schedules it from now. Call inside a transaction. */
  setActive (existing: S, active: boolean, actor: Actor): S {
    const now = this.clock.now()
    const { updated_at: at, updated_by: by } = updatedStamps(actor, now)
    this.sync.updateActive.run(active ? 1 : 0, anchorAfter(existing, active, now), at, by, existing.id)
    if (!active) this.deactivated(existing)
    return this.find(existing.id) as S
  }

  /**
   * Its running execution canceled, then the sync and all it holds (history, schemas, schedules). Call inside
   * a transaction.
   */
  delete (existing: S): void {
    this.executions.cancelForDeletion(existing.id)
    this.table.remove.run(existing.id)
  }

  /** A sync from a fixture document, checked as the API checks it. Call inside a transaction. */
  protected loadOne (organizationId: string, fixture: { id: string; created_at?: string; updated_at?: string }): S {
    return this.create(organizationId, fixture as Input, null, {
      id: canonicalId(fixture.id),
      created_at: fixture.created_at,
      updated_at: fixture.updated_at
    })
  }
}
