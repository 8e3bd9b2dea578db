// The runner helpers' shared part, with a runner's hooks played by hand: the Jest and vitest
// projects in test/slow/consumers.test.ts run the real thing from the packed tarball.
import t, { type Test } from 'tap'
import {
  RUNNER_TOKEN_VARIABLE,
  RUNNER_URL_VARIABLE,
  inVitestWorker,
  runnerSettings,
  runnerSimulator
} from '../src/core/config.js'
import { keepRunnerOptions, registerTenant, startRunSimulator } from '../src/simulator/runners.js'
import setupOrTeardown, { polytomicMock as jestMock } from '../src/jest.js'
import { AdminClient } from '../src/client.js'

t.test('runnerSimulator reads the URL and token a global set-up or a user exported', async (t) => {
  t.equal(runnerSimulator({}), null)
  t.equal(runnerSimulator({ POLYTOMIC_MOCK_URL: '' }), null)
  t.same(runnerSimulator({ POLYTOMIC_MOCK_URL: 'http://127.0.0.1:1' }), { url: 'http://127.0.0.1:1', token: null })
  t.same(runnerSimulator({ POLYTOMIC_MOCK_URL: 'http://sim:8080', POLYTOMIC_MOCK_ADMIN_TOKEN: 's' }), {
    url: 'http://sim:8080',
    token: 's'
  })
})

t.test("a run simulator, a tenant made before the file's tests and removed after them", async (t) => {
  const saved = process.env[RUNNER_URL_VARIABLE]
  delete process.env[RUNNER_URL_VARIABLE]
  t.teardown(() => {
    if (saved !== undefined) process.env[RUNNER_URL_VARIABLE] = saved
  })
  const run = await startRunSimulator()
  t.equal(process.env[RUNNER_URL_VARIABLE], run.url, 'exported for the workers')
  const reused = await startRunSimulator()
  t.equal(reused.url, run.url, 'a second set-up uses the simulator the environment names')
  await reused.close()
  t.equal(process.env[RUNNER_URL_VARIABLE], run.url, 'and closing it stops nothing')

  const before: Array<() => Promise<void>> = []
  const after: Array<() => Promise<void>> = []
  const tenant = registerTenant(
    { beforeAll: (fn) => before.push(fn), afterAll: (fn) => after.push(fn) },
    () => ({ url: run.url, token: null }),
    { name: 'hand-run' }
  )
  t.throws(() => tenant.partner_key, /useTenant\(\): partner_key is read before the tenant exists/)
  for (const fn of before) await fn()
  t.match(tenant, {
    partner_id: String,
    partner_key: String,
    organization_id: String,
    admin_user_id: String,
    admin_user_key: String,
    url: run.url
  })
  const orgs = (await (
    await fetch(`${tenant.url}/api/organizations`, { headers: { authorization: `Bearer ${tenant.partner_key}` } })
  ).json()) as { data: Array<{ id: string; name: string }> }
  t.same(
    orgs.data.map((o) => o.id),
    [tenant.organization_id]
  )
  t.equal(orgs.data[0]?.name, 'hand-run HQ', 'named as asked')
  t.equal(
    (await tenant.admin.requests({ partner_id: tenant.partner_id })).length,
    1,
    'the admin client is scoped by the caller, not by the helper'
  )
  // Another partner's delivery that can never go out (disabled fast-forward, a far-off retry) does not hold
  // the tenant's settle.
  await fetch(`${tenant.url}/api/webhooks`, {
    method: 'POST',
    headers: { authorization: 'Bearer user-key-jane', 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: 'http://127.0.0.1:9/hooks', secret: 'whsec' })
  })
  await tenant.admin.addDeliveryFault({
    action: 'delay',
    delay_ms: 3_600_000,
    organization_id: '248df4b7-aa70-47b8-a036-33ac447e668d',
    times: 1
  })
  await tenant.admin.emitEvent({ organization_id: '248df4b7-aa70-47b8-a036-33ac447e668d', type: 'sync.failed' })
  t.match(
    await tenant.settleDeliveries({ timeout_ms: 60_000 }),
    { settled: true, pending: 0 },
    'the tenant settles only its own deliveries'
  )
  t.match(
    await tenant.admin.settleDeliveries({ timeout_ms: 0 }),
    { settled: false, pending: 1 },
    "everyone's settle still sees the other one"
  )
  const key = tenant.partner_key
  for (const fn of after) await fn()
  t.equal(
    (await fetch(`${run.url}/api/organizations`, { headers: { authorization: `Bearer ${key}` } })).status,
    401,
    'the tenant is deleted after the file'
  )
  t.throws(
    () => tenant.url,
    /useTenant\(\): url is read after the tenant was deleted/,
    'and its fields are no longer served'
  )
  await run.close()
  t.equal(process.env[RUNNER_URL_VARIABLE], undefined, 'closing the run forgets its URL')
  await t.rejects(fetch(`${run.url}/__admin/health`), 'the run simulator is stopped')
})

/** Runs `fn` with the runner variables cleared, and puts them back after. */
function withoutRunnerVariables (t: Test): void {
  const saved = { url: process.env[RUNNER_URL_VARIABLE], token: process.env[RUNNER_TOKEN_VARIABLE] }
  delete process.env[RUNNER_URL_VARIABLE]
  delete process.env[RUNNER_TOKEN_VARIABLE]
  t.teardown(() => {
    if (saved.url !== undefined) process.env[RUNNER_URL_VARIABLE] = saved.url
    if (saved.token !== undefined) process.env[RUNNER_TOKEN_VARIABLE] = saved.token
  })
}

t.test("a set-up's settings: the CLI's variables (but PORT, HOST, PORT_FILE), then its options", async (t) => {
  t.same(
    runnerSettings({ PORT: '8080', HOST: '0.0.0.0', PORT_FILE: '/x', WEBHOOK_RETRY_BASE_MS: '5', ADMIN_TOKEN: 's' }),
    { webhookRetryBaseMs: '5', adminToken: 's' }
  )
  t.throws(() => runnerSettings({ SYNC_RUN_DURATION_MS: 'soon' }), /SYNC_RUN_DURATION_MS/, 'a bad variable is named')
  t.equal(inVitestWorker({}), false)
  t.equal(inVitestWorker({ VITEST_WORKER_ID: '1' }), true)

  withoutRunnerVariables(t)
  t.throws(() => keepRunnerOptions({ syncRunDurationMs: 'soon' }, 'x'), /syncRunDurationMs/, 'checked in the config')
  t.throws(() => keepRunnerOptions({ prot: 1 } as never, 'x'), /did you mean port/)
  t.match(jestMock({ adminToken: 'run-token', defaultVersion: '2024-02-08' }), /jest\.(ts|js|cjs)$/)
  await setupOrTeardown()
  const url = process.env[RUNNER_URL_VARIABLE] as string
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'on 127.0.0.1 and a free port')
  t.equal(process.env[RUNNER_TOKEN_VARIABLE], 'run-token', 'its admin token exported for the workers')
  t.equal((await fetch(`${url}/__admin/faults`)).status, 401, 'the option took effect: the token is needed')
  const admin = new AdminClient(url, { token: 'run-token' })
  t.match(await admin.openApi(), { info: { title: /version 2024-02-08$/ } }, 'and so did defaultVersion')
  await setupOrTeardown()
  t.equal(process.env[RUNNER_URL_VARIABLE], undefined, "the second call is the tear-down: the run's simulator stops")
  t.equal(process.env[RUNNER_TOKEN_VARIABLE], undefined)
  await t.rejects(fetch(`${url}/__admin/health`))

  const explicit = await startRunSimulator({ latencyMs: 0 })
  t.teardown(() => explicit.close())
  t.equal(explicit.token, null, 'options given to startRunSimulator replace the kept ones')
})
