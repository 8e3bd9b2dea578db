import { createRequire } from 'node:module'
import { spawn, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import { Errors } from '../../core/errors.js'
import { childEnvironment } from '../../core/config.js'
import type { Catalog, CatalogField } from './catalog.js'

/** One table of a catalog's SQL database: in `schema` (an attached database) or in main. */
export interface TableLayout {
  schema: string | null
  name: string
  columns: Array<{ name: string; affinity: string }>
  rows?: unknown[][]
}

/** A query's answer: its columns and rows as arrays in column order (at most the row bound), or an error. */
export type QueryOutcome = { fields: string[]; rows: unknown[][]; truncated: boolean } | { error: string }

const AFFINITY: Record<string, string> = { number: 'NUMERIC', boolean: 'INTEGER' }

/** Where a schema id puts its table: "public.users" is table users of schema public; "users" is in main. */
export function tableName (schemaId: string): { schema: string | null; name: string } {
  const dot = schemaId.lastIndexOf('.')
  return dot <= 0 || dot === schemaId.length - 1
    ? { schema: null, name: schemaId }
    : { schema: schemaId.slice(0, dot), name: schemaId.slice(dot + 1) }
}

function cell (value: unknown, field: CatalogField): unknown {
  if (value === undefined || value === null) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'object') return JSON.stringify(value)
  return field.type === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
    ? Number(value)
    : value
}

/** Rows as objects keyed by their fields (a later column of a name wins). */
export function rowObjects (fields: readonly string[], rows: readonly unknown[][]): Array<Record<string, unknown>> {
  return rows.map((values) => {
    const row: Record<string, unknown> = {}
    fields.forEach((field, index) => {
      row[field] = values[index]
    })
    return row
  })
}

/** The tables of a catalog, with their rows when `withRows`. */
export function layoutOf (catalog: Catalog, withRows: boolean): TableLayout[] {
  return catalog.schemas.map((schema) => ({
    ...tableName(schema.id),
    columns: schema.fields.map((f) => ({ name: f.id, affinity: AFFINITY[f.type] ?? 'TEXT' })),
    ...(withRows ? { rows: schema.rows.map((row) => schema.fields.map((f) => cell(row[f.id], f))) } : {})
  }))
}

/**
 * A database holding the tables of a layout (and their rows, if it has them), read-only once built. Written
 * without closures or imports: the query process runs this very function's source.
 */
export function createCatalogDatabase (
  Ctor: new (file: string) => Database.Database,
  tables: TableLayout[]
): Database.Database {
  const db = new Ctor(':memory:')
  const quote = (name: string): string => '"' + name.replace(/"/g, '""') + '"'
  const schemas: string[] = []
  for (const table of tables) {
    if (table.schema !== null && !schemas.includes(table.schema)) {
      schemas.push(table.schema)
      db.prepare('ATTACH DATABASE \':memory:\' AS ' + quote(table.schema)).run()
    }
    const qualified = (table.schema === null ? '' : quote(table.schema) + '.') + quote(table.name)
    const columns = table.columns.map((c) => quote(c.name) + ' ' + c.affinity)
    const list = columns.length > 0 ? columns.join(', ') : '"_" TEXT'
    db.exec('CREATE TABLE IF NOT EXISTS ' + qualified + ' (' + list + ')')
    if (table.rows !== undefined && table.rows.length > 0 && table.columns.length > 0) {
      const places = table.columns.map(() => '?').join(', ')
      const insert = db.prepare('INSERT INTO ' + qualified + ' VALUES (' + places + ')')
      db.transaction((rows: unknown[][]) => { for (const row of rows) insert.run(row) })(table.rows)
    }
  }
  db.pragma('query_only = ON')
  return db
}

/**
 * The query runner's dialect is SQLite's. Two PostgreSQL habits are met: ILIKE is LIKE (SQLite's LIKE already
 * ignores ASCII case), and a `::type` cast is refused with the CAST to write instead. Quoted text is left alone.
 */
export function translateQuery (sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const c = sql.charAt(i)
    if (c === "'" || c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1)
      const stop = end === -1 ? sql.length : end + 1
      out += sql.slice(i, stop)
      i = stop
    } else if (c === ':' && sql[i + 1] === ':') {
      throw Errors.QueryRefused({
        message: "this query runner speaks SQLite, which has no '::' casts: write CAST(value AS type) instead"
      })
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))?.[0] ?? c
      out += word.toUpperCase() === 'ILIKE' ? 'LIKE' : word
      i += word.length
    } else {
      out += c
      i++
    }
  }
  return out
}

/**
 * Checks a query against the tables (no rows) of its connection: a statement that would write, or that is not a
 * query (PRAGMA, ATTACH), is refused; a syntax error or an unknown table is returned as the failed query's error.
 */
export function prepareQuery (
  db: Database.Database,
  sql: string
): { error?: string; fields?: Database.ColumnDefinition[] } {
  let statement: Database.Statement
  try {
    statement = db.prepare(sql)
  } catch (err) {
    if (err instanceof RangeError) throw Errors.QueryRefused({ message: 'one statement at a time: ' + err.message })
    return { error: (err as Error).message }
  }
  const head = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*/, '').slice(0, 6).toUpperCase()
  if (!statement.reader || !statement.readonly || !['SELECT', 'WITH', 'VALUES'].some((w) => head.startsWith(w))) {
    throw Errors.QueryRefused({
      message: 'the query runner only reads: send one SELECT (or WITH ... SELECT) statement'
    })
  }
  return { fields: statement.columns() }
}

/** Runs `sql` on `db`: its columns and at most maxRows rows. Closure-free, like createCatalogDatabase. */
export function runOn (db: Database.Database, sql: string, maxRows: number): QueryOutcome {
  try {
    const statement = db.prepare(sql).raw(true)
    const fields = statement.columns().map((c) => c.name)
    const rows: unknown[][] = []
    let truncated = false
    for (const values of statement.iterate() as Iterable<unknown[]>) {
      if (rows.length >= maxRows) {
        truncated = true
        break
      }
      rows.push(values.map((value) => (typeof value === 'bigint' ? String(value) : value)))
    }
    return { fields, rows, truncated }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

/** What runs in the query process: databases by digest (the newest `cacheSize`), one query at a time. */
function queryProcessMain (
  Ctor: new (file: string) => Database.Database,
  cacheSize: number,
  build: typeof createCatalogDatabase,
  run: typeof runOn
): void {
  type Message = { id: number; digest: string; tables?: TableLayout[]; sql: string; maxRows: number }
  const send = (message: unknown): void => {
    process.send?.(message)
  }
  const databases = new Map<string, Database.Database>()
  process.on('disconnect', () => process.exit(0))
  process.on('message', (message: Message) => {
    let db = databases.get(message.digest)
    if (db === undefined && message.tables === undefined) {
      send({ id: message.id, missing: true })
      return
    }
    if (db === undefined) {
      try {
        db = build(Ctor, message.tables as TableLayout[])
      } catch (err) {
        send({ id: message.id, outcome: { error: (err as Error).message } })
        return
      }
    }
    databases.delete(message.digest)
    databases.set(message.digest, db)
    for (const [digest, old] of databases) {
      if (databases.size <= cacheSize) break
      old.close()
      databases.delete(digest)
    }
    // The query's time starts now: starting this process and building the database are not the query's.
    send({ id: message.id, started: true })
    send({ id: message.id, outcome: run(db, message.sql, message.maxRows) })
  })
}

/**
 * The query process's program (node -e): the functions above, from their own source, and a watchdog thread that
 * ends the process if its parent is gone (a query stuck in SQLite cannot see the parent go).
 */
const QUERY_PROCESS_SOURCE = `
const __name = (f) => f;
const createCatalogDatabase = ${createCatalogDatabase.toString()};
const runOn = ${runOn.toString()};
const { Worker } = require('node:worker_threads');
const parent = process.ppid;
const watch = 'try { process.kill(' + parent + ', 0) } catch { process.kill(process.pid, "SIGKILL") }';
new Worker('setInterval(() => { ' + watch + ' }, 1000)', { eval: true }).unref();
(${queryProcessMain.toString()})(require(process.argv[1]), Number(process.argv[2]), createCatalogDatabase, runOn);
`

/** How long the query process may take to start and build a catalog's database before a query starts. */
const SETUP_MS = 60_000

export interface SqlEngineOptions {
  /** How long one query may run, in ms (QUERY_TIMEOUT_MS): past it the query process is killed and the query fails. */
  timeoutMs: number
  /** Rows one query returns at most (QUERY_MAX_ROWS). */
  maxRows: number
  /** Catalog databases the query process keeps (CATALOG_CACHE). */
  cacheSize: number
  /** Queries waiting for the query process at most: one more is a 503. */
  queueMax: number
}

interface Pending {
  id: number
  digest: string
  tables: () => TableLayout[]
  sql: string
  resolve: (outcome: QueryOutcome) => void
}

/**
 * Runs queries in a process of its own, one at a time, so that a long query never blocks the server and can be
 * stopped: past the timeout the process is killed (a worker thread cannot be: terminate() waits for SQLite), and
 * started again for the next query. It keeps the databases it built; it is asked for one by digest, and given the
 * rows only when it has none.
 */
export class SqlEngine {
  private child: ChildProcess | null = null
  private readonly queue: Pending[] = []
  private current: Pending | null = null
  private timer: NodeJS.Timeout | null = null
  private nextId = 1
  private closed = false
  private readonly idleWaiters: Array<() => void> = []

  constructor (private readonly options: SqlEngineOptions) {}

  /** Queues a query; resolves with its outcome (never rejects). */
  run (digest: string, tables: () => TableLayout[], sql: string): Promise<QueryOutcome> {
    if (this.closed) return Promise.resolve({ error: 'the simulator is shutting down' })
    if (this.queue.length >= this.options.queueMax) {
      throw Errors.QueryRunnerBusy({ message: `${this.options.queueMax} queries are waiting; try again shortly` })
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, digest, tables, sql, resolve })
      this.pump()
    })
  }

  /** Resolves once no query is running or waiting. */
  idle (): Promise<void> {
    if (this.current === null && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private pump (): void {
    if (this.current !== null) return
    const next = this.queue.shift()
    if (next === undefined) {
      for (const wake of this.idleWaiters.splice(0)) wake()
      return
    }
    this.current = next
    this.send(next, false)
  }

  private send (item: Pending, withTables: boolean): void {
    let tables: TableLayout[] | undefined
    try {
      tables = withTables ? item.tables() : undefined
    } catch (err) {
      this.finish({ error: (err as Error).message })
      return
    }
    // Until the query starts (the process starting, the database being built) a generous bound; then its own.
    this.stopAfter(Math.max(SETUP_MS, this.options.timeoutMs), 'the query process did not take the query')
    const { id, digest, sql } = item
    this.processNow().send({ id, digest, tables, sql, maxRows: this.options.maxRows })
  }

  /** The query process, started on first use: node running QUERY_PROCESS_SOURCE, spoken to over IPC. */
  private processNow (): ChildProcess {
    if (this.child !== null) return this.child
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const child = spawn(process.execPath, ['-e', QUERY_PROCESS_SOURCE, sqlite, String(this.options.cacheSize)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: childEnvironment()
    })
    // Neither the process nor its channel keeps the simulator alive; close() ends it.
    child.unref()
    child.channel?.unref()
    child.on('message', (message: { id: number; missing?: boolean; started?: boolean; outcome?: QueryOutcome }) => {
      if (this.current === null || message.id !== this.current.id) return
      if (message.missing === true) this.send(this.current, true)
      else if (message.started === true) {
        const ms = this.options.timeoutMs
        this.stopAfter(ms, `the query ran longer than ${ms} ms (QUERY_TIMEOUT_MS) and was stopped`)
      } else this.finish(message.outcome as QueryOutcome)
    })
    const lost = (reason: string): void => {
      if (this.child !== child) return
      this.child = null
      this.finish({ error: `the query runner stopped: ${reason}` })
    }
    child.on('error', (err) => lost(err.message))
    child.on('exit', (code, signal) => lost(signal === null ? `exit code ${code ?? 0}` : `signal ${signal}`))
    this.child = child
    return child
  }

  private finish (outcome: QueryOutcome): void {
    this.clearTimer()
    const item = this.current
    this.current = null
    item?.resolve(outcome)
    this.pump()
  }

  /** In `ms`, the query process is killed and the query fails with `error`, unless it has answered. */
  private stopAfter (ms: number, error: string): void {
    this.clearTimer()
    this.timer = setTimeout(() => {
      this.stopProcess()
      this.finish({ error })
    }, ms)
  }

  private clearTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /** Kills the query process (a query stuck inside SQLite cannot be stopped any other way). */
  private stopProcess (): void {
    const child = this.child
    this.child = null
    child?.kill('SIGKILL')
  }

  /** Stops the query process; waiting queries fail. Safe to call twice. */
  close (): void {
    this.closed = true
    this.clearTimer()
    this.stopProcess()
    const waiting = [this.current, ...this.queue.splice(0)]
    this.current = null
    for (const item of waiting) item?.resolve({ error: 'the simulator is shutting down' })
    for (const wake of this.idleWaiters.splice(0)) wake()
  }
}
