import type { FixtureOrganization, FixturePartner } from '../http/schemas/fixtures.js'
import type { Infer } from '../http/schemas/infer.js'
import type { Organization as OrganizationSchema } from '../http/schemas/organizations.js'
import type { Role as RoleSchema } from '../http/schemas/roles.js'
import type { User as UserSchema } from '../http/schemas/users.js'

/** Shapes the store hands to routes, in the API's field names: the types of the response schemas. */
export type Organization = Infer<typeof OrganizationSchema>
export type User = Infer<typeof UserSchema>
export type Role = Infer<typeof RoleSchema>

/** An organization with what only the simulator knows about it. */
export type OrganizationRecord = Organization & { partner_id: string | null }

/** An organization's stored row: every field of a fixture organization, null where unset. */
export type OrganizationRow = Required<FixtureOrganization>

import type { PolicyActionName } from './identity/policies.js'

export type LegacyRole = User['role']

export type RoleKind = 'admin' | 'member' | 'custom'

export type Partner = Omit<FixturePartner, 'key'>

/** Who is calling, resolved from the Authorization header. */
export type Caller =
  | {
    kind: 'user'
    keyHash: string
    organizationId: string
    userId: string
    /** What the request does to the resource it names, for the policies that resource names (GET reads...). */
    action?: PolicyActionName
  }
  | { kind: 'organization'; keyHash: string; organizationId: string }
  | {
    kind: 'partner'
    keyHash: string
    partnerId: string
    ownerOrganizationId: string
    scopedOrganizationId: string | null
  }
  | { kind: 'deployment'; keyHash: string; scopedOrganizationId: string | null }

export type CallerKind = Caller['kind']
