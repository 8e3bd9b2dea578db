import { readFileSync } from 'node:fs'
import t from 'tap'
import { PolytomicClient } from 'polytomic'
import { SDK_OPERATIONS, type SdkOperation } from '../src/http/sdk-operations.js'
import { unsimulatedOperations } from '../src/http/routes/not-simulated.js'
import { W, apiError, bearer, build, call, listen } from './helper.js'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const once = { maxRetries: 0 }

/** An operation a future SDK might add: the simulator has no route for it. */
const FUTURE: SdkOperation = ['GET', '/api/future/things/{id}', 'future.things.get', ['25.9.2']]

t.test('no operation of either SDK generation answers 501: each has its route', async (t) => {
  const app = await build(t)
  t.same(app.routeTable.filter((r) => r.notSimulated), [], 'no 501 route')
  t.same(unsimulatedOperations(app.routeTable), [], `all ${SDK_OPERATIONS.length} operations are simulated`)
})

t.test('an operation a newer SDK adds answers 501 not_simulated, after the credential check', async (t) => {
  const app = await build(t, { sdkOperations: [...SDK_OPERATIONS, FUTURE] })
  t.same(
    app.routeTable.filter((r) => r.notSimulated).map((r) => [r.method, r.url]),
    [['GET', '/api/future/things/:id']],
    'exactly one 501 route'
  )
  const v25 = { 'x-polytomic-version': '2025-09-18' }
  const url = '/api/future/things/00000000-0000-4000-8000-000000000001'
  t.equal((await call(app, 'GET', url, v25)).status, 401, 'without a credential')
  const res = await call(app, 'GET', url, { ...bearer(W.acme.key), ...v25 })
  t.equal(res.status, 501)
  t.same(
    res.body,
    apiError(
      501,
      'not_simulated',
      'future.things.get (GET /api/future/things/{id}) is not simulated by polytomic-mock; docs/coverage.md\'s "Coverage" table lists what is',
      { sdk_method: 'future.things.get', sdk_version: '25.9.2', method: 'GET', path: '/api/future/things/{id}' }
    )
  )
  t.equal(
    (await call(app, 'GET', url, { ...bearer(W.acme.key), 'x-polytomic-version': '2024-02-08' })).status,
    404,
    'an operation only the newest SDK has is a route of 2025-09-18'
  )
  const journal = (await call(app, 'GET', '/__admin/requests?status=501')).body as unknown[]
  t.equal(journal.length, 1, 'a 501 is journaled like any answer')
})

t.test('paths Polytomic does not have stay 404, and simulated routes are untouched', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'GET', '/api/permissions/policy', bearer(W.acme.key))).status, 404)
  t.equal((await call(app, 'GET', '/api/models/x/samples', bearer(W.acme.key))).status, 404)
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 200)
})

t.test('the official SDK reaches the operations that were 501 before', async (t) => {
  const app = await build(t)
  const client = new PolytomicClient({ environment: await listen(app), token: W.jane.key })
  t.same(await client.permissions.policies.list(once), { data: [] })
  t.same(await client.notifications.getGlobalErrorSubscribers(once), { emails: [] })
})

t.test("docs/coverage.md's table is the SDK's operations against the simulator's routes", async (t) => {
  const app = await build(t)
  const text = readFileSync(join(PACKAGE_ROOT, 'docs', 'coverage.md'), 'utf8')
  const readme = text.slice(text.indexOf('## Coverage'))
  const lacking = new Set(
    unsimulatedOperations(app.routeTable.filter((r) => !r.notSimulated)).map(([, , sdkMethod]) => sdkMethod)
  )
  const rows = new Map<string, { simulated: string[]; not: string[] }>()
  for (const [, resource, simulated, not] of readme.matchAll(/^\| `([\w.]+)` \| (.*) \| (.*) \|$/gm)) {
    const names = (cell: string): string[] => [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1] as string)
    rows.set(resource as string, { simulated: names(simulated as string), not: names(not as string) })
  }
  let listed = 0
  for (const [, , sdkMethod] of SDK_OPERATIONS) {
    const resource = sdkMethod.slice(0, sdkMethod.lastIndexOf('.'))
    const method = sdkMethod.slice(sdkMethod.lastIndexOf('.') + 1)
    const row = rows.get(resource)
    const column = lacking.has(sdkMethod) ? row?.not : row?.simulated
    t.ok(
      column?.includes(method),
      `${sdkMethod} is listed as ${lacking.has(sdkMethod) ? 'not simulated' : 'simulated'}`
    )
    listed++
  }
  t.equal(
    [...rows.values()].reduce((n, r) => n + r.simulated.length + r.not.length, 0),
    listed,
    'and nothing else is listed'
  )
  t.equal(lacking.size, 0, 'none is listed as not simulated')
  t.match(
    readFileSync(join(PACKAGE_ROOT, 'docs', 'known-differences.md'), 'utf8'),
    `every one of the SDKs' ${SDK_OPERATIONS.length} operations is simulated`,
    'Known differences says so'
  )
})
