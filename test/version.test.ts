import t from 'tap'
import { JANE, W, apiError, bearer, build, call } from './helper.js'
import { SUPPORTED_VERSIONS } from '../src/core/versions.js'

const janeUrl = `/api/organizations/${W.org.id}/users/${W.jane.id}`
const P = bearer(W.acme.key)
const UNSUPPORTED = apiError(
  400,
  'unsupported_version',
  `unsupported API version; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`,
  { supported_versions: [...SUPPORTED_VERSIONS] }
)

t.test('every supported version is served and named in the response header', async (t) => {
  const app = await build(t)
  for (const version of SUPPORTED_VERSIONS) {
    const res = await call(app, 'GET', janeUrl, { ...P, 'x-polytomic-version': version })
    t.equal(res.status, 200, version)
    t.equal(res.headers['x-polytomic-version'], version)
    t.same(res.body, version === '2021-05-23' ? { result: JANE, error: null } : { data: JANE }, `${version} envelope`)
  }
})

t.test('a request without the header is served as DEFAULT_VERSION', async (t) => {
  const current = await build(t)
  const res = await call(current, 'GET', janeUrl, P)
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  const legacy = await build(t, { config: { defaultVersion: '2021-05-23' } })
  const old = await call(legacy, 'GET', janeUrl, P)
  t.equal(old.headers['x-polytomic-version'], '2021-05-23')
  t.same(old.body, { result: JANE, error: null })
})

t.test('REQUIRE_VERSION answers 400 to a request without the header', async (t) => {
  const app = await build(t, { config: { requireVersion: true } })
  const res = await call(app, 'GET', janeUrl, P)
  t.equal(res.status, 400)
  t.equal(res.headers['x-polytomic-version'], '2025-09-18')
  t.same(
    res.body,
    apiError(
      400,
      'version_required',
      `the X-Polytomic-Version header is required; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`
    )
  )
  const ok = await call(app, 'GET', janeUrl, { ...P, 'x-polytomic-version': '2024-02-08' })
  t.equal(ok.status, 200)
})

t.test('an unsupported version is 400 listing the supported ones, checked before auth', async (t) => {
  const app = await build(t)
  for (const value of ['2020-01-01', 'latest', '2024-02-08,2025-09-18', '']) {
    const res = await call(app, 'GET', janeUrl, { 'x-polytomic-version': value })
    t.equal(res.status, 400, JSON.stringify(value))
    t.equal(res.headers['x-polytomic-version'], '2025-09-18')
    t.same(res.body, UNSUPPORTED)
  }
})

t.test("errors carry the version header and the version's error shape", async (t) => {
  const app = await build(t)
  const v2021 = await call(app, 'GET', janeUrl, { 'x-polytomic-version': '2021-05-23' })
  t.equal(v2021.status, 401)
  t.equal(v2021.headers['x-polytomic-version'], '2021-05-23')
  t.same(v2021.body, {
    result: null,
    error: { status: 'Unauthorized', error: 'missing Authorization header', code: 401 }
  })
  const v2021NotFound = await call(app, 'GET', `/api/organizations/${W.org.id}/users/nope`, {
    ...P,
    'x-polytomic-version': '2021-05-23'
  })
  t.same(v2021NotFound.body, { result: null, error: apiError(404, 'user_not_found', 'user not found') })
  for (const version of ['2022-12-12', '2023-04-25', '2024-02-08']) {
    const res = await call(app, 'GET', janeUrl, { 'x-polytomic-version': version })
    t.equal(res.headers['x-polytomic-version'], version)
    t.same(
      res.body,
      { status: 'Unauthorized', error: 'missing Authorization header', code: 401 },
      `${version} 401 is RestErrResponse`
    )
  }
  const current = await call(app, 'GET', janeUrl, { 'x-polytomic-version': '2025-09-18' })
  t.same(
    current.body,
    apiError(401, 'missing_credentials', 'missing Authorization header'),
    '2025-09-18 401 is ApiError'
  )
  const forbidden = await call(app, 'GET', janeUrl, { ...bearer(W.john.key), 'x-polytomic-version': '2024-02-08' })
  t.same(
    forbidden.body,
    apiError(403, 'admin_role_required', 'this operation requires an admin user'),
    'non-401 errors are ApiError in every version'
  )
})

t.test('routes outside /api carry no version header', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/somewhere', { 'x-polytomic-version': '2024-02-08' })
  t.equal(res.status, 404)
  t.equal(res.headers['x-polytomic-version'], undefined)
})
