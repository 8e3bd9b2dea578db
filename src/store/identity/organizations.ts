import type { Db } from '../db.js'
import type { Statement } from 'better-sqlite3'
import { Errors, validationError } from '../../core/errors.js'
import { requiredName } from '../text.js'
import { LIMITS } from '../../core/limits.js'
import { canonicalId, newId } from '../ids.js'
import type { Organization, OrganizationRecord, OrganizationRow as StoredOrganization } from '../types.js'
import type { RoleRepository } from './roles.js'

/** What the API reads of a stored organization: its row less the OIDC client settings. */
type OrganizationRow = Omit<StoredOrganization, 'client_id' | 'client_secret'>

export interface OrganizationInput {
  name?: unknown
  sso_domain?: unknown
  sso_org_id?: unknown
  issuer?: unknown
  client_id?: unknown
  client_secret?: unknown
}

const OPTIONAL_FIELDS = ['sso_domain', 'sso_org_id', 'issuer', 'client_id', 'client_secret'] as const

const COLUMNS = 'id, partner_id, name, sso_domain, sso_org_id, issuer'

function toRecord (row: OrganizationRow): OrganizationRecord {
  const org: OrganizationRecord = { id: row.id, name: row.name, partner_id: row.partner_id }
  // Unset optional fields are omitted, never "" (Terraform would show a permanent diff; reference 2.2).
  if (row.sso_domain !== null) org.sso_domain = row.sso_domain
  if (row.sso_org_id !== null) org.sso_org_id = row.sso_org_id
  if (row.issuer !== null) org.issuer = row.issuer
  return org
}

export function publicOrganization (record: OrganizationRecord): Organization {
  const { partner_id: _partner, ...org } = record
  return org
}

function optionalText (field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw validationError(field, 'must be a string')
  const text = value.trim()
  if (text.length > LIMITS.ssoField) throw validationError(field, `must be at most ${LIMITS.ssoField} characters`)
  return text === '' ? null : text
}

export class OrganizationRepository {
  private readonly byId: Statement<[string], OrganizationRow>
  private readonly byPartner: Statement<[string], OrganizationRow>
  private readonly all: Statement<[], OrganizationRow>
  private readonly nameOwner: Statement<[string, string], { id: string }>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly update: Statement<[Record<string, unknown>]>
  private readonly remove: Statement<[string]>
  private readonly storedInput: Statement<[string], OrganizationInput>
  private readonly ownerOf: Statement<[string], { id: string }>

  constructor (
    db: Db,
    private readonly roles: RoleRepository
  ) {
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM organizations WHERE id = ?`)
    this.byPartner = db.prepare(`SELECT ${COLUMNS} FROM organizations WHERE partner_id = ? ORDER BY seq`)
    this.all = db.prepare(`SELECT ${COLUMNS} FROM organizations ORDER BY seq`)
    this.nameOwner = db.prepare("SELECT id FROM organizations WHERE coalesce(partner_id, '') = ? AND name_key = ?")
    this.insert =
      db.prepare(`INSERT INTO organizations (id, partner_id, name, name_key, sso_domain, sso_org_id, issuer,
        client_id, client_secret)
      VALUES (@id, @partner_id, @name, @name_key, @sso_domain, @sso_org_id, @issuer, @client_id, @client_secret)`)
    this.update =
      db.prepare(`UPDATE organizations SET name = @name, name_key = @name_key, sso_domain = @sso_domain, sso_org_id
        = @sso_org_id,
      issuer = @issuer, client_id = @client_id, client_secret = @client_secret WHERE id = @id`)
    this.remove = db.prepare('DELETE FROM organizations WHERE id = ?')
    this.ownerOf = db.prepare('SELECT id FROM partners WHERE organization_id = ?')
    this.storedInput = db.prepare(
      'SELECT name, sso_domain, sso_org_id, issuer, client_id, client_secret FROM organizations WHERE id = ?'
    )
  }

  /** Read on every request by the access checks; cleared by any write to organizations (Store.tableWritten). */
  private readonly cache = new Map<string, OrganizationRecord>()

  find (id: string): OrganizationRecord | undefined {
    const key = canonicalId(id)
    const cached = this.cache.get(key)
    if (cached !== undefined) return cached
    const row = this.byId.get(key)
    if (row === undefined) return undefined
    const record = toRecord(row)
    if (this.cache.size >= 10_000) this.cache.clear()
    this.cache.set(key, record)
    return record
  }

  invalidate (): void {
    this.cache.clear()
  }

  listForPartner (partnerId: string): OrganizationRecord[] {
    return this.byPartner.all(partnerId).map(toRecord)
  }

  listAll (): OrganizationRecord[] {
    return this.all.all().map(toRecord)
  }

  /**
   * Creates an organization under a partner (null: a deployment's), with its Admin and Member roles unless
   * told otherwise.
   */
  create (
    partnerId: string | null,
    input: OrganizationInput,
    options: { id?: string; systemRoles?: boolean } = {}
  ): OrganizationRecord {
    const row = this.rowFrom(input)
    const id = options.id ?? newId()
    this.assertNameFree(partnerId, row.name_key as string, null)
    this.insert.run({ ...row, id, partner_id: partnerId })
    if (options.systemRoles !== false) this.roles.ensureSystemRoles(id)
    return this.find(id) as OrganizationRecord
  }

  /** mode "replace" (PUT): SSO/OIDC settings not given are cleared. mode "merge" (PATCH): they are kept. */
  updateOrganization (
    existing: OrganizationRecord,
    input: OrganizationInput,
    mode: 'replace' | 'merge'
  ): OrganizationRecord {
    let merged: OrganizationInput = input
    if (mode === 'merge') {
      merged = { ...this.storedInput.get(existing.id) }
      for (const [field, value] of Object.entries(input)) {
        if (value !== undefined) merged[field as keyof OrganizationInput] = value
      }
    }
    const row = this.rowFrom(merged)
    this.assertNameFree(existing.partner_id, row.name_key as string, existing.id)
    this.update.run({ ...row, id: existing.id })
    this.cache.delete(existing.id)
    return this.find(existing.id) as OrganizationRecord
  }

  isOwnerOrganization (id: string): boolean {
    return this.ownerOf.get(id) !== undefined
  }

  /** Deletes the organization with its users, roles and API keys (foreign key cascades). Call inside a transaction. */
  delete (id: string): void {
    this.remove.run(id)
    this.cache.delete(id)
  }

  private rowFrom (input: OrganizationInput): Record<string, unknown> {
    const name = requiredName(input.name)
    const row: Record<string, unknown> = { name, name_key: name.toLowerCase() }
    for (const field of OPTIONAL_FIELDS) row[field] = optionalText(field, input[field])
    return row
  }

  private assertNameFree (partnerId: string | null, nameKey: string, self: string | null): void {
    const owner = this.nameOwner.get(partnerId ?? '', nameKey)
    if (owner !== undefined && owner.id !== self) throw Errors.OrganizationNameTaken({ metadata: { field: 'name' } })
  }
}
