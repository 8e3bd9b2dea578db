import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { BUNDLED_FIXTURES } from '../../src/core/config.js'
import type { Fixtures } from '../../src/http/schemas/fixtures.js'
import { systemRoleId } from '../../src/store/ids.js'
import { W, bearer, build, call } from '../helper.js'

const ORG = '11111111-1111-4111-8111-111111111111'
const PARTNER = '22222222-2222-4222-8222-222222222222'
const USER = '33333333-3333-4333-8333-333333333333'

function world (): Fixtures {
  return {
    deployment_keys: ['d-key'],
    partners: [{ id: PARTNER, name: 'P', key: 'p-key', organization_id: ORG }],
    organizations: [{ id: ORG, name: 'Org', partner_id: PARTNER }],
    users: [{ id: USER, organization_id: ORG, email: 'u@example.com', role: 'admin' }],
    api_keys: [{ key: 'u-key', organization_id: ORG, user_id: USER }]
  }
}

function bad (mutate: (f: Fixtures & Record<string, unknown>) => void): Fixtures {
  const f = world() as Fixtures & Record<string, unknown>
  mutate(f)
  return f
}

t.test('a minimal world loads, with Admin and Member derived from the organization id', async (t) => {
  const app = await build(t, { fixtures: world() })
  const res = await call(app, 'GET', `/api/organizations/${ORG}/users/${USER}`, bearer('p-key'))
  t.same(res.body, {
    data: {
      id: USER,
      email: 'u@example.com',
      organization_id: ORG,
      role: 'admin',
      role_ids: [systemRoleId(ORG, 'admin')]
    }
  })
  const roles = app.store.roles.list(ORG)
  t.same(roles, [
    { id: systemRoleId(ORG, 'admin'), name: 'Admin', organization_id: ORG, system: true },
    { id: systemRoleId(ORG, 'member'), name: 'Member', organization_id: ORG, system: true }
  ])
})

t.test('an empty document is a valid, empty world', async (t) => {
  const app = await build(t, { fixtures: {} })
  const res = await call(app, 'GET', `/api/organizations/${ORG}/users`, bearer('p-key'))
  t.equal(res.status, 401)
})

t.test('the bundled fixtures hold the documented example', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', `/api/organizations/${W.org.id}/users/${W.jane.id}`, bearer(W.acme.key))
  t.same(res.body, {
    data: {
      id: W.jane.id,
      email: 'jane.doe@polytomic.com',
      organization_id: W.org.id,
      role: 'admin',
      role_ids: ['d9f8e7c6-b5a4-4d3c-9b8a-7e6f5d4c3b2a']
    }
  })
  t.equal(W.org.memberRoleId, systemRoleId(W.org.id, 'member'))
})

const failures: Array<[string, (f: Fixtures & Record<string, unknown>) => void, string]> = [
  [
    'an unknown top-level field',
    (f) => {
      f.widgets = []
    },
    'widgets: unknown field'
  ],
  [
    'a missing required field',
    (f) => {
      delete (f.users as unknown as Array<Record<string, unknown>>)[0]?.email
    },
    'users[0].email: is required'
  ],
  [
    'an id that is not a uuid',
    (f) => {
      ;(f.organizations as unknown as Array<Record<string, unknown>>)[0]!.id = 'org-1'
    },
    'organizations[0].id: must be a UUID (like 248df4b7-aa70-47b8-a036-33ac447e668d)'
  ],
  [
    'a field of the wrong type',
    (f) => {
      ;(f.users as unknown as Array<Record<string, unknown>>)[0]!.role_ids = 'x'
    },
    'users[0].role_ids: must be array'
  ],
  [
    'a duplicate id',
    (f) => {
      f.users!.push({ ...f.users![0]!, email: 'v@example.com' })
    },
    'users[1].id: duplicate id'
  ],
  [
    'a duplicate key',
    (f) => {
      f.api_keys!.push({ key: 'p-key', organization_id: ORG })
    },
    'api_keys[1].key: this key is already used by another credential'
  ],
  [
    'an unknown partner',
    (f) => {
      f.organizations!.push({
        id: '44444444-4444-4444-8444-444444444444',
        name: 'X',
        partner_id: '55555555-5555-4555-8555-555555555555'
      })
    },
    'organizations[1].partner_id: no partner with id'
  ],
  [
    'an owner organization of another partner',
    (f) => {
      f.organizations![0]!.partner_id = null
    },
    'partners[0].organization_id: the owner organization must list this partner as its partner_id'
  ],
  [
    'a missing owner organization',
    (f) => {
      f.partners![0]!.organization_id = '44444444-4444-4444-8444-444444444444'
    },
    'partners[0].organization_id: no organization with id'
  ],
  [
    'a duplicate organization name within a partner',
    (f) => {
      f.organizations!.push({ id: '44444444-4444-4444-8444-444444444444', name: 'ORG', partner_id: PARTNER })
    },
    'organizations[1].name: an organization with this name already exists'
  ],
  [
    'a user in an unknown organization',
    (f) => {
      f.users![0]!.organization_id = '44444444-4444-4444-8444-444444444444'
    },
    'users[0].organization_id: no organization with id'
  ],
  [
    'a bad email',
    (f) => {
      f.users![0]!.email = 'nope'
    },
    'users[0].email: must be an email address'
  ],
  [
    'a duplicate email',
    (f) => {
      f.users!.push({ id: '44444444-4444-4444-8444-444444444444', organization_id: ORG, email: 'U@example.com' })
    },
    'users[1].email: a user with this email already exists in the organization'
  ],
  [
    'both role and role_ids',
    (f) => {
      f.users![0]!.role_ids = [systemRoleId(ORG, 'admin')]
    },
    'users[0].role: send either role or role_ids, not both'
  ],
  [
    'an unknown role name',
    (f) => {
      f.users![0]!.role = 'owner'
    },
    'users[0].role: must be one of admin, user'
  ],
  [
    'a role id of nowhere',
    (f) => {
      delete f.users![0]!.role
      f.users![0]!.role_ids = ['44444444-4444-4444-8444-444444444444']
    },
    'users[0].role_ids[0]: is not a role of this organization'
  ],
  [
    'a system role with another name',
    (f) => {
      f.roles = [{ id: '44444444-4444-4444-8444-444444444444', organization_id: ORG, name: 'Boss', system: true }]
    },
    'roles[0].name: a system role must be named Admin or Member'
  ],
  [
    'a custom role named like a system role',
    (f) => {
      f.roles = [{ id: '44444444-4444-4444-8444-444444444444', organization_id: ORG, name: 'admin' }]
    },
    'roles[0].name: "admin" is reserved for the system role'
  ],
  [
    'a duplicate role name',
    (f) => {
      f.roles = [
        { id: '44444444-4444-4444-8444-444444444444', organization_id: ORG, name: 'A' },
        { id: '55555555-5555-4555-8555-555555555555', organization_id: ORG, name: 'a' }
      ]
    },
    'roles[1].name: a role with this name already exists'
  ],
  [
    'a key of a user in another organization',
    (f) => {
      f.organizations!.push({ id: '44444444-4444-4444-8444-444444444444', name: 'Other', partner_id: PARTNER })
      f.api_keys![0]!.organization_id = '44444444-4444-4444-8444-444444444444'
    },
    'api_keys[0].user_id: user not found'
  ],
  [
    'a key without a value',
    (f) => {
      delete f.api_keys![0]!.key
    },
    'api_keys[0].key: is required (or key_sha256)'
  ],
  [
    'a misspelt field, with the closest known name',
    (f) => {
      const u = f.users![0] as unknown as Record<string, unknown>
      u.emial = u.email
      delete u.email
    },
    'users[0].emial: unknown field (did you mean email?)'
  ],
  [
    'a misspelt top-level key',
    (f) => {
      f.organisations = f.organizations
      delete f.organizations
    },
    'organisations: unknown field (did you mean organizations?)'
  ],
  [
    'an unknown field like no known one',
    (f) => {
      ;(f.users![0] as unknown as Record<string, unknown>).favourite_colour = 'red'
    },
    'users[0].favourite_colour: unknown field'
  ],
  [
    'a key_sha256 that is not a digest',
    (f) => {
      delete f.api_keys![0]!.key
      f.api_keys![0]!.key_sha256 = 'abc'
    },
    'api_keys[0].key_sha256: must be a SHA-256 digest: 64 lowercase hexadecimal digits'
  ]
]

for (const [name, mutate, message] of failures) {
  t.test(`start-up stops on ${name}, naming the entry and field`, async (t) => {
    await t.rejects(buildApp({ fixtures: bad(mutate) }), {
      name: 'FixtureError',
      message: new RegExp(`^<fixtures option>: ${message.replace(/[[\]().*?]/g, '\\$&')}`)
    })
  })
}

t.test('a fixture file that is missing or not JSON is named in the error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-fixtures-'))
  const broken = join(dir, 'broken.json')
  writeFileSync(broken, '{"users": [')
  await t.rejects(buildApp({ config: { fixtures: broken } }), {
    name: 'FixtureError',
    message: `${broken}: not valid JSON at line 1, column 12: the text ends where a value should be`
  })
  writeFileSync(broken, '{\n  "users": [\n    {"id": "x",}\n  ]\n}\n')
  await t.rejects(buildApp({ config: { fixtures: broken } }), {
    message: `${broken}: not valid JSON at line 3, column 16: expected a double-quoted property name, found "}"`
  })
  writeFileSync(broken, '{"deployment_keys": ["a"]}\n\n  oops')
  await t.rejects(buildApp({ config: { fixtures: broken } }), {
    message: `${broken}: not valid JSON at line 3, column 3: unexpected "o" after the end of the value`
  })
  await t.rejects(buildApp({ config: { fixtures: join(dir, 'absent.json') } }), {
    name: 'FixtureError',
    message: /absent\.json: cannot read the file \(ENOENT\)/
  })
  const invalid = join(dir, 'invalid.json')
  writeFileSync(
    invalid,
    JSON.stringify(
      bad((f) => {
        f.users![0]!.email = 'nope'
      })
    )
  )
  await t.rejects(buildApp({ config: { fixtures: invalid } }), {
    message: `${invalid}: users[0].email: must be an email address`
  })
})

t.test('a file database keeps its world across restarts; fixtures load only into an empty one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-db-'))
  const database = join(dir, 'world.db')
  const failed = buildApp({
    config: { database },
    fixtures: bad((f) => {
      f.users![0]!.email = 'nope'
    })
  })
  await t.rejects(failed, { name: 'FixtureError' })
  const first = await buildApp({ config: { database } })
  const created = await call(first, 'POST', `/api/organizations/${W.org.id}/users`, bearer(W.acme.key), {
    email: 'kept@example.com'
  })
  t.equal(created.status, 200)
  await first.close()
  const second = await buildApp({ config: { database }, fixtures: world() })
  t.teardown(() => second.close())
  const listed = await call(second, 'GET', `/api/organizations/${W.org.id}/users`, bearer(W.acme.key))
  t.equal(listed.status, 200, 'the bundled world is still there, the new fixtures were not loaded')
  t.match(listed.body, { data: [{ email: W.jane.email }, { email: W.john.email }, { email: 'kept@example.com' }] })
  t.equal((await call(second, 'GET', `/api/organizations/${ORG}/users`, bearer('p-key'))).status, 401)
  t.equal(second.store.db.pragma('journal_mode', { simple: true }), 'wal')
})

t.test('the bundled fixture file is valid JSON with every documented key', async (t) => {
  const document = JSON.parse(readFileSync(BUNDLED_FIXTURES, 'utf8')) as Record<string, unknown>
  t.same(Object.keys(document).sort(), [
    'api_keys',
    'bulk_syncs',
    'connections',
    'deployment_keys',
    'executions',
    'organizations',
    'partners',
    'roles',
    'users'
  ])
})
