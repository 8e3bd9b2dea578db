import type { Statement } from 'better-sqlite3'
import type { Actor } from './connections/connections.js'
import type { Db } from './db.js'
import { newId } from './ids.js'

/**
 * A repository's statements, prepared at once from their SQL by name. The type parameter says what
 * each one binds and returns; the SQL is the only other thing a repository writes.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a statement of any binding and row
export function statements<T extends { [K in keyof T]: Statement<any, any> }> (
  db: Db,
  sql: { readonly [K in keyof T]: string }
): T {
  const prepared: Record<string, unknown> = {}
  for (const [name, text] of Object.entries<string>(sql)) prepared[name] = db.prepare(text)
  return prepared as T
}

/**
 * What every table of an organization's resources answers: by id, by organization in order of creation, all,
 * insert by column name, delete by id.
 */
export interface OwnedTable<Row> {
  byId: Statement<[string], Row>
  byOrganization: Statement<[string], Row>
  all: Statement<[], Row>
  insert: Statement<[Record<string, unknown>]>
  remove: Statement<[string]>
}

/**
 * The statements of OwnedTable over `table` (with id, organization_id and seq columns), reading and inserting
 * `columns`.
 */
export function ownedTable<Row> (db: Db, table: string, columns: readonly string[]): OwnedTable<Row> {
  const list = columns.join(', ')
  return statements<OwnedTable<Row>>(db, {
    byId: `SELECT ${list} FROM ${table} WHERE id = ?`,
    byOrganization: `SELECT ${list} FROM ${table} WHERE organization_id = ? ORDER BY seq`,
    all: `SELECT ${list} FROM ${table} ORDER BY seq`,
    insert: `INSERT INTO ${table} (${list}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    remove: `DELETE FROM ${table} WHERE id = ?`
  })
}

/** The audit columns every created resource holds. */
export const AUDIT_COLUMNS = ['created_at', 'created_by', 'updated_at', 'updated_by'] as const

/** Options of a create that a fixture sets (its id and times), a request never. */
export interface CreateOptions {
  id?: string
  created_at?: string
  updated_at?: string
}

/** The audit columns of a new row: by the actor, at the fixture's times or now. */
export function createdStamps (
  actor: Actor | null,
  options: CreateOptions,
  now: number
): Record<(typeof AUDIT_COLUMNS)[number], string | null> {
  const by = actor === null ? null : JSON.stringify(actor)
  const at = (value: string | undefined): string => value ?? new Date(now).toISOString()
  return {
    created_at: at(options.created_at),
    created_by: by,
    updated_at: at(options.updated_at ?? options.created_at),
    updated_by: by
  }
}

/**
 * A new row of an organization's resource: its id (a fixture's, or a new one), the kind's columns
 * and the audit stamps. Returns the id. Call inside a transaction.
 */
export function insertOwned (
  table: OwnedTable<unknown>,
  organizationId: string,
  columns: Record<string, unknown>,
  actor: Actor | null,
  options: CreateOptions,
  now: number
): string {
  const id = options.id ?? newId()
  table.insert.run({ id, organization_id: organizationId, ...columns, ...createdStamps(actor, options, now) })
  return id
}

/** The audit columns of an update: by the actor, now. */
export function updatedStamps (actor: Actor, now: number): { updated_at: string; updated_by: string } {
  return { updated_at: new Date(now).toISOString(), updated_by: JSON.stringify(actor) }
}
