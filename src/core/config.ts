import { join } from 'node:path'
import { FIXTURES_DIR } from './paths.js'
import {
  SIGNATURE_ALGORITHMS,
  SIGNATURE_ENCODINGS,
  type SignatureAlgorithm,
  type SignatureEncoding
} from './signature.js'
import { didYouMean } from './suggest.js'
import { DEFAULT_BOUNDS, type Bounds } from './bounds.js'
import { CURRENT_VERSION, SUPPORTED_VERSIONS, isSupportedVersion, type ApiVersion } from './versions.js'

export const BUNDLED_FIXTURES = join(FIXTURES_DIR, 'default.json')

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  port: number
  host: string
  portFile: string | null
  database: string
  fixtures: string
  defaultVersion: ApiVersion
  requireVersion: boolean
  logLevel: LogLevel
  adminToken: string | null
  journalSize: number
  journalBodyBytes: number
  journalBytes: number
  adminStreamsMax: number
  faultSeed: number | null
  latencyMs: LatencyRange | null
  shutdownGraceMs: number
  bodyLimit: number
  idempotencyTtlS: number
  requestTimeoutMs: number
  validateResponses: boolean
  connectTokenTtlS: number
  eventRetentionS: number
  webhookRetryBaseMs: number
  webhookTimeoutMs: number
  webhookAllowedHosts: string[] | null
  webhookSignatureAlgorithm: SignatureAlgorithm
  webhookSignatureEncoding: SignatureEncoding
  deliveryLogSize: number
  syncRunDurationMs: number
  syncScheduling: boolean
  idempotencyMaxRecords: number
  idempotencyMaxBytes: number
  jobsMax: number
  jobsMaxBytes: number
  runsPerSync: number
  schedulesPerSync: number
  consoleLogEntries: number
  faultRetryAfterS: number
  connectSessionsMax: number
  webhookQueueMax: number
  eventsMax: number
  rulesMax: number
  catalogMaxRows: number
  catalogCache: number
  queryMaxRows: number
  queryTimeoutMs: number
  notificationsMax: number
  proxyCallsMax: number
  proxyAllowedHosts: string[] | null
  proxyTimeoutMs: number
  proxyRatePerMinute: number
  logUrlTtlS: number
}

/** A fixed delay (min === max) or a uniform range, in milliseconds. */
export interface LatencyRange {
  min: number
  max: number
}

/**
 * A setting's value that cannot be used. A TypeError, so that createSimulator() callers get the usual kind of
 * error.
 */
export class ConfigError extends TypeError {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

interface Setting<K extends keyof Config> {
  key: K
  env: string
  parse: (raw: string, name: string) => Config[K]
  defaultValue: Config[K]
  description: string
}

function parsePort (raw: string, name: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`)
  }
  return Number(raw)
}

function parseNonEmpty (raw: string, name: string): string {
  if (raw.trim() === '') throw new ConfigError(`${name} must not be empty`)
  return raw
}

function parseBoolean (raw: string, name: string): boolean {
  const value = raw.trim().toLowerCase()
  if (['true', '1', 'yes'].includes(value)) return true
  if (['false', '0', 'no', ''].includes(value)) return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

function parseCount (max: number) {
  return (raw: string, name: string): number => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) > max) {
      throw new ConfigError(`${name} must be a whole number from 0 to ${max}, got "${raw}"`)
    }
    return Number(raw)
  }
}

function parsePositive (max: number) {
  return (raw: string, name: string): number => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > max) {
      throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${raw}"`)
    }
    return Number(raw)
  }
}

function parseOptionalText (raw: string): string | null {
  return raw === '' ? null : raw
}

function parseSeed (raw: string, name: string): number | null {
  if (raw.trim() === '') return null
  return parseCount(2 ** 32 - 1)(raw, name)
}

function parseLatency (raw: string, name: string): LatencyRange | null {
  const value = raw.trim()
  if (value === '' || value === '0') return null
  const match = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(value)
  if (match === null) throw new ConfigError(`${name} must be milliseconds ("250") or a range ("100-400"), got "${raw}"`)
  const min = Number(match[1])
  const max = match[2] === undefined ? min : Number(match[2])
  if (max < min) throw new ConfigError(`${name}: the range's upper bound is below its lower bound, got "${raw}"`)
  return { min, max }
}

function parseChoice<T extends string> (choices: readonly T[]) {
  return (raw: string, name: string): T => {
    const value = raw.trim().toLowerCase()
    if (!(choices as readonly string[]).includes(value)) {
      throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`)
    }
    return value as T
  }
}

/** "hooks.example.com, *.internal, 127.0.0.1": host names, "*." for subdomains; empty for any host. */
function parseHosts (raw: string, name: string): string[] | null {
  const hosts = raw
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '')
  if (hosts.length === 0) return null
  for (const host of hosts) {
    if (!/^(\*\.)?[a-z0-9_.:[\]-]+$/.test(host)) {
      throw new ConfigError(`${name}: "${host}" is not a host name (use names like hooks.example.com or *.example.com)`)
    }
  }
  return hosts
}

/** The hosts the connection proxy may call unless PROXY_ALLOWED_HOSTS says otherwise: this machine's. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const

/** PROXY_ALLOWED_HOSTS: "*" for any host (null), else host names as WEBHOOK_ALLOWED_HOSTS takes them. */
function parseProxyHosts (raw: string, name: string): string[] | null {
  if (raw.trim() === '*') return null
  return parseHosts(raw, name) ?? [...LOOPBACK_HOSTS]
}

function parseVersion (raw: string, name: string): ApiVersion {
  if (!isSupportedVersion(raw)) {
    throw new ConfigError(`${name} must be one of ${SUPPORTED_VERSIONS.join(', ')}, got "${raw}"`)
  }
  return raw
}

function parseLogLevel (raw: string, name: string): LogLevel {
  const value = raw.trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`)
  }
  return value as LogLevel
}

/** Every setting, its environment variable, parser, default and meaning (docs/configuration.md's table follows it). */
export const SETTINGS: { [K in keyof Config]: Setting<K> } = {
  port: {
    key: 'port',
    env: 'PORT',
    parse: parsePort,
    defaultValue: 8080,
    description: 'TCP port to listen on (0 picks a free one)'
  },
  host: {
    key: 'host',
    env: 'HOST',
    parse: parseNonEmpty,
    defaultValue: '127.0.0.1',
    description: 'interface to listen on'
  },
  portFile: {
    key: 'portFile',
    env: 'PORT_FILE',
    parse: parseOptionalText,
    defaultValue: null,
    description: 'file the chosen port is written to once listening (for PORT=0 in scripts); removed on shutdown'
  },
  database: {
    key: 'database',
    env: 'DATABASE',
    parse: parseNonEmpty,
    defaultValue: ':memory:',
    description: 'SQLite file; :memory: keeps the world in memory only'
  },
  fixtures: {
    key: 'fixtures',
    env: 'FIXTURES',
    parse: parseNonEmpty,
    defaultValue: BUNDLED_FIXTURES,
    description: 'fixture file loaded into an empty database'
  },
  defaultVersion: {
    key: 'defaultVersion',
    env: 'DEFAULT_VERSION',
    parse: parseVersion,
    defaultValue: CURRENT_VERSION,
    description: 'version served when a request has no X-Polytomic-Version'
  },
  requireVersion: {
    key: 'requireVersion',
    env: 'REQUIRE_VERSION',
    parse: parseBoolean,
    defaultValue: false,
    description: 'answer 400 to requests without X-Polytomic-Version'
  },
  logLevel: {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    parse: parseLogLevel,
    defaultValue: 'info',
    description: 'pino log level'
  },
  adminToken: {
    key: 'adminToken',
    env: 'ADMIN_TOKEN',
    parse: parseOptionalText,
    defaultValue: null,
    description: 'Bearer token required by /__admin routes (except health); unset: open'
  },
  journalSize: {
    key: 'journalSize',
    env: 'JOURNAL_SIZE',
    parse: parseCount(100_000),
    defaultValue: 1000,
    description: 'requests kept in the journal; 0 turns it off'
  },
  journalBodyBytes: {
    key: 'journalBodyBytes',
    env: 'JOURNAL_BODY_BYTES',
    parse: parseCount(16 * 1024 * 1024),
    defaultValue: 64 * 1024,
    description: 'bytes of each request body and each response kept in a journal entry; longer ones are cut and marked'
  },
  journalBytes: {
    key: 'journalBytes',
    env: 'JOURNAL_BYTES',
    parse: parseCount(1024 * 1024 * 1024),
    defaultValue: 32 * 1024 * 1024,
    description: 'memory budget of the whole journal in bytes; the oldest entries are dropped first'
  },
  adminStreamsMax: {
    key: 'adminStreamsMax',
    env: 'ADMIN_STREAMS_MAX',
    parse: parseCount(1000),
    defaultValue: 16,
    description: 'journal followers open at once (the console, `requests --follow`); one more is refused (429)'
  },
  faultSeed: {
    key: 'faultSeed',
    env: 'FAULT_SEED',
    parse: parseSeed,
    defaultValue: null,
    description: 'seed for fault probabilities and latency ranges (repeatable runs)'
  },
  faultRetryAfterS: {
    key: 'faultRetryAfterS',
    env: 'FAULT_RETRY_AFTER_S',
    parse: parseCount(3600),
    defaultValue: 1,
    description: "Retry-After, in seconds, of an injected 429 or 503 whose rule sets none (the SDKs' retries wait it)"
  },
  latencyMs: {
    key: 'latencyMs',
    env: 'LATENCY_MS',
    parse: parseLatency,
    defaultValue: null,
    description: 'delay added to every /api response: "250" or "100-400"'
  },
  shutdownGraceMs: {
    key: 'shutdownGraceMs',
    env: 'SHUTDOWN_GRACE_MS',
    parse: parseCount(600_000),
    defaultValue: 10_000,
    description: 'on SIGTERM/SIGINT, how long in-flight requests may take before connections are cut'
  },
  bodyLimit: {
    key: 'bodyLimit',
    env: 'BODY_LIMIT',
    parse: parseCount(1024 * 1024 * 1024),
    defaultValue: 1024 * 1024,
    description: 'largest /api request body in bytes; larger is 413'
  },
  idempotencyTtlS: {
    key: 'idempotencyTtlS',
    env: 'IDEMPOTENCY_TTL_S',
    parse: parseCount(365 * 86400),
    defaultValue: 86400,
    description: 'how long an Idempotency-Key outcome is kept, in seconds'
  },
  requestTimeoutMs: {
    key: 'requestTimeoutMs',
    env: 'REQUEST_TIMEOUT_MS',
    parse: parseCount(3_600_000),
    defaultValue: 30_000,
    description: 'time a client has to send a whole request (headers: at most 10 s); a stalled client is cut'
  },
  connectTokenTtlS: {
    key: 'connectTokenTtlS',
    env: 'CONNECT_TOKEN_TTL_S',
    parse: parseCount(30 * 86400),
    defaultValue: 3600,
    description: 'how long a Connect session token (POST /api/connections/connect) stays usable, in seconds'
  },
  eventRetentionS: {
    key: 'eventRetentionS',
    env: 'EVENT_RETENTION_S',
    parse: parseCount(10 * 365 * 86400),
    defaultValue: 48 * 3600,
    description: 'how long GET /api/events keeps an event, in seconds of simulated time (POST /__admin/clock moves it)'
  },
  webhookRetryBaseMs: {
    key: 'webhookRetryBaseMs',
    env: 'WEBHOOK_RETRY_BASE_MS',
    parse: parseCount(3_600_000),
    defaultValue: 10_000,
    description: 'first retry delay of a failed webhook delivery; each of the 5 retries waits twice the one before'
  },
  webhookTimeoutMs: {
    key: 'webhookTimeoutMs',
    env: 'WEBHOOK_TIMEOUT_MS',
    parse: parseCount(600_000),
    defaultValue: 10_000,
    description: 'how long a webhook receiver has to answer before the attempt counts as failed'
  },
  webhookAllowedHosts: {
    key: 'webhookAllowedHosts',
    env: 'WEBHOOK_ALLOWED_HOSTS',
    parse: parseHosts,
    defaultValue: null,
    description: 'comma-separated hosts webhook endpoints may name ("*.example.com" for subdomains); unset: any'
  },
  webhookSignatureAlgorithm: {
    key: 'webhookSignatureAlgorithm',
    env: 'WEBHOOK_SIGNATURE_ALGORITHM',
    parse: parseChoice(SIGNATURE_ALGORITHMS),
    defaultValue: 'sha256',
    description: 'HMAC hash of the Polytomic-Signature header: sha256, sha1 or sha512'
  },
  webhookSignatureEncoding: {
    key: 'webhookSignatureEncoding',
    env: 'WEBHOOK_SIGNATURE_ENCODING',
    parse: parseChoice(SIGNATURE_ENCODINGS),
    defaultValue: 'hex',
    description: 'encoding of the Polytomic-Signature header: hex or base64'
  },
  deliveryLogSize: {
    key: 'deliveryLogSize',
    env: 'DELIVERY_LOG_SIZE',
    parse: parseCount(100_000),
    defaultValue: 1000,
    description: 'webhook delivery attempts kept for GET /__admin/deliveries'
  },
  syncRunDurationMs: {
    key: 'syncRunDurationMs',
    env: 'SYNC_RUN_DURATION_MS',
    parse: parseCount(7 * 86_400_000),
    defaultValue: 5000,
    description:
      'how long a sync run stays running before it ends, in ms of simulated time (POST /__admin/clock and ' +
        '/__admin/executions/settle skip ahead)'
  },
  syncScheduling: {
    key: 'syncScheduling',
    env: 'SYNC_SCHEDULING',
    parse: parseBoolean,
    defaultValue: false,
    description:
      'start runs of active syncs when their schedules come round on simulated time; off: schedules are only stored'
  },
  idempotencyMaxRecords: {
    key: 'idempotencyMaxRecords',
    env: 'IDEMPOTENCY_MAX_RECORDS',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.idempotencyRecords,
    description: 'Idempotency-Key outcomes kept per partner; past it the oldest is forgotten'
  },
  idempotencyMaxBytes: {
    key: 'idempotencyMaxBytes',
    env: 'IDEMPOTENCY_MAX_BYTES',
    parse: parsePositive(1024 * 1024 * 1024),
    defaultValue: DEFAULT_BOUNDS.idempotencyBytes,
    description: 'bytes of Idempotency-Key outcomes kept per partner; past it the oldest are forgotten'
  },
  jobsMax: {
    key: 'jobsMax',
    env: 'JOBS_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.jobs,
    description: 'jobs (async=true) kept per partner; past it the oldest finished one goes'
  },
  jobsMaxBytes: {
    key: 'jobsMaxBytes',
    env: 'JOBS_MAX_BYTES',
    parse: parsePositive(1024 * 1024 * 1024),
    defaultValue: DEFAULT_BOUNDS.jobBytes,
    description: 'bytes of job results kept per partner; past it the oldest finished jobs go'
  },
  runsPerSync: {
    key: 'runsPerSync',
    env: 'RUNS_PER_SYNC',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.runsPerSync,
    description:
      'runs kept per bulk or model sync, the one under way included; a start drops the oldest finished past it'
  },
  schedulesPerSync: {
    key: 'schedulesPerSync',
    env: 'SCHEDULES_PER_SYNC',
    parse: parsePositive(10_000),
    defaultValue: DEFAULT_BOUNDS.schedulesPerSync,
    description: 'additional schedules a bulk sync may have; one more is a 422'
  },
  consoleLogEntries: {
    key: 'consoleLogEntries',
    env: 'CONSOLE_LOG_ENTRIES',
    parse: parsePositive(100_000),
    defaultValue: DEFAULT_BOUNDS.consoleLogEntries,
    description: "console-log entries kept per sync run (2025-09-18's .../consolelog); past it the oldest go"
  },
  catalogMaxRows: {
    key: 'catalogMaxRows',
    env: 'CATALOG_MAX_ROWS',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.catalogRows,
    description: "rows one connection's catalog may hold, all its schemas together; a larger catalog is a 422"
  },
  catalogCache: {
    key: 'catalogCache',
    env: 'CATALOG_CACHE',
    parse: parsePositive(10_000),
    defaultValue: DEFAULT_BOUNDS.catalogCache,
    description: "catalogs kept parsed, and as the query runner's SQL databases; past it the least recently used go"
  },
  queryMaxRows: {
    key: 'queryMaxRows',
    env: 'QUERY_MAX_ROWS',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.queryRows,
    description: 'rows one query runner query answers at most; the rest are left out'
  },
  queryTimeoutMs: {
    key: 'queryTimeoutMs',
    env: 'QUERY_TIMEOUT_MS',
    parse: parsePositive(3_600_000),
    defaultValue: DEFAULT_BOUNDS.queryTimeoutMs,
    description: 'how long one query runner query may run, in ms; past it, it is stopped and fails'
  },
  notificationsMax: {
    key: 'notificationsMax',
    env: 'NOTIFICATIONS_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.notifications,
    description: 'notifications kept per organization for GET /__admin/notifications; past it the oldest goes'
  },
  proxyCallsMax: {
    key: 'proxyCallsMax',
    env: 'PROXY_CALLS_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.proxyCalls,
    description: 'proxy calls remembered per connection for its proxy/info stats; past it the oldest goes'
  },
  proxyAllowedHosts: {
    key: 'proxyAllowedHosts',
    env: 'PROXY_ALLOWED_HOSTS',
    parse: parseProxyHosts,
    defaultValue: [...LOOPBACK_HOSTS],
    description: 'comma-separated hosts the connection proxy may call ("*.example.com" for subdomains, "*" for any)'
  },
  proxyTimeoutMs: {
    key: 'proxyTimeoutMs',
    env: 'PROXY_TIMEOUT_MS',
    parse: parsePositive(600_000),
    defaultValue: 30_000,
    description: 'how long the connection proxy waits for the upstream answer; past it the call is a 504'
  },
  proxyRatePerMinute: {
    key: 'proxyRatePerMinute',
    env: 'PROXY_RATE_PER_MINUTE',
    parse: parsePositive(10_000_000),
    defaultValue: 600,
    description: 'connection-proxy calls one connection may make per minute of simulated time; one more is a 429'
  },
  logUrlTtlS: {
    key: 'logUrlTtlS',
    env: 'LOG_URL_TTL_S',
    parse: parsePositive(7 * 86400),
    defaultValue: 900,
    description: "how long a run log file's signed URL works, in seconds of simulated time"
  },
  connectSessionsMax: {
    key: 'connectSessionsMax',
    env: 'CONNECT_SESSIONS_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.connectSessions,
    description: 'open Connect sessions per organization; past it the oldest ends'
  },
  webhookQueueMax: {
    key: 'webhookQueueMax',
    env: 'WEBHOOK_QUEUE_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.webhookQueue,
    description: 'deliveries waiting per webhook; past it the oldest waiting one is dropped'
  },
  eventsMax: {
    key: 'eventsMax',
    env: 'EVENTS_MAX',
    parse: parsePositive(10_000_000),
    defaultValue: DEFAULT_BOUNDS.events,
    description: 'events kept per organization (besides EVENT_RETENTION_S); past it the oldest goes'
  },
  rulesMax: {
    key: 'rulesMax',
    env: 'RULES_MAX',
    parse: parsePositive(1_000_000),
    defaultValue: DEFAULT_BOUNDS.rules,
    description:
      'rules in each list (faults, connection checks, delivery faults, execution rules); past it adding one is a 422'
  },
  validateResponses: {
    key: 'validateResponses',
    env: 'VALIDATE_RESPONSES',
    parse: parseBoolean,
    defaultValue: false,
    description: 'check every /api response against its declared schema (a mismatch becomes a 500); for tests'
  }
}

/** A setting that is on or off: its flag may be given bare (--require-version means true). */
export function isSwitch (setting: { parse: unknown }): boolean {
  return setting.parse === parseBoolean
}

/** The command-line flag of a setting: PORT -> --port, DEFAULT_VERSION -> --default-version. */
export function flagOf (setting: { env: string }): string {
  return `--${setting.env.toLowerCase().replace(/_/g, '-')}`
}

export type CliAction = 'run' | 'help' | 'version' | 'print-fixtures'

/**
 * Reads flags over the environment: a flag beats its variable. Flags are --name value or
 * --name=value; a boolean setting may be given bare (--require-version). Throws ConfigError.
 */
export function parseCommandLine (
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env
): { action: CliAction; config: Config } {
  const byFlag = new Map(Object.values(SETTINGS).map((setting) => [flagOf(setting), setting]))
  const fromFlags: NodeJS.ProcessEnv = {}
  let action: CliAction = 'run'
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') {
      action = 'help'
      continue
    }
    if (arg === '--version' || arg === '-v') {
      action = 'version'
      continue
    }
    if (arg === '--print-fixtures') {
      action = 'print-fixtures'
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const setting = byFlag.get(name)
    if (setting === undefined) {
      throw new ConfigError(`unknown option ${JSON.stringify(name)}${didYouMean(name, byFlag.keys())} (see --help)`)
    }
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    if (value === undefined) {
      const next = argv[i + 1]
      if (isSwitch(setting) && (next === undefined || next.startsWith('--'))) value = 'true'
      else if (next === undefined) throw new ConfigError(`${name} needs a value`)
      else {
        value = next
        i++
      }
    }
    fromFlags[setting.env] = value
  }
  const config: Record<string, unknown> = { ...defaultConfig() }
  for (const setting of Object.values(SETTINGS)) {
    const flagValue = fromFlags[setting.env]
    const raw = flagValue ?? env[setting.env]
    const source = flagValue === undefined ? setting.env : flagOf(setting)
    if (raw !== undefined) config[setting.key] = (setting.parse as (r: string, n: string) => unknown)(raw, source)
  }
  return { action, config: config as unknown as Config }
}

function showDefault (value: unknown): string {
  if (value === null) return 'unset'
  if (Array.isArray(value)) return value.join(',')
  if (typeof value === 'string' && value === BUNDLED_FIXTURES) return 'the bundled fixtures/default.json'
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
    ? String(value)
    : JSON.stringify(value)
}

/** --help: every flag with its variable, default and meaning. */
export function helpText (): string {
  const rows = Object.values(SETTINGS).map(
    (setting) =>
      `  ${`${flagOf(setting)} ${isSwitch(setting) ? '[true|false]' : '<value>'}`.padEnd(30)} ${setting.env.padEnd(18)} default: ${showDefault(setting.defaultValue)}\n  ${''.padEnd(30)} ${setting.description}`
  )
  return [
    'Usage: polytomic-mock [options]',
    '',
    "A local, stateful simulator of Polytomic's partner API. Each option may also be set with its",
    'environment variable; the option wins. A switch ([true|false]) given bare means true.',
    '',
    '  option                         variable           default / meaning',
    ...rows,
    `  ${'--print-fixtures'.padEnd(30)} print the bundled fixtures (a starting point for your own) and exit`,
    `  ${'--version, -v'.padEnd(30)} print the version and exit`,
    `  ${'--help, -h'.padEnd(30)} print this help and exit`,
    ''
  ].join('\n')
}

export function defaultConfig (): Config {
  const config: Record<string, unknown> = {}
  for (const setting of Object.values(SETTINGS)) config[setting.key] = setting.defaultValue
  return config as unknown as Config
}

/**
 * An option's value given in code, in the command line's string form: 250 and "250", true and "true", null
 * and "" mean the same.
 */
function optionText (name: string, value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null) return ''
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',')
  const range = value as Partial<LatencyRange>
  if (
    name === 'latencyMs' &&
    typeof range === 'object' &&
    typeof range.min === 'number' &&
    typeof range.max === 'number'
  ) {
    return `${range.min}-${range.max}`
  }
  const expected =
    name === 'latencyMs' ? 'number of milliseconds, a "min-max" string or { min, max }' : 'string, a number or a boolean'
  throw new ConfigError(`${name} must be a ${expected}, got ${typeof value === 'object' ? 'an object' : typeof value}`)
}

/**
 * Settings given in code (createSimulator): each checked by the same parser as its variable and
 * flag, so the command line's forms work ("250", "100-400", "true") and a bad value or an unknown
 * option name throws a ConfigError (a TypeError) naming it. undefined means "the default".
 */
export function configFromOptions (options: Record<string, unknown>): Config {
  const config: Record<string, unknown> = { ...defaultConfig() }
  const names = Object.keys(SETTINGS)
  for (const [name, value] of Object.entries(options)) {
    if (!Object.hasOwn(SETTINGS, name)) {
      throw new ConfigError(`unknown option ${JSON.stringify(name)}${didYouMean(name, names)}`)
    }
    if (value === undefined) continue
    const setting = SETTINGS[name as keyof Config]
    config[name] = (setting.parse as (r: string, n: string) => unknown)(optionText(name, value), name)
  }
  return config as unknown as Config
}

/** Reads the environment once; a bad value throws ConfigError naming the variable. */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  return parseCommandLine([], env).config
}

/**
 * The test-runner helpers' environment (src/simulator/runners.ts): where a run's simulator listens, set by a
 * global set-up for the workers it spawns, or by a user for a simulator already running.
 */
export const RUNNER_URL_VARIABLE = 'POLYTOMIC_MOCK_URL'
/** The admin token of the simulator RUNNER_URL_VARIABLE names, if it has one. */
export const RUNNER_TOKEN_VARIABLE = 'POLYTOMIC_MOCK_ADMIN_TOKEN'

/**
 * Settings a runner's global set-up (polytomic-mock/vitest, polytomic-mock/jest) reads from the environment: the
 * CLI's variables but PORT, HOST and PORT_FILE (its simulator always listens on 127.0.0.1 and a free port unless its
 * options say otherwise). Each is checked here, so a bad value is an error naming the variable; the set-up's options
 * win over them.
 */
export function runnerSettings (env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const setting of Object.values(SETTINGS)) {
    if (setting.env === 'PORT' || setting.env === 'HOST' || setting.env === 'PORT_FILE') continue
    const raw = env[setting.env]
    if (raw === undefined) continue
    ;(setting.parse as (r: string, n: string) => unknown)(raw, setting.env)
    settings[setting.key] = raw
  }
  return settings
}

/** True in a vitest worker (where test files run), false in vitest's main process (config and global set-up). */
export function inVitestWorker (env: NodeJS.ProcessEnv = process.env): boolean {
  return env.VITEST_WORKER_ID !== undefined && env.VITEST_WORKER_ID !== ''
}

/** The run's simulator as the environment names it, or null. */
export function runnerSimulator (env: NodeJS.ProcessEnv = process.env): { url: string; token: string | null } | null {
  const url = env[RUNNER_URL_VARIABLE]
  return url === undefined || url === '' ? null : { url, token: env[RUNNER_TOKEN_VARIABLE] ?? null }
}

/**
 * The environment of a node child the simulator starts (the query process): this process's, without NODE_OPTIONS,
 * so that a loader the simulator runs under (tsx in tests) is not loaded again for a program of plain JavaScript.
 */
export function childEnvironment (): NodeJS.ProcessEnv {
  return { ...process.env, NODE_OPTIONS: '' }
}

/** Names the run's simulator (and its admin token, if it has one) for the workers a global set-up spawns. */
export function exportRunnerUrl (url: string, token: string | null = null): void {
  process.env[RUNNER_URL_VARIABLE] = url
  if (token !== null) process.env[RUNNER_TOKEN_VARIABLE] = token
}

/** Forgets the run's simulator, unless the environment has come to name another. */
export function forgetRunnerUrl (url: string): void {
  if (process.env[RUNNER_URL_VARIABLE] !== url) return
  delete process.env[RUNNER_URL_VARIABLE]
  delete process.env[RUNNER_TOKEN_VARIABLE]
}

/** The bounds of the stores an API caller can grow, from the settings. */
export function boundsOf (config: Config): Bounds {
  return {
    idempotencyRecords: config.idempotencyMaxRecords,
    idempotencyBytes: config.idempotencyMaxBytes,
    jobs: config.jobsMax,
    jobBytes: config.jobsMaxBytes,
    runsPerSync: config.runsPerSync,
    schedulesPerSync: config.schedulesPerSync,
    consoleLogEntries: config.consoleLogEntries,
    connectSessions: config.connectSessionsMax,
    webhookQueue: config.webhookQueueMax,
    events: config.eventsMax,
    rules: config.rulesMax,
    catalogRows: config.catalogMaxRows,
    catalogCache: config.catalogCache,
    queryRows: config.queryMaxRows,
    queryTimeoutMs: config.queryTimeoutMs,
    notifications: config.notificationsMax,
    proxyCalls: config.proxyCallsMax
  }
}

/**
 * Where the terminal verbs (polytomic-mock requests, settle, run, ...) find the simulator when no --url or
 * --admin-token is given: POLYTOMIC_MOCK_URL (else http://127.0.0.1:PORT, PORT defaulting as the server's does)
 * and POLYTOMIC_MOCK_ADMIN_TOKEN (else ADMIN_TOKEN, as a shell that started the server has it).
 */
export function terminalTarget (env: NodeJS.ProcessEnv = process.env): { url: string; token: string | null } {
  const url = env[RUNNER_URL_VARIABLE]
  const port = env.PORT === undefined || env.PORT === '' ? String(SETTINGS.port.defaultValue) : env.PORT
  const token = env[RUNNER_TOKEN_VARIABLE] ?? env.ADMIN_TOKEN
  return {
    url: url === undefined || url === '' ? `http://127.0.0.1:${port}` : url,
    token: token === undefined || token === '' ? null : token
  }
}
