import type { Infer } from '../../http/schemas/infer.js'
import type { Identity as IdentitySchema } from '../../http/schemas/organizations.js'
import { homeOrganizationId } from './access.js'
import type { OrganizationRepository } from './organizations.js'
import type { Caller } from '../types.js'
import type { UserRepository } from './users.js'

/** GET /api/me's body: the type of its schema. */
export type Identity = Infer<typeof IdentitySchema>

/**
 * Per caller kind (reference 3): a user key names the user; an organization key its organization;
 * a partner key its owner organization, or the named one when org-scoped; a deployment key the
 * named organization when org-scoped, otherwise none.
 */
export function describeCaller (
  caller: Caller,
  organizations: OrganizationRepository,
  users: UserRepository
): Identity {
  const identity: Identity = {
    is_user: caller.kind === 'user',
    is_organization: caller.kind === 'organization',
    is_partner: caller.kind === 'partner',
    is_system: caller.kind === 'deployment'
  }
  if (caller.kind === 'user') {
    const user = users.find(caller.organizationId, caller.userId)
    identity.id = user.id
    identity.email = user.email
    identity.role = user.role
  }
  const organizationId = homeOrganizationId(caller)
  const organization = organizationId === null ? undefined : organizations.find(organizationId)
  if (organization !== undefined) {
    identity.organization_id = organization.id
    identity.organization_name = organization.name
  }
  return identity
}
