import { Errors } from '../errors.js'
import { partnerEndpointsArePartnerOnly, type ApiVersion } from '../versions.js'
import type { OrganizationRepository } from './organizations.js'
import type { UserRepository } from './users.js'
import type { Caller, OrganizationRecord } from './types.js'

/**
 * Who may act where. Checks run in a fixed order so that an organization out of reach always reads
 * as 404: credentials (401, in the auth hook), kind of credential for the version (403), reach
 * (404), then the user's role (403).
 */
export class AccessPolicy {
  constructor (private readonly organizations: OrganizationRepository, private readonly users: UserRepository) {}

  canReach (caller: Caller, organization: OrganizationRecord): boolean {
    switch (caller.kind) {
      case 'user':
      case 'organization':
        return organization.id === caller.organizationId
      case 'partner':
        return organization.partner_id === caller.partnerId &&
          (caller.scopedOrganizationId === null || caller.scopedOrganizationId === organization.id)
      case 'deployment':
        return caller.scopedOrganizationId === null || caller.scopedOrganizationId === organization.id
    }
  }

  /** The organization, if the caller can see it; unknown and out-of-reach are the same 404. */
  reachableOrganization (caller: Caller, organizationId: string): OrganizationRecord {
    const organization = this.organizations.find(organizationId)
    if (organization === undefined || !this.canReach(caller, organization)) throw Errors.OrganizationNotFound()
    return organization
  }

  /**
   * /api/organizations/:org_id/users*: partner and deployment keys; up to 2024-02-08 also an admin
   * user key or an organization key of that organization itself (reference 5.3).
   */
  organizationForUserManagement (caller: Caller, organizationId: string, version: ApiVersion): OrganizationRecord {
    const isApiKey = caller.kind === 'user' || caller.kind === 'organization'
    if (isApiKey && partnerEndpointsArePartnerOnly(version)) throw Errors.PartnerKeyRequired()
    const organization = this.reachableOrganization(caller, organizationId)
    this.requireAdmin(caller)
    return organization
  }

  /** Organization keys count as admin; a user key needs the Admin role. */
  requireAdmin (caller: Caller): void {
    if (caller.kind === 'user' && !this.users.isAdmin(caller.userId)) throw Errors.AdminRoleRequired()
  }
}
