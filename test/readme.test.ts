import { readFileSync } from 'node:fs'
import t from 'tap'
import { SETTINGS, flagOf } from '../src/config.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

t.test('the README\'s configuration table lists every setting with its variable and option', async (t) => {
  for (const setting of Object.values(SETTINGS)) {
    t.match(readme, new RegExp(`^\\| \`${setting.env}\` \\| \`${flagOf(setting)}\` \\|`, 'm'), setting.env)
  }
})

t.test('the README documents every admin route', async (t) => {
  for (const route of ['/__admin/health', '/__admin/openapi.json', '/__admin/reset', '/__admin/fixtures', '/__admin/snapshots', '/__admin/tenants', '/__admin/requests', '/__admin/faults']) {
    t.ok(readme.includes(route), route)
  }
})
