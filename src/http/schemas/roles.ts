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
