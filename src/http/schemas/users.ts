import { LIMITS } from '../../core/limits.js'
import { BooleanFlag, envelopeSchema } from './common.js'

export const User = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'organization_id', 'role', 'role_ids'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    organization_id: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'user'] },
    role_ids: { type: 'array', items: { type: 'string' } }
  }
} as const

const EmailField = { type: 'string', maxLength: LIMITS.email } as const
const RoleField = { type: ['string', 'null'], maxLength: LIMITS.roleName } as const
const RoleIdsField = {
  type: ['array', 'null'],
  maxItems: LIMITS.roleIds,
  items: { type: 'string', maxLength: LIMITS.id }
} as const

/**
 * Unknown properties are stripped (additionalProperties: false with Fastify's removeAdditional), as Go's
 * decoder ignores them.
 */
export const CreateUserBody = {
  $id: 'CreateUserBody',
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: EmailField, role: RoleField, role_ids: RoleIdsField }
} as const

export const UpdateUserBody = { ...CreateUserBody, $id: 'UpdateUserBody' } as const

export const PatchUserBody = {
  $id: 'PatchUserBody',
  type: 'object',
  additionalProperties: false,
  properties: { email: EmailField, role: RoleField, role_ids: RoleIdsField }
} as const

export const CurrentOrganizationUpdateUserBody = {
  $id: 'CurrentOrganizationUpdateUserBody',
  type: 'object',
  additionalProperties: false,
  properties: { role: RoleField, role_ids: RoleIdsField }
} as const

export const ApiKeyQuery = { type: 'object', additionalProperties: false, properties: { force: BooleanFlag } } as const

export const UserEnvelope = envelopeSchema({ $ref: 'User#' })
export const UserListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'User#' } })
export const ApiKeyEnvelope = envelopeSchema({
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string' } }
})
