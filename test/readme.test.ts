import { readFileSync } from 'node:fs'
import t from 'tap'
import { SETTINGS, flagOf } from '../src/config.js'
import { build } from './helper.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

t.test('the README\'s configuration table lists every setting with its variable and option', async (t) => {
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
