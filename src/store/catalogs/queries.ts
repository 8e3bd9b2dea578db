import type Database from 'better-sqlite3'
import { Errors } from '../../core/errors.js'
import { QUERY_JOB_TYPE } from '../../http/schemas/syncs.js'
import type { StoredConnection } from '../connections/connections.js'
import type { Store } from '../index.js'
import { decodePageToken, encodePageToken } from '../paging.js'
import type { Caller } from '../types.js'
import type { LoadedCatalog } from './catalogs.js'
import { layoutOf, prepareQuery, rowObjects, translateQuery, type QueryOutcome, type SqlEngine } from './sql.js'

/** Rows in one page of a query's results (GET /api/queries/{id}?page=). */
export const QUERY_PAGE_ROWS = 1000
/** How long a query's results are said to stay (its `expires`); they go with the job bounds, not before. */
const RESULTS_TTL_MS = 24 * 3600 * 1000

/** What a query task holds: whose it is, what it ran, and once done its answer. */
interface QueryHeld {
  owner: string
  connection_id: string
  query: string
  expires: string
  fields?: string[]
  /** In column order, as arrays: a page becomes objects only when it is read. */
  rows?: unknown[][]
}

/** Who may read a query's results: the user (or the key) that ran it. */
export function queryOwner (caller: Caller): string {
  return caller.kind === 'user' ? `user:${caller.userId}` : `key:${caller.keyHash}`
}

/** A checked query: the SQL to run, the catalog to run it on, and the columns it answers with. */
interface CheckedQuery {
  sql: string
  loaded: LoadedCatalog
  fields?: Database.ColumnDefinition[]
  /** A syntax error or an unknown table: the task fails with it. */
  error?: string
}

/**
 * The query runner (queryRunner.*): a query on a SQL-capable connection runs, in SQLite, over the tables of the
 * connection's catalog (src/store/catalogs/sql.ts). runQuery answers with a task that reports running; once the
 * query process has answered, the task reports done (or failed) at the runner's next turn. A task is a job of type
 * `query`, so the job bounds (JOBS_MAX, JOBS_MAX_BYTES) keep them, and reset, snapshots and export know them.
 */
export class QueryRunner {
  constructor (
    private readonly store: Store,
    private readonly engine: SqlEngine
  ) {}

  /** Whether the connection's type runs SQL (the `query` operation of its type). */
  runsSql (connection: StoredConnection): boolean {
    return this.store.connectionTypes.find(connection.type)?.definition.operations?.includes('query') === true
  }

  /** A query a connection can run, checked against its tables; a write, or a connection without SQL, is a 400. */
  check (connection: StoredConnection, query: string | undefined): CheckedQuery {
    if (!this.runsSql(connection)) {
      throw Errors.QueryNotSupported({
        message: `connection ${connection.id} is of type ${connection.type}, which does not run SQL queries`
      })
    }
    if (query === undefined || query.trim() === '') {
      throw Errors.BadRequest({ message: 'query: a query is required', metadata: { field: 'query' } })
    }
    const sql = translateQuery(query)
    const loaded = this.store.catalogs.source(connection)
    return { sql, loaded, ...prepareQuery(loaded.structureDb(), sql) }
  }

  /** Runs a checked query now (a model's sample): the outcome when the query process answers. */
  run (checked: CheckedQuery): Promise<QueryOutcome> {
    if (checked.error !== undefined) return Promise.resolve({ error: checked.error })
    const { catalog, digest } = checked.loaded
    return this.engine.run(digest, () => layoutOf(catalog, true), checked.sql)
  }

  /** runQuery: a task, running. Its answer lands when the query process gives it (a failed check lands at once). */
  start (connection: StoredConnection, query: string | undefined, caller: Caller): { id: string; status: string } {
    const checked = this.check(connection, query)
    const held: QueryHeld = {
      owner: queryOwner(caller),
      connection_id: connection.id,
      query: query as string,
      expires: new Date(this.store.clock.now() + RESULTS_TTL_MS).toISOString()
    }
    const job = this.store.transaction(() => {
      const begun = this.store.jobs.begin(connection.organization_id, QUERY_JOB_TYPE, held, false)
      if (checked.error !== undefined) this.store.jobs.finishWith(begun.job_id, held, checked.error)
      return begun
    })
    if (checked.error === undefined) {
      this.run(checked).then((outcome) => {
        if (this.store.isClosed) return
        this.store.transaction(() => {
          if ('error' in outcome) this.store.jobs.finishWith(job.job_id, held, outcome.error)
          else this.store.jobs.finishWith(job.job_id, { ...held, fields: outcome.fields, rows: outcome.rows }, null)
        })
        // A store closed meanwhile (the only way this throws) leaves nothing to report to.
      }).catch(() => undefined)
    }
    return { id: job.job_id, status: job.status }
  }

  /** getQuery: the task, and once done a page of its rows with links to the others. Not the caller's: a 404. */
  result (
    id: string,
    caller: Caller,
    pageToken: string | undefined
  ): { data: Record<string, unknown>; links?: Record<string, string> } {
    const record = this.store.jobs.record(QUERY_JOB_TYPE, id, (organizationId) =>
      this.store.access.canSeeOrganization(caller, organizationId)
    )
    const held = record?.held as QueryHeld | undefined
    if (record === undefined || held?.owner !== queryOwner(caller)) throw Errors.QueryNotFound()
    const data: Record<string, unknown> = { id: record.view.job_id, status: record.view.status }
    if (record.view.error !== undefined) data.error = record.view.error
    if (record.view.status !== 'done') return { data }
    const rows = held.rows ?? []
    const offset = decodePageToken(pageToken)
    data.fields = held.fields ?? []
    data.count = rows.length
    data.results = rowObjects(held.fields ?? [], rows.slice(offset, offset + QUERY_PAGE_ROWS))
    data.expires = held.expires
    const links: Record<string, string> = {}
    const url = (at: number): string => `/api/queries/${record.view.job_id}?page=${encodePageToken(at)}`
    if (offset + QUERY_PAGE_ROWS < rows.length) links.next = url(offset + QUERY_PAGE_ROWS)
    if (offset > 0) links.previous = url(Math.max(0, offset - QUERY_PAGE_ROWS))
    return { data, links }
  }

  /** Resolves when no query is running or waiting for the query process. */
  idle (): Promise<void> {
    return this.engine.idle()
  }
}
