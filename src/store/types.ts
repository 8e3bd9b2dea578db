/** Shapes the store hands to routes: already in the API's field names. */

export interface Organization {
  id: string
  name: string
  sso_domain?: string
  sso_org_id?: string
  issuer?: string
}

/** An organization with what only the simulator knows about it. */
export interface OrganizationRecord extends Organization {
  partner_id: string | null
}

export type LegacyRole = 'admin' | 'user'

export interface User {
  id: string
  email: string
  organization_id: string
  role: LegacyRole
  role_ids: string[]
}

export type RoleKind = 'admin' | 'member' | 'custom'

export interface Role {
  id: string
  name: string
  organization_id: string
  system: boolean
}

export interface Partner {
  id: string
  name: string
  organization_id: string
}

/** Who is calling, resolved from the Authorization header. */
export type Caller =
  | { kind: 'user', keyHash: string, organizationId: string, userId: string }
  | { kind: 'organization', keyHash: string, organizationId: string }
  | { kind: 'partner', keyHash: string, partnerId: string, ownerOrganizationId: string, scopedOrganizationId: string | null }
  | { kind: 'deployment', keyHash: string, scopedOrganizationId: string | null }

export type CallerKind = Caller['kind']
