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
