import { readFileSync } from 'node:fs'
import t from 'tap'
import { PolytomicClient, PolytomicError } from 'polytomic'
import { SDK_OPERATIONS } from '../src/http/sdk-operations.js'
import { unsimulatedOperations } from '../src/http/routes/not-simulated.js'
import { W, apiError, bearer, build, call, listen } from './helper.js'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const once = { maxRetries: 0 }

t.test('every SDK operation the simulator lacks answers 501 not_simulated, after the credential check', async (t) => {
  const app = await build(t)
  const missing = app.routeTable.filter((r) => r.notSimulated)
  t.ok(
    missing.length > 10 && missing.length < SDK_OPERATIONS.length / 2,
    `${missing.length} of ${SDK_OPERATIONS.length} operations are not simulated`
  )
  t.same(
    unsimulatedOperations(app.routeTable.filter((r) => !r.notSimulated)).length,
    missing.length,
    'each lacking operation has exactly one 501 route'
  )
  for (const [method, path, sdkMethod, sdks] of unsimulatedOperations(app.routeTable.filter((r) => !r.notSimulated))) {
    const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001')
    const body = method === 'GET' || method === 'DELETE' ? undefined : {}
    const anonymous = await call(app, method, url, {}, body)
    t.equal(anonymous.status, 401, `${method} ${path} without a credential`)
    const res = await call(app, method, url, bearer(W.acme.key), body)
    t.same(
      res.body,
      apiError(
        501,
        'not_simulated',
        `${sdkMethod} (${method} ${path}) is not simulated by polytomic-mock; the README's "Coverage" table lists what is`,
        { sdk_method: sdkMethod, sdk_version: sdks[sdks.length - 1], method, path }
      ),
      `${method} ${path} is ${sdkMethod}`
    )
    t.equal(res.status, 501)
  }
})

t.test('paths Polytomic does not have stay 404, and simulated routes are untouched', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'GET', '/api/permissions/policy', bearer(W.acme.key))).status, 404)
  t.equal((await call(app, 'GET', '/api/models/x/samples', bearer(W.acme.key))).status, 404)
  t.equal((await call(app, 'GET', '/api/me', bearer(W.jane.key))).status, 200)
  const journal = await call(app, 'GET', '/__admin/requests?status=501')
  t.same(journal.body, [], 'nothing answered 501 yet')
  await call(app, 'GET', '/api/permissions/policies', bearer(W.acme.key))
  t.equal(
    ((await call(app, 'GET', '/__admin/requests?status=501')).body as unknown[]).length,
    1,
    'a 501 is journaled like any answer'
  )
})

t.test('the official SDK raises its error with the 501 body', async (t) => {
  const app = await build(t)
  const client = new PolytomicClient({ environment: await listen(app), token: W.acme.key })
  const err = await client.permissions.policies.list(once).catch((e: unknown) => e)
  t.ok(err instanceof PolytomicError, 'a PolytomicError')
  t.equal((err as PolytomicError).statusCode, 501)
  t.match((err as PolytomicError).body, { key: 'not_simulated', metadata: { sdk_method: 'permissions.policies.list' } })
  const subscribers = await client.notifications.getGlobalErrorSubscribers(once).catch((e: unknown) => e)
  t.match((subscribers as PolytomicError).body, {
    key: 'not_simulated',
    metadata: { sdk_method: 'notifications.getGlobalErrorSubscribers' }
  })
})

t.test("the README's coverage table is the SDK's operations against the simulator's routes", async (t) => {
  const app = await build(t)
  const text = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  const readme = text.slice(text.indexOf('### Coverage'), text.indexOf('\n## ', text.indexOf('### Coverage')))
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
  t.match(
    readFileSync(join(PACKAGE_ROOT, 'docs', 'known-differences.md'), 'utf8'),
    `- ${lacking.size} of the SDK's ${SDK_OPERATIONS.length} operations are not simulated`,
    'Known differences counts them right'
  )
})
