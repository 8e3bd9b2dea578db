import t from 'tap'
import { BUNDLED_FIXTURES, ConfigError, defaultConfig, loadConfig } from '../src/config.js'
import { existsSync } from 'node:fs'

t.test('defaults apply when nothing is set', async (t) => {
  t.same(loadConfig({}), defaultConfig())
  t.same(defaultConfig(), {
    port: 8080, host: '127.0.0.1', database: ':memory:', fixtures: BUNDLED_FIXTURES,
    defaultVersion: '2025-09-18', requireVersion: false, logLevel: 'info'
  })
  t.ok(existsSync(BUNDLED_FIXTURES), 'the bundled fixtures path exists')
})

t.test('every variable is read', async (t) => {
  t.same(loadConfig({ PORT: '0', HOST: '0.0.0.0', DATABASE: '/tmp/x.db', FIXTURES: '/tmp/f.json', DEFAULT_VERSION: '2024-02-08', REQUIRE_VERSION: 'true', LOG_LEVEL: 'WARN' }), {
    port: 0, host: '0.0.0.0', database: '/tmp/x.db', fixtures: '/tmp/f.json', defaultVersion: '2024-02-08', requireVersion: true, logLevel: 'warn'
  })
})

t.test('a bad value throws a ConfigError naming the variable', async (t) => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^PORT must be a port number/],
    [{ PORT: '70000' }, /^PORT must be a port number/],
    [{ HOST: ' ' }, /^HOST must not be empty/],
    [{ DEFAULT_VERSION: '2020-01-01' }, /^DEFAULT_VERSION must be one of 2021-05-23, .*got "2020-01-01"/],
    [{ REQUIRE_VERSION: 'maybe' }, /^REQUIRE_VERSION must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/]
  ]
  for (const [env, message] of bad) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
    t.throws(() => loadConfig(env), ConfigError)
  }
})
