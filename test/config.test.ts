import t from 'tap'
import { BUNDLED_FIXTURES, ConfigError, defaultConfig, loadConfig } from '../src/config.js'
import { existsSync } from 'node:fs'

t.test('defaults apply when nothing is set', async (t) => {
  t.same(loadConfig({}), defaultConfig())
  t.same(defaultConfig(), {
    port: 8080, host: '127.0.0.1', database: ':memory:', fixtures: BUNDLED_FIXTURES,
    defaultVersion: '2025-09-18', requireVersion: false, logLevel: 'info',
    adminToken: null, journalSize: 1000, faultSeed: null, latencyMs: null
  })
  t.ok(existsSync(BUNDLED_FIXTURES), 'the bundled fixtures path exists')
})

t.test('every variable is read', async (t) => {
  t.same(loadConfig({
    PORT: '0', HOST: '0.0.0.0', DATABASE: '/tmp/x.db', FIXTURES: '/tmp/f.json', DEFAULT_VERSION: '2024-02-08', REQUIRE_VERSION: 'true', LOG_LEVEL: 'WARN',
    ADMIN_TOKEN: 's3cret', JOURNAL_SIZE: '0', FAULT_SEED: '42', LATENCY_MS: '100-400'
  }), {
    port: 0, host: '0.0.0.0', database: '/tmp/x.db', fixtures: '/tmp/f.json', defaultVersion: '2024-02-08', requireVersion: true, logLevel: 'warn',
    adminToken: 's3cret', journalSize: 0, faultSeed: 42, latencyMs: { min: 100, max: 400 }
  })
  t.same(loadConfig({ LATENCY_MS: '250' }).latencyMs, { min: 250, max: 250 }, 'a fixed latency')
  t.same(loadConfig({ LATENCY_MS: '0', ADMIN_TOKEN: '' }), defaultConfig(), 'zero latency and an empty token are unset')
})

t.test('a bad value throws a ConfigError naming the variable', async (t) => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^PORT must be a port number/],
    [{ PORT: '70000' }, /^PORT must be a port number/],
    [{ HOST: ' ' }, /^HOST must not be empty/],
    [{ DEFAULT_VERSION: '2020-01-01' }, /^DEFAULT_VERSION must be one of 2021-05-23, .*got "2020-01-01"/],
    [{ REQUIRE_VERSION: 'maybe' }, /^REQUIRE_VERSION must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ JOURNAL_SIZE: '-1' }, /^JOURNAL_SIZE must be a whole number from 0 to 1000000/],
    [{ FAULT_SEED: 'abc' }, /^FAULT_SEED must be a whole number/],
    [{ LATENCY_MS: 'slow' }, /^LATENCY_MS must be milliseconds/],
    [{ LATENCY_MS: '400-100' }, /^LATENCY_MS: the range's upper bound is below its lower bound/]
  ]
  for (const [env, message] of bad) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
    t.throws(() => loadConfig(env), ConfigError)
  }
})
