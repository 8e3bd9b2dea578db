/** Schemas of the /__admin control plane. */
import { BooleanFlag } from './common.js'
import { SUPPORTED_VERSIONS } from '../../core/versions.js'
import { EVENT_TYPES } from './events.js'

const SnapshotName = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' } as const

/** What an /__admin route that takes no query, or no body, accepts: nothing (an empty object, or no body at all). */
export const NoQuery = { type: 'object', additionalProperties: false, properties: {} } as const
export const NoBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const

export const SnapshotBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: SnapshotName }
} as const

export const SnapshotParams = {
  type: 'object',
  required: ['name'],
  properties: { name: SnapshotName }
} as const

export const TenantBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } }
} as const

/** GET /__admin/openapi.json?version=: the document of one version (the default version's without it). */
export const OpenApiQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'string', enum: [...SUPPORTED_VERSIONS] } }
} as const

export const ExportQuery = { type: 'object', additionalProperties: false, properties: { redact: BooleanFlag } } as const

export const JournalQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', maxLength: 16 },
    path: { type: 'string', maxLength: 2048 },
    status: { type: 'string', pattern: '^[1-5][0-9][0-9]$' },
    partner_id: { type: 'string', maxLength: 64 },
    organization_id: { type: 'string', maxLength: 64 },
    touches: { type: 'string', minLength: 1, maxLength: 64 },
    since: { type: 'string', format: 'date-time' },
    after: { type: 'string', pattern: '^[0-9]{1,15}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,7}$' }
  }
} as const

/** GET /__admin/requests/stream: the journal's filter, and the id after which to start (default: now). */
export const StreamQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: JournalQuery.properties.method,
    path: JournalQuery.properties.path,
    status: JournalQuery.properties.status,
    partner_id: JournalQuery.properties.partner_id,
    organization_id: JournalQuery.properties.organization_id,
    touches: JournalQuery.properties.touches,
    after: JournalQuery.properties.after
  }
} as const

/** sim.executions(filter): the same filter in-process, its limit a number. */
export const ExecutionFilterShape = {
  type: 'object',
  additionalProperties: false,
  properties: {
    organization_id: { type: 'string', maxLength: 64 },
    sync_id: { type: 'string', maxLength: 64 },
    status: { type: 'string', enum: ['created', 'running', 'canceling', 'completed', 'failed', 'canceled'] },
    limit: { type: 'integer', minimum: 0, maximum: 9999 }
  }
} as const

/** GET /__admin/executions: runs of an organization, a sync, or in a status. */
export const ExecutionListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    organization_id: { type: 'string', maxLength: 64 },
    sync_id: { type: 'string', maxLength: 64 },
    status: { type: 'string', enum: ['created', 'running', 'canceling', 'completed', 'failed', 'canceled'] },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' }
  }
} as const

export const FaultBody = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['status'] }, { required: ['delay_ms'] }],
  properties: {
    method: {
      type: 'string',
      enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'get', 'post', 'put', 'patch', 'delete']
    },
    path: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^/' },
    partner_id: { type: 'string', maxLength: 64 },
    status: { type: 'integer', minimum: 200, maximum: 599 },
    body: {},
    headers: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 4096 } },
    delay_ms: { type: 'integer', minimum: 0, maximum: 600000 },
    times: { type: 'integer', minimum: 1 },
    probability: { type: 'number', minimum: 0, maximum: 1 }
  }
} as const

export const IdParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } }
} as const

export const PartnerIdParam = {
  type: 'object',
  required: ['partner_id'],
  properties: { partner_id: { type: 'string', maxLength: 64 } }
} as const

/** POST /__admin/connection-checks: make the simulated connection check fail for a type and/or a name pattern. */
export const ConnectionCheckBody = {
  type: 'object',
  additionalProperties: false,
  required: ['message'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    message: { type: 'string', minLength: 1, maxLength: 2048 },
    times: { type: 'integer', minimum: 1 }
  }
} as const

export const ConnectTokenParam = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', maxLength: 64 } }
} as const

/** POST /__admin/connect/:token/complete: what the customer would enter in the Connect form. */
export const ConnectCompleteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['configuration'],
  properties: {
    type: { type: 'string', maxLength: 64 },
    configuration: { type: 'object', maxProperties: 200 }
  }
} as const

/** POST /__admin/events: an event for an organization; fields of the payload left out are filled in. */
export const EmitEventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['organization_id', 'type'],
  properties: {
    organization_id: { type: 'string', maxLength: 64 },
    type: { type: 'string', enum: EVENT_TYPES },
    event: { type: 'object', maxProperties: 100 }
  }
} as const

/** POST /__admin/delivery-faults: what happens to the next matching deliveries. */
export const DeliveryFaultBody = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { type: 'string', enum: ['drop', 'duplicate', 'delay', 'reorder'] },
    organization_id: { type: 'string', maxLength: 64 },
    event_type: { type: 'string', enum: EVENT_TYPES },
    /** delay: how long the delivery waits; reorder: the longest it is held back for a later one. */
    delay_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    times: { type: 'integer', minimum: 1 },
    probability: { type: 'number', minimum: 0, maximum: 1 }
  },
  if: { properties: { action: { const: 'delay' } } },
  then: { required: ['delay_ms'] }
} as const

export const DeliveryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    organization_id: { type: 'string', maxLength: 64 },
    event_id: { type: 'string', maxLength: 64 },
    webhook_id: { type: 'string', maxLength: 64 },
    limit: { type: 'string', pattern: '^[0-9]{1,7}$' }
  }
} as const

export const NotificationQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    organization_id: { type: 'string', maxLength: 64 },
    kind: { type: 'string', enum: ['sync_failed', 'logs_exported'] },
    limit: { type: 'string', pattern: '^[0-9]{1,7}$' }
  }
} as const

/** POST /__admin/deliveries/settle (the body is optional). */
export const SettleBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    timeout_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    fast_forward: { type: 'boolean' },
    /** Wait only for this organization's deliveries, or only for this partner's. */
    organization_id: { type: 'string', maxLength: 64 },
    partner_id: { type: 'string', maxLength: 64 },
    /** A 409 (deliveries_unsettled) instead of settled: false when the bound runs out. */
    fail_if_unsettled: { type: 'boolean' }
  }
} as const

/** POST /__admin/clock: move simulated time forward. */
export const ClockBody = {
  type: 'object',
  additionalProperties: false,
  required: ['advance_s'],
  properties: { advance_s: { type: 'number', minimum: 0, maximum: 10 * 365 * 86400 } }
} as const

/** How a sync run ends: as a rule decides it at start, or as POST /__admin/executions/:id/advance names it. */
export const EXECUTION_OUTCOMES = ['complete', 'fail', 'complete_with_errors', 'hang'] as const

/** POST /__admin/executions (and /__admin/execution-rules): how the next matching runs end. */
export const ExecutionRuleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome'],
  properties: {
    outcome: { type: 'string', enum: EXECUTION_OUTCOMES },
    /** A bulk sync's or a model sync's id; every sync when left out. */
    sync_id: { type: 'string', maxLength: 64 },
    kind: { type: 'string', enum: ['bulk', 'model'] },
    /** The failure's message (fail) or the first error's (complete_with_errors). */
    message: { type: 'string', minLength: 1, maxLength: 2048 },
    record_count: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    error_count: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    times: { type: 'integer', minimum: 1 }
  }
} as const

/** POST /__admin/executions/:id/advance: its next state, or a named one (the body is optional). */
export const AdvanceExecutionBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      enum: ['running', 'hanging', 'completed', 'completed_with_errors', 'failed', 'canceled']
    },
    message: { type: 'string', minLength: 1, maxLength: 2048 }
  }
} as const
