import t from 'tap'
import { ApiError, Errors, GenericErrors, errorForStatus, validationError } from '../src/core/errors.js'

t.test('the error table has unique snake_case keys, error statuses and messages', async (t) => {
  const keys = new Set<string>()
  for (const [name, def] of Object.entries(Errors)) {
    t.match(name, /^[A-Z][A-Za-z]+$/, `${name} is PascalCase`)
    t.match(def.key, /^[a-z]+(_[a-z]+)*$/, `${name} key is snake_case`)
    t.notOk(keys.has(def.key), `${def.key} is unique`)
    keys.add(def.key)
    t.ok(def.status >= 400 && def.status < 600, `${name} status is an error status`)
    t.ok(def.message.length > 0, `${name} has a message`)
    const err = def()
    t.ok(err instanceof ApiError)
    t.same([err.status, err.key, err.message, err.metadata], [def.status, def.key, def.message, {}])
  }
})

t.test('an error can carry its own message, metadata and headers', async (t) => {
  const err = Errors.TooManyRequests({ message: 'slow down', metadata: { a: 1 }, headers: { 'retry-after': '2' } })
  t.same(
    [err.status, err.key, err.message, err.metadata, err.headers],
    [429, 'too_many_requests', 'slow down', { a: 1 }, { 'retry-after': '2' }]
  )
})

t.test('validationError names the field in the message and metadata', async (t) => {
  const err = validationError('role_ids[2]', 'is not a role of this organization')
  t.same(
    [err.status, err.key, err.message, err.metadata],
    [
      422,
      'validation_failed',
      'role_ids[2]: is not a role of this organization',
      { field: 'role_ids[2]', problem: 'is not a role of this organization' }
    ]
  )
})

t.test('errorForStatus gives each status its one generic entry', async (t) => {
  t.equal(errorForStatus(404)?.key, 'not_found', 'not route_not_found, the first 404 of the table')
  t.equal(errorForStatus(401)?.key, 'unauthorized', 'not missing_credentials')
  t.equal(errorForStatus(409)?.key, 'conflict', 'not organization_name_taken')
  t.equal(errorForStatus(500)?.key, 'internal_error')
  t.equal(errorForStatus(418), undefined)
  for (const [status, def] of Object.entries(GenericErrors)) {
    t.equal(def.status, Number(status), `the generic ${status} has status ${status}`)
  }
})
