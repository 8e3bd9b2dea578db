/**
 * The fixture document: a contract users write against. Optional fields may be added; existing
 * ones are never renamed. Every top-level key is optional.
 */
import type { Infer } from './infer.js'
import { ConnectionTypeDefinition } from './connections.js'
import { EVENT_TYPES } from './events.js'
import { LIMITS } from '../limits.js'

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
  properties: { key: Key, key_sha256: { type: 'string', pattern: SHA256_PATTERN }, organization_id: Uuid, user_id: Uuid }
} as const

/** A connection of its own (type and configuration), or a shared copy of another (parent_connection_id, which follows its parent). */
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

export const FixtureDocument = {
  $id: 'FixtureDocument',
  type: 'object',
  additionalProperties: false,
  properties: {
    deployment_keys: { type: 'array', items: Key },
    partners: { type: 'array', items: FixturePartnerSchema },
    organizations: { type: 'array', items: FixtureOrganizationSchema },
    roles: { type: 'array', items: FixtureRoleSchema },
    users: { type: 'array', items: FixtureUserSchema },
    api_keys: { type: 'array', items: FixtureApiKeySchema },
    connection_types: { type: 'array', items: ConnectionTypeDefinition },
    connections: { type: 'array', items: FixtureConnectionSchema },
    webhooks: { type: 'array', items: FixtureWebhookSchema },
    events: { type: 'array', items: FixtureEventSchema }
  }
} as const

export type FixturePartner = Infer<typeof FixturePartnerSchema>
export type FixtureOrganization = Infer<typeof FixtureOrganizationSchema>
export type FixtureRole = Infer<typeof FixtureRoleSchema>
export type FixtureUser = Infer<typeof FixtureUserSchema>
export type FixtureApiKey = Infer<typeof FixtureApiKeySchema>
export type FixtureConnection = Infer<typeof FixtureConnectionSchema>
export type FixtureWebhook = Infer<typeof FixtureWebhookSchema>
export type FixtureEvent = Infer<typeof FixtureEventSchema>
export type Fixtures = Infer<typeof FixtureDocument>
