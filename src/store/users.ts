import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'
import { Errors, validationError } from '../errors.js'
import { canonicalId, newId } from './ids.js'
import type { RoleRepository } from './roles.js'
import type { LegacyRole, User } from './types.js'

interface UserRow {
  id: string
  email: string
  organization_id: string
  role_ids: string
  is_admin: number
}

export interface UserInput {
  email?: unknown
  role?: unknown
  role_ids?: unknown
}

const MAX_EMAIL = 254
// Deliberately loose: one @, no spaces, a dot in the domain.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const SELECT_USER = `SELECT u.id, u.email, u.organization_id,
  (SELECT json_group_array(role_id) FROM (SELECT role_id FROM user_roles WHERE user_id = u.id ORDER BY position)) AS role_ids,
  EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.kind = 'admin') AS is_admin
  FROM users u`

function toUser (row: UserRow): User {
  // The legacy role is derived from role_ids, so the two can never disagree: admin means "has the Admin role".
  return { id: row.id, email: row.email, organization_id: row.organization_id, role: row.is_admin === 1 ? 'admin' : 'user', role_ids: JSON.parse(row.role_ids) as string[] }
}

export function normalizeEmail (value: unknown): string {
  if (value === undefined || value === null) throw validationError('email', 'is required')
  if (typeof value !== 'string') throw validationError('email', 'must be a string')
  const email = value.trim().toLowerCase()
  if (email === '') throw validationError('email', 'is required')
  if (email.length > MAX_EMAIL || !EMAIL_RE.test(email)) throw validationError('email', 'must be an email address')
  return email
}

function normalizeLegacyRole (value: unknown): LegacyRole {
  if (typeof value !== 'string') throw validationError('role', 'must be a string')
  const role = value.trim().toLowerCase()
  if (role !== 'admin' && role !== 'user') throw validationError('role', 'must be one of admin, user')
  return role
}

export class UserRepository {
  private readonly byId: Statement<[string], UserRow>
  private readonly byOrganization: Statement<[string], UserRow>
  private readonly emailOwner: Statement<[string, string], { id: string }>
  private readonly insert: Statement<[string, string, string]>
  private readonly remove: Statement<[string]>
  private readonly clearRoles: Statement<[string]>
  private readonly assign: Statement<[string, string, number]>
  private readonly isAdminStatement: Statement<[string], { is_admin: number }>

  constructor (db: Db, private readonly roles: RoleRepository) {
    this.byId = db.prepare(`${SELECT_USER} WHERE u.id = ?`)
    this.byOrganization = db.prepare(`${SELECT_USER} WHERE u.organization_id = ? ORDER BY u.seq`)
    this.emailOwner = db.prepare('SELECT id FROM users WHERE organization_id = ? AND email = ?')
    this.insert = db.prepare('INSERT INTO users (id, organization_id, email) VALUES (?, ?, ?)')
    this.remove = db.prepare('DELETE FROM users WHERE id = ?')
    this.clearRoles = db.prepare('DELETE FROM user_roles WHERE user_id = ?')
    this.assign = db.prepare('INSERT INTO user_roles (user_id, role_id, position) VALUES (?, ?, ?)')
    this.isAdminStatement = db.prepare(`SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
      WHERE ur.user_id = ? AND r.kind = 'admin') AS is_admin`)
  }

  list (organizationId: string): User[] {
    return this.byOrganization.all(organizationId).map(toUser)
  }

  /** A user of that organization; a user of another organization is as unknown as a missing one. */
  find (organizationId: string, id: string): User {
    const row = this.byId.get(canonicalId(id))
    if (row === undefined || row.organization_id !== organizationId) throw Errors.UserNotFound()
    return toUser(row)
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
    this.writeRoles(id, roleIds)
    return this.find(organizationId, id)
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
