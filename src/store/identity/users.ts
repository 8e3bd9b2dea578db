import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { Errors, validationError } from '../../core/errors.js'
import { canonicalId, newId } from '../ids.js'
import { LIMITS } from '../../core/limits.js'
import type { RoleRepository } from './roles.js'
import type { LegacyRole, User } from '../types.js'

export interface UserInput {
  email?: unknown
  role?: unknown
  role_ids?: unknown
}

// Deliberately loose: one @, no spaces, a dot in the domain.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

interface RoleLink {
  role_id: string
  kind: string
}

export function normalizeEmail (value: unknown, field = 'email'): string {
  if (value === undefined || value === null) throw validationError(field, 'is required')
  if (typeof value !== 'string') throw validationError(field, 'must be a string')
  const email = value.trim().toLowerCase()
  if (email === '') throw validationError(field, 'is required')
  if (email.length > LIMITS.email) throw validationError(field, `must be at most ${LIMITS.email} characters`)
  if (!EMAIL_RE.test(email)) throw validationError(field, 'must be an email address')
  return email
}

function normalizeLegacyRole (value: unknown): LegacyRole {
  if (typeof value !== 'string') throw validationError('role', 'must be a string')
  const role = value.trim().toLowerCase()
  if (role !== 'admin' && role !== 'user') throw validationError('role', 'must be one of admin, user')
  return role
}

export class UserRepository {
  private readonly plainById: Statement<[string], { id: string; email: string; organization_id: string }>
  private readonly rolesOf: Statement<[string], RoleLink>
  private readonly byOrganization: Statement<[string], { id: string; email: string; organization_id: string }>
  private readonly roleLinksOfOrganization: Statement<[string], RoleLink & { user_id: string }>
  private readonly emailOwner: Statement<[string, string], { id: string }>
  private readonly insert: Statement<[string, string, string]>
  private readonly remove: Statement<[string]>
  private readonly clearRoles: Statement<[string]>
  private readonly assign: Statement<[string, string, number]>
  private readonly isAdminStatement: Statement<[string], { is_admin: number }>

  constructor (
    db: Db,
    private readonly roles: RoleRepository
  ) {
    this.plainById = db.prepare('SELECT id, email, organization_id FROM users WHERE id = ?')
    this.rolesOf = db.prepare(
      `SELECT ur.role_id, r.kind FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ? ORDER
        BY ur.position`
    )
    this.byOrganization = db.prepare(
      'SELECT id, email, organization_id FROM users WHERE organization_id = ? ORDER BY seq'
    )
    this.roleLinksOfOrganization =
      db.prepare(`SELECT ur.user_id, ur.role_id, r.kind FROM roles r JOIN user_roles ur ON ur.role_id = r.id
      WHERE r.organization_id = ? ORDER BY ur.user_id, ur.position`)
    this.emailOwner = db.prepare('SELECT id FROM users WHERE organization_id = ? AND email = ?')
    this.insert = db.prepare('INSERT INTO users (id, organization_id, email) VALUES (?, ?, ?)')
    this.remove = db.prepare('DELETE FROM users WHERE id = ?')
    this.clearRoles = db.prepare('DELETE FROM user_roles WHERE user_id = ?')
    this.assign = db.prepare('INSERT INTO user_roles (user_id, role_id, position) VALUES (?, ?, ?)')
    this.isAdminStatement = db.prepare(`SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
      WHERE ur.user_id = ? AND r.kind = 'admin') AS is_admin`)
  }

  /** Two queries for the whole organization (users, then every role link), put together here. */
  list (organizationId: string): User[] {
    const users = new Map<string, User>()
    for (const row of this.byOrganization.all(organizationId)) {
      users.set(row.id, {
        id: row.id,
        email: row.email,
        organization_id: row.organization_id,
        role: 'user',
        role_ids: []
      })
    }
    for (const link of this.roleLinksOfOrganization.all(organizationId)) {
      const user = users.get(link.user_id)
      if (user === undefined) continue
      user.role_ids.push(link.role_id)
      if (link.kind === 'admin') user.role = 'admin'
    }
    return [...users.values()]
  }

  /** A user of that organization; a user of another organization is as unknown as a missing one. */
  find (organizationId: string, id: string): User {
    // Two plain lookups beat one query that builds JSON: this is the hottest read there is.
    const row = this.plainById.get(canonicalId(id))
    if (row === undefined || row.organization_id !== organizationId) throw Errors.UserNotFound()
    const links = this.rolesOf.all(row.id)
    let admin = false
    const roleIds: string[] = []
    for (const link of links) {
      roleIds.push(link.role_id)
      if (link.kind === 'admin') admin = true
    }
    return {
      id: row.id,
      email: row.email,
      organization_id: row.organization_id,
      role: admin ? 'admin' : 'user',
      role_ids: roleIds
    }
  }

  isAdmin (userId: string): boolean {
    return this.isAdminStatement.get(userId)?.is_admin === 1
  }

  /** Call inside a transaction: it writes the user and its roles. */
  create (organizationId: string, input: UserInput, options: { id?: string } = {}): User {
    const email = normalizeEmail(input.email)
    const roleIds = this.resolveRoles(organizationId, input) ?? [this.roles.systemRole(organizationId, 'member')]
    if (this.emailOwner.get(organizationId, email) !== undefined) {
      throw validationError('email', 'a user with this email already exists in the organization')
    }
    const id = options.id ?? newId()
    this.insert.run(id, organizationId, email)
    roleIds.forEach((roleId, position) => this.assign.run(id, roleId, position))
    // Everything is known: no need to read the user back.
    const admin = this.roles.systemRole(organizationId, 'admin')
    return {
      id,
      email,
      organization_id: organizationId,
      role: roleIds.includes(admin) ? 'admin' : 'user',
      role_ids: roleIds
    }
  }

  /**
   * Only roles change; the email is never updated (reference 1.5). "replace" (partner PUT) requires
   * the email and resets roles to Member when none are given; "replace-roles" (current-organization
   * PUT) does the same without an email; "merge" (PATCH) keeps what is omitted.
   */
  update (user: User, input: UserInput, mode: 'replace' | 'replace-roles' | 'merge'): User {
    if (mode === 'replace' || (mode === 'merge' && input.email !== undefined)) normalizeEmail(input.email)
    const roleIds = this.resolveRoles(user.organization_id, input)
    if (roleIds !== undefined) this.writeRoles(user.id, roleIds)
    else if (mode !== 'merge') this.writeRoles(user.id, [this.roles.systemRole(user.organization_id, 'member')])
    return this.find(user.organization_id, user.id)
  }

  /** Removes the user; its API keys go with it (foreign key cascade). */
  delete (user: User): void {
    this.remove.run(user.id)
  }

  /** The role ids the input asks for, or undefined when it names none. */
  private resolveRoles (organizationId: string, input: UserInput): string[] | undefined {
    const hasRole = input.role !== undefined && input.role !== null
    const hasRoleIds = input.role_ids !== undefined && input.role_ids !== null
    if (hasRole && hasRoleIds) throw validationError('role', 'send either role or role_ids, not both')
    if (hasRole) {
      return [this.roles.systemRole(organizationId, normalizeLegacyRole(input.role) === 'admin' ? 'admin' : 'member')]
    }
    if (!hasRoleIds) return undefined
    if (!Array.isArray(input.role_ids)) throw validationError('role_ids', 'must be an array of role ids')
    if (input.role_ids.length === 0) throw validationError('role_ids', 'must contain at least one role id')
    const ids: string[] = []
    input.role_ids.forEach((value: unknown, index: number) => {
      if (typeof value !== 'string') throw validationError(`role_ids[${index}]`, 'must be a string')
      const role = this.roles.find(value)
      if (role === undefined || role.organization_id !== organizationId) {
        throw validationError(`role_ids[${index}]`, 'is not a role of this organization')
      }
      if (!ids.includes(role.id)) ids.push(role.id)
    })
    return ids
  }

  private writeRoles (userId: string, roleIds: string[]): void {
    this.clearRoles.run(userId)
    roleIds.forEach((roleId, position) => this.assign.run(userId, roleId, position))
  }
}
