// One interface of controls, two ways in: the in-process Simulator and the AdminClient over HTTP. Both are held to
// the admin plugin's own route table (neither can fall behind a new route), and one script of every control, run
// both ways on two fresh simulators, gives the same results and the same refusals.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { AdminClient, AdminError } from '../src/client.js'
import { CONTROL_ROUTES, ROUTE_ALIASES, type AnyControls, type ControlName } from '../src/control/controls.js'
import adminRoutes from '../src/http/routes/admin.js'
import { PACKAGE_ROOT } from '../src/core/paths.js'
import { createSimulator, type Simulator } from '../src/index.js'
import { W } from './helper.js'

/** Every route the admin plugin registers, as "METHOD /path" under /__admin (HEAD twins left out). */
async function adminRouteTable (): Promise<string[]> {
  const app = Fastify()
  const routes: string[] = []
  app.decorate('control', {} as never)
  app.decorate('openApiDocument', (() => ({})) as never)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push(`${method} ${route.url.slice('/__admin'.length)}`)
    }
  })
  await app.register(adminRoutes, { prefix: '/__admin', adminToken: null })
  await app.ready()
  await app.close()
  return routes
}

const NAMES = Object.keys(CONTROL_ROUTES) as ControlName[]

t.test('every admin route is one control, with a method on both the Simulator and the AdminClient', async (t) => {
  const routes = await adminRouteTable()
  const named = new Set<string>([...Object.values(CONTROL_ROUTES), ...Object.keys(ROUTE_ALIASES)])
  t.same(
    routes.filter((route) => !named.has(route)),
    [],
    'no admin route without a control'
  )
  t.same(
    [...named].filter((route) => !routes.includes(route)),
    [],
    'no control without its route'
  )
  const sim = await createSimulator()
  t.teardown(() => sim.close())
  const admin = new AdminClient('http://127.0.0.1:1')
  for (const name of NAMES) {
    t.equal(typeof sim[name], 'function', `sim.${name}`)
    t.equal(typeof admin[name], 'function', `admin.${name}`)
  }
})

/** Values that differ between two simulators by nature (ids, keys, times, uptime) replaced by their kind. */
function normalized (value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalized(item))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalized(v, k)]))
  }
  if (typeof value === 'string') {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return '<uuid>'
    if (/^\d{4}-\d\d-\d\dT/.test(value)) return '<time>'
    if (/key|token|secret|url|signature/.test(key)) return `<${key}>`
  }
  if (typeof value === 'number' && /uptime|duration|_ms$|offset/.test(key)) return `<${key}>`
  return value
}

/** An /api call on the simulator the controls drive: inject() in-process, a socket for the remote one. */
interface Answered {
  status: number
  body: { data: { id: string; token: string } }
}
type Api = (method: string, path: string, key: string, body?: unknown) => Promise<Answered>

/** Every control once, in an order that gives each something to act on; the answers by control name. */
async function everyControl (
  c: AnyControls,
  api: Api,
  noted: (name: ControlName) => void = () => {}
): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = []
  const note = (name: ControlName, value: unknown): void => {
    out.push([name, normalized(value)])
    noted(name)
  }
  const health = await c.health()
  note('health', { status: health.status, version: health.version })
  const document = await c.openApi('2024-02-08')
  note('openApi', { openapi: document.openapi, paths: Object.keys(document.paths as object).length })
  note('snapshots', await c.snapshots())
  const tenant = await c.createTenant({ name: 'parity' })
  note('createTenant', tenant)
  note('snapshot', await c.snapshot('parity'))
  note('restore', await c.restore('parity'))
  note('deleteSnapshot', await c.deleteSnapshot('parity'))
  await api('GET', '/api/organizations', tenant.partner_key)
  const journal = await c.requests({ partner_id: tenant.partner_id })
  note('requests', journal.map((entry) => [entry.method, entry.path, entry.status]))
  note('clearRequests', await c.clearRequests())
  const fault = await c.addFault({ partner_id: tenant.partner_id, status: 503, times: 1 })
  note('addFault', fault)
  note('faults', await c.faults())
  note('removeFault', await c.removeFault(fault.id))
  await c.addFault({ status: 500, path: '/api/nothing' })
  note('clearFaults', await c.clearFaults())
  const check = await c.addConnectionCheck({ type: 'mysql', message: 'refused' })
  note('addConnectionCheck', check)
  note('connectionChecks', await c.connectionChecks())
  note('removeConnectionCheck', await c.removeConnectionCheck(check.id))
  note('clearConnectionChecks', await c.clearConnectionChecks())
  const session = await api('POST', '/api/connections/connect', W.acme.key, {
    name: 'Parity',
    redirect_url: 'https://partner.example/cb',
    type: 'postgresql',
    organization_id: W.org.id
  })
  note(
    'completeConnect',
    await c.completeConnect(session.body.data.token, {
      configuration: { hostname: 'h', database: 'd', username: 'u', password: 'p' }
    })
  )
  note('emitEvent', await c.emitEvent({ organization_id: tenant.organization_id, type: 'sync.failed' }))
  note('deliveries', await c.deliveries({ organization_id: tenant.organization_id }))
  note('notifications', await c.notifications({ organization_id: tenant.organization_id }))
  note('settleDeliveries', await c.settleDeliveries({ partner_id: tenant.partner_id, timeout_ms: 60_000 }))
  const deliveryFault = await c.addDeliveryFault({ action: 'drop', organization_id: tenant.organization_id })
  note('addDeliveryFault', deliveryFault)
  note('deliveryFaults', await c.deliveryFaults())
  note('removeDeliveryFault', await c.removeDeliveryFault(deliveryFault.id))
  note('clearDeliveryFaults', await c.clearDeliveryFaults())
  const rule = await c.addExecutionRule({ sync_id: W.bulkSync.id, outcome: 'hang' })
  note('addExecutionRule', rule)
  note('executionRules', await c.executionRules())
  const started = await api('POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, W.jane.key, {})
  note('removeExecutionRule', await c.removeExecutionRule(rule.id))
  note('clearExecutionRules', await c.clearExecutionRules())
  note('advanceExecution', await c.advanceExecution(started.body.data.id, { status: 'failed', message: 'stopped' }))
  note('settleExecutions', await c.settleExecutions())
  note('partners', await c.partners())
  note('organization', await c.organization(W.org.id))
  note('executions', await c.executions({ sync_id: W.bulkSync.id }))
  const detail = await c.execution(started.body.data.id)
  note('execution', { ...detail, console_log: detail.console_log.map((line) => line.message) })
  const catalog = await c.catalog(W.warehouse.id)
  note('catalog', catalog.schemas.map((schema) => schema.id))
  note(
    'replaceCatalog',
    await c.replaceCatalog(W.warehouse.id, {
      schemas: [{ id: 'public.only', fields: [{ id: 'id', type: 'number' }], rows: [{ id: 1 }, { id: 2 }] }]
    })
  )
  note('clock', await c.clock())
  note('advanceClock', await c.advanceClock(60))
  const exported = await c.exportFixtures({ redact: false })
  note('exportFixtures', Object.keys(exported).sort())
  note('loadFixtures', await c.loadFixtures(exported))
  note('deleteTenant', await c.deleteTenant(tenant.partner_id))
  note('reset', await c.reset())
  return out
}

/** The same refusals both ways: the class, the status, the key and the metadata. */
async function refusals (c: AnyControls): Promise<unknown[]> {
  const attempts: Array<() => unknown> = [
    () => c.removeFault('no-such-rule'),
    () => c.addFault({ status: 9999 }),
    () => c.restore('never-saved'),
    () => c.advanceClock(-1),
    () => c.advanceExecution('00000000-0000-4000-8000-000000000000'),
    () => c.settleDeliveries({ timeout_ms: -1 }),
    () => c.openApi('1999-01-01' as never),
    () => c.organization('00000000-0000-4000-8000-000000000000'),
    () => c.execution('00000000-0000-4000-8000-000000000000'),
    () => c.executions({ status: 'sideways' })
  ]
  const seen: unknown[] = []
  for (const attempt of attempts) {
    try {
      await attempt()
      seen.push('no refusal')
    } catch (err) {
      const e = err as AdminError
      seen.push({ admin_error: err instanceof AdminError, status: e.status, key: e.key, metadata: e.metadata })
    }
  }
  return seen
}

t.test('every control gives the same answers and refusals in-process and over HTTP', async (t) => {
  const local = await createSimulator()
  const remote = await createSimulator()
  t.teardown(async () => await Promise.all([local.close(), remote.close()]))
  const url = await remote.listen({ port: 0, host: '127.0.0.1' })
  const admin = new AdminClient(url)

  const inject = (sim: Simulator): Api => async (method, path, key, body) => {
    const res = await sim.app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object })
    })
    return { status: res.statusCode, body: res.json<Answered['body']>() }
  }
  const overSocket: Api = async (method, path, key, body) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: res.status, body: (await res.json()) as Answered['body'] }
  }

  // Which admin route each client call reached: its fetches, in order.
  const reached: string[] = []
  const realFetch = globalThis.fetch
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const target = new URL(input instanceof Request ? input.url : input)
    if (target.pathname.startsWith('/__admin/')) {
      reached.push(`${init?.method ?? 'GET'} ${target.pathname.slice('/__admin'.length)}`)
    }
    return await realFetch(input, init)
  }
  t.teardown(() => {
    globalThis.fetch = realFetch
  })

  const routeOf = (name: ControlName): RegExp =>
    new RegExp(`^${CONTROL_ROUTES[name].replace(/:[a-z_]+/g, '[^/]+').replace('.', '\\.')}$`)
  const inProcess = await everyControl(local, inject(local))
  const overHttp = await everyControl(admin, overSocket, (name) => {
    t.match(reached.at(-1), routeOf(name), `${name} reached ${CONTROL_ROUTES[name]}`)
  })
  t.same(
    inProcess.map(([name]) => name).sort(),
    [...NAMES].sort(),
    'the script calls every control'
  )
  for (const [i, [name, answer]] of inProcess.entries()) {
    t.same(overHttp[i], [name, answer], `${name}: the same answer`)
  }

  t.same(await refusals(admin), await refusals(local), 'the same refusals')
  t.match(await refusals(local), [{ admin_error: true, status: 404, key: 'fault_not_found' }])
})

t.test('docs/admin-api.md names every control beside its route', async (t) => {
  const rows = readFileSync(join(PACKAGE_ROOT, 'docs', 'admin-api.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
  for (const name of NAMES) {
    const [method, path] = CONTROL_ROUTES[name].split(' ') as [string, string]
    const row = rows.find((line) => line.includes(`\`${name}(`))
    t.ok(row?.includes(`${method} /__admin${path}`), `${name}() is on the row of ${method} /__admin${path}`)
  }
})
