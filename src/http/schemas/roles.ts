import { LIMITS } from '../../core/limits.js'
import { envelopeSchema } from './common.js'

export const Role = {
  $id: 'Role',
  type: 'object',
  required: ['id', 'name', 'organization_id', 'system'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    organization_id: { type: 'string' },
    system: { type: 'boolean' }
  }
} as const

export const RoleBody = {
  $id: 'RoleBody',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: LIMITS.name },
    organization_id: { type: 'string', maxLength: LIMITS.id }
  }
} as const

export const RoleListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { organization_id: { type: 'string', maxLength: LIMITS.id } }
} as const

export const RoleEnvelope = envelopeSchema({ $ref: 'Role#' })
export const RoleListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Role#' } })

/** PolicyAction: an action (read, update or delete) and the roles it is granted to. */
const PolicyActionShape = {
  type: 'object',
  required: ['action'],
  properties: {
    action: { type: 'string', maxLength: 64 },
    role_ids: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: LIMITS.id } }
  }
} as const

export const Policy = {
  $id: 'Policy',
  type: 'object',
  required: ['id', 'name', 'organization_id', 'policy_actions', 'system'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    organization_id: { type: 'string' },
    policy_actions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['action', 'role_ids'],
        properties: { action: { type: 'string' }, role_ids: { type: 'array', items: { type: 'string' } } }
      }
    },
    system: { type: 'boolean' }
  }
} as const

/** CreatePolicyRequest and UpdatePolicyRequest are the same: an update replaces the name and every action. */
export const PolicyBody = {
  $id: 'PolicyBody',
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: LIMITS.name },
    organization_id: { type: 'string', maxLength: LIMITS.id },
    policy_actions: { type: 'array', maxItems: 16, items: PolicyActionShape }
  }
} as const

export const PolicyEnvelope = envelopeSchema({ $ref: 'Policy#' })
export const PolicyListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Policy#' } })
