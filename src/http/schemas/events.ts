/** Schemas of webhooks and events (partner-surface reference 4 and 5). */
import { LIMITS } from '../../core/limits.js'
import { envelopeSchema, Text, Id } from './common.js'
import type { Infer } from './infer.js'

const Count = { type: 'integer', minimum: 0, maximum: 1e12 } as const
const TextList = { type: 'array', maxItems: 1000, items: Text(LIMITS.url) } as const

/** ExecutionStatus of the SDK. */
export const EXECUTION_STATUSES = [
  'created',
  'scheduled',
  'queued',
  'waiting',
  'running',
  'processing',
  'canceling',
  'canceled',
  'completed',
  'failed',
  'interrupted'
] as const

/** What every model-sync event (sync.*) carries. */
const syncFields = {
  execution_id: Id,
  organization_id: Id,
  sync_id: Id,
  sync_name: Text(LIMITS.name),
  target_connection_id: Id
} as const
/** What every bulk-sync event (bulk_sync.*) carries. */
const bulkFields = {
  execution_id: Id,
  organization_id: Id,
  sync_id: Id,
  sync_name: Text(LIMITS.name),
  source_connection_id: Id,
  destination_connection_id: Id
} as const
const Status = { type: 'string', enum: EXECUTION_STATUSES } as const

/**
 * The ten event types (GET /api/events_types, in the order the docs list them) and the fields of
 * each payload, from the SDK's *Event types. Note completed_with_errors (model) against
 * completed_with_error (bulk): both are spelled as Polytomic spells them.
 */
export const EVENT_PAYLOAD_FIELDS = {
  'sync.running': syncFields,
  'sync.failed': { ...syncFields, error: Text(LIMITS.configurationValue) },
  'sync.canceled': { ...syncFields, status: Status },
  'sync.completed': {
    ...syncFields,
    status: Status,
    trigger: Text(64),
    record_count: Count,
    inserted_count: Count,
    updated_count: Count,
    upserted_count: Count,
    error_count: Count,
    warning_count: Count,
    warnings: TextList,
    total_records: TextList,
    inserted_records: TextList,
    updated_records: TextList,
    deleted_records: TextList,
    errored_records: TextList
  },
  'sync.completed_with_errors': {
    ...syncFields,
    error: Text(LIMITS.configurationValue),
    number_of_errors: Count,
    number_of_warnings: Count
  },
  'bulk_sync.running': bulkFields,
  'bulk_sync.completed': { ...bulkFields, trigger_source: Text(64) },
  'bulk_sync.canceled': bulkFields,
  'bulk_sync.failed': { ...bulkFields, error: Text(LIMITS.configurationValue), trigger_source: Text(64) },
  'bulk_sync.completed_with_error': { ...bulkFields, trigger_source: Text(64) }
} as const

export type EventType = keyof typeof EVENT_PAYLOAD_FIELDS
export const EVENT_TYPES = Object.keys(EVENT_PAYLOAD_FIELDS) as EventType[]

/** The JSON Schema of one type's payload, as POST /__admin/events checks it: known fields only. */
export function eventPayloadSchema (type: EventType): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties: EVENT_PAYLOAD_FIELDS[type] }
}

// Requests

const Endpoint = { type: 'string', minLength: 1, maxLength: LIMITS.url } as const
const Secret = { type: 'string', minLength: 1, maxLength: 1024 } as const

/** CreateWebhooksSchema and UpdateWebhooksSchema are the same: an update replaces both fields. */
export const WebhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint', 'secret'],
  properties: {
    endpoint: Endpoint,
    secret: Secret,
    organization_id: { type: ['string', 'null'], maxLength: LIMITS.id }
  }
} as const

export const WebhookListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { organization_id: Id }
} as const

export const EventListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    organization_id: Id,
    type: Text(64),
    /** The SDK's method docs call it event_type; taken as the same filter. */
    event_type: Text(64),
    starting_after: Text(64),
    ending_before: Text(64),
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' }
  }
} as const

export type WebhookInput = Infer<typeof WebhookBody>
export type EventListInput = Infer<typeof EventListQuery>

// Responses

export const Webhook = {
  $id: 'Webhook',
  type: 'object',
  required: ['id', 'organization_id', 'endpoint', 'secret', 'disabled', 'created_at'],
  properties: {
    id: { type: 'string' },
    organization_id: { type: 'string' },
    endpoint: { type: 'string' },
    secret: { type: 'string' },
    disabled: { type: 'boolean' },
    created_at: { type: 'string' }
  }
} as const

export const Event = {
  $id: 'Event',
  type: 'object',
  required: ['id', 'type', 'organization_id', 'created_at', 'event'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    organization_id: { type: 'string' },
    created_at: { type: 'string' },
    event: { type: 'object', additionalProperties: true }
  }
} as const

export const WebhookEnvelope = envelopeSchema({ $ref: 'Webhook#' })
export const WebhookListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Webhook#' } })
export const EventListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Event#' } })
export const EventTypesEnvelope = envelopeSchema({ type: 'array', items: { type: 'string' } })

/** GlobalErrorSubscribersResponse (V4GlobalErrorSubscribersResponse in SDK 1.18.1). */
export const ErrorSubscribers = {
  type: 'object',
  required: ['emails'],
  properties: { emails: { type: 'array', items: { type: 'string' } } }
} as const

/** The subscribers replace the list; an empty list unsubscribes everyone. */
export const ErrorSubscribersBody = {
  type: 'object',
  properties: {
    emails: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: LIMITS.email } },
    organization_id: { type: 'string', maxLength: LIMITS.id }
  }
} as const
