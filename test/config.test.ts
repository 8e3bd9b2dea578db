import t from 'tap'
import { BUNDLED_FIXTURES, ConfigError, defaultConfig, loadConfig } from '../src/core/config.js'
import { existsSync } from 'node:fs'

t.test('defaults apply when nothing is set', async (t) => {
  t.same(loadConfig({}), defaultConfig())
  t.same(defaultConfig(), {
    port: 8080,
    host: '127.0.0.1',
    portFile: null,
    database: ':memory:',
    fixtures: BUNDLED_FIXTURES,
    defaultVersion: '2025-09-18',
    requireVersion: false,
    logLevel: 'info',
    adminToken: null,
    journalSize: 1000,
    journalBodyBytes: 65536,
    journalBytes: 33554432,
    adminStreamsMax: 16,
    faultSeed: null,
    faultRetryAfterS: 1,
    latencyMs: null,
    shutdownGraceMs: 10000,
    bodyLimit: 1048576,
    idempotencyTtlS: 86400,
    requestTimeoutMs: 30000,
    validateResponses: false,
    connectTokenTtlS: 3600,
    eventRetentionS: 172800,
    webhookRetryBaseMs: 10000,
    webhookTimeoutMs: 10000,
    webhookAllowedHosts: null,
    webhookSignatureAlgorithm: 'sha256',
    webhookSignatureEncoding: 'hex',
    deliveryLogSize: 1000,
    syncRunDurationMs: 5000,
    syncScheduling: false,
    idempotencyMaxRecords: 1000,
    idempotencyMaxBytes: 8388608,
    jobsMax: 1000,
    jobsMaxBytes: 8388608,
    runsPerSync: 100,
    schedulesPerSync: 100,
    consoleLogEntries: 200,
    connectSessionsMax: 100,
    webhookQueueMax: 1000,
    eventsMax: 10000,
    rulesMax: 1000,
    catalogMaxRows: 100000,
    catalogCache: 32,
    queryMaxRows: 10000,
    queryTimeoutMs: 5000,
    notificationsMax: 1000,
    proxyCallsMax: 1000,
    proxyAllowedHosts: ['127.0.0.1', 'localhost', '[::1]'],
    proxyTimeoutMs: 30000,
    proxyRatePerMinute: 600,
    logUrlTtlS: 900
  })
  t.ok(existsSync(BUNDLED_FIXTURES), 'the bundled fixtures path exists')
})

t.test('every variable is read', async (t) => {
  t.same(
    loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      PORT_FILE: '/tmp/port',
      DATABASE: '/tmp/x.db',
      FIXTURES: '/tmp/f.json',
      DEFAULT_VERSION: '2024-02-08',
      REQUIRE_VERSION: 'true',
      LOG_LEVEL: 'WARN',
      ADMIN_TOKEN: 's3cret',
      JOURNAL_SIZE: '0',
      JOURNAL_BODY_BYTES: '1024',
      JOURNAL_BYTES: '1048576',
      ADMIN_STREAMS_MAX: '3',
      FAULT_SEED: '42',
      LATENCY_MS: '100-400',
      SHUTDOWN_GRACE_MS: '500',
      BODY_LIMIT: '2048',
      IDEMPOTENCY_TTL_S: '60',
      REQUEST_TIMEOUT_MS: '5000',
      VALIDATE_RESPONSES: 'yes',
      CONNECT_TOKEN_TTL_S: '0',
      EVENT_RETENTION_S: '60',
      WEBHOOK_RETRY_BASE_MS: '5',
      WEBHOOK_TIMEOUT_MS: '250',
      WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.com, *.internal ,127.0.0.1',
      WEBHOOK_SIGNATURE_ALGORITHM: 'SHA512',
      WEBHOOK_SIGNATURE_ENCODING: 'base64',
      DELIVERY_LOG_SIZE: '10',
      SYNC_RUN_DURATION_MS: '250',
      SYNC_SCHEDULING: 'true',
      IDEMPOTENCY_MAX_RECORDS: '10',
      IDEMPOTENCY_MAX_BYTES: '4096',
      JOBS_MAX: '11',
      JOBS_MAX_BYTES: '8192',
      RUNS_PER_SYNC: '3',
      SCHEDULES_PER_SYNC: '4',
      CONSOLE_LOG_ENTRIES: '5',
      FAULT_RETRY_AFTER_S: '0',
      CONNECT_SESSIONS_MAX: '4',
      WEBHOOK_QUEUE_MAX: '5',
      EVENTS_MAX: '6',
      RULES_MAX: '7',
      CATALOG_MAX_ROWS: '11',
      CATALOG_CACHE: '12',
      QUERY_MAX_ROWS: '13',
      QUERY_TIMEOUT_MS: '14',
      NOTIFICATIONS_MAX: '15',
      PROXY_CALLS_MAX: '16',
      PROXY_ALLOWED_HOSTS: 'api.example.com, *.internal',
      PROXY_TIMEOUT_MS: '17',
      PROXY_RATE_PER_MINUTE: '19',
      LOG_URL_TTL_S: '18'
    }),
    {
      port: 0,
      host: '0.0.0.0',
      portFile: '/tmp/port',
      database: '/tmp/x.db',
      fixtures: '/tmp/f.json',
      defaultVersion: '2024-02-08',
      requireVersion: true,
      logLevel: 'warn',
      adminToken: 's3cret',
      journalSize: 0,
      journalBodyBytes: 1024,
      journalBytes: 1048576,
      adminStreamsMax: 3,
      faultSeed: 42,
      latencyMs: { min: 100, max: 400 },
      shutdownGraceMs: 500,
      bodyLimit: 2048,
      idempotencyTtlS: 60,
      requestTimeoutMs: 5000,
      validateResponses: true,
      connectTokenTtlS: 0,
      eventRetentionS: 60,
      webhookRetryBaseMs: 5,
      webhookTimeoutMs: 250,
      webhookAllowedHosts: ['hooks.example.com', '*.internal', '127.0.0.1'],
      webhookSignatureAlgorithm: 'sha512',
      webhookSignatureEncoding: 'base64',
      deliveryLogSize: 10,
      syncRunDurationMs: 250,
      syncScheduling: true,
      idempotencyMaxRecords: 10,
      idempotencyMaxBytes: 4096,
      jobsMax: 11,
      jobsMaxBytes: 8192,
      runsPerSync: 3,
      schedulesPerSync: 4,
      consoleLogEntries: 5,
      faultRetryAfterS: 0,
      connectSessionsMax: 4,
      webhookQueueMax: 5,
      eventsMax: 6,
      rulesMax: 7,
      catalogMaxRows: 11,
      catalogCache: 12,
      queryMaxRows: 13,
      queryTimeoutMs: 14,
      notificationsMax: 15,
      proxyCallsMax: 16,
      proxyAllowedHosts: ['api.example.com', '*.internal'],
      proxyTimeoutMs: 17,
      proxyRatePerMinute: 19,
      logUrlTtlS: 18
    }
  )
  t.equal(loadConfig({ PROXY_ALLOWED_HOSTS: '*' }).proxyAllowedHosts, null, 'the proxy may call any host')
  t.same(loadConfig({ PROXY_ALLOWED_HOSTS: '' }).proxyAllowedHosts, ['127.0.0.1', 'localhost', '[::1]'])
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
    [{ JOURNAL_SIZE: '-1' }, /^JOURNAL_SIZE must be a whole number from 0 to 100000,/],
    [{ FAULT_SEED: 'abc' }, /^FAULT_SEED must be a whole number/],
    [{ LATENCY_MS: 'slow' }, /^LATENCY_MS must be milliseconds/],
    [
      { WEBHOOK_SIGNATURE_ALGORITHM: 'md5' },
      /^WEBHOOK_SIGNATURE_ALGORITHM must be one of sha256, sha1, sha512, got "md5"/
    ],
    [{ WEBHOOK_SIGNATURE_ENCODING: 'hex64' }, /^WEBHOOK_SIGNATURE_ENCODING must be one of hex, base64/],
    [{ WEBHOOK_ALLOWED_HOSTS: 'ok.example, http://x/y' }, /^WEBHOOK_ALLOWED_HOSTS: "http:\/\/x\/y" is not a host name/],
    [{ LATENCY_MS: '400-100' }, /^LATENCY_MS: the range's upper bound is below its lower bound/],
    [{ RUNS_PER_SYNC: '0' }, /^RUNS_PER_SYNC must be a whole number from 1 to 10000000, got "0"/],
    [{ RULES_MAX: 'many' }, /^RULES_MAX must be a whole number from 1 to/]
  ]
  for (const [env, message] of bad) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
    t.throws(() => loadConfig(env), ConfigError)
  }
})

t.test('parseCommandLine: flags mirror the variables and beat them', async (t) => {
  const { parseCommandLine, helpText, flagOf, SETTINGS } = await import('../src/core/config.js')
  t.same(parseCommandLine([], {}), { action: 'run', config: defaultConfig() })
  const { config } = parseCommandLine(
    ['--port', '9000', '--default-version=2023-04-25', '--require-version', '--admin-token', 't'],
    { PORT: '1', DEFAULT_VERSION: 'bad', ADMIN_TOKEN: 'env' }
  )
  t.match(config, { port: 9000, defaultVersion: '2023-04-25', requireVersion: true, adminToken: 't' })
  t.equal(parseCommandLine(['--require-version=false'], { REQUIRE_VERSION: 'true' }).config.requireVersion, false)
  t.equal(
    parseCommandLine(['--require-version', '--port', '1'], {}).config.port,
    1,
    'a bare boolean flag does not swallow the next flag'
  )
  t.equal(parseCommandLine([], { LOG_LEVEL: 'debug' }).config.logLevel, 'debug', 'variables still apply')
  for (const [argv, action] of [
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['--version'], 'version'],
    [['-v'], 'version'],
    [['--print-fixtures'], 'print-fixtures']
  ] as const) {
    t.equal(parseCommandLine(argv, {}).action, action)
  }
  t.throws(() => parseCommandLine(['--nope'], {}), {
    name: 'ConfigError',
    message: 'unknown option "--nope" (see --help)'
  })
  t.throws(() => parseCommandLine(['--port'], {}), { name: 'ConfigError', message: '--port needs a value' })
  t.throws(() => parseCommandLine(['--port', 'x'], {}), {
    name: 'ConfigError',
    message: '--port must be a port number from 0 to 65535, got "x"'
  })
  const switches = ['--require-version', '--validate-responses', '--sync-scheduling']
  for (const setting of Object.values(SETTINGS)) {
    const shown = switches.includes(flagOf(setting)) ? `${flagOf(setting)} [true|false]` : `${flagOf(setting)} <value>`
    t.match(helpText(), `  ${shown} `, `--help shows ${shown}`)
  }
  for (const flag of switches) t.equal(parseCommandLine([flag], {}).action, 'run', `${flag} works bare`)
  t.same(
    switches.map((flag) =>
      Object.entries(parseCommandLine([flag], {}).config)
        .filter(([key, value]) => value !== (defaultConfig() as unknown as Record<string, unknown>)[key])
        .map(([key]) => key)
    ),
    [['requireVersion'], ['validateResponses'], ['syncScheduling']],
    'each bare switch turns its own setting on'
  )
})
