import { Errors, type ErrorDefinition } from '../../core/errors.js'
import { partnerEndpointsArePartnerOnly, type ApiVersion } from '../../core/versions.js'
import type { Entity, EntityResolver } from '../entities.js'
import type { OrganizationRepository } from './organizations.js'
import type { RoleRepository } from './roles.js'
import type { UserRepository } from './users.js'
import type { ConnectionRepository, StoredConnection } from '../connections/connections.js'
import type { StoredWebhook, WebhookRepository } from '../events/webhooks.js'
import type { Caller, OrganizationRecord, Role } from '../types.js'
import type { BulkSyncRepository, StoredBulkSync } from '../syncs/bulk-syncs.js'
import type { ModelSyncRepository, StoredModelSync } from '../syncs/model-syncs.js'
import type { ModelRepository, StoredModel } from '../syncs/models.js'
import type { Policy, PolicyRepository } from './policies.js'

/** The repositories of syncs and models, as reach checks look things up. */
export interface SyncLookups {
  readonly bulkSyncs: Pick<BulkSyncRepository, 'find'>
  readonly modelSyncs: Pick<ModelSyncRepository, 'find'>
  readonly models: Pick<ModelRepository, 'find'>
  readonly entities: Pick<EntityResolver, 'resolve'>
}

function isApiKey (caller: Caller): boolean {
  return caller.kind === 'user' || caller.kind === 'organization'
}

/**
 * The organization a credential is bound to: its own for API keys, the named one for Basic
 * org-scoped keys, none for an unscoped partner or deployment key.
 */
export function boundOrganizationId (caller: Caller): string | null {
  switch (caller.kind) {
    case 'user':
    case 'organization':
      return caller.organizationId
    case 'partner':
    case 'deployment':
      return caller.scopedOrganizationId
  }
}

/**
 * The organization a credential speaks for on its own (GET /api/me): the bound one, else a partner's owner
 * organization.
 */
export function homeOrganizationId (caller: Caller): string | null {
  return boundOrganizationId(caller) ?? (caller.kind === 'partner' ? caller.ownerOrganizationId : null)
}

/** The partner and organization a request acts for, as the journal and fault rules see it. */
export interface ActingFor {
  partnerId: string | null
  organizationId: string | null
}

/**
 * Who may act where. Checks run in a fixed order so that an organization out of reach always reads
 * as 404: credentials (401, in the auth hook), kind of credential for the version (403), reach
 * (404), then the user's role (403).
 */
export class AccessPolicy {
  constructor (
    private readonly organizations: OrganizationRepository,
    private readonly users: UserRepository,
    private readonly roles: RoleRepository,
    private readonly connections: ConnectionRepository,
    private readonly webhooks: WebhookRepository,
    private readonly syncs: SyncLookups,
    private readonly policies: PolicyRepository
  ) {}

  /**
   * The partner and organization a request is attributed to (the journal, fault rules): the caller's
   * own reach, never the target's. The organization named in the path when the caller can reach it,
   * else the one its credential is bound to; the caller's partner (a user's or organization key's is
   * its organization's), else, for a deployment key, the reached organization's. A request without
   * a caller (refused before auth), or one aimed out of reach, is never attributed to the target.
   */
  actingFor (caller: Caller | null, pathOrganizationId: string | null): ActingFor {
    if (caller === null) return { partnerId: null, organizationId: null }
    const target = pathOrganizationId === null ? undefined : this.organizations.find(pathOrganizationId)
    const reached = target !== undefined && this.canReach(caller, target) ? target : undefined
    const organizationId = reached?.id ?? boundOrganizationId(caller)
    switch (caller.kind) {
      case 'partner':
        return { partnerId: caller.partnerId, organizationId }
      case 'user':
      case 'organization':
        return { partnerId: this.organizations.find(caller.organizationId)?.partner_id ?? null, organizationId }
      case 'deployment': {
        const organization = organizationId === null ? undefined : (reached ?? this.organizations.find(organizationId))
        return { partnerId: organization?.partner_id ?? null, organizationId }
      }
    }
  }

  canReach (caller: Caller, organization: OrganizationRecord): boolean {
    switch (caller.kind) {
      case 'user':
      case 'organization':
        return organization.id === caller.organizationId
      case 'partner':
        return (
          organization.partner_id === caller.partnerId &&
          (caller.scopedOrganizationId === null || caller.scopedOrganizationId === organization.id)
        )
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

  /** Every organization the caller can see: a partner's owner organization first, then creation order. */
  reachableOrganizations (caller: Caller): OrganizationRecord[] {
    const bound = boundOrganizationId(caller)
    if (bound !== null) {
      const organization = this.organizations.find(bound)
      return organization === undefined ? [] : [organization]
    }
    if (caller.kind === 'partner') {
      const all = this.organizations.listForPartner(caller.partnerId)
      return [
        ...all.filter((o) => o.id === caller.ownerOrganizationId),
        ...all.filter((o) => o.id !== caller.ownerOrganizationId)
      ]
    }
    return this.organizations.listAll()
  }

  /**
   * /api/organizations/:org_id/users*: partner and deployment keys; up to 2024-02-08 also an admin
   * user key or an organization key of that organization itself (reference 5.3).
   */
  organizationForUserManagement (caller: Caller, organizationId: string, version: ApiVersion): OrganizationRecord {
    this.requirePartnerEndpointKind(caller, version)
    const organization = this.reachableOrganization(caller, organizationId)
    this.requireAdmin(caller)
    return organization
  }

  /** GET /api/organizations[/:id]: API keys see their own organization up to 2024-02-08; partner-only in 2025-09-18. */
  requirePartnerEndpointKind (caller: Caller, version: ApiVersion): void {
    if (isApiKey(caller) && partnerEndpointsArePartnerOnly(version)) throw Errors.PartnerKeyRequired()
  }

  /** Creating, updating and deleting organizations: partner and deployment keys only. */
  requirePartnerOrDeployment (caller: Caller): void {
    if (isApiKey(caller)) throw Errors.PartnerKeyRequired()
  }

  /**
   * A new organization belongs to the caller's partner (null: a deployment's). Scoped credentials act inside
   * one organization only.
   */
  partnerForNewOrganization (caller: Caller): string | null {
    this.requirePartnerOrDeployment(caller)
    if (boundOrganizationId(caller) !== null) throw Errors.UnscopedKeyRequired()
    return caller.kind === 'partner' ? caller.partnerId : null
  }

  /** A partner's owner organization can never be deleted through the API. */
  organizationToDelete (caller: Caller, organizationId: string): OrganizationRecord {
    this.requirePartnerOrDeployment(caller)
    const organization = this.reachableOrganization(caller, organizationId)
    if (this.organizations.isOwnerOrganization(organization.id)) throw Errors.OwnerOrganizationProtected()
    return organization
  }

  /**
   * /api/organization* (2025-09-18): the caller's own organization. User and organization keys, or
   * Basic org-scoped keys; an unscoped partner or deployment key is 403.
   */
  currentOrganization (caller: Caller): OrganizationRecord {
    const bound = boundOrganizationId(caller)
    if (bound === null) throw Errors.ApiKeyRequired()
    return this.reachableOrganization(caller, bound)
  }

  /**
   * /api/permissions/roles: the caller's organization. Bound credentials use theirs (another
   * organization_id is 404); an unscoped partner or deployment key must name one (400).
   */
  organizationForRoles (caller: Caller, organizationId: string | undefined): OrganizationRecord {
    const bound = boundOrganizationId(caller)
    if (bound === null && organizationId === undefined) throw Errors.OrganizationIdRequired()
    if (bound !== null && organizationId !== undefined && organizationId.toLowerCase() !== bound) {
      throw Errors.OrganizationNotFound()
    }
    return this.reachableOrganization(caller, bound ?? (organizationId as string))
  }

  /** A new role's organization: the caller's (see organizationForRoles), and only an admin creates. */
  organizationForNewRole (caller: Caller, organizationId: string | undefined): OrganizationRecord {
    const organization = this.organizationForRoles(caller, organizationId)
    this.requireAdmin(caller)
    return organization
  }

  /**
   * A role to rename or delete: within reach, and only an admin changes it. Roles do not move
   * between organizations, so a body naming another organization_id does not hold this role (404).
   */
  roleToChange (caller: Caller, roleId: string, organizationId?: string): Role {
    const role = this.reachableRole(caller, roleId)
    if (organizationId !== undefined && organizationId.toLowerCase() !== role.organization_id) {
      throw Errors.RoleNotFound()
    }
    this.requireAdmin(caller)
    return role
  }

  /** /api/organization/users*: the caller's own organization; changes need an admin. */
  currentOrganizationForUsers (caller: Caller, write: boolean): OrganizationRecord {
    const organization = this.currentOrganization(caller)
    if (write) this.requireAdmin(caller)
    return organization
  }

  /** A role by id, if its organization is within reach; otherwise the same 404 as a missing one. */
  reachableRole (caller: Caller, roleId: string): Role {
    const role = this.roles.find(roleId)
    const organization = role === undefined ? undefined : this.organizations.find(role.organization_id)
    if (role === undefined || organization === undefined || !this.canReach(caller, organization)) {
      throw Errors.RoleNotFound()
    }
    return role
  }

  /**
   * The organization a request that may name one acts in (connections, webhooks, events): a bound
   * credential's own (another organization_id is 404); for an unscoped partner key the named one,
   * else its owner organization; an unscoped deployment key must name one (400).
   */
  organizationToActIn (caller: Caller, organizationId: string | null | undefined): OrganizationRecord {
    const bound = boundOrganizationId(caller)
    const named =
      organizationId === null || organizationId === undefined || organizationId === '' ? undefined : organizationId
    if (bound !== null) {
      if (named !== undefined && named.toLowerCase() !== bound) throw Errors.OrganizationNotFound()
      return this.reachableOrganization(caller, bound)
    }
    if (named !== undefined) return this.reachableOrganization(caller, named)
    if (caller.kind === 'partner') return this.reachableOrganization(caller, caller.ownerOrganizationId)
    throw Errors.OrganizationIdRequired()
  }

  /**
   * A connection by id, if its organization is within reach; otherwise the same 404 as a missing
   * one. A body naming another organization_id does not hold it either (404).
   */
  reachableConnection (caller: Caller, connectionId: string, organizationId?: string | null): StoredConnection {
    const found = this.connections.find(connectionId)
    const connection = this.reachable(caller, found, Errors.ConnectionNotFound, organizationId)
    return this.permitted(caller, connection, connection.policies)
  }

  /**
   * A connection to share, or to list the shared copies of: partner and deployment keys only (403
   * for API keys), the parent within reach. The child organization is checked by reachableOrganization.
   */
  sharedParent (caller: Caller, parentId: string): StoredConnection {
    this.requirePartnerOrDeployment(caller)
    return this.reachableConnection(caller, parentId)
  }

  /**
   * /api/organizations/:org_id/connections/:connection_id/shared (2025-09-18): the connection must belong to
   * that organization.
   */
  organizationConnection (caller: Caller, organizationId: string, connectionId: string): StoredConnection {
    this.requirePartnerOrDeployment(caller)
    const organization = this.reachableOrganization(caller, organizationId)
    return this.reachableConnection(caller, connectionId, organization.id)
  }

  /**
   * GET /api/webhooks: the organizations whose webhooks a caller lists. One named (or a bound
   * credential's own); otherwise every organization within reach (the SDK's list takes no query).
   */
  organizationsForWebhookList (caller: Caller, organizationId: string | undefined): OrganizationRecord[] {
    if (organizationId !== undefined || boundOrganizationId(caller) !== null) {
      return [this.organizationToActIn(caller, organizationId)]
    }
    return this.reachableOrganizations(caller)
  }

  /**
   * A webhook by id, if its organization is within reach (else the same 404 as a missing one); a body naming
   * another organization does not hold it.
   */
  reachableWebhook (caller: Caller, webhookId: string, organizationId?: string | null): StoredWebhook {
    return this.reachable(caller, this.webhooks.find(webhookId), Errors.WebhookNotFound, organizationId)
  }

  /**
   * A bulk sync, model sync or model by id, if its organization is within reach (else the same 404 as a
   * missing one).
   */
  reachableBulkSync (caller: Caller, id: string, organizationId?: string | null): StoredBulkSync {
    const sync = this.reachable(caller, this.syncs.bulkSyncs.find(id), Errors.BulkSyncNotFound, organizationId)
    return this.permitted(caller, sync, sync.definition.policies)
  }

  reachableModelSync (caller: Caller, id: string, organizationId?: string | null): StoredModelSync {
    const sync = this.reachable(caller, this.syncs.modelSyncs.find(id), Errors.ModelSyncNotFound, organizationId)
    return this.permitted(caller, sync, sync.definition.policies)
  }

  reachableModel (caller: Caller, id: string, organizationId?: string | null): StoredModel {
    const model = this.reachable(caller, this.syncs.models.find(id), Errors.ModelNotFound, organizationId)
    return this.permitted(caller, model, model.definition.policies)
  }

  /**
   * An organization's own settings (/api/permissions/policies, /api/notifications/...): the caller's organization,
   * as for roles (organizationForRoles); changes need an admin.
   */
  organizationToConfigure (caller: Caller, organizationId: string | undefined, write = false): OrganizationRecord {
    const organization = this.organizationForRoles(caller, organizationId)
    if (write) this.requireAdmin(caller)
    return organization
  }

  /** A policy by id, within reach (else the same 404 as a missing one); a change needs an admin. */
  reachablePolicy (caller: Caller, id: string, write = false, organizationId?: string): Policy {
    const policy = this.reachable(caller, this.policies.find(id), Errors.PolicyNotFound, organizationId)
    if (write) this.requireAdmin(caller)
    return policy
  }

  /**
   * A resource that names policies is open to a user only for the actions one of the user's roles is granted
   * in one of them (403 otherwise); one that names none, and an admin, and any other credential, pass.
   */
  private permitted<T> (caller: Caller, item: T, policies: readonly string[] | undefined): T {
    if (caller.kind !== 'user' || policies === undefined || policies.length === 0) return item
    if (this.users.isAdmin(caller.userId)) return item
    const action = caller.action ?? 'read'
    if (!this.policies.grants(caller.userId, policies, action)) {
      throw Errors.PolicyDenied({ metadata: { action, policies: [...policies] } })
    }
    return item
  }

  /**
   * GET /api/entities/:id (2025-09-18): an id of the caller's own organization, which a credential bound to
   * one has; anything else is the same 404.
   */
  ownEntity (caller: Caller, id: string): Entity {
    const organization = this.currentOrganization(caller)
    const entity = this.syncs.entities.resolve(id)
    if (entity === undefined || entity.organization_id !== organization.id) throw Errors.EntityNotFound()
    return entity
  }

  /** GET /api/organizations/entities/:id (2025-09-18): an id of any organization a partner (or deployment) reaches. */
  partnerEntity (caller: Caller, id: string, version: ApiVersion): Entity {
    this.requirePartnerEndpointKind(caller, version)
    const entity = this.syncs.entities.resolve(id)
    if (entity === undefined || !this.canSeeOrganization(caller, entity.organization_id)) throw Errors.EntityNotFound()
    return entity
  }

  /** Whether the caller can see an organization by id (an unknown one: no). */
  canSeeOrganization (caller: Caller, organizationId: string): boolean {
    const organization = this.organizations.find(organizationId)
    return organization !== undefined && this.canReach(caller, organization)
  }

  /**
   * Something that belongs to an organization, if that organization is within the caller's reach;
   * otherwise (or when missing, or when organizationId names another organization) the same 404.
   */
  private reachable<T extends { organization_id: string }>(
    caller: Caller,
    item: T | undefined,
    notFound: ErrorDefinition,
    organizationId?: string | null
  ): T {
    const organization = item === undefined ? undefined : this.organizations.find(item.organization_id)
    if (item === undefined || organization === undefined || !this.canReach(caller, organization)) throw notFound()
    if (
      organizationId !== undefined &&
      organizationId !== null &&
      organizationId !== '' &&
      organizationId.toLowerCase() !== item.organization_id
    ) {
      throw notFound()
    }
    return item
  }

  /** Organization keys and partner or deployment keys count as admin; a user key needs the Admin role. */
  requireAdmin (caller: Caller): void {
    if (caller.kind === 'user' && !this.users.isAdmin(caller.userId)) throw Errors.AdminRoleRequired()
  }
}
