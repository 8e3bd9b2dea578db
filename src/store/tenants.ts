import { Errors } from '../core/errors.js'
import { newId, newKeyValue } from './ids.js'
import type { Store } from './index.js'

export interface Tenant {
  partner_id: string
  partner_key: string
  organization_id: string
  admin_user_id: string
  admin_user_key: string
}

/**
 * A tenant is a new partner with its own owner organization, that organization's Admin and Member
 * roles, and an admin user with a key. Partner scoping already keeps partners apart, so two
 * tenants cannot see each other through /api. Call inside a transaction.
 */
export function createTenant (store: Store, input: { name?: string } = {}): Tenant {
  const partnerId = newId()
  const organizationId = newId()
  const short = partnerId.slice(0, 8)
  const name = input.name ?? `Tenant ${short}`
  const partnerKey = newKeyValue()
  store.credentials.addPartner({ id: partnerId, name, organization_id: organizationId }, partnerKey)
  store.organizations.create(partnerId, { name: `${name} HQ` }, { id: organizationId })
  const admin = store.users.create(organizationId, { email: `admin@tenant-${short}.example`, role: 'admin' })
  const adminKey = newKeyValue()
  store.credentials.addApiKey(adminKey, organizationId, admin.id)
  return {
    partner_id: partnerId,
    partner_key: partnerKey,
    organization_id: organizationId,
    admin_user_id: admin.id,
    admin_user_key: adminKey
  }
}

/** Removes a partner and everything under it: organizations, users, roles, keys. Call inside a transaction. */
export function deleteTenant (store: Store, partnerId: string): void {
  if (store.credentials.findPartner(partnerId.toLowerCase()) === undefined) throw Errors.TenantNotFound()
  store.credentials.deletePartner(partnerId.toLowerCase())
}
