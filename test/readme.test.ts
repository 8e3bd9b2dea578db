import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { SETTINGS, flagOf } from '../src/core/config.js'
import { PACKAGE_ROOT } from '../src/core/paths.js'
import { build } from './helper.js'

/** A reference page of docs/. */
const doc = (name: string): string => readFileSync(join(PACKAGE_ROOT, 'docs', name), 'utf8')

t.test("docs/configuration.md's table lists every setting with its variable and option", async (t) => {
  const configuration = doc('configuration.md')
  for (const setting of Object.values(SETTINGS)) {
    t.match(configuration, new RegExp(`^\\| \`${setting.env}\` \\| \`${flagOf(setting)}\` \\|`, 'm'), setting.env)
  }
})

t.test('docs/admin-api.md documents every admin route', async (t) => {
  const adminApi = doc('admin-api.md')
  const app = await build(t)
  const routes = app.routeTable.filter((r) => r.url.startsWith('/__admin/'))
  t.ok(routes.length > 30, `${routes.length} admin routes`)
  for (const route of routes) t.ok(adminApi.includes(route.url), `${route.method} ${route.url}`)
})

t.test("docs/bounds.md names every bound's setting with its default", async (t) => {
  const bounds = doc('bounds.md')
  const envs = [
    'IDEMPOTENCY_MAX_RECORDS',
    'IDEMPOTENCY_MAX_BYTES',
    'JOBS_MAX',
    'JOBS_MAX_BYTES',
    'RUNS_PER_SYNC',
    'CONNECT_SESSIONS_MAX',
    'WEBHOOK_QUEUE_MAX',
    'EVENTS_MAX',
    'RULES_MAX',
    'CATALOG_MAX_ROWS',
    'CATALOG_CACHE',
    'QUERY_MAX_ROWS',
    'QUERY_TIMEOUT_MS'
  ]
  const settings = Object.values(SETTINGS)
  for (const env of envs) {
    const setting = settings.find((s) => s.env === env)
    t.ok(setting, `${env} is a setting`)
    const value = setting?.defaultValue as number
    const shown = value % (1024 * 1024) === 0 ? `${value / (1024 * 1024)} MiB` : value.toLocaleString('en-US')
    t.match(
      bounds,
      new RegExp(`\\| \`${env}\` \\| ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`),
      `${env} with its default ${shown}`
    )
  }
})
