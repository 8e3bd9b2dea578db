import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js'
import { W, bearer, call } from '../helper.js'

const tempDatabase = (): string => join(mkdtempSync(join(tmpdir(), 'pm-migrate-')), 'world.db')

t.test('a database of an older schema is migrated at start, keeping its data', async (t) => {
  t.ok(SCHEMA_VERSION >= 2, 'there is more than one migration to test with')
  const database = tempDatabase()
  const first = await buildApp({ config: { database } })
  await call(first, 'POST', `/api/organizations/${W.org.id}/users`, bearer(W.acme.key), { email: 'kept@example.com' })
  await first.close()

  // Roll the file back to schema 1, as an older simulator would have left it.
  const raw = new Database(database)
  raw.exec('DROP TABLE idempotency_keys')
  raw.exec('DROP TABLE policies; DROP TABLE error_subscribers; DROP TABLE notifications; DROP TABLE proxy_calls')
  raw.exec(
    'DROP TABLE connection_catalogs; DROP TABLE jobs; DROP TABLE executions; DROP TABLE bulk_sync_schedules; DROP TABLE bulk_sync_schemas; DROP TABLE bulk_syncs; DROP TABLE model_sync_models; DROP TABLE model_syncs; DROP TABLE models'
  )
  raw.exec('DROP TABLE deliveries; DROP TABLE events; DROP TABLE webhooks')
  raw.exec('DROP TABLE connect_sessions; DROP TABLE connections; DROP TABLE connection_types')
  raw.exec(`CREATE TRIGGER user_roles_same_organization BEFORE INSERT ON user_roles
    WHEN (SELECT organization_id FROM users WHERE id = NEW.user_id) IS NOT (SELECT organization_id FROM roles WHERE id = NEW.role_id)
    BEGIN SELECT RAISE(ABORT, 'user_roles: role belongs to another organization'); END`)
  raw.pragma('user_version = 1')
  raw.close()

  const second = await buildApp({ config: { database } })
  t.teardown(() => second.close())
  t.equal(second.store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
  t.ok(
    second.store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'idempotency_keys'").get(),
    'the new table exists'
  )
  t.ok(
    second.store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'connections'").get(),
    'migration 4 ran: connections exist'
  )
  t.ok(
    second.store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'deliveries'").get(),
    'migration 5 ran: the delivery queue exists'
  )
  t.ok(
    second.store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'executions'").get(),
    'migration 6 ran: syncs and their executions exist'
  )
  t.notOk(
    second.store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'user_roles_same_organization'").get(),
    'the old trigger is gone'
  )
  const users = await call(second, 'GET', `/api/organizations/${W.org.id}/users`, bearer(W.acme.key))
  t.match(users.body, { data: [{}, {}, { email: 'kept@example.com' }] })
})

t.test('a database from a newer simulator is refused and left untouched', async (t) => {
  const database = tempDatabase()
  const raw = new Database(database)
  raw.exec(MIGRATIONS[0] as string)
  raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
  raw.close()
  await t.rejects(buildApp({ config: { database } }), {
    name: 'DatabaseVersionError',
    message: `${database}: the database has schema version ${SCHEMA_VERSION + 5}, newer than this simulator's ${SCHEMA_VERSION}; refusing to open it (upgrade polytomic-mock or use another DATABASE)`
  })
  const after = new Database(database, { readonly: true })
  t.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION + 5)
  t.equal(
    (after.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n,
    0,
    'no fixtures were loaded into it'
  )
  after.close()
})

t.test('a fresh database gets every migration', async (t) => {
  const app = await buildApp({ config: { database: tempDatabase() } })
  t.teardown(() => app.close())
  t.equal(app.store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
  t.equal(app.store.db.pragma('foreign_keys', { simple: true }), 1)
})
