import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js'

export type Db = Database.Database

export class DatabaseVersionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DatabaseVersionError'
  }
}

/** A database file that cannot be used, with what to do about it; `problem` reads after the file's name. */
export class DatabaseOpenError extends Error {
  constructor (
    readonly filename: string,
    readonly problem: string
  ) {
    super(`${filename}: ${problem}`)
    this.name = 'DatabaseOpenError'
  }
}

/** Plain words for SQLite's refusals (its own message names neither the file nor a way out). */
const SQLITE_PROBLEMS: Array<[RegExp, string]> = [
  [/^SQLITE_NOTADB/, 'the file is not an SQLite database (point DATABASE at another file, or use :memory:)'],
  [/^SQLITE_CORRUPT/, 'the database file is corrupt (remove it, or point DATABASE at another file)'],
  [/^SQLITE_READONLY/, 'the file or its folder is read-only (make both writable: SQLite writes a -wal file beside it)'],
  [/^SQLITE_CANTOPEN/, 'the file cannot be opened (check that this user may read and write it and its folder)'],
  [/^SQLITE_(PERM|AUTH)/, 'permission denied (check that this user may read and write the file and its folder)'],
  [/^SQLITE_FULL/, 'the disk is full'],
  [/^SQLITE_BUSY/, 'another process holds the database locked']
]

/** What is wrong with the place a database file would go, before SQLite gives a vaguer answer. */
function checkDatabasePath (filename: string): void {
  if (filename === ':memory:' || filename === '') return
  const file = resolve(filename)
  const folder = dirname(file)
  if (!existsSync(folder)) {
    throw new DatabaseOpenError(filename, `the folder ${folder} does not exist (create it first)`)
  }
  if (!statSync(folder).isDirectory()) throw new DatabaseOpenError(filename, `${folder} is not a folder`)
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new DatabaseOpenError(filename, 'this is a folder, not a database file (name a file inside it)')
  }
}

/** Opens (and migrates) the database. A file database uses WAL; :memory: stays private to this process. */
export function openDatabase (filename: string): Db {
  checkDatabasePath(filename)
  let db: Db
  try {
    db = new Database(filename)
  } catch (err) {
    throw asOpenError(filename, err)
  }
  try {
    if (filename !== ':memory:') {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
    }
    db.pragma('foreign_keys = ON')
    migrate(db, filename)
    return db
  } catch (err) {
    db.close()
    throw asOpenError(filename, err)
  }
}

function asOpenError (filename: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return err
  const known = SQLITE_PROBLEMS.find(([pattern]) => pattern.test(code))
  return known === undefined ? err : new DatabaseOpenError(filename, known[1])
}

function migrate (db: Db, filename: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new DatabaseVersionError(
      `${filename}: the database has schema version ${current}, newer than this simulator's ${SCHEMA_VERSION}; ` +
        'refusing to open it (upgrade polytomic-mock or use another DATABASE)'
    )
  }
  if (current === SCHEMA_VERSION) return
  db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] as string)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  })()
}
