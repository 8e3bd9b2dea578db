import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { Errors, validationError } from '../../core/errors.js'
import { requiredName } from '../text.js'
import { canonicalId, newId, systemRoleId } from '../ids.js'
import type { Role, RoleKind } from '../types.js'
import type { PolicyRepository } from './policies.js'

interface RoleRow {
  id: string
  name: string
  organization_id: string
  kind: RoleKind
}

const SYSTEM_ROLES: ReadonlyArray<{ kind: 'admin' | 'member'; name: string }> = [
  { kind: 'admin', name: 'Admin' },
  { kind: 'member', name: 'Member' }
]

function toRole (row: RoleRow): Role {
  return { id: row.id, name: row.name, organization_id: row.organization_id, system: row.kind !== 'custom' }
}

export class RoleRepository {
  private readonly byId: Statement<[string], RoleRow>
  private readonly byKind: Statement<[string, string], { id: string }>
  private readonly byOrganization: Statement<[string], RoleRow>
  private readonly nameOwner: Statement<[string, string], { id: string }>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly rename: Statement<[string, string, string]>
  private readonly remove: Statement<[string]>
  private readonly orphanedUsers: Statement<[string], { user_id: string }>
  private readonly assign: Statement<[string, string, number]>

  constructor (db: Db, private readonly policies: Pick<PolicyRepository, 'forgetRole'>) {
    this.byId = db.prepare('SELECT id, name, organization_id, kind FROM roles WHERE id = ?')
    this.byKind = db.prepare('SELECT id FROM roles WHERE organization_id = ? AND kind = ?')
    this.byOrganization = db.prepare(`SELECT id, name, organization_id, kind FROM roles WHERE organization_id = ?
      ORDER BY CASE kind WHEN 'admin' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, seq`)
    this.nameOwner = db.prepare('SELECT id FROM roles WHERE organization_id = ? AND name_key = ?')
    this.insert = db.prepare(
      `INSERT INTO roles (id, organization_id, name, name_key, kind) VALUES (@id, @organization_id, @name,
        @name_key, @kind)`
    )
    this.rename = db.prepare('UPDATE roles SET name = ?, name_key = ? WHERE id = ?')
    this.remove = db.prepare('DELETE FROM roles WHERE id = ?')
    // Users whose only role is the one being deleted: they fall back to Member.
    this.orphanedUsers = db.prepare(`SELECT ur.user_id FROM user_roles ur WHERE ur.role_id = ?
      AND NOT EXISTS (SELECT 1 FROM user_roles o WHERE o.user_id = ur.user_id AND o.role_id <> ur.role_id)`)
    this.assign = db.prepare('INSERT INTO user_roles (user_id, role_id, position) VALUES (?, ?, ?)')
  }

  find (id: string): Role | undefined {
    const row = this.byId.get(canonicalId(id))
    return row === undefined ? undefined : toRole(row)
  }

  list (organizationId: string): Role[] {
    return this.byOrganization.all(organizationId).map(toRole)
  }

  /**
   * System role ids never change while their organization lives; cleared by any write to roles
   * (Store.tableWritten).
   */
  private readonly systemRoleIds = new Map<string, string>()

  systemRole (organizationId: string, kind: 'admin' | 'member'): string {
    const cacheKey = `${organizationId}:${kind}`
    const cached = this.systemRoleIds.get(cacheKey)
    if (cached !== undefined) return cached
    const row = this.byKind.get(organizationId, kind)
    if (row === undefined) throw Errors.Internal({ message: `organization ${organizationId} has no ${kind} role` })
    if (this.systemRoleIds.size >= 10_000) this.systemRoleIds.clear()
    this.systemRoleIds.set(cacheKey, row.id)
    return row.id
  }

  invalidate (): void {
    this.systemRoleIds.clear()
  }

  /** Creates Admin and Member where the organization lacks them, with ids derived from its id. */
  ensureSystemRoles (organizationId: string): void {
    for (const { kind, name } of SYSTEM_ROLES) {
      if (this.byKind.get(organizationId, kind) !== undefined) continue
      this.insertRole(organizationId, name, kind, systemRoleId(organizationId, kind))
    }
  }

  create (organizationId: string, input: { name?: unknown }, options: { id?: string; kind?: RoleKind } = {}): Role {
    const name = requiredName(input.name)
    const kind = options.kind ?? 'custom'
    if (kind !== 'custom' && name !== SYSTEM_ROLES.find((r) => r.kind === kind)?.name) {
      throw validationError('name', 'a system role must be named Admin or Member')
    }
    return this.insertRole(organizationId, name, kind, options.id ?? newId())
  }

  updateName (role: Role, input: { name?: unknown }): Role {
    if (role.system) throw Errors.SystemRoleProtected()
    const name = requiredName(input.name)
    const owner = this.nameOwner.get(role.organization_id, name.toLowerCase())
    if (owner !== undefined && owner.id !== role.id) throw Errors.RoleNameTaken({ metadata: { field: 'name' } })
    this.rename.run(name, name.toLowerCase(), role.id)
    return this.find(role.id) as Role
  }

  /**
   * Deletes a custom role; users it leaves with no role fall back to Member, and policies no longer grant it
   * anything. Call inside a transaction.
   */
  delete (role: Role): void {
    if (role.system) throw Errors.SystemRoleProtected()
    this.policies.forgetRole(role.id)
    const orphans = this.orphanedUsers.all(role.id)
    this.remove.run(role.id)
    const member = this.systemRole(role.organization_id, 'member')
    for (const { user_id: userId } of orphans) this.assign.run(userId, member, 0)
  }

  private insertRole (organizationId: string, name: string, kind: RoleKind, id: string): Role {
    if (this.nameOwner.get(organizationId, name.toLowerCase()) !== undefined) {
      throw Errors.RoleNameTaken({ metadata: { field: 'name' } })
    }
    this.insert.run({ id, organization_id: organizationId, name, name_key: name.toLowerCase(), kind })
    return this.find(id) as Role
  }
}
