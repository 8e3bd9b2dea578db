// The official SDK v25.9.2 (API version 2025-09-18) is not on the npm registry, so the tests re-create, from
// ../shared/reference/polytomic-2025-09-18-surface.md, what it puts on the wire (section 1) and the JSON
// Schemas of the types it reads back (sections 3 and 5). Objects are closed (additionalProperties: false) so
// that a field of the 1.18.1 shapes leaking into a 2025-09-18 answer fails the check.
import { Ajv, type ValidateFunction } from 'ajv'
import type { FastifyInstance, InjectOptions } from 'fastify'

export const V25 = '25.9.2'
export const VERSION_2025 = '2025-09-18'

/** One request as v25 makes it. */
export interface WireRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  headers: Record<string, string>
  query: string
  body?: string
}

/**
 * What v25 sends for a call: Bearer token, X-Polytomic-Version (2025-09-18 unless told), the Fern headers
 * and its User-Agent, all lower-cased; Content-Type only with a body; Idempotency-Key only when asked for
 * (never on GET); query arrays repeated, objects as one JSON string, undefined values left out.
 */
export function v25Request (
  token: string,
  method: WireRequest['method'],
  path: string,
  options: {
    query?: Record<string, string | number | boolean | string[] | Record<string, unknown> | undefined>
    body?: unknown
    idempotencyKey?: string
    version?: string
  } = {}
): WireRequest {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'x-fern-language': 'JavaScript',
    'x-fern-sdk-name': 'polytomic',
    'x-fern-sdk-version': V25,
    'user-agent': `polytomic/${V25}`,
    'x-fern-runtime': 'node',
    'x-fern-runtime-version': process.versions.node,
    'x-polytomic-version': options.version ?? VERSION_2025
  }
  if (options.idempotencyKey !== undefined && method !== 'GET') headers['idempotency-key'] = options.idempotencyKey
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) search.append(key, item)
    else if (typeof value === 'object') search.append(key, JSON.stringify(value))
    else search.append(key, String(value))
  }
  const request: WireRequest = { method, path, headers, query: search.toString() }
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    request.body = JSON.stringify(options.body)
  }
  return request
}

export interface WireAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: unknown
}

/** The request through inject (HTTP semantics without a socket). */
export async function injectWire (app: FastifyInstance, request: WireRequest): Promise<WireAnswer> {
  const options: InjectOptions = {
    method: request.method,
    url: request.query === '' ? request.path : `${request.path}?${request.query}`,
    headers: request.headers
  }
  if (request.body !== undefined) options.payload = request.body
  const res = await app.inject(options)
  const headers = res.headers as Record<string, string | string[] | undefined>
  return { status: res.statusCode, headers, body: res.body === '' ? undefined : JSON.parse(res.body) }
}

/** The request over a real socket, as the SDK's fetcher makes it. */
export async function fetchWire (baseUrl: string, request: WireRequest): Promise<WireAnswer> {
  const url = `${baseUrl}${request.path}${request.query === '' ? '' : `?${request.query}`}`
  const init: RequestInit = { method: request.method, headers: request.headers }
  if (request.body !== undefined) init.body = request.body
  const res = await fetch(url, init)
  const text = await res.text()
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text === '' ? undefined : JSON.parse(text)
  }
}

// The v25 types (2025-09-18 surface 3 and 5), as JSON Schemas.

const str = { type: 'string' } as const
const num = { type: 'number' } as const
const bool = { type: 'boolean' } as const
const strings = { type: 'array', items: str } as const
const object = { type: 'object' } as const
type Props = Record<string, unknown>
const closed = (properties: Props, required: string[] = []): Props => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties
})
const envelope = (data: unknown, siblings: Props = {}): Props => closed({ data, ...siblings }, ['data'])

const OutputActor = closed({ id: str, name: str, type: str })
const scheduleTimes = {
  id: str,
  frequency: {
    type: 'string',
    enum: ['manual', 'continuous', 'hourly', 'daily', 'weekly', 'custom', 'builder', 'runafter', 'multi', 'dbtcloud']
  },
  minute: str,
  hour: str,
  day_of_week: str,
  day_of_month: str,
  month: str,
  created_at: str,
  created_by: OutputActor,
  updated_at: str,
  updated_by: OutputActor
}

export const BulkSyncDefaultScheduleResponse = closed(scheduleTimes, ['frequency'])
export const BulkSyncAdditionalScheduleResponse = closed(
  {
    ...scheduleTimes,
    selective_mode: { type: 'string', enum: ['none', 'incrementalFields', 'nonincrementalFields'] },
    resync_mode: { type: 'string', enum: ['normal', 'refetch', 'resync', 'rebuild'] },
    schemas: strings
  },
  ['frequency']
)

export const BulkSyncResponse = closed({
  id: str,
  organization_id: str,
  name: str,
  active: bool,
  mode: { type: 'string', enum: ['snapshot', 'replicate'] },
  source_connection_id: str,
  source_configuration: object,
  destination_connection_id: str,
  destination_configuration: object,
  default_schedule: BulkSyncDefaultScheduleResponse,
  additional_schedules: { type: 'array', items: BulkSyncAdditionalScheduleResponse },
  automatically_add_new_fields: str,
  automatically_add_new_objects: str,
  normalize_names: str,
  concurrency_limit: num,
  resync_concurrency_limit: num,
  data_cutoff_timestamp: str,
  disable_record_timestamps: bool,
  policies: strings,
  created_at: str,
  created_by: OutputActor,
  updated_at: str,
  updated_by: OutputActor
})

export const PaginationDetails = closed({ next_page_token: str })

export const BulkSchemaListItem = closed(
  {
    id: str,
    output_name: str,
    user_output_name: str,
    enabled: bool,
    partition_key: str,
    tracking_field: str,
    data_cutoff_timestamp: str,
    disable_data_cutoff: bool
  },
  ['id']
)

const Schedule = closed({
  frequency: str,
  minute: str,
  hour: str,
  day_of_week: str,
  day_of_month: str,
  month: str,
  job_id: num,
  connection_id: str,
  run_after: closed({ sync_ids: strings, bulk_sync_ids: strings }),
  run_after_success_only: bool
})

export const ListSyncItem = closed(
  {
    id: str,
    name: str,
    active: bool,
    mode: str,
    model_ids: strings,
    organization_id: str,
    schedule: Schedule,
    only_enrich_updates: bool,
    skip_initial_backfill: bool,
    sync_all_records: bool,
    target_connection_id: str,
    target_object: str,
    created_at: str,
    created_by: OutputActor,
    updated_at: str,
    updated_by: OutputActor
  },
  ['id']
)

export const ConsoleLogEntry = closed(
  {
    id: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
    level: str,
    message: str,
    payload: object,
    timestamp: { type: 'string', format: 'date-time' }
  },
  ['id', 'level', 'message', 'timestamp']
)

export const EntityResponse = closed(
  {
    id: str,
    type: {
      type: 'string',
      enum: ['organization', 'user', 'connection', 'model', 'sync', 'sync_execution', 'bulk_sync', 'bulk_sync_execution']
    },
    canonical_path: str,
    organization_id: str,
    relationships: { type: 'object', additionalProperties: closed({ id: str, path: str }, ['id', 'path']) },
    context: object
  },
  ['id', 'type', 'canonical_path']
)

export const ApiError = closed({ status: num, message: str, key: str, metadata: object }, ['message'])

/** The connection proxy's answer and contract (surface 3.10): camelCase, as v25 reads them. */
const ConnectionProxyResponse = closed({
  status: num,
  headers: { type: 'object', additionalProperties: str },
  body: str,
  contentType: str,
  latencyMs: num,
  proxyCallId: str,
  truncated: bool
})
const ConnectionProxyInfoResponse = closed({
  connectionId: str,
  backendType: str,
  inheritedBase: closed({
    baseUrl: str,
    lockedHeaders: { type: 'array', items: closed({ name: str, value: str, redacted: bool }) },
    lockedQuery: object
  }),
  mergeRules: closed({ headers: str, query: str }),
  requestContract: closed({
    allowedMethods: strings,
    blockedRequestHeaders: strings,
    blockedResponseHeaders: strings,
    bodyTypes: strings,
    maxRequestBodyBytes: num,
    maxResponseBodyBytes: num,
    pathRule: str,
    queryModes: strings,
    queryValueTypes: strings,
    rateLimitPerMinute: num,
    rawQueryRule: str,
    timeoutMs: num
  }),
  stats: closed({
    callsLast24h: num,
    lastProxyCallAt: str,
    proxyCallsLast24h: num,
    proxy2xxLast24h: num,
    proxy4xxLast24h: num,
    proxy5xxLast24h: num
  })
})

/** The envelopes of the changed and new operations. */
export const V25_TYPES = {
  BulkSyncEnvelope: envelope(BulkSyncResponse),
  // The type has data only; the 2025-09-18 docs describe pagination, which the simulator gives (surface 3.1).
  BulkSyncListEnvelope: envelope({ type: 'array', items: BulkSyncResponse }, { pagination: PaginationDetails }),
  ListBulkSchemaEnvelope: envelope({ type: 'array', items: BulkSchemaListItem }),
  ListSyncResponseEnvelope: closed(
    { data: { type: 'array', items: ListSyncItem }, pagination: PaginationDetails },
    ['data', 'pagination']
  ),
  CancelSyncExecutionResponseEnvelope: envelope(closed({ message: str }, ['message'])),
  ExecutionConsoleLogsResponseEnvelope: envelope(
    closed({ entries: { type: 'array', items: ConsoleLogEntry }, next_cursor: str }, ['entries'])
  ),
  EntityResponseEnvelope: envelope(EntityResponse),
  CreateSharedConnectionResponseEnvelope: envelope(closed({ id: str }, ['id'])),
  ConnectionListResponseEnvelope: envelope({ type: 'array', items: { type: 'object', required: ['id'] } }),
  OrganizationEnvelope: envelope(closed({ id: str, name: str, sso_domain: str, sso_org_id: str, issuer: str })),
  UserEnvelope: envelope(closed({ id: str, email: str, organization_id: str, role: str, role_ids: strings })),
  ListUsersEnvelope: envelope({
    type: 'array',
    items: closed({ id: str, email: str, organization_id: str, role: str, role_ids: strings })
  }),
  ExecuteConnectionProxyEnvelope: envelope(ConnectionProxyResponse),
  GetConnectionProxyInfoEnvelope: envelope(ConnectionProxyInfoResponse),
  ApiError
} as const

const ajv = new Ajv({ allErrors: true, strict: false })
ajv.addFormat('date-time', { validate: (value: string) => !Number.isNaN(Date.parse(value)) })
const compiled = new Map<string, ValidateFunction>()

/** The problems of a body against a v25 type, or [] when it conforms. */
export function problemsAgainst (type: keyof typeof V25_TYPES, body: unknown): string[] {
  let validate = compiled.get(type)
  if (validate === undefined) {
    validate = ajv.compile(V25_TYPES[type])
    compiled.set(type, validate)
  }
  if (validate(body)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
}
