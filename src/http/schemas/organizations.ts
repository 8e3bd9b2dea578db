import { LIMITS } from '../../core/limits.js'
import { envelopeSchema } from './common.js'

export const Organization = {
  $id: 'Organization',
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    sso_domain: { type: 'string' },
    sso_org_id: { type: 'string' },
    issuer: { type: 'string' }
  }
} as const

const Text = { type: ['string', 'null'], maxLength: LIMITS.ssoField } as const
const fields = {
  name: { type: 'string', maxLength: LIMITS.name },
  sso_domain: Text,
  sso_org_id: Text,
  issuer: Text,
  client_id: Text,
  client_secret: Text
} as const

export const CreateOrganizationBody = {
  $id: 'CreateOrganizationBody',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: fields
} as const

export const UpdateOrganizationBody = { ...CreateOrganizationBody, $id: 'UpdateOrganizationBody' } as const

export const PatchOrganizationBody = {
  $id: 'PatchOrganizationBody',
  type: 'object',
  additionalProperties: false,
  properties: fields
} as const

export const OrganizationEnvelope = envelopeSchema({ $ref: 'Organization#' })
export const OrganizationListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Organization#' } })

/** GET /api/me (reference 3). */
export const Identity = {
  $id: 'Identity',
  type: 'object',
  required: ['is_user', 'is_organization', 'is_partner', 'is_system'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    organization_id: { type: 'string' },
    organization_name: { type: 'string' },
    is_user: { type: 'boolean' },
    is_organization: { type: 'boolean' },
    is_partner: { type: 'boolean' },
    is_system: { type: 'boolean' }
  }
} as const

export const IdentityEnvelope = envelopeSchema({ $ref: 'Identity#' })

const Str = { type: 'string' } as const
const Related = { type: 'object', required: ['id', 'path'], properties: { id: Str, path: Str } } as const

/**
 * EntityResponse (2025-09-18): what an id names, where it lives (canonical_path), what it belongs to
 * (relationships) and, for a bulk run, its schemas (context.schema_ids).
 */
export const EntityEnvelope = envelopeSchema({
  type: 'object',
  required: ['id', 'type', 'canonical_path', 'relationships'],
  properties: {
    id: Str,
    type: {
      type: 'string',
      enum: [
        'organization',
        'user',
        'connection',
        'model',
        'sync',
        'sync_execution',
        'bulk_sync',
        'bulk_sync_execution'
      ]
    },
    canonical_path: Str,
    organization_id: Str,
    relationships: { type: 'object', additionalProperties: Related },
    context: { type: 'object', properties: { schema_ids: { type: 'array', items: Str } } }
  }
})

export const EntityParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200 } }
} as const
