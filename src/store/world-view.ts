/**
 * The world as the console shows it (GET /__admin/partners, /__admin/organizations/:id, /__admin/executions):
 * read-only views over the store's tables, each bounded, with no secret in them (webhook secrets and keys stay
 * out; a pending Connect session's token is shown, as it is the page's address a partner was handed).
 */
import type { Statement } from 'better-sqlite3'
import { Errors } from '../core/errors.js'
import type { Db } from './db.js'
import type { ExecutionRepository, StoredExecution } from './syncs/executions.js'

export interface OrganizationSummary {
  id: string
  name: string
  users: number
  connections: number
  syncs: number
}

export interface PartnerView {
  /** null for the organizations no partner owns (made with a deployment key). */
  id: string | null
  name: string
  organizations: OrganizationSummary[]
}

/** A run as the control plane shows it: its sync, kind and the API's view of it. */
export interface ExecutionView {
  kind: 'bulk' | 'model'
  sync_id: string
  organization_id: string
  /** It waits for an advance (an execution rule or an advance to `hanging` holds it). */
  hanging: boolean
  execution: Record<string, unknown>
}

export interface SyncView {
  id: string
  name: string
  active: boolean
  /** The connections it reads from and writes to. */
  connection_ids: string[]
  /** Its newest runs (at most RUNS_SHOWN), newest first. */
  executions: ExecutionView[]
}

export interface OrganizationView {
  id: string
  name: string
  partner_id: string | null
  users: Array<{ id: string; email: string; roles: string[] }>
  connections: Array<{
    id: string
    name: string
    type: string | null
    status: string
    status_error: string | null
    parent_connection_id: string | null
  }>
  bulk_syncs: SyncView[]
  model_syncs: SyncView[]
  webhooks: Array<{ id: string; endpoint: string; disabled: boolean; created_at: string }>
  /** Its newest events (at most EVENTS_SHOWN), newest first. */
  events: Array<{ id: string; type: string; created_at: string; payload: unknown }>
  /** Connect sessions that can still be completed: their hosted page is /connect/<token>. */
  connect_sessions: Array<{ token: string; name: string; expires_at: string }>
}

export interface ExecutionFilter {
  organization_id?: string
  sync_id?: string
  status?: string
  limit?: number
}

/** How much of each list an organization's view holds, and a listing of runs at most. */
export const RUNS_SHOWN = 5
export const EVENTS_SHOWN = 20
export const ORGANIZATIONS_SHOWN = 500
export const EXECUTIONS_LISTED = 1000

const iso = (ms: number): string => new Date(ms).toISOString()

export class WorldView {
  private readonly partners: Statement<[], { id: string; name: string }>
  private readonly organizationsOf: Statement<[number], OrganizationSummary & { partner_id: string | null }>
  private readonly organization: Statement<[string], { id: string; name: string; partner_id: string | null }>
  private readonly users: Statement<[string], { id: string; email: string; roles: string }>
  private readonly connections: Statement<[string], OrganizationView['connections'][number]>
  private readonly bulkSyncs: Statement<[string], { id: string; name: string; active: number; a: string; b: string }>
  private readonly modelSyncs: Statement<[string], { id: string; name: string; active: number; a: string }>
  private readonly webhooks: Statement<[string], { id: string; endpoint: string; disabled: number; created_at: string }>
  private readonly events: Statement<
    [string, number],
    { id: string; type: string; created_ms: number; payload: string }
  >

  private readonly sessions: Statement<[string, number], { token: string; name: string; expires_at: number }>
  private readonly runsOf: Statement<[string, number], { id: string }>
  private readonly runs: Statement<[Record<string, unknown>], { id: string }>

  constructor (db: Db, private readonly executions: ExecutionRepository) {
    this.partners = db.prepare('SELECT id, name FROM partners ORDER BY seq')
    this.organizationsOf = db.prepare(`SELECT o.id, o.name, o.partner_id,
        (SELECT count(*) FROM users WHERE organization_id = o.id) AS users,
        (SELECT count(*) FROM connections WHERE organization_id = o.id) AS connections,
        (SELECT count(*) FROM bulk_syncs WHERE organization_id = o.id) +
          (SELECT count(*) FROM model_syncs WHERE organization_id = o.id) AS syncs
      FROM organizations o ORDER BY o.seq LIMIT ?`)
    this.organization = db.prepare('SELECT id, name, partner_id FROM organizations WHERE id = ?')
    this.users = db.prepare(`SELECT u.id, u.email, (SELECT json_group_array(r.name) FROM user_roles ur
        JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS roles
      FROM users u WHERE u.organization_id = ? ORDER BY u.seq`)
    this.connections = db.prepare(`SELECT id, name, type, status, status_error, parent_id AS parent_connection_id
      FROM connections WHERE organization_id = ? ORDER BY seq`)
    this.bulkSyncs = db.prepare(`SELECT id, name, active, source_connection_id AS a, destination_connection_id AS b
      FROM bulk_syncs WHERE organization_id = ? ORDER BY seq`)
    this.modelSyncs = db.prepare(`SELECT id, name, active, target_connection_id AS a
      FROM model_syncs WHERE organization_id = ? ORDER BY seq`)
    this.webhooks = db.prepare(
      'SELECT id, endpoint, disabled, created_at FROM webhooks WHERE organization_id = ? ORDER BY seq'
    )
    this.events = db.prepare(`SELECT id, type, created_ms, payload FROM events WHERE organization_id = ?
      ORDER BY created_ms DESC, seq DESC LIMIT ?`)
    this.sessions = db.prepare(`SELECT token, name, expires_at FROM connect_sessions
      WHERE organization_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY expires_at`)
    this.runsOf = db.prepare(
      'SELECT id FROM executions WHERE coalesce(bulk_sync_id, model_sync_id) = ? ORDER BY seq DESC LIMIT ?'
    )
    this.runs = db.prepare(`SELECT id FROM executions
      WHERE (@organization IS NULL OR organization_id = @organization)
        AND (@sync IS NULL OR coalesce(bulk_sync_id, model_sync_id) = @sync)
        AND (@status IS NULL OR status = @status)
      ORDER BY seq DESC LIMIT @limit`)
  }

  /** Every partner with its organizations (at most ORGANIZATIONS_SHOWN in all); organizations of none last. */
  partnerList (): PartnerView[] {
    const byPartner = new Map<string | null, PartnerView>()
    for (const partner of this.partners.all()) byPartner.set(partner.id, { ...partner, organizations: [] })
    for (const { partner_id: partnerId, ...organization } of this.organizationsOf.all(ORGANIZATIONS_SHOWN)) {
      let partner = byPartner.get(partnerId)
      if (partner === undefined) {
        partner = { id: null, name: 'No partner', organizations: [] }
        byPartner.set(partnerId, partner)
      }
      partner.organizations.push(organization)
    }
    return [...byPartner.values()]
  }

  /** One organization and what is in it; an unknown one is a 404. */
  organizationView (id: string, now: number): OrganizationView {
    const found = this.organization.get(id.toLowerCase())
    if (found === undefined) throw Errors.OrganizationNotFound()
    const sync = (row: { id: string; name: string; active: number }, connectionIds: string[]): SyncView => ({
      id: row.id,
      name: row.name,
      active: row.active === 1,
      connection_ids: connectionIds,
      executions: this.runsOf.all(row.id, RUNS_SHOWN).map((run) => this.executionView(run.id))
    })
    return {
      ...found,
      users: this.users.all(found.id).map((u) => ({ ...u, roles: JSON.parse(u.roles) as string[] })),
      connections: this.connections.all(found.id),
      bulk_syncs: this.bulkSyncs.all(found.id).map((row) => sync(row, [row.a, row.b])),
      model_syncs: this.modelSyncs.all(found.id).map((row) => sync(row, [row.a])),
      webhooks: this.webhooks.all(found.id).map((w) => ({ ...w, disabled: w.disabled === 1 })),
      events: this.events.all(found.id, EVENTS_SHOWN).map((e) => ({
        id: e.id,
        type: e.type,
        created_at: iso(e.created_ms),
        payload: JSON.parse(e.payload) as unknown
      })),
      connect_sessions: this.sessions
        .all(found.id, now)
        .map((s) => ({ token: s.token, name: s.name, expires_at: iso(s.expires_at) }))
    }
  }

  /** Runs, newest first, of an organization, a sync and/or in a status (at most EXECUTIONS_LISTED). */
  executionList (filter: ExecutionFilter = {}): ExecutionView[] {
    const rows = this.runs.all({
      organization: filter.organization_id?.toLowerCase() ?? null,
      sync: filter.sync_id?.toLowerCase() ?? null,
      status: filter.status ?? null,
      limit: Math.min(filter.limit ?? 100, EXECUTIONS_LISTED)
    })
    return rows.map((row) => this.executionView(row.id))
  }

  /** A run as the control plane shows it; an unknown one is a 404. */
  executionView (id: string): ExecutionView {
    const execution = this.executions.find(id)
    if (execution === undefined) throw Errors.ExecutionNotFound()
    return viewOf(this.executions, execution)
  }
}

function viewOf (executions: ExecutionRepository, e: StoredExecution): ExecutionView {
  return {
    kind: e.kind,
    sync_id: e.sync_id,
    organization_id: e.organization_id,
    hanging: e.plan.outcome === 'hang' && !['completed', 'failed', 'canceled'].includes(e.status),
    execution: executions.view(e)
  }
}
