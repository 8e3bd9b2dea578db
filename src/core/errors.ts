import { LIMITS } from './limits.js'

/**
 * Every error the simulator can answer with. Code throws these; the error
 * handler (src/http/plugins/error-handler.ts) alone turns them into bodies.
 */

export type ErrorMetadata = Record<string, unknown>

export class ApiError extends Error {
  readonly status: number
  readonly key: string
  readonly metadata: ErrorMetadata
  /** Extra response headers, written by the error handler with the body. */
  readonly headers: Record<string, string>

  constructor (
    status: number,
    key: string,
    message: string,
    metadata: ErrorMetadata = {},
    headers: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.key = key
    this.metadata = metadata
    this.headers = headers
  }
}

export interface ErrorDetail {
  message?: string
  metadata?: ErrorMetadata
  headers?: Record<string, string>
}

export interface ErrorDefinition {
  (detail?: ErrorDetail): ApiError
  readonly status: number
  readonly key: string
  readonly message: string
}

function define (status: number, key: string, message: string): ErrorDefinition {
  const make = (detail: ErrorDetail = {}): ApiError =>
    new ApiError(status, key, detail.message ?? message, detail.metadata ?? {}, detail.headers ?? {})
  return Object.assign(make, { status, key, message })
}

export const Errors = {
  // 400
  BadRequest: define(400, 'bad_request', 'the request could not be understood'),
  MalformedJson: define(400, 'malformed_json', 'the request body is not valid JSON'),
  BodyTooDeep: define(
    400,
    'body_too_deep',
    `the request body nests objects and arrays deeper than ${LIMITS.jsonDepth} levels`
  ),
  UnsupportedVersion: define(400, 'unsupported_version', 'unsupported API version'),
  VersionRequired: define(400, 'version_required', 'the X-Polytomic-Version header is required'),
  OrganizationIdRequired: define(400, 'organization_id_required', 'organization_id is required for this credential'),
  ConnectionTestFailed: define(400, 'connection_test_failed', 'the connection test failed'),
  UnknownJobType: define(400, 'unknown_job_type', 'unknown job type'),
  QueryRefused: define(400, 'query_refused', 'the query runner only runs one read-only SQL query'),
  QueryNotSupported: define(400, 'query_not_supported', 'this connection does not run SQL queries'),
  OperationNotSupported: define(400, 'operation_not_supported', 'this connection does not support this operation'),
  ConnectionUnhealthy: define(400, 'connection_unhealthy', 'only a healthy connection can refresh its schemas'),
  InvalidIdempotencyKey: define(
    400,
    'invalid_idempotency_key',
    'Idempotency-Key must be 8 to 255 letters, digits, "-" or "_"'
  ),

  // 401
  Unauthorized: define(401, 'unauthorized', 'unauthorized'),
  MissingCredentials: define(401, 'missing_credentials', 'missing Authorization header'),
  MalformedCredentials: define(401, 'malformed_credentials', 'malformed Authorization header'),
  InvalidCredentials: define(401, 'invalid_credentials', 'invalid or unknown API key'),
  AdminUnauthorized: define(401, 'admin_unauthorized', 'a valid admin token is required'),

  // 403
  Forbidden: define(403, 'forbidden', 'forbidden'),
  PartnerKeyRequired: define(403, 'partner_key_required', 'this endpoint requires a partner or deployment key'),
  ApiKeyRequired: define(
    403,
    'organization_credential_required',
    'this endpoint requires a user key, an organization key or an organization-scoped key'
  ),
  UnscopedKeyRequired: define(
    403,
    'unscoped_key_required',
    'an organization-scoped credential cannot create organizations'
  ),
  AdminRoleRequired: define(403, 'admin_role_required', 'this operation requires an admin user'),
  OwnerOrganizationProtected: define(
    403,
    'owner_organization_protected',
    'a partner cannot delete its own owner organization'
  ),
  SystemRoleProtected: define(403, 'system_role_protected', 'system roles cannot be modified or deleted'),
  ProxyHostRefused: define(403, 'proxy_host_refused', 'the connection proxy does not call this host'),
  LogUrlInvalid: define(403, 'log_url_invalid', 'this signed URL is not valid: ask the API for a new one'),
  PolicyDenied: define(
    403,
    'policy_denied',
    "none of the user's roles is granted this action by a policy the resource names"
  ),
  SharedConnectionReadOnly: define(
    403,
    'shared_connection_read_only',
    'a shared connection follows its parent: change the parent connection instead'
  ),

  // 404
  NotFound: define(404, 'not_found', 'not found'),
  RouteNotFound: define(404, 'route_not_found', 'no such route'),
  OrganizationNotFound: define(404, 'organization_not_found', 'organization not found'),
  UserNotFound: define(404, 'user_not_found', 'user not found'),
  RoleNotFound: define(404, 'role_not_found', 'role not found'),
  PolicyNotFound: define(404, 'policy_not_found', 'policy not found'),
  LogFileNotFound: define(404, 'log_file_not_found', 'no such log file'),
  TenantNotFound: define(404, 'tenant_not_found', 'no partner with this id'),
  SnapshotNotFound: define(404, 'snapshot_not_found', 'no snapshot with this name'),
  FaultNotFound: define(404, 'fault_not_found', 'no fault rule with this id'),
  ConnectionNotFound: define(404, 'connection_not_found', 'connection not found'),
  ConnectionTypeNotFound: define(404, 'connection_type_not_found', 'connection type not found'),
  ConnectSessionNotFound: define(404, 'connect_session_not_found', 'no Connect session with this token'),
  ConnectionCheckNotFound: define(404, 'connection_check_not_found', 'no connection check rule with this id'),
  WebhookNotFound: define(404, 'webhook_not_found', 'webhook not found'),
  DeliveryFaultNotFound: define(404, 'delivery_fault_not_found', 'no delivery fault rule with this id'),
  BulkSyncNotFound: define(404, 'bulk_sync_not_found', 'bulk sync not found'),
  ModelSyncNotFound: define(404, 'sync_not_found', 'sync not found'),
  ModelNotFound: define(404, 'model_not_found', 'model not found'),
  ExecutionNotFound: define(404, 'execution_not_found', 'execution not found'),
  ScheduleNotFound: define(404, 'schedule_not_found', 'schedule not found'),
  SchemaNotFound: define(404, 'schema_not_found', 'schema not found'),
  JobNotFound: define(404, 'job_not_found', 'job not found'),
  QueryNotFound: define(404, 'query_not_found', 'query not found'),
  FieldNotFound: define(404, 'field_not_found', 'no user-defined field with this id'),
  EntityNotFound: define(404, 'entity_not_found', 'no resource with this id that the credential can see'),
  ExecutionRuleNotFound: define(404, 'execution_rule_not_found', 'no execution rule with this id'),

  // 405, 408, 409, 410, 413, 414, 415, 431
  MethodNotAllowed: define(405, 'method_not_allowed', 'method not allowed'),
  RequestTimeout: define(408, 'request_timeout', 'the request took too long to arrive'),
  Conflict: define(409, 'conflict', 'conflict'),
  OrganizationNameTaken: define(409, 'organization_name_taken', 'an organization with this name already exists'),
  RoleNameTaken: define(409, 'role_name_taken', 'a role with this name already exists in the organization'),
  PolicyNameTaken: define(409, 'policy_name_taken', 'a policy with this name already exists in the organization'),
  ConnectionNameTaken: define(
    409,
    'connection_name_taken',
    'a connection with this name already exists in the organization'
  ),
  WebhookExists: define(
    409,
    'webhook_exists',
    'this organization already has a webhook: update it, or delete it first'
  ),
  ConnectionAlreadyShared: define(
    409,
    'connection_already_shared',
    'this connection is already shared with the organization'
  ),
  ExecutionRunning: define(
    409,
    'execution_running',
    'an execution of this sync is already running: wait for it, or cancel it'
  ),
  DeliveriesUnsettled: define(
    409,
    'deliveries_unsettled',
    'webhook deliveries were still pending when the bound ran out'
  ),
  ExecutionFinished: define(409, 'execution_finished', 'this execution has already finished'),
  ExecutionStateConflict: define(
    409,
    'execution_state_conflict',
    'the execution cannot move to this state from the one it is in'
  ),
  IdempotencyKeyInUse: define(
    409,
    'idempotency_key_in_use',
    'a request with this Idempotency-Key is still being processed'
  ),
  IdempotencyReplayUnavailable: define(
    409,
    'idempotency_replay_unavailable',
    'the first answer to this Idempotency-Key held a secret (such as a minted API key), which the simulator ' +
      'keeps only in the memory of the process that gave it; that process has restarted since, so it cannot be ' +
      'given again: send the request with a new Idempotency-Key'
  ),
  ConnectSessionExpired: define(410, 'connect_session_expired', 'this Connect session has expired; start a new one'),
  ConnectSessionUsed: define(
    410,
    'connect_session_used',
    'this Connect session has already been completed; start a new one'
  ),
  PayloadTooLarge: define(413, 'payload_too_large', 'the request body is too large'),
  UriTooLong: define(414, 'uri_too_long', 'the request URL is too long'),
  UnsupportedMediaType: define(415, 'unsupported_media_type', 'the request body must be application/json'),
  HeadersTooLarge: define(431, 'headers_too_large', 'the request headers are too large'),

  // 422
  ValidationFailed: define(422, 'validation_failed', 'the request is not valid'),
  ConnectionValidationFailed: define(422, 'connection_validation_failed', 'the connection could not be validated'),
  ConnectionInUse: define(
    422,
    'connection_in_use',
    'connection in use: it has shared copies; delete with force=true to remove them too'
  ),
  ModelInUse: define(422, 'model_in_use', 'model in use: a sync uses it; delete or change the sync first'),
  InvalidFixtures: define(422, 'invalid_fixtures', 'the fixture document is not valid'),

  // 429, 5xx
  TooManyRequests: define(429, 'too_many_requests', 'too many requests'),
  Internal: define(500, 'internal_error', 'internal server error'),
  NotImplemented: define(501, 'not_implemented', 'not implemented'),
  NotSimulated: define(501, 'not_simulated', 'this operation of the Polytomic API is not simulated'),
  BadGateway: define(502, 'bad_gateway', 'bad gateway'),
  ServiceUnavailable: define(503, 'service_unavailable', 'service unavailable'),
  QueryRunnerBusy: define(503, 'query_runner_busy', 'too many queries are waiting; try again shortly'),
  GatewayTimeout: define(504, 'gateway_timeout', 'gateway timeout')
} as const

export type ErrorName = keyof typeof Errors

/** A 422 naming the offending field, in the message and in metadata. */
export function validationError (field: string, problem: string): ApiError {
  return Errors.ValidationFailed({ message: `${field}: ${problem}`, metadata: { field, problem } })
}

/**
 * The generic error of each status: what a fault rule with a status and no body answers, and what
 * Fastify's own 4xx errors become. Each status has exactly one, chosen here, never "the first
 * entry with that status" (which made an injected 404 a route_not_found).
 */
export const GenericErrors: Readonly<Record<number, ErrorDefinition>> = {
  400: Errors.BadRequest,
  401: Errors.Unauthorized,
  403: Errors.Forbidden,
  404: Errors.NotFound,
  405: Errors.MethodNotAllowed,
  408: Errors.RequestTimeout,
  409: Errors.Conflict,
  413: Errors.PayloadTooLarge,
  414: Errors.UriTooLong,
  415: Errors.UnsupportedMediaType,
  422: Errors.ValidationFailed,
  429: Errors.TooManyRequests,
  431: Errors.HeadersTooLarge,
  500: Errors.Internal,
  501: Errors.NotImplemented,
  502: Errors.BadGateway,
  503: Errors.ServiceUnavailable,
  504: Errors.GatewayTimeout
}

/** The generic error of a status, or undefined for a status with none (a 418). */
export function errorForStatus (status: number): ErrorDefinition | undefined {
  return GenericErrors[status]
}
