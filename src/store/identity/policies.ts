import type { Db } from '../db.js'
import { Errors, validationError } from '../../core/errors.js'
import { didYouMean } from '../../core/suggest.js'
import { requiredName } from '../text.js'
import { canonicalId, newId } from '../ids.js'
import { statements } from '../table.js'
import type { Statement } from 'better-sqlite3'

/**
 * What a policy can grant on a resource that names it. A request's action is its method: GET reads, DELETE
 * deletes, every other method updates (src/http/plugins/auth.ts).
 */
export const POLICY_ACTIONS = ['read', 'update', 'delete'] as const
export type PolicyActionName = (typeof POLICY_ACTIONS)[number]

/** Policies one organization may hold: one more is a 422, nothing is evicted. */
export const POLICIES_PER_ORGANIZATION = 1000

/** PolicyAction: an action and the roles it is granted to. */
export interface PolicyAction {
  action: string
  role_ids: string[]
}

/** PolicyResponse. */
export interface Policy {
  id: string
  name: string
  organization_id: string
  policy_actions: PolicyAction[]
  system: boolean
}

export interface PolicyInput {
  name?: unknown
  policy_actions?: Array<{ action: string; role_ids?: string[] }>
}

interface PolicyRow {
  id: string
  name: string
  organization_id: string
  actions: string
}

/** The tables whose rows name policies, with where each keeps them: a column, or a member of its definition. */
const NAMED_IN: ReadonlyArray<{ table: string; column: string; path: string }> = [
  { table: 'connections', column: 'policies', path: '$' },
  { table: 'models', column: 'definition', path: '$.policies' },
  { table: 'model_syncs', column: 'definition', path: '$.policies' },
  { table: 'bulk_syncs', column: 'definition', path: '$.policies' }
]

function toPolicy (row: PolicyRow): Policy {
  return {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    policy_actions: JSON.parse(row.actions) as PolicyAction[],
    system: false
  }
}

interface PolicyStatements {
  byId: Statement<[string], PolicyRow>
  byOrganization: Statement<[string], PolicyRow>
  all: Statement<[], PolicyRow>
  count: Statement<[string], { n: number }>
  nameOwner: Statement<[string, string], { id: string }>
  insert: Statement<[Record<string, unknown>]>
  update: Statement<[Record<string, unknown>]>
  remove: Statement<[string]>
  existing: Statement<[string, string], { id: string }>
  withRole: Statement<[string], PolicyRow>
  grants: Statement<[{ user: string; policies: string; action: string }], { granted: number }>
}

/**
 * Permission policies (permissions.policies.*): per organization, a name and the roles each action is
 * granted to. A connection, model or sync may name policies; a user whose roles are granted none of the
 * request's action in any of them is refused (403). Admins, and credentials that are not a user's, pass.
 */
export class PolicyRepository {
  private readonly sql: PolicyStatements
  private readonly forget: Array<Statement<[{ id: string; organization: string }]>>

  constructor (db: Db) {
    const columns = 'id, name, organization_id, actions'
    this.sql = statements<PolicyStatements>(db, {
      byId: `SELECT ${columns} FROM policies WHERE id = ?`,
      byOrganization: `SELECT ${columns} FROM policies WHERE organization_id = ? ORDER BY seq`,
      all: `SELECT ${columns} FROM policies ORDER BY seq`,
      count: 'SELECT count(*) AS n FROM policies WHERE organization_id = ?',
      nameOwner: 'SELECT id FROM policies WHERE organization_id = ? AND name_key = ?',
      insert: `INSERT INTO policies (id, organization_id, name, name_key, actions)
        VALUES (@id, @organization_id, @name, @name_key, @actions)`,
      update: 'UPDATE policies SET name = @name, name_key = @name_key, actions = @actions WHERE id = @id',
      remove: 'DELETE FROM policies WHERE id = ?',
      existing: 'SELECT id FROM policies WHERE id = ? AND organization_id = ?',
      withRole: `SELECT ${columns} FROM policies p WHERE EXISTS (SELECT 1 FROM json_each(p.actions) a,
        json_each(a.value, '$.role_ids') r WHERE r.value = ?)`,
      // Whether one of the user's roles holds the action in one of the policies (a JSON array of ids).
      grants: `SELECT EXISTS (SELECT 1 FROM policies p, json_each(p.actions) a, json_each(a.value, '$.role_ids') r
        JOIN user_roles ur ON ur.role_id = r.value
        WHERE p.id IN (SELECT value FROM json_each(@policies)) AND ur.user_id = @user
          AND json_extract(a.value, '$.action') = @action) AS granted`
    })
    this.forget = NAMED_IN.map(({ table, column, path }) => {
      const kept = `json((SELECT json_group_array(value) FROM json_each(${column}, '${path}') WHERE value <> @id))`
      const value = path === '$' ? kept : `json_set(${column}, '${path}', ${kept})`
      return db.prepare(`UPDATE ${table} SET ${column} = ${value}
        WHERE organization_id = @organization AND EXISTS (SELECT 1 FROM json_each(${column}, '${path}')
          WHERE value = @id)`)
    })
  }

  find (id: string): Policy | undefined {
    const row = this.sql.byId.get(canonicalId(id))
    return row === undefined ? undefined : toPolicy(row)
  }

  list (organizationId: string): Policy[] {
    return this.sql.byOrganization.all(organizationId).map(toPolicy)
  }

  /** Call inside a transaction. */
  create (organizationId: string, input: PolicyInput, roleExists: RoleCheck, id?: string): Policy {
    if ((this.sql.count.get(organizationId)?.n ?? 0) >= POLICIES_PER_ORGANIZATION) {
      throw validationError('name', `an organization holds at most ${POLICIES_PER_ORGANIZATION} policies`)
    }
    const checked = this.checked(organizationId, input, roleExists, null)
    const policyId = id ?? newId()
    this.sql.insert.run({ id: policyId, organization_id: organizationId, ...checked })
    return this.find(policyId) as Policy
  }

  /** PUT: a full replacement of the name and the actions. Call inside a transaction. */
  replace (existing: Policy, input: PolicyInput, roleExists: RoleCheck): Policy {
    const checked = this.checked(existing.organization_id, input, roleExists, existing.id)
    this.sql.update.run({ id: existing.id, ...checked })
    return this.find(existing.id) as Policy
  }

  /**
   * Deletes a policy and takes it out of every connection, model and sync that names it: what it alone
   * granted is gone at once. Call inside a transaction.
   */
  delete (policy: Policy): void {
    for (const statement of this.forget) statement.run({ id: policy.id, organization: policy.organization_id })
    this.sql.remove.run(policy.id)
  }

  /** A deleted role is taken out of every action of every policy that granted it one. Call inside a transaction. */
  forgetRole (roleId: string): void {
    for (const row of this.sql.withRole.all(roleId)) {
      const actions = (JSON.parse(row.actions) as PolicyAction[]).map((a) => ({
        action: a.action,
        role_ids: a.role_ids.filter((r) => r !== roleId)
      }))
      const name = { name: row.name, name_key: row.name.toLowerCase() }
      this.sql.update.run({ id: row.id, ...name, actions: JSON.stringify(actions) })
    }
  }

  /**
   * The policy ids a resource names, each one of its organization's (422 naming the field otherwise), in
   * canonical form, duplicates dropped.
   */
  requireNamed (organizationId: string, ids: readonly string[] | undefined, field = 'policies'): string[] {
    const named: string[] = []
    ;(ids ?? []).forEach((id, index) => {
      const canonical = canonicalId(id)
      if (this.sql.existing.get(canonical, organizationId) === undefined) {
        throw validationError(`${field}[${index}]`, `no policy with id ${id} in the organization`)
      }
      if (!named.includes(canonical)) named.push(canonical)
    })
    return named
  }

  /** Whether one of the user's roles is granted the action in one of the policies. */
  grants (userId: string, policies: readonly string[], action: PolicyActionName): boolean {
    return this.sql.grants.get({ user: userId, policies: JSON.stringify(policies), action })?.granted === 1
  }

  exportAll (): Policy[] {
    return this.sql.all.all().map(toPolicy)
  }

  private checked (
    organizationId: string,
    input: PolicyInput,
    roleExists: RoleCheck,
    self: string | null
  ): { name: string; name_key: string; actions: string } {
    const name = requiredName(input.name)
    const owner = this.sql.nameOwner.get(organizationId, name.toLowerCase())
    if (owner !== undefined && owner.id !== self) throw Errors.PolicyNameTaken({ metadata: { field: 'name' } })
    const seen = new Set<string>()
    const actions = (input.policy_actions ?? []).map((given, index): PolicyAction => {
      const field = `policy_actions[${index}]`
      if (!(POLICY_ACTIONS as readonly string[]).includes(given.action)) {
        throw validationError(
          `${field}.action`,
          `unknown action "${given.action}" (known: ${POLICY_ACTIONS.join(', ')})` +
            didYouMean(given.action, POLICY_ACTIONS)
        )
      }
      if (seen.has(given.action)) throw validationError(`${field}.action`, `action "${given.action}" is listed twice`)
      seen.add(given.action)
      const roles: string[] = []
      ;(given.role_ids ?? []).forEach((roleId, r) => {
        const canonical = canonicalId(roleId)
        if (!roleExists(canonical, organizationId)) {
          throw validationError(`${field}.role_ids[${r}]`, `no role with id ${roleId} in the organization`)
        }
        if (!roles.includes(canonical)) roles.push(canonical)
      })
      return { action: given.action, role_ids: roles }
    })
    return { name, name_key: name.toLowerCase(), actions: JSON.stringify(actions) }
  }
}

/**
 * The policies a resource names, checked in its organization and canonical (PolicyRepository.requireNamed); a
 * repository holds the store's (src/store/index.ts), or, alone, one that takes them as they are.
 */
export type PolicyNames = (organizationId: string, ids: readonly string[] | undefined) => string[]

export const UNCHECKED_POLICIES: PolicyNames = (_organizationId, ids) => [...(ids ?? [])]

/** Whether a role id names a role of the organization. */
export type RoleCheck = (roleId: string, organizationId: string) => boolean
