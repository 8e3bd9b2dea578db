/**
 * The fixture document: a contract users write against. Optional fields may be added; existing
 * ones are never renamed. Every top-level key is optional.
 */
import type { Infer } from './infer.js'
import { ConnectionTypeDefinition } from './connections.js'
import { EVENT_TYPES } from './events.js'
import {
  CreateBulkSyncBody,
  SCHEDULE_SYNC_MODES,
  JOB_TYPES,
  QUERY_JOB_TYPE,
  ModelBody,
  ModelSyncBody,
  BulkScheduleBody,
  SchemaConfigurationShape
} from './syncs.js'
import { LIMITS } from '../../core/limits.js'
import { CatalogShape, CatalogStructureShape, SchemaOverridesShape } from './catalogs.js'

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
export const SHA256_PATTERN = '^[0-9a-f]{64}$'
const Uuid = { type: 'string', pattern: UUID_PATTERN } as const
const Key = { type: 'string', minLength: 1, maxLength: 512 } as const
const OptionalText = { type: ['string', 'null'] } as const

const FixturePartnerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'key', 'organization_id'],
  properties: { id: Uuid, name: { type: 'string', minLength: 1 }, key: Key, organization_id: Uuid }
} as const

const FixtureOrganizationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: Uuid,
    name: { type: 'string' },
    partner_id: { type: ['string', 'null'], pattern: UUID_PATTERN },
    sso_domain: OptionalText,
    sso_org_id: OptionalText,
    issuer: OptionalText,
    client_id: OptionalText,
    client_secret: OptionalText
  }
} as const

const FixtureRoleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'name'],
  properties: { id: Uuid, organization_id: Uuid, name: { type: 'string' }, system: { type: 'boolean' } }
} as const

const FixturePolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'name'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    name: { type: 'string' },
    policy_actions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: { action: { type: 'string' }, role_ids: { type: 'array', items: { type: 'string' } } }
      }
    }
  }
} as const

/** An organization's global error subscribers (notifications.setGlobalErrorSubscribers). */
const FixtureErrorSubscribersSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['organization_id', 'emails'],
  properties: { organization_id: Uuid, emails: { type: 'array', items: { type: 'string' } } }
} as const

const FixtureUserSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'email'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    email: { type: 'string' },
    role: { type: 'string' },
    role_ids: { type: 'array', items: { type: 'string' } }
  }
} as const

/** A key minted through the API exists only as a digest: exports give `key_sha256` instead of `key`. */
const FixtureApiKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['organization_id'],
  properties: {
    key: Key,
    key_sha256: { type: 'string', pattern: SHA256_PATTERN },
    organization_id: Uuid,
    user_id: Uuid
  }
} as const

/**
 * A connection of its own (type and configuration), or a shared copy of another (parent_connection_id, which
 * follows its parent).
 */
const FixtureConnectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'name'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    name: { type: 'string' },
    type: { type: 'string' },
    configuration: { type: 'object' },
    parent_connection_id: Uuid,
    policies: { type: 'array', items: { type: 'string' } },
    healthcheck_interval: { type: 'string' },
    status: { type: 'string', enum: ['healthy', 'unhealthy'] },
    status_error: { type: 'string' },
    catalog: CatalogShape,
    cached_catalog: CatalogStructureShape,
    schema_overrides: SchemaOverridesShape,
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' }
  }
} as const

/** An organization's webhook (one per organization). */
const FixtureWebhookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'endpoint', 'secret'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    endpoint: { type: 'string', minLength: 1, maxLength: LIMITS.url },
    secret: { type: 'string', minLength: 1, maxLength: 1024 },
    disabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' }
  }
} as const

/** An event of the log: loaded as history (never delivered); its payload is checked against its type. */
const FixtureEventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'type', 'created_at'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    type: { type: 'string', enum: EVENT_TYPES },
    created_at: { type: 'string', format: 'date-time' },
    event: { type: 'object' }
  }
} as const

const Stamps = {
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' }
} as const

/** A model: its fields as the API takes them. */
const FixtureModelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'name', 'connection_id', 'configuration'],
  properties: {
    ...ModelBody.properties,
    id: Uuid,
    organization_id: Uuid,
    connection_id: Uuid,
    version: { type: 'integer', minimum: 1 },
    ...Stamps
  }
} as const

/** A model sync: its fields as the API takes them. */
const FixtureModelSyncSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', ...ModelSyncBody.required],
  properties: { ...ModelSyncBody.properties, id: Uuid, organization_id: Uuid, ...Stamps }
} as const

/** A bulk sync with its schemas (each a SchemaConfiguration, output_name optional) and its additional schedules. */
const FixtureBulkSyncSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', ...CreateBulkSyncBody.required],
  properties: {
    ...CreateBulkSyncBody.properties,
    id: Uuid,
    organization_id: Uuid,
    schemas: {
      type: 'array',
      maxItems: 2000,
      items: {
        anyOf: [
          { type: 'string', maxLength: 255 },
          {
            ...SchemaConfigurationShape,
            properties: { ...SchemaConfigurationShape.properties, output_name: { type: 'string', maxLength: 255 } }
          }
        ]
      }
    },
    schedules: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'schedule'],
        properties: {
          id: Uuid,
          schedule: {
            ...BulkScheduleBody.properties.schedule,
            properties: {
              ...BulkScheduleBody.properties.schedule.properties,
              // What only 2025-09-18's additional_schedules set.
              syncMode: { type: 'string', enum: SCHEDULE_SYNC_MODES },
              schemas: { type: 'array', maxItems: 2000, items: { type: 'string', maxLength: 255 } }
            }
          }
        }
      }
    },
    ...Stamps
  }
} as const

/** A run of a bulk or model sync (sync_id names either): history, or a run the simulator picks up where it is. */
const FixtureExecutionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'sync_id', 'status', 'created_at'],
  properties: {
    id: Uuid,
    sync_id: Uuid,
    status: { type: 'string', enum: ['created', 'running', 'canceling', 'completed', 'failed', 'canceled'] },
    status_message: { type: 'string', maxLength: 2048 },
    trigger: { type: 'string', enum: ['manual', 'schedule'] },
    is_test: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    started_at: { type: 'string', format: 'date-time' },
    completed_at: { type: 'string', format: 'date-time' },
    record_count: { type: 'integer', minimum: 0 },
    error_count: { type: 'integer', minimum: 0 },
    inserted_count: { type: 'integer', minimum: 0 },
    schemas: {
      type: 'array',
      maxItems: 2000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['schema'],
        properties: {
          schema: { type: 'string', maxLength: 255 },
          output_name: { type: 'string', maxLength: 255 },
          record_count: { type: 'integer', minimum: 0 },
          error_count: { type: 'integer', minimum: 0 },
          canceled: { type: 'boolean' }
        }
      }
    },
    /** Its console log, oldest first; without one, the lines of the states it has been through. */
    console_log: {
      type: 'array',
      maxItems: 100_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'level', 'message', 'timestamp'],
        properties: {
          id: { type: 'string', pattern: '^[0-9]{1,15}-[0-9]{1,9}$' },
          level: { type: 'string', enum: ['info', 'warn', 'error'] },
          message: { type: 'string', maxLength: 4096 },
          payload: { type: 'object' },
          timestamp: { type: 'string', format: 'date-time' }
        }
      }
    }
  }
} as const

/** An asynchronous job (GET /api/jobs/:type/:id). */
const FixtureJobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'organization_id', 'type', 'status', 'created_at'],
  properties: {
    id: Uuid,
    organization_id: Uuid,
    type: { type: 'string', enum: [...JOB_TYPES, QUERY_JOB_TYPE] },
    status: { type: 'string', enum: ['created', 'running', 'done', 'failed'] },
    result: {},
    error: { type: 'string', maxLength: 2048 },
    created_at: { type: 'string', format: 'date-time' }
  }
} as const

export const FixtureDocument = {
  $id: 'FixtureDocument',
  type: 'object',
  additionalProperties: false,
  properties: {
    deployment_keys: { type: 'array', items: Key },
    partners: { type: 'array', items: FixturePartnerSchema },
    organizations: { type: 'array', items: FixtureOrganizationSchema },
    roles: { type: 'array', items: FixtureRoleSchema },
    policies: { type: 'array', items: FixturePolicySchema },
    users: { type: 'array', items: FixtureUserSchema },
    error_subscribers: { type: 'array', items: FixtureErrorSubscribersSchema },
    api_keys: { type: 'array', items: FixtureApiKeySchema },
    connection_types: { type: 'array', items: ConnectionTypeDefinition },
    connections: { type: 'array', items: FixtureConnectionSchema },
    webhooks: { type: 'array', items: FixtureWebhookSchema },
    events: { type: 'array', items: FixtureEventSchema },
    models: { type: 'array', items: FixtureModelSchema },
    model_syncs: { type: 'array', items: FixtureModelSyncSchema },
    bulk_syncs: { type: 'array', items: FixtureBulkSyncSchema },
    executions: { type: 'array', items: FixtureExecutionSchema },
    jobs: { type: 'array', items: FixtureJobSchema }
  }
} as const

/**
 * The document's own shape: known collections, each an array (src/store/fixtures.ts checks their entries one
 * collection at a time).
 */
export const FixtureDocumentShape = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.keys(FixtureDocument.properties).map((name) => [name, { type: 'array' }]))
}

export type FixturePartner = Infer<typeof FixturePartnerSchema>
export type FixtureOrganization = Infer<typeof FixtureOrganizationSchema>
export type FixtureRole = Infer<typeof FixtureRoleSchema>
export type FixtureUser = Infer<typeof FixtureUserSchema>
export type FixturePolicy = Infer<typeof FixturePolicySchema>
export type FixtureErrorSubscribers = Infer<typeof FixtureErrorSubscribersSchema>
export type FixtureApiKey = Infer<typeof FixtureApiKeySchema>
export type FixtureConnection = Infer<typeof FixtureConnectionSchema>
export type FixtureWebhook = Infer<typeof FixtureWebhookSchema>
export type FixtureEvent = Infer<typeof FixtureEventSchema>
export type FixtureModel = Infer<typeof FixtureModelSchema>
export type FixtureModelSync = Infer<typeof FixtureModelSyncSchema>
export type FixtureBulkSync = Infer<typeof FixtureBulkSyncSchema>
export type FixtureExecution = Infer<typeof FixtureExecutionSchema>
export type FixtureJob = Infer<typeof FixtureJobSchema>
export type Fixtures = Infer<typeof FixtureDocument>
