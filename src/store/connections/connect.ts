import { randomUUID } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import { Errors, validationError } from '../../core/errors.js'
import type { ConnectInput } from '../../http/schemas/connections.js'
import type { ConnectionTypeCatalog, ConnectionTypeEntry } from './connection-types.js'
import type { Actor, ConnectionRepository, StoredConnection } from './connections.js'
import type { Db } from '../db.js'
import { absoluteUrl, requiredName } from '../text.js'

interface SessionRow {
  token: string
  organization_id: string
  name: string
  redirect_url: string
  types: string
  dark: number
  connection_id: string | null
  actor: string | null
  expires_at: number
  used_at: number | null
}

/** A pending Connect session (POST /api/connections/connect): what the hosted form offers and where it leads. */
export interface ConnectSession {
  token: string
  organizationId: string
  name: string
  redirectUrl: string
  /** The types the customer may pick from, in catalog order (one: straight to its form). */
  types: ConnectionTypeEntry[]
  dark: boolean
  /** An existing connection the session re-authenticates, instead of creating one. */
  connectionId: string | null
  actor: Actor
}

/**
 * Connect sessions: single use, and expiring. They are not part of the world (not exported or
 * snapshotted); deleting the organization, or a reset, ends them. An organization holds at most
 * CONNECT_SESSIONS_MAX of them (used ones count until they expire): a new one ends the oldest.
 */
export class ConnectSessionRepository {
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly byToken: Statement<[string], SessionRow>
  private readonly markUsed: Statement<[number, string]>
  private readonly purge: Statement<[number]>
  private readonly removeAll: Statement<[]>
  private readonly endOldest: Statement<[{ organization: string; keep: number }]>

  /**
   * `perOrganization`: open sessions an organization keeps (CONNECT_SESSIONS_MAX); a new one ends the oldest
   * past it.
   */
  constructor (
    db: Db,
    private readonly types: ConnectionTypeCatalog,
    private readonly connections: ConnectionRepository,
    private readonly perOrganization: number
  ) {
    this.insert =
      db.prepare(`INSERT INTO connect_sessions (token, organization_id, name, redirect_url, types, dark,
        connection_id, actor, expires_at, used_at)
      VALUES (@token, @organization_id, @name, @redirect_url, @types, @dark, @connection_id, @actor, @expires_at,
        NULL)`)
    this.byToken = db.prepare('SELECT * FROM connect_sessions WHERE token = ?')
    this.markUsed = db.prepare('UPDATE connect_sessions SET used_at = ? WHERE token = ?')
    this.purge = db.prepare('DELETE FROM connect_sessions WHERE expires_at <= ?')
    this.removeAll = db.prepare('DELETE FROM connect_sessions')
    this.endOldest = db.prepare(`DELETE FROM connect_sessions WHERE token IN (
      SELECT token FROM connect_sessions WHERE organization_id = @organization ORDER BY expires_at DESC LIMIT -1
        OFFSET @keep)`)
  }

  /**
   * A new session in an organization. The offered types are `type` if given, else `whitelist`, else
   * every type; each must exist. `connection`, if given, is that organization's connection (checked
   * by the caller) and fixes the type. Call inside a transaction.
   */
  start (
    organizationId: string,
    input: ConnectInput,
    existing: StoredConnection | undefined,
    actor: Actor,
    ttlSeconds: number,
    now = Date.now()
  ): string {
    const redirectUrl = absoluteUrl(
      (input.redirect_url ?? input.redirectURL) as string,
      input.redirect_url === undefined ? 'redirectURL' : 'redirect_url'
    ).toString()
    const name = requiredName(input.name)
    let types: string[] = []
    if (existing !== undefined) {
      if (existing.parent_id !== null) throw Errors.SharedConnectionReadOnly()
      types = [existing.type]
    } else {
      this.connections.assertNameFree(organizationId, name, null)
      if (input.type !== undefined) types = [this.types.require(input.type).definition.id]
      else if (input.whitelist !== undefined && input.whitelist !== null && input.whitelist.length > 0) {
        types = input.whitelist.map((id, index) => this.types.require(id, `whitelist[${index}]`).definition.id)
        types = [...new Set(types)]
      }
    }
    this.purge.run(now)
    const token = randomUUID()
    this.insert.run({
      token,
      organization_id: organizationId,
      name,
      redirect_url: redirectUrl,
      types: JSON.stringify(types),
      dark: input.dark === true ? 1 : 0,
      connection_id: existing?.id ?? null,
      actor: JSON.stringify(actor),
      expires_at: now + ttlSeconds * 1000
    })
    this.endOldest.run({ organization: organizationId, keep: this.perOrganization })
    return token
  }

  /** A session that can still be completed: unknown is 404, used or expired is 410. */
  open (token: string, now = Date.now()): ConnectSession {
    const row = this.byToken.get(token.toLowerCase())
    if (row === undefined) throw Errors.ConnectSessionNotFound()
    if (row.used_at !== null) throw Errors.ConnectSessionUsed()
    if (row.expires_at <= now) throw Errors.ConnectSessionExpired()
    const ids = JSON.parse(row.types) as string[]
    return {
      token: row.token,
      organizationId: row.organization_id,
      name: row.name,
      redirectUrl: row.redirect_url,
      types: ids.length === 0 ? this.types.list() : ids.flatMap((id) => this.types.find(id) ?? []),
      dark: row.dark === 1,
      connectionId: row.connection_id,
      actor: row.actor === null ? { type: 'system' } : (JSON.parse(row.actor) as Actor)
    }
  }

  /**
   * Completes a session as the customer's form submit would: creates the connection (or replaces
   * the configuration of the one being re-authenticated), with the check that validate runs, and
   * uses the token up. A failed check leaves the session open for another try. Call inside a transaction.
   */
  complete (
    token: string,
    input: { type?: string; configuration: Record<string, unknown> }
  ): { connection: StoredConnection; redirectUrl: string } {
    const session = this.open(token)
    const offered = session.types.map((entry) => entry.definition.id)
    const type = input.type ?? (offered.length === 1 ? offered[0] : undefined)
    if (type === undefined) throw validationError('type', `is required: this session offers ${offered.join(', ')}`)
    if (!offered.includes(type)) {
      throw validationError('type', `this session offers ${offered.join(', ')}, not "${type}"`)
    }
    let connection: StoredConnection
    if (session.connectionId !== null) {
      const existing = this.connections.find(session.connectionId)
      if (existing === undefined) throw Errors.ConnectionNotFound()
      connection = this.connections.replace(
        existing,
        {
          name: existing.name,
          configuration: input.configuration,
          policies: existing.policies,
          validate: true,
          ...(existing.healthcheck_interval === null ? {} : { healthcheck_interval: existing.healthcheck_interval })
        },
        session.actor
      )
    } else {
      connection = this.connections.create(
        session.organizationId,
        { name: session.name, type, configuration: input.configuration, validate: true },
        session.actor
      )
    }
    this.markUsed.run(Date.now(), session.token)
    const redirect = new URL(session.redirectUrl)
    redirect.searchParams.set('connection_id', connection.id)
    return { connection, redirectUrl: redirect.toString() }
  }

  /** Ends every session (reset). */
  clear (): void {
    this.removeAll.run()
  }
}
