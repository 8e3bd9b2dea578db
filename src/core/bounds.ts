/**
 * What an API caller (or a test's control plane) can make the simulator keep, and how much of it
 * at most: every store that grows with requests has a bound here, a setting for it (src/core/config.ts)
 * and a line in docs/bounds.md. Past a bound the oldest goes first, except for rules, which are refused.
 * Bounds per partner keep one tenant's traffic from pushing out another's records.
 */
export interface Bounds {
  /** Idempotency-Key outcomes kept per partner (IDEMPOTENCY_MAX_RECORDS). */
  idempotencyRecords: number
  /** Bytes of Idempotency-Key outcomes kept per partner (IDEMPOTENCY_MAX_BYTES). */
  idempotencyBytes: number
  /** Jobs (async=true) kept per partner (JOBS_MAX). */
  jobs: number
  /** Bytes of job results kept per partner (JOBS_MAX_BYTES). */
  jobBytes: number
  /** Runs kept per sync, the one under way included; a start drops the oldest finished past it (RUNS_PER_SYNC). */
  runsPerSync: number
  /** Additional schedules per bulk sync: one more is refused (SCHEDULES_PER_SYNC). */
  schedulesPerSync: number
  /** Console-log entries kept per run, the newest (CONSOLE_LOG_ENTRIES). */
  consoleLogEntries: number
  /** Open Connect sessions per organization (CONNECT_SESSIONS_MAX). */
  connectSessions: number
  /** Deliveries waiting per webhook (WEBHOOK_QUEUE_MAX). */
  webhookQueue: number
  /** Events kept per organization, besides EVENT_RETENTION_S (EVENTS_MAX). */
  events: number
  /** Rules in each list: faults, connection checks, delivery faults, execution rules (RULES_MAX). */
  rules: number
  /** Rows one connection's catalog holds, all its schemas together (CATALOG_MAX_ROWS). */
  catalogRows: number
  /** Catalogs kept parsed, and as SQL databases of the query runner, the most recently used (CATALOG_CACHE). */
  catalogCache: number
  /** Rows one query answers at most; the rest are left out (QUERY_MAX_ROWS). */
  queryRows: number
  /** How long one query may run, in ms: past it, it is stopped and fails (QUERY_TIMEOUT_MS). */
  queryTimeoutMs: number
  /** Notifications kept per organization for GET /__admin/notifications (NOTIFICATIONS_MAX). */
  notifications: number
  /** Proxy calls remembered per connection, for its stats (PROXY_CALLS_MAX). */
  proxyCalls: number
}

export const DEFAULT_BOUNDS: Readonly<Bounds> = {
  idempotencyRecords: 1000,
  idempotencyBytes: 8 * 1024 * 1024,
  jobs: 1000,
  jobBytes: 8 * 1024 * 1024,
  runsPerSync: 100,
  schedulesPerSync: 100,
  consoleLogEntries: 200,
  connectSessions: 100,
  webhookQueue: 1000,
  events: 10_000,
  rules: 1000,
  catalogRows: 100_000,
  catalogCache: 32,
  queryRows: 10_000,
  queryTimeoutMs: 5000,
  notifications: 1000,
  proxyCalls: 1000
}

/** Queries waiting for the query runner at most: one more is a 503 query_runner_busy. */
export const QUERY_QUEUE = 1000

/** The most one rule may weigh, as JSON (a fault rule's body and headers, mostly). */
export const RULE_BYTES = 64 * 1024

/**
 * The oldest items to drop so that what is kept fits `maxCount` and `maxBytes`, the newest always
 * kept: given the items oldest first, with their sizes.
 */
export function overBudget<T extends { bytes: number }> (
  itemsOldestFirst: readonly T[],
  maxCount: number,
  maxBytes = Number.POSITIVE_INFINITY
): T[] {
  let count = itemsOldestFirst.length
  let bytes = 0
  for (const item of itemsOldestFirst) bytes += item.bytes
  const dropped: T[] = []
  for (const item of itemsOldestFirst) {
    if (count <= 1 || (count <= maxCount && bytes <= maxBytes)) break
    dropped.push(item)
    count--
    bytes -= item.bytes
  }
  return dropped
}
