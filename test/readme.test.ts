import { readFileSync } from 'node:fs'
import t from 'tap'
import { SETTINGS, flagOf } from '../src/core/config.js'
import { build } from './helper.js'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')

t.test("the README's configuration table lists every setting with its variable and option", async (t) => {
  for (const setting of Object.values(SETTINGS)) {
    t.match(readme, new RegExp(`^\\| \`${setting.env}\` \\| \`${flagOf(setting)}\` \\|`, 'm'), setting.env)
  }
})

t.test('the README documents every admin route', async (t) => {
  const app = await build(t)
  const routes = app.routeTable.filter((r) => r.url.startsWith('/__admin/'))
  t.ok(routes.length > 30, `${routes.length} admin routes`)
  for (const route of routes) t.ok(readme.includes(route.url), `${route.method} ${route.url}`)
})

t.test("docs/bounds.md names every bound's setting with its default", async (t) => {
  const bounds = readFileSync(join(PACKAGE_ROOT, 'docs', 'bounds.md'), 'utf8')
  const envs = [
    'IDEMPOTENCY_MAX_RECORDS',
    'IDEMPOTENCY_MAX_BYTES',
    'JOBS_MAX',
    'JOBS_MAX_BYTES',
    'RUNS_PER_SYNC',
    'CONNECT_SESSIONS_MAX',
    'WEBHOOK_QUEUE_MAX',
    'EVENTS_MAX',
    'RULES_MAX'
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
