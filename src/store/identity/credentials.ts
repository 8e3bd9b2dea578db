import { timingSafeEqual } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import { statements } from '../table.js'
import type { Db } from '../db.js'
import { Errors } from '../../core/errors.js'
import { canonicalId, hashKey, isUuid, newKeyValue } from '../ids.js'
import type { Caller, Partner } from '../types.js'

interface KeyRow {
  key_hash: string
  organization_id: string
  user_id: string | null
}
interface PartnerRow {
  id: string
  name: string
  key_hash: string
  organization_id: string
}

/** Compares two hex digests in constant time (the lookup itself is by digest, never by secret). */
function sameDigest (a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

interface CredentialStatements {
  apiKeyByHash: Statement<[string], KeyRow>
  partnerByHash: Statement<[string], PartnerRow>
  partnerById: Statement<[string], PartnerRow>
  deploymentByHash: Statement<[string], { key_hash: string }>
  organizationPartner: Statement<[string], { partner_id: string | null }>
  insertApiKey: Statement<[string, string | null, string, string | null]>
  insertPartner: Statement<[string, string, string, string | null, string]>
  insertDeploymentKey: Statement<[string, string | null]>
  revokeUserKeys: Statement<[string]>
  removePartner: Statement<[string]>
  anyKeyHash: Statement<[string, string, string], { found: number }>
}

/**
 * API keys, partner keys and deployment keys. Secrets are stored as SHA-256 digests; the value is
 * kept only for keys that came from fixtures, so that an export can give them back.
 */
export class CredentialRepository {
  private readonly sql: CredentialStatements

  /**
   * Resolved callers by the digest of what was presented, so that a key seen before costs one hash
   * and no query. Only hits are cached, and the whole cache is dropped by any write to a table of
   * credentials or organizations (Store.tableWritten, cascades included), so a revoked or deleted
   * credential is never served from it.
   */
  private readonly cache = new Map<string, Caller>()
  private static readonly CACHE_LIMIT = 10_000

  constructor (db: Db) {
    this.sql = statements<CredentialStatements>(db, {
      apiKeyByHash: 'SELECT key_hash, organization_id, user_id FROM api_keys WHERE key_hash = ?',
      partnerByHash: 'SELECT id, name, key_hash, organization_id FROM partners WHERE key_hash = ?',
      partnerById: 'SELECT id, name, key_hash, organization_id FROM partners WHERE id = ?',
      deploymentByHash: 'SELECT key_hash FROM deployment_keys WHERE key_hash = ?',
      organizationPartner: 'SELECT partner_id FROM organizations WHERE id = ?',
      insertApiKey: 'INSERT INTO api_keys (key_hash, key, organization_id, user_id) VALUES (?, ?, ?, ?)',
      insertPartner: 'INSERT INTO partners (id, name, key_hash, key, organization_id) VALUES (?, ?, ?, ?, ?)',
      insertDeploymentKey: 'INSERT INTO deployment_keys (key_hash, key) VALUES (?, ?)',
      removePartner: 'DELETE FROM partners WHERE id = ?',
      revokeUserKeys: 'DELETE FROM api_keys WHERE user_id = ?',
      anyKeyHash: `SELECT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = ?)
        OR EXISTS (SELECT 1 FROM partners WHERE key_hash = ?) OR EXISTS (SELECT 1 FROM deployment_keys WHERE
          key_hash = ?) AS found`
    })
  }

  /** `Authorization: Bearer <key>`: a user, organization, partner or deployment key. */
  resolveBearer (key: string): Caller | null {
    if (key === '') return null
    const hash = hashKey(key)
    const cached = this.cache.get(hash)
    if (cached !== undefined) return cached
    const caller = this.lookup(hash)
    if (caller !== null) this.remember(hash, caller)
    return caller
  }

  /** Forgets every cached caller: called after each write transaction. */
  invalidate (): void {
    this.cache.clear()
  }

  private remember (digest: string, caller: Caller): void {
    if (this.cache.size >= CredentialRepository.CACHE_LIMIT) this.cache.clear()
    this.cache.set(digest, caller)
  }

  private lookup (hash: string): Caller | null {
    const apiKey = this.sql.apiKeyByHash.get(hash)
    if (apiKey !== undefined && sameDigest(apiKey.key_hash, hash)) {
      return apiKey.user_id === null
        ? { kind: 'organization', keyHash: hash, organizationId: apiKey.organization_id }
        : { kind: 'user', keyHash: hash, organizationId: apiKey.organization_id, userId: apiKey.user_id }
    }
    const partner = this.sql.partnerByHash.get(hash)
    if (partner !== undefined && sameDigest(partner.key_hash, hash)) {
      return {
        kind: 'partner',
        keyHash: hash,
        partnerId: partner.id,
        ownerOrganizationId: partner.organization_id,
        scopedOrganizationId: null
      }
    }
    const deployment = this.sql.deploymentByHash.get(hash)
    if (deployment !== undefined && sameDigest(deployment.key_hash, hash)) {
      return { kind: 'deployment', keyHash: hash, scopedOrganizationId: null }
    }
    return null
  }

  /**
   * `Authorization: Basic base64(user:password)`: "<deployment key>:" (deployment-wide), or
   * "<org uuid>:<partner or deployment key>" (scoped to that organization). A partner key paired
   * with an organization outside its partner is not a valid credential at all.
   */
  resolveBasic (username: string, password: string): Caller | null {
    const digest = hashKey(`basic\u0000${username}\u0000${password}`)
    const cached = this.cache.get(digest)
    if (cached !== undefined) return cached
    const caller = this.lookupBasic(username, password)
    if (caller !== null) this.remember(digest, caller)
    return caller
  }

  private lookupBasic (username: string, password: string): Caller | null {
    if (password === '') {
      const caller = this.resolveBearer(username)
      return caller?.kind === 'deployment' ? caller : null
    }
    if (!isUuid(username)) return null
    const organizationId = canonicalId(username)
    const organization = this.sql.organizationPartner.get(organizationId)
    if (organization === undefined) return null
    const caller = this.resolveBearer(password)
    if (caller?.kind === 'partner' && organization.partner_id === caller.partnerId) {
      return { ...caller, scopedOrganizationId: organizationId }
    }
    if (caller?.kind === 'deployment') return { ...caller, scopedOrganizationId: organizationId }
    return null
  }

  findPartner (id: string): Partner | undefined {
    const row = this.sql.partnerById.get(id)
    return row === undefined ? undefined : { id: row.id, name: row.name, organization_id: row.organization_id }
  }

  private isDigestTaken (digest: string): boolean {
    return this.sql.anyKeyHash.get(digest, digest, digest)?.found === 1
  }

  /** Mints a user API key; with force, the user's existing keys are revoked first. Returns the value, shown once. */
  mintUserKey (organizationId: string, userId: string, force: boolean): string {
    if (force) this.sql.revokeUserKeys.run(userId)
    const value = newKeyValue()
    this.sql.insertApiKey.run(hashKey(value), null, organizationId, userId)
    return value
  }

  /** A key whose value is known (fixtures, tenants): the value is stored so that exports can return it. */
  addApiKey (value: string, organizationId: string, userId: string | null): void {
    this.sql.insertApiKey.run(hashKey(value), value, organizationId, userId)
  }

  /** A minted key carried over from an export: only its digest is known. */
  addApiKeyDigest (digest: string, organizationId: string, userId: string | null): void {
    if (this.isDigestTaken(digest)) {
      throw Errors.ValidationFailed({ message: 'this key is already used by another credential' })
    }
    this.sql.insertApiKey.run(digest, null, organizationId, userId)
  }

  addPartner (partner: Partner, key: string): void {
    this.sql.insertPartner.run(partner.id, partner.name, hashKey(key), key, partner.organization_id)
  }

  /** Deletes a partner; its organizations (and all under them) go by foreign key cascade. */
  deletePartner (id: string): void {
    this.sql.removePartner.run(id)
  }

  addDeploymentKey (key: string): void {
    this.sql.insertDeploymentKey.run(hashKey(key), key)
  }
}
