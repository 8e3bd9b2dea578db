import Database from 'better-sqlite3'
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js'

export type Db = Database.Database

export class DatabaseVersionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DatabaseVersionError'
  }
}

/** Opens (and migrates) the database. A file database uses WAL; :memory: stays private to this process. */
export function openDatabase (filename: string): Db {
  const db = new Database(filename)
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
    throw err
  }
}

function migrate (db: Db, filename: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new DatabaseVersionError(`${filename}: the database has schema version ${current}, newer than this simulator's ${SCHEMA_VERSION}; refusing to open it (upgrade polytomic-mock or use another DATABASE)`)
  }
  if (current === SCHEMA_VERSION) return
  db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] as string)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  })()
}
